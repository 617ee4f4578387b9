//! `credential-files`: passwords stored in plain text — application configs
//! in and around web roots (`config.php`, `wp-config.php`, `.env`,
//! `database.yml`, `.my.cnf`, `.pgpass`) and maintenance credentials
//! (`.netrc`, shell histories and crontabs with `-p`/`--password`, vsftpd
//! user lists). A file fails when it is world-readable, lies inside a served
//! web root, or holds a weak password. Every value found is a [`Secret`].

use super::password::strength::{Judgements, ZXCVBN_MAX_VALUES};
use super::password::PasswordContext;
use super::{arg_str, Analyzer, Context, Verdict};
use crate::catalog::check::Params;
use crate::model::Status;
use crate::secret::Secret;
use regex::Regex;
use std::sync::OnceLock;

pub const FILES_PROBE: &str = "creds.files";

/// A credential-bearing file as the probe saw it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CredFile {
    pub kind: String,
    pub path: String,
    pub mode: u32,
    pub owner: String,
    pub webroot: Option<String>,
    /// (line number, text) of lines that may hold a credential.
    pub lines: Vec<(usize, String)>,
}

/// A credential found in a file: what it is called and its value.
#[derive(Debug, Clone)]
pub struct Found {
    pub name: String,
    pub line: usize,
    pub value: Secret,
}

/// Parse the probe: `file KIND MODE OWNER WEBROOT|- PATH` headers, then
/// `| N: text` lines.
pub fn parse_files(text: &str) -> Vec<CredFile> {
    let mut out: Vec<CredFile> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("file ") {
            let mut w = rest.splitn(5, ' ');
            let (Some(kind), Some(mode), Some(owner), Some(root), Some(path)) =
                (w.next(), w.next(), w.next(), w.next(), w.next())
            else {
                continue;
            };
            out.push(CredFile {
                kind: kind.to_string(),
                path: path.to_string(),
                mode: u32::from_str_radix(mode, 8).unwrap_or(0),
                owner: owner.to_string(),
                webroot: (root != "-").then(|| root.to_string()),
                lines: Vec::new(),
            });
        } else if let (Some(rest), Some(f)) = (line.strip_prefix("| "), out.last_mut()) {
            if let Some((n, t)) = rest.split_once(": ") {
                if let Ok(n) = n.parse() {
                    f.lines.push((n, t.to_string()));
                }
            }
        }
    }
    out
}

fn patterns() -> &'static [Regex] {
    static RE: OnceLock<Vec<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        [
            // define('DB_PASSWORD', 'x');
            r#"(?i)define\s*\(\s*['"]([A-Z0-9_]*(?:PASS|PWD|SECRET)[A-Z0-9_]*)['"]\s*,\s*['"]([^'"]+)['"]"#,
            // $db_pass = 'x';   'password' => 'x'
            r#"(?i)\$([a-z0-9_]*(?:pass|pwd|secret)[a-z0-9_]*)\s*=\s*['"]([^'"]+)['"]"#,
            r#"(?i)['"]([a-z0-9_]*(?:pass|pwd|secret)[a-z0-9_]*)['"]\s*=>\s*['"]([^'"]+)['"]"#,
            // KEY=value, key: value, key = value (.env, my.cnf, database.yml)
            r#"(?i)^\s*([a-z0-9_.-]*(?:pass|pwd|secret|token)[a-z0-9_.-]*)\s*[=:]\s*(?:"([^"]+)"|'([^']+)'|([^'"\s#;]+))"#,
            // .netrc: ... password VALUE
            r"(?i)\b(password)\s+(\S+)",
            // mysql -pVALUE, --password=VALUE, sshpass -p VALUE, curl -u user:VALUE
            r"(?:^|\s)(-p)([^\s-]\S*)",
            r"(--password)[= ](\S+)",
            r"(sshpass -p)\s*(\S+)",
            r"(?:curl|wget)\b.*?\s(-u)\s*[^:\s]+:(\S+)",
        ]
        .iter()
        .map(|p| Regex::new(p).expect("valid credential pattern"))
        .collect()
    })
}

/// Values that name a credential rather than hold one.
fn placeholder(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    v.len() < 3
        || v.starts_with('$')
        || l.starts_with("getenv")
        || l.starts_with("env(")
        || l.contains("${")
        || l.contains("changeme")
        || l == "password"
        || l == "xxxxxx"
        || l == "null"
        || l == "true"
        || l == "false"
}

/// Credentials in one file (`.pgpass` has its own format).
pub fn credentials(f: &CredFile) -> Vec<Found> {
    let mut found = Vec::new();
    for (n, text) in &f.lines {
        if f.kind == "pgpass" {
            let parts: Vec<&str> = text.splitn(5, ':').collect();
            if parts.len() == 5 && !parts[4].trim().is_empty() {
                found.push(Found {
                    name: format!("password of {}", parts[3]),
                    line: *n,
                    value: Secret::new(parts[4].trim()),
                });
            }
            continue;
        }
        for re in patterns() {
            if let Some(c) = re.captures(text) {
                // The value is the first group after the name that matched
                // (quoted and bare forms are alternatives).
                let Some(raw) = (2..c.len()).find_map(|i| c.get(i)) else {
                    continue;
                };
                let value = raw.as_str().trim_end_matches([';', ',', ')']);
                if !placeholder(value) {
                    found.push(Found {
                        name: c[1].to_string(),
                        line: *n,
                        value: Secret::new(value),
                    });
                }
                break;
            }
        }
    }
    found
}

pub struct CredentialFiles;

const MAINTENANCE_KINDS: &[&str] = &["netrc", "history", "crontab", "ftpusers"];

impl Analyzer for CredentialFiles {
    fn name(&self) -> &'static str {
        "credential-files"
    }

    fn description(&self) -> &'static str {
        "plaintext passwords in files: world-readable, inside a web root, or weak"
    }

    fn params(&self) -> &'static [&'static str] {
        &["domain", "organization"]
    }

    fn probes(&self, _with: &Params) -> Vec<String> {
        vec![FILES_PROBE.into()]
    }

    fn validate(&self, with: &Params) -> Result<(), String> {
        match arg_str(with, "scope") {
            Some("application" | "maintenance") => Ok(()),
            _ => Err("needs `with: {scope: application}` or `{scope: maintenance}`".into()),
        }
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let text = match cx.facts.text(FILES_PROBE) {
            Ok(t) => t,
            Err(u) => return Verdict::unavailable(u),
        };
        let maintenance = arg_str(cx.with, "scope") == Some("maintenance");
        let ctx = PasswordContext::from_params(cx.params, cx.today);
        let files: Vec<CredFile> = parse_files(&text)
            .into_iter()
            .filter(|f| MAINTENANCE_KINDS.contains(&f.kind.as_str()) == maintenance)
            .collect();
        let found: Vec<(&CredFile, Vec<Found>)> = files
            .iter()
            .map(|f| (f, credentials(f)))
            .filter(|(_, creds)| !creds.is_empty())
            .collect();
        let mut judged = Judgements::new(ctx);
        let mut bad = Vec::new();
        let mut ok = Vec::new();
        // Protected files with a value zxcvbn did not score (past its cap):
        // not shown to be weak, not shown to be strong either.
        let mut unjudged = Vec::new();
        for (f, creds) in &found {
            let mut why = Vec::new();
            if f.mode & 0o004 != 0 {
                why.push(format!("mode {:04o}: readable by every local user", f.mode));
            }
            if let Some(root) = &f.webroot {
                why.push(format!("inside the served web root {root}"));
            }
            let mut shown = Vec::new();
            let mut unscored = false;
            for c in creds {
                let j = judged.judge(&c.value);
                if j.weak {
                    why.push(format!("{} is weak", c.name));
                }
                unscored |= j.score.is_none();
                shown.push(format!("{} = {} (line {})", c.name, j.evidence(), c.line));
            }
            let line = format!("{}: {}", f.path, shown.join(", "));
            if why.is_empty() && unscored {
                unjudged.push(line);
            } else if why.is_empty() {
                ok.push(line);
            } else {
                why.dedup();
                bad.push(format!("{line} — {}", why.join("; ")));
            }
        }
        let what = if maintenance {
            "maintenance credentials"
        } else {
            "application credentials"
        };
        if !bad.is_empty() {
            Verdict::new(
                Status::Fail,
                format!("{what} stored in plain text: {}", bad.join(" | ")),
            )
        } else if !unjudged.is_empty() {
            Verdict::new(
                Status::Skip,
                format!(
                    "{what} in plain text, not world-readable and outside web roots, but {} of the values were not scored for strength (zxcvbn scores the first {ZXCVBN_MAX_VALUES} distinct values of a check; so many is unusual, look at these files): {}",
                    judged.unscored(),
                    unjudged.join(" | ")
                ),
            )
        } else if !ok.is_empty() {
            Verdict::new(
                Status::Pass,
                format!("{what} in plain text, but protected (not world-readable, outside web roots, strong): {}", ok.join(" | ")),
            )
        } else {
            Verdict::new(Status::Pass, format!("no {what} found in plain text"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testkit;
    use crate::facts::Facts;

    const LEGACY: &str = include_str!("../../tests/fixtures/credentials/legacy-files.txt");

    fn run(scope: &str, text: &str) -> Verdict {
        let facts = Facts::from_texts([(FILES_PROBE, text)]);
        let with = testkit::params([("scope", serde_json::json!(scope))]);
        let params = testkit::params([
            ("domain", serde_json::json!("seaways.example.jp")),
            (
                "organization",
                serde_json::json!(["seaways", "Seaways Ferry"]),
            ),
        ]);
        testkit::verdict(&CredentialFiles, &facts, &with, &params)
    }

    #[test]
    fn the_incident_config_php_fails_without_showing_the_password() {
        let v = run("application", LEGACY);
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        assert!(
            v.evidence.contains("/usr/local/apache2/htdocs/config.php"),
            "{}",
            v.evidence
        );
        assert!(v.evidence.contains("DB_PASSWORD"), "{}", v.evidence);
        assert!(
            v.evidence.contains("readable by every local user"),
            "{}",
            v.evidence
        );
        assert!(
            v.evidence.contains("inside the served web root"),
            "{}",
            v.evidence
        );
        assert!(
            !v.evidence.contains("Seaways2017db"),
            "the secret leaked: {}",
            v.evidence
        );
    }

    #[test]
    fn formats_are_recognised() {
        let text = "file env 600 www-data - /srv/app/.env\n| 3: DB_PASSWORD=\"k7#Qm2!vLp9@xZ4r\"\n| 4: API_TOKEN=${TOKEN}\n\
file pgpass 600 postgres - /var/lib/postgresql/.pgpass\n| 1: localhost:5432:shop:shop:Zq8!mW3#rT6$yP1x\n\
file mycnf 640 root - /root/.my.cnf\n| 2: password = hunter2\n\
file php 640 root /var/www /var/www/db.php\n| 9: $db_pass = getenv('DB_PASS');\n| 10: 'password' => 'Tr0ub4dor&3xYz!9q',\n";
        let files = parse_files(text);
        assert_eq!(files.len(), 4);
        let names: Vec<Vec<String>> = files
            .iter()
            .map(|f| credentials(f).into_iter().map(|c| c.name).collect())
            .collect();
        assert_eq!(
            names,
            vec![
                vec!["DB_PASSWORD".to_string()],
                vec!["password of shop".into()],
                vec!["password".into()],
                vec!["password".into()]
            ]
        );
        let v = run("application", text);
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.evidence.contains("/root/.my.cnf") && v.evidence.contains("password is weak"),
            "{}",
            v.evidence
        );
        assert!(
            v.evidence.contains("/var/www/db.php")
                && v.evidence.contains("inside the served web root /var/www"),
            "{}",
            v.evidence
        );
        assert!(
            !v.evidence.contains("/srv/app/.env"),
            "a strong, private .env is fine: {}",
            v.evidence
        );
        for secret in [
            "k7#Qm2!vLp9@xZ4r",
            "Zq8!mW3#rT6$yP1x",
            "hunter2",
            "Tr0ub4dor&3xYz!9q",
        ] {
            assert!(!v.evidence.contains(secret), "{secret} leaked");
        }
    }

    #[test]
    fn a_password_repeated_across_files_is_reported_in_each() {
        // A config, its backup and a copy elsewhere: judged once, reported
        // for every file and line it sits in.
        let text = "file php 600 www-data - /srv/app/config.php\n| 4: define('DB_PASSWORD', 'Seaways2017db');\n\
file php 600 www-data - /srv/app/config.old.php\n| 4: define('DB_PASSWORD', 'Seaways2017db');\n\
file env 600 www-data - /srv/app/.env\n| 2: DB_PASSWORD=Seaways2017db\n| 3: BACKUP_PASSWORD=k7Qm2!vLp9@xZ4rW\n";
        let v = run("application", text);
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        for path in [
            "/srv/app/config.php:",
            "/srv/app/config.old.php:",
            "/srv/app/.env:",
        ] {
            assert!(v.evidence.contains(path), "{path}: {}", v.evidence);
        }
        assert_eq!(
            v.evidence.matches("DB_PASSWORD is weak").count(),
            3,
            "{}",
            v.evidence
        );
        assert!(
            v.evidence.contains("(line 2)") && v.evidence.contains("(line 3)"),
            "{}",
            v.evidence
        );
        assert!(
            !v.evidence.contains("BACKUP_PASSWORD is weak"),
            "{}",
            v.evidence
        );
        assert!(!v.evidence.contains("Seaways2017db"), "{}", v.evidence);
    }

    #[test]
    fn maintenance_credentials_in_history_and_netrc() {
        let text = "file history 600 root - /root/.bash_history\n| 12: mysqldump -uroot -pSeaways2017 shop > /tmp/x.sql\n| 13: ls -la\n\
file netrc 644 seaways - /home/seaways/.netrc\n| 1: machine ftp.seaways.example.jp login seaways password Seaways2017\n";
        let v = run("maintenance", text);
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        assert!(
            v.evidence.contains("/root/.bash_history") && v.evidence.contains("-p"),
            "{}",
            v.evidence
        );
        assert!(!v.evidence.contains("Seaways2017"), "{}", v.evidence);
        assert_eq!(
            run("application", text).status,
            Status::Pass,
            "maintenance files are not application files"
        );
        assert!(run("maintenance", "")
            .evidence
            .contains("no maintenance credentials"));
    }

    #[test]
    fn values_past_the_zxcvbn_cap_leave_a_protected_file_unjudged() {
        // A private .env with more distinct values than zxcvbn scores per
        // check: the first are strong, the rest were not scored, so the
        // check cannot say the file is fine.
        let mut text = String::from("file env 600 www-data - /srv/app/.env\n");
        for i in 0..ZXCVBN_MAX_VALUES + 3 {
            text.push_str(&format!(
                "| {}: KEY{i}_SECRET=vT9qLm2wXe7pRk3Zn8Yb{i}\n",
                i + 1
            ));
        }
        let v = run("application", &text);
        assert_eq!(v.status, Status::Skip, "{}", v.evidence);
        assert!(
            v.evidence
                .contains("3 of the values were not scored for strength"),
            "{}",
            &v.evidence[..300]
        );
        assert!(
            !v.evidence.contains("vT9qLm2wXe7pRk3Zn8Yb"),
            "a value leaked"
        );
        // The same file readable by everyone fails as before.
        let v = run("application", &text.replacen(" 600 ", " 644 ", 1));
        assert_eq!(v.status, Status::Fail, "{}", &v.evidence[..300]);
    }
}
