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
    /// A failing finding covered by a waiver that is in force: reported,
    /// never hidden, and not failing the run.
    Waived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Pass => "pass",
            Status::Skip => "skip",
            Status::Error => "error",
            Status::Waived => "waived",
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
    /// The waiver in force for this finding (status `waived`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverRef>,
    /// Against `--baseline`: whether this open finding (fail, waived or
    /// error) was already open in the previous report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<Drift>,
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
    /// The host's risk score (audited hosts only; see `crate::risk`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<Risk>,
    /// Against `--baseline`: this host's drift (see `crate::baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<HostDrift>,
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

/// The waiver a waived finding is under (JSON: the finding's `waiver`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WaiverRef {
    pub justification: String,
    pub expires: chrono::NaiveDate,
    /// Where the waiver is written: `file:line:column`.
    pub source: String,
}

/// What became of one waiver in a run. Serialized names are a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum WaiverState {
    /// In force, and it waived at least one failing finding.
    Applied,
    /// Past its `expires` date: it waived nothing.
    Expired,
    /// In force, but no failing finding matched it.
    Unused,
}

impl WaiverState {
    pub fn as_str(self) -> &'static str {
        match self {
            WaiverState::Applied => "applied",
            WaiverState::Expired => "expired",
            WaiverState::Unused => "unused",
        }
    }
}

impl fmt::Display for WaiverState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One waiver and its state (JSON: an entry of the top-level `waivers`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WaiverOutcome {
    pub check: String,
    /// Glob on host names (`*`, `?`, `[...]`).
    pub host: String,
    pub justification: String,
    pub expires: chrono::NaiveDate,
    pub source: String,
    pub state: WaiverState,
    /// Hosts whose failing finding it waived (`applied`), or would have
    /// waived had it not expired (`expired`).
    pub hosts: Vec<String>,
}

/// A finding's drift against the baseline. Serialized names are a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Drift {
    /// Open now, not open in the baseline.
    New,
    /// Open now and open in the baseline.
    Unchanged,
}

impl Drift {
    pub fn as_str(self) -> &'static str {
        match self {
            Drift::New => "new",
            Drift::Unchanged => "unchanged",
        }
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A finding open in the baseline and no longer open now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ResolvedFinding {
    pub check: String,
    pub title: String,
    pub severity: Severity,
    pub countermeasure: Countermeasure,
    /// Its status in the baseline (`fail`, `waived` or `error`).
    pub was: Status,
    /// Its status now, or `null` when the check no longer ran.
    pub now: Option<Status>,
}

/// Drift counts of one host (JSON: the host's `drift`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HostDrift {
    /// False when the baseline has no audited report of this host: every
    /// open finding is then `new`.
    pub in_baseline: bool,
    pub new: usize,
    pub unchanged: usize,
    pub resolved: Vec<ResolvedFinding>,
    /// Risk score in the baseline, when the host was audited there.
    pub previous_risk: Option<u32>,
}

/// The comparison with `--baseline` (JSON: top-level `baseline`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BaselineSummary {
    /// The baseline file as given on the command line.
    pub file: String,
    /// When the baseline run started.
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub profile: String,
    pub new: usize,
    pub unchanged: usize,
    pub resolved: usize,
    /// Hosts in the baseline that this run did not include.
    pub hosts_not_in_run: Vec<String>,
}

/// A host's risk score and what it is made of (JSON: the host's `risk`).
/// See `crate::risk` and the README for the formula.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Risk {
    pub score: u32,
    /// Failing findings by severity (waived ones excluded).
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    /// Findings waived: not in the score.
    pub waived: usize,
    /// Checks that errored: not in the score (they could not be judged).
    pub errors: usize,
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
    /// Every waiver given (profile and `--waivers`), with its state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<WaiverOutcome>,
    /// The comparison with `--baseline`, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
}

impl Report {
    /// True when any host has a failing finding or could not be audited.
    pub fn has_failures(&self) -> bool {
        self.fails_at(Severity::Info)
    }

    /// True when any host could not be audited, or has a failing or
    /// erroring finding of `threshold` or worse (`--fail-on`). A check that
    /// errored could not be judged, so it gates like a failure: an audit
    /// that could not look is never a clean one. Waived findings never gate.
    pub fn fails_at(&self, threshold: Severity) -> bool {
        self.gates(threshold, false)
    }

    /// [`Report::fails_at`], and with `only_new` (`--fail-on-new`) only
    /// findings marked [`Drift::New`] against the baseline count (hosts that
    /// could not be audited still always do).
    pub fn gates(&self, threshold: Severity, only_new: bool) -> bool {
        self.hosts.iter().any(|h| {
            h.status != HostStatus::Audited
                || h.findings.iter().any(|f| {
                    matches!(f.status, Status::Fail | Status::Error)
                        && f.severity <= threshold
                        && (!only_new || f.drift == Some(Drift::New))
                })
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
            waiver: None,
            drift: None,
        };
        let host = |status, findings| HostReport {
            name: "h".into(),
            address: "a".into(),
            status,
            error: None,
            findings,
            risk: None,
            drift: None,
        };
        let report = |hosts| Report {
            tool: ToolInfo::current(),
            profile: "p".into(),
            started_at: chrono::Utc::now(),
            finished_at: chrono::Utc::now(),
            incomplete: false,
            hosts,
            waivers: vec![],
            baseline: None,
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
