//! The JUnit XML report, for CI servers (Jenkins, GitLab): one
//! `<testsuite>` per host, one `<testcase>` per check. Valid against the
//! JUnit schema those tools consume (tests/schemas/junit-10.xsd).
//!
//! A test case's `classname` is `HOST.CATEGORY` and its `name` the check
//! id, so Jenkins shows the host as the package and the category as the
//! class, and a check keeps its history across runs. A failing check is a
//! `<failure>` (type = severity), a check that could not be evaluated an
//! `<error>`, a skipped check `<skipped>`; a passing check keeps its
//! evidence in `<system-out>`. A host that could not be audited is a suite
//! with one erroring test case, `host-audit`: its checks did not run, so
//! nothing about it may read as passed.

use super::markup::{attr, text};
use crate::model::{Finding, HostReport, HostStatus, Report, Status};
use std::fmt::Write as _;

/// The test case that stands for a host that could not be audited.
pub const HOST_AUDIT_CASE: &str = "host-audit";

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

fn counts(h: &HostReport) -> Counts {
    match h.status {
        HostStatus::Audited => {}
        HostStatus::Unreachable
        | HostStatus::Timeout
        | HostStatus::AuthFailed
        | HostStatus::HostKeyMismatch
        | HostStatus::HostKeyUnknown
        | HostStatus::Error => {
            return Counts {
                tests: 1,
                errors: 1,
                ..Counts::default()
            }
        }
    }
    let mut c = Counts {
        tests: h.findings.len(),
        ..Counts::default()
    };
    for f in &h.findings {
        match f.status {
            Status::Fail => c.failures += 1,
            Status::Error => c.errors += 1,
            // An accepted risk is not a failing test; JUnit has no better
            // word than skipped, and the message says why.
            Status::Skip | Status::Waived => c.skipped += 1,
            Status::Pass => {}
        }
    }
    c
}

/// Seconds with millisecond precision, as the schema's SUREFIRE_TIME wants.
fn seconds(report: &Report) -> String {
    let ms = (report.finished_at - report.started_at)
        .num_milliseconds()
        .max(0);
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

pub fn render(report: &Report) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let all: Vec<Counts> = report.hosts.iter().map(counts).collect();
    let sum = |f: fn(&Counts) -> usize| all.iter().map(f).sum::<usize>();
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{}\">",
        attr(&format!("shipshape {}", report.profile)),
        sum(|c| c.tests),
        sum(|c| c.failures),
        sum(|c| c.errors),
        seconds(report)
    );
    for (i, (h, c)) in report.hosts.iter().zip(&all).enumerate() {
        suite(&mut out, report, i, h, c);
    }
    out.push_str("</testsuites>\n");
    out
}

fn suite(out: &mut String, report: &Report, index: usize, h: &HostReport, c: &Counts) {
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" hostname=\"{}\" id=\"{index}\" package=\"shipshape\" \
         timestamp=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        attr(&h.name),
        attr(&h.address),
        report.started_at.format("%Y-%m-%dT%H:%M:%S"),
        c.tests,
        c.failures,
        c.errors,
        c.skipped
    );
    out.push_str("    <properties>\n");
    let mut property = |name: &str, value: &str| {
        let _ = writeln!(
            out,
            "      <property name=\"{}\" value=\"{}\"/>",
            attr(name),
            attr(value)
        );
    };
    property("address", &h.address);
    property("host-status", h.status.as_str());
    property("profile", &report.profile);
    property(
        "tool",
        &format!("{} {}", report.tool.name, report.tool.version),
    );
    if report.incomplete {
        property("incomplete", "true: the run was interrupted");
    }
    out.push_str("    </properties>\n");
    match h.status {
        HostStatus::Audited => {
            for f in &h.findings {
                case(out, h, f);
            }
        }
        HostStatus::Unreachable
        | HostStatus::Timeout
        | HostStatus::AuthFailed
        | HostStatus::HostKeyMismatch
        | HostStatus::HostKeyUnknown
        | HostStatus::Error => not_audited(out, h),
    }
    out.push_str("  </testsuite>\n");
}

fn not_audited(out: &mut String, h: &HostReport) {
    let reason = h.error.as_deref().unwrap_or("no reason recorded");
    let _ = writeln!(
        out,
        "    <testcase classname=\"{}\" name=\"{HOST_AUDIT_CASE}\">\n      \
         <error type=\"{}\" message=\"{}\">{}</error>\n    </testcase>",
        attr(&h.name),
        h.status,
        attr(reason),
        text(&format!(
            "Host {} ({}) was not audited ({}): {reason}\n\
             None of the profile's checks ran on it: its findings are unknown, not passed.",
            h.name, h.address, h.status
        ))
    );
}

fn details(f: &Finding) -> String {
    format!(
        "{}: {}\nSeverity: {}\nCategory: {}\nCountermeasure {}: {}\n\nEvidence:\n{}\n\nRemediation:\n{}",
        f.check,
        f.title,
        f.severity,
        f.category,
        f.countermeasure,
        f.countermeasure.heading(),
        f.evidence,
        f.remediation
    )
}

fn case(out: &mut String, h: &HostReport, f: &Finding) {
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\">",
        attr(&format!("{}.{}", h.name, f.category)),
        attr(&f.check)
    );
    match f.status {
        Status::Fail => {
            let _ = write!(
                out,
                "\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    ",
                f.severity,
                attr(&f.evidence),
                text(&details(f))
            );
        }
        Status::Error => {
            let _ = write!(
                out,
                "\n      <error type=\"check-error\" message=\"{}\">{}</error>\n    ",
                attr(&f.evidence),
                text(&details(f))
            );
        }
        Status::Skip => {
            let _ = write!(
                out,
                "\n      <skipped message=\"{}\"/>\n    ",
                attr(&f.evidence)
            );
        }
        Status::Waived => {
            let why = match &f.waiver {
                Some(w) => format!(
                    "waived until {} ({}): {}",
                    w.expires, w.source, w.justification
                ),
                None => "waived".to_string(),
            };
            let _ = write!(
                out,
                "\n      <skipped message=\"{}\">{}</skipped>\n    ",
                attr(&why),
                text(&details(f))
            );
        }
        Status::Pass => {
            let _ = write!(
                out,
                "\n      <system-out>{}</system-out>\n    ",
                text(&f.evidence)
            );
        }
    }
    out.push_str("</testcase>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    #[test]
    fn one_suite_per_host_one_case_per_check() {
        let xml = render(&fixtures::sample());
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
        assert!(
            xml.contains(
                "<testsuites name=\"shipshape go-live\" tests=\"9\" failures=\"4\" errors=\"3\" time=\"4.250\">"
            ),
            "{xml}"
        );
        assert_eq!(xml.matches("<testsuite ").count(), 3);
        assert!(xml.contains(
            "<testsuite name=\"web1.example.com\" hostname=\"192.0.2.10\" id=\"0\" package=\"shipshape\" \
             timestamp=\"2026-11-22T03:00:00\" tests=\"7\" failures=\"4\" errors=\"1\" skipped=\"1\">"
        ), "{xml}");
        assert!(xml.contains(
            "<testcase classname=\"web1.example.com.outdated-software\" name=\"apache-version\">\n      \
             <failure type=\"high\" message=\"Apache HTTP Server 2.2.21"
        ), "{xml}");
        assert!(xml.contains("Countermeasure 4: Keep the OS and middleware continuously updated\n\nEvidence:\nApache HTTP Server 2.2.21"));
        assert!(xml.contains("<error type=\"check-error\" message=\"probe auth.shadow failed"));
        assert!(
            xml.contains("<skipped message=\"needs root: /etc/shadow is readable only by root\"/>")
        );
        assert!(xml.contains("<system-out>every log reaches back 400 days</system-out>"));
    }

    #[test]
    fn hosts_not_audited_are_errors_never_passes() {
        let xml = render(&fixtures::sample());
        assert!(xml.contains(
            "<testsuite name=\"db1 &quot;primary&quot; &lt;$(id)&gt;\" hostname=\"2001:db8::5\" id=\"1\""
        ), "{xml}");
        assert!(xml.contains(
            "<testcase classname=\"db1 &quot;primary&quot; &lt;$(id)&gt;\" name=\"host-audit\">\n      \
             <error type=\"unreachable\" message=\"connection refused by 2001:db8::5 port 22\">"
        ), "{xml}");
        assert!(xml.contains("tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">"));
        assert!(xml.contains(
            "<error type=\"error\" message=\"not started: the run was interrupted (Ctrl-C)\">"
        ));
        assert_eq!(
            xml.matches("<property name=\"incomplete\" value=\"true: the run was interrupted\"/>")
                .count(),
            3,
            "an interrupted run says so in every suite"
        );
    }

    #[test]
    fn hostile_evidence_cannot_break_the_document() {
        let xml = render(&fixtures::sample());
        assert!(!xml.contains("<script"), "{xml}");
        assert!(!xml.contains("<img"), "{xml}");
        assert!(xml.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"));
        assert!(xml.contains("]]&gt;"));
        assert!(!xml.contains('\u{1b}') && !xml.contains('\u{0}') && !xml.contains('\u{202e}'));
        assert!(xml.contains("\u{241b}[31mred\u{2400}"));
        // The message attribute keeps the line break as a reference.
        assert!(xml.contains("gnp.exe &#13;&#10;line2"), "{xml}");
    }

    #[test]
    fn an_empty_run_is_an_empty_document() {
        let mut report = fixtures::empty();
        report.finished_at = report.started_at - chrono::Duration::seconds(3);
        assert_eq!(
            render(&report),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <testsuites name=\"shipshape compliance\" tests=\"0\" failures=\"0\" errors=\"0\" time=\"0.000\">\n\
             </testsuites>\n"
        );
    }
}
