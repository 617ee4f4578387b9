//! `db-plaintext-passwords` (opt-in, `--inspect-databases`): with the
//! database credentials found in and beside the web roots (/var/www, /srv,
//! /opt), the probe connects through
//! the target's own MySQL/MariaDB client (read-only session, password in
//! `MYSQL_PWD` only) and lists the values (at most 20) of password-like
//! columns. This analyzer decides which values are not hashes; evidence
//! shows them masked. Without the flag the probe is not even in the script.

use super::{Analyzer, Context, Verdict};
use crate::catalog::check::Params;
use crate::model::Status;
use std::collections::BTreeMap;

pub const PROBE: &str = "creds.database_passwords";
pub const CHECK: &str = "plaintext-db-passwords";
/// Profile parameter: `forbidden` refuses `--inspect-databases`.
pub const POLICY_PARAM: &str = "inspect_databases";
/// What the probe's facts say when the flag was not given.
pub const NOT_REQUESTED: &str = "# shipshape: database inspection not requested";

/// Whether the profile forbids database inspection.
pub fn forbidden(params: &Params) -> Result<bool, String> {
    match params.get(POLICY_PARAM) {
        None | Some(serde_json::Value::Null) => Ok(false),
        Some(serde_json::Value::String(s)) if s == "forbidden" => Ok(true),
        Some(serde_json::Value::String(s)) if s == "allowed" => Ok(false),
        Some(other) => Err(format!(
            "parameter {POLICY_PARAM} must be `forbidden` or `allowed`, not {other}"
        )),
    }
}

/// A value that looks like the output of a password hash (or a digest).
pub fn is_hash(v: &str) -> bool {
    let hex = |n: usize| v.len() == n && v.bytes().all(|b| b.is_ascii_hexdigit());
    let crypt_prefixes = [
        "$2a$",
        "$2b$",
        "$2y$",
        "$2x$",
        "$1$",
        "$5$",
        "$6$",
        "$y$",
        "$7$",
        "$gy$",
        "$argon2i$",
        "$argon2d$",
        "$argon2id$",
        "$P$",
        "$H$",
        "$scrypt$",
        "$pbkdf2",
    ];
    (crypt_prefixes.iter().any(|p| v.starts_with(p)) && v.len() >= 20)
        || hex(32)
        || hex(40)
        || hex(64)
        || hex(128)
        || (v.len() == 41 && v.starts_with('*') && v[1..].bytes().all(|b| b.is_ascii_hexdigit()))
        || [
            "pbkdf2_sha256$",
            "pbkdf2_sha1$",
            "bcrypt$",
            "argon2$",
            "sha1$",
            "md5$",
        ]
        .iter()
        .any(|p| v.starts_with(p) && v.len() >= 30)
        || [
            "{SSHA}",
            "{SHA}",
            "{SSHA256}",
            "{SSHA512}",
            "{CRYPT}",
            "{BLF-CRYPT}",
            "{ARGON2ID}",
        ]
        .iter()
        .any(|p| v.starts_with(p) && v.len() > p.len() + 10)
}

/// `f*******6 (9 chars)`: never more than the first and last character.
pub fn mask(v: &str) -> String {
    let chars: Vec<char> = v.chars().collect();
    match chars.len() {
        0 => "(empty)".into(),
        1..=3 => format!("{} ({} chars)", "*".repeat(chars.len()), chars.len()),
        n => format!(
            "{}{}{} ({n} chars)",
            chars[0],
            "*".repeat(n - 2),
            chars[n - 1]
        ),
    }
}

/// What the probe found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Inspection {
    /// (credential file, user@host/db)
    pub connections: Vec<(String, String)>,
    pub errors: Vec<String>,
    /// column → values
    pub columns: BTreeMap<String, Vec<String>>,
    pub no_client: bool,
}

pub fn parse(text: &str) -> Inspection {
    let mut i = Inspection::default();
    for line in text.lines() {
        if line == "noclient" {
            i.no_client = true;
        } else if let Some(rest) = line.strip_prefix("conn ") {
            let (f, who) = rest.rsplit_once(' ').unwrap_or((rest, ""));
            i.connections.push((f.to_string(), who.to_string()));
        } else if let Some(rest) = line.strip_prefix("error ") {
            i.errors.push(rest.to_string());
        } else if let Some(col) = line.strip_prefix("column ") {
            i.columns.entry(col.to_string()).or_default();
        } else if let Some(rest) = line.strip_prefix("value ") {
            if let Some((col, v)) = rest.split_once(' ') {
                i.columns
                    .entry(col.to_string())
                    .or_default()
                    .push(v.to_string());
            }
        }
    }
    i
}

pub struct DbPlaintextPasswords;

impl Analyzer for DbPlaintextPasswords {
    fn name(&self) -> &'static str {
        "db-plaintext-passwords"
    }

    fn description(&self) -> &'static str {
        "password-like database columns whose values are not hashes (needs --inspect-databases)"
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
        if text.starts_with(NOT_REQUESTED) {
            return Verdict::new(
                Status::Skip,
                "database inspection is off: run with --inspect-databases (a profile with inspect_databases: forbidden, such as compliance, refuses it)",
            );
        }
        let i = parse(&text);
        if i.connections.is_empty() {
            return Verdict::new(
                Status::Skip,
                "no database credentials found in PHP configs or .env files (web roots, /var/www, /srv, /opt)",
            );
        }
        let via: Vec<String> = i
            .connections
            .iter()
            .map(|(f, w)| format!("{w} (credentials from {f})"))
            .collect();
        if i.no_client {
            return Verdict::new(
                Status::Skip,
                format!(
                    "credentials found ({}), but the host has no mysql/mariadb client to inspect with",
                    via.join(", ")
                ),
            );
        }
        if i.columns.is_empty() {
            return Verdict::new(
                if i.errors.is_empty() {
                    Status::Pass
                } else {
                    Status::Skip
                },
                if i.errors.is_empty() {
                    format!(
                        "no password-like column in the databases reached as {}",
                        via.join(", ")
                    )
                } else {
                    format!(
                        "could not inspect {}: {}",
                        via.join(", "),
                        i.errors.join("; ")
                    )
                },
            );
        }
        let mut plain = Vec::new();
        let mut hashed = Vec::new();
        for (col, values) in &i.columns {
            let clear: Vec<&String> = values.iter().filter(|v| !is_hash(v)).collect();
            if clear.is_empty() {
                hashed.push(format!("{col} ({} values, all hashed)", values.len()));
            } else {
                let shown: Vec<String> = clear.iter().take(3).map(|v| mask(v)).collect();
                plain.push(format!(
                    "{col}: {} of {} values are not hashes ({}{})",
                    clear.len(),
                    values.len(),
                    shown.join(", "),
                    if clear.len() > 3 { ", ..." } else { "" }
                ));
            }
        }
        let read = format!("read-only as {}", via.join(", "));
        if plain.is_empty() {
            Verdict::new(
                Status::Pass,
                format!(
                    "password columns hold hashes: {} [{read}]",
                    hashed.join("; ")
                ),
            )
        } else {
            let mut e = format!("passwords stored unhashed: {}", plain.join("; "));
            if !hashed.is_empty() {
                e.push_str(&format!("; hashed: {}", hashed.join("; ")));
            }
            Verdict::new(Status::Fail, format!("{e} [{read}]"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testkit;
    use crate::facts::Facts;

    fn run(text: &str) -> Verdict {
        let facts = Facts::from_texts([(PROBE, text)]);
        testkit::verdict(
            &DbPlaintextPasswords,
            &facts,
            &Params::new(),
            &Params::new(),
        )
    }

    const LEGACY: &str = include_str!("../../tests/fixtures/credentials/legacy-db-inspection.txt");

    #[test]
    fn legacy_members_fail_masked_staff_hashes_pass() {
        let v = run(LEGACY);
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        let e = &v.evidence;
        assert!(e.contains("booking.members.password: 3 of 3 values are not hashes (f*******6 (9 chars), U*********7 (11 chars), s******5 (8 chars))"), "{e}");
        assert!(
            e.contains("hashed: booking.staff.pass_hash (2 values, all hashed)"),
            "{e}"
        );
        assert!(e.contains("booking@db.seaways.example.jp/booking (credentials from /usr/local/apache2/htdocs/config.php)"), "{e}");
        for secret in ["ferry2016", "Umi-no-hi77", "sato1985", "$2y$10$"] {
            assert!(!e.contains(secret), "{secret} in {e}");
        }
    }

    #[test]
    fn only_hashes_pass_and_nothing_found_skips() {
        let only_staff: String = LEGACY
            .lines()
            .filter(|l| !l.contains("members"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(run(&only_staff).status, Status::Pass);
        assert_eq!(run("noclient\n").status, Status::Skip);
        assert_eq!(run("").status, Status::Skip);
        let v = run(&format!("{NOT_REQUESTED}\n"));
        assert_eq!(v.status, Status::Skip);
        assert!(v.evidence.contains("--inspect-databases"));
        let v = run("conn /var/www/html/wp-config.php wp@localhost/wp\nerror ERROR 1045 (28000): Access denied for user 'wp'@'localhost' (using password: YES)\n");
        assert_eq!(v.status, Status::Skip, "{}", v.evidence);
        assert!(v.evidence.contains("Access denied"), "{}", v.evidence);
    }

    #[test]
    fn hash_formats() {
        for h in [
            "$2y$10$2GXZqKc6JCmQ3B8xVQK3Ye5cX3iIzBvM0yWdXrQm4kq5n8TqQyB5S",
            "$P$BhZ3Jx0z1cQ6a5mB7d8e9f0g1h2i3j4",
            "$argon2id$v=19$m=65536,t=4,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
            "5f4dcc3b5aa765d61d8327deb882cf99",
            "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19",
            "pbkdf2_sha256$600000$abc$0123456789abcdef0123",
        ] {
            assert!(is_hash(h), "{h}");
        }
        for p in ["ferry2016", "$2y$", "password", "5f4dcc3b5aa765d6"] {
            assert!(!is_hash(p), "{p}");
        }
        assert_eq!(mask("ferry2016"), "f*******6 (9 chars)");
        assert_eq!(mask("abc"), "*** (3 chars)");
        assert_eq!(mask("ü€xyz"), "ü***z (5 chars)");
    }

    #[test]
    fn policy_parameter() {
        let mut p = Params::new();
        assert_eq!(forbidden(&p), Ok(false));
        p.insert(POLICY_PARAM.into(), serde_json::json!("forbidden"));
        assert_eq!(forbidden(&p), Ok(true));
        p.insert(POLICY_PARAM.into(), serde_json::json!("yes"));
        assert!(forbidden(&p).is_err());
    }
}
