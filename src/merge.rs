//! `shipshape merge`: several JSON reports (the shards of one audit, see
//! [`crate::shard`]) into one report, as if one run had audited every host.
//!
//! Inputs must be JSON reports written by a compatible shipshape (same
//! major version; for 0.x, the same minor) with the same profile, and no
//! host may appear twice. The merged run starts when the first input
//! started and finishes when the last finished, and is `incomplete` when
//! any input is. Hosts keep the order of the inventory when one is given
//! (hosts of the inventory found in no report are listed as `error`, so a
//! missing shard cannot pass unnoticed), otherwise the order of the inputs.
//! Summaries and exit codes are computed from the merged hosts, like an
//! audit's.

use crate::model::{HostReport, HostStatus, Report, ToolInfo};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One input report and where it came from.
pub struct Input {
    pub path: PathBuf,
    pub report: Report,
}

/// Read and parse one JSON report.
pub fn load(path: &Path) -> Result<Input, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read report {}: {e}", path.display()))?;
    let report: Report = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not a shipshape JSON report ({e}); write reports with `audit --format json`",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    Ok(Input {
        path: path.to_path_buf(),
        report,
    })
}

/// Whether a report written by `version` can be merged by this build.
fn compatible(version: &str, ours: &str) -> bool {
    let (Ok(v), Ok(o)) = (
        semver::Version::parse(version),
        semver::Version::parse(ours),
    ) else {
        return false;
    };
    v.major == o.major && (o.major != 0 || v.minor == o.minor)
}

/// A host the inventory lists: its name and address.
pub struct Expected {
    pub name: String,
    pub address: String,
}

/// Merge `inputs` (at least one). `inventory`, when given, sets the order.
pub fn merge(inputs: Vec<Input>, inventory: Option<&[Expected]>) -> Result<Report, String> {
    let first = inputs
        .first()
        .ok_or_else(|| "merge needs at least one report".to_string())?;
    let ours = ToolInfo::current();
    let profile = first.report.profile.clone();
    let first_path = first.path.clone();
    for i in &inputs {
        let tool = &i.report.tool;
        if tool.name != ours.name {
            return Err(format!(
                "{}: written by {:?}, not {}",
                i.path.display(),
                tool.name,
                ours.name
            ));
        }
        if !compatible(&tool.version, &ours.version) {
            return Err(format!(
                "{}: written by {} {}, which this {} {} cannot merge (reports must come \
                 from the same major version, and for 0.x the same minor); re-run the \
                 shards with one version",
                i.path.display(),
                tool.name,
                tool.version,
                ours.name,
                ours.version
            ));
        }
        if i.report.profile != profile {
            return Err(format!(
                "{}: profile {:?}, but {} used profile {:?}; only shards of one audit \
                 (one profile) can be merged",
                i.path.display(),
                i.report.profile,
                first_path.display(),
                profile
            ));
        }
    }
    let started_at = inputs.iter().map(|i| i.report.started_at).min();
    let finished_at = inputs.iter().map(|i| i.report.finished_at).max();
    let incomplete = inputs.iter().any(|i| i.report.incomplete);

    let waivers = merge_waivers(&inputs);
    let baseline = merge_baselines(&inputs);
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    let mut hosts: Vec<HostReport> = Vec::new();
    for i in inputs {
        for h in i.report.hosts {
            if let Some(earlier) = seen.get(&h.name) {
                return Err(format!(
                    "host {:?} is in both {} and {}: each host must be in one report \
                     (were the shards made with the same --shard N and inventory?)",
                    h.name,
                    earlier.display(),
                    i.path.display()
                ));
            }
            seen.insert(h.name.clone(), i.path.clone());
            hosts.push(h);
        }
    }
    if let Some(expected) = inventory {
        let mut by_name: HashMap<String, HostReport> =
            hosts.drain(..).map(|h| (h.name.clone(), h)).collect();
        let mut ordered = Vec::with_capacity(expected.len() + by_name.len());
        let mut rest_order: Vec<String> = seen.keys().cloned().collect();
        rest_order.sort();
        for e in expected {
            ordered.push(by_name.remove(&e.name).unwrap_or_else(|| {
                HostReport {
                    name: e.name.clone(),
                    address: e.address.clone(),
                    status: HostStatus::Error,
                    error: Some(
                        "not audited: the inventory lists this host but no merged report has it \
                     (a shard missing?)"
                            .into(),
                    ),
                    findings: Vec::new(),
                    risk: None,
                    drift: None,
                }
            }));
        }
        // Hosts the inventory does not list (command-line targets) follow.
        ordered.extend(rest_order.iter().filter_map(|n| by_name.remove(n)));
        hosts = ordered;
    }
    Ok(Report {
        tool: ours,
        profile,
        started_at: started_at.unwrap_or_else(chrono::Utc::now),
        finished_at: finished_at.unwrap_or_else(chrono::Utc::now),
        incomplete,
        hosts,
        waivers,
        baseline,
    })
}

/// One waiver seen by several shards is one outcome: applied if it applied
/// anywhere, else expired if it expired anywhere, else unused; its hosts
/// are the union.
fn merge_waivers(inputs: &[Input]) -> Vec<crate::model::WaiverOutcome> {
    use crate::model::WaiverState;
    let rank = |s: WaiverState| match s {
        WaiverState::Applied => 0,
        WaiverState::Expired => 1,
        WaiverState::Unused => 2,
    };
    let mut merged: Vec<crate::model::WaiverOutcome> = Vec::new();
    for w in inputs.iter().flat_map(|i| &i.report.waivers) {
        match merged.iter_mut().find(|m| {
            (&m.check, &m.host, &m.source, m.expires) == (&w.check, &w.host, &w.source, w.expires)
        }) {
            Some(m) => {
                if rank(w.state) < rank(m.state) {
                    m.state = w.state;
                }
                for h in &w.hosts {
                    if !m.hosts.contains(h) {
                        m.hosts.push(h.clone());
                    }
                }
                m.hosts.sort();
            }
            None => merged.push(w.clone()),
        }
    }
    merged
}

/// Shards compared with one baseline file add up; shards with different
/// baselines (or none) leave the merged report without a summary, while
/// each host keeps its own drift.
fn merge_baselines(inputs: &[Input]) -> Option<crate::model::BaselineSummary> {
    let mut sum: Option<crate::model::BaselineSummary> = None;
    for i in inputs {
        let b = i.report.baseline.as_ref()?;
        match &mut sum {
            None => sum = Some(b.clone()),
            Some(s) if s.file == b.file && s.started_at == b.started_at => {
                s.new += b.new;
                s.unchanged += b.unchanged;
                s.resolved += b.resolved;
                // A baseline host missing from one shard is usually in another.
                s.hosts_not_in_run
                    .retain(|h| b.hosts_not_in_run.contains(h));
            }
            Some(_) => return None,
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Countermeasure, Finding, Severity, Status};
    use chrono::TimeZone;

    fn host(name: &str, status: Status) -> HostReport {
        HostReport {
            name: name.into(),
            address: format!("{name}.example"),
            status: HostStatus::Audited,
            error: None,
            findings: vec![Finding {
                check: "ftp-server".into(),
                title: "t".into(),
                category: Category::FtpService,
                status,
                severity: Severity::High,
                countermeasure: Countermeasure::new(1).unwrap(),
                evidence: "e".into(),
                remediation: "r".into(),
                waiver: None,
                drift: None,
            }],
            risk: None,
            drift: None,
        }
    }

    fn input(path: &str, minute: u32, hosts: Vec<HostReport>) -> Input {
        let at = |m| chrono::Utc.with_ymd_and_hms(2026, 11, 22, 3, m, 0).unwrap();
        Input {
            path: path.into(),
            report: Report {
                tool: ToolInfo::current(),
                profile: "go-live".into(),
                started_at: at(minute),
                finished_at: at(minute + 1),
                incomplete: false,
                hosts,
                waivers: Vec::new(),
                baseline: None,
            },
        }
    }

    fn names(r: &Report) -> Vec<&str> {
        r.hosts.iter().map(|h| h.name.as_str()).collect()
    }

    #[test]
    fn merges_in_input_order_and_spans_the_runs() {
        let a = input("a.json", 5, vec![host("w1", Status::Pass)]);
        let b = input(
            "b.json",
            2,
            vec![host("w2", Status::Fail), host("w3", Status::Pass)],
        );
        let m = merge(vec![a, b], None).unwrap();
        assert_eq!(names(&m), ["w1", "w2", "w3"]);
        assert_eq!(m.started_at.format("%M").to_string(), "02");
        assert_eq!(m.finished_at.format("%M").to_string(), "06");
        assert!(m.has_failures() && !m.incomplete);
    }

    #[test]
    fn inventory_order_wins_and_missing_hosts_are_errors() {
        let a = input(
            "a.json",
            0,
            vec![host("w3", Status::Pass), host("w1", Status::Pass)],
        );
        let mut b = input("b.json", 0, vec![host("extra", Status::Pass)]);
        b.report.incomplete = true;
        let inv: Vec<Expected> = ["w1", "w2", "w3"]
            .iter()
            .map(|n| Expected {
                name: n.to_string(),
                address: "192.0.2.1".into(),
            })
            .collect();
        let m = merge(vec![a, b], Some(&inv)).unwrap();
        assert_eq!(names(&m), ["w1", "w2", "w3", "extra"]);
        assert_eq!(m.hosts[1].status, HostStatus::Error);
        assert!(m.hosts[1]
            .error
            .as_deref()
            .unwrap()
            .contains("no merged report"));
        assert!(m.incomplete);
    }

    #[test]
    fn refuses_mixed_profiles_versions_tools_and_duplicates() {
        let mut b = input("b.json", 0, vec![host("w2", Status::Pass)]);
        b.report.profile = "compliance".into();
        let e = merge(vec![input("a.json", 0, vec![]), b], None).unwrap_err();
        assert!(
            e.contains("b.json") && e.contains("compliance") && e.contains("go-live"),
            "{e}"
        );

        let mut b = input("b.json", 0, vec![]);
        b.report.tool.version = "7.0.0".into();
        let e = merge(vec![b], None).unwrap_err();
        assert!(e.contains("7.0.0") && e.contains("cannot merge"), "{e}");

        let mut b = input("b.json", 0, vec![]);
        b.report.tool.name = "other".into();
        assert!(merge(vec![b], None).unwrap_err().contains("\"other\""));

        let e = merge(
            vec![
                input("a.json", 0, vec![host("w1", Status::Pass)]),
                input("b.json", 0, vec![host("w1", Status::Pass)]),
            ],
            None,
        )
        .unwrap_err();
        assert!(
            e.contains("\"w1\"") && e.contains("a.json") && e.contains("b.json"),
            "{e}"
        );
        assert!(merge(vec![], None).is_err());
    }

    #[test]
    fn versions_compatible_by_major_and_0x_minor() {
        assert!(compatible("0.1.7", "0.1.0"));
        assert!(!compatible("0.2.0", "0.1.0"));
        assert!(compatible("1.4.0", "1.0.2"));
        assert!(!compatible("2.0.0", "1.0.0"));
        assert!(!compatible("garbage", "0.1.0"));
    }
}
