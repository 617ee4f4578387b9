//! `php-ini-credentials`: passwords set in PHP's own configuration, such as
//! `mysql.default_password`, `mysqli.default_pw`, `odbc.default_pw`, or the
//! `auth=` of a Redis `session.save_path`. PHP gives these values to every
//! script it runs. `ini_get()` and `get_cfg_var()` return them and
//! `phpinfo()` prints them, so one uploaded script (as in the incident)
//! reads the database password without touching a file. PHP's manual warns
//! against keeping passwords there.
//!
//! The probe returns each PHP configuration on the host in the dump format.
//! Each one is the php.ini of one SAPI and version, then the `.ini` files
//! scanned after it. `@config MAIN` opens a configuration, and its `@file`
//! (or `@unreadable`) blocks follow in the order PHP loads them. Comment
//! lines come back empty, so line numbers stay true.
//!
//! The parser follows PHP's INI syntax: `[section]`, `key = value`, `;`
//! comments, double-quoted strings (with `\"` and `\\`), raw single-quoted
//! strings, `${NAME}` references (the value then comes from the environment
//! or another setting, not from the file), and the boolean words.

use super::ip_restriction::dump::{self, Block};
use super::password::strength::Judgements;
use super::password::PasswordContext;
use super::{Analyzer, Context, Verdict};
use crate::catalog::check::Params;
use crate::model::Status;
use crate::secret::Secret;
use std::collections::{HashMap, HashSet};

pub const PROBE: &str = "php.ini";

/// A value as PHP would read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IniValue {
    /// Written in the file.
    Text(Secret),
    /// Taken from `${NAME}` references (the environment or other settings).
    Reference(Vec<String>),
}

/// One `key = value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The section it is under (`PHP`, `MySQL`, `PATH=/var/www`), as written.
    pub section: String,
    pub key: String,
    pub value: IniValue,
    pub line: usize,
}

impl Entry {
    /// Per-directory sections (`[PATH=...]`, `[HOST=...]`) apply only to
    /// some requests; every other section is global.
    pub fn per_directory(&self) -> bool {
        let s = self.section.to_ascii_uppercase();
        s.starts_with("PATH=") || s.starts_with("HOST=")
    }
}

/// One file of a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniFile {
    pub path: String,
    pub entries: Vec<Entry>,
}

/// One PHP configuration: its main php.ini and the files scanned after it;
/// or one file of per-directory settings (Apache's `php_value` and
/// `php_admin_value`, a `.user.ini`), which apply to some scripts only.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PhpConfig {
    pub main: String,
    /// In load order: a later setting replaces an earlier one.
    pub files: Vec<IniFile>,
    pub unreadable: Vec<String>,
    /// Per-directory settings: one file, whose settings apply to the
    /// scripts of a host, directory or tree (so none replaces another).
    pub per_directory: bool,
}

/// The `php_value NAME VALUE` and `php_admin_value NAME VALUE` lines of an
/// Apache configuration or `.htaccess` file, as entries under a section
/// named for the directive. Apache quotes with `"` or `'` (a backslash
/// escapes the quote); `${NAME}` is a variable Apache defines elsewhere.
pub fn parse_directives(lines: &[String]) -> Vec<Entry> {
    let mut out = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let mut words = raw.trim_start().splitn(2, char::is_whitespace);
        let directive = words.next().unwrap_or("");
        if !directive.eq_ignore_ascii_case("php_value")
            && !directive.eq_ignore_ascii_case("php_admin_value")
        {
            continue;
        }
        let rest = words.next().unwrap_or("").trim_start();
        let (key, rest) = apache_word(rest);
        if key.is_empty() {
            continue;
        }
        let (value, _) = apache_word(rest.trim_start());
        let refs: Vec<String> = value
            .split("${")
            .skip(1)
            .filter_map(|r| r.split_once('}').map(|(name, _)| name.trim().to_string()))
            .collect();
        out.push(Entry {
            section: directive.to_string(),
            key,
            value: if refs.is_empty() {
                IniValue::Text(Secret::new(value))
            } else {
                IniValue::Reference(refs)
            },
            line: i + 1,
        });
    }
    out
}

/// One Apache argument at the start of `s` and what follows it.
fn apache_word(s: &str) -> (String, &str) {
    let mut chars = s.char_indices();
    let quote = match s.chars().next() {
        Some(q @ ('"' | '\'')) => {
            chars.next();
            Some(q)
        }
        _ => None,
    };
    let mut word = String::new();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) if c == q => return (word, &s[i + c.len_utf8()..]),
            Some(q) if c == '\\' && s[i + 1..].starts_with(q) => {
                word.push(q);
                chars.next();
            }
            None if c.is_whitespace() => return (word, &s[i..]),
            _ => word.push(c),
        }
    }
    (word, "")
}

/// Parse one INI file.
pub fn parse_ini(lines: &[String]) -> Vec<Entry> {
    let mut section = String::new();
    let mut out = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let t = raw.trim();
        if t.is_empty() || t.starts_with(';') || t.starts_with('#') {
            continue;
        }
        if let Some(rest) = t.strip_prefix('[') {
            if let Some(end) = rest.find(']') {
                section = rest[..end].trim().to_string();
            }
            continue;
        }
        let Some((key, value)) = t.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty() {
            continue;
        }
        out.push(Entry {
            section: section.clone(),
            key: key.to_string(),
            value: parse_value(value),
            line: i + 1,
        });
    }
    out
}

/// The value after `=`: quoted and unquoted parts run together, up to a
/// `;` outside quotes.
fn parse_value(v: &str) -> IniValue {
    let mut text = String::new();
    let mut refs = Vec::new();
    let mut unquoted_only = true;
    // Where the last quoted part ends: only unquoted spaces are trimmed.
    let mut quoted_end = 0;
    let mut chars = v.trim_start().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ';' => break,
            '"' => {
                unquoted_only = false;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"' | '\\')) => {
                            text.extend(chars.next());
                        }
                        '$' if chars.peek() == Some(&'{') => {
                            refs.push(reference(&mut chars));
                        }
                        c => text.push(c),
                    }
                }
                quoted_end = text.len();
            }
            '\'' => {
                unquoted_only = false;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    text.push(c);
                }
                quoted_end = text.len();
            }
            '$' if chars.peek() == Some(&'{') => {
                unquoted_only = false;
                refs.push(reference(&mut chars));
            }
            c => text.push(c),
        }
    }
    if !refs.is_empty() {
        return IniValue::Reference(refs);
    }
    if unquoted_only {
        let t = text.trim_end();
        let word = t.to_ascii_lowercase();
        return IniValue::Text(Secret::new(match word.as_str() {
            "on" | "yes" | "true" => "1",
            "off" | "no" | "false" | "none" | "null" => "",
            _ => t,
        }));
    }
    let kept = quoted_end + text[quoted_end..].trim_end().len();
    text.truncate(kept);
    IniValue::Text(Secret::new(text))
}

/// The name of a `${NAME}` reference; `chars` is at the `{`.
fn reference(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    chars.next();
    let mut name = String::new();
    for c in chars.by_ref() {
        if c == '}' {
            break;
        }
        name.push(c);
    }
    name.trim().to_string()
}

/// The configurations of the probe's output.
pub fn parse(blocks: &[Block]) -> Vec<PhpConfig> {
    let mut out: Vec<PhpConfig> = Vec::new();
    for b in blocks {
        match b.kind.as_str() {
            "config" => out.push(PhpConfig {
                main: b.arg.clone(),
                ..PhpConfig::default()
            }),
            "directives" | "user-ini" => out.push(PhpConfig {
                main: b.arg.clone(),
                files: vec![IniFile {
                    path: b.arg.clone(),
                    entries: if b.kind == "directives" {
                        parse_directives(&b.lines)
                    } else {
                        parse_ini(&b.lines)
                    },
                }],
                unreadable: Vec::new(),
                per_directory: true,
            }),
            "file" => {
                if let Some(c) = out.last_mut() {
                    c.files.push(IniFile {
                        path: b.arg.clone(),
                        entries: parse_ini(&b.lines),
                    });
                }
            }
            "unreadable" => {
                if let Some(c) = out.last_mut() {
                    c.unreadable.push(b.arg.clone());
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether a setting holds a password: its last name part names one
/// (`default_password`, `default_pw`, `passwd`, `secret`, ...).
pub fn is_password_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    let last = k.rsplit('.').next().unwrap_or(&k);
    let last = last.split('[').next().unwrap_or(last);
    last.contains("password")
        || last.contains("passwd")
        || last.contains("secret")
        || last == "pw"
        || last == "pass"
        || last.ends_with("_pw")
        || last.ends_with("_pass")
}

/// A password inside a `session.save_path` (Redis `auth=`, `password=`,
/// or `user:password@` in a URL), with what it is called.
pub fn save_path_secret(value: &str) -> Option<(&'static str, &str)> {
    for part in value.split(['?', '&', ',', ' ']) {
        for (param, name) in [("auth=", "auth="), ("password=", "password=")] {
            // get() is None when the cut would fall inside a character.
            let head = part.get(..param.len());
            if part.len() > param.len() && head.is_some_and(|h| h.eq_ignore_ascii_case(param)) {
                return Some((name, &part[param.len()..]));
            }
        }
    }
    let (_, rest) = value.split_once("://")?;
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, pw) = userinfo.split_once(':')?;
    (!pw.is_empty()).then_some(("user:password@", pw))
}

/// A password found in a configuration file.
#[derive(Debug, Clone)]
pub struct Found {
    pub path: String,
    pub line: usize,
    pub section: String,
    /// The setting, e.g. `mysql.default_password`, or
    /// `session.save_path (auth=)`.
    pub name: String,
    /// The value written in the file; `None` when it comes from `${NAME}`
    /// references (`from`).
    pub value: Option<Secret>,
    pub from: Vec<String>,
    /// Where a later line of the same configuration replaces it.
    pub replaced_at: Option<String>,
}

/// Every password set in `configs`, each file line once.
pub fn passwords(configs: &[PhpConfig]) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    // A file can belong to several configurations (a shared conf.d).
    let mut seen: HashSet<(&str, usize)> = HashSet::new();
    for c in configs {
        // The last global assignment of each key wins (in php.ini
        // configurations; per-directory files replace nothing).
        let mut last: HashMap<&str, (&str, usize)> = HashMap::new();
        if !c.per_directory {
            for f in &c.files {
                for e in f.entries.iter().filter(|e| !e.per_directory()) {
                    last.insert(&e.key, (&f.path, e.line));
                }
            }
        }
        for f in &c.files {
            for e in &f.entries {
                let save_path = e.key.eq_ignore_ascii_case("session.save_path");
                if !save_path && !is_password_key(&e.key) {
                    continue;
                }
                let (name, value, from) = match &e.value {
                    // A save path from elsewhere is not known to hold one.
                    IniValue::Reference(_) if save_path => continue,
                    IniValue::Reference(names) => (e.key.clone(), None, names.clone()),
                    IniValue::Text(v) if save_path => {
                        let Some((kind, pw)) = save_path_secret(v.expose()) else {
                            continue;
                        };
                        (
                            format!("{} ({kind})", e.key),
                            Some(Secret::new(pw)),
                            Vec::new(),
                        )
                    }
                    IniValue::Text(v) => (e.key.clone(), Some(v.clone()), Vec::new()),
                };
                if value.as_ref().is_some_and(|v| v.expose().is_empty())
                    || !seen.insert((&f.path, e.line))
                {
                    continue;
                }
                let replaced_at = match last.get(e.key.as_str()) {
                    Some(&(p, l)) if !e.per_directory() && (p, l) != (f.path.as_str(), e.line) => {
                        Some(format!("{p}:{l}"))
                    }
                    _ => None,
                };
                found.push(Found {
                    path: f.path.clone(),
                    line: e.line,
                    section: e.section.clone(),
                    name,
                    value,
                    from,
                    replaced_at,
                });
            }
        }
    }
    found
}

pub struct PhpIniCredentials;

impl Analyzer for PhpIniCredentials {
    fn name(&self) -> &'static str {
        "php-ini-credentials"
    }

    fn description(&self) -> &'static str {
        "passwords in php.ini, the .ini files PHP scans and per-directory settings (Apache php_value, .user.ini), which PHP scripts can read"
    }

    fn params(&self) -> &'static [&'static str] {
        &["domain", "organization"]
    }

    fn probes(&self, _with: &Params) -> Vec<String> {
        vec![PROBE.into()]
    }

    fn validate(&self, _with: &Params) -> Result<(), String> {
        Ok(())
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let text = match cx.facts.text(PROBE) {
            Ok(t) => t,
            Err(u) => return Verdict::unavailable(u),
        };
        let configs = parse(&dump::parse(&text));
        let found = passwords(&configs);
        let mains: Vec<&str> = configs
            .iter()
            .filter(|c| !c.per_directory)
            .map(|c| c.main.as_str())
            .collect();
        let per_directory = configs.len() - mains.len();
        if mains.is_empty() && found.is_empty() {
            return Verdict::new(
                Status::Skip,
                "no PHP configuration found (no php.ini in the usual places, and no php binary named one)",
            );
        }
        let mut unreadable: Vec<&str> = configs
            .iter()
            .flat_map(|c| c.unreadable.iter().map(String::as_str))
            .collect();
        unreadable.sort_unstable();
        unreadable.dedup();
        if !found.is_empty() {
            let mut judged = Judgements::new(PasswordContext::from_params(cx.params, cx.today));
            let stored = found.iter().filter(|f| f.value.is_some()).count();
            let shown: Vec<String> = found
                .iter()
                .map(|f| {
                    let mut s = match f.section.as_str() {
                        "" => format!("{}:{} {} = ", f.path, f.line, f.name),
                        section => format!("{}:{} [{section}] {} = ", f.path, f.line, f.name),
                    };
                    match &f.value {
                        Some(v) => {
                            let j = judged.judge(v);
                            s.push_str(&j.evidence());
                            if j.weak {
                                s.push_str(" — weak");
                            }
                        }
                        None => s.push_str(&format!(
                            "${{{}}} (set from outside the file, readable all the same)",
                            f.from.join("}${")
                        )),
                    }
                    if let Some(at) = &f.replaced_at {
                        s.push_str(&format!("; replaced by {at}, still in the file"));
                    }
                    s
                })
                .collect();
            return Verdict::new(
                Status::Fail,
                format!(
                    "PHP's configuration sets {} password(s), {stored} of them written in clear text; the PHP scripts they apply to (all of them, for php.ini) can read them (ini_get(), get_cfg_var(), phpinfo()): {}",
                    found.len(),
                    shown.join(" | ")
                ),
            );
        }
        if !unreadable.is_empty() {
            return Verdict::new(
                Status::Skip,
                format!(
                    "cannot read {} (run as root); no password in the files read ({})",
                    unreadable.join(", "),
                    mains.join(", ")
                ),
            );
        }
        Verdict::new(
            Status::Pass,
            format!(
                "no password set in PHP's configuration ({} read: {}{})",
                if mains.len() == 1 {
                    "1 configuration".to_string()
                } else {
                    format!("{} configurations", mains.len())
                },
                mains.join(", "),
                match per_directory {
                    0 => String::new(),
                    n => format!("; and {n} file(s) of per-directory settings"),
                }
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testkit;
    use crate::facts::Facts;

    const LEGACY: &str = include_str!("../../tests/fixtures/php/legacy.txt");
    const DEBIAN: &str = include_str!("../../tests/fixtures/php/debian.txt");

    fn run(text: &str) -> Verdict {
        let facts = Facts::from_texts([(PROBE, text)]);
        let params = testkit::params([
            ("domain", serde_json::json!("seaways.example.jp")),
            ("organization", serde_json::json!(["Seaways Ferry"])),
        ]);
        testkit::verdict(&PhpIniCredentials, &facts, &Params::new(), &params)
    }

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    fn text(v: &IniValue) -> &str {
        match v {
            IniValue::Text(s) => s.expose(),
            IniValue::Reference(r) => panic!("a reference: {r:?}"),
        }
    }

    #[test]
    fn values_are_read_as_php_reads_them() {
        let e = parse_ini(&lines(
            "[PHP]\n\
             a = On\n\
             b = \"quoted ; not a comment \"  ; a comment\n\
             c = 'raw \\\"x'\n\
             d = \"esc \\\" q \\\\ z\"\n\
             e = plain value   ; trailing comment\n\
             f = ${DB_PW}\n\
             g = \"pre${ X }post\"\n\
             h = none\n\
             ; a comment = no\n\
             # another = no\n\
             no equals sign here\n\
             \x20= no key\n\
             [PATH=/var/www/admin]\n\
             mysqli.default_pw = s3cret\n",
        ));
        let got: Vec<(&str, &str, usize)> = e
            .iter()
            .map(|e| (e.section.as_str(), e.key.as_str(), e.line))
            .collect();
        assert_eq!(
            got,
            [
                ("PHP", "a", 2),
                ("PHP", "b", 3),
                ("PHP", "c", 4),
                ("PHP", "d", 5),
                ("PHP", "e", 6),
                ("PHP", "f", 7),
                ("PHP", "g", 8),
                ("PHP", "h", 9),
                ("PATH=/var/www/admin", "mysqli.default_pw", 15)
            ]
        );
        assert_eq!(text(&e[0].value), "1");
        assert_eq!(text(&e[1].value), "quoted ; not a comment ");
        assert_eq!(text(&e[2].value), "raw \\\"x");
        assert_eq!(text(&e[3].value), "esc \" q \\ z");
        assert_eq!(text(&e[4].value), "plain value");
        assert_eq!(e[5].value, IniValue::Reference(vec!["DB_PW".into()]));
        assert_eq!(e[6].value, IniValue::Reference(vec!["X".into()]));
        assert_eq!(text(&e[7].value), "");
        assert!(e[8].per_directory() && !e[0].per_directory());
    }

    #[test]
    fn password_settings_are_recognised_by_name() {
        for k in [
            "mysql.default_password",
            "mysqli.default_pw",
            "odbc.default_pw",
            "ibase.default_password",
            "myext.api_secret",
            "smtp.pass",
            "sql.passwd[main]",
        ] {
            assert!(is_password_key(k), "{k}");
        }
        for k in [
            "mysqli.default_user",
            "session.cookie_secure",
            "opcache.validate_permission",
            "zend.assertions",
            "session.save_path",
            "passthru_enabled.mode",
        ] {
            assert!(!is_password_key(k), "{k}");
        }
    }

    #[test]
    fn the_incident_php_ini_fails_without_showing_the_password() {
        let v = run(LEGACY);
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        assert!(
            v.evidence.contains(
                "/usr/local/php/lib/php.ini:33 [MySQL] mysql.default_password = S***********b (13 chars"
            ),
            "{}",
            v.evidence
        );
        assert!(
            v.evidence.contains("derived from \"seaways\""),
            "{}",
            v.evidence
        );
        assert!(v.evidence.contains(") — weak"), "{}", v.evidence);
        assert!(v.evidence.contains("1 of them written in clear text"));
        assert!(!v.evidence.contains("Seaways2017db"), "{}", v.evidence);
        assert!(!v.evidence.contains("default_user"), "{}", v.evidence);
    }

    #[test]
    fn debian_defaults_pass_and_name_each_configuration() {
        let configs = parse(&dump::parse(DEBIAN));
        assert_eq!(configs.len(), 2);
        assert_eq!(configs[0].files.len(), 3);
        let v = run(DEBIAN);
        assert_eq!(v.status, Status::Pass, "{}", v.evidence);
        assert!(
            v.evidence.contains(
                "2 configurations read: /etc/php/8.2/apache2/php.ini, /etc/php/8.2/cli/php.ini"
            ),
            "{}",
            v.evidence
        );
    }

    #[test]
    fn a_password_replaced_later_is_still_reported_where_it_is_written() {
        let text = "@config /etc/php/8.2/fpm/php.ini\n@file /etc/php/8.2/fpm/php.ini\n\
|[MySQLi]\n|mysqli.default_pw = \"k7#Qm2!vLp9@xZ4r\"\n\
|[PATH=/var/www/admin]\n|mysqli.default_pw = Adm1n-only-pw\n\
@file /etc/php/8.2/fpm/conf.d/99-local.ini\n|mysqli.default_pw =\n";
        let v = run(text);
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        assert!(
            v.evidence.contains("2 password(s), 2 of them"),
            "{}",
            v.evidence
        );
        assert!(
            v.evidence.contains(
                "/etc/php/8.2/fpm/php.ini:2 [MySQLi] mysqli.default_pw = k**************r (16 chars, zxcvbn 4/4); replaced by /etc/php/8.2/fpm/conf.d/99-local.ini:1, still in the file"
            ),
            "{}",
            v.evidence
        );
        // A per-directory value is not replaced by the global one.
        assert!(
            v.evidence
                .contains("php.ini:4 [PATH=/var/www/admin] mysqli.default_pw = A"),
            "{}",
            v.evidence
        );
        assert!(!v.evidence.contains("php.ini:4 [PATH=/var/www/admin] mysqli.default_pw = A***********w (13 chars, zxcvbn 4/4); replaced"));
        for secret in ["k7#Qm2!vLp9@xZ4r", "Adm1n-only-pw"] {
            assert!(!v.evidence.contains(secret), "{secret} leaked");
        }
    }

    #[test]
    fn session_save_path_credentials_and_references() {
        assert_eq!(
            save_path_secret("tcp://127.0.0.1:6379?weight=1&auth=Rk9vQmFy"),
            Some(("auth=", "Rk9vQmFy"))
        );
        assert_eq!(
            save_path_secret("redis://app:Zq8!mW3@10.0.0.5:6379/0"),
            Some(("user:password@", "Zq8!mW3"))
        );
        assert_eq!(
            save_path_secret("tcp://10.0.0.5:6379?AUTH=x1"),
            Some(("auth=", "x1"))
        );
        for none in [
            "/var/lib/php/sessions",
            "5;/tmp",
            "tcp://h:6379?auth=",
            // Multi-byte characters where "auth=" would end (a fuzz find).
            "tcp://h?ȁȂȃ=x",
            "ééééé",
            "redis://h@x",
        ] {
            assert_eq!(save_path_secret(none), None, "{none}");
        }
        let text = "@config /etc/php.ini\n@file /etc/php.ini\n\
|[Session]\n|session.save_path = \"tcp://127.0.0.1:6379?auth=Rk9vQmFyQmF6MTIz\"\n\
|[MySQLi]\n|mysqli.default_pw = ${DB_PASSWORD}\n\
@config /etc/php/8.2/cli/php.ini\n@file /etc/php.ini\n|[Session]\n|session.save_path = \"tcp://127.0.0.1:6379?auth=Rk9vQmFyQmF6MTIz\"\n\
@file /etc/php/8.2/cli/conf.d/20-redis.ini\n|session.save_path = ${REDIS_URL}\n";
        let v = run(text);
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        assert!(
            v.evidence.contains("2 password(s), 1 of them"),
            "{}",
            v.evidence
        );
        assert!(v
            .evidence
            .contains("/etc/php.ini:2 [Session] session.save_path (auth=) = R"));
        // The file shared by the second configuration is reported once, and
        // a save path taken from elsewhere is not taken for a password.
        assert_eq!(
            v.evidence.matches("/etc/php.ini:2 ").count(),
            1,
            "{}",
            v.evidence
        );
        assert!(!v.evidence.contains("REDIS_URL"), "{}", v.evidence);
        assert!(
            v.evidence
                .contains("mysqli.default_pw = ${DB_PASSWORD} (set from outside the file"),
            "{}",
            v.evidence
        );
        assert!(!v.evidence.contains("Rk9vQmFyQmF6MTIz"), "{}", v.evidence);
    }

    #[test]
    fn unreadable_or_missing_configuration_is_a_skip() {
        let v = run("@config /etc/php.ini\n@unreadable /etc/php.ini\n");
        assert_eq!(v.status, Status::Skip, "{}", v.evidence);
        assert!(
            v.evidence.contains("cannot read /etc/php.ini"),
            "{}",
            v.evidence
        );
        let none = run("");
        assert_eq!(none.status, Status::Skip);
        assert!(none.evidence.contains("no PHP configuration found"));
        // Files before any @config, and stray lines, are ignored.
        assert!(parse(&dump::parse("@file /x.ini\n|a = b\nnoise\n")).is_empty());
    }

    #[test]
    fn apache_directives_are_read_as_apache_quotes_them() {
        let e = parse_directives(&lines(
            "<VirtualHost *:80>\n\
             \x20 php_admin_value mysql.default_password \"Sea ways\\\"2017\"\n\
             \tPHP_Value mysqli.default_pw 'k7#Qm2!vLp9@xZ4r' trailing\n\
             \x20 php_admin_flag engine on\n\
             \x20 php_value session.save_path tcp://10.0.0.9:6379?auth=Redis-pw-55\n\
             \x20 php_value odbc.default_pw ${ODBC_PW}\n\
             \x20 php_value\n\
             </VirtualHost>",
        ));
        let got: Vec<(usize, &str, &str, String)> = e
            .iter()
            .map(|e| {
                let v = match &e.value {
                    IniValue::Text(t) => t.expose().to_string(),
                    IniValue::Reference(r) => format!("${{{}}}", r.join(",")),
                };
                (e.line, e.section.as_str(), e.key.as_str(), v)
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    2,
                    "php_admin_value",
                    "mysql.default_password",
                    "Sea ways\"2017".to_string()
                ),
                (
                    3,
                    "PHP_Value",
                    "mysqli.default_pw",
                    "k7#Qm2!vLp9@xZ4r".to_string()
                ),
                (
                    5,
                    "php_value",
                    "session.save_path",
                    "tcp://10.0.0.9:6379?auth=Redis-pw-55".to_string()
                ),
                (6, "php_value", "odbc.default_pw", "${ODBC_PW}".to_string()),
            ]
        );
    }

    #[test]
    fn per_directory_settings_fail_where_they_are_written() {
        // Two virtual hosts in one file, each with its own password, and a
        // .user.ini: each is reported at its line, none "replaced".
        let text = "@config /etc/php/8.2/apache2/php.ini\n@file /etc/php/8.2/apache2/php.ini\n|[PHP]\n|engine = On\n\
@directives /etc/apache2/sites-enabled/shop.conf\n|\n|php_admin_value mysql.default_password Seaways2017db\n|\n|\n|php_admin_value mysql.default_password k7#Qm2!vLp9@xZ4rWq\n\
@user-ini /var/www/app/.user.ini\n|\n|mysqli.default_pw = \"Seaways2017db\"\n";
        let v = run(text);
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        for at in [
            "/etc/apache2/sites-enabled/shop.conf:2 [php_admin_value] mysql.default_password = S***********b",
            "/etc/apache2/sites-enabled/shop.conf:5 [php_admin_value] mysql.default_password = k****************q",
            "/var/www/app/.user.ini:2 mysqli.default_pw = S***********b",
        ] {
            assert!(v.evidence.contains(at), "{at}: {}", v.evidence);
        }
        assert!(!v.evidence.contains("replaced by"), "{}", v.evidence);
        assert!(v.evidence.contains("sets 3 password(s)"), "{}", v.evidence);
        assert!(!v.evidence.contains("Seaways2017db"), "{}", v.evidence);
        // Without passwords, the per-directory files are counted apart.
        let clean = "@config /etc/php/8.2/apache2/php.ini\n@file /etc/php/8.2/apache2/php.ini\n|engine = On\n\
@directives /var/www/html/.htaccess\n|php_value upload_max_filesize 64M\n";
        let v = run(clean);
        assert_eq!(v.status, Status::Pass, "{}", v.evidence);
        assert!(
            v.evidence.contains("1 configuration read: /etc/php/8.2/apache2/php.ini; and 1 file(s) of per-directory settings"),
            "{}",
            v.evidence
        );
        // A password in a .htaccess is found even where no php.ini is.
        let v = run(
            "@directives /srv/www/.htaccess\n|php_value mysql.default_password Seaways2017db\n",
        );
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
    }
}
