//! OpenSSH client configuration (`~/.ssh/config`, `-F FILE`): the keywords
//! that decide where and how shipshape connects, read with OpenSSH's rules:
//! `Host` blocks with patterns (`*`, `?`, `!negation`), the first value
//! obtained for a keyword wins (`IdentityFile` accumulates), `Include`
//! (relative to `~/.ssh`, wildcards in the file name), `%` tokens in paths.
//!
//! Honoured: `HostName`, `User`, `Port`, `IdentityFile`, `IdentitiesOnly`,
//! `ProxyJump`, `UserKnownHostsFile`, `StrictHostKeyChecking`. Other keywords
//! are ignored, except those that would make ssh connect differently
//! (`ProxyCommand`, `HostKeyAlias`, `CertificateFile`, `CanonicalizeHostname`):
//! a host they apply to is an error, never a silently different connection.
//! `Match` blocks are evaluated with the criteria `all`, `host` and
//! `originalhost`; one with any other criterion (`exec`, `user`, ...) that
//! sets an honoured or refused keyword is an error, and one that sets only
//! other keywords is ignored. (crates.io's ssh2-config has no `Match`, no
//! `%` tokens and no line numbers in its errors, so this reader is our own.)

use crate::wildcard::text as wildcard;
use std::fmt;
use std::path::{Path, PathBuf};

/// Keywords shipshape applies.
const HONOURED: &[&str] = &[
    "hostname",
    "user",
    "port",
    "identityfile",
    "identitiesonly",
    "proxyjump",
    "userknownhostsfile",
    "stricthostkeychecking",
];

/// Keywords that would change the connection in ways shipshape cannot follow.
const REFUSED: &[(&str, &str)] = &[
    ("proxycommand", "use ProxyJump instead"),
    (
        "hostkeyalias",
        "put the host's key in known_hosts under its HostName",
    ),
    ("certificatefile", "certificates are not supported"),
    (
        "canonicalizehostname",
        "give the full host name (or HostName) instead",
    ),
];

/// Where a setting was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub file: PathBuf,
    pub line: usize,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// An error in, or a refusal of, the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug, Clone)]
struct Setting {
    keyword: String,
    args: Vec<String>,
    loc: Loc,
}

#[derive(Debug, Clone)]
enum Guard {
    /// Lines before the first `Host` or `Match`: apply to every host.
    Always,
    Host(Vec<String>),
    /// `Match` and its criteria, as written.
    Match(Loc, Vec<String>),
}

#[derive(Debug, Clone)]
struct Block {
    guard: Guard,
    settings: Vec<Setting>,
}

/// A parsed configuration.
#[derive(Debug, Clone, Default)]
pub struct SshConfig {
    blocks: Vec<Block>,
    home: PathBuf,
}

/// The honoured settings for one host, first value wins. Paths and host
/// names are not yet `%`-expanded (see [`HostConfig::expand`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostConfig {
    pub host_name: Option<String>,
    pub user: Option<String>,
    pub port: Option<u16>,
    pub identity_files: Vec<String>,
    pub identities_only: Option<bool>,
    /// `None` when not set; `Some(empty)` for `ProxyJump none`.
    pub proxy_jump: Option<Vec<String>>,
    pub user_known_hosts_file: Option<String>,
    pub strict_host_key_checking: Option<Strict>,
}

/// `StrictHostKeyChecking`, as shipshape applies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strict {
    /// `yes`, `ask`: an unknown host key is refused.
    Yes,
    /// `accept-new`, and `no`/`off` (shipshape never accepts a changed key).
    AcceptNew,
}

/// Values for the `%` tokens of one connection.
pub struct Tokens<'a> {
    /// `%n`: the host name as given (before `HostName`).
    pub original: &'a str,
    /// `%h`: the host name after `HostName`.
    pub host: &'a str,
    /// `%p`
    pub port: u16,
    /// `%r`
    pub remote_user: &'a str,
    /// `%u`
    pub local_user: &'a str,
    /// `%d`
    pub home: &'a Path,
}

impl SshConfig {
    /// Read `path` (and what it includes). `home` is `~` for `~/` paths and
    /// relative `Include`s.
    pub fn load(path: &Path, home: &Path) -> Result<SshConfig, ConfigError> {
        let mut cfg = SshConfig {
            blocks: vec![Block {
                guard: Guard::Always,
                settings: Vec::new(),
            }],
            home: home.to_path_buf(),
        };
        cfg.read_file(path, 0)?;
        Ok(cfg)
    }

    /// Parse configuration text (as if read from `path`).
    pub fn parse(path: &Path, text: &str, home: &Path) -> Result<SshConfig, ConfigError> {
        let mut cfg = SshConfig {
            blocks: vec![Block {
                guard: Guard::Always,
                settings: Vec::new(),
            }],
            home: home.to_path_buf(),
        };
        cfg.read_text(path, text, 0)?;
        Ok(cfg)
    }

    fn read_file(&mut self, path: &Path, depth: usize) -> Result<(), ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("cannot read ssh config {}: {e}", path.display())))?;
        self.read_text(path, &text, depth)
    }

    fn read_text(&mut self, path: &Path, text: &str, depth: usize) -> Result<(), ConfigError> {
        for (i, raw) in text.lines().enumerate() {
            let loc = Loc {
                file: path.to_path_buf(),
                line: i + 1,
            };
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (keyword, args) =
                split_line(line).map_err(|why| ConfigError(format!("{loc}: {why}")))?;
            let keyword = keyword.to_ascii_lowercase();
            match keyword.as_str() {
                "host" => {
                    if args.is_empty() {
                        return Err(ConfigError(format!(
                            "{loc}: Host needs at least one pattern"
                        )));
                    }
                    self.blocks.push(Block {
                        guard: Guard::Host(args),
                        settings: Vec::new(),
                    });
                }
                "match" => self.blocks.push(Block {
                    guard: Guard::Match(loc, args),
                    settings: Vec::new(),
                }),
                "include" => {
                    if depth >= 16 {
                        return Err(ConfigError(format!("{loc}: Include nested too deeply")));
                    }
                    // The included lines belong to the block in force here;
                    // a Host line inside them does not outlive the file.
                    let guard = self
                        .blocks
                        .last()
                        .map(|b| b.guard.clone())
                        .unwrap_or(Guard::Always);
                    for pattern in &args {
                        for file in self.include_files(pattern, &loc)? {
                            self.read_file(&file, depth + 1)?;
                        }
                    }
                    self.blocks.push(Block {
                        guard,
                        settings: Vec::new(),
                    });
                }
                _ => {
                    if let Some(block) = self.blocks.last_mut() {
                        block.settings.push(Setting { keyword, args, loc });
                    }
                }
            }
        }
        Ok(())
    }

    fn include_files(&self, pattern: &str, loc: &Loc) -> Result<Vec<PathBuf>, ConfigError> {
        let expanded = if let Some(rest) = pattern.strip_prefix("~/") {
            self.home.join(rest)
        } else if Path::new(pattern).is_absolute() {
            PathBuf::from(pattern)
        } else {
            self.home.join(".ssh").join(pattern)
        };
        let name = expanded
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !name.contains(['*', '?']) {
            // A missing file is not an error for ssh either.
            return Ok(if expanded.is_file() {
                vec![expanded]
            } else {
                Vec::new()
            });
        }
        let dir = expanded.parent().unwrap_or(Path::new("/"));
        if dir.to_string_lossy().contains(['*', '?']) {
            return Err(ConfigError(format!(
                "{loc}: Include wildcards are supported in the file name only"
            )));
        }
        let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .filter(|e| wildcard(&name, &e.file_name().to_string_lossy()))
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect(),
            Err(_) => Vec::new(),
        };
        files.sort();
        Ok(files)
    }

    /// The settings for `host` (the name as given: an alias or an address).
    pub fn lookup(&self, host: &str) -> Result<HostConfig, ConfigError> {
        let mut out = HostConfig::default();
        let mut seen: Vec<&str> = Vec::new();
        for block in &self.blocks {
            match &block.guard {
                Guard::Always => {}
                Guard::Host(patterns) => {
                    if !host_matches(patterns, host) {
                        continue;
                    }
                }
                Guard::Match(loc, criteria) => {
                    let current = out
                        .host_name
                        .as_deref()
                        .map(|h| h.replace("%h", host).replace("%%", "%"))
                        .unwrap_or_else(|| host.to_string());
                    match eval_match(criteria, host, &current) {
                        Ok(true) => {}
                        Ok(false) => continue,
                        Err(unsupported) => {
                            if let Some(s) = block.settings.iter().find(|s| {
                                HONOURED.contains(&s.keyword.as_str())
                                    || REFUSED.iter().any(|(k, _)| *k == s.keyword)
                            }) {
                                return Err(ConfigError(format!(
                                    "{loc}: shipshape evaluates Match only with all, host and \
                                     originalhost, not {unsupported}, and this block sets {} \
                                     ({}), which could change how ssh connects to {host}; write \
                                     it as a Host block, or give shipshape a config without it \
                                     (-F FILE)",
                                    s.keyword, s.loc
                                )));
                            }
                            continue;
                        }
                    }
                }
            }
            for s in &block.settings {
                if let Some((_, what)) = REFUSED.iter().find(|(k, _)| *k == s.keyword) {
                    let off = s.keyword == "canonicalizehostname"
                        && s.args.first().is_some_and(|a| a.eq_ignore_ascii_case("no"));
                    if !off && !seen.contains(&s.keyword.as_str()) {
                        return Err(ConfigError(format!(
                            "{}: {} applies to {host}, and shipshape does not support it: {what}",
                            s.loc, s.keyword
                        )));
                    }
                }
                if !HONOURED.contains(&s.keyword.as_str()) {
                    continue;
                }
                let first = !seen.contains(&s.keyword.as_str());
                if s.keyword != "identityfile" && !first {
                    continue;
                }
                seen.push(s.keyword.as_str());
                apply(&mut out, s)?;
            }
        }
        Ok(out)
    }
}

/// Whether a `Match` line applies: every criterion must hold (`!` negates
/// one). `host` is matched against the name after `HostName`, as ssh does,
/// `originalhost` against the name as given. Any other criterion (`exec`,
/// `user`, `canonical`, `final`, ...) cannot be decided here: `Err(it)`.
fn eval_match(criteria: &[String], original: &str, current: &str) -> Result<bool, String> {
    if criteria.is_empty() {
        return Err("an empty Match".into());
    }
    let mut all = true;
    let mut i = 0;
    while i < criteria.len() {
        let word = criteria[i].to_ascii_lowercase();
        let (negate, name) = match word.strip_prefix('!') {
            Some(n) => (true, n.to_string()),
            None => (false, word.clone()),
        };
        let hit = match name.as_str() {
            "all" => true,
            "host" | "originalhost" => {
                i += 1;
                let list = criteria
                    .get(i)
                    .ok_or_else(|| format!("`{name}` without patterns"))?;
                let patterns: Vec<String> = list.split(',').map(str::to_string).collect();
                let against = if name == "host" { current } else { original };
                host_matches(&patterns, against)
            }
            _ => return Err(format!("`{}`", criteria[i])),
        };
        all &= hit != negate;
        i += 1;
    }
    Ok(all)
}

fn bad(s: &Setting, why: impl fmt::Display) -> ConfigError {
    ConfigError(format!("{}: {}: {why}", s.loc, s.keyword))
}

fn apply(out: &mut HostConfig, s: &Setting) -> Result<(), ConfigError> {
    let one = || -> Result<String, ConfigError> {
        match s.args.as_slice() {
            [v] => Ok(v.clone()),
            _ => Err(bad(s, "takes exactly one value")),
        }
    };
    match s.keyword.as_str() {
        "hostname" => out.host_name = Some(one()?),
        "user" => out.user = Some(one()?),
        "port" => {
            let v = one()?;
            out.port = Some(
                v.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| bad(s, format!("{v:?} is not a port (1 to 65535)")))?,
            )
        }
        "identityfile" => {
            let v = one()?;
            if !v.eq_ignore_ascii_case("none") {
                out.identity_files.push(v);
            }
        }
        "identitiesonly" => out.identities_only = Some(yes_no(s, &one()?)?),
        "proxyjump" => {
            let v = one()?;
            out.proxy_jump = Some(if v.eq_ignore_ascii_case("none") {
                Vec::new()
            } else {
                v.split(',').map(|h| h.trim().to_string()).collect()
            });
        }
        "userknownhostsfile" => {
            // Several files may be listed; shipshape reads and records in
            // the first one.
            out.user_known_hosts_file = Some(
                s.args
                    .first()
                    .cloned()
                    .ok_or_else(|| bad(s, "needs a file"))?,
            )
        }
        "stricthostkeychecking" => {
            let v = one()?.to_ascii_lowercase();
            out.strict_host_key_checking = Some(match v.as_str() {
                "yes" | "ask" => Strict::Yes,
                "accept-new" | "no" | "off" => Strict::AcceptNew,
                _ => return Err(bad(s, format!("{v:?} is not yes, ask, accept-new or no"))),
            });
        }
        _ => {}
    }
    Ok(())
}

fn yes_no(s: &Setting, v: &str) -> Result<bool, ConfigError> {
    match v.to_ascii_lowercase().as_str() {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        _ => Err(bad(s, format!("{v:?} is not yes or no"))),
    }
}

impl HostConfig {
    /// Expand `%` tokens and a leading `~/` in a path-like value. Unknown
    /// tokens are errors (never passed on literally).
    pub fn expand(value: &str, t: &Tokens<'_>) -> Result<String, ConfigError> {
        let mut out = String::new();
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('%') => out.push('%'),
                Some('h') => out.push_str(t.host),
                Some('n') => out.push_str(t.original),
                Some('p') => out.push_str(&t.port.to_string()),
                Some('r') => out.push_str(t.remote_user),
                Some('u') => out.push_str(t.local_user),
                Some('d') => out.push_str(&t.home.to_string_lossy()),
                Some(other) => {
                    return Err(ConfigError(format!(
                        "{value:?}: the token %{other} is not supported by shipshape \
                         (supported: %% %h %n %p %r %u %d)"
                    )))
                }
                None => return Err(ConfigError(format!("{value:?}: a lone % at the end"))),
            }
        }
        if let Some(rest) = out.strip_prefix("~/") {
            out = t.home.join(rest).to_string_lossy().into_owned();
        }
        Ok(out)
    }
}

/// OpenSSH `Host` semantics: some pattern matches and no negated one does.
pub fn host_matches(patterns: &[String], host: &str) -> bool {
    let mut hit = false;
    for p in patterns {
        if let Some(neg) = p.strip_prefix('!') {
            if wildcard(&neg.to_ascii_lowercase(), &host.to_ascii_lowercase()) {
                return false;
            }
        } else if wildcard(&p.to_ascii_lowercase(), &host.to_ascii_lowercase()) {
            hit = true;
        }
    }
    hit
}

/// `Keyword args...` or `Keyword=args...`; double quotes group words.
fn split_line(line: &str) -> Result<(String, Vec<String>), String> {
    let end = line
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(line.len());
    let keyword = line[..end].to_string();
    let mut rest = line[end..].trim_start();
    if let Some(r) = rest.strip_prefix('=') {
        rest = r.trim_start();
    }
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut started = false;
    for c in rest.chars() {
        match c {
            '"' => {
                in_quotes = !in_quotes;
                started = true;
            }
            c if c.is_whitespace() && !in_quotes => {
                if started {
                    args.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            c => {
                cur.push(c);
                started = true;
            }
        }
    }
    if in_quotes {
        return Err("unbalanced double quote".into());
    }
    if started {
        args.push(cur);
    }
    Ok((keyword, args))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> SshConfig {
        SshConfig::parse(Path::new("cfg"), text, Path::new("/home/me")).unwrap()
    }

    #[test]
    fn first_value_wins_and_identity_files_accumulate() {
        let c = cfg(
            "Host web*\n  HostName 10.0.0.5\n  User admin\n  IdentityFile ~/.ssh/web\n\
                     Host *\n  User nobody\n  Port 2222\n  IdentityFile ~/.ssh/id_%h\n",
        );
        let h = c.lookup("web1").unwrap();
        assert_eq!(h.host_name.as_deref(), Some("10.0.0.5"));
        assert_eq!(h.user.as_deref(), Some("admin"));
        assert_eq!(h.port, Some(2222));
        assert_eq!(h.identity_files, vec!["~/.ssh/web", "~/.ssh/id_%h"]);
        let other = c.lookup("db").unwrap();
        assert_eq!(other.user.as_deref(), Some("nobody"));
        assert_eq!(other.host_name, None);
    }

    #[test]
    fn patterns_negation_and_equals_syntax() {
        let c = cfg("Host *.lab !secret.lab\n  User=lab\nHost \"quoted name\" other\n  Port 23\n");
        assert_eq!(c.lookup("a.lab").unwrap().user.as_deref(), Some("lab"));
        assert_eq!(c.lookup("secret.lab").unwrap().user, None);
        assert_eq!(c.lookup("quoted name").unwrap().port, Some(23));
        assert!(wildcard("h?st*", "host-1"));
        assert!(!wildcard("h?st", "hoost"));
        assert!(host_matches(&["WEB".into()], "web"));
    }

    #[test]
    fn proxy_jump_and_host_key_settings() {
        let c = cfg("Host inner\n  ProxyJump jumper@bastion,hop2:2222\n  StrictHostKeyChecking accept-new\n  UserKnownHostsFile ~/kh /etc/other\n  IdentitiesOnly yes\nHost *\n  ProxyJump none\n");
        let h = c.lookup("inner").unwrap();
        assert_eq!(
            h.proxy_jump,
            Some(vec!["jumper@bastion".to_string(), "hop2:2222".to_string()])
        );
        assert_eq!(h.strict_host_key_checking, Some(Strict::AcceptNew));
        assert_eq!(h.user_known_hosts_file.as_deref(), Some("~/kh"));
        assert_eq!(h.identities_only, Some(true));
        assert_eq!(c.lookup("x").unwrap().proxy_jump, Some(vec![]));
    }

    #[test]
    fn match_all_host_and_originalhost_are_evaluated() {
        let c = cfg("Host web\n  HostName 10.0.0.5\n\
                     Match host 10.0.0.* !originalhost db\n  User ops\n\
                     Match originalhost web,db\n  Port 2201\n\
                     Match all\n  IdentityFile ~/k\n");
        let h = c.lookup("web").unwrap();
        assert_eq!(h.user.as_deref(), Some("ops"));
        assert_eq!(h.port, Some(2201));
        assert_eq!(h.identity_files, vec!["~/k"]);
        let other = c.lookup("other").unwrap();
        assert_eq!((other.user, other.port), (None, None));
        assert_eq!(other.identity_files, vec!["~/k"]);
    }

    #[test]
    fn match_blocks_and_unsupported_keywords_are_reported() {
        let c = cfg("Match host web exec \"true\"\n  User admin\nHost *\n  Port 22\n");
        let err = c.lookup("web").unwrap_err().to_string();
        assert!(err.starts_with("cfg:1:"), "{err}");
        assert!(err.contains("Match") && err.contains("cfg:2"), "{err}");
        // A Match block that sets nothing shipshape uses does not matter.
        let c = cfg("Match all\n  ForwardAgent no\nHost *\n  Port 2200\n");
        assert_eq!(c.lookup("web").unwrap().port, Some(2200));
        let c = cfg("Host web\n  ProxyCommand nc %h %p\n");
        let err = c.lookup("web").unwrap_err().to_string();
        assert!(err.contains("cfg:2") && err.contains("ProxyJump"), "{err}");
        assert!(c.lookup("db").is_ok());
        let c = cfg("Host *\n  Port http\n");
        assert!(c.lookup("x").unwrap_err().to_string().contains("cfg:2"));
        assert!(SshConfig::parse(Path::new("c"), "Host \"x\n", Path::new("/")).is_err());
    }

    #[test]
    fn tokens() {
        let t = Tokens {
            original: "web",
            host: "10.0.0.5",
            port: 22,
            remote_user: "root",
            local_user: "me",
            home: Path::new("/home/me"),
        };
        assert_eq!(
            HostConfig::expand("~/.ssh/%n-%h-%p-%r-%u%%", &t).unwrap(),
            "/home/me/.ssh/web-10.0.0.5-22-root-me%"
        );
        assert_eq!(HostConfig::expand("%d/k", &t).unwrap(), "/home/me/k");
        let err = HostConfig::expand("~/.ssh/%C", &t).unwrap_err().to_string();
        assert!(err.contains("%C"), "{err}");
    }

    #[test]
    fn includes() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = dir.path().join(".ssh");
        std::fs::create_dir_all(ssh.join("conf.d")).unwrap();
        std::fs::write(ssh.join("conf.d/a.conf"), "Host a\n  Port 2001\n").unwrap();
        std::fs::write(ssh.join("conf.d/b.txt"), "Host a\n  Port 9\n").unwrap();
        std::fs::write(
            ssh.join("config"),
            "Include conf.d/*.conf\nHost b\n  Include missing\n  Port 2002\n",
        )
        .unwrap();
        let c = SshConfig::load(&ssh.join("config"), dir.path()).unwrap();
        assert_eq!(c.lookup("a").unwrap().port, Some(2001));
        assert_eq!(c.lookup("b").unwrap().port, Some(2002));
    }
}
