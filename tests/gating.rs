//! Waivers, baselines, gating and quiet output without the lab: input
//! errors (exit 2, file:line:column) and `--local` audits of this machine.

mod common;

use common::*;

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A profile with one quick check that runs anywhere.
const PROFILE: &str =
    "name: quick\ndescription: one check\nselect:\n  checks: [os-release-supported]\n";

#[test]
fn a_bad_waiver_file_is_exit_2_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let w = write(
        dir.path(),
        "w.yml",
        "waivers:\n  - check: ftp-server\n    host: web1\n    justification: vendor access\n    expires: 31.12.2027\n",
    );
    let out = run(shipshape().args(["audit", "--local", "--waivers", w.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains(&format!(
            "{}:5:14: `expires` must be a date YYYY-MM-DD",
            w.display()
        )),
        "{e}"
    );
    let w = write(
        dir.path(),
        "w2.yml",
        "waivers:\n  - check: ftp-servr\n    host: web1\n    justification: vendor access\n    expires: 2027-12-31\n",
    );
    let out = run(shipshape().args(["audit", "--local", "--waivers", w.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains(&format!(
            "{}:2:12: waiver for unknown check id \"ftp-servr\"",
            w.display()
        )),
        "{e}"
    );
}

#[test]
fn a_bad_waiver_in_a_profile_is_exit_2_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "p.yml",
        &format!("{PROFILE}waivers:\n  - check: nope\n    host: \"*\"\n    justification: j\n    expires: 2027-01-01\n"),
    );
    let out = run(shipshape().args(["audit", "--local", "--profile", p.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains(&format!("{}:6:12: unknown check id \"nope\"", p.display())),
        "{e}"
    );
}

#[test]
fn a_wrong_baseline_file_is_exit_2_and_says_what_it_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("not.json", "name: x\n", ":1:2: not JSON"),
        (
            "other.json",
            "{\"tool\": {\"name\": \"trivy\"}}",
            "not a shipshape report",
        ),
        (
            "broken.json",
            "{\"tool\": {\"name\": \"shipshape\", \"version\": \"0.1.0\"}, \"profile\": 3}",
            "not a valid shipshape report",
        ),
    ];
    for (name, text, says) in cases {
        let b = write(dir.path(), name, text);
        let out = run(shipshape().args(["audit", "--local", "--baseline", b.to_str().unwrap()]));
        assert_eq!(out.status.code(), Some(2), "{name}");
        let e = stderr(&out);
        assert!(
            e.contains(says) && e.contains("--baseline takes a report"),
            "{e}"
        );
    }
    let out = run(shipshape().args(["audit", "--local", "--baseline", "/nonexistent.json"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read the report"));
}

#[test]
fn fail_on_new_needs_a_baseline() {
    let out = run(shipshape().args(["audit", "--local", "--fail-on-new"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--baseline"), "{}", stderr(&out));
}

#[test]
fn quiet_and_piped_runs_write_nothing_but_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "p.yml", PROFILE);
    for quiet in [false, true] {
        let mut cmd = shipshape();
        // Colour would be allowed: only the missing terminal keeps it off.
        cmd.env_remove("NO_COLOR")
            .args(["audit", "--local", "--profile", p.to_str().unwrap()]);
        if quiet {
            cmd.arg("--quiet");
        }
        let out = run(&mut cmd);
        assert!(out.status.code().unwrap() <= 1);
        assert!(out.stderr.is_empty(), "stderr: {}", stderr(&out));
        assert!(!out.stdout.contains(&0x1b), "no escape bytes when piped");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("risk "), "{text}");
    }
}

#[test]
fn show_renders_a_saved_report() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "p.yml", PROFILE);
    let report = dir.path().join("r.json");
    let out = run(shipshape().args([
        "audit",
        "--local",
        "--profile",
        p.to_str().unwrap(),
        "--format",
        "json",
        "--output",
        report.to_str().unwrap(),
    ]));
    assert!(out.status.code().unwrap() <= 1);
    let out = run(shipshape().args(["show", report.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Summary: 1 of 1 hosts audited"), "{text}");
    let out = run(shipshape().args(["show", "--format", "markdown", report.to_str().unwrap()]));
    assert!(String::from_utf8_lossy(&out.stdout).contains("## Hosts"));
    let out = run(shipshape().args(["show", p.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not JSON"), "{}", stderr(&out));
}
