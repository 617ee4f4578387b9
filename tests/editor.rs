//! The README's editor setup works: yaml-language-server, given the
//! schema written by `shipshape schema check` through the README's
//! modeline, accepts a built-in check file and flags a broken one at the
//! right lines. Needs node and yaml-language-server (tests/run.sh installs
//! it under target/yaml-language-server with npm).

mod common;

use common::*;
use std::path::PathBuf;
use std::process::Command;

const MODELINE: &str = "# yaml-language-server: $schema=../.schemas/check.json\n";

fn server() -> PathBuf {
    std::env::var_os("SHIPSHAPE_YAML_LS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            repo().join("target/yaml-language-server/node_modules/.bin/yaml-language-server")
        })
}

#[test]
#[ignore = "needs yaml-language-server: tests/run.sh installs it with npm"]
fn yaml_language_server_validates_check_files_with_the_modeline() {
    let server = server();
    assert!(
        server.exists(),
        "{} is missing: npm install --prefix target/yaml-language-server yaml-language-server",
        server.display()
    );
    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(project.path().join(".schemas")).unwrap();
    std::fs::create_dir_all(project.path().join("checks")).unwrap();
    let out = run(shipshape().args(["schema", "check"]));
    assert_eq!(out.status.code(), Some(0));
    std::fs::write(project.path().join(".schemas/check.json"), &out.stdout).unwrap();

    let good = project.path().join("checks/ftp-service.yml");
    let builtin = std::fs::read_to_string(repo().join("checks/ftp-service.yml")).unwrap();
    std::fs::write(&good, format!("{MODELINE}{builtin}")).unwrap();
    let bad = project.path().join("checks/bad.yml");
    std::fs::write(
        &bad,
        format!(
            "{MODELINE}probes:\n  - id: p1\n    description: d\n    sh: echo hi\n    timeout: 0\nchecks:\n  - id: c1\n    titel: t\n    category: ftp\n    countermeasure: 7\n    severity: low\n    rationale: r\n    remediation: m\n    fail_if: {{probe: p1, contains: x}}\n"
        ),
    )
    .unwrap();

    let out = Command::new("python3")
        .arg(repo().join("tests/support/lsp_diagnostics.py"))
        .arg(&server)
        .arg(project.path())
        .arg(&good)
        .arg(&bad)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found: std::collections::BTreeMap<String, Vec<(u32, u32, String)>> =
        serde_json::from_slice(&out.stdout).expect("diagnostics as JSON");
    eprintln!("{found:#?}");
    let good_diags = &found[good.to_str().unwrap()];
    assert!(
        good_diags.is_empty(),
        "a built-in check file is flagged: {good_diags:?}"
    );
    let bad_diags = &found[bad.to_str().unwrap()];
    let at = |line: u32, text: &str| {
        bad_diags
            .iter()
            .any(|(l, _, m)| *l == line && m.contains(text))
    };
    assert!(at(6, "minimum of 1"), "timeout 0: {bad_diags:?}");
    assert!(at(8, "Missing property \"title\""), "{bad_diags:?}");
    assert!(at(9, "titel"), "unknown key: {bad_diags:?}");
    assert!(at(10, "ftp-service"), "category: {bad_diags:?}");
    assert!(at(11, "maximum of 5"), "countermeasure: {bad_diags:?}");
}
