//! ProFTPD and Pure-FTPd configurations, read into the same risks the
//! vsftpd analyzer judges: anonymous access (and uploads), local accounts
//! that can write, no chroot, no TLS required, transfer logging. Unset
//! directives are judged by each daemon's compiled-in defaults, and the
//! evidence says so.
//!
//! - ProFTPD (`/etc/proftpd/proftpd.conf` on Debian, `/etc/proftpd.conf`
//!   on RHEL/EPEL, with their `Include`s): `<Anonymous DIR>`, `<Limit
//!   WRITE|STOR> DenyAll|AllowAll`, `DefaultRoot`, `TLSEngine`/`TLSRequired`,
//!   `TransferLog` (default `/var/log/xferlog`).
//! - Pure-FTPd: Debian's wrapper reads one file per option in
//!   `/etc/pure-ftpd/conf/` (file name = option); elsewhere
//!   `/etc/pure-ftpd/pure-ftpd.conf` (`Option value`). Anonymous logins
//!   work when `NoAnonymous` is off and an `ftp` account exists.

use std::collections::BTreeSet;

/// One judged setting: on/off and what decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub on: bool,
    pub says: String,
}

impl Setting {
    fn new(on: bool, says: impl Into<String>) -> Setting {
        Setting {
            on,
            says: says.into(),
        }
    }
}

/// The risks of one FTP daemon's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FtpRisks {
    pub daemon: &'static str,
    /// The main configuration file (or directory).
    pub path: String,
    pub anonymous: Setting,
    pub anon_upload: Setting,
    /// Directory anonymous users land in, when known.
    pub anon_root: Option<String>,
    pub local_login: Setting,
    pub local_write: Setting,
    pub chroot: Setting,
    /// TLS required for logins.
    pub tls_required: Setting,
    pub tls_offered: Setting,
    /// Transfer log file, if transfers are logged.
    pub transfer_log: Option<String>,
    pub transfer_log_says: String,
}

/// Files of a probe block list: `== PATH` headers and their lines.
pub fn files(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for raw in text.lines() {
        if let Some(p) = raw.strip_prefix("== ") {
            out.push((p.trim().to_string(), Vec::new()));
        } else if let Some(f) = out.last_mut() {
            f.1.push(raw.to_string());
        }
    }
    out
}

fn on_word(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "on" | "yes" | "true" | "1")
}

// ---------------------------------------------------------------- ProFTPD

/// The probe's pseudo file with `proftpd -l`: the modules compiled in.
pub const PROFTPD_COMPILED: &str = "[proftpd -l]";

/// Whether a module is there: `Some(true)` when a `LoadModule` line loads it
/// or it is compiled in, `Some(false)` when neither (and `proftpd -l` was
/// seen), `None` when the compiled-in list is unknown.
fn module_state(
    name: &str,
    loaded: &BTreeSet<String>,
    compiled: Option<&BTreeSet<String>>,
) -> Option<bool> {
    let name = name.to_ascii_lowercase();
    if loaded.contains(&name) {
        return Some(true);
    }
    compiled.map(|c| c.contains(&name))
}

/// ProFTPD: the files of one configuration (main file first, then its
/// includes, each `== PATH`), and optionally [`PROFTPD_COMPILED`].
/// Directives inside `<IfModule mod_x.c>` apply only when that module is
/// loaded (Debian ships mod_tls commented out in modules.conf, so its
/// tls.conf, all inside `<IfModule mod_tls.c>`, does nothing until then).
pub fn proftpd(files: &[(String, Vec<String>)]) -> Option<FtpRisks> {
    let compiled: Option<BTreeSet<String>> =
        files
            .iter()
            .find(|(p, _)| p == PROFTPD_COMPILED)
            .map(|(_, l)| {
                l.iter()
                    .map(|m| m.trim().to_ascii_lowercase())
                    .filter(|m| m.starts_with("mod_"))
                    .collect()
            });
    let files: Vec<&(String, Vec<String>)> = files
        .iter()
        .filter(|(p, _)| p != PROFTPD_COMPILED)
        .collect();
    let main = files.first()?.0.clone();
    let loaded: BTreeSet<String> = files
        .iter()
        .flat_map(|(_, l)| l.iter())
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            match (w.next(), w.next()) {
                (Some(k), Some(m)) if k.eq_ignore_ascii_case("loadmodule") => {
                    Some(m.to_ascii_lowercase())
                }
                _ => None,
            }
        })
        .collect();
    let mut stack: Vec<(String, String)> = Vec::new(); // (section, arg)
    let mut anonymous: Option<(String, String)> = None; // (dir, at)
    let mut anon_write_denied: Option<String> = None;
    let mut anon_write_allowed: Option<String> = None;
    let mut local_write_denied: Option<String> = None;
    let mut default_root: Option<(String, String)> = None;
    let mut tls_engine: Option<(bool, String)> = None;
    let mut tls_required: Option<(String, String)> = None;
    let mut transfer_log: Option<(String, String)> = None;
    let mut login_denied: Option<String> = None;
    let mut conditional: Vec<String> = Vec::new();
    for (path, lines) in files.iter().map(|f| (&f.0, &f.1)) {
        for (i, raw) in lines.iter().enumerate() {
            let at = format!("{path}:{}", i + 1);
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(close) = line.strip_prefix("</") {
                let name = close.trim_end_matches('>').trim().to_ascii_lowercase();
                if let Some(pos) = stack.iter().rposition(|(s, _)| *s == name) {
                    stack.truncate(pos);
                }
                continue;
            }
            if let Some(open) = line.strip_prefix('<') {
                let open = open.trim_end_matches('>');
                let (name, arg) = open.split_once(char::is_whitespace).unwrap_or((open, ""));
                let name = name.to_ascii_lowercase();
                let arg = arg.trim().trim_matches('"').to_string();
                if name == "anonymous" && anonymous.is_none() {
                    anonymous = Some((arg.clone(), at.clone()));
                }
                stack.push((name, arg));
                continue;
            }
            let (key, val) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let key = key.to_ascii_lowercase();
            let val = val.trim().trim_matches('"').to_string();
            let in_anon = stack.iter().any(|(s, _)| s == "anonymous");
            let limit = stack
                .iter()
                .rev()
                .find(|(s, _)| s == "limit")
                .map(|(_, a)| a.to_ascii_uppercase());
            let writes = limit.as_deref().is_some_and(|l| {
                l.split_whitespace()
                    .any(|c| matches!(c, "WRITE" | "STOR" | "STOU" | "APPE" | "ALL"))
            });
            let in_dir = stack.iter().any(|(s, _)| s == "directory");
            // <IfModule [!]mod_x.c>: a module known to be absent (or
            // present, for `!`) switches the directive off; an unknown one
            // makes it conditional, like <IfDefine> below.
            let mut off: Option<String> = None;
            let mut unsure_module: Option<String> = None;
            for (_, m) in stack.iter().filter(|(s, _)| s == "ifmodule") {
                let (neg, name) = match m.strip_prefix('!') {
                    Some(n) => (true, n.trim()),
                    None => (false, m.as_str()),
                };
                match module_state(name, &loaded, compiled.as_ref()) {
                    Some(present) if present == neg => off = Some(m.clone()),
                    Some(_) => {}
                    None => unsure_module = Some(m.clone()),
                }
            }
            if let Some(m) = off {
                if matches!(key.as_str(), "tlsengine" | "tlsrequired" | "defaultroot") {
                    conditional.push(format!(
                        "{key} {val} inside <IfModule {m}>, which is not loaded ({at})"
                    ));
                }
                continue;
            }
            if let Some(m) = unsure_module {
                if matches!(key.as_str(), "tlsengine" | "tlsrequired" | "defaultroot") {
                    conditional.push(format!("{key} {val} inside <IfModule {m}> ({at})"));
                    continue;
                }
            }
            // What -D flags the daemon runs with is unknown: a directive
            // that lowers the risk counts only outside <IfDefine>.
            if let Some((_, def)) = stack.iter().find(|(s, _)| s == "ifdefine") {
                if matches!(key.as_str(), "tlsengine" | "tlsrequired" | "defaultroot")
                    || (key == "denyall" && !in_anon)
                {
                    conditional.push(format!("{key} {val} inside <IfDefine {def}> ({at})"));
                    continue;
                }
            }
            match key.as_str() {
                "denyall" if writes && in_anon => {
                    anon_write_denied.get_or_insert(at.clone());
                }
                "allowall" if writes && in_anon => {
                    anon_write_allowed.get_or_insert(at.clone());
                }
                "denyall" if writes && !in_anon && !in_dir => {
                    local_write_denied.get_or_insert(at.clone());
                }
                "denyall"
                    if !in_anon
                        && limit
                            .as_deref()
                            .is_some_and(|l| l.split_whitespace().any(|c| c == "LOGIN")) =>
                {
                    login_denied.get_or_insert(at.clone());
                }
                "defaultroot" if !in_anon => {
                    default_root = Some((val.clone(), at.clone()));
                }
                "tlsengine" => tls_engine = Some((on_word(&val), at.clone())),
                "tlsrequired" => tls_required = Some((val.clone(), at.clone())),
                "transferlog" if !in_anon => transfer_log = Some((val.clone(), at.clone())),
                _ => {}
            }
        }
    }
    let anon = match &anonymous {
        Some((dir, at)) => Setting::new(true, format!("<Anonymous {dir}> ({at})")),
        None => Setting::new(false, format!("no <Anonymous> section in {main}")),
    };
    let anon_upload = match (&anonymous, &anon_write_allowed, &anon_write_denied) {
        (None, _, _) => Setting::new(false, "no anonymous access"),
        (Some(_), Some(at), _) => Setting::new(true, format!("<Limit WRITE/STOR> AllowAll ({at})")),
        (Some(_), None, Some(at)) => Setting::new(false, format!("<Limit WRITE> DenyAll ({at})")),
        (Some(_), None, None) => Setting::new(
            true,
            "no <Limit WRITE> DenyAll in <Anonymous>: uploads wherever the directory permits",
        ),
    };
    let local_login = match &login_denied {
        Some(at) => Setting::new(false, format!("<Limit LOGIN> DenyAll ({at})")),
        None => Setting::new(
            true,
            "local accounts can log in (ProFTPD's default: system accounts via PAM/unix)",
        ),
    };
    let local_write = match &local_write_denied {
        Some(at) => Setting::new(false, format!("<Limit WRITE> DenyAll ({at})")),
        None => Setting::new(
            true,
            format!("no server-wide <Limit WRITE> DenyAll in {main}: ProFTPD lets accounts write"),
        ),
    };
    let chroot = match &default_root {
        Some((v, at)) if v.split_whitespace().next() != Some("/") => {
            Setting::new(true, format!("DefaultRoot {v} ({at})"))
        }
        Some((v, at)) => Setting::new(
            false,
            format!("DefaultRoot {v} ({at}) is the whole file system"),
        ),
        None => Setting::new(
            false,
            format!("DefaultRoot not set in {main}: users see the whole file system"),
        ),
    };
    let engine = tls_engine.as_ref().is_some_and(|(on, _)| *on);
    let unsure = if conditional.is_empty() {
        String::new()
    } else {
        format!(
            " (not counted: {})",
            conditional
                .iter()
                .filter(|c| c.starts_with("tls"))
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let unsure = if unsure.ends_with(": )") {
        String::new()
    } else {
        unsure
    };
    let tls_offered = match &tls_engine {
        Some((on, at)) => Setting::new(
            *on,
            format!("TLSEngine {} ({at})", if *on { "on" } else { "off" }),
        ),
        None => Setting::new(false, format!("TLSEngine not set (mod_tls off){unsure}")),
    };
    let tls_required = match (&tls_required, engine) {
        (_, false) => Setting::new(false, tls_offered.says.clone()),
        (Some((v, at)), true) => {
            let req = matches!(
                v.to_ascii_lowercase().as_str(),
                "on" | "ctrl" | "both" | "auth" | "auth+data" | "auth+ctrl"
            );
            Setting::new(req, format!("{}; TLSRequired {v} ({at})", tls_offered.says))
        }
        (None, true) => Setting::new(
            false,
            format!("{}; TLSRequired not set (off)", tls_offered.says),
        ),
    };
    let (tlog, tsays) = match &transfer_log {
        Some((v, at)) if v.eq_ignore_ascii_case("none") => {
            (None, format!("TransferLog NONE ({at})"))
        }
        Some((v, at)) => (Some(v.clone()), format!("TransferLog {v} ({at})")),
        None => (
            Some("/var/log/xferlog".to_string()),
            "TransferLog not set: ProFTPD's default /var/log/xferlog".to_string(),
        ),
    };
    Some(FtpRisks {
        daemon: "proftpd",
        path: main,
        anonymous: anon,
        anon_upload,
        anon_root: anonymous.map(|(d, _)| d),
        local_login,
        local_write,
        chroot,
        tls_required,
        tls_offered,
        transfer_log: tlog,
        transfer_log_says: tsays,
    })
}

// ---------------------------------------------------------------- Pure-FTPd

/// Pure-FTPd: Debian's one-file-per-option directory wins over the
/// single file (the Debian wrapper ignores pure-ftpd.conf). `ftp_home` is
/// the `ftp` account's home when it exists (anonymous logins need it).
pub fn pureftpd(files: &[(String, Vec<String>)], ftp_home: Option<&str>) -> Option<FtpRisks> {
    let dir: Vec<&(String, Vec<String>)> = files
        .iter()
        .filter(|(p, _)| p.contains("/pure-ftpd/conf/"))
        .collect();
    let mut opts: Vec<(String, String, String)> = Vec::new(); // (key lower, value, at)
    let path;
    if !dir.is_empty() {
        path = "/etc/pure-ftpd/conf/".to_string();
        for (p, lines) in dir {
            let key = p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase();
            let val = lines
                .iter()
                .map(|l| l.trim())
                .find(|l| !l.is_empty() && !l.starts_with('#'))
                .unwrap_or("")
                .to_string();
            opts.push((key, val, p.clone()));
        }
    } else {
        let (p, lines) = files.iter().find(|(p, _)| p.ends_with("pure-ftpd.conf"))?;
        path = p.clone();
        for (i, raw) in lines.iter().enumerate() {
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let (k, v) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            opts.push((
                k.to_ascii_lowercase(),
                v.trim().to_string(),
                format!("{p}:{}", i + 1),
            ));
        }
    }
    // A later line wins.
    let get = |k: &str| opts.iter().rev().find(|(key, _, _)| key == k);
    let flag = |k: &str, name: &str, default: bool| -> Setting {
        match get(k) {
            Some((_, v, at)) => Setting::new(on_word(v), format!("{name} {v} ({at})")),
            None => Setting::new(
                default,
                format!(
                    "{name} not set: Pure-FTPd's default is {}",
                    if default { "yes" } else { "no" }
                ),
            ),
        }
    };
    let no_anon = flag("noanonymous", "NoAnonymous", false);
    let anon_only = flag("anonymousonly", "AnonymousOnly", false);
    let anonymous = if no_anon.on {
        Setting::new(false, no_anon.says.clone())
    } else {
        match ftp_home {
            Some(h) => Setting::new(
                true,
                format!("{}; the ftp account exists (home {h})", no_anon.says),
            ),
            None => Setting::new(
                false,
                format!("{}; but there is no ftp account", no_anon.says),
            ),
        }
    };
    let cant_upload = flag("anonymouscantupload", "AnonymousCantUpload", false);
    let anon_upload = if !anonymous.on {
        Setting::new(false, "no anonymous access")
    } else {
        Setting::new(!cant_upload.on, cant_upload.says.clone())
    };
    let local_login = if anon_only.on {
        Setting::new(false, anon_only.says.clone())
    } else {
        Setting::new(
            true,
            format!("{}: system accounts can log in", anon_only.says),
        )
    };
    let local_write = Setting::new(
        local_login.on,
        if local_login.on {
            "Pure-FTPd has no read-only switch for accounts: they write wherever file permissions allow".to_string()
        } else {
            local_login.says.clone()
        },
    );
    let chroot = flag("chrooteveryone", "ChrootEveryone", false);
    let chroot = match get("trustedgid") {
        Some((_, v, at)) if chroot.on => Setting::new(
            true,
            format!("{}; except group {v} (TrustedGID, {at})", chroot.says),
        ),
        _ => chroot,
    };
    let (tls_level, tls_says) = match get("tls") {
        Some((_, v, at)) => (
            v.trim().parse::<u8>().unwrap_or(0),
            format!("TLS {v} ({at})"),
        ),
        None => (
            0,
            "TLS not set: Pure-FTPd's default is 0 (no TLS)".to_string(),
        ),
    };
    let (tlog, tsays) = match get("altlog") {
        Some((_, v, at)) => {
            let file = v.split_once(':').map(|(_, f)| f).unwrap_or(v).to_string();
            (Some(file), format!("AltLog {v} ({at})"))
        }
        None => (
            None,
            "AltLog not set: no transfer log (Pure-FTPd's default)".to_string(),
        ),
    };
    Some(FtpRisks {
        daemon: "pure-ftpd",
        path,
        anonymous,
        anon_upload,
        anon_root: ftp_home.map(str::to_string),
        local_login,
        local_write,
        chroot,
        tls_required: Setting::new(tls_level >= 2, tls_says.clone()),
        tls_offered: Setting::new(tls_level >= 1, tls_says),
        transfer_log: tlog,
        transfer_log_says: tsays,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fx(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/ftp/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn lab_proftpd_with_mod_tls_loaded_requires_tls() {
        let r = proftpd(&files(&fx("lab-ftp3-proftpd.txt"))).unwrap();
        assert_eq!(r.path, "/etc/proftpd/proftpd.conf");
        assert!(
            r.tls_offered.on && r.tls_required.on,
            "{}",
            r.tls_required.says
        );
        assert!(r
            .tls_required
            .says
            .contains("TLSRequired on (/etc/proftpd/conf.d/60-tls.conf:8)"));
        assert!(r.chroot.on && !r.local_write.on && !r.anonymous.on);
        assert_eq!(r.transfer_log.as_deref(), Some("/var/log/proftpd/xferlog"));
    }

    #[test]
    fn tls_inside_ifmodule_of_a_module_not_loaded_is_off() {
        // Debian's modules.conf as shipped: `#LoadModule mod_tls.c`; ProFTPD
        // then skips the whole <IfModule mod_tls.c> block.
        let text = fx("lab-ftp3-proftpd.txt")
            .replace("\nLoadModule mod_tls.c\n", "\n#LoadModule mod_tls.c\n");
        let r = proftpd(&files(&text)).unwrap();
        assert!(
            !r.tls_offered.on && !r.tls_required.on,
            "{}",
            r.tls_required.says
        );
        assert!(
            r.tls_required.says.contains(
                "tlsengine on inside <IfModule mod_tls.c>, which is not loaded (/etc/proftpd/conf.d/60-tls.conf:3)"
            ),
            "{}",
            r.tls_required.says
        );
        // The same without `proftpd -l`: mod_tls might be compiled in, so
        // TLS is not counted, and the evidence says which directive was not counted.
        let cut = text.split("== [proftpd -l]").next().unwrap().to_string();
        let r = proftpd(&files(&cut)).unwrap();
        assert!(!r.tls_required.on);
        assert!(
            r.tls_required
                .says
                .contains("(not counted: tlsengine on inside <IfModule mod_tls.c> (/etc"),
            "{}",
            r.tls_required.says
        );
        // `<IfModule !mod_x.c>` holds when the module is absent.
        let neg = text.replace("<IfModule mod_tls.c>", "<IfModule !mod_sql.c>");
        assert!(proftpd(&files(&neg)).unwrap().tls_required.on);
    }

    #[test]
    fn debian_proftpd_defaults() {
        let r = proftpd(&files(&fx("debian-proftpd.conf.txt"))).unwrap();
        assert_eq!(r.path, "/etc/proftpd/proftpd.conf");
        assert!(!r.anonymous.on, "{}", r.anonymous.says);
        assert!(r.local_login.on && r.local_write.on);
        assert!(!r.chroot.on, "{}", r.chroot.says);
        assert!(r.chroot.says.contains("DefaultRoot not set"));
        assert!(
            !r.tls_required.on && !r.tls_offered.on,
            "{}",
            r.tls_offered.says
        );
        assert_eq!(r.transfer_log.as_deref(), Some("/var/log/proftpd/xferlog"));
        assert!(r.transfer_log_says.contains("/etc/proftpd/proftpd.conf:"));
    }

    #[test]
    fn rhel_proftpd_with_anonymous_upload_and_tls() {
        let r = proftpd(&files(&fx("rhel-proftpd.conf.txt"))).unwrap();
        assert_eq!(r.path, "/etc/proftpd.conf");
        assert!(r.anonymous.on, "{}", r.anonymous.says);
        assert!(r
            .anonymous
            .says
            .starts_with("<Anonymous ~ftp> (/etc/proftpd.conf:"));
        assert_eq!(r.anon_root.as_deref(), Some("~ftp"));
        assert!(r.anon_upload.on, "{}", r.anon_upload.says);
        assert!(
            r.anon_upload.says.contains("AllowAll"),
            "{}",
            r.anon_upload.says
        );
        assert!(r.chroot.on, "{}", r.chroot.says);
        assert!(r.chroot.says.contains("DefaultRoot ~ !adm"));
        // TLS only under <IfDefine TLS>: the -D flags are unknown, so it
        // does not count as on (a possible false fail, never a false pass)
        assert!(
            !r.tls_offered.on && !r.tls_required.on,
            "{}",
            r.tls_required.says
        );
        assert!(
            r.tls_offered.says.contains("inside <IfDefine TLS>"),
            "{}",
            r.tls_offered.says
        );
        assert_eq!(r.transfer_log.as_deref(), Some("/var/log/xferlog"));
        assert!(r.local_write.on, "{}", r.local_write.says);
    }

    #[test]
    fn debian_pure_ftpd_conf_dir() {
        let f = files(&fx("debian-pure-ftpd-conf.txt"));
        let r = pureftpd(&f, Some("/srv/ftp")).unwrap();
        assert_eq!(r.path, "/etc/pure-ftpd/conf/");
        assert!(!r.anonymous.on);
        assert!(r
            .anonymous
            .says
            .contains("NoAnonymous yes (/etc/pure-ftpd/conf/NoAnonymous)"));
        assert!(r.local_login.on && r.local_write.on);
        assert!(!r.chroot.on && r.chroot.says.contains("default is no"));
        assert!(!r.tls_required.on && !r.tls_offered.on);
        assert_eq!(
            r.transfer_log.as_deref(),
            Some("/var/log/pure-ftpd/transfer.log")
        );
    }

    #[test]
    fn upstream_pure_ftpd_conf_as_rhel_ships_it() {
        let f = files(&fx("rhel-pure-ftpd.conf.txt"));
        let r = pureftpd(&f, Some("/var/ftp")).unwrap();
        assert_eq!(r.path, "/etc/pure-ftpd/pure-ftpd.conf");
        assert!(r.anonymous.on, "{}", r.anonymous.says);
        assert!(r.anon_upload.on, "{}", r.anon_upload.says);
        assert!(r.chroot.on, "{}", r.chroot.says);
        assert!(!r.tls_offered.on, "{}", r.tls_offered.says);
        assert!(r.transfer_log.is_none());
        // without an ftp account nobody logs in anonymously
        let r = pureftpd(&f, None).unwrap();
        assert!(!r.anonymous.on && r.anonymous.says.contains("no ftp account"));
        // TLS 2 requires it for logins, TLS 1 only offers it
        let mut tls = f.clone();
        tls[0].1.push("TLS 2".into());
        assert!(pureftpd(&tls, None).unwrap().tls_required.on);
        tls[0].1.push("TLS 1".into());
        let r = pureftpd(&tls, None).unwrap();
        assert!(r.tls_offered.on && !r.tls_required.on);
    }

    #[test]
    fn nothing_configured_is_none() {
        assert!(proftpd(&[]).is_none());
        assert!(pureftpd(&[], None).is_none());
        assert!(files("no header\n").is_empty());
    }
}
