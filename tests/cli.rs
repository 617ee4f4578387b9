//! Command-line contract tests that need no network: exit code 2 and
//! positioned messages for bad input, and `--local` audits.

mod common;

use common::*;
use std::io::Write;

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::File::create(&p)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    p
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn unknown_profile_is_exit_2_with_the_known_names() {
    let out = run(shipshape().args(["audit", "--local", "--profile", "nope"]));
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains("unknown profile \"nope\"") && e.contains("go-live"),
        "{e}"
    );
}

#[test]
fn malformed_profile_yaml_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "p.yml",
        "name: x\ndescription: y\nselect:\n  categories: [outdated-software, no-such-category]\n",
    );
    let out = run(shipshape().args(["audit", "--local", "--profile", p.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(e.contains(&format!("{}:4:", p.display())), "{e}");
    assert!(e.contains("no-such-category"), "{e}");
}

#[test]
fn unknown_check_id_in_a_profile_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "p.yml",
        "name: x\ndescription: y\nselect:\n  checks:\n    - apache-version\n    - not-a-check\n",
    );
    let out = run(shipshape().args(["audit", "--local", "--profile", p.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains(&format!("{}:6:", p.display())) && e.contains("not-a-check"),
        "{e}"
    );
}

#[test]
fn duplicate_check_ids_and_unknown_probes_are_reported_together() {
    let dir = tempfile::tempdir().unwrap();
    let check = |id: &str, probe: &str| {
        format!(
            "  - id: {id}\n    title: t\n    category: ftp-service\n    countermeasure: 1\n    severity: low\n    rationale: r\n    remediation: m\n    fail_if: {{probe: {probe}, contains: x}}\n"
        )
    };
    write(
        dir.path(),
        "a.yml",
        &format!(
            "probes:\n  - id: p1\n    description: d\n    sh: echo hi\nchecks:\n{}",
            check("c1", "p1")
        ),
    );
    write(
        dir.path(),
        "b.yml",
        &format!("checks:\n{}{}", check("c1", "p1"), check("c2", "missing")),
    );
    let out = run(shipshape().args(["audit", "--local", "--checks", dir.path().to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains("b.yml:2:") && e.contains("duplicate check id \"c1\"") && e.contains("a.yml:6:"),
        "{e}"
    );
    assert!(e.contains("missing"), "{e}");
}

#[test]
fn duplicate_yaml_keys_are_rejected_not_overridden() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "p.yml", "name: x\ndescription: y\nname: z\n");
    let out = run(shipshape().args(["audit", "--local", "--profile", p.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!("{}:3:", p.display())),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_inventory_and_targets_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let inv = write(
        dir.path(),
        "inv.yml",
        "hosts:\n  web1: {address: 192.0.2.1, prot: 22}\n",
    );
    let out = run(shipshape().args(["audit", "--inventory", inv.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!("{}:2:", inv.display())),
        "{}",
        stderr(&out)
    );
    let out = run(shipshape().args(["audit", "web1:notaport"]));
    assert_eq!(out.status.code(), Some(2));
    let out = run(shipshape().args(["audit", "--inventory", "/nonexistent/inv.yml"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent/inv.yml"),
        "{}",
        stderr(&out)
    );
    let out = run(shipshape().args(["audit"]));
    assert_eq!(out.status.code(), Some(2));
    let out = run(shipshape().args(["audit", "--format", "xml", "--local"]));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn local_audit_runs_the_default_profile() {
    let out = run(shipshape().args(["audit", "--local", "--format", "json"]));
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let report = json(&out);
    assert_eq!(report["profile"], "go-live");
    let h = &report["hosts"][0];
    assert_eq!(h["status"], "audited");
    let checks: Vec<_> = h["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap().to_string())
        .collect();
    for c in ["apache-version", "php-version", "ftp-server"] {
        assert!(checks.iter().any(|x| x == c), "{c} missing from {checks:?}");
    }
    for f in h["findings"].as_array().unwrap() {
        assert!(["fail", "pass", "skip", "error"].contains(&f["status"].as_str().unwrap()));
        assert!(!f["evidence"].as_str().unwrap().is_empty(), "{f}");
    }
}

#[test]
fn an_unwritable_report_path_is_exit_2_before_any_audit() {
    let out = run(shipshape().args([
        "audit",
        "--local",
        "--output",
        "/nonexistent/dir/report.json",
    ]));
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains("cannot write the report to /nonexistent/dir/report.json"),
        "{e}"
    );
}

#[test]
fn online_guessing_with_the_compliance_profile_is_exit_2() {
    let out = run(shipshape().args([
        "audit",
        "--local",
        "--profile",
        "compliance",
        "--online-guessing",
    ]));
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains("profile \"compliance\" forbids online password guessing")
            && e.contains("online_guessing: forbidden"),
        "{e}"
    );
    // A typo in the policy is an input error, never a silent "allowed".
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "p.yml",
        "name: x\ndescription: y\nparams: {online_guessing: forbiden}\n",
    );
    let out = run(shipshape().args(["audit", "--local", "--profile", p.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("must be `forbidden` or `allowed`"),
        "{}",
        stderr(&out)
    );
}

/// A checks directory with one check that always fails, at `severity`.
fn always_failing(dir: &std::path::Path, severity: &str) {
    write(
        dir,
        "c.yml",
        &format!(
            "probes:\n  - id: p\n    description: d\n    sh: echo present\nchecks:\n  - id: always\n    title: t\n    category: log-monitoring\n    countermeasure: 3\n    severity: {severity}\n    rationale: r\n    remediation: m\n    fail_if: {{probe: p, contains: present, says: the marker is present}}\n"
        ),
    );
}

#[test]
fn fail_on_sets_the_exit_code_threshold() {
    let dir = tempfile::tempdir().unwrap();
    always_failing(dir.path(), "medium");
    let checks = dir.path().to_str().unwrap();
    let code = |extra: &[&str]| {
        let mut args = vec![
            "audit",
            "--local",
            "--checks",
            checks,
            "--profile",
            "compliance",
        ];
        args.extend_from_slice(extra);
        run(shipshape().args(&args)).status.code()
    };
    assert_eq!(code(&[]), Some(1), "by default any failing finding");
    assert_eq!(code(&["--fail-on", "low"]), Some(1));
    assert_eq!(code(&["--fail-on", "medium"]), Some(1));
    assert_eq!(code(&["--fail-on", "high"]), Some(0));
    assert_eq!(code(&["--fail-on", "critical"]), Some(0));
    assert_eq!(code(&["--fail-on", "urgent"]), Some(2));
}

#[test]
fn markdown_report_groups_by_countermeasure() {
    let dir = tempfile::tempdir().unwrap();
    always_failing(dir.path(), "high");
    let out = run(shipshape().args([
        "audit",
        "--local",
        "--checks",
        dir.path().to_str().unwrap(),
        "--profile",
        "compliance",
        "--format",
        "markdown",
    ]));
    assert_eq!(out.status.code(), Some(1));
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.starts_with("# shipshape audit: profile `compliance`"),
        "{md}"
    );
    assert!(md.contains("## 3. Monitor logs regularly"), "{md}");
    assert!(
        md.contains("| `always` | high | the marker is present (present) | m |"),
        "{md}"
    );
    assert!(
        md.contains("## Hosts") && md.contains(": audited, 1 fail"),
        "{md}"
    );
}

#[test]
fn one_run_writes_several_formats() {
    let dir = tempfile::tempdir().unwrap();
    let checks = dir.path().join("checks");
    std::fs::create_dir(&checks).unwrap();
    always_failing(&checks, "high");
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let base = [
        "audit",
        "--local",
        "--checks",
        checks.to_str().unwrap(),
        "--profile",
        "compliance",
    ];
    let outputs = [
        ("json", "r.json"),
        ("junit", "r.xml"),
        ("sarif", "r.sarif"),
        ("html", "r.html"),
        ("markdown", "r.md"),
        ("table", "r.txt"),
    ];
    let mut args: Vec<String> = base.iter().map(|s| s.to_string()).collect();
    for (format, file) in outputs {
        args.push("--output".into());
        args.push(format!("{format}={}", path(file)));
    }
    let out = run(shipshape().args(&args));
    assert_eq!(out.status.code(), Some(1), "a failing finding");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("3. Monitor logs regularly") && stdout.contains("Summary: 1 of 1 hosts"),
        "without a plain --output FILE, standard output keeps the --format report: {stdout}"
    );
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    let report: serde_json::Value = serde_json::from_str(&read("r.json")).unwrap();
    assert_eq!(report["hosts"][0]["findings"][0]["check"], "always");
    assert!(read("r.xml").contains("name=\"always\">\n      <failure type=\"high\""));
    let sarif: serde_json::Value = serde_json::from_str(&read("r.sarif")).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "always");
    assert!(read("r.html").contains("data-check=\"always\" data-status=\"fail\""));
    assert!(read("r.md").starts_with("# shipshape audit: profile `compliance`"));
    assert!(read("r.txt").contains("3. Monitor logs regularly"));

    // A plain FILE takes --format, and standard output stays empty.
    let mut args: Vec<String> = base.iter().map(|s| s.to_string()).collect();
    args.extend([
        "--format".into(),
        "sarif".into(),
        "--output".into(),
        path("plain.sarif"),
        "--output".into(),
        format!("html={}", path("with.html")),
    ]);
    let out = run(shipshape().args(&args));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(read("plain.sarif").contains("\"version\": \"2.1.0\""));
    assert!(read("with.html").starts_with("<!DOCTYPE html>"));
}

#[test]
fn bad_outputs_are_exit_2_before_any_audit() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.html");
    let f = file.to_str().unwrap();
    for (outputs, says) in [
        (
            vec!["html=/nonexistent/dir/r.html".to_string()],
            "cannot write the report to /nonexistent/dir/r.html".to_string(),
        ),
        (
            vec!["html=".to_string()],
            "no file name after the `=`".to_string(),
        ),
        (
            vec![format!("html={f}"), format!("junit={f}")],
            format!("--output names {f} twice"),
        ),
    ] {
        let mut args = vec!["audit".to_string(), "--local".to_string()];
        for o in &outputs {
            args.push("--output".into());
            args.push(o.clone());
        }
        let out = run(shipshape().args(&args));
        assert_eq!(out.status.code(), Some(2), "{outputs:?}");
        assert!(stderr(&out).contains(&says), "{}", stderr(&out));
        assert!(out.stdout.is_empty(), "nothing audited");
    }
    for format in ["table", "json", "junit", "sarif", "html", "markdown"] {
        let out = run(shipshape().args(["audit", "--format", format]));
        assert!(
            stderr(&out).contains("nothing to audit"),
            "--format {format} is accepted: {}",
            stderr(&out)
        );
    }
}

#[test]
fn inventory_and_ssh_config_input_errors_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let audit = |args: &[&str]| {
        let out = run(shipshape().arg("audit").args(args));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        stderr(&out)
    };
    // Fits no format: every format tried is named.
    let bad = write(d, "bad", "[web\nhost1\n");
    let e = audit(&["-i", bad.to_str().unwrap()]);
    assert!(
        e.contains("shipshape YAML, Ansible YAML, Ansible INI") && e.contains("line 1"),
        "{e}"
    );
    // --limit that selects nothing, and --limit without an inventory.
    let ini = write(d, "hosts", "[web]\nweb[1:2] ansible_host=127.0.0.1\n");
    let e = audit(&["-i", ini.to_str().unwrap(), "--limit", "db*"]);
    assert!(e.contains("selects no host"), "{e}");
    let e = audit(&["--limit", "web", "127.0.0.1"]);
    assert!(e.contains("--inventory"), "{e}");
    // An executable inventory needs ansible-inventory.
    let script = write(d, "dyn.sh", "#!/bin/sh\necho '{}'\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = run(shipshape().env("PATH", "/nonexistent").args([
        "audit",
        "-i",
        script.to_str().unwrap(),
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ansible-inventory"),
        "{}",
        stderr(&out)
    );
    // ssh_config: a Match block that sets User, ProxyCommand, bad tokens.
    let cfg = write(d, "cfg", "Match user root\n  User admin\n");
    let e = audit(&["-F", cfg.to_str().unwrap(), "web"]);
    assert!(
        e.contains(&format!("{}:1", cfg.display())) && e.contains("Match"),
        "{e}"
    );
    let cfg = write(d, "cfg2", "Host web\n  ProxyCommand nc %h %p\n");
    let e = audit(&["-F", cfg.to_str().unwrap(), "web"]);
    assert!(
        e.contains(&format!("{}:2", cfg.display())) && e.contains("ProxyJump"),
        "{e}"
    );
    let cfg = write(d, "cfg3", "Host web\n  IdentityFile ~/.ssh/%C\n");
    let e = audit(&["-F", cfg.to_str().unwrap(), "web"]);
    assert!(e.contains("%C"), "{e}");
    let e = audit(&["-F", d.join("missing").to_str().unwrap(), "web"]);
    assert!(e.contains("cannot read ssh config"), "{e}");
}

#[test]
fn inspect_databases_with_the_compliance_profile_is_exit_2() {
    let out = run(shipshape().args([
        "audit",
        "--local",
        "--profile",
        "compliance",
        "--inspect-databases",
    ]));
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains("profile \"compliance\" forbids database inspection")
            && e.contains("inspect_databases: forbidden"),
        "{e}"
    );
}
