//! The JSON report of a real lab audit matches `shipshape schema report`.
//! Needs the lab (`bash tests/lab/lab.sh up`).

mod common;

use common::*;

#[test]
#[ignore = "needs the lab: bash tests/lab/lab.sh up"]
fn a_lab_report_matches_the_report_schema() {
    require_lab();
    let _lab = lab_lock();
    let out = run(shipshape().args(["schema", "report"]));
    assert_eq!(out.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let validator = jsonschema::draft7::new(&schema).expect("a valid JSON Schema");
    let out = lab_audit(&["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the legacy host has failing findings"
    );
    let report = json(&out);
    let hosts = report["hosts"].as_array().unwrap();
    assert!(hosts
        .iter()
        .any(|h| h["name"] == "legacy" && h["status"] == "audited"));
    let statuses: std::collections::BTreeSet<&str> = hosts
        .iter()
        .flat_map(|h| h["findings"].as_array().unwrap())
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains("fail") && statuses.contains("pass"),
        "{statuses:?}"
    );
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the lab report does not match its schema: {errors:#?}"
    );
}
