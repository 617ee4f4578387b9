//! Transports carry one probe script to a target and bring back its framed
//! output: over SSH (`ssh`, on the ssh2 crate) or through a local `sh`
//! (`local`). A transport never interprets what it carries.

pub mod known_hosts;
pub mod local;
mod relay;
pub mod ssh;
pub mod sudo;

use crate::model::HostStatus;
use std::time::Duration;

/// Limits that bound one script execution on one host.
#[derive(Debug, Clone)]
pub struct ExecLimits {
    /// Hard deadline for the whole exec (connect and auth have their own).
    pub deadline: Duration,
    /// Output beyond this many bytes is dropped and the run marked truncated.
    pub max_output_bytes: usize,
    /// Run the script as root through `sudo` (`--become`), still in one exec.
    pub sudo: Option<sudo::Sudo>,
}

impl Default for ExecLimits {
    fn default() -> Self {
        ExecLimits {
            deadline: Duration::from_secs(120),
            max_output_bytes: 64 * 1024 * 1024,
            sudo: None,
        }
    }
}

/// What came back from running the probe script.
#[derive(Debug, Clone, Default)]
pub struct ExecOutput {
    /// stdout and stderr of the remote `sh`, merged, up to the output cap.
    pub bytes: Vec<u8>,
    /// Exit status of the remote `sh`, when the remote reported one.
    pub exit_status: Option<i32>,
    /// True when output was cut at `max_output_bytes`.
    pub truncated: bool,
}

/// Why a host could not be audited. Each variant maps to one host status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("unreachable: {0}")]
    Unreachable(String),
    #[error("timed out: {0}")]
    Timeout(String),
    #[error("authentication failed: {0}")]
    AuthFailed(String),
    #[error("host key mismatch: {0}")]
    HostKeyMismatch(String),
    #[error("host key unknown: {0}")]
    HostKeyUnknown(String),
    #[error("{0}")]
    Other(String),
}

impl TransportError {
    /// The reason alone, without the status word the report already shows.
    pub fn reason(&self) -> &str {
        match self {
            TransportError::Unreachable(s)
            | TransportError::Timeout(s)
            | TransportError::AuthFailed(s)
            | TransportError::HostKeyMismatch(s)
            | TransportError::HostKeyUnknown(s)
            | TransportError::Other(s) => s,
        }
    }

    /// The host status a report shows for this failure.
    pub fn host_status(&self) -> HostStatus {
        match self {
            TransportError::Unreachable(_) => HostStatus::Unreachable,
            TransportError::Timeout(_) => HostStatus::Timeout,
            TransportError::AuthFailed(_) => HostStatus::AuthFailed,
            TransportError::HostKeyMismatch(_) => HostStatus::HostKeyMismatch,
            TransportError::HostKeyUnknown(_) => HostStatus::HostKeyUnknown,
            TransportError::Other(_) => HostStatus::Error,
        }
    }
}

/// Runs one probe script on one target. Implementations must run the script
/// with exactly one command execution (one SSH exec request), feed it on
/// standard input to `sh -s` (or to the command of [`ExecLimits::sudo`]),
/// and merge stderr into the returned bytes.
pub trait Transport {
    fn run_script(
        &mut self,
        script: &[u8],
        limits: &ExecLimits,
    ) -> Result<ExecOutput, TransportError>;
}
