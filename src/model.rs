//! The audit's vocabulary: categories, statuses, severities, countermeasures,
//! findings and host reports. Every name here that reaches JSON is a contract.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of weakness a check looks for. Serialized names are a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[derive(schemars::JsonSchema)]
pub enum Category {
    OutdatedSoftware,
    FtpService,
    IpRestriction,
    WeakPassword,
    PlaintextCredential,
    LogMonitoring,
    CompromiseIndicator,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::OutdatedSoftware,
        Category::FtpService,
        Category::IpRestriction,
        Category::WeakPassword,
        Category::PlaintextCredential,
        Category::LogMonitoring,
        Category::CompromiseIndicator,
    ];

    /// The kebab-case name used in YAML, JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::OutdatedSoftware => "outdated-software",
            Category::FtpService => "ftp-service",
            Category::IpRestriction => "ip-restriction",
            Category::WeakPassword => "weak-password",
            Category::PlaintextCredential => "plaintext-credential",
            Category::LogMonitoring => "log-monitoring",
            Category::CompromiseIndicator => "compromise-indicator",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Outcome of one check on one host. Serialized names are a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[derive(schemars::JsonSchema)]
pub enum Status {
    Fail,
    Pass,
    Skip,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Pass => "pass",
            Status::Skip => "skip",
            Status::Error => "error",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a failing check is. Ordered from most to least severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[derive(schemars::JsonSchema)]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One of the incident report's five countermeasures (section 8), numbered 1–5.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(into = "u8")]
#[schemars(extend("minimum" = 1, "maximum" = 5))]
pub struct Countermeasure(u8);

impl Countermeasure {
    /// Accepts 1 to 5; anything else is not a countermeasure of the report.
    pub fn new(n: u8) -> Option<Self> {
        (1..=5).contains(&n).then_some(Countermeasure(n))
    }

    pub fn number(self) -> u8 {
        self.0
    }

    /// All five, in the report's order.
    pub fn all() -> impl Iterator<Item = Countermeasure> {
        (1..=5).map(Countermeasure)
    }

    /// The countermeasure in our own words, used as a heading in reports.
    pub fn heading(self) -> &'static str {
        match self.0 {
            1 => "Stop unneeded or unsafe services; restrict ports and source addresses",
            2 => "Harden maintenance accounts: random, unguessable passwords, changed with staff",
            3 => "Monitor logs regularly and keep them long enough to investigate",
            4 => "Keep the OS and middleware continuously updated",
            _ => "Store passwords hashed, never in plain text",
        }
    }
}

impl From<Countermeasure> for u8 {
    fn from(c: Countermeasure) -> u8 {
        c.0
    }
}

impl<'de> Deserialize<'de> for Countermeasure {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = u8::deserialize(d)?;
        Countermeasure::new(n).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "countermeasure must be 1 to 5 (the incident report's list), got {n}"
            ))
        })
    }
}

impl fmt::Display for Countermeasure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One check's result on one host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Finding {
    pub check: String,
    pub title: String,
    pub category: Category,
    pub status: Status,
    pub severity: Severity,
    pub countermeasure: Countermeasure,
    pub evidence: String,
    pub remediation: String,
}

/// Whether a host could be audited, and if not, why. Serialized names are a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum HostStatus {
    Audited,
    Unreachable,
    Timeout,
    AuthFailed,
    HostKeyMismatch,
    HostKeyUnknown,
    Error,
}

impl HostStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HostStatus::Audited => "audited",
            HostStatus::Unreachable => "unreachable",
            HostStatus::Timeout => "timeout",
            HostStatus::AuthFailed => "auth-failed",
            HostStatus::HostKeyMismatch => "host-key-mismatch",
            HostStatus::HostKeyUnknown => "host-key-unknown",
            HostStatus::Error => "error",
        }
    }
}

impl fmt::Display for HostStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything the audit learned about one host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HostReport {
    pub name: String,
    pub address: String,
    pub status: HostStatus,
    pub error: Option<String>,
    pub findings: Vec<Finding>,
}

/// Name and version of the program that wrote a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

impl ToolInfo {
    pub fn current() -> Self {
        ToolInfo {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// A whole audit run: the JSON report's top level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Report {
    pub tool: ToolInfo,
    pub profile: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: chrono::DateTime<chrono::Utc>,
    /// True when the run was interrupted (Ctrl-C): hosts not started are
    /// reported with status `error` and the reason.
    #[serde(default)]
    pub incomplete: bool,
    pub hosts: Vec<HostReport>,
}

impl Report {
    /// True when any host has a failing finding or could not be audited.
    pub fn has_failures(&self) -> bool {
        self.fails_at(Severity::Info)
    }

    /// True when any host could not be audited, or has a failing finding of
    /// `threshold` or worse (`--fail-on`).
    pub fn fails_at(&self, threshold: Severity) -> bool {
        self.hosts.iter().any(|h| {
            h.status != HostStatus::Audited
                || h.findings
                    .iter()
                    .any(|f| f.status == Status::Fail && f.severity <= threshold)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_names_serialize_exactly() {
        let names: Vec<String> = Category::ALL
            .iter()
            .map(|c| serde_json::to_string(c).unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "\"outdated-software\"",
                "\"ftp-service\"",
                "\"ip-restriction\"",
                "\"weak-password\"",
                "\"plaintext-credential\"",
                "\"log-monitoring\"",
                "\"compromise-indicator\""
            ]
        );
        assert_eq!(
            serde_json::to_string(&HostStatus::HostKeyMismatch).unwrap(),
            "\"host-key-mismatch\""
        );
        assert_eq!(
            serde_json::to_string(&HostStatus::AuthFailed).unwrap(),
            "\"auth-failed\""
        );
        assert_eq!(serde_json::to_string(&Countermeasure(3)).unwrap(), "3");
    }

    #[test]
    fn fail_on_thresholds() {
        let finding = |severity, status| Finding {
            check: "c".into(),
            title: "t".into(),
            category: Category::FtpService,
            status,
            severity,
            countermeasure: Countermeasure(1),
            evidence: String::new(),
            remediation: String::new(),
        };
        let host = |status, findings| HostReport {
            name: "h".into(),
            address: "a".into(),
            status,
            error: None,
            findings,
        };
        let report = |hosts| Report {
            tool: ToolInfo::current(),
            profile: "p".into(),
            started_at: chrono::Utc::now(),
            finished_at: chrono::Utc::now(),
            incomplete: false,
            hosts,
        };
        let r = report(vec![host(
            HostStatus::Audited,
            vec![
                finding(Severity::Medium, Status::Fail),
                finding(Severity::Critical, Status::Pass),
            ],
        )]);
        assert!(r.has_failures());
        assert!(r.fails_at(Severity::Low) && r.fails_at(Severity::Medium));
        assert!(!r.fails_at(Severity::High) && !r.fails_at(Severity::Critical));
        let r = report(vec![host(HostStatus::Timeout, vec![])]);
        assert!(
            r.fails_at(Severity::Critical),
            "a host not audited always fails"
        );
    }

    #[test]
    fn countermeasure_range_is_enforced() {
        assert!(Countermeasure::new(0).is_none());
        assert!(Countermeasure::new(6).is_none());
        assert_eq!(Countermeasure::new(5).unwrap().number(), 5);
        let err = serde_json::from_str::<Countermeasure>("7").unwrap_err();
        assert!(err.to_string().contains("1 to 5"), "{err}");
    }
}
