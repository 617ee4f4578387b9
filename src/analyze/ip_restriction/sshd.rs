//! sshd's own source restrictions: `AllowUsers user@host`, `DenyUsers`,
//! `Match Address` blocks that change them, `ListenAddress`, and whether
//! the binary honours tcp_wrappers (linked with libwrap). Read from
//! sshd_config with its `Include`d files expanded in place (as sshd does);
//! when `sshd -T` (root only) printed the effective global settings, those
//! win for everything outside `Match` blocks.

use super::dump::{self, Block};
use super::sources::Sources;
use std::collections::HashMap;
use std::rc::Rc;

/// One directive with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Directive {
    key: String,
    args: Vec<String>,
    at: String,
}

/// A `Match` block: its criteria and the directives under it.
#[derive(Debug, Clone)]
struct MatchBlock {
    /// Sources the Address criterion selects (any when absent).
    addresses: Sources,
    /// Only Address (or `all`) criteria: applies to every connection from
    /// those sources. Otherwise it may or may not apply.
    certain: bool,
    header: String,
    body: Vec<Directive>,
}

#[derive(Debug, Clone, Default)]
pub struct SshdConfig {
    global: Vec<Directive>,
    blocks: Vec<MatchBlock>,
    /// Where global settings came from: `sshd -T` or the files.
    pub source: String,
    pub libwrap: Option<bool>,
    /// Files the probe could not read.
    pub unreadable: Vec<String>,
}

/// Who may log in, by source address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginSources {
    pub sources: Sources,
    /// The directives that decide it.
    pub by: Vec<String>,
}

fn words(line: &str) -> Vec<String> {
    // sshd_config: `Key value`, `Key=value`, double quotes group words.
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut q = false;
    for (i, c) in line.chars().enumerate() {
        match c {
            '"' => q = !q,
            '=' if out.is_empty() && !q && i > 0 => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c if c.is_whitespace() && !q => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A file's directive lines, tokenised: (line number, key in lower case,
/// arguments). Comments and blank lines are left out.
type Tokens = Rc<Vec<(usize, String, Vec<String>)>>;

/// Each file's [`Tokens`], by the address of its lines: a file included
/// many times (a hostile config can include one file thousands of times
/// within the line budget) is tokenised once per walk.
#[derive(Default)]
struct Tokenised(HashMap<(usize, usize), Tokens>);

impl Tokenised {
    fn of(&mut self, lines: &[String]) -> Tokens {
        let key = (lines.as_ptr() as usize, lines.len());
        let t = self.0.entry(key).or_insert_with(|| {
            Rc::new(
                lines
                    .iter()
                    .enumerate()
                    .filter_map(|(i, raw)| {
                        let t = raw.trim();
                        if t.is_empty() || t.starts_with('#') {
                            return None;
                        }
                        let mut w = words(t).into_iter();
                        let key = w.next()?.to_ascii_lowercase();
                        Some((i + 1, key, w.collect()))
                    })
                    .collect(),
            )
        });
        Rc::clone(t)
    }
}

/// The directives of `path`, with `Include`s expanded in place.
fn flatten(
    blocks: &[Block],
    path: &str,
    lines: &[String],
    depth: usize,
    inc: &mut dump::Includes,
    tok: &mut Tokenised,
    out: &mut Vec<Directive>,
) {
    for (n, key, args) in tok.of(lines).iter() {
        if key == "include" && depth < 8 {
            for pat in args {
                let pat = if pat.starts_with('/') {
                    pat.clone()
                } else {
                    format!("/etc/ssh/{pat}")
                };
                for (p, l) in inc.expand(blocks, &pat) {
                    if inc.enter(p, l) {
                        flatten(blocks, p, l, depth + 1, inc, tok, out);
                        inc.leave();
                    }
                }
            }
            continue;
        }
        out.push(Directive {
            key: key.clone(),
            args: args.clone(),
            at: format!("{path}:{n}"),
        });
    }
}

/// sshd address patterns: `10.0.0.0/8`, `10.0.0.*`, `!1.2.3.4`, comma
/// lists. Returns (certainly matches, possibly matches).
fn address_patterns(list: &str) -> (Sources, Sources) {
    let mut pos_c = Sources::none();
    let mut pos_m = Sources::none();
    let mut neg_c = Sources::none();
    let mut neg_m = Sources::none();
    for p in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (neg, p) = match p.strip_prefix('!') {
            Some(r) => (true, r),
            None => (false, p),
        };
        let (c, m) = one_address(p);
        if neg {
            neg_c = neg_c.union(&c);
            neg_m = neg_m.union(&m);
        } else {
            pos_c = pos_c.union(&c);
            pos_m = pos_m.union(&m);
        }
    }
    // A matching negated pattern rejects the whole list.
    (pos_c.minus(&neg_m), pos_m.minus(&neg_c))
}

fn one_address(p: &str) -> (Sources, Sources) {
    if p == "*" {
        return (Sources::any(), Sources::any());
    }
    if let Some(s) = Sources::parse(p) {
        return (s.clone(), s);
    }
    // `10.203.0.*`: whole trailing octets.
    let octets: Vec<&str> = p.split('.').collect();
    if octets.len() == 4 {
        let fixed: Vec<&str> = octets.iter().take_while(|o| **o != "*").copied().collect();
        if octets[fixed.len()..].iter().all(|o| *o == "*")
            && fixed.iter().all(|o| o.parse::<u8>().is_ok())
        {
            let mut full = fixed.clone();
            while full.len() < 4 {
                full.push("0");
            }
            if let Some(s) = Sources::parse(&format!("{}/{}", full.join("."), fixed.len() * 8)) {
                return (s.clone(), s);
            }
        }
    }
    // Host names and other wildcards: DNS decides; may be anyone.
    (Sources::none(), Sources::any())
}

pub fn parse(blocks: &[Block]) -> Option<SshdConfig> {
    let files = dump::files(blocks);
    let (main_path, main_lines) = files.first()?;
    let mut all = Vec::new();
    let mut inc = dump::Includes::new(main_path);
    let mut tok = Tokenised::default();
    flatten(
        blocks, main_path, main_lines, 0, &mut inc, &mut tok, &mut all,
    );
    let mut cfg = SshdConfig {
        source: main_path.to_string(),
        libwrap: dump::fact(blocks, "libwrap").map(|v| v.ends_with(" yes")),
        unreadable: dump::unreadable(blocks)
            .iter()
            .map(|s| s.to_string())
            .collect(),
        ..SshdConfig::default()
    };
    for d in all {
        if d.key == "match" {
            let mut addresses = Sources::any();
            let mut certain = true;
            let mut i = 0;
            while i < d.args.len() {
                let crit = d.args[i].to_ascii_lowercase();
                let val = d.args.get(i + 1).map(String::as_str).unwrap_or("");
                match crit.as_str() {
                    "all" => {
                        i += 1;
                        continue;
                    }
                    "address" => {
                        let (c, m) = address_patterns(val);
                        if c != m {
                            certain = false;
                        }
                        addresses = addresses.intersect(&m);
                    }
                    _ => certain = false,
                }
                i += 2;
            }
            cfg.blocks.push(MatchBlock {
                addresses,
                certain,
                header: format!("Match {} ({})", d.args.join(" "), d.at),
                body: Vec::new(),
            });
        } else if let Some(b) = cfg.blocks.last_mut() {
            b.body.push(d);
        } else {
            cfg.global.push(d);
        }
    }
    // `sshd -T` prints the effective global settings, includes resolved.
    if let Some(t) = blocks
        .iter()
        .find(|b| b.kind == "sshd-T" && !b.lines.is_empty())
    {
        cfg.global = t
            .lines
            .iter()
            .filter_map(|l| {
                let w = words(l);
                Some(Directive {
                    key: w.first()?.to_ascii_lowercase(),
                    args: w[1..].to_vec(),
                    at: "sshd -T".into(),
                })
            })
            .collect();
        cfg.source = format!("sshd -T for {main_path}");
    }
    Some(cfg)
}

/// Sources allowed by one AllowUsers list (any when the list is empty), and
/// sources denied to everyone by a DenyUsers list (`*@host`, `*`).
fn allow_hosts(entries: &[&Directive]) -> Sources {
    let args: Vec<&String> = entries.iter().flat_map(|d| d.args.iter()).collect();
    if args.is_empty() {
        return Sources::any();
    }
    args.iter()
        .fold(Sources::none(), |acc, a| match a.split_once('@') {
            Some((_, host)) => acc.union(&address_patterns(host).1),
            None => Sources::any(),
        })
}

fn deny_all_hosts(entries: &[&Directive]) -> Sources {
    entries
        .iter()
        .flat_map(|d| d.args.iter())
        .fold(Sources::none(), |acc, a| match a.split_once('@') {
            Some(("*", host)) => acc.union(&address_patterns(host).0),
            None if a == "*" => Sources::any(),
            _ => acc,
        })
}

impl SshdConfig {
    fn global_values(&self, key: &str) -> Vec<&Directive> {
        self.global.iter().filter(|d| d.key == key).collect()
    }

    /// `ListenAddress` values and where they are.
    pub fn listen_addresses(&self) -> Vec<String> {
        self.global_values("listenaddress")
            .iter()
            .map(|d| format!("ListenAddress {} ({})", d.args.join(" "), d.at))
            .collect()
    }

    /// Sources from which some user can log in, after AllowUsers, DenyUsers
    /// and Match Address blocks.
    pub fn login_sources(&self) -> LoginSources {
        let certain: Vec<&MatchBlock> = self
            .blocks
            .iter()
            .filter(|b| b.certain && b.body.iter().any(|d| is_user_list(&d.key)))
            .collect();
        // Atoms: sets of sources on which the same certain blocks apply.
        let mut atoms: Vec<(Sources, Vec<usize>)> = vec![(Sources::any(), Vec::new())];
        for (i, b) in certain.iter().enumerate().take(12) {
            let mut next = Vec::new();
            for (s, applied) in atoms {
                let inside = s.intersect(&b.addresses);
                let outside = s.minus(&b.addresses);
                if !inside.is_empty() {
                    let mut a = applied.clone();
                    a.push(i);
                    next.push((inside, a));
                }
                if !outside.is_empty() {
                    next.push((outside, applied));
                }
            }
            atoms = next;
        }
        let mut by: Vec<String> = Vec::new();
        let mut allowed = Sources::none();
        for (atom, applied) in &atoms {
            let pick = |key: &str| -> Vec<&Directive> {
                let from_blocks: Vec<&Directive> = applied
                    .iter()
                    .flat_map(|&i| certain[i].body.iter().filter(|d| d.key == key))
                    .collect();
                if from_blocks.is_empty() {
                    self.global_values(key)
                } else {
                    from_blocks
                }
            };
            let allow = pick("allowusers");
            let deny = pick("denyusers");
            let here = atom
                .intersect(&allow_hosts(&allow))
                .minus(&deny_all_hosts(&deny));
            for d in allow.iter().chain(deny.iter()) {
                let s = format!("{} {} ({})", cap(&d.key), d.args.join(" "), d.at);
                if !by.contains(&s) {
                    by.push(s);
                }
            }
            allowed = allowed.union(&here);
        }
        for &i in atoms.iter().flat_map(|(_, a)| a) {
            let h = certain[i].header.clone();
            if !by.contains(&h) {
                by.push(h);
            }
        }
        // Blocks with other criteria may apply to some users: what they
        // allow may be allowed.
        for b in self.blocks.iter().filter(|b| !b.certain) {
            let allow: Vec<&Directive> = b.body.iter().filter(|d| d.key == "allowusers").collect();
            if !allow.is_empty() {
                allowed = allowed.union(&b.addresses.intersect(&allow_hosts(&allow)));
                by.push(b.header.clone());
            }
        }
        LoginSources {
            sources: allowed,
            by,
        }
    }
}

fn is_user_list(key: &str) -> bool {
    key == "allowusers" || key == "denyusers"
}

fn cap(key: &str) -> &'static str {
    match key {
        "allowusers" => "AllowUsers",
        "denyusers" => "DenyUsers",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let p = format!(
            "{}/tests/fixtures/ip-restriction/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    fn as_block(kind: &str, arg: &str, text: &str) -> String {
        let mut s = format!("@{kind} {arg}\n");
        for l in text.lines() {
            s.push('|');
            s.push_str(l);
            s.push('\n');
        }
        s
    }

    fn s(t: &str) -> Sources {
        Sources::parse(t).unwrap()
    }

    #[test]
    fn a_self_including_config_is_read_once() {
        // sshd refuses this at start ("Too many recursive configuration
        // includes"); the parser reads each file once instead of 2^8 times.
        let mut text = as_block(
            "file",
            "/etc/ssh/sshd_config",
            "Include /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf\nAllowUsers admin@10.0.0.0/8",
        );
        text.push_str(&as_block(
            "file",
            "/etc/ssh/sshd_config.d/a.conf",
            "Include /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no",
        ));
        let c = parse(&dump::parse(&text)).unwrap();
        let allow: Vec<_> = c.global.iter().filter(|d| d.key == "allowusers").collect();
        assert_eq!(allow.len(), 1, "{:?}", c.global);
        assert_eq!(allow[0].at, "/etc/ssh/sshd_config:2");
        assert!(c.global.iter().any(|d| d.key == "permitrootlogin"));
    }

    #[test]
    fn a_file_included_again_is_read_again_from_its_tokens() {
        // Included twice in a row (not a loop): read twice, each directive
        // with its own file and line; comments and blank lines are skipped.
        let mut text = as_block(
            "file",
            "/etc/ssh/sshd_config",
            "Include sshd_config.d/a.conf\n# note\nInclude /etc/ssh/sshd_config.d/a.conf\nPort 22",
        );
        text.push_str(&as_block(
            "file",
            "/etc/ssh/sshd_config.d/a.conf",
            "\n# only users from the office\nAllowUsers=admin@10.0.0.0/8 \"ops team\"",
        ));
        let c = parse(&dump::parse(&text)).unwrap();
        let keys: Vec<(&str, &str)> = c
            .global
            .iter()
            .map(|d| (d.key.as_str(), d.at.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("allowusers", "/etc/ssh/sshd_config.d/a.conf:3"),
                ("allowusers", "/etc/ssh/sshd_config.d/a.conf:3"),
                ("port", "/etc/ssh/sshd_config:4")
            ]
        );
        assert_eq!(c.global[1].args, ["admin@10.0.0.0/8", "ops team"]);
    }

    #[test]
    fn allow_users_with_hosts_restricts_logins() {
        let text = as_block(
            "file",
            "/etc/ssh/sshd_config",
            &fixture("sshd_config-restricted"),
        );
        let cfg = parse(&dump::parse(&text)).unwrap();
        let l = cfg.login_sources();
        assert_eq!(l.sources, s("10.203.0.0/24").union(&s("192.0.2.5")));
        assert!(
            l.by[0].starts_with("AllowUsers admin@10.203.0.0/24"),
            "{:?}",
            l.by
        );
        assert_eq!(
            cfg.listen_addresses(),
            ["ListenAddress 10.203.0.12 (/etc/ssh/sshd_config:3)"]
        );
        // The same from `sshd -T`, which prints one user per line.
        let t = as_block(
            "sshd-T",
            "/etc/ssh/sshd_config",
            &fixture("sshd-T-restricted.txt"),
        );
        let cfg = parse(&dump::parse(&(text + &t))).unwrap();
        assert_eq!(
            cfg.login_sources().sources,
            s("10.203.0.0/24").union(&s("192.0.2.5"))
        );
        assert_eq!(
            cfg.listen_addresses(),
            ["ListenAddress 10.203.0.12:22 (sshd -T)"]
        );
    }

    #[test]
    fn debian_default_config_allows_everyone() {
        let text = as_block(
            "file",
            "/etc/ssh/sshd_config",
            "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin prohibit-password\n",
        ) + &as_block(
            "file",
            "/etc/ssh/sshd_config.d/50-cloud.conf",
            "PasswordAuthentication no\n",
        ) + &as_block(
            "sshd-T",
            "/etc/ssh/sshd_config",
            &fixture("sshd-T-clean.txt"),
        ) + "@libwrap /usr/sbin/sshd yes\n";
        let cfg = parse(&dump::parse(&text)).unwrap();
        assert!(cfg.login_sources().sources.is_any());
        assert_eq!(cfg.libwrap, Some(true));
    }

    #[test]
    fn match_address_blocks_change_who_may_log_in() {
        // Nobody globally; everyone from the management network.
        let text = as_block(
            "file",
            "/etc/ssh/sshd_config",
            "DenyUsers *\nMatch Address 10.203.0.0/24,!10.203.0.99\n    DenyUsers nobody\n    AllowUsers *\nMatch User deploy\n    ForceCommand internal-sftp\n",
        );
        let l = parse(&dump::parse(&text)).unwrap().login_sources();
        assert_eq!(l.sources, s("10.203.0.0/24").minus(&s("10.203.0.99")));
        assert!(
            l.by.iter().any(|b| b
                .starts_with("Match Address 10.203.0.0/24,!10.203.0.99 (/etc/ssh/sshd_config:2)")),
            "{:?}",
            l.by
        );

        // A Match block that also needs a user may apply: what it allows counts.
        let text = as_block(
            "file",
            "/etc/ssh/sshd_config",
            "AllowUsers admin@10.203.0.*\nMatch User vendor Address *\n    AllowUsers vendor\n",
        );
        let l = parse(&dump::parse(&text)).unwrap().login_sources();
        assert!(l.sources.is_any(), "{l:?}");

        let text = as_block(
            "file",
            "/etc/ssh/sshd_config",
            "AllowUsers admin@10.203.0.*\n",
        );
        assert_eq!(
            parse(&dump::parse(&text)).unwrap().login_sources().sources,
            s("10.203.0.0/24")
        );
    }
}
