//! Reporters: pure functions from a finished [`Report`] to text. They never
//! decide a status; they only arrange what evaluation decided.

pub mod json;
pub mod markdown;
pub mod table;

use crate::model::{Countermeasure, Finding, HostReport, Report, Status};
use std::io::Write as _;

/// Output formats of `audit --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
}

/// Render `report` in `format`. `width` is the terminal width for tables.
pub fn render(report: &Report, format: Format, width: Option<u16>) -> String {
    match format {
        Format::Table => table::render(report, width),
        Format::Json => json::render(report),
        Format::Markdown => markdown::render(report),
    }
}

/// Render `report` in `format` into `out`. JSON is streamed (a fleet's
/// report is not held twice in memory); the other formats are small.
pub fn write(
    report: &Report,
    format: Format,
    width: Option<u16>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(out);
    match format {
        Format::Json => json::write(report, &mut out)?,
        _ => out.write_all(render(report, format, width).as_bytes())?,
    }
    std::io::Write::flush(&mut out)
}

/// The remediation plan: failing and erroring findings of every host, by
/// countermeasure (1–5), each group in order of status, severity, host and
/// check. Reporters lay it out; they never choose or reorder rows.
pub fn remediation_plan(report: &Report) -> Vec<(Countermeasure, Vec<(&HostReport, &Finding)>)> {
    let mut rows: Vec<(&HostReport, &Finding)> = report
        .hosts
        .iter()
        .flat_map(|h| h.findings.iter().map(move |f| (h, f)))
        .filter(|(_, f)| matches!(f.status, Status::Fail | Status::Error))
        .collect();
    rows.sort_by(|(ha, a), (hb, b)| {
        (a.countermeasure, a.status, a.severity, &ha.name, &a.check).cmp(&(
            b.countermeasure,
            b.status,
            b.severity,
            &hb.name,
            &b.check,
        ))
    });
    Countermeasure::all()
        .map(|cm| {
            (
                cm,
                rows.iter()
                    .copied()
                    .filter(|(_, f)| f.countermeasure == cm)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, group)| !group.is_empty())
        .collect()
}

/// The severity column: a check that errored says so.
pub fn severity_cell(f: &Finding) -> String {
    if f.status == Status::Error {
        format!("{} (check error)", f.severity)
    } else {
        f.severity.to_string()
    }
}
