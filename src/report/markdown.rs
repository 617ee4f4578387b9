//! The Markdown report, for tickets and pull requests: the remediation plan
//! by countermeasure (failing and erroring findings), then the per-host
//! summary. A pure function of the report.

use super::table::summary;
use crate::model::Report;
use std::fmt::Write as _;

/// Make text safe inside a Markdown table cell: no line breaks, no cell
/// separators, no HTML.
fn cell(s: &str) -> String {
    super::visible(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# shipshape audit: profile `{}`\n",
        cell(&report.profile)
    );
    let _ = writeln!(
        out,
        "{} {} · started {} · finished {}\n",
        report.tool.name,
        report.tool.version,
        report.started_at.format("%Y-%m-%d %H:%M:%S UTC"),
        report.finished_at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    let plan = super::remediation_plan(report);
    if plan.is_empty() {
        out.push_str("No failing findings.\n\n");
    }
    let with_drift = report.baseline.is_some();
    for (cm, group) in plan {
        let _ = writeln!(out, "## {}. {}\n", cm.number(), cm.heading());
        if with_drift {
            out.push_str("| Host | Check | Severity | Change | Evidence | Remediation |\n");
            out.push_str("| --- | --- | --- | --- | --- | --- |\n");
        } else {
            out.push_str("| Host | Check | Severity | Evidence | Remediation |\n");
            out.push_str("| --- | --- | --- | --- | --- |\n");
        }
        for (h, f) in group {
            let sev = super::severity_cell(f);
            let change = match (with_drift, f.drift) {
                (false, _) => String::new(),
                (true, Some(d)) => format!(" {d} |"),
                (true, None) => " |".to_string(),
            };
            let _ = writeln!(
                out,
                "| {} | `{}` | {} |{change} {} | {} |",
                cell(&h.name),
                cell(&f.check),
                sev,
                cell(&f.evidence),
                cell(&f.remediation)
            );
        }
        out.push('\n');
    }
    let waived = super::waived_findings(report);
    if !waived.is_empty() {
        out.push_str("## Waived findings\n\n");
        out.push_str("| Host | Check | Severity | Justification | Expires | Waiver |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- |\n");
        for (h, f) in waived {
            if let Some(w) = &f.waiver {
                let _ = writeln!(
                    out,
                    "| {} | `{}` | {} | {} | {} | {} |",
                    cell(&h.name),
                    cell(&f.check),
                    f.severity,
                    cell(&w.justification),
                    w.expires,
                    cell(&w.source)
                );
            }
        }
        out.push('\n');
    }
    let notes = super::waiver_notes(report);
    if !notes.is_empty() {
        out.push_str("## Waivers not applied\n\n");
        for n in notes {
            let _ = writeln!(out, "- {}", cell(&n));
        }
        out.push('\n');
    }
    if let Some(b) = &report.baseline {
        let _ = writeln!(out, "## {}\n", cell(&super::baseline_heading(b)));
        let resolved = super::resolved_findings(report);
        if resolved.is_empty() {
            out.push_str("No finding resolved since the baseline.\n\n");
        } else {
            out.push_str("| Host | Check | Severity | Was | Now |\n");
            out.push_str("| --- | --- | --- | --- | --- |\n");
            for (h, r) in resolved {
                let _ = writeln!(
                    out,
                    "| {} | `{}` | {} | {} | {} |",
                    cell(h),
                    cell(&r.check),
                    r.severity,
                    r.was,
                    r.now.map_or("not run".to_string(), |s| s.to_string())
                );
            }
            out.push('\n');
        }
    }
    out.push_str("## Hosts\n\n");
    for line in summary(report).lines() {
        let _ = writeln!(out, "- {}", cell(line));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    #[test]
    fn groups_by_countermeasure_and_escapes_cells() {
        let f = |check: &str, cm: u8, status, evidence: &str| Finding {
            check: check.into(),
            title: "t".into(),
            category: Category::FtpService,
            status,
            severity: Severity::High,
            countermeasure: Countermeasure::new(cm).unwrap(),
            evidence: evidence.into(),
            remediation: "fix it".into(),
            waiver: None,
            drift: None,
        };
        let report = Report {
            tool: ToolInfo::current(),
            profile: "go-live".into(),
            started_at: chrono::Utc::now(),
            finished_at: chrono::Utc::now(),
            incomplete: false,
            hosts: vec![
                HostReport {
                    name: "web|1".into(),
                    address: "192.0.2.1".into(),
                    status: HostStatus::Audited,
                    error: None,
                    findings: vec![
                        f("php-version", 4, Status::Fail, "PHP 5.3.29\nEOL | <b>"),
                        f("ftp-server", 1, Status::Fail, "port 21"),
                        f("log-watching", 3, Status::Pass, "ok"),
                    ],
                    risk: None,
                    drift: None,
                },
                HostReport {
                    name: "db1".into(),
                    address: "192.0.2.2".into(),
                    status: HostStatus::Unreachable,
                    error: Some("connection refused".into()),
                    findings: vec![],
                    risk: None,
                    drift: None,
                },
            ],
            waivers: vec![],
            baseline: None,
        };
        let md = render(&report);
        let cm1 = md.find("## 1. ").unwrap();
        let cm4 = md.find("## 4. ").unwrap();
        assert!(cm1 < cm4);
        assert!(
            !md.contains("## 3. "),
            "passing findings are not in the plan"
        );
        assert!(
            md.contains(
                "| web\\|1 | `php-version` | high | PHP 5.3.29 EOL \\| &lt;b&gt; | fix it |"
            ),
            "{md}"
        );
        assert!(
            md.contains("- db1: NOT AUDITED (unreachable): connection refused"),
            "{md}"
        );
        for line in md
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| ---"))
        {
            assert_eq!(line.matches(" | ").count(), 4, "five cells: {line}");
        }
    }
}
