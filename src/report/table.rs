//! The remediation table: failing findings grouped and ordered by the
//! incident report's countermeasures 1–5, then waived findings, waivers that
//! did not apply, findings resolved since the baseline, and a per-host
//! summary with risk scores and drift.

use crate::model::{Drift, Finding, HostStatus, Report, Severity, Status};
use comfy_table::{
    presets::UTF8_FULL_CONDENSED, Attribute, Cell, Color, ContentArrangement, Table,
};
use std::fmt::Write as _;

/// How the table is drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Wrap to this many columns; `None`: the terminal's width (a fixed
    /// fallback when standard output is no terminal).
    pub width: Option<u16>,
    /// ANSI colours (only ever on a terminal, and never with `NO_COLOR`).
    pub colour: bool,
}

fn table(style: Style, header: Vec<&str>) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    if style.colour {
        table.enforce_styling();
    }
    // Without a width, comfy-table measures the terminal. Cells carry no
    // style unless `colour`, so nothing but text is written otherwise.
    if let Some(w) = style.width {
        table.set_width(w);
    }
    table
}

fn severity_cell(f: &Finding, colour: bool) -> Cell {
    let cell = Cell::new(super::severity_cell(f));
    if !colour {
        return cell;
    }
    if f.status == Status::Error {
        return cell.fg(Color::Magenta);
    }
    match f.severity {
        Severity::Critical => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        Severity::High => cell.fg(Color::Red),
        Severity::Medium => cell.fg(Color::Yellow),
        Severity::Low => cell.fg(Color::Cyan),
        Severity::Info => cell,
    }
}

fn drift_cell(f: &Finding, colour: bool) -> Cell {
    let text = f.drift.map_or("", Drift::as_str);
    let cell = Cell::new(text);
    if colour && f.drift == Some(Drift::New) {
        cell.fg(Color::Yellow).add_attribute(Attribute::Bold)
    } else {
        cell
    }
}

pub fn render(report: &Report, width: Option<u16>) -> String {
    render_styled(
        report,
        Style {
            width,
            colour: false,
        },
    )
}

pub fn render_styled(report: &Report, style: Style) -> String {
    let mut out = String::new();
    let plan = super::remediation_plan(report);
    let with_drift = report.baseline.is_some();
    if plan.is_empty() {
        out.push_str("No failing findings.\n");
    }
    for (cm, group) in plan {
        let _ = writeln!(out, "\n{}. {}", cm.number(), cm.heading());
        let mut header = vec!["Host", "Check", "Severity"];
        if with_drift {
            header.push("Change");
        }
        header.extend(["Evidence", "Remediation"]);
        let mut t = table(style, header);
        for (h, f) in group {
            let mut row = vec![
                Cell::new(&h.name),
                Cell::new(&f.check),
                severity_cell(f, style.colour),
            ];
            if with_drift {
                row.push(drift_cell(f, style.colour));
            }
            row.extend([
                Cell::new(super::visible(&f.evidence)),
                Cell::new(&f.remediation),
            ]);
            t.add_row(row);
        }
        let _ = writeln!(out, "{t}");
    }
    let waived = super::waived_findings(report);
    if !waived.is_empty() {
        out.push_str("\nWaived findings (accepted risks; they do not fail the run)\n");
        let mut t = table(
            style,
            vec![
                "Host",
                "Check",
                "Severity",
                "Justification",
                "Expires",
                "Waiver",
            ],
        );
        for (h, f) in waived {
            let w = f.waiver.as_ref();
            t.add_row(vec![
                Cell::new(&h.name),
                Cell::new(&f.check),
                Cell::new(f.severity),
                Cell::new(w.map_or("", |w| w.justification.as_str())),
                Cell::new(w.map_or(String::new(), |w| w.expires.to_string())),
                Cell::new(w.map_or("", |w| w.source.as_str())),
            ]);
        }
        let _ = writeln!(out, "{t}");
    }
    let notes = super::waiver_notes(report);
    if !notes.is_empty() {
        out.push_str("\nWaivers not applied\n");
        for n in notes {
            let _ = writeln!(out, "- {n}");
        }
    }
    let resolved = super::resolved_findings(report);
    if let Some(b) = &report.baseline {
        let _ = writeln!(out, "\n{}", super::baseline_heading(b));
        if resolved.is_empty() {
            out.push_str("No finding resolved since the baseline.\n");
        } else {
            let mut t = table(style, vec!["Host", "Check", "Severity", "Was", "Now"]);
            for (h, r) in resolved {
                t.add_row(vec![
                    Cell::new(h),
                    Cell::new(&r.check),
                    Cell::new(r.severity),
                    Cell::new(r.was),
                    Cell::new(r.now.map_or("not run".to_string(), |s| s.to_string())),
                ]);
            }
            let _ = writeln!(out, "{t}");
        }
    }
    out.push('\n');
    out.push_str(&summary(report));
    out
}

/// Per-host lines and the closing summary lines.
pub fn summary(report: &Report) -> String {
    let mut out = String::new();
    for h in &report.hosts {
        if h.status == HostStatus::Audited {
            let count = |s: Status| h.findings.iter().filter(|f| f.status == s).count();
            let _ = write!(
                out,
                "{}: audited, {} fail, {} pass, {} skip, {} error",
                h.name,
                count(Status::Fail),
                count(Status::Pass),
                count(Status::Skip),
                count(Status::Error)
            );
            if count(Status::Waived) > 0 {
                let _ = write!(out, ", {} waived", count(Status::Waived));
            }
            if let Some(r) = &h.risk {
                let _ = write!(out, "; risk {}", r.score);
                if let Some(prev) = h.drift.as_ref().and_then(|d| d.previous_risk) {
                    let _ = write!(out, " (was {prev})");
                }
            }
            if let Some(d) = &h.drift {
                if d.in_baseline {
                    let _ = write!(
                        out,
                        "; drift: {} new, {} unchanged, {} resolved",
                        d.new,
                        d.unchanged,
                        d.resolved.len()
                    );
                } else {
                    let _ = write!(out, "; drift: not in the baseline, {} new", d.new);
                }
            }
            out.push('\n');
        } else {
            let _ = writeln!(
                out,
                "{}: NOT AUDITED ({}): {}",
                h.name,
                h.status,
                super::visible(h.error.as_deref().unwrap_or("no reason recorded"))
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
    if let Some(b) = &report.baseline {
        let _ = write!(
            out,
            "Drift since {} ({}): {} new, {} unchanged, {} resolved",
            b.file,
            b.started_at.format("%Y-%m-%d %H:%M UTC"),
            b.new,
            b.unchanged,
            b.resolved
        );
        if !b.hosts_not_in_run.is_empty() {
            let _ = write!(out, "; not in this run: {}", b.hosts_not_in_run.join(", "));
        }
        out.push('\n');
    }
    if !report.waivers.is_empty() {
        let n =
            |s: crate::model::WaiverState| report.waivers.iter().filter(|w| w.state == s).count();
        let _ = writeln!(
            out,
            "Waivers: {} applied, {} expired, {} unused",
            n(crate::model::WaiverState::Applied),
            n(crate::model::WaiverState::Expired),
            n(crate::model::WaiverState::Unused)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn report() -> Report {
        let f = |check: &str, severity, status| Finding {
            check: check.into(),
            title: "t".into(),
            category: Category::FtpService,
            status,
            severity,
            countermeasure: Countermeasure::new(1).unwrap(),
            evidence: "evidence ".repeat(30),
            remediation: "remediation ".repeat(30),
            waiver: None,
            drift: Some(Drift::New),
        };
        Report {
            tool: ToolInfo::current(),
            profile: "p".into(),
            started_at: chrono::Utc::now(),
            finished_at: chrono::Utc::now(),
            incomplete: false,
            hosts: vec![HostReport {
                name: "web1".into(),
                address: "192.0.2.1".into(),
                status: HostStatus::Audited,
                error: None,
                findings: vec![
                    f("ftp-server", Severity::Critical, Status::Fail),
                    f("ftp-chroot", Severity::Low, Status::Fail),
                ],
                risk: None,
                drift: None,
            }],
            waivers: vec![],
            baseline: None,
        }
    }

    #[test]
    fn colour_only_when_asked_and_width_is_kept() {
        let r = report();
        let plain = render_styled(
            &r,
            Style {
                width: Some(80),
                colour: false,
            },
        );
        assert!(!plain.contains('\x1b'), "{plain}");
        // Table lines wrap to the width (summary lines are plain text).
        for line in plain
            .lines()
            .filter(|l| l.starts_with(['│', '┌', '└', '╞']))
        {
            assert!(line.chars().count() <= 80, "wrapped to 80: {line}");
        }
        let coloured = render_styled(
            &r,
            Style {
                width: Some(80),
                colour: true,
            },
        );
        assert!(
            coloured.contains("\x1b[38;5;9m"),
            "critical in red: {coloured:?}"
        );
        assert!(coloured.contains("\x1b[1m"), "critical in bold");
    }
}
