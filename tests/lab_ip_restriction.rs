//! The ip-restriction checks against the lab over real SSH: the incident
//! host's SSH and FTP are open to every address, the clean host's nftables
//! ruleset admits SSH only from the management network, and an audit
//! without root can never pass on a firewall it could not read.
//! Needs the lab: run `bash tests/run.sh`.

mod common;

use common::*;
use std::io::Write;

const MGMT: &str = "10.203.0.0/24";

/// go-live, restricted to this category, with management_networks set.
fn profile_with_management_network() -> tempfile::NamedTempFile {
    let go_live = std::fs::read_to_string(repo().join("profiles/go-live.yml")).unwrap();
    assert!(
        go_live.contains("management_networks: []"),
        "go-live.yml still declares management_networks"
    );
    let text = go_live
        .replace("name: go-live", "name: go-live-mgmt")
        .replace(
            "management_networks: []",
            &format!("management_networks: [{MGMT}]"),
        )
        .replace("categories: []", "categories: [ip-restriction]");
    let mut f = tempfile::Builder::new().suffix(".yml").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

fn audit(profile: &str) -> serde_json::Value {
    let out = lab_audit(&["--profile", profile, "--format", "json"]);
    json(&out)
}

fn evidence(f: &serde_json::Value) -> String {
    f["evidence"].as_str().unwrap_or_default().to_string()
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn incident_host_is_open_and_clean_host_admits_ssh_from_the_management_network() {
    require_lab();
    let p = profile_with_management_network();
    let report = audit(p.path().to_str().unwrap());

    let legacy = host(&report, "legacy");
    assert_eq!(legacy["status"], "audited", "{legacy}");
    for check in ["ssh-source-restricted", "ftp-source-restricted"] {
        let f = finding(legacy, check);
        assert_eq!(f["status"], "fail", "{check} on legacy: {f}");
        assert_eq!(f["category"], "ip-restriction");
        assert_eq!(f["countermeasure"], 1);
        let ev = evidence(f);
        // The incident host has no packet filter (or one that accepts all).
        assert!(
            ev.contains(&format!("outside management_networks {MGMT}"))
                && (ev.contains("no packet filter on the input path")
                    || ev.contains("policy accept")),
            "{check}: {ev}"
        );
    }
    let ev = evidence(finding(legacy, "ssh-source-restricted"));
    assert!(
        ev.contains("sshd on 0.0.0.0:22") && ev.contains("no AllowUsers"),
        "{ev}"
    );
    let ev = evidence(finding(legacy, "ftp-source-restricted"));
    assert!(ev.contains("vsftpd on 0.0.0.0:21"), "{ev}");

    let clean = host(&report, "clean");
    assert_eq!(clean["status"], "audited", "{clean}");
    let f = finding(clean, "ssh-source-restricted");
    assert_eq!(f["status"], "pass", "{f}");
    let ev = evidence(f);
    assert!(
        ev.contains(&format!("reachable only from {MGMT}"))
            && ev.contains(
                "`ip saddr 10.203.0.0/24 tcp dport 22 accept` (table inet filter chain input)"
            ),
        "{ev}"
    );
    assert_eq!(finding(clean, "ftp-source-restricted")["status"], "skip");
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn without_management_networks_an_allow_list_counts_and_open_still_fails() {
    require_lab();
    let report = audit("go-live");
    let f = finding(host(&report, "clean"), "ssh-source-restricted");
    assert_eq!(f["status"], "pass", "{f}");
    let ev = evidence(f);
    assert!(
        ev.contains("restricted to 10.203.0.0/24") && ev.contains("management_networks is not set"),
        "{ev}"
    );
    let f = finding(host(&report, "legacy"), "ssh-source-restricted");
    assert_eq!(f["status"], "fail", "{f}");
    assert!(
        evidence(f).contains("management_networks is not set"),
        "{f}"
    );
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn without_root_the_firewall_is_not_read_and_the_check_skips() {
    require_lab();
    let p = profile_with_management_network();
    let kh = known_hosts();
    let out = run(shipshape()
        .env("SHIPSHAPE_PASSWORD", "Lab-auditor-pw-7")
        .env("HOME", "/nonexistent")
        .args([
            "audit",
            &format!("auditor@{CLEAN}"),
            "--known-hosts",
            kh.to_str().unwrap(),
            "--profile",
            p.path().to_str().unwrap(),
            "--format",
            "json",
            "--audit-date",
            AUDIT_DATE,
        ]));
    let report = json(&out);
    let h = host(&report, CLEAN);
    assert_eq!(h["status"], "audited", "{h}");
    let f = finding(h, "ssh-source-restricted");
    assert_eq!(f["status"], "skip", "never a pass without root: {f}");
    assert!(evidence(f).contains("needs root"), "{f}");
}
