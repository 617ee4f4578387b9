//! Baselines: compare a run with a previous shipshape JSON report.
//!
//! A finding's identity is (host name, check id). A finding is *open* when
//! its status is `fail`, `waived` or `error` (a problem, an accepted
//! problem, or a check that could not be judged). Against the baseline,
//! each open finding of an audited host is `new` (not open in the baseline,
//! or the host was not audited there) or `unchanged` (open there too). A
//! finding open in the baseline is *resolved* when the host was audited in
//! this run and the check now passes, skips, or no longer runs. Hosts not
//! audited in this run get no drift: nothing is known about them.

use crate::model::{
    BaselineSummary, Drift, Finding, HostDrift, HostStatus, Report, ResolvedFinding, Status,
};
use crate::risk;
use std::collections::HashMap;
use std::path::Path;

/// Open: a problem to track between runs.
pub fn is_open(status: Status) -> bool {
    matches!(status, Status::Fail | Status::Waived | Status::Error)
}

/// Read and validate a baseline report. Errors say what the file is not.
pub fn load(path: &Path) -> Result<Report, String> {
    load_report(
        path,
        "--baseline takes a report written by `shipshape audit --format json`",
    )
}

/// Read and validate a shipshape JSON report; `hint` says what was expected.
pub fn load_report(path: &Path, hint: &str) -> Result<Report, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{shown}: cannot read the report: {e}"))?;
    let hint = format!("hint: {hint}");
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{shown}:{}:{}: not JSON: {}\n  {hint}",
            e.line(),
            e.column(),
            strip_position(&e.to_string())
        )
    })?;
    if value.pointer("/tool/name").and_then(|v| v.as_str()) != Some("shipshape") {
        return Err(format!(
            "{shown}: not a shipshape report (no \"tool\": {{\"name\": \"shipshape\"}} at the top)\n  {hint}"
        ));
    }
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{shown}:{}:{}: not a valid shipshape report: {}\n  {hint}",
            e.line(),
            e.column(),
            strip_position(&e.to_string())
        )
    })
}

fn strip_position(msg: &str) -> &str {
    msg.find(" at line ").map_or(msg, |i| &msg[..i])
}

/// Mark the report's findings against `baseline` (read from `file`), fill
/// each audited host's `drift` and the report's `baseline` summary.
pub fn compare(report: &mut Report, baseline: &Report, file: &str) {
    let previous: HashMap<&str, HashMap<&str, &Finding>> = baseline
        .hosts
        .iter()
        .filter(|h| h.status == HostStatus::Audited)
        .map(|h| {
            (
                h.name.as_str(),
                h.findings.iter().map(|f| (f.check.as_str(), f)).collect(),
            )
        })
        .collect();
    let previous_hosts: HashMap<&str, &crate::model::HostReport> = baseline
        .hosts
        .iter()
        .map(|h| (h.name.as_str(), h))
        .collect();
    let (mut new, mut unchanged, mut resolved) = (0, 0, 0);
    for h in &mut report.hosts {
        if h.status != HostStatus::Audited {
            continue;
        }
        let before = previous.get(h.name.as_str());
        let mut drift = HostDrift {
            in_baseline: before.is_some(),
            previous_risk: previous_hosts
                .get(h.name.as_str())
                .and_then(|p| risk::assess(p))
                .map(|r| r.score),
            ..HostDrift::default()
        };
        for f in h.findings.iter_mut().filter(|f| is_open(f.status)) {
            let was_open = before
                .and_then(|b| b.get(f.check.as_str()))
                .is_some_and(|p| is_open(p.status));
            let d = if was_open {
                drift.unchanged += 1;
                Drift::Unchanged
            } else {
                drift.new += 1;
                Drift::New
            };
            f.drift = Some(d);
        }
        if let Some(before) = before {
            let mut gone: Vec<ResolvedFinding> = before
                .values()
                .filter(|p| is_open(p.status))
                .filter_map(|p| {
                    let now = h.findings.iter().find(|f| f.check == p.check);
                    match now {
                        Some(f) if is_open(f.status) => None,
                        _ => Some(ResolvedFinding {
                            check: p.check.clone(),
                            title: p.title.clone(),
                            severity: p.severity,
                            countermeasure: p.countermeasure,
                            was: p.status,
                            now: now.map(|f| f.status),
                        }),
                    }
                })
                .collect();
            gone.sort_by(|a, b| {
                (a.countermeasure, a.severity, &a.check).cmp(&(
                    b.countermeasure,
                    b.severity,
                    &b.check,
                ))
            });
            drift.resolved = gone;
        }
        new += drift.new;
        unchanged += drift.unchanged;
        resolved += drift.resolved.len();
        h.drift = Some(drift);
    }
    let mut hosts_not_in_run: Vec<String> = baseline
        .hosts
        .iter()
        .filter(|b| !report.hosts.iter().any(|h| h.name == b.name))
        .map(|b| b.name.clone())
        .collect();
    hosts_not_in_run.sort();
    report.baseline = Some(BaselineSummary {
        file: file.to_string(),
        started_at: baseline.started_at,
        profile: baseline.profile.clone(),
        new,
        unchanged,
        resolved,
        hosts_not_in_run,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn f(check: &str, status: Status) -> Finding {
        Finding {
            check: check.into(),
            title: format!("title of {check}"),
            category: Category::FtpService,
            status,
            severity: Severity::High,
            countermeasure: Countermeasure::new(1).unwrap(),
            evidence: String::new(),
            remediation: String::new(),
            waiver: None,
            drift: None,
        }
    }

    fn host(name: &str, status: HostStatus, findings: Vec<Finding>) -> HostReport {
        HostReport {
            name: name.into(),
            address: "a".into(),
            status,
            error: None,
            findings,
            risk: None,
            drift: None,
        }
    }

    fn report(hosts: Vec<HostReport>) -> Report {
        Report {
            tool: ToolInfo::current(),
            profile: "p".into(),
            started_at: chrono::Utc::now(),
            finished_at: chrono::Utc::now(),
            incomplete: false,
            hosts,
            waivers: vec![],
            baseline: None,
        }
    }

    #[test]
    fn new_unchanged_resolved() {
        let before = report(vec![
            host(
                "web1",
                HostStatus::Audited,
                vec![
                    f("a", Status::Fail),
                    f("b", Status::Fail),
                    f("c", Status::Pass),
                    f("d", Status::Error),
                    f("e", Status::Waived),
                    f("gone", Status::Fail),
                ],
            ),
            host("down", HostStatus::Timeout, vec![]),
            host("retired", HostStatus::Audited, vec![f("a", Status::Fail)]),
        ]);
        let mut now = report(vec![
            host(
                "web1",
                HostStatus::Audited,
                vec![
                    f("a", Status::Fail),  // unchanged
                    f("b", Status::Pass),  // resolved
                    f("c", Status::Fail),  // new
                    f("d", Status::Fail),  // unchanged (error -> fail: still open)
                    f("e", Status::Skip),  // resolved
                    f("f", Status::Error), // new
                ],
            ),
            host("down", HostStatus::Audited, vec![f("a", Status::Fail)]),
            host("fresh", HostStatus::Unreachable, vec![]),
        ]);
        compare(&mut now, &before, "prev.json");
        let marks: Vec<_> = now.hosts[0].findings.iter().map(|f| f.drift).collect();
        use Drift::*;
        assert_eq!(
            marks,
            vec![
                Some(Unchanged),
                None,
                Some(New),
                Some(Unchanged),
                None,
                Some(New)
            ]
        );
        let d = now.hosts[0].drift.as_ref().unwrap();
        assert!(d.in_baseline);
        assert_eq!((d.new, d.unchanged), (2, 2));
        let resolved: Vec<_> = d
            .resolved
            .iter()
            .map(|r| (r.check.as_str(), r.was, r.now))
            .collect();
        assert_eq!(
            resolved,
            vec![
                ("b", Status::Fail, Some(Status::Pass)),
                ("e", Status::Waived, Some(Status::Skip)),
                ("gone", Status::Fail, None),
            ]
        );
        assert_eq!(d.previous_risk, Some(5 * 3), "a, b, gone failed before");
        let down = now.hosts[1].drift.as_ref().unwrap();
        assert!(!down.in_baseline, "not audited in the baseline");
        assert_eq!(down.new, 1);
        assert!(now.hosts[2].drift.is_none(), "not audited now: no drift");
        let s = now.baseline.as_ref().unwrap();
        assert_eq!((s.new, s.unchanged, s.resolved), (3, 2, 3));
        assert_eq!(s.hosts_not_in_run, vec!["retired".to_string()]);
        // --fail-on-new: only new failing or erroring findings gate.
        assert!(now.gates(Severity::Info, true));
        // Combined with --fail-on: the new findings are high, so a critical
        // threshold lets them pass, but a host not audited still gates.
        assert!(now.gates(Severity::High, true));
        let mut only_audited = now.clone();
        only_audited
            .hosts
            .retain(|h| h.status == HostStatus::Audited);
        assert!(!only_audited.gates(Severity::Critical, true));
        assert!(now.gates(Severity::Critical, true), "fresh is unreachable");
        now.hosts[0].findings[2].status = Status::Pass;
        now.hosts[0].findings[5].status = Status::Pass;
        now.hosts[1].findings[0].drift = Some(Unchanged);
        now.hosts.pop();
        assert!(!now.gates(Severity::Info, true));
        assert!(now.gates(Severity::Info, false));
    }

    #[test]
    fn load_validates_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        std::fs::write(&p, "{\n  \"tool\": oops").unwrap();
        let e = load(&p).unwrap_err();
        assert!(e.contains("x.json:2:11: not JSON"), "{e}");
        std::fs::write(&p, "{\"hosts\": []}").unwrap();
        let e = load(&p).unwrap_err();
        assert!(e.contains("not a shipshape report"), "{e}");
        std::fs::write(
            &p,
            "{\"tool\": {\"name\": \"shipshape\", \"version\": \"1\"}}",
        )
        .unwrap();
        let e = load(&p).unwrap_err();
        assert!(
            e.contains("not a valid shipshape report: missing field"),
            "{e}"
        );
        let good = report(vec![host(
            "h",
            HostStatus::Audited,
            vec![f("a", Status::Fail)],
        )]);
        std::fs::write(&p, crate::report::json::render(&good)).unwrap();
        assert_eq!(load(&p).unwrap(), good);
        let e = load(&dir.path().join("missing.json")).unwrap_err();
        assert!(e.contains("cannot read the report"), "{e}");
    }
}
