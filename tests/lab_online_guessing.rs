//! Online guessing (`--online-guessing`) against the lab: legacy's
//! maintenance account `seaways` (`Seaways2017`) logs in over FTP and SSH;
//! clean's `auditor` does not; ftp2's FTP wants TLS, which counts as "could
//! not test", never as a guess. Without the flag nothing is tried: the
//! audit is its one SSH session. Needs the lab: run `bash tests/run.sh`.

mod common;

use common::*;
use std::io::Write;
use std::path::Path;

const LEGACY_PASSWORD: &str = "Seaways2017";
const CLEAN_PASSWORD: &str = "Lab-auditor-pw-7";
const FTP2: &str = "10.203.0.13";

/// The built-in go-live profile with a shorter delay between attempts.
fn go_live_fast() -> tempfile::NamedTempFile {
    let text = std::fs::read_to_string(repo().join("profiles/go-live.yml")).unwrap();
    assert!(
        text.contains("online_guessing_delay_ms: 1000"),
        "go-live sets the delay"
    );
    let text = text.replace(
        "online_guessing_delay_ms: 1000",
        "online_guessing_delay_ms: 200",
    );
    let mut f = tempfile::Builder::new().suffix(".yml").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

/// Only the online-guessing check (nothing offline to wait for).
fn only_online_check() -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".yml").tempfile().unwrap();
    f.write_all(
        b"name: lab-online-only\n\
          description: the online-guessing check only\n\
          select: {checks: [password-online-guessable]}\n",
    )
    .unwrap();
    f
}

fn inventory_of(hosts: &[(&str, &str)]) -> tempfile::NamedTempFile {
    let mut text = format!(
        "defaults: {{user: root, port: 22, identity_file: {}}}\n\
         vars: {{domain: seaways.example.jp, organization: [seaways, \"Seaways Ferry\"], password_budget_secs: 5}}\n\
         hosts:\n",
        key("id_ed25519").display()
    );
    for (name, addr) in hosts {
        text.push_str(&format!("  {name}: {{address: {addr}}}\n"));
    }
    let mut f = tempfile::Builder::new().suffix(".yml").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

fn audit(inv: &Path, profile: &Path, online: bool) -> std::process::Output {
    let kh = known_hosts();
    let mut cmd = shipshape();
    cmd.args([
        "audit",
        "--inventory",
        inv.to_str().unwrap(),
        "--known-hosts",
        kh.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
        "--format",
        "json",
        "--audit-date",
        AUDIT_DATE,
    ]);
    if online {
        cmd.arg("--online-guessing");
    }
    run(&mut cmd)
}

fn assert_never_shown(out: &std::process::Output) {
    for stream in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(
            !text.contains(LEGACY_PASSWORD),
            "the legacy password leaked"
        );
        assert!(!text.contains(CLEAN_PASSWORD), "the clean password leaked");
    }
}

/// SSH connections a lab host's sshd has logged so far.
fn ssh_connections(host: &str) -> usize {
    std::fs::read_to_string(
        Path::new(LAB_DIR)
            .join("logs")
            .join(format!("{host}-sshd.log")),
    )
    .unwrap_or_default()
    .lines()
    .filter(|l| l.contains("Connection from "))
    .count()
}

/// Failed FTP logins of `user` in a lab host's /var/log/secure (vsftpd's
/// PAM stack logs each one).
fn ftp_failures(host: &str, user: &str) -> usize {
    let log = Path::new(LAB_DIR).join(format!("hosts/{host}/upper/var/log/secure"));
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| {
            l.contains("pam_unix(vsftpd:auth): authentication failure")
                && l.ends_with(&format!("user={user}"))
        })
        .count()
}

fn evidence(report: &serde_json::Value, host_name: &str) -> (String, String) {
    let h = host(report, host_name);
    assert_eq!(h["status"], "audited", "{h}");
    let f = finding(h, "password-online-guessable");
    assert_eq!(f["category"], "weak-password");
    assert_eq!(f["countermeasure"], 2);
    assert_eq!(f["severity"], "critical");
    (
        f["status"].as_str().unwrap().to_string(),
        f["evidence"].as_str().unwrap().to_string(),
    )
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn online_guessing_logs_in_on_legacy_and_not_on_clean() {
    let _lab = lab_lock();
    require_lab();
    let inv = inventory_of(&[("legacy", LEGACY), ("clean", CLEAN), ("ftp2", FTP2)]);
    let prof = go_live_fast();
    let ftp_before = ftp_failures("legacy", "auditor");
    let seaways_before = ftp_failures("legacy", "seaways");
    let out = audit(inv.path(), prof.path(), true);
    assert_never_shown(&out);
    assert_eq!(out.status.code(), Some(1), "a failing finding exits 1");
    let report = json(&out);

    let (status, ev) = evidence(&report, "legacy");
    assert_eq!(status, "fail", "{ev}");
    for service in ["ftp", "ssh"] {
        let want = format!(
            "{service} seaways: logged in with S*********7 (derived from \"seaways\" + year; found offline first) after 1 attempt"
        );
        assert!(ev.contains(&want), "{want}\nnot in: {ev}");
    }
    assert!(ev.contains("ftp auditor: not guessed ("), "{ev}");
    assert!(
        ev.contains("at most 3 per account, 20 per host, 200 ms apart"),
        "{ev}"
    );

    let (status, ev) = evidence(&report, "clean");
    assert_eq!(status, "pass", "{ev}");
    assert!(ev.contains("ssh auditor: not guessed (3 tried)"), "{ev}");
    assert!(
        ev.contains("nothing listens on tcp 21: FTP not tried"),
        "{ev}"
    );

    // ftp2's vsftpd wants TLS before USER: not a guess, not a pass for FTP.
    let (status, ev) = evidence(&report, "ftp2");
    assert_eq!(status, "pass", "SSH was tried: {ev}");
    assert!(
        ev.contains("ftp ftpuser: not tested (could not test FTP without TLS: the server answered USER with 530 Non-anonymous sessions must use encryption.)"),
        "{ev}"
    );
    assert!(!ev.contains("ftp ftpuser: not guessed"), "{ev}");

    // The target's own log: at most the per-account cap of failed FTP
    // logins for auditor, none for seaways (its first try was right).
    let ftp_after = ftp_failures("legacy", "auditor");
    assert!(
        ftp_after > ftp_before && ftp_after - ftp_before <= 3,
        "failed FTP logins for auditor: {ftp_before} before, {ftp_after} after"
    );
    assert_eq!(ftp_failures("legacy", "seaways"), seaways_before);
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn without_the_flag_nothing_is_tried() {
    let _lab = lab_lock();
    require_lab();
    let inv = inventory_of(&[("legacy", LEGACY), ("clean", CLEAN)]);
    let prof = only_online_check();
    let before = (ssh_connections("legacy"), ssh_connections("clean"));
    let ftp_before = ftp_failures("legacy", "auditor") + ftp_failures("legacy", "seaways");
    let out = audit(inv.path(), prof.path(), false);
    assert_never_shown(&out);
    assert_eq!(out.status.code(), Some(0), "a skip is not a failure");
    let report = json(&out);
    for h in ["legacy", "clean"] {
        let (status, ev) = evidence(&report, h);
        assert_eq!(status, "skip", "{h}: {ev}");
        assert_eq!(ev, "online guessing is off (--online-guessing)");
    }
    // One SSH connection per host: the audit's own session.
    let after = (ssh_connections("legacy"), ssh_connections("clean"));
    assert_eq!(after.0 - before.0, 1, "legacy sshd connections");
    assert_eq!(after.1 - before.1, 1, "clean sshd connections");
    assert_eq!(
        ftp_failures("legacy", "auditor") + ftp_failures("legacy", "seaways"),
        ftp_before,
        "no FTP login"
    );
}
