//! tcp_wrappers (`/etc/hosts.allow`, `/etc/hosts.deny`, hosts_access(5)):
//! which sources a daemon linked with libwrap grants. The first matching
//! rule of hosts.allow grants, else the first of hosts.deny denies, else
//! access is granted. Host-name patterns depend on DNS, which an attacker
//! may control: they may match anyone and are never relied on to deny.

use super::sources::Sources;

/// A rule line: daemons, clients, options, and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WrapRule {
    daemons: String,
    clients: String,
    options: String,
    at: String,
}

/// Both files, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wrappers {
    allow: Vec<WrapRule>,
    deny: Vec<WrapRule>,
}

/// What the files grant one daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Sources that may be granted (never narrower than the truth).
    pub sources: Sources,
    /// The rules that matched the daemon, with where they are.
    pub rules: Vec<String>,
}

fn lines(path: &str, text: &[String]) -> Vec<WrapRule> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0;
    for (i, raw) in text.iter().enumerate() {
        if cur.is_empty() {
            start = i + 1;
        }
        let l = raw.trim_end();
        if let Some(s) = l.strip_suffix('\\') {
            cur.push_str(s);
            cur.push(' ');
            continue;
        }
        cur.push_str(l);
        let full = std::mem::take(&mut cur);
        let t = full.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let parts = split_fields(t);
        let (Some(d), Some(c)) = (parts.first(), parts.get(1)) else {
            continue;
        };
        out.push(WrapRule {
            daemons: d.trim().to_string(),
            clients: c.trim().to_string(),
            options: parts.get(2).map(|o| o.trim()).unwrap_or("").to_string(),
            at: format!("{path}:{start}: {t}"),
        });
    }
    out
}

/// Split at the first two colons outside `[...]` (IPv6 addresses).
fn split_fields(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in line.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ':' if depth == 0 && out.len() < 2 => {
                out.push(&line[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&line[start..]);
    out
}

impl Wrappers {
    pub fn parse(allow_path: &str, allow: &[String], deny_path: &str, deny: &[String]) -> Wrappers {
        Wrappers {
            allow: lines(allow_path, allow),
            deny: lines(deny_path, deny),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.allow.is_empty() && self.deny.is_empty()
    }

    /// What `daemon` (`sshd`, `vsftpd`, `in.telnetd`) grants.
    pub fn grant(&self, daemon: &str) -> Grant {
        let mut live = Sources::any();
        let mut granted = Sources::none();
        let mut rules = Vec::new();
        for (file_allows, list) in [(true, &self.allow), (false, &self.deny)] {
            for r in list {
                let (dc, dm) = daemon_match(&r.daemons, daemon);
                if !dm {
                    continue;
                }
                let (c, m) = client_sets(&r.clients);
                let (c, m) = if dc { (c, m) } else { (Sources::none(), m) };
                let m = m.intersect(&live);
                if m.is_empty() {
                    continue;
                }
                let opts = r.options.to_ascii_lowercase();
                let opt_words: Vec<&str> = opts.split(':').map(str::trim).collect();
                let allows = if opt_words
                    .iter()
                    .any(|o| *o == "deny" || o.starts_with("twist"))
                {
                    false
                } else if opt_words.contains(&"allow") {
                    true
                } else {
                    file_allows
                };
                if allows {
                    granted = granted.union(&m);
                }
                live = live.minus(&c);
                rules.push(r.at.clone());
            }
        }
        Grant {
            sources: granted.union(&live),
            rules,
        }
    }
}

/// Does the daemon list match `daemon`? (certainly, possibly)
fn daemon_match(list: &str, daemon: &str) -> (bool, bool) {
    let (inc, exc) = split_except(list);
    let one = |p: &str| -> (bool, bool) {
        let (name, host) = match p.split_once('@') {
            Some((n, h)) => (n, Some(h)),
            None => (p, None),
        };
        let hit = name.eq_ignore_ascii_case("ALL") || name == daemon;
        // `sshd@10.0.0.1` depends on the local address the client used.
        (hit && host.is_none(), hit)
    };
    let any = |ws: &[&str]| {
        ws.iter().fold((false, false), |a, w| {
            let (c, m) = one(w);
            (a.0 || c, a.1 || m)
        })
    };
    let (ic, im) = any(&inc);
    let (ec, em) = any(&exc);
    (ic && !em, im && !ec)
}

fn split_except(list: &str) -> (Vec<&str>, Vec<&str>) {
    let words: Vec<&str> = list
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    match words.iter().position(|w| *w == "EXCEPT") {
        Some(i) => (words[..i].to_vec(), words[i + 1..].to_vec()),
        None => (words, Vec::new()),
    }
}

/// Sources a client list (certainly, possibly) matches.
fn client_sets(list: &str) -> (Sources, Sources) {
    let (inc, exc) = split_except(list);
    let union = |ws: &[&str]| {
        ws.iter().fold((Sources::none(), Sources::none()), |a, w| {
            let (c, m) = client_pattern(w);
            (a.0.union(&c), a.1.union(&m))
        })
    };
    let (ic, im) = union(&inc);
    let (ec, em) = union(&exc);
    (ic.minus(&em), im.minus(&ec))
}

/// One client pattern: (certainly matches, possibly matches).
fn client_pattern(p: &str) -> (Sources, Sources) {
    let any = || (Sources::none(), Sources::any());
    if p.eq_ignore_ascii_case("ALL") {
        return (Sources::any(), Sources::any());
    }
    if p.starts_with('.') || p.starts_with('@') || p.starts_with('/') || p.contains(['*', '?']) {
        return any(); // domain, netgroup, file, wildcard: DNS or data we cannot see
    }
    if matches!(p, "LOCAL" | "KNOWN" | "UNKNOWN" | "PARANOID") {
        return any();
    }
    // `10.203.0.` — every address that starts with these octets.
    if let Some(prefix) = p.strip_suffix('.') {
        let octets: Vec<&str> = prefix.split('.').collect();
        if octets.iter().all(|o| o.parse::<u8>().is_ok()) && octets.len() <= 3 {
            let mut full = octets.clone();
            while full.len() < 4 {
                full.push("0");
            }
            let cidr = format!("{}/{}", full.join("."), octets.len() * 8);
            if let Some(s) = Sources::parse(&cidr) {
                return (s.clone(), s);
            }
        }
        return any();
    }
    match Sources::parse(p) {
        Some(s) => (s.clone(), s),
        None => any(), // a host name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(allow: &str, deny: &str) -> Wrappers {
        let l = |s: &str| s.lines().map(String::from).collect::<Vec<_>>();
        Wrappers::parse("/etc/hosts.allow", &l(allow), "/etc/hosts.deny", &l(deny))
    }

    fn s(t: &str) -> Sources {
        Sources::parse(t).unwrap()
    }

    #[test]
    fn allow_list_then_deny_all_restricts() {
        let g = w(
            "# maintenance from the office only\nsshd, vsftpd: 10.203.0. [2001:db8:1::]/48 \\\n  192.0.2.7\n",
            "ALL: ALL\n",
        )
        .grant("vsftpd");
        assert_eq!(
            g.sources,
            s("10.203.0.0/24")
                .union(&s("2001:db8:1::/48"))
                .union(&s("192.0.2.7"))
        );
        assert_eq!(g.rules.len(), 2);
        assert!(
            g.rules[0].starts_with("/etc/hosts.allow:2: sshd, vsftpd:"),
            "{:?}",
            g.rules
        );
    }

    #[test]
    fn nothing_or_a_deny_list_grants_broadly() {
        assert!(w("", "").grant("sshd").sources.is_any());
        let g = w("", "sshd: 203.0.113.0/255.255.255.0\n").grant("sshd");
        assert_eq!(g.sources, Sources::any().minus(&s("203.0.113.0/24")));
        assert!(g.sources.is_broad());
        // Other daemons' rules do not apply.
        assert!(w("", "vsftpd: ALL").grant("sshd").sources.is_any());
    }

    #[test]
    fn host_names_never_deny_and_may_allow() {
        let g = w(
            "sshd: .example.com\n",
            "sshd: ALL EXCEPT admin.example.com\n",
        )
        .grant("sshd");
        assert!(g.sources.is_any(), "a DNS name can be anyone");
        let g = w("ALL: 10.0.0.0/8 : deny\nALL: ALL : allow\n", "").grant("sshd");
        assert_eq!(g.sources, Sources::any().minus(&s("10.0.0.0/8")));
    }
}
