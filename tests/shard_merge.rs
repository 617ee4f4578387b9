//! `audit --shard K/N` and `shipshape merge`: the shards of an inventory,
//! audited over real SSH (a throwaway sshd on 127.0.0.1 serving several
//! host names), merge into the report of one unsharded run; bad shards and
//! reports that do not belong together are input errors (exit 2).

mod common;
#[path = "support/sshd.rs"]
mod sshd;

use common::*;
use serde_json::Value;
use sshd::{keygen, Sshd, SshdConfig};
use std::fs;
use std::path::{Path, PathBuf};

const HOSTS: [&str; 7] = ["web1", "web2", "web3", "db1", "db2", "ftp1", "mail1"];

/// A profile of two quick checks, so the test spends its time on SSH.
fn profile(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(format!("{name}.yml"));
    fs::write(
        &p,
        format!(
            "name: {name}\ndescription: quick\nselect:\n  checks: [os-release-supported, ftp-server]\n"
        ),
    )
    .unwrap();
    p
}

fn audit_json(args: &[&str], out_file: &Path) -> Value {
    let mut all = vec!["audit", "--format", "json", "--output"];
    all.push(out_file.to_str().unwrap());
    all.extend_from_slice(args);
    let out = run(shipshape().args(&all));
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    serde_json::from_str(&fs::read_to_string(out_file).unwrap()).unwrap()
}

fn names(report: &Value) -> Vec<String> {
    report["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn shards_merged_equal_the_unsharded_run() {
    let sshd = Sshd::start(SshdConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("id_ed25519");
    keygen(&key, "ed25519", "");
    sshd.authorize(&key.with_extension("pub"));
    let kh = dir.path().join("known_hosts");
    fs::write(&kh, sshd.known_hosts_line("ed25519")).unwrap();
    let mut inv = format!(
        "defaults: {{user: root, identity_file: {}}}\nhosts:\n",
        key.display()
    );
    for h in HOSTS {
        inv.push_str(&format!(
            "  {h}: {{address: 127.0.0.1, port: {}}}\n",
            sshd.port
        ));
    }
    let inv_path = dir.path().join("inv.yml");
    fs::write(&inv_path, inv).unwrap();
    let prof = profile(dir.path(), "quick");
    let common = [
        "--inventory",
        inv_path.to_str().unwrap(),
        "--known-hosts",
        kh.to_str().unwrap(),
        "--profile",
        prof.to_str().unwrap(),
        "--audit-date",
        AUDIT_DATE,
    ];

    let whole = audit_json(&common, &dir.path().join("whole.json"));
    assert_eq!(names(&whole), HOSTS);
    let before = sshd.exec_requests();

    let mut shard_files = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for k in 1..=3 {
        let spec = format!("{k}/3");
        let mut args = common.to_vec();
        args.extend(["--shard", &spec]);
        let file = dir.path().join(format!("shard{k}.json"));
        let part = audit_json(&args, &file);
        let part_names = names(&part);
        // A shard lists only its own hosts, in inventory order.
        let in_order: Vec<String> = HOSTS
            .iter()
            .map(|s| s.to_string())
            .filter(|h| part_names.contains(h))
            .collect();
        assert_eq!(part_names, in_order, "shard {spec}");
        seen.extend(part_names);
        shard_files.push(file);
    }
    seen.sort();
    let mut all: Vec<String> = HOSTS.iter().map(|s| s.to_string()).collect();
    all.sort();
    assert_eq!(seen, all, "every host in exactly one shard");
    // The shards audited each host once more: one exec request per host.
    assert_eq!(
        sshd.wait_log("req exec", before + HOSTS.len()),
        before + HOSTS.len()
    );

    // Merge in shard order 3, 1, 2; the inventory restores the order.
    let mut args = vec![
        "merge".to_string(),
        "--format".into(),
        "json".into(),
        "--inventory".into(),
        inv_path.to_str().unwrap().into(),
    ];
    for k in [2, 0, 1] {
        args.push(shard_files[k].to_str().unwrap().into());
    }
    let out = run(shipshape().args(&args));
    let merged = json(&out);
    assert_eq!(out.status.code(), whole_exit(&whole));
    assert_eq!(merged["profile"], whole["profile"]);
    assert_eq!(merged["incomplete"], false);
    assert_eq!(merged["hosts"], whole["hosts"]);

    // The table reporter summarises the merged hosts.
    let out = run(shipshape().args(["merge", shard_files[0].to_str().unwrap()]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&names(&json_file(&shard_files[0]))[0]),
        "{text}"
    );
}

fn json_file(p: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap()
}

/// The exit code an audit of `report` had: 1 with any failing finding.
fn whole_exit(report: &Value) -> Option<i32> {
    let fails = report["hosts"].as_array().unwrap().iter().any(|h| {
        h["status"] != "audited"
            || h["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["status"] == "fail")
    });
    Some(i32::from(fails))
}

#[test]
fn bad_shard_specs_are_exit_2() {
    for bad in ["0/2", "3/2", "1/0", "half", "1/2/3"] {
        let out = run(shipshape().args(["audit", "--local", "--shard", bad]));
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(e.contains("K/N") || e.contains("1 to"), "{bad}: {e}");
    }
}

#[test]
fn merge_refuses_reports_that_do_not_belong_together() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    let pa = profile(dir.path(), "one");
    let pb = profile(dir.path(), "two");
    audit_json(&["--local", "--profile", pa.to_str().unwrap()], &a);
    audit_json(&["--local", "--profile", pb.to_str().unwrap()], &b);

    let out = run(shipshape().args(["merge", a.to_str().unwrap(), b.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("profile \"two\"") && e.contains("\"one\""),
        "{e}"
    );

    // The same host twice (the same shard given twice).
    let out = run(shipshape().args(["merge", a.to_str().unwrap(), a.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is in both"));

    // Another version.
    let mut other: Value = json_file(&a);
    other["tool"]["version"] = "9.0.0".into();
    let c = dir.path().join("c.json");
    fs::write(&c, other.to_string()).unwrap();
    let out = run(shipshape().args(["merge", c.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("9.0.0"));

    // Not a report: file:line:column.
    let d = dir.path().join("d.json");
    fs::write(&d, "{\"tool\": 3}\n").unwrap();
    let out = run(shipshape().args(["merge", d.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains(&format!("{}:1:", d.display())), "{e}");
    assert!(e.contains("not a shipshape JSON report"), "{e}");

    let out = run(shipshape().args(["merge", "/nonexistent/report.json"]));
    assert_eq!(out.status.code(), Some(2));
    let out = run(shipshape().args(["merge"]));
    assert_eq!(out.status.code(), Some(2));

    // A single report merges to itself, with its exit code.
    let out = run(shipshape().args(["merge", "--format", "json", a.to_str().unwrap()]));
    assert_eq!(json(&out)["hosts"], json_file(&a)["hosts"]);
}
