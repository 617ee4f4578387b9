//! The HTML report for the go-live sign-off: one self-contained file
//! (inline stylesheet, no script, nothing fetched) with the overview per
//! host and per countermeasure, failing findings by severity, the
//! remediation plan, every finding with its evidence, and a sign-off block.
//! A print stylesheet lays it out for paper. Everything from the report is
//! escaped ([`super::markup`]): evidence comes from the audited hosts.
//!
//! Elements carry `data-*` attributes (host, check, status, severity,
//! countermeasure) so that tests and scripts can read the page's structure.

use super::markup::{attr, text};
use crate::model::{Countermeasure, Finding, HostReport, HostStatus, Report, Severity, Status};
use std::fmt::Write as _;

const STYLE: &str = r#"
:root { --fail: #b3261e; --error: #b35c00; --skip: #5f6368; --pass: #1e7b34; --line: #d0d4da; --muted: #5f6368; --head: #f2f4f7; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 14px; line-height: 1.45; color: #1f2328; margin: 0 auto; padding: 24px 32px 48px; max-width: 1280px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #1f2328; }
h3 { font-size: 16px; margin: 22px 0 8px; }
p { margin: 6px 0; }
.meta { color: var(--muted); }
.banner { border: 2px solid var(--fail); background: #fdecea; color: var(--fail); font-weight: 600; padding: 8px 12px; margin: 12px 0; }
.summary { display: flex; flex-wrap: wrap; gap: 10px; margin: 16px 0; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.tile b { display: block; font-size: 22px; }
.tile.bad b { color: var(--fail); }
.tile.good b { color: var(--pass); }
nav.toc { margin: 8px 0 0; }
nav.toc a { margin-right: 14px; color: #0b57d0; text-decoration: none; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; }
#severities table { width: auto; min-width: 50%; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--head); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.evidence { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.remediation { white-space: pre-wrap; overflow-wrap: anywhere; }
.check { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; white-space: nowrap; }
.title { color: var(--muted); font-size: 12.5px; }
.badge { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px; font-weight: 600; color: #fff; white-space: nowrap; }
.status-fail { background: var(--fail); }
.status-error { background: var(--error); }
.status-skip { background: var(--skip); }
.status-pass { background: var(--pass); }
.status-waived { background: var(--muted); }
.waiver { margin-top: 4px; font-style: italic; }
.drift-new { margin-top: 4px; color: var(--fail); font-weight: 600; }
.drift-unchanged { margin-top: 4px; color: var(--muted); }
.sev-critical { color: #8c1d18; font-weight: 700; }
.sev-high { color: var(--fail); font-weight: 600; }
.sev-medium { color: var(--error); }
.sev-low, .sev-info { color: var(--muted); }
td.zero { color: var(--muted); font-weight: normal; }
table.fixed { table-layout: fixed; }
table.fixed .check { white-space: normal; overflow-wrap: anywhere; }
.plan-group th:nth-child(1) { width: 13%; }
.plan-group th:nth-child(2) { width: 19%; }
.plan-group th:nth-child(3) { width: 9%; }
.plan-group th:nth-child(4) { width: 34%; }
section.host th:nth-child(1) { width: 8%; }
section.host th:nth-child(2) { width: 9%; }
section.host th:nth-child(3) { width: 24%; }
section.host th:nth-child(4) { width: 13%; }
section.host th:nth-child(5) { width: 5%; }
td.cm-fail, td.cm-ok, td.cm-none, td.cm-unknown { white-space: nowrap; }
td.cm-fail { background: #fdecea; color: var(--fail); font-weight: 600; }
td.cm-ok { background: #e8f5ea; color: var(--pass); }
td.cm-none, td.cm-unknown { color: var(--muted); }
td.cm-unknown { background: repeating-linear-gradient(135deg, #fff, #fff 6px, #eef0f3 6px, #eef0f3 12px); }
tr.not-audited td { background: #fff4e5; }
.host-reason { border-left: 4px solid var(--error); padding: 6px 10px; background: #fff4e5; }
.signoff td { height: 34px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 9.5pt; padding: 0; max-width: none; }
  nav.toc { display: none; }
  h2 { font-size: 13pt; break-after: avoid; }
  h3 { font-size: 11pt; break-after: avoid; }
  #plan, #findings, #signoff { break-before: page; }
  thead { display: table-header-group; }
  tr, .tile, .host-reason { break-inside: avoid; }
  .evidence { font-size: 8pt; }
  .badge, td.cm-fail, td.cm-ok, td.cm-unknown, thead th, .banner, tr.not-audited td, .host-reason { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// Fail first, then what could not be evaluated, then skips and passes.
fn status_rank(s: Status) -> u8 {
    match s {
        Status::Fail => 0,
        Status::Error => 1,
        Status::Waived => 2,
        Status::Skip => 3,
        Status::Pass => 4,
    }
}

fn audited(h: &HostReport) -> bool {
    match h.status {
        HostStatus::Audited => true,
        HostStatus::Unreachable
        | HostStatus::Timeout
        | HostStatus::AuthFailed
        | HostStatus::HostKeyMismatch
        | HostStatus::HostKeyUnknown
        | HostStatus::Error => false,
    }
}

fn count(findings: &[&Finding], status: Status) -> usize {
    findings.iter().filter(|f| f.status == status).count()
}

fn failing(h: &HostReport, severity: Severity) -> usize {
    h.findings
        .iter()
        .filter(|f| f.status == Status::Fail && f.severity == severity)
        .count()
}

fn badge(s: Status) -> String {
    format!("<span class=\"badge status-{s}\">{s}</span>")
}

fn severity(f: &Finding) -> String {
    format!(
        "<span class=\"sev-{}\">{}</span>",
        f.severity,
        text(&super::severity_cell(f))
    )
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    head(&mut out, report);
    summary(&mut out, report);
    severities(&mut out, report);
    hosts(&mut out, report);
    countermeasures(&mut out, report);
    plan(&mut out, report);
    findings(&mut out, report);
    waivers(&mut out, report);
    signoff(&mut out, report);
    let _ = write!(
        out,
        "<footer>Written by {} {}. This file is self-contained: it loads nothing.</footer>\n</body>\n</html>\n",
        text(&report.tool.name),
        text(&report.tool.version)
    );
    out
}

fn head(out: &mut String, report: &Report) {
    let day = report.started_at.format("%Y-%m-%d");
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"{} {}\">\n\
         <title>Security audit {day}: profile {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header>\n<h1>Security audit: profile {}</h1>\n\
         <p class=\"meta\">{} {} · started {} · finished {}</p>\n",
        attr(&report.tool.name),
        attr(&report.tool.version),
        text(&report.profile),
        text(&report.profile),
        text(&report.tool.name),
        text(&report.tool.version),
        report.started_at.format("%Y-%m-%d %H:%M:%S UTC"),
        report.finished_at.format("%Y-%m-%d %H:%M:%S UTC"),
    );
    if report.incomplete {
        out.push_str(
            "<p class=\"banner\" id=\"incomplete\">INCOMPLETE: the run was interrupted. \
             Hosts that were not started are listed as not audited; this report cannot \
             support a sign-off.</p>\n",
        );
    }
    out.push_str(
        "<nav class=\"toc\"><a href=\"#hosts\">Hosts</a><a href=\"#countermeasures\">Countermeasures</a>\
         <a href=\"#plan\">Remediation plan</a><a href=\"#findings\">Findings</a>\
         <a href=\"#signoff\">Sign-off</a></nav>\n</header>\n",
    );
}

fn summary(out: &mut String, report: &Report) {
    let n_audited = report.hosts.iter().filter(|h| audited(h)).count();
    let all: Vec<&Finding> = report.hosts.iter().flat_map(|h| &h.findings).collect();
    let fails = count(&all, Status::Fail);
    let errors = count(&all, Status::Error);
    let not = report.hosts.len() - n_audited;
    let tile = |good: bool, n: usize, label: &str, id: &str| {
        format!(
            "<div class=\"tile {}\" id=\"{id}\"><b>{n}</b>{label}</div>",
            if good { "good" } else { "bad" }
        )
    };
    let _ = writeln!(
        out,
        "<section id=\"summary\" class=\"summary\">{}{}{}{}</section>",
        tile(
            not == 0,
            n_audited,
            &format!("of {} hosts audited", report.hosts.len()),
            "hosts-audited"
        ),
        tile(not == 0, not, "hosts not audited", "hosts-not-audited"),
        tile(fails == 0, fails, "failing findings", "failing-findings"),
        tile(errors == 0, errors, "checks not evaluated", "check-errors"),
    );
}

fn severities(out: &mut String, report: &Report) {
    out.push_str(
        "<section id=\"severities\">\n<h2>Failing findings by severity</h2>\n<table>\n<thead><tr>",
    );
    for s in Severity::ALL {
        let _ = write!(out, "<th class=\"num\">{s}</th>");
    }
    out.push_str("<th class=\"num\">total</th></tr></thead>\n<tbody><tr>");
    let mut total = 0;
    for s in Severity::ALL {
        let n: usize = report.hosts.iter().map(|h| failing(h, s)).sum();
        total += n;
        let zero = if n == 0 { " zero" } else { "" };
        let _ = write!(
            out,
            "<td class=\"num sev-{s}{zero}\" data-severity=\"{s}\">{n}</td>"
        );
    }
    let _ = writeln!(
        out,
        "<td class=\"num\" data-severity=\"total\">{total}</td></tr></tbody>\n</table>\n</section>"
    );
}

fn hosts(out: &mut String, report: &Report) {
    out.push_str(
        "<section id=\"hosts\">\n<h2>Hosts</h2>\n<table>\n<thead><tr><th>Host</th><th>Address</th>\
         <th>Status</th><th class=\"num\">fail</th><th class=\"num\">error</th>\
         <th class=\"num\">skip</th><th class=\"num\">pass</th><th class=\"num\">waived</th>",
    );
    for s in Severity::ALL {
        let _ = write!(out, "<th class=\"num\">{s}</th>");
    }
    out.push_str("<th class=\"num\">risk</th></tr></thead>\n<tbody>\n");
    for h in &report.hosts {
        let fs: Vec<&Finding> = h.findings.iter().collect();
        if audited(h) {
            let _ = write!(
                out,
                "<tr class=\"host-row\" data-host=\"{}\" data-host-status=\"{}\"><td>{}</td><td>{}</td><td>audited</td>",
                attr(&h.name),
                h.status,
                text(&h.name),
                text(&h.address)
            );
            for s in [
                Status::Fail,
                Status::Error,
                Status::Skip,
                Status::Pass,
                Status::Waived,
            ] {
                let _ = write!(out, "<td class=\"num\">{}</td>", count(&fs, s));
            }
            for s in Severity::ALL {
                let n = failing(h, s);
                let zero = if n == 0 { " zero" } else { "" };
                let _ = write!(out, "<td class=\"num sev-{s}{zero}\">{n}</td>");
            }
            let _ = write!(out, "<td class=\"num risk\">{}</td>", risk_cell(h));
        } else {
            let _ = write!(
                out,
                "<tr class=\"host-row not-audited\" data-host=\"{}\" data-host-status=\"{}\"><td>{}</td><td>{}</td>\
                 <td colspan=\"12\"><b>NOT AUDITED ({})</b>: {}</td>",
                attr(&h.name),
                h.status,
                text(&h.name),
                text(&h.address),
                h.status,
                text(h.error.as_deref().unwrap_or("no reason recorded"))
            );
        }
        out.push_str("</tr>\n");
    }
    if report.hosts.is_empty() {
        out.push_str("<tr><td colspan=\"14\">No hosts in this run.</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// One cell of the countermeasure × host matrix.
fn cm_cell(h: &HostReport, cm: Countermeasure) -> String {
    if !audited(h) {
        return "<td class=\"cm-unknown\">not audited</td>".into();
    }
    let fs: Vec<&Finding> = h
        .findings
        .iter()
        .filter(|f| f.countermeasure == cm)
        .collect();
    let (fail, error, pass) = (
        count(&fs, Status::Fail),
        count(&fs, Status::Error),
        count(&fs, Status::Pass),
    );
    if fail + error > 0 {
        let mut parts = Vec::new();
        if fail > 0 {
            parts.push(format!("{fail} fail"));
        }
        if error > 0 {
            parts.push(format!("{error} error"));
        }
        format!(
            "<td class=\"cm-fail\" data-fail=\"{fail}\">{}</td>",
            parts.join(", ")
        )
    } else if pass > 0 {
        format!("<td class=\"cm-ok\" data-fail=\"0\">ok ({pass} pass)</td>")
    } else if fs.is_empty() {
        "<td class=\"cm-none\" data-fail=\"0\">no checks</td>".into()
    } else {
        "<td class=\"cm-none\" data-fail=\"0\">skipped</td>".into()
    }
}

fn countermeasures(out: &mut String, report: &Report) {
    out.push_str("<section id=\"countermeasures\">\n<h2>Countermeasures</h2>\n<table>\n<thead><tr><th>Countermeasure</th>");
    for h in &report.hosts {
        let _ = write!(out, "<th>{}</th>", text(&h.name));
    }
    out.push_str("<th class=\"num\">failing</th></tr></thead>\n<tbody>\n");
    for cm in Countermeasure::all() {
        let total = report
            .hosts
            .iter()
            .flat_map(|h| &h.findings)
            .filter(|f| f.countermeasure == cm && f.status == Status::Fail)
            .count();
        let _ = write!(
            out,
            "<tr class=\"cm-row\" data-countermeasure=\"{}\"><th>{}. {}</th>",
            cm.number(),
            cm.number(),
            text(cm.heading())
        );
        for h in &report.hosts {
            out.push_str(&cm_cell(h, cm));
        }
        let _ = writeln!(out, "<td class=\"num\">{total}</td></tr>");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn plan(out: &mut String, report: &Report) {
    out.push_str("<section id=\"plan\">\n<h2>Remediation plan</h2>\n");
    let groups = super::remediation_plan(report);
    if groups.is_empty() {
        out.push_str("<p id=\"plan-empty\">No failing findings: nothing to remediate on the audited hosts.</p>\n");
    }
    for (cm, rows) in groups {
        let _ = write!(
            out,
            "<section class=\"plan-group\" data-countermeasure=\"{}\">\n<h3>{}. {}</h3>\n<table class=\"fixed\">\n\
             <thead><tr><th>Host</th><th>Check</th><th>Severity</th><th>Evidence</th><th>Remediation</th></tr></thead>\n<tbody>\n",
            cm.number(),
            cm.number(),
            text(cm.heading())
        );
        for (h, f) in rows {
            let _ = writeln!(
                out,
                "<tr class=\"plan-row\" data-host=\"{}\" data-check=\"{}\" data-status=\"{}\" data-severity=\"{}\">\
                 <td>{}</td><td><span class=\"check\">{}</span><br><span class=\"title\">{}</span></td><td>{}</td>\
                 <td class=\"evidence\">{}</td><td class=\"remediation\">{}</td></tr>",
                attr(&h.name),
                attr(&f.check),
                f.status,
                f.severity,
                text(&h.name),
                text(&f.check),
                text(&f.title),
                severity(f),
                text(&f.evidence),
                text(&f.remediation)
            );
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
    }
    out.push_str("</section>\n");
}

fn findings(out: &mut String, report: &Report) {
    out.push_str("<section id=\"findings\">\n<h2>Findings by host</h2>\n");
    for (i, h) in report.hosts.iter().enumerate() {
        let _ = writeln!(
            out,
            "<section class=\"host\" id=\"host-{i}\" data-host=\"{}\" data-host-status=\"{}\">\n<h3>{} <span class=\"meta\">({}, {})</span></h3>",
            attr(&h.name),
            h.status,
            text(&h.name),
            text(&h.address),
            h.status
        );
        if !audited(h) {
            let _ = writeln!(
                out,
                "<p class=\"host-reason\">Not audited ({}): {}. None of the profile's checks ran on this host: \
                 its findings are unknown, not passed.</p>\n</section>",
                h.status,
                text(h.error.as_deref().unwrap_or("no reason recorded"))
            );
            continue;
        }
        let mut fs: Vec<&Finding> = h.findings.iter().collect();
        fs.sort_by(|a, b| {
            (
                status_rank(a.status),
                a.severity,
                a.countermeasure,
                &a.check,
            )
                .cmp(&(
                    status_rank(b.status),
                    b.severity,
                    b.countermeasure,
                    &b.check,
                ))
        });
        out.push_str(
            "<table class=\"fixed\">\n<thead><tr><th>Status</th><th>Severity</th><th>Check</th><th>Category</th>\
             <th class=\"num\">CM</th><th>Evidence</th></tr></thead>\n<tbody>\n",
        );
        for f in fs {
            let _ = writeln!(
                out,
                "<tr class=\"finding\" data-check=\"{}\" data-status=\"{}\" data-severity=\"{}\" data-countermeasure=\"{}\">\
                 <td>{}</td><td>{}</td><td><span class=\"check\">{}</span><br><span class=\"title\">{}</span></td>\
                 <td>{}</td><td class=\"num\">{}</td><td class=\"evidence\">{}</td></tr>",
                attr(&f.check),
                f.status,
                f.severity,
                f.countermeasure,
                badge(f.status),
                severity(f),
                text(&f.check),
                text(&f.title),
                f.category,
                f.countermeasure,
                evidence_cell(f)
            );
        }
        if h.findings.is_empty() {
            out.push_str("<tr><td colspan=\"6\">No checks ran on this host.</td></tr>\n");
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
    }
    out.push_str("</section>\n");
}

/// The risk score, with the baseline run's score when there was one.
fn risk_cell(h: &HostReport) -> String {
    match (&h.risk, h.drift.as_ref().and_then(|d| d.previous_risk)) {
        (Some(r), Some(prev)) => format!("{} <span class=\"meta\">(was {prev})</span>", r.score),
        (Some(r), None) => r.score.to_string(),
        (None, _) => "–".into(),
    }
}

/// The evidence, then who waived the finding (and until when) and whether
/// it is new since the baseline.
fn evidence_cell(f: &Finding) -> String {
    let mut cell = text(&f.evidence);
    if let Some(w) = &f.waiver {
        let _ = write!(
            cell,
            "<div class=\"waiver\">Waived until {}: {} <span class=\"meta\">({})</span></div>",
            w.expires,
            text(&w.justification),
            text(&w.source)
        );
    }
    if let Some(d) = f.drift {
        let _ = write!(
            cell,
            "<div class=\"drift drift-{}\">{} since the baseline</div>",
            d.as_str(),
            d.as_str()
        );
    }
    cell
}

/// Waivers that did not apply (expired, or matching nothing): the sign-off
/// must see them. Applied ones show on their findings.
fn waivers(out: &mut String, report: &Report) {
    let notes = super::waiver_notes(report);
    if notes.is_empty() {
        return;
    }
    out.push_str("<section id=\"waivers\">\n<h2>Waivers not applied</h2>\n<ul>\n");
    for n in notes {
        let _ = writeln!(out, "<li class=\"waiver-note\">{}</li>", text(&n));
    }
    out.push_str("</ul>\n</section>\n");
}

fn signoff(out: &mut String, report: &Report) {
    let _ = write!(
        out,
        "<section id=\"signoff\">\n<h2>Sign-off</h2>\n<p>Profile {}, run {} to {}. \
         Reviewed findings and accepted residual risks are signed below.</p>\n\
         <table class=\"signoff\">\n<thead><tr><th>Role</th><th>Name</th><th>Date</th><th>Signature</th></tr></thead>\n\
         <tbody>\n<tr><td>System owner</td><td></td><td></td><td></td></tr>\n\
         <tr><td>Security reviewer</td><td></td><td></td><td></td></tr>\n</tbody>\n</table>\n</section>\n",
        text(&report.profile),
        report.started_at.format("%Y-%m-%d %H:%M:%S UTC"),
        report.finished_at.format("%Y-%m-%d %H:%M:%S UTC")
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Drift, Risk, WaiverOutcome, WaiverRef, WaiverState};
    use crate::report::fixtures;

    #[test]
    fn waivers_drift_and_risk_are_shown() {
        let mut report = fixtures::sample();
        let h = &mut report.hosts[0];
        h.risk = Some(Risk {
            score: 17,
            critical: 1,
            high: 1,
            medium: 1,
            low: 0,
            info: 0,
            waived: 1,
            errors: 0,
        });
        let f = &mut h.findings[0];
        f.status = Status::Waived;
        f.waiver = Some(WaiverRef {
            justification: "<b>vendor</b> patch due".into(),
            expires: chrono::NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
            source: "waivers.yml:3:5".into(),
        });
        h.findings[1].drift = Some(Drift::New);
        report.waivers.push(WaiverOutcome {
            check: "ftp-anonymous".into(),
            host: "db*".into(),
            justification: "j".into(),
            expires: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            source: "waivers.yml:8:5".into(),
            state: WaiverState::Unused,
            hosts: Vec::new(),
        });
        let html = render(&report);
        assert!(html.contains("<td class=\"num risk\">17</td>"), "{html}");
        assert!(html.contains("<span class=\"badge status-waived\">waived</span>"));
        assert!(html.contains(
            "<div class=\"waiver\">Waived until 2027-01-31: &lt;b&gt;vendor&lt;/b&gt; patch due"
        ));
        assert!(html.contains("<div class=\"drift drift-new\">new since the baseline</div>"));
        assert!(html.contains("<section id=\"waivers\">"));
        assert!(html.contains("unused: ftp-anonymous on hosts"));
    }

    #[test]
    fn self_contained_with_a_print_stylesheet() {
        let html = render(&fixtures::sample());
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(html.ends_with("</body>\n</html>\n"));
        assert!(html.contains("@media print"));
        for external in [
            "<script", "<link", "<img", "<iframe", " src=\"", "url(", "@import", "http://",
            "https://",
        ] {
            assert!(!html.contains(external), "{external} in the page");
        }
    }

    #[test]
    fn overview_plan_and_every_finding() {
        let html = render(&fixtures::sample());
        assert_eq!(html.matches("<tr class=\"finding\"").count(), 7);
        // The plan lists failing and erroring findings only.
        assert_eq!(html.matches("<tr class=\"plan-row\"").count(), 5);
        for cm in Countermeasure::all() {
            assert!(
                html.contains(&format!("<th>{}. {}</th>", cm.number(), cm.heading())),
                "countermeasure {cm} in the overview"
            );
        }
        assert!(html.contains(
            "<h3>1. Stop unneeded or unsafe services; restrict ports and source addresses</h3>"
        ));
        assert!(html.contains("<td class=\"num sev-critical\" data-severity=\"critical\">1</td>"));
        assert!(html.contains("<td class=\"num\" data-severity=\"total\">4</td>"));
        assert!(html.contains("<td class=\"cm-fail\" data-fail=\"1\">1 fail</td>"));
        assert!(html.contains("<td class=\"cm-fail\" data-fail=\"0\">1 error</td>"));
        assert!(html.contains("critical (check error)"));
        assert!(html.contains(
            "<div class=\"tile bad\" id=\"failing-findings\"><b>4</b>failing findings</div>"
        ));
    }

    #[test]
    fn hosts_not_audited_and_interrupted_runs_are_plain() {
        let html = render(&fixtures::sample());
        assert!(html.contains("id=\"incomplete\">INCOMPLETE: the run was interrupted."));
        assert!(html.contains(
            "<b>NOT AUDITED (unreachable)</b>: connection refused by 2001:db8::5 port 22"
        ));
        assert!(
            html.contains("Not audited (error): not started: the run was interrupted (Ctrl-C).")
        );
        assert_eq!(
            html.matches("<td class=\"cm-unknown\">not audited</td>")
                .count(),
            10
        );
        assert!(html.contains(
            "<div class=\"tile bad\" id=\"hosts-not-audited\"><b>2</b>hosts not audited</div>"
        ));
    }

    #[test]
    fn hostile_strings_are_text() {
        let html = render(&fixtures::sample());
        assert!(!html.contains("<img"));
        assert!(html.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"));
        assert!(html.contains("<h3>db1 &quot;primary&quot; &lt;$(id)&gt; <span class=\"meta\">"));
        assert!(html.contains("data-host=\"db1 &quot;primary&quot; &lt;$(id)&gt;\""));
        assert!(html.contains("Investigate &lt;b&gt;every&lt;/b&gt; file &amp; compare"));
        assert!(!html.contains('\u{1b}') && !html.contains('\u{202e}'));
    }

    #[test]
    fn an_empty_run_still_renders_every_section() {
        let html = render(&fixtures::empty());
        for id in [
            "summary",
            "severities",
            "hosts",
            "countermeasures",
            "plan",
            "findings",
            "signoff",
        ] {
            assert!(html.contains(&format!("<section id=\"{id}\"")), "{id}");
        }
        assert!(html.contains("No hosts in this run."));
        assert!(html.contains("id=\"plan-empty\""));
        assert!(!html.contains("INCOMPLETE"));
    }
}
