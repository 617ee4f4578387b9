//! The lab inventory audited as two shards (`--shard 1/2`, `--shard 2/2`)
//! and merged is the report of one unsharded audit, timings aside. Needs
//! the lab: run `bash tests/run.sh`.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

/// A finding's evidence with every run of digits replaced: the password
/// search reports how many candidates its time budget allowed, which varies
/// between runs.
fn without_timings(report: &Value) -> Value {
    let digits = regex::Regex::new(r"[0-9]+(\.[0-9]+)?").unwrap();
    let mut r = report["hosts"].clone();
    for h in r.as_array_mut().unwrap() {
        for f in h["findings"].as_array_mut().unwrap() {
            let e = f["evidence"].as_str().unwrap().to_string();
            f["evidence"] = digits.replace_all(&e, "N").into_owned().into();
        }
    }
    r
}

fn audit_to(file: &Path, extra: &[&str]) -> Value {
    let out = lab_audit(
        &[
            &["--format", "json", "--output", file.to_str().unwrap()],
            extra,
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(1), "the lab has failing findings");
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn the_lab_sharded_in_two_and_merged_is_the_whole_audit() {
    let _lab = lab_lock();
    require_lab();
    let dir = tempfile::tempdir().unwrap();
    let whole = audit_to(&dir.path().join("whole.json"), &[]);
    let one = audit_to(&dir.path().join("1.json"), &["--shard", "1/2"]);
    let two = audit_to(&dir.path().join("2.json"), &["--shard", "2/2"]);
    // FNV-1a of the names: legacy and clean in shard 1, ftp2 in shard 2.
    let names = |r: &Value| -> Vec<String> {
        r["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&one), ["legacy", "clean"]);
    assert_eq!(names(&two), ["ftp2"]);

    let inv = inventory();
    let out = run(shipshape().args([
        "merge",
        "--format",
        "json",
        "--inventory",
        inv.to_str().unwrap(),
        dir.path().join("2.json").to_str().unwrap(),
        dir.path().join("1.json").to_str().unwrap(),
    ]));
    assert_eq!(out.status.code(), Some(1));
    let merged = json(&out);
    assert_eq!(names(&merged), names(&whole));
    assert_eq!(merged["profile"], "go-live");
    assert_eq!(without_timings(&merged), without_timings(&whole));
}
