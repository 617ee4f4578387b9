//! Reporters: pure functions from a finished [`Report`] to text. They never
//! decide a status; they only arrange what evaluation decided.

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
mod markup;
pub mod sarif;
pub mod table;

use crate::model::{
    BaselineSummary, Countermeasure, Finding, HostReport, Report, ResolvedFinding, Status,
    WaiverState,
};
use std::io::Write as _;

/// Output formats of `audit --format` and `--output FORMAT=FILE`; the
/// names on the command line are a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Junit,
    Sarif,
    Html,
    Markdown,
}

impl Format {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
            Format::Html => "html",
            Format::Markdown => "markdown",
        }
    }
}

/// Render `report` in `format`. `width` is the terminal width for tables.
pub fn render(report: &Report, format: Format, width: Option<u16>) -> String {
    render_styled(
        report,
        format,
        table::Style {
            width,
            colour: false,
        },
    )
}

/// [`render`], with the table's colour and width chosen by the caller.
pub fn render_styled(report: &Report, format: Format, style: table::Style) -> String {
    match format {
        Format::Table => table::render_styled(report, style),
        Format::Json => json::render(report),
        Format::Junit => junit::render(report),
        Format::Sarif => sarif::render(report),
        Format::Html => html::render(report),
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

/// Text from a target (evidence, error reasons) made safe for a terminal or
/// a plain-text report: control characters would move the cursor, recolour
/// or clear the admin's screen, and bidirectional controls would make the
/// evidence read differently from what it says. Tabs become spaces (they
/// break table widths); newlines stay; other controls are shown as Unicode
/// control pictures (ESC as U+241B), C1 controls as U+FFFD, bidi controls as
/// `[U+202E]`.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
    };
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push(' '),
            '\n' => out.push('\n'),
            '\u{0}'..='\u{1f}' => {
                out.push(char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}'))
            }
            '\u{7f}' => out.push('\u{2421}'),
            c if c.is_control() => out.push('\u{fffd}'),
            c if bad(c) => {
                let _ =
                    std::fmt::Write::write_fmt(&mut out, format_args!("[U+{:04X}]", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
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

/// Waived findings of every host, by countermeasure, host and check.
pub fn waived_findings(report: &Report) -> Vec<(&HostReport, &Finding)> {
    let mut rows: Vec<(&HostReport, &Finding)> = report
        .hosts
        .iter()
        .flat_map(|h| h.findings.iter().map(move |f| (h, f)))
        .filter(|(_, f)| f.status == Status::Waived)
        .collect();
    rows.sort_by(|(ha, a), (hb, b)| {
        (a.countermeasure, &ha.name, &a.check).cmp(&(b.countermeasure, &hb.name, &b.check))
    });
    rows
}

/// One line per waiver that did not apply: expired, or matching nothing.
pub fn waiver_notes(report: &Report) -> Vec<String> {
    report
        .waivers
        .iter()
        .filter(|w| w.state != WaiverState::Applied)
        .map(|w| match w.state {
            WaiverState::Expired if w.hosts.is_empty() => format!(
                "expired on {}: {} on hosts {:?} ({}); it would match no failing finding either",
                w.expires, w.check, w.host, w.source
            ),
            WaiverState::Expired => format!(
                "expired on {}: {} on hosts {:?} ({}); no longer waived on {}",
                w.expires,
                w.check,
                w.host,
                w.source,
                w.hosts.join(", ")
            ),
            _ => format!(
                "unused: {} on hosts {:?} ({}) matches no failing finding",
                w.check, w.host, w.source
            ),
        })
        .collect()
}

/// Findings resolved since the baseline, host by host.
pub fn resolved_findings(report: &Report) -> Vec<(&str, &ResolvedFinding)> {
    report
        .hosts
        .iter()
        .filter_map(|h| h.drift.as_ref().map(|d| (h.name.as_str(), d)))
        .flat_map(|(h, d)| d.resolved.iter().map(move |r| (h, r)))
        .collect()
}

/// The heading of the resolved-findings section.
pub fn baseline_heading(b: &BaselineSummary) -> String {
    format!(
        "Resolved since the baseline {} (profile {}, started {})",
        b.file,
        b.profile,
        b.started_at.format("%Y-%m-%d %H:%M UTC")
    )
}

/// Reports shared by the reporters' unit tests (also used by the
/// integration tests that validate the formats against their schemas).
#[cfg(test)]
pub(crate) mod fixtures {
    use crate::model::Report;

    /// Three hosts: one audited with every finding status and hostile
    /// evidence, one unreachable, one never started (the run is incomplete).
    pub fn sample() -> Report {
        serde_json::from_str(include_str!("../../tests/fixtures/reports/sample.json"))
            .expect("the sample report parses")
    }

    /// A run with no host at all.
    pub fn empty() -> Report {
        serde_json::from_str(include_str!("../../tests/fixtures/reports/empty.json"))
            .expect("the empty report parses")
    }
}

#[cfg(test)]
mod tests {
    use super::visible;

    #[test]
    fn target_text_cannot_drive_the_terminal() {
        assert_eq!(visible("plain\ntext"), "plain\ntext");
        assert_eq!(
            visible("inetd\ttelnet\u{1b}[2J\u{7}\r\u{9b}x"),
            "inetd telnet\u{241b}[2J\u{2407}\u{240d}\u{fffd}x"
        );
        assert_eq!(visible("abc\u{202e}fed"), "abc[U+202E]fed");
    }
}
