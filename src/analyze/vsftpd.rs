//! `vsftpd-config`: risks in the active vsftpd configuration — anonymous
//! access, local users with write access, no chroot, no TLS, uploads that
//! land in a web root, and transfer logging. vsftpd's compiled-in defaults
//! matter (anonymous_enable defaults to YES), so unset keys are judged by
//! them and the evidence says so.

use super::password::shadow;
use super::{arg_str, validate_aspect, Analyzer, Context, Verdict};
use crate::catalog::check::Params;
use crate::model::Status;
use std::collections::BTreeMap;

pub const CONF_PROBE: &str = "ftp.vsftpd.conf";
pub const WEBROOTS_PROBE: &str = "web.roots";
pub const PASSWD_PROBE: &str = "system.passwd";

/// The effective vsftpd settings: key → (value, line) from the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VsftpdConf {
    pub path: String,
    pub keys: BTreeMap<String, (String, usize)>,
}

/// vsftpd 3.0 compiled-in defaults for the keys we judge.
fn default_bool(key: &str) -> bool {
    matches!(
        key,
        "anonymous_enable" | "force_local_logins_ssl" | "force_local_data_ssl"
    )
}

impl VsftpdConf {
    /// A boolean setting and where it came from.
    pub fn flag(&self, key: &str) -> (bool, String) {
        match self.keys.get(key) {
            Some((v, line)) => (
                matches!(v.to_ascii_uppercase().as_str(), "YES" | "TRUE" | "1"),
                format!("{key}={v} ({}:{line})", self.path),
            ),
            None => {
                let d = default_bool(key);
                (
                    d,
                    format!(
                        "{key} not set: vsftpd's default is {}",
                        if d { "YES" } else { "NO" }
                    ),
                )
            }
        }
    }

    pub fn value(&self, key: &str) -> Option<&str> {
        self.keys.get(key).map(|(v, _)| v.as_str())
    }
}

/// Parse the probe: `== PATH` headers followed by that file's lines; the
/// first file is the active one (the running daemon's, else the default).
pub fn parse_conf(text: &str) -> Option<VsftpdConf> {
    let mut conf: Option<VsftpdConf> = None;
    let mut line_no = 0;
    for raw in text.lines() {
        if let Some(path) = raw.strip_prefix("== ") {
            if conf.is_some() {
                break; // only the active file counts
            }
            conf = Some(VsftpdConf {
                path: path.trim().to_string(),
                keys: BTreeMap::new(),
            });
            line_no = 0;
            continue;
        }
        line_no += 1;
        let Some(c) = conf.as_mut() else { continue };
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // vsftpd allows no spaces around '='; a key repeated later wins.
        if let Some((k, v)) = line.split_once('=') {
            c.keys.insert(
                k.trim().to_ascii_lowercase(),
                (v.trim().to_string(), line_no),
            );
        }
    }
    conf
}

/// A web root: owner, octal mode, path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebRoot {
    pub owner: String,
    pub mode: u32,
    pub path: String,
}

pub fn parse_webroots(text: &str) -> Vec<WebRoot> {
    text.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("webroot ")?;
            let mut it = rest.splitn(3, ' ');
            let owner = it.next()?.to_string();
            let mode = u32::from_str_radix(it.next()?, 8).ok()?;
            let path = it.next()?.trim().to_string();
            Some(WebRoot { owner, mode, path })
        })
        .collect()
}

fn inside(path: &str, root: &str) -> bool {
    let root = root.trim_end_matches('/');
    path == root || path.starts_with(&format!("{root}/"))
}

pub struct VsftpdConfig;

const ASPECTS: &[&str] = &[
    "anonymous",
    "local-write",
    "chroot",
    "tls",
    "webroot-upload",
    "transfer-log",
];

impl Analyzer for VsftpdConfig {
    fn name(&self) -> &'static str {
        "vsftpd-config"
    }

    fn description(&self) -> &'static str {
        "one risk in the active vsftpd.conf, judged with vsftpd's compiled-in defaults"
    }

    fn probes(&self, with: &Params) -> Vec<String> {
        let mut p = vec![CONF_PROBE.to_string()];
        if arg_str(with, "aspect") == Some("webroot-upload") {
            p.push(WEBROOTS_PROBE.into());
            p.push(PASSWD_PROBE.into());
        }
        p
    }

    fn validate(&self, with: &Params) -> Result<(), String> {
        validate_aspect(with, ASPECTS)
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let text = match cx.facts.text(CONF_PROBE) {
            Ok(t) => t,
            Err(u) => return Verdict::unavailable(u),
        };
        let Some(conf) = parse_conf(&text) else {
            return Verdict::new(Status::Skip, "vsftpd is not installed (no vsftpd.conf)");
        };
        let aspect = arg_str(cx.with, "aspect").unwrap_or_default();
        let (local, local_says) = conf.flag("local_enable");
        let (write, write_says) = conf.flag("write_enable");
        match aspect {
            "anonymous" => {
                let (anon, says) = conf.flag("anonymous_enable");
                let (upload, up_says) = conf.flag("anon_upload_enable");
                if anon && upload && write {
                    Verdict::new(
                        Status::Fail,
                        format!("anyone can log in and upload: {says}; {up_says}; {write_says}"),
                    )
                } else if anon {
                    Verdict::new(
                        Status::Fail,
                        format!("anonymous logins are allowed: {says}"),
                    )
                } else {
                    Verdict::new(Status::Pass, format!("anonymous logins are off: {says}"))
                }
            }
            "local-write" => {
                if local && write {
                    Verdict::new(
                        Status::Fail,
                        format!(
                            "local accounts can log in and write files: {local_says}; {write_says}"
                        ),
                    )
                } else {
                    Verdict::new(
                        Status::Pass,
                        format!("no FTP writes by local accounts: {local_says}; {write_says}"),
                    )
                }
            }
            "chroot" => {
                if !local {
                    return Verdict::new(
                        Status::Pass,
                        format!("local accounts cannot log in: {local_says}"),
                    );
                }
                let (chroot, says) = conf.flag("chroot_local_user");
                let (list, list_says) = conf.flag("chroot_list_enable");
                if chroot {
                    Verdict::new(
                        Status::Pass,
                        format!("local users are confined to their home: {says}"),
                    )
                } else if list {
                    Verdict::new(Status::Fail, format!("only users in the chroot list are confined; everyone else sees the whole file system: {says}; {list_says}"))
                } else {
                    Verdict::new(
                        Status::Fail,
                        format!("local users can browse the whole file system: {says}"),
                    )
                }
            }
            "tls" => {
                if !local {
                    return Verdict::new(Status::Pass, format!("local accounts cannot log in, so no passwords cross the wire: {local_says}"));
                }
                let (ssl, ssl_says) = conf.flag("ssl_enable");
                let (force, force_says) = conf.flag("force_local_logins_ssl");
                if !ssl {
                    Verdict::new(
                        Status::Fail,
                        format!("passwords travel in clear text: {ssl_says}"),
                    )
                } else if !force {
                    Verdict::new(
                        Status::Fail,
                        format!("TLS is offered but not required for logins: {force_says}"),
                    )
                } else {
                    Verdict::new(
                        Status::Pass,
                        format!("logins require TLS: {ssl_says}; {force_says}"),
                    )
                }
            }
            "webroot-upload" => webroot_upload(
                cx,
                &conf,
                local && write,
                &format!("{local_says}; {write_says}"),
            ),
            _ => {
                let (x, says) = conf.flag("xferlog_enable");
                if x {
                    let file = conf
                        .value("xferlog_file")
                        .or(conf.value("vsftpd_log_file"))
                        .unwrap_or("the default log file");
                    Verdict::new(
                        Status::Pass,
                        format!("uploads and downloads are logged to {file}: {says}"),
                    )
                } else {
                    Verdict::new(
                        Status::Fail,
                        format!("no record of what was uploaded or downloaded: {says}"),
                    )
                }
            }
        }
    }
}

fn webroot_upload(cx: &Context<'_>, conf: &VsftpdConf, can_write: bool, says: &str) -> Verdict {
    let (chroot, _) = conf.flag("chroot_local_user");
    let (anon, _) = conf.flag("anonymous_enable");
    let (anon_up, _) = conf.flag("anon_upload_enable");
    let anon_root = (anon && anon_up && conf.flag("write_enable").0)
        .then(|| conf.value("anon_root").unwrap_or("~ftp"));
    webroot_upload_with(
        cx,
        can_write,
        says,
        chroot,
        conf.value("local_root"),
        anon_root,
    )
}

/// Whether FTP writes can land in a served web root: by accounts that own
/// a web root and are not chrooted, whose FTP root is inside one, by
/// anonymous uploads into one (`anon_root`, `~ftp` for the ftp account's
/// home), or because a web root is world-writable. Shared by the vsftpd,
/// ProFTPD and Pure-FTPd analyzers.
pub fn webroot_upload_with(
    cx: &Context<'_>,
    can_write: bool,
    says: &str,
    chroot: bool,
    local_root: Option<&str>,
    anon_root: Option<&str>,
) -> Verdict {
    if !can_write && anon_root.is_none() {
        return Verdict::new(Status::Pass, format!("FTP cannot write files: {says}"));
    }
    let roots = match cx.facts.text(WEBROOTS_PROBE) {
        Ok(t) => parse_webroots(&t),
        Err(u) => return Verdict::unavailable(u),
    };
    if roots.is_empty() {
        return Verdict::new(
            Status::Pass,
            format!("no web root found that FTP uploads could reach ({says})"),
        );
    }
    let accounts = match cx.facts.text(PASSWD_PROBE) {
        Ok(t) => shadow::parse_passwd(&t),
        Err(u) => return Verdict::unavailable(u),
    };
    let anon_dir = anon_root.map(|d| match d.strip_prefix('~') {
        Some(user) => {
            let user = if user.is_empty() { "ftp" } else { user };
            accounts
                .iter()
                .find(|a| a.user == user)
                .map(|a| a.home.clone())
                .unwrap_or_else(|| d.to_string())
        }
        None => d.to_string(),
    });
    let mut hits = Vec::new();
    for r in &roots {
        if r.mode & 0o002 != 0 {
            hits.push(format!(
                "web root {} is world-writable (mode {:o})",
                r.path, r.mode
            ));
        }
        if let Some(d) = &anon_dir {
            if inside(d, &r.path) || inside(&r.path, d) {
                hits.push(format!(
                    "anonymous uploads go to {d}, which overlaps the web root {}",
                    r.path
                ));
            }
        }
        if !can_write {
            continue;
        }
        for a in accounts
            .iter()
            .filter(|a| a.uid >= 1000 && a.uid != 65534 && !a.shell.ends_with("nologin"))
        {
            let home = local_root.unwrap_or(&a.home);
            if inside(home, &r.path) || inside(&r.path, home) && r.owner == a.user {
                hits.push(format!(
                    "account {} logs in to {home}, which is the web root {}",
                    a.user, r.path
                ));
            } else if r.owner == a.user && !chroot {
                hits.push(format!(
                    "account {} owns web root {} and is not chrooted",
                    a.user, r.path
                ));
            }
        }
    }
    if hits.is_empty() {
        Verdict::new(
            Status::Pass,
            format!(
                "no FTP account can write into a web root ({})",
                roots
                    .iter()
                    .map(|r| r.path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    } else {
        hits.dedup();
        Verdict::new(
            Status::Fail,
            format!(
                "FTP uploads can land in a served directory: {} ({says})",
                hits.join("; ")
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testkit;
    use crate::facts::Facts;

    const LEGACY: &str = include_str!("../../tests/fixtures/ftp/legacy-vsftpd.conf.txt");
    const HARDENED: &str = include_str!("../../tests/fixtures/ftp/hardened-vsftpd.conf.txt");
    const PASSWD: &str = include_str!("../../tests/fixtures/ftp/legacy-passwd.txt");

    fn run(aspect: &str, conf: &str, roots: &str) -> Verdict {
        let facts = Facts::from_texts([
            (CONF_PROBE, conf),
            (WEBROOTS_PROBE, roots),
            (PASSWD_PROBE, PASSWD),
        ]);
        let with = testkit::params([("aspect", serde_json::json!(aspect))]);
        testkit::verdict(&VsftpdConfig, &facts, &with, &Params::new())
    }

    const ROOTS: &str = "webroot seaways 755 /usr/local/apache2/htdocs\n";

    #[test]
    fn the_incident_config_fails_everything_but_logging() {
        for aspect in ["local-write", "chroot", "tls", "webroot-upload"] {
            let v = run(aspect, LEGACY, ROOTS);
            assert_eq!(v.status, Status::Fail, "{aspect}: {}", v.evidence);
        }
        let v = run("webroot-upload", LEGACY, ROOTS);
        assert!(
            v.evidence
                .contains("account seaways owns web root /usr/local/apache2/htdocs"),
            "{}",
            v.evidence
        );
        assert_eq!(run("transfer-log", LEGACY, ROOTS).status, Status::Pass);
        let v = run("tls", LEGACY, ROOTS);
        assert!(v.evidence.contains("clear text"), "{}", v.evidence);
    }

    #[test]
    fn a_hardened_config_passes_and_unset_keys_use_vsftpd_defaults() {
        for aspect in [
            "anonymous",
            "local-write",
            "chroot",
            "tls",
            "webroot-upload",
        ] {
            let v = run(aspect, HARDENED, ROOTS);
            assert_eq!(v.status, Status::Pass, "{aspect}: {}", v.evidence);
        }
        // The compiled default of anonymous_enable is YES.
        let v = run("anonymous", "== /etc/vsftpd.conf\nlisten=YES\n", ROOTS);
        assert_eq!(v.status, Status::Fail);
        assert!(v.evidence.contains("default is YES"), "{}", v.evidence);
        let v = run("transfer-log", "== /etc/vsftpd.conf\n", ROOTS);
        assert_eq!(v.status, Status::Fail);
    }

    #[test]
    fn no_vsftpd_is_skip_and_world_writable_roots_fail() {
        assert_eq!(run("tls", "", ROOTS).status, Status::Skip);
        let v = run(
            "webroot-upload",
            "== /etc/vsftpd.conf\nlocal_enable=YES\nwrite_enable=YES\nchroot_local_user=YES\n",
            "webroot root 777 /var/www\n",
        );
        assert_eq!(v.status, Status::Fail);
        assert!(v.evidence.contains("world-writable"), "{}", v.evidence);
    }

    #[test]
    fn only_the_active_file_counts() {
        let c = parse_conf("== /etc/vsftpd/vsftpd.conf\nanonymous_enable=NO\n== /etc/vsftpd.conf\nanonymous_enable=YES\n").unwrap();
        assert_eq!(c.path, "/etc/vsftpd/vsftpd.conf");
        assert!(!c.flag("anonymous_enable").0);
        assert_eq!(c.keys["anonymous_enable"].1, 1);
    }
}
