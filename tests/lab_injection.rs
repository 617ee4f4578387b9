//! Hostile values run nothing: inventory vars and host names full of shell
//! metacharacters reach probes verbatim, as data, and nothing they spell
//! runs on the target (or on the auditor). Needs the lab: run
//! `bash tests/run.sh`.
//!
//! Host names: shell metacharacters are allowed and reported verbatim (a
//! name never reaches a shell: it is a label in reports and, sanitised, a
//! --save-facts file name). Control characters (newline, ESC) are rejected
//! at load, exit 2 with file:line:col, because a name is printed as it is in
//! the table report, where a newline could forge a host's summary line and
//! an escape sequence could drive the terminal.

mod common;

use common::*;
use std::fs;
use std::path::Path;

const FTP2: &str = "10.203.0.13";

/// Each hostile value, and the marker file it would create if it ran.
fn hostile() -> Vec<String> {
    vec![
        "'; touch /tmp/pwned; '".into(),
        "$(touch /tmp/pwned2)".into(),
        "`touch /tmp/pwned3`".into(),
        "x\ntouch /tmp/pwned4\n".into(),
        "\"; touch /tmp/pwned5; \"".into(),
        "${IFS}|touch /tmp/pwned6&".into(),
    ]
}

/// The YAML scalar for `s` (JSON strings are YAML).
fn y(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn ylist(items: &[String]) -> String {
    format!(
        "[{}]",
        items.iter().map(|s| y(s)).collect::<Vec<_>>().join(", ")
    )
}

/// The names of hosts, their addresses; every name is hostile.
fn hosts() -> Vec<(String, &'static str)> {
    vec![
        ("web'; touch /tmp/pwned-name; '".into(), CLEAN),
        ("$(touch /tmp/pwned-name2)".into(), LEGACY),
        ("`touch /tmp/pwned-name3`;|&>x".into(), FTP2),
    ]
}

fn inventory_text(extra_hosts: &str) -> String {
    let h = hostile();
    let mut t = format!(
        "defaults: {{user: root, identity_file: {key}}}\nvars:\n  domain: {d}\n  organization: {o}\n  management_networks: {m}\n  min_log_retention_days: {r}\n  password_budget_secs: 2\nhosts:\n",
        key = key("id_ed25519").display(),
        d = y(&h[0]),
        o = ylist(&h[1..5]),
        m = ylist(&[h[0].clone(), h[1].clone(), "10.0.0.0/8".into()]),
        r = y(&h[5]),
    );
    for (name, addr) in hosts() {
        t.push_str(&format!("  {}: {{address: {addr}}}\n", y(&name)));
    }
    t.push_str(extra_hosts);
    t
}

/// No marker file exists on any lab host, nor on the auditor.
fn assert_nothing_ran() {
    for addr in [CLEAN, LEGACY, FTP2] {
        let found = root_ssh(addr, "ls -d /tmp/pwned* /pwned* 2>/dev/null; true");
        assert_eq!(found.trim(), "", "a hostile value ran on {addr}: {found}");
    }
    for e in fs::read_dir("/tmp").unwrap().flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        assert!(
            !n.starts_with("pwned"),
            "a hostile value ran here: /tmp/{n}"
        );
    }
}

fn clear_markers() {
    for addr in [CLEAN, LEGACY, FTP2] {
        root_ssh(addr, "rm -f /tmp/pwned*");
    }
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn hostile_vars_and_host_names_run_nothing_with_the_builtin_checks() {
    let _lab = lab_lock();
    require_lab();
    clear_markers();
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inv.yml");
    fs::write(&inv, inventory_text("")).unwrap();
    let kh = known_hosts();
    let facts = dir.path().join("facts");
    for format in ["json", "table"] {
        let out = run(shipshape().args([
            "audit",
            "--inventory",
            inv.to_str().unwrap(),
            "--known-hosts",
            kh.to_str().unwrap(),
            "--audit-date",
            AUDIT_DATE,
            "--format",
            format,
            "--save-facts",
            facts.to_str().unwrap(),
        ]));
        assert_eq!(out.status.code(), Some(1), "findings, no crash");
        let stdout = String::from_utf8_lossy(&out.stdout);
        if format == "json" {
            let report = json(&out);
            for (name, addr) in hosts() {
                let h = host(&report, &name);
                assert_eq!(h["status"], "audited", "{h}");
                assert_eq!(h["address"], addr);
                // Checks that use the hostile values say so, never crash.
                for f in h["findings"].as_array().unwrap() {
                    assert!(!f["evidence"].as_str().unwrap().is_empty(), "{f}");
                }
                let ssh = finding(h, "ssh-source-restricted");
                eprintln!("{name}: ssh-source-restricted: {ssh}");
                assert_eq!(ssh["status"], "error", "{ssh}");
                assert!(
                    ssh["evidence"]
                        .as_str()
                        .unwrap()
                        .contains("is not an address or CIDR"),
                    "{ssh}"
                );
                let logs = finding(h, "log-retention");
                eprintln!("{name}: log-retention: {logs}");
                assert_eq!(logs["status"], "error", "{logs}");
                assert!(
                    logs["evidence"]
                        .as_str()
                        .unwrap()
                        .contains("min_log_retention_days"),
                    "{logs}"
                );
            }
        } else {
            for (name, _) in hosts() {
                assert!(stdout.contains(&format!("{name}: audited")), "{stdout}");
            }
        }
    }
    // --save-facts names files after hosts, made plain.
    let mut files: Vec<String> = fs::read_dir(&facts)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    for f in &files {
        assert!(
            f.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
            "{f}"
        );
    }
    assert_eq!(files.len(), 3, "{files:?}");
    assert_nothing_ran();
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn probes_receive_hostile_values_verbatim() {
    let _lab = lab_lock();
    require_lab();
    clear_markers();
    let h = hostile();
    let dir = tempfile::tempdir().unwrap();
    let checks = dir.path().join("checks");
    fs::create_dir(&checks).unwrap();
    // One bracketed line per value; `od` shows the exact bytes of one.
    let mut yaml = String::from(
        "probes:\n  - id: inj.echo\n    description: echoes parameters\n    sh: |\n      printf '[%s]\\n' {{domain}} {{organization}} {{ min_log_retention_days }} {{management_networks}}\n      printf '%s' {{domain}} | od -An -tx1 | tr -d ' \\n'; echo\nchecks:\n",
    );
    for (i, v) in h.iter().enumerate() {
        // A `contains` test on the value itself (the first line of it).
        let first = v.lines().next().unwrap();
        yaml.push_str(&format!(
            "  - id: saw-{i}\n    title: t\n    category: outdated-software\n    countermeasure: 4\n    severity: low\n    rationale: r\n    remediation: m\n    fail_if: {{probe: inj.echo, contains: {}}}\n",
            y(&format!("[{first}"))
        ));
    }
    fs::write(checks.join("inj.yml"), yaml).unwrap();
    let inv = dir.path().join("inv.yml");
    fs::write(&inv, inventory_text("")).unwrap();
    let facts = dir.path().join("facts");
    let out = run(shipshape().args([
        "audit",
        "--inventory",
        inv.to_str().unwrap(),
        "--known-hosts",
        known_hosts().to_str().unwrap(),
        "--checks",
        checks.to_str().unwrap(),
        "--format",
        "json",
        "--save-facts",
        facts.to_str().unwrap(),
    ]));
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let mut expected = String::new();
    for v in [&h[0], &h[1], &h[2], &h[3], &h[4], &h[5], &h[0], &h[1]] {
        expected.push_str(&format!("[{v}]\n"));
    }
    expected.push_str("[10.0.0.0/8]\n");
    for (name, _) in hosts() {
        let host_report = host(&report, &name);
        assert_eq!(host_report["status"], "audited", "{host_report}");
        for i in 0..h.len() {
            let f = finding(host_report, &format!("saw-{i}"));
            assert_eq!(f["status"], "fail", "value {i} did not arrive: {f}");
        }
    }
    for e in fs::read_dir(&facts).unwrap().flatten() {
        let saved: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(e.path()).unwrap()).unwrap();
        let content = saved["probes"]["inj.echo"]["content"].as_str().unwrap();
        let (echoed, od) = content.split_at(expected.len().min(content.len()));
        assert_eq!(echoed, expected, "{}", e.path().display());
        let hex: String = h[0].bytes().map(|b| format!("{b:02x}")).collect();
        assert_eq!(od.trim(), hex, "the exact bytes of `domain`");
    }
    assert_nothing_ran();
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn host_names_with_control_characters_are_rejected_at_load() {
    let _lab = lab_lock();
    require_lab();
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inv.yml");
    // Line 12 of the file (after the 8 header lines and 3 hosts).
    let text = inventory_text(&format!(
        "  {}: {{address: {CLEAN}}}\n",
        y("evil\nlegacy: audited, 0 fail\u{1b}[2J")
    ));
    assert_eq!(text.lines().count(), 12, "{text}");
    fs::write(&inv, text).unwrap();
    let before = exec_requests("clean");
    let out = run(shipshape().args([
        "audit",
        "--inventory",
        inv.to_str().unwrap(),
        "--known-hosts",
        known_hosts().to_str().unwrap(),
    ]));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:12:3:", inv.display())) && err.contains("control characters"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(exec_requests("clean"), before, "nothing was audited");
    assert!(Path::new(&inv).exists());
}
