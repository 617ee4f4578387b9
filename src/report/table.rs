//! The remediation table: failing findings grouped and ordered by the
//! incident report's countermeasures 1–5, then a per-host summary.

use crate::model::{HostStatus, Report, Severity, Status};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, ContentArrangement, Table};
use std::fmt::Write as _;

pub fn render(report: &Report, width: Option<u16>) -> String {
    let mut out = String::new();
    let plan = super::remediation_plan(report);
    if plan.is_empty() {
        out.push_str("No failing findings.\n");
    }
    for (cm, group) in plan {
        let _ = writeln!(out, "\n{}. {}", cm.number(), cm.heading());
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(vec!["Host", "Check", "Severity", "Evidence", "Remediation"]);
        if let Some(w) = width {
            table.set_width(w);
        }
        for (h, f) in group {
            let sev = super::severity_cell(f);
            table.add_row(vec![
                Cell::new(&h.name),
                Cell::new(&f.check),
                Cell::new(sev),
                Cell::new(&f.evidence),
                Cell::new(&f.remediation),
            ]);
        }
        let _ = writeln!(out, "{table}");
    }
    out.push('\n');
    out.push_str(&summary(report));
    out
}

/// Per-host lines and the closing summary line.
pub fn summary(report: &Report) -> String {
    let mut out = String::new();
    for h in &report.hosts {
        if h.status == HostStatus::Audited {
            let count = |s: Status| h.findings.iter().filter(|f| f.status == s).count();
            let _ = writeln!(
                out,
                "{}: audited, {} fail, {} pass, {} skip, {} error",
                h.name,
                count(Status::Fail),
                count(Status::Pass),
                count(Status::Skip),
                count(Status::Error)
            );
        } else {
            let _ = writeln!(
                out,
                "{}: NOT AUDITED ({}): {}",
                h.name,
                h.status,
                h.error.as_deref().unwrap_or("no reason recorded")
            );
        }
    }
    let audited = report
        .hosts
        .iter()
        .filter(|h| h.status == HostStatus::Audited)
        .count();
    let mut not = std::collections::BTreeMap::<&str, usize>::new();
    for h in report
        .hosts
        .iter()
        .filter(|h| h.status != HostStatus::Audited)
    {
        *not.entry(h.status.as_str()).or_default() += 1;
    }
    let fails: Vec<String> = Severity::ALL
        .iter()
        .map(|s| {
            let n = report
                .hosts
                .iter()
                .flat_map(|h| &h.findings)
                .filter(|f| f.status == Status::Fail && f.severity == *s)
                .count();
            format!("{n} {s}")
        })
        .collect();
    let not_text = if not.is_empty() {
        "0 not audited".to_string()
    } else {
        format!(
            "{} not audited ({})",
            report.hosts.len() - audited,
            not.iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if report.incomplete {
        out.push_str(
            "INCOMPLETE: the run was interrupted; hosts not started are listed as not audited\n",
        );
    }
    let _ = writeln!(
        out,
        "Summary: {audited} of {} hosts audited, {not_text}; failing findings: {}",
        report.hosts.len(),
        fails.join(", ")
    );
    out
}
