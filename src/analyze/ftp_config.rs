//! `ftp-config`: one FTP configuration risk (anonymous access, local
//! writes, chroot, TLS, uploads into a web root, transfer logging) across
//! every FTP daemon configured on the host: vsftpd (judged by
//! [`super::vsftpd`]), ProFTPD and Pure-FTPd (read by [`super::ftp_daemons`]).
//! Any daemon that fails fails the check; with vsftpd alone the verdict
//! is vsftpd's own.

use super::ftp_daemons::{self, FtpRisks};
use super::password::shadow;
use super::vsftpd::{self, VsftpdConfig, PASSWD_PROBE, WEBROOTS_PROBE};
use super::{arg_str, validate_aspect, Analyzer, Context, Verdict};
use crate::catalog::check::Params;
use crate::model::Status;

pub const OTHER_PROBE: &str = "ftp.other.conf";

const ASPECTS: &[&str] = &[
    "anonymous",
    "local-write",
    "chroot",
    "tls",
    "webroot-upload",
    "transfer-log",
];

/// ProFTPD and Pure-FTPd risks from the probe (only daemons whose binary
/// exists print their files).
pub fn other_daemons(text: &str, passwd: Option<&str>) -> Vec<FtpRisks> {
    let files = ftp_daemons::files(text);
    let pro: Vec<(String, Vec<String>)> = files
        .iter()
        .filter(|(p, _)| p.contains("proftpd"))
        .cloned()
        .collect();
    let pure: Vec<(String, Vec<String>)> = files
        .iter()
        .filter(|(p, _)| p.contains("pure-ftpd"))
        .cloned()
        .collect();
    let ftp_home = passwd.and_then(|t| {
        shadow::parse_passwd(t)
            .into_iter()
            .find(|a| a.user == "ftp")
            .map(|a| a.home)
    });
    let mut out = Vec::new();
    out.extend(ftp_daemons::proftpd(&pro));
    out.extend(ftp_daemons::pureftpd(&pure, ftp_home.as_deref()));
    out
}

/// One aspect of one daemon (not vsftpd).
pub fn judge(cx: &Context<'_>, r: &FtpRisks, aspect: &str) -> Verdict {
    let v = |pass: bool, fail_says: String, pass_says: String| {
        if pass {
            Verdict::new(Status::Pass, pass_says)
        } else {
            Verdict::new(Status::Fail, fail_says)
        }
    };
    match aspect {
        "anonymous" => {
            if r.anonymous.on && r.anon_upload.on {
                Verdict::new(
                    Status::Fail,
                    format!(
                        "anyone can log in and upload: {}; {}",
                        r.anonymous.says, r.anon_upload.says
                    ),
                )
            } else {
                v(
                    !r.anonymous.on,
                    format!("anonymous logins are allowed: {}", r.anonymous.says),
                    format!("anonymous logins are off: {}", r.anonymous.says),
                )
            }
        }
        "local-write" => v(
            !(r.local_login.on && r.local_write.on),
            format!(
                "local accounts can log in and write files: {}; {}",
                r.local_login.says, r.local_write.says
            ),
            format!(
                "no FTP writes by local accounts: {}; {}",
                r.local_login.says, r.local_write.says
            ),
        ),
        "chroot" => {
            if !r.local_login.on {
                return Verdict::new(
                    Status::Pass,
                    format!("local accounts cannot log in: {}", r.local_login.says),
                );
            }
            v(
                r.chroot.on,
                format!(
                    "local users can browse the whole file system: {}",
                    r.chroot.says
                ),
                format!("local users are confined to their home: {}", r.chroot.says),
            )
        }
        "tls" => {
            if !r.local_login.on {
                return Verdict::new(
                    Status::Pass,
                    format!(
                        "local accounts cannot log in, so no passwords cross the wire: {}",
                        r.local_login.says
                    ),
                );
            }
            if r.tls_required.on {
                Verdict::new(
                    Status::Pass,
                    format!("logins require TLS: {}", r.tls_required.says),
                )
            } else if r.tls_offered.on {
                Verdict::new(
                    Status::Fail,
                    format!(
                        "TLS is offered but not required for logins: {}",
                        r.tls_required.says
                    ),
                )
            } else {
                Verdict::new(
                    Status::Fail,
                    format!("passwords travel in clear text: {}", r.tls_offered.says),
                )
            }
        }
        "webroot-upload" => {
            let anon = (r.anonymous.on && r.anon_upload.on)
                .then(|| r.anon_root.clone().unwrap_or_else(|| "~ftp".into()));
            vsftpd::webroot_upload_with(
                cx,
                r.local_login.on && r.local_write.on,
                &format!("{}; {}", r.local_login.says, r.local_write.says),
                r.chroot.on,
                None,
                anon.as_deref(),
            )
        }
        _ => match &r.transfer_log {
            Some(f) => Verdict::new(
                Status::Pass,
                format!(
                    "uploads and downloads are logged to {f}: {}",
                    r.transfer_log_says
                ),
            ),
            None => Verdict::new(
                Status::Fail,
                format!(
                    "no record of what was uploaded or downloaded: {}",
                    r.transfer_log_says
                ),
            ),
        },
    }
}

pub struct FtpConfig;

impl Analyzer for FtpConfig {
    fn name(&self) -> &'static str {
        "ftp-config"
    }

    fn description(&self) -> &'static str {
        "one risk in the FTP server configurations (vsftpd, ProFTPD, Pure-FTPd), judged with each daemon's defaults"
    }

    fn probes(&self, with: &Params) -> Vec<String> {
        let mut p = VsftpdConfig.probes(with);
        p.push(OTHER_PROBE.into());
        if !p.iter().any(|x| x == PASSWD_PROBE) {
            p.push(PASSWD_PROBE.into());
        }
        if arg_str(with, "aspect") == Some("webroot-upload")
            && !p.iter().any(|x| x == WEBROOTS_PROBE)
        {
            p.push(WEBROOTS_PROBE.into());
        }
        p
    }

    fn validate(&self, with: &Params) -> Result<(), String> {
        validate_aspect(with, ASPECTS)
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let aspect = arg_str(cx.with, "aspect").unwrap_or_default();
        let mut parts: Vec<(String, Verdict)> = Vec::new();
        let vs = VsftpdConfig.analyze(cx);
        let vsftpd_present = !(vs.status == Status::Skip && vs.evidence.contains("not installed"));
        if vsftpd_present {
            parts.push(("vsftpd".into(), vs));
        }
        match cx.facts.text(OTHER_PROBE) {
            Ok(t) => {
                let passwd = cx.facts.text(PASSWD_PROBE).ok();
                for r in other_daemons(&t, passwd.as_deref()) {
                    let label = format!("{} ({})", r.daemon, r.path);
                    parts.push((label, judge(cx, &r, aspect)));
                }
            }
            Err(u) => parts.push(("ProFTPD/Pure-FTPd".into(), Verdict::unavailable(u))),
        }
        combine(parts)
    }
}

/// Fail if any daemon fails; pass only if all pass.
fn combine(mut parts: Vec<(String, Verdict)>) -> Verdict {
    if parts.is_empty() {
        return Verdict::new(
            Status::Skip,
            "no FTP server configuration found (vsftpd, ProFTPD, Pure-FTPd)",
        );
    }
    if parts.len() == 1 && parts[0].0 == "vsftpd" {
        return parts.remove(0).1;
    }
    let status = if parts.iter().any(|(_, v)| v.status == Status::Fail) {
        Status::Fail
    } else if parts.iter().any(|(_, v)| v.status == Status::Error) {
        Status::Error
    } else if parts.iter().all(|(_, v)| v.status == Status::Pass) {
        Status::Pass
    } else {
        Status::Skip
    };
    // The deciding daemons first.
    parts.sort_by_key(|(_, v)| v.status != status);
    let text: Vec<String> = parts
        .iter()
        .map(|(d, v)| format!("{d}: {}", v.evidence))
        .collect();
    Verdict::new(status, text.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testkit;
    use crate::analyze::vsftpd::CONF_PROBE;
    use crate::facts::Facts;

    fn fx(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/ftp/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\nftp:x:14:50:FTP User:/var/www/html/pub:/sbin/nologin\nweb:x:1000:1000::/var/www/html:/bin/bash\n";
    const ROOTS: &str = "webroot web 755 /var/www/html\n";

    fn run(aspect: &str, vsftpd: &str, other: &str) -> Verdict {
        let facts = Facts::from_texts([
            (CONF_PROBE, vsftpd),
            (OTHER_PROBE, other),
            (PASSWD_PROBE, PASSWD),
            (WEBROOTS_PROBE, ROOTS),
        ]);
        let with = testkit::params([("aspect", serde_json::json!(aspect))]);
        testkit::verdict(&FtpConfig, &facts, &with, &Params::new())
    }

    #[test]
    fn debian_proftpd_defaults_fail_chroot_and_tls_pass_anonymous_and_logging() {
        let conf = fx("debian-proftpd.conf.txt");
        for (aspect, want) in [
            ("anonymous", Status::Pass),
            ("local-write", Status::Fail),
            ("chroot", Status::Fail),
            ("tls", Status::Fail),
            ("webroot-upload", Status::Fail),
            ("transfer-log", Status::Pass),
        ] {
            let v = run(aspect, "", &conf);
            assert_eq!(v.status, want, "{aspect}: {}", v.evidence);
            assert!(
                v.evidence
                    .starts_with("proftpd (/etc/proftpd/proftpd.conf): "),
                "{}",
                v.evidence
            );
        }
        let v = run("webroot-upload", "", &conf);
        assert!(
            v.evidence
                .contains("account web logs in to /var/www/html, which is the web root"),
            "{}",
            v.evidence
        );
    }

    #[test]
    fn rhel_pure_ftpd_anonymous_upload_into_the_web_root() {
        let conf = fx("rhel-pure-ftpd.conf.txt");
        let v = run("anonymous", "", &conf);
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        assert!(
            v.evidence.contains("anyone can log in and upload"),
            "{}",
            v.evidence
        );
        let v = run("webroot-upload", "", &conf);
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        assert!(
            v.evidence
                .contains("anonymous uploads go to /var/www/html/pub"),
            "{}",
            v.evidence
        );
        assert_eq!(run("chroot", "", &conf).status, Status::Pass);
        assert_eq!(run("transfer-log", "", &conf).status, Status::Fail);
    }

    #[test]
    fn vsftpd_alone_keeps_its_own_verdict_and_nothing_skips() {
        let vs = fx("hardened-vsftpd.conf.txt");
        let v = run("chroot", &vs, "");
        assert_eq!(v.status, Status::Pass, "{}", v.evidence);
        assert!(!v.evidence.starts_with("vsftpd:"), "{}", v.evidence);
        // vsftpd hardened + Debian pure-ftpd: pure-ftpd's missing chroot fails
        let v = run("chroot", &vs, &fx("debian-pure-ftpd-conf.txt"));
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        assert!(
            v.evidence.starts_with("pure-ftpd (/etc/pure-ftpd/conf/): "),
            "{}",
            v.evidence
        );
        assert!(v.evidence.contains("; vsftpd: "), "{}", v.evidence);
        let v = run("tls", "", "");
        assert_eq!(v.status, Status::Skip, "{}", v.evidence);
    }
}
