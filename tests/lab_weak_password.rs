//! The weak-password checks against the lab's hosts over real SSH. The
//! legacy host's maintenance account `seaways` has a password derived from
//! the domain (`Seaways2017`); the clean host's `auditor` has one that is
//! not (`Lab-auditor-pw-7`). Needs the lab: run `bash tests/run.sh`.

mod common;

use common::*;
use std::io::Write;

const LEGACY_PASSWORD: &str = "Seaways2017";
const CLEAN_PASSWORD: &str = "Lab-auditor-pw-7";

/// A profile with only the weak-password checks. legacy's `seaways` uses
/// SHA-512 crypt and Seaways2017 is among the first ~150 candidates, so the
/// budget leaves room for yescrypt on a loaded machine too; each other
/// hash (the `auditor` accounts) costs the whole budget.
fn profile() -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".yml").tempfile().unwrap();
    f.write_all(
        b"name: lab-weak-password\n\
          description: weak-password checks only\n\
          select: {categories: [weak-password]}\n\
          params: {password_budget_secs: 15}\n",
    )
    .unwrap();
    f
}

/// legacy and clean only (ftp2 would add two more budgets), with the lab
/// inventory's domain and organisation names.
fn inventory_two_hosts() -> tempfile::NamedTempFile {
    let text = format!(
        "defaults: {{user: root, port: 22, identity_file: {}}}\n\
         vars: {{domain: seaways.example.jp, organization: [seaways, \"Seaways Ferry\"]}}\n\
         hosts:\n  legacy: {{address: {LEGACY}}}\n  clean: {{address: {CLEAN}}}\n",
        key("id_ed25519").display()
    );
    let mut f = tempfile::Builder::new().suffix(".yml").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
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

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn the_domain_derived_password_is_guessed_on_legacy_and_not_on_clean() {
    let _lab = lab_lock();
    require_lab();
    let inv = inventory_two_hosts();
    let kh = known_hosts();
    let prof = profile();
    let out = run(shipshape().args([
        "audit",
        "--inventory",
        inv.path().to_str().unwrap(),
        "--known-hosts",
        kh.to_str().unwrap(),
        "--profile",
        prof.path().to_str().unwrap(),
        "--format",
        "json",
        "--audit-date",
        AUDIT_DATE,
    ]));
    assert_never_shown(&out);
    assert_eq!(out.status.code(), Some(1), "a failing finding exits 1");
    let report = json(&out);

    let legacy = host(&report, "legacy");
    assert_eq!(legacy["status"], "audited", "{legacy}");
    let f = finding(legacy, "password-guessable");
    assert_eq!(f["status"], "fail", "{f}");
    assert_eq!(f["category"], "weak-password");
    assert_eq!(f["countermeasure"], 2);
    assert_eq!(f["severity"], "critical");
    let ev = f["evidence"].as_str().unwrap();
    assert!(
        ev.contains("account seaways: password guessed offline (S*********7, 11 chars, derived from \"seaways\" + year;"),
        "{ev}"
    );
    assert!(!ev.contains(LEGACY_PASSWORD));
    for check in ["password-empty", "password-weak-hash"] {
        let f = finding(legacy, check);
        assert_eq!(f["status"], "pass", "{check} on legacy: {f}");
    }
    assert!(
        finding(legacy, "password-weak-hash")["evidence"]
            .as_str()
            .unwrap()
            .contains("sha512crypt"),
        "legacy hashes like RHEL 7"
    );
    // The planted second root (`sysbackup`, uid 0, locked).
    let f = finding(legacy, "uid0-duplicate");
    assert_eq!(f["status"], "fail", "{f}");
    assert!(f["evidence"].as_str().unwrap().contains("sysbackup"), "{f}");

    let clean = host(&report, "clean");
    assert_eq!(clean["status"], "audited", "{clean}");
    let f = finding(clean, "password-guessable");
    assert_eq!(f["status"], "pass", "{f}");
    let ev = f["evidence"].as_str().unwrap();
    assert!(ev.contains("account auditor: not guessed ("), "{ev}");
    assert!(!ev.contains(CLEAN_PASSWORD));
    for check in ["password-empty", "password-weak-hash", "uid0-duplicate"] {
        let f = finding(clean, check);
        assert_eq!(f["status"], "pass", "{check} on clean: {f}");
    }
    let yescrypt = finding(clean, "password-weak-hash")["evidence"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(yescrypt.contains("yescrypt"), "{yescrypt}");
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn without_root_the_shadow_checks_skip_never_pass() {
    let _lab = lab_lock();
    require_lab();
    let kh = known_hosts();
    let prof = profile();
    let out = run(shipshape()
        .env("SHIPSHAPE_PASSWORD", CLEAN_PASSWORD)
        .env("HOME", "/nonexistent")
        .args([
            "audit",
            &format!("auditor@{CLEAN}"),
            "--known-hosts",
            kh.to_str().unwrap(),
            "--profile",
            prof.path().to_str().unwrap(),
            "--format",
            "json",
            "--audit-date",
            AUDIT_DATE,
        ]));
    assert_never_shown(&out);
    let report = json(&out);
    let h = host(&report, CLEAN);
    assert_eq!(h["status"], "audited", "{h}");
    for check in ["password-guessable", "password-weak-hash"] {
        let f = finding(h, check);
        assert_eq!(f["status"], "skip", "{check} without root: {f}");
        assert!(
            f["evidence"].as_str().unwrap().contains("needs root"),
            "{f}"
        );
    }
    // /etc/passwd is world-readable: these still decide.
    assert_eq!(finding(h, "uid0-duplicate")["status"], "pass");
}
