//! End-to-end audits of the lab's hosts over real SSH: findings of the
//! built-in checks, host-key policy, unreachable hosts, exit codes and the
//! one-exec-per-host design. Needs the lab: run `bash tests/run.sh`.

mod common;

use common::*;
use std::io::Write;
use std::time::{Duration, Instant};

/// A profile with only fast checks, for tests of SSH behaviour.
fn quick_profile() -> String {
    repo()
        .join("tests/fixtures/profiles/quick.yml")
        .to_string_lossy()
        .into_owned()
}

fn audit_lab(extra: &[&str]) -> std::process::Output {
    lab_audit(&[&["--format", "json"], extra].concat())
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn the_incident_host_fails_and_the_clean_host_passes() {
    let _lab = lab_lock();
    require_lab();
    let out = audit_lab(&[]);
    assert_eq!(out.status.code(), Some(1), "failing findings exit 1");
    let report = json(&out);
    assert_eq!(report["tool"]["name"], "shipshape");
    assert_eq!(report["profile"], "go-live");
    assert!(report["started_at"].is_string() && report["finished_at"].is_string());

    let legacy = host(&report, "legacy");
    assert_eq!(legacy["status"], "audited", "{legacy}");
    assert_eq!(legacy["address"], LEGACY);
    assert!(legacy["error"].is_null());
    let apache = finding(legacy, "apache-version");
    assert_eq!(apache["status"], "fail", "{apache}");
    assert_eq!(apache["category"], "outdated-software");
    assert_eq!(apache["countermeasure"], 4);
    let ev = apache["evidence"].as_str().unwrap();
    assert!(
        ev.contains("2.2.21")
            && ev.contains("/usr/local/apache2/bin/httpd")
            && ev.contains("self-built"),
        "{ev}"
    );
    let php = finding(legacy, "php-version");
    assert_eq!(php["status"], "fail", "{php}");
    assert!(
        php["evidence"].as_str().unwrap().contains("5.3.29"),
        "{php}"
    );
    let ftp = finding(legacy, "ftp-server");
    assert_eq!(ftp["status"], "fail", "{ftp}");
    assert_eq!(ftp["category"], "ftp-service");
    assert_eq!(ftp["countermeasure"], 1);
    let ev = ftp["evidence"].as_str().unwrap();
    assert!(ev.contains("listening") && ev.contains("vsftpd"), "{ev}");

    let clean = host(&report, "clean");
    assert_eq!(clean["status"], "audited", "{clean}");
    for check in ["apache-version", "php-version", "ftp-server"] {
        let f = finding(clean, check);
        assert_eq!(f["status"], "pass", "{check} on clean: {f}");
    }
    let ev = finding(clean, "apache-version")["evidence"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        ev.contains("apache2-bin") && ev.contains("method: package manager"),
        "{ev}"
    );
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn a_clean_host_alone_exits_zero_and_prints_the_table() {
    let _lab = lab_lock();
    require_lab();
    let kh = known_hosts();
    let key = key("id_ed25519");
    let out = run(shipshape().args([
        "audit",
        &format!("root@{CLEAN}"),
        "--known-hosts",
        kh.to_str().unwrap(),
        "--identity",
        key.to_str().unwrap(),
        "--audit-date",
        AUDIT_DATE,
    ]));
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("No failing findings"), "{text}");
    assert!(text.contains("Summary: 1 of 1 hosts audited"), "{text}");
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn the_table_is_ordered_by_countermeasure() {
    let _lab = lab_lock();
    let quick = quick_profile();
    require_lab();
    let out = lab_audit(&["--profile", quick.as_str()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let cm1 = text
        .find("1. Stop unneeded")
        .expect("countermeasure 1 heading");
    let cm4 = text
        .find("4. Keep the OS")
        .expect("countermeasure 4 heading");
    assert!(cm1 < cm4, "groups in countermeasure order");
    assert!(text.contains("legacy: audited"), "{text}");
    assert!(text.contains("Summary: 3 of 3 hosts audited"), "{text}");
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn exactly_one_exec_request_per_host() {
    let _lab = lab_lock();
    let quick = quick_profile();
    require_lab();
    let before = (exec_requests("legacy"), exec_requests("clean"));
    let out = audit_lab(&["--profile", quick.as_str()]);
    assert_eq!(out.status.code(), Some(1));
    // sshd may flush its log a moment after the session closes.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut after = (exec_requests("legacy"), exec_requests("clean"));
    while after != (before.0 + 1, before.1 + 1) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        after = (exec_requests("legacy"), exec_requests("clean"));
    }
    assert_eq!(
        after,
        (before.0 + 1, before.1 + 1),
        "one exec per host per audit"
    );
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn unknown_host_keys_are_refused_unless_accepted() {
    let _lab = lab_lock();
    let quick = quick_profile();
    require_lab();
    let dir = tempfile::tempdir().unwrap();
    let kh = dir.path().join("known_hosts");
    let inv = inventory();
    let before = exec_requests("legacy");
    let strict = |extra: &[&str]| {
        let mut args = vec![
            "audit",
            "--profile",
            quick.as_str(),
            "--inventory",
            inv.to_str().unwrap(),
            "--known-hosts",
            kh.to_str().unwrap(),
            "--format",
            "json",
            "--audit-date",
            AUDIT_DATE,
        ];
        args.extend_from_slice(extra);
        run(shipshape().args(&args))
    };
    let out = strict(&[]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    for name in ["legacy", "clean"] {
        let h = host(&report, name);
        assert_eq!(h["status"], "host-key-unknown", "{h}");
        assert!(h["error"].as_str().unwrap().contains("SHA256:"), "{h}");
        assert!(h["findings"].as_array().unwrap().is_empty());
    }
    assert_eq!(
        exec_requests("legacy"),
        before,
        "nothing ran on a refused host"
    );

    let out = strict(&["--accept-new-host-keys"]);
    let report = json(&out);
    assert_eq!(host(&report, "legacy")["status"], "audited");
    let recorded = std::fs::read_to_string(&kh).unwrap();
    assert!(
        recorded.contains(LEGACY) && recorded.contains(CLEAN),
        "{recorded}"
    );

    // Recorded keys are now trusted under strict checking.
    let out = strict(&[]);
    let report = json(&out);
    assert_eq!(host(&report, "legacy")["status"], "audited");
    assert_eq!(host(&report, "clean")["status"], "audited");
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn a_changed_host_key_is_refused_and_nothing_runs() {
    let _lab = lab_lock();
    let quick = quick_profile();
    require_lab();
    // known_hosts that pins legacy's address to clean's keys.
    let real = std::fs::read_to_string(known_hosts()).unwrap();
    let mut forged = String::new();
    for line in real.lines() {
        if let Some(rest) = line.strip_prefix(&format!("{CLEAN} ")) {
            forged.push_str(&format!("{CLEAN} {rest}\n{LEGACY} {rest}\n"));
        }
    }
    assert!(
        forged.contains(LEGACY),
        "the lab's known_hosts lists {CLEAN}"
    );
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(forged.as_bytes()).unwrap();
    let before = exec_requests("legacy");
    let inv = inventory();
    let out = run(shipshape().args([
        "audit",
        "--profile",
        quick.as_str(),
        "--inventory",
        inv.to_str().unwrap(),
        "--known-hosts",
        f.path().to_str().unwrap(),
        "--accept-new-host-keys",
        "--format",
        "json",
    ]));
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let legacy = host(&report, "legacy");
    assert_eq!(legacy["status"], "host-key-mismatch", "{legacy}");
    assert!(legacy["findings"].as_array().unwrap().is_empty());
    assert_eq!(host(&report, "clean")["status"], "audited");
    assert_eq!(
        exec_requests("legacy"),
        before,
        "nothing ran on a host with a changed key"
    );
    // The pinned (forged) lines stay exactly as they were; only hosts the
    // file did not know (ftp2) may be appended.
    let after = std::fs::read_to_string(f.path()).unwrap();
    assert!(
        after.starts_with(&forged),
        "--accept-new-host-keys never rewrites a known host's key:\n{after}"
    );
    for added in after[forged.len()..].lines() {
        assert!(
            !added.starts_with(&format!("{LEGACY} ")) && !added.starts_with(&format!("{CLEAN} ")),
            "a known host was re-recorded: {added}"
        );
    }
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn unreachable_hosts_are_reported_while_the_others_complete() {
    let _lab = lab_lock();
    let quick = quick_profile();
    require_lab();
    let key = key("id_ed25519");
    let text = format!(
        "defaults: {{user: root, identity_file: {}}}\nvars: {{password_budget_secs: 5}}\nhosts:\n  legacy: {{address: {LEGACY}}}\n  ghost: {{address: {NOBODY_HOME}}}\n  closed: {{address: 127.0.0.1, port: 1}}\n  clean: {{address: {CLEAN}}}\n",
        key.display()
    );
    let mut inv = tempfile::NamedTempFile::new().unwrap();
    inv.write_all(text.as_bytes()).unwrap();
    let kh = known_hosts();
    let started = Instant::now();
    let out = run(shipshape().args([
        "audit",
        "--profile",
        quick.as_str(),
        "--inventory",
        inv.path().to_str().unwrap(),
        "--known-hosts",
        kh.to_str().unwrap(),
        "--format",
        "json",
        "--timeout",
        "20",
    ]));
    assert!(
        started.elapsed() < Duration::from_secs(40),
        "bounded by the timeouts"
    );
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let names: Vec<_> = report["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].clone())
        .collect();
    assert_eq!(
        names,
        ["legacy", "ghost", "closed", "clean"],
        "every host, in inventory order"
    );
    assert_eq!(host(&report, "legacy")["status"], "audited");
    assert_eq!(host(&report, "clean")["status"], "audited");
    let ghost = host(&report, "ghost");
    assert!(
        ghost["status"] == "unreachable" || ghost["status"] == "timeout",
        "{ghost}"
    );
    assert!(ghost["error"].as_str().is_some_and(|e| !e.is_empty()));
    assert_eq!(host(&report, "closed")["status"], "unreachable");
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn rsa_keys_and_password_auth_work() {
    let _lab = lab_lock();
    let quick = quick_profile();
    require_lab();
    let kh = known_hosts();
    let rsa = key("id_rsa");
    let out = run(shipshape().args([
        "audit",
        "--profile",
        quick.as_str(),
        &format!("root@{LEGACY}"),
        "--known-hosts",
        kh.to_str().unwrap(),
        "--identity",
        rsa.to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(host(&json(&out), LEGACY)["status"], "audited");

    // Password from the environment, never from argv.
    let out = run(shipshape()
        .env("SHIPSHAPE_PASSWORD", "Lab-auditor-pw-7")
        .env("HOME", "/nonexistent")
        .args([
            "audit",
            "--profile",
            quick.as_str(),
            &format!("auditor@{CLEAN}"),
            "--known-hosts",
            kh.to_str().unwrap(),
            "--format",
            "json",
            "--audit-date",
            AUDIT_DATE,
        ]));
    let report = json(&out);
    assert_eq!(host(&report, CLEAN)["status"], "audited", "{report}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Lab-auditor-pw-7"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Lab-auditor-pw-7"));

    let out = run(shipshape()
        .env("SHIPSHAPE_PASSWORD", "wrong-password")
        .env("HOME", "/nonexistent")
        .args([
            "audit",
            "--profile",
            quick.as_str(),
            &format!("auditor@{CLEAN}"),
            "--known-hosts",
            kh.to_str().unwrap(),
            "--format",
            "json",
        ]));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(host(&json(&out), CLEAN)["status"], "auth-failed");
}
