//! Signs of an existing compromise that need more than a pattern: crontabs
//! and logins of service accounts (decided by UID, not by a name list), and
//! uploads in the FTP transfer log.

use super::password::shadow::{parse_passwd, PasswdEntry};
use super::vsftpd::PASSWD_PROBE;
use super::{arg_str, validate_aspect, Analyzer, Context, Verdict};
use crate::catalog::check::Params;
use crate::model::Status;
use std::collections::BTreeSet;

pub const CRONTABS_PROBE: &str = "ioc.crontabs";
pub const ACCOUNT_KEYS_PROBE: &str = "ioc.account_keys";
pub const XFERLOG_PROBE: &str = "ioc.xferlog";

/// System accounts: UID below 1000 (Debian, RHEL 7+; RHEL 5/6 use 500, which
/// is still below) except root, plus `nobody` (65534) and `nfsnobody`.
fn is_service(a: &PasswdEntry) -> bool {
    (a.uid != 0 && a.uid < 1000) || a.uid == 65534 || a.uid == 65535 || a.user == "nobody"
}

fn login_shell(shell: &str) -> bool {
    !(shell.is_empty()
        || shell.ends_with("/nologin")
        || shell.ends_with("/false")
        || shell.ends_with("/sync")
        || shell.ends_with("/halt")
        || shell.ends_with("/shutdown"))
}

pub struct ServiceAccounts;

const ASPECTS: &[&str] = &["crontab", "login"];

impl Analyzer for ServiceAccounts {
    fn name(&self) -> &'static str {
        "service-accounts"
    }

    fn description(&self) -> &'static str {
        "service accounts (UID < 1000, nobody) with crontab entries, a login shell or SSH keys"
    }

    fn probes(&self, with: &Params) -> Vec<String> {
        let extra = if arg_str(with, "aspect") == Some("crontab") {
            CRONTABS_PROBE
        } else {
            ACCOUNT_KEYS_PROBE
        };
        vec![PASSWD_PROBE.into(), extra.into()]
    }

    fn validate(&self, with: &Params) -> Result<(), String> {
        validate_aspect(with, ASPECTS)
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let accounts = match cx.facts.text(PASSWD_PROBE) {
            Ok(t) => parse_passwd(&t),
            Err(u) => return Verdict::unavailable(u),
        };
        let service = |name: &str| {
            accounts
                .iter()
                .find(|a| a.user == name)
                .is_some_and(is_service)
        };
        if arg_str(cx.with, "aspect") == Some("crontab") {
            let text = match cx.facts.text(CRONTABS_PROBE) {
                Ok(t) => t,
                Err(u) => return Verdict::unavailable(u),
            };
            // Lines: "crontab USER FILE: ENTRY"
            let mut hits = Vec::new();
            let mut users = BTreeSet::new();
            for line in text.lines() {
                let Some(rest) = line.strip_prefix("crontab ") else {
                    continue;
                };
                let Some((user, entry)) = rest.split_once(' ') else {
                    continue;
                };
                users.insert(user.to_string());
                if service(user) {
                    hits.push(format!("{user}: {}", entry.trim()));
                }
            }
            if hits.is_empty() {
                let who = if users.is_empty() {
                    "none".to_string()
                } else {
                    users.into_iter().collect::<Vec<_>>().join(", ")
                };
                Verdict::new(
                    Status::Pass,
                    format!("no service account has crontab entries (crontabs of: {who})"),
                )
            } else {
                Verdict::new(
                    Status::Fail,
                    format!(
                        "service accounts run scheduled commands: {}",
                        hits.join(" | ")
                    ),
                )
            }
        } else {
            let keys = match cx.facts.text(ACCOUNT_KEYS_PROBE) {
                Ok(t) => t,
                Err(u) => return Verdict::unavailable(u),
            };
            let mut hits = Vec::new();
            for a in accounts.iter().filter(|a| is_service(a)) {
                if login_shell(&a.shell) {
                    hits.push(format!(
                        "{} (uid {}) has login shell {}",
                        a.user, a.uid, a.shell
                    ));
                }
            }
            // Lines: "keys USER PATH COUNT"
            for line in keys.lines() {
                let w: Vec<&str> = line.split_whitespace().collect();
                if let ["keys", user, path, count] = w[..] {
                    if service(user) {
                        hits.push(format!("{user} has {count} SSH key(s) in {path}"));
                    }
                }
            }
            if hits.is_empty() {
                Verdict::new(
                    Status::Pass,
                    "no service account has a login shell or authorized SSH keys",
                )
            } else {
                Verdict::new(Status::Fail, hits.join("; "))
            }
        }
    }
}

/// One xferlog line (wu-ftpd format, as vsftpd writes it with
/// `xferlog_std_format=YES`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub when: String,
    pub remote: String,
    pub file: String,
    pub incoming: bool,
    pub user: String,
}

/// Parse xferlog lines: `DDD MMM dd hh:mm:ss YYYY secs remote bytes file
/// type action direction mode user service auth authuser status`.
pub fn parse_xferlog(text: &str) -> Vec<Transfer> {
    text.lines()
        .filter_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            if w.len() < 18 {
                return None;
            }
            // The file name may contain spaces: count fields from both ends.
            let n = w.len();
            let file = w[8..n - 9].join(" ");
            Some(Transfer {
                when: w[..5].join(" "),
                remote: w[6].to_string(),
                file,
                incoming: w[n - 7] == "i",
                user: w[n - 5].to_string(),
            })
        })
        .collect()
}

/// What vsftpd's own log (`vsftpd.log`, not the xferlog format) records:
/// logins per (user, client address), uploads, and failed logins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VsftpdLog {
    pub logins: Vec<(String, String)>,
    pub uploads: Vec<Transfer>,
    pub failed_logins: usize,
}

/// Parse lines like `DDD MMM dd hh:mm:ss YYYY [pid N] [user] OK LOGIN:
/// Client "ADDR"` and `... OK UPLOAD: Client "ADDR", "/path", 137 bytes, ...`.
pub fn parse_vsftpd_log(text: &str) -> VsftpdLog {
    let mut log = VsftpdLog::default();
    for l in text.lines() {
        let Some(at) = l.find("] [") else { continue };
        let when = l
            .split(" [pid")
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let rest = &l[at + 3..];
        let Some((user, event)) = rest.split_once("] ") else {
            continue;
        };
        let quoted: Vec<&str> = event.split('"').skip(1).step_by(2).collect();
        let client = quoted.first().copied().unwrap_or_default().to_string();
        if event.starts_with("OK LOGIN:") {
            log.logins.push((user.to_string(), client));
        } else if event.starts_with("FAIL LOGIN:") {
            log.failed_logins += 1;
        } else if event.starts_with("OK UPLOAD:") {
            log.uploads.push(Transfer {
                when,
                remote: client,
                file: quoted.get(1).copied().unwrap_or_default().to_string(),
                incoming: true,
                user: user.to_string(),
            });
        }
    }
    log
}

const RISKY_EXT: &[&str] = &[
    ".php",
    ".php3",
    ".php4",
    ".php5",
    ".phtml",
    ".phar",
    ".sh",
    ".pl",
    ".py",
    ".cgi",
    ".jsp",
    ".asp",
    ".aspx",
    ".exe",
    ".elf",
    ".so",
    ".htaccess",
];

pub struct FtpTransfers;

impl Analyzer for FtpTransfers {
    fn name(&self) -> &'static str {
        "ftp-transfer-log"
    }

    fn description(&self) -> &'static str {
        "FTP uploads of scripts or executables, and logins from many source addresses, in xferlog"
    }

    fn probes(&self, _with: &Params) -> Vec<String> {
        vec![XFERLOG_PROBE.into()]
    }

    fn validate(&self, with: &Params) -> Result<(), String> {
        match with.get("max_sources") {
            None => Ok(()),
            Some(v) if v.as_u64().is_some_and(|n| n >= 1) => Ok(()),
            Some(v) => Err(format!("max_sources must be a whole number ≥ 1, got {v}")),
        }
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let text = match cx.facts.text(XFERLOG_PROBE) {
            Ok(t) => t,
            Err(u) => return Verdict::unavailable(u),
        };
        if text.trim().is_empty() {
            return Verdict::new(Status::Skip, "no FTP transfer log on this host");
        }
        let max_sources = cx
            .with
            .get("max_sources")
            .and_then(|v| v.as_u64())
            .unwrap_or(3) as usize;
        let own = parse_vsftpd_log(&text);
        let mut transfers = parse_xferlog(&text);
        transfers.extend(own.uploads.iter().cloned());
        let risky: Vec<&Transfer> = transfers
            .iter()
            .filter(|t| {
                t.incoming
                    && RISKY_EXT
                        .iter()
                        .any(|e| t.file.to_ascii_lowercase().ends_with(e))
            })
            .collect();
        let sources: BTreeSet<&str> = transfers
            .iter()
            .filter(|t| t.incoming)
            .map(|t| t.remote.as_str())
            .collect();
        let mut problems = Vec::new();
        if !risky.is_empty() {
            let files: BTreeSet<&str> = risky.iter().map(|t| t.file.as_str()).collect();
            let users: BTreeSet<&str> = risky.iter().map(|t| t.user.as_str()).collect();
            let shown: Vec<&str> = files.iter().copied().take(6).collect();
            problems.push(format!(
                "{} uploads of scripts or executables by {} from {} ({}{}); first {}, last {}",
                risky.len(),
                users.into_iter().collect::<Vec<_>>().join(", "),
                risky
                    .iter()
                    .map(|t| t.remote.as_str())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join(", "),
                shown.join(", "),
                if files.len() > shown.len() {
                    format!(", +{} more", files.len() - shown.len())
                } else {
                    String::new()
                },
                risky.first().map(|t| t.when.as_str()).unwrap_or(""),
                risky.last().map(|t| t.when.as_str()).unwrap_or(""),
            ));
        }
        if sources.len() > max_sources {
            problems.push(format!(
                "uploads came from {} different addresses (more than {max_sources})",
                sources.len()
            ));
        }
        let mut by_user: std::collections::BTreeMap<&str, BTreeSet<&str>> = Default::default();
        for (user, client) in &own.logins {
            by_user.entry(user).or_default().insert(client);
        }
        for (user, clients) in by_user.iter().filter(|(_, c)| c.len() > max_sources) {
            problems.push(format!(
                "account {user} logged in from {} different addresses (more than {max_sources}): {}",
                clients.len(),
                clients.iter().copied().take(8).collect::<Vec<_>>().join(", ")
            ));
        }
        if problems.is_empty() {
            Verdict::new(
                Status::Pass,
                format!(
                    "{} transfers and {} logins logged ({} failed logins); no uploads of scripts or executables, no account used from more than {max_sources} addresses",
                    transfers.len(),
                    own.logins.len(),
                    own.failed_logins
                ),
            )
        } else {
            Verdict::new(Status::Fail, problems.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testkit;
    use crate::facts::Facts;

    const PASSWD: &str = include_str!("../../tests/fixtures/ftp/legacy-passwd.txt");

    fn run(
        a: &dyn Analyzer,
        with: &[(&str, serde_json::Value)],
        facts: &[(&str, &str)],
    ) -> Verdict {
        let facts = Facts::from_texts(facts.iter().copied());
        let with: Params = with
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        testkit::verdict(a, &facts, &with, &Params::new())
    }

    #[test]
    fn nobody_crontab_fails_root_crontab_passes() {
        let crons = "crontab nobody /var/spool/cron/crontabs/nobody: * * * * * /usr/local/share/man/.cache/.x/upd >/dev/null 2>&1\ncrontab root /var/spool/cron/crontabs/root: 0 3 * * * /usr/local/bin/backup\n";
        let v = run(
            &ServiceAccounts,
            &[("aspect", serde_json::json!("crontab"))],
            &[(PASSWD_PROBE, PASSWD), (CRONTABS_PROBE, crons)],
        );
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.evidence.contains("nobody: ")
                && v.evidence.contains(".x/upd")
                && !v.evidence.contains("backup"),
            "{}",
            v.evidence
        );
        let v = run(
            &ServiceAccounts,
            &[("aspect", serde_json::json!("crontab"))],
            &[
                (PASSWD_PROBE, PASSWD),
                (
                    CRONTABS_PROBE,
                    "crontab root /x: 0 3 * * * true\ncrontab seaways /y: 1 1 * * * true\n",
                ),
            ],
        );
        assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    }

    #[test]
    fn service_account_with_shell_or_keys_fails() {
        let passwd = format!("{PASSWD}apache:x:48:48:Apache:/usr/share/httpd:/bin/bash\n");
        let v = run(&ServiceAccounts, &[("aspect", serde_json::json!("login"))], &[(PASSWD_PROBE, &passwd), (ACCOUNT_KEYS_PROBE, "keys apache /usr/share/httpd/.ssh/authorized_keys 1\nkeys root /root/.ssh/authorized_keys 2\n")]);
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.evidence
                .contains("apache (uid 48) has login shell /bin/bash"),
            "{}",
            v.evidence
        );
        assert!(
            v.evidence.contains("apache has 1 SSH key(s)") && !v.evidence.contains("root has"),
            "{}",
            v.evidence
        );
        // Debian's stock accounts: `sync` has /bin/sync, which is not a login shell.
        let v = run(
            &ServiceAccounts,
            &[("aspect", serde_json::json!("login"))],
            &[
                (PASSWD_PROBE, PASSWD),
                (
                    ACCOUNT_KEYS_PROBE,
                    "keys root /root/.ssh/authorized_keys 2\n",
                ),
            ],
        );
        assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    }

    #[test]
    fn xferlog_uploads_of_php_fail() {
        let log = include_str!("../../tests/fixtures/ioc/legacy-xferlog.txt");
        let t = parse_xferlog(log);
        assert!(t.len() >= 10, "{t:?}");
        assert!(t.iter().all(|t| t.incoming));
        let v = run(&FtpTransfers, &[], &[(XFERLOG_PROBE, log)]);
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.evidence.contains("wp-cron.php")
                && v.evidence.contains("seaways")
                && v.evidence.contains("203.0.113.45"),
            "{}",
            v.evidence
        );
        let benign = "Mon Oct 23 10:00:00 2017 1 203.0.113.5 2048 /srv/ftp/pub/report.pdf b _ o r ftpuser ftp 0 * c\n";
        assert_eq!(
            run(&FtpTransfers, &[], &[(XFERLOG_PROBE, benign)]).status,
            Status::Pass
        );
        assert_eq!(
            run(&FtpTransfers, &[], &[(XFERLOG_PROBE, "")]).status,
            Status::Skip
        );
        let spaced = "Mon Oct 23 10:00:00 2017 1 203.0.113.5 2048 /var/www/my shell.php b _ i r bob ftp 0 * c\n";
        // vsftpd's own log format: logins from many places, uploads.
        let own = "Mon Oct 23 23:51:40 2017 [pid 2345] [seaways] OK LOGIN: Client \"203.0.113.45\"\n\
Mon Oct 23 23:51:44 2017 [pid 2347] [seaways] OK UPLOAD: Client \"203.0.113.45\", \"/srv/www/shell.php\", 137 bytes, 0.52Kbyte/sec\n\
Tue Oct 24 01:00:00 2017 [pid 2400] [seaways] FAIL LOGIN: Client \"198.51.100.7\"\n";
        let log = parse_vsftpd_log(own);
        assert_eq!(
            log.logins,
            vec![("seaways".to_string(), "203.0.113.45".to_string())]
        );
        assert_eq!(
            (log.uploads[0].file.as_str(), log.failed_logins),
            ("/srv/www/shell.php", 1)
        );
        let v = run(&FtpTransfers, &[], &[(XFERLOG_PROBE, own)]);
        assert_eq!(v.status, Status::Fail);
        assert!(v.evidence.contains("/srv/www/shell.php"), "{}", v.evidence);
        let many: String = (1..=5)
            .map(|i| {
                format!(
                    "Mon Oct 23 10:0{i}:00 2017 [pid {i}] [ops] OK LOGIN: Client \"192.0.2.{i}\"\n"
                )
            })
            .collect();
        let v = run(&FtpTransfers, &[], &[(XFERLOG_PROBE, &many)]);
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.evidence
                .contains("account ops logged in from 5 different addresses"),
            "{}",
            v.evidence
        );
        let v = run(
            &FtpTransfers,
            &[("max_sources", serde_json::json!(5))],
            &[(XFERLOG_PROBE, &many)],
        );
        assert_eq!(v.status, Status::Pass, "{}", v.evidence);
        assert_eq!(parse_xferlog(spaced)[0].file, "/var/www/my shell.php");
    }
}
