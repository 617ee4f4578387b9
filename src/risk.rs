//! The per-host risk score: one number a reader can compare between runs.
//!
//! score = 10 × critical + 5 × high + 2 × medium + 1 × low (+ 0 × info),
//! counting the host's **failing** findings by their severity in the run's
//! profile. Waived findings and checks that errored are not in the score;
//! they are counted beside it, so a score that drops while `errors` rises
//! is not mistaken for progress. Hosts that could not be audited have no
//! score. Scores of two runs compare when both used the same profile.

use crate::model::{HostReport, HostStatus, Report, Risk, Severity, Status};

/// The weight of one failing finding of `severity`.
pub fn weight(severity: Severity) -> u32 {
    match severity {
        Severity::Critical => 10,
        Severity::High => 5,
        Severity::Medium => 2,
        Severity::Low => 1,
        Severity::Info => 0,
    }
}

/// The host's risk, or `None` when it was not audited.
pub fn assess(host: &HostReport) -> Option<Risk> {
    if host.status != HostStatus::Audited {
        return None;
    }
    let failing = |s: Severity| {
        host.findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.severity == s)
            .count()
    };
    let count = |s: Status| host.findings.iter().filter(|f| f.status == s).count();
    let score = host
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| weight(f.severity))
        .sum();
    Some(Risk {
        score,
        critical: failing(Severity::Critical),
        high: failing(Severity::High),
        medium: failing(Severity::Medium),
        low: failing(Severity::Low),
        info: failing(Severity::Info),
        waived: count(Status::Waived),
        errors: count(Status::Error),
    })
}

/// Set every host's `risk`.
pub fn annotate(report: &mut Report) {
    for h in &mut report.hosts {
        h.risk = assess(h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn f(severity: Severity, status: Status) -> Finding {
        Finding {
            check: "c".into(),
            title: "t".into(),
            category: Category::WeakPassword,
            status,
            severity,
            countermeasure: Countermeasure::new(2).unwrap(),
            evidence: String::new(),
            remediation: String::new(),
            waiver: None,
            drift: None,
        }
    }

    #[test]
    fn weighted_sum_of_failing_findings() {
        let mut host = HostReport {
            name: "h".into(),
            address: "a".into(),
            status: HostStatus::Audited,
            error: None,
            findings: vec![
                f(Severity::Critical, Status::Fail),
                f(Severity::High, Status::Fail),
                f(Severity::High, Status::Fail),
                f(Severity::Medium, Status::Fail),
                f(Severity::Low, Status::Fail),
                f(Severity::Info, Status::Fail),
                f(Severity::Critical, Status::Pass),
                f(Severity::Critical, Status::Waived),
                f(Severity::Critical, Status::Error),
                f(Severity::High, Status::Skip),
            ],
            risk: None,
            drift: None,
        };
        let r = assess(&host).unwrap();
        assert_eq!(r.score, 10 + 5 + 5 + 2 + 1);
        assert_eq!(
            (r.critical, r.high, r.medium, r.low, r.info, r.waived, r.errors),
            (1, 2, 1, 1, 1, 1, 1)
        );
        host.status = HostStatus::Timeout;
        assert_eq!(assess(&host), None, "no score without an audit");
    }
}
