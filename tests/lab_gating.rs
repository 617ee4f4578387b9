//! Waivers, baselines, `--fail-on-new`, progress and colour against the lab,
//! with real reports. Needs the lab (`bash tests/lab/lab.sh up`).

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A profile with a few quick checks (no password guessing).
fn profile(dir: &Path, name: &str, checks: &[&str], extra: &str) -> PathBuf {
    let p = dir.join(format!("{name}.yml"));
    std::fs::write(
        &p,
        format!(
            "name: {name}\ndescription: gating test\nselect:\n  checks: [{}]\n{extra}",
            checks.join(", ")
        ),
    )
    .unwrap();
    p
}

/// An inventory of legacy and clean only.
fn two_hosts(dir: &Path) -> PathBuf {
    let p = dir.join("inventory.yml");
    std::fs::write(
        &p,
        format!(
            "defaults: {{user: root, port: 22, identity_file: {}}}\nhosts:\n  legacy: {{address: {LEGACY}}}\n  clean: {{address: {CLEAN}}}\n",
            key("id_ed25519").display()
        ),
    )
    .unwrap();
    p
}

fn audit(inventory: &Path, profile: &Path, extra: &[&str]) -> Output {
    let kh = known_hosts();
    let mut args = vec![
        "audit",
        "--inventory",
        inventory.to_str().unwrap(),
        "--known-hosts",
        kh.to_str().unwrap(),
        "--audit-date",
        AUDIT_DATE,
        "--profile",
        profile.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(shipshape().args(&args))
}

fn status<'a>(report: &'a Value, host_name: &str, check: &str) -> &'a str {
    finding(host(report, host_name), check)["status"]
        .as_str()
        .unwrap()
}

const CHECKS: [&str; 5] = [
    "ftp-server",
    "update-automation",
    "ioc-hidden-in-world-writable",
    "log-watching",
    "ssh-log-level",
];

#[test]
#[ignore = "needs the lab: bash tests/lab/lab.sh up"]
fn waivers_applied_expired_and_unused() {
    require_lab();
    let _lab = lab_lock();
    let dir = tempfile::tempdir().unwrap();
    let inv = two_hosts(dir.path());
    let prof = profile(
        dir.path(),
        "waived",
        &CHECKS,
        "waivers:\n  - check: update-automation\n    host: legacy\n    justification: frozen image until the migration\n    expires: 2027-06-30\n",
    );
    let waivers = dir.path().join("waivers.yml");
    std::fs::write(
        &waivers,
        "waivers:\n\
         \x20 - check: ftp-server\n    host: \"leg*\"\n    justification: vendor uploads until 2027 (ticket OPS-17)\n    expires: 2027-03-31\n\
         \x20 - check: log-watching\n    host: \"*\"\n    justification: old exception\n    expires: 2026-10-31\n\
         \x20 - check: ssh-log-level\n    host: clean\n    justification: never needed\n    expires: 2027-03-31\n",
    )
    .unwrap();
    let out = audit(
        &inv,
        &prof,
        &["--format", "json", "--waivers", waivers.to_str().unwrap()],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "legacy still fails log-watching"
    );
    let r = json(&out);
    assert_eq!(status(&r, "legacy", "ftp-server"), "waived");
    assert_eq!(status(&r, "legacy", "update-automation"), "waived");
    assert_eq!(
        status(&r, "legacy", "log-watching"),
        "fail",
        "expired waiver"
    );
    assert_eq!(status(&r, "clean", "ssh-log-level"), "pass");
    let w = &finding(host(&r, "legacy"), "ftp-server")["waiver"];
    assert_eq!(
        w["justification"],
        "vendor uploads until 2027 (ticket OPS-17)"
    );
    assert_eq!(w["expires"], "2027-03-31");
    assert_eq!(w["source"], format!("{}:2:12", waivers.display()));
    let from_profile = &finding(host(&r, "legacy"), "update-automation")["waiver"];
    assert_eq!(from_profile["source"], format!("{}:6:12", prof.display()));
    assert!(finding(host(&r, "legacy"), "log-watching")["waiver"].is_null());
    let states: Vec<(String, String, Value)> = r["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["check"].as_str().unwrap().to_string(),
                w["state"].as_str().unwrap().to_string(),
                w["hosts"].clone(),
            )
        })
        .collect();
    assert_eq!(
        states,
        vec![
            (
                "update-automation".into(),
                "applied".into(),
                serde_json::json!(["legacy"])
            ),
            (
                "ftp-server".into(),
                "applied".into(),
                serde_json::json!(["legacy"])
            ),
            (
                "log-watching".into(),
                "expired".into(),
                serde_json::json!(["legacy"])
            ),
            (
                "ssh-log-level".into(),
                "unused".into(),
                serde_json::json!([])
            ),
        ]
    );
    // The risk score counts failing findings only, by the documented weights.
    let legacy = host(&r, "legacy");
    let weight = |s: &str| match s {
        "critical" => 10,
        "high" => 5,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    };
    let expected: u64 = legacy["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| weight(f["severity"].as_str().unwrap()))
        .sum();
    assert!(expected > 0);
    assert_eq!(legacy["risk"]["score"], expected);
    assert_eq!(legacy["risk"]["waived"], 2);
    assert_eq!(host(&r, "clean")["risk"]["score"], 0);

    // The same report as a table and as Markdown (from the saved JSON).
    let saved = dir.path().join("r.json");
    std::fs::write(&saved, &out.stdout).unwrap();
    let table = run(shipshape()
        .env_remove("NO_COLOR")
        .args(["show", saved.to_str().unwrap()]));
    assert!(!table.stdout.contains(&0x1b), "no colour when piped");
    let t = String::from_utf8_lossy(&table.stdout);
    assert!(t.contains("Waived findings"), "{t}");
    assert!(
        t.contains("vendor uploads until 2027 (ticket OPS-17)"),
        "{t}"
    );
    assert!(
        t.contains("expired on 2026-10-31: log-watching on hosts \"*\"")
            && t.contains("no longer waived on legacy"),
        "{t}"
    );
    assert!(
        t.contains("unused: ssh-log-level on hosts \"clean\""),
        "{t}"
    );
    assert!(t.contains("Waivers: 2 applied, 1 expired, 1 unused"), "{t}");
    assert!(t.contains(&format!("2 waived; risk {expected}")), "{t}");
    let md = run(shipshape().args(["show", "--format", "markdown", saved.to_str().unwrap()]));
    let m = String::from_utf8_lossy(&md.stdout);
    assert!(
        m.contains("## Waived findings") && m.contains("## Waivers not applied"),
        "{m}"
    );
    assert!(
        m.contains("| legacy | `ftp-server` | high | vendor uploads"),
        "{m}"
    );
}

/// Removes a directory planted on a lab host, even when the test fails.
struct Planted(&'static str, &'static str);

impl Drop for Planted {
    fn drop(&mut self) {
        root_ssh(self.0, &format!("rm -rf {}", self.1));
    }
}

#[test]
#[ignore = "needs the lab: bash tests/lab/lab.sh up"]
fn baseline_drift_and_fail_on_new() {
    require_lab();
    let _lab = lab_lock();
    let dir = tempfile::tempdir().unwrap();
    let inv = two_hosts(dir.path());
    let all = profile(dir.path(), "all", &CHECKS, "");
    let path = |n: &str| dir.path().join(n);
    let keep = |out: &Output, name: &str| {
        std::fs::write(path(name), &out.stdout).unwrap();
        path(name).to_str().unwrap().to_string()
    };

    // Run A: the lab as built.
    let a = audit(&inv, &all, &["--format", "json"]);
    assert_eq!(a.status.code(), Some(1));
    let a_file = keep(&a, "a.json");
    assert_eq!(
        status(&json(&a), "clean", "ioc-hidden-in-world-writable"),
        "pass"
    );

    // Run B: something hidden appeared on clean.
    const HIDDEN: &str = "/var/tmp/.shipshape-gating-drift";
    root_ssh(CLEAN, &format!("mkdir -p {HIDDEN}"));
    let planted = Planted(CLEAN, HIDDEN);
    let b = audit(
        &inv,
        &all,
        &["--format", "json", "--baseline", &a_file, "--fail-on-new"],
    );
    assert_eq!(
        b.status.code(),
        Some(1),
        "a new critical finding fails the run"
    );
    let rb = json(&b);
    let b_file = keep(&b, "b.json");
    let drift = |r: &Value, h: &str, c: &str| finding(host(r, h), c)["drift"].clone();
    assert_eq!(drift(&rb, "clean", "ioc-hidden-in-world-writable"), "new");
    assert_eq!(drift(&rb, "legacy", "ftp-server"), "unchanged");
    assert_eq!(drift(&rb, "legacy", "ssh-log-level"), "unchanged");
    assert!(
        drift(&rb, "clean", "ftp-server").is_null(),
        "passing: no mark"
    );
    assert_eq!(host(&rb, "clean")["drift"]["new"], 1);
    assert_eq!(host(&rb, "clean")["drift"]["previous_risk"], 0);
    assert_eq!(host(&rb, "clean")["risk"]["score"], 10);
    assert_eq!(rb["baseline"]["file"], a_file.as_str());
    assert_eq!(rb["baseline"]["new"], 1);
    assert_eq!(rb["baseline"]["resolved"], 0);
    let legacy_open = host(&rb, "legacy")["drift"]["unchanged"].as_u64().unwrap();
    assert_eq!(rb["baseline"]["unchanged"].as_u64().unwrap(), legacy_open);

    // With --fail-on above the new finding's severity, or against a baseline
    // where it was already open, --fail-on-new passes although legacy fails.
    let same = audit(
        &inv,
        &all,
        &["--format", "json", "--baseline", &b_file, "--fail-on-new"],
    );
    assert_eq!(same.status.code(), Some(0), "nothing new since run B");
    assert_eq!(json(&same)["baseline"]["new"], 0);
    let without = audit(&inv, &all, &["--format", "json", "--baseline", &b_file]);
    assert_eq!(
        without.status.code(),
        Some(1),
        "without --fail-on-new every failure counts"
    );

    // Run C: the hidden directory is gone, and ssh-log-level no longer runs.
    drop(planted);
    let fewer: Vec<&str> = CHECKS
        .iter()
        .copied()
        .filter(|c| *c != "ssh-log-level")
        .collect();
    let fewer = profile(dir.path(), "fewer", &fewer, "");
    let c = audit(&inv, &fewer, &["--baseline", &b_file, "--format", "json"]);
    let rc = json(&c);
    let resolved = |h: &str| -> Vec<(String, String, Value)> {
        host(&rc, h)["drift"]["resolved"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["check"].as_str().unwrap().into(),
                    r["was"].as_str().unwrap().into(),
                    r["now"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(
        resolved("clean"),
        vec![(
            "ioc-hidden-in-world-writable".into(),
            "fail".into(),
            "pass".into()
        )]
    );
    assert_eq!(
        resolved("legacy"),
        vec![("ssh-log-level".into(), "fail".into(), Value::Null)]
    );
    assert_eq!(rc["baseline"]["resolved"], 2);
    assert_eq!(rc["baseline"]["new"], 0);
    let c_file = keep(&c, "c.json");
    let t = run(shipshape().args(["show", &c_file]));
    let t = String::from_utf8_lossy(&t.stdout);
    assert!(
        t.contains(&format!("Resolved since the baseline {b_file}")),
        "{t}"
    );
    assert!(t.contains("ioc-hidden-in-world-writable"), "{t}");
    assert!(t.contains("not run"), "{t}");
    assert!(
        t.contains("clean: audited, 0 fail")
            && t.contains("risk 0 (was 10); drift: 0 new, 0 unchanged, 1 resolved"),
        "{t}"
    );
    assert!(t.contains("Drift since") && t.contains(": 0 new, "), "{t}");
    let md = run(shipshape().args(["show", "--format", "markdown", &c_file]));
    let m = String::from_utf8_lossy(&md.stdout);
    assert!(
        m.contains("| clean | `ioc-hidden-in-world-writable` | critical | fail | pass |"),
        "{m}"
    );
}

/// Run `command` under a pseudo-terminal (util-linux `script`); returns
/// everything written to the terminal.
fn in_pty(command: &str, no_color: bool) -> Vec<u8> {
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", command, "/dev/null"])
        .env("COLUMNS", "120")
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::null());
    if no_color {
        cmd.env("NO_COLOR", "1");
    } else {
        cmd.env_remove("NO_COLOR");
    }
    let out = cmd.output().expect("script runs");
    out.stdout
}

#[test]
#[ignore = "needs the lab: bash tests/lab/lab.sh up"]
fn progress_and_colour_on_a_terminal_only() {
    require_lab();
    let _lab = lab_lock();
    let dir = tempfile::tempdir().unwrap();
    let prof = profile(dir.path(), "all", &CHECKS, "");
    let bin = env!("CARGO_BIN_EXE_shipshape");
    let base = format!(
        "{bin} audit --inventory {} --known-hosts {} --audit-date {AUDIT_DATE} --profile {} --timeout 60",
        inventory().display(),
        known_hosts().display(),
        prof.display()
    );
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    // A terminal: progress on stderr, colour in the table.
    let tty = in_pty(&base, false);
    let t = text(&tty);
    let progress = regex::Regex::new(r"[0-3]/3 hosts audited  \d+ failing findings").unwrap();
    assert!(progress.is_match(&t), "progress drawn: {t:?}");
    // comfy-table colours cells with 256-colour codes (red: 38;5;9).
    assert!(t.contains("\x1b[38;5;9m"), "severity colour: {t:?}");
    assert!(t.contains("Summary: 3 of 3 hosts audited"), "{t}");
    // --quiet: no progress; NO_COLOR: no colour (table lines carry no escapes).
    let quiet = in_pty(&format!("{base} --quiet"), true);
    let q = text(&quiet);
    assert!(
        !q.contains("/3 hosts audited  "),
        "no progress with --quiet: {q}"
    );
    assert!(q.contains("Summary: 3 of 3 hosts audited"), "{q}");
    assert!(
        !quiet.contains(&0x1b),
        "no escape bytes with NO_COLOR and --quiet: {q:?}"
    );
    // Piped (not a terminal), colour allowed by the environment: neither.
    let out = run(shipshape().env_remove("NO_COLOR").args([
        "audit",
        "--inventory",
        inventory().to_str().unwrap(),
        "--known-hosts",
        known_hosts().to_str().unwrap(),
        "--audit-date",
        AUDIT_DATE,
        "--profile",
        prof.to_str().unwrap(),
    ]));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    assert!(!out.stdout.contains(&0x1b));
}
