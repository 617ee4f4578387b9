//! Probes: the read-only shell fragments that collect facts on a target.
//! This module owns shell quoting (the only way a value enters a script),
//! the compilation of a plan's probes into one POSIX `sh` script, and the
//! parsing of that script's framed output back into per-probe results.

pub mod frame;
pub mod quote;
pub mod redact;
pub mod script;

pub use frame::{parse_frames, ProbeOutcome, ProbeResult, RunOutput};
pub use quote::quote;
pub use script::{ProbeScript, ScriptProbe};
