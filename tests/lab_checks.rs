//! The check library against the lab: every check fails on a host that has
//! the problem and passes on one that does not (see tests/lab/README.md for
//! what each host plants). Needs the lab: run `bash tests/run.sh`.

mod common;

use common::*;
use std::collections::BTreeMap;

/// (check, host) → expected status. Each check appears at least once as
/// `fail` and once as `pass`.
const EXPECTED: &[(&str, &str, &str)] = &[
    // outdated-software
    ("apache-version", "legacy", "fail"),
    ("apache-version", "clean", "pass"),
    ("php-version", "legacy", "fail"),
    ("php-version", "clean", "pass"),
    ("openssh-version", "legacy", "fail"),
    ("openssh-version", "clean", "pass"),
    ("os-release-supported", "legacy", "fail"),
    ("os-release-supported", "clean", "pass"),
    ("os-release-supported", "ftp2", "pass"),
    ("vsftpd-version", "legacy", "fail"),
    ("vsftpd-version", "ftp2", "pass"),
    ("vsftpd-version", "clean", "skip"),
    ("update-automation", "legacy", "fail"),
    ("update-automation", "clean", "pass"),
    // every lab host runs the lab machine's kernel; clean and ftp2 have
    // Debian kernel packages for it (ftp2 also a newer one, not booted)
    ("kernel-current", "ftp2", "fail"),
    ("kernel-current", "clean", "pass"),
    ("kernel-current", "legacy", "skip"),
    // ftp-service
    ("ftp-server", "legacy", "fail"),
    ("ftp-server", "ftp2", "fail"),
    ("ftp-server", "clean", "pass"),
    ("cleartext-maintenance-service", "ftp2", "fail"),
    ("cleartext-maintenance-service", "legacy", "fail"),
    ("cleartext-maintenance-service", "clean", "pass"),
    ("ftp-anonymous-access", "ftp2", "fail"),
    ("ftp-anonymous-access", "legacy", "pass"),
    ("ftp-anonymous-access", "clean", "skip"),
    ("ftp-local-write", "legacy", "fail"),
    ("ftp-local-write", "ftp2", "pass"),
    ("ftp-chroot", "legacy", "fail"),
    ("ftp-chroot", "ftp2", "pass"),
    ("ftp-cleartext-login", "legacy", "fail"),
    ("ftp-cleartext-login", "ftp2", "pass"),
    ("ftp-upload-to-webroot", "legacy", "fail"),
    ("ftp-upload-to-webroot", "ftp2", "pass"),
    // compromise-indicator
    ("ioc-service-account-crontab", "legacy", "fail"),
    ("ioc-service-account-crontab", "clean", "pass"),
    ("ioc-service-account-login", "legacy", "fail"),
    ("ioc-service-account-login", "clean", "pass"),
    ("ioc-hidden-in-world-writable", "legacy", "fail"),
    ("ioc-hidden-in-world-writable", "clean", "pass"),
    ("ioc-suspicious-process", "legacy", "fail"),
    ("ioc-suspicious-process", "clean", "pass"),
    ("ioc-webroot-scripts", "legacy", "fail"),
    ("ioc-webroot-scripts", "clean", "pass"),
    ("ioc-webroot-newer-scripts", "legacy", "fail"),
    ("ioc-webroot-newer-scripts", "clean", "pass"),
    ("ioc-ftp-uploads", "legacy", "fail"),
    ("ioc-ftp-uploads", "clean", "skip"),
    ("ioc-ftp-uploads", "ftp2", "pass"),
    // log-monitoring
    ("log-retention", "legacy", "fail"),
    ("log-retention", "clean", "pass"),
    ("log-remote-copy", "legacy", "fail"),
    ("log-remote-copy", "clean", "pass"),
    ("log-watching", "legacy", "fail"),
    ("log-watching", "clean", "pass"),
    ("ssh-log-level", "legacy", "fail"),
    ("ssh-log-level", "clean", "pass"),
    ("ftp-transfer-logging", "ftp2", "fail"),
    ("ftp-transfer-logging", "legacy", "pass"),
    // plaintext-credential
    ("plaintext-app-credentials", "legacy", "fail"),
    ("plaintext-app-credentials", "clean", "pass"),
    ("php-ini-credentials", "legacy", "fail"),
    ("php-ini-credentials", "clean", "pass"),
    ("plaintext-maintenance-credentials", "legacy", "fail"),
    ("plaintext-maintenance-credentials", "clean", "pass"),
    // ip-restriction
    ("ssh-source-restricted", "legacy", "fail"),
    ("ssh-source-restricted", "clean", "pass"),
    ("ftp-source-restricted", "legacy", "fail"),
    ("ftp-source-restricted", "ftp2", "pass"),
    ("telnet-source-restricted", "legacy", "fail"),
    ("telnet-source-restricted", "ftp2", "pass"),
    ("telnet-source-restricted", "clean", "skip"),
    ("database-source-restricted", "legacy", "fail"),
    ("database-source-restricted", "ftp2", "pass"),
    ("database-source-restricted", "clean", "pass"),
    ("admin-web-source-restricted", "legacy", "fail"),
    ("admin-web-source-restricted", "clean", "pass"),
    // weak-password
    ("password-guessable", "legacy", "fail"),
    ("password-guessable", "clean", "pass"),
    ("password-empty", "ftp2", "fail"),
    ("password-empty", "clean", "pass"),
    ("password-weak-hash", "ftp2", "fail"),
    ("password-weak-hash", "clean", "pass"),
    ("uid0-duplicate", "legacy", "fail"),
    ("uid0-duplicate", "clean", "pass"),
    ("password-quality-policy", "legacy", "fail"),
    ("password-quality-policy", "clean", "pass"),
];

/// Evidence fragments that must appear (the planted artefacts, by name).
const EVIDENCE: &[(&str, &str, &str)] = &[
    (
        "ioc-service-account-crontab",
        "legacy",
        "/usr/local/share/man/.cache/.x/upd",
    ),
    ("ioc-service-account-login", "legacy", "apache"),
    (
        "ioc-hidden-in-world-writable",
        "legacy",
        "/usr/local/share/man/.cache/.x",
    ),
    (
        "ioc-suspicious-process",
        "legacy",
        "stratum+tcp://pool.example.invalid:3333",
    ),
    ("ioc-webroot-scripts", "legacy", "wp-cron.php"),
    ("ioc-ftp-uploads", "legacy", "203.0.113.45"),
    ("log-retention", "legacy", "35 days"),
    ("plaintext-app-credentials", "legacy", "DB_PASSWORD"),
    // The server's option file: world-readable, with the nightly dump's password.
    (
        "plaintext-app-credentials",
        "legacy",
        "/etc/my.cnf.d/backup.cnf: password = N***************7 (17 chars",
    ),
    (
        "plaintext-maintenance-credentials",
        "legacy",
        "/var/spool/cron/crontabs/root: -p = S***********b",
    ),
    (
        "php-ini-credentials",
        "legacy",
        "/usr/local/php/lib/php.ini:33 [MySQL] mysql.default_password = S***********b",
    ),
    (
        "php-ini-credentials",
        "legacy",
        "/usr/local/apache2/conf/httpd.conf:76 [php_admin_value] mysqli.default_pw = S***********b",
    ),
    (
        "php-ini-credentials",
        "clean",
        "/etc/php/8.2/apache2/php.ini",
    ),
    ("os-release-supported", "legacy", "7.9"),
    ("os-release-supported", "clean", "until 2028-06-30"),
    ("ftp-upload-to-webroot", "legacy", "seaways"),
    ("ftp-source-restricted", "ftp2", "10.203.0.0/24"),
    ("password-guessable", "legacy", "seaways"),
    ("password-empty", "ftp2", "guest"),
    ("password-weak-hash", "ftp2", "olduser"),
    ("uid0-duplicate", "legacy", "sysbackup"),
    (
        "plaintext-maintenance-credentials",
        "legacy",
        "/root/.bash_history",
    ),
    ("cleartext-maintenance-service", "ftp2", "telnet"),
    (
        "cleartext-maintenance-service",
        "legacy",
        "0.0.0.0 23 inetd",
    ),
    (
        "ioc-webroot-newer-scripts",
        "legacy",
        "htdocs/cron.php 2017-12-25",
    ),
    (
        "ioc-webroot-newer-scripts",
        "legacy",
        "htdocs/wp-cron.php 2017-12-12",
    ),
    ("ioc-webroot-newer-scripts", "legacy", "median (2016-11-18)"),
    (
        "telnet-source-restricted",
        "legacy",
        "started without tcpd (/etc/inetd.conf:3)",
    ),
    (
        "telnet-source-restricted",
        "ftp2",
        "telnetd: 10.203.0.0/255.255.255.0",
    ),
    (
        "database-source-restricted",
        "legacy",
        "mariadbd on 0.0.0.0:3306: reachable from any IPv4 address",
    ),
    (
        "database-source-restricted",
        "ftp2",
        "bind-address=127.0.0.1 (/etc/mysql/mariadb.conf.d/50-server.cnf",
    ),
    ("admin-web-source-restricted", "legacy", "Allow from all"),
    ("admin-web-source-restricted", "clean", "Require local"),
    ("kernel-current", "legacy", "is not on this file system"),
    (
        "kernel-current",
        "ftp2",
        "a newer kernel is installed but not running: linux-image-",
    ),
    ("kernel-current", "ftp2", "/var/run/reboot-required exists"),
    (
        "kernel-current",
        "clean",
        "the newest installed kernel is running",
    ),
];

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn every_check_fails_where_the_problem_is_and_passes_where_it_is_not() {
    let _lab = lab_lock();
    require_lab();
    let out = lab_audit(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let mut wrong = Vec::new();
    for (check, host_name, want) in EXPECTED {
        let f = finding(host(&report, host_name), check);
        if f["status"] != *want {
            wrong.push(format!(
                "{check} on {host_name}: want {want}, got {} ({})",
                f["status"], f["evidence"]
            ));
        }
    }
    for (check, host_name, fragment) in EVIDENCE {
        let ev = finding(host(&report, host_name), check)["evidence"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if !ev.contains(fragment) {
            wrong.push(format!(
                "{check} on {host_name}: evidence lacks {fragment:?}: {ev}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} mismatches:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    // Coverage: each check of the library is shown both failing and passing.
    let mut seen: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
    for (check, _, want) in EXPECTED {
        let e = seen.entry(check).or_default();
        e.0 |= *want == "fail";
        e.1 |= *want == "pass";
    }
    let half: Vec<_> = seen
        .iter()
        .filter(|(_, (f, p))| !(*f && *p))
        .map(|(c, _)| *c)
        .collect();
    assert!(
        half.is_empty(),
        "checks not shown both failing and passing: {half:?}"
    );

    // No category fails on the clean host.
    let clean = host(&report, "clean");
    let failing: Vec<_> = clean["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| format!("{} ({})", f["check"], f["category"]))
        .collect();
    assert!(failing.is_empty(), "the clean host fails: {failing:?}");

    // The password planted in config.php never reaches the report.
    let text = String::from_utf8_lossy(&out.stdout);
    for secret in ["Seaways2017db", "Seaways2017", "Lab-auditor-pw-7"] {
        assert!(!text.contains(secret), "{secret} appears in the report");
    }
}

const FTP3: &str = "10.203.0.15";

/// ftp3 (not in inventory.yml): a real ProFTPD, hardened. Each FTP check
/// reads ProFTPD's configuration (with its conf.d includes and the modules
/// loaded) and passes with the directive that decides it; the daemon itself
/// behaves as judged (plain logins refused, TLS logins work, no uploads).
const FTP3_EXPECTED: &[(&str, &str, &str)] = &[
    ("ftp-server", "fail", "proftpd"),
    ("ftp-anonymous-access", "pass", "no <Anonymous> section"),
    (
        "ftp-local-write",
        "pass",
        "<Limit WRITE> DenyAll (/etc/proftpd/conf.d/50-lab.conf:8)",
    ),
    (
        "ftp-chroot",
        "pass",
        "DefaultRoot ~ (/etc/proftpd/conf.d/50-lab.conf:5)",
    ),
    (
        "ftp-cleartext-login",
        "pass",
        "TLSRequired on (/etc/proftpd/conf.d/60-tls.conf:8)",
    ),
    ("ftp-upload-to-webroot", "pass", "FTP cannot write files"),
    (
        "ftp-transfer-logging",
        "pass",
        "TransferLog /var/log/proftpd/xferlog",
    ),
    ("ioc-ftp-uploads", "pass", "3 transfers"),
    (
        "ftp-source-restricted",
        "pass",
        "proftpd on *:21: restricted to 10.203.0.0/24",
    ),
    ("cleartext-maintenance-service", "pass", "no telnet"),
];

fn curl_ftp(args: &[&str], user: &str, password: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new("curl")
        .args(["-sS", "--max-time", "20", "-K", "-"])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("curl runs");
    // The password goes to curl on stdin, never in its arguments.
    writeln!(child.stdin.take().unwrap(), "user = \"{user}:{password}\"").unwrap();
    child.wait_with_output().unwrap()
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn proftpd_host_is_judged_from_its_real_configuration() {
    let _lab = lab_lock();
    require_lab();
    let mut inv = tempfile::Builder::new().suffix(".yml").tempfile().unwrap();
    std::io::Write::write_all(
        &mut inv,
        format!(
            "defaults: {{user: root, identity_file: {}}}\n\
             vars: {{domain: seaways.example.jp, password_budget_secs: 2}}\n\
             hosts:\n  ftp3: {{address: {FTP3}}}\n",
            key("id_ed25519").display()
        )
        .as_bytes(),
    )
    .unwrap();
    let out = run(shipshape().args([
        "audit",
        "--inventory",
        inv.path().to_str().unwrap(),
        "--known-hosts",
        known_hosts().to_str().unwrap(),
        "--audit-date",
        AUDIT_DATE,
        "--format",
        "json",
        "--quiet",
    ]));
    let report = json(&out);
    let h = host(&report, "ftp3");
    assert_eq!(h["status"], "audited", "{h}");
    let mut wrong = Vec::new();
    for (check, want, fragment) in FTP3_EXPECTED {
        let f = finding(h, check);
        let ev = f["evidence"].as_str().unwrap_or_default();
        if f["status"] != *want || !ev.contains(fragment) {
            wrong.push(format!(
                "{check}: want {want} with {fragment:?}, got {} ({ev})",
                f["status"]
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // The daemon does what the configuration says.
    let pw = root_ssh(FTP3, "cat /run/lab/agency.password")
        .trim()
        .to_string();
    assert_eq!(pw.len(), 32);
    let url = format!("ftp://{FTP3}/releases/");
    let tls = curl_ftp(&["--ssl-reqd", "-k", &url], "agency", &pw);
    assert!(tls.status.success(), "TLS login: {tls:?}");
    assert!(String::from_utf8_lossy(&tls.stdout).contains("site-2025-11.tar.gz"));
    let plain = curl_ftp(&[&url], "agency", &pw);
    assert!(
        !plain.status.success(),
        "a plain-text login worked: {plain:?}"
    );
    let upload_url = format!("ftp://{FTP3}/upload-test.txt");
    let up = curl_ftp(
        &["--ssl-reqd", "-k", "-T", "/etc/hostname", &upload_url],
        "agency",
        &pw,
    );
    assert!(!up.status.success(), "an upload worked: {up:?}");
    assert_eq!(
        root_ssh(FTP3, "ls /srv/ftp/agency").trim(),
        "README\nreleases",
        "nothing was written"
    );
    // The password never reaches the report.
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&pw));
}
