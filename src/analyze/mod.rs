//! Analyzers: named, pure functions for what a YAML rule cannot say well
//! (version ordering, EOL tables, config parsing). A check names one with
//! `analyzer:` and passes arguments with `with:`. Analyzers read facts and
//! return a verdict; they never do I/O.

pub mod credentials;
pub mod db_passwords;
pub mod derived;
pub mod eol;
pub mod ftp_config;
pub mod ftp_daemons;
pub mod ioc;
pub mod ip_restriction;
pub mod kernel;
pub mod logs;
pub mod online_guessing;
pub mod os;
pub mod password;
pub mod php_ini;
pub mod software;
#[cfg(test)]
pub(crate) mod testkit;
pub mod version;
pub mod vsftpd;
pub mod webroot_age;

use crate::catalog::check::Params;
use crate::facts::{Facts, Unavailable};
use crate::model::Status;
use chrono::NaiveDate;

/// Everything an analyzer may look at.
pub struct Context<'a> {
    pub facts: &'a Facts,
    /// What other checks on this host already derived from `facts`.
    pub derived: &'a derived::Derived,
    /// Profile, inventory and host parameters, merged.
    pub params: &'a Params,
    /// The check's own arguments.
    pub with: &'a Params,
    /// The audit date (overridable for tests and replays).
    pub today: NaiveDate,
    pub eol: &'a eol::EolTable,
}

/// An analyzer's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub evidence: String,
}

impl Verdict {
    pub fn new(status: Status, evidence: impl Into<String>) -> Self {
        Verdict {
            status,
            evidence: evidence.into(),
        }
    }

    /// The verdict for a probe that could not be used.
    pub fn unavailable(u: Unavailable) -> Self {
        match u {
            Unavailable::NeedsRoot(why) => Verdict::new(Status::Skip, why),
            Unavailable::Failed(why) => Verdict::new(Status::Error, why),
        }
    }
}

/// A named analyzer.
pub trait Analyzer: Sync {
    fn name(&self) -> &'static str;
    /// One line for `list-checks` and error messages.
    fn description(&self) -> &'static str;
    /// Profile or inventory parameters the analyzer reads (for `explain`
    /// and `list-checks --profile`).
    fn params(&self) -> &'static [&'static str] {
        &[]
    }
    /// Probe ids the analyzer reads, given the check's arguments.
    fn probes(&self, with: &Params) -> Vec<String>;
    /// Reject bad arguments at load time, with a message for the user.
    fn validate(&self, with: &Params) -> Result<(), String>;
    fn analyze(&self, cx: &Context<'_>) -> Verdict;
}

static REGISTRY: &[&dyn Analyzer] = &[
    &software::SoftwareVersion,
    &ip_restriction::IpRestriction,
    &vsftpd::VsftpdConfig,
    &ftp_config::FtpConfig,
    &os::OsSupportAnalyzer,
    &password::PasswordGuessable,
    &password::PasswordEmpty,
    &password::PasswordWeakHash,
    &password::Uid0Duplicate,
    &password::PasswordQualityPolicy,
    &online_guessing::OnlineGuessable,
    &ioc::ServiceAccounts,
    &ioc::FtpTransfers,
    &logs::LogRetention,
    &credentials::CredentialFiles,
    &php_ini::PhpIniCredentials,
    &webroot_age::WebrootNewerScripts,
    &kernel::KernelCurrent,
    &db_passwords::DbPlaintextPasswords,
];

/// Every analyzer this build knows.
pub fn registry() -> &'static [&'static dyn Analyzer] {
    REGISTRY
}

/// The analyzer called `name`.
pub fn lookup(name: &str) -> Option<&'static dyn Analyzer> {
    REGISTRY.iter().copied().find(|a| a.name() == name)
}

/// A string argument from `with`.
pub fn arg_str<'a>(with: &'a Params, key: &str) -> Option<&'a str> {
    with.get(key).and_then(|v| v.as_str())
}

/// `validate` of an analyzer that judges one of several `aspects`, chosen
/// by `with: {aspect: ...}`.
pub fn validate_aspect(with: &Params, aspects: &[&str]) -> Result<(), String> {
    match arg_str(with, "aspect") {
        Some(a) if aspects.contains(&a) => Ok(()),
        _ => Err(format!(
            "needs `with: {{aspect: ...}}`, one of {}",
            aspects.join(", ")
        )),
    }
}
