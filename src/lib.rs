//! shipshape: an agentless security-hardening audit.
//!
//! The library owns every layer of an audit: the catalog of checks and profiles
//! (YAML data), the probe script sent to each host in one round trip, the
//! transports that carry it (SSH or local `sh`), the pure analyzers and
//! evaluation that turn collected facts into findings, and the reporters.

pub mod analyze;
pub mod authoring;
pub mod baseline;
pub mod catalog;
pub mod evaluate;
pub mod facts;
#[doc(hidden)]
pub mod fuzzing;
pub mod inventory;
pub mod memory;
pub mod merge;
pub mod model;
pub mod online;
pub mod probe;
pub mod progress;
pub mod report;
pub mod risk;
pub mod route;
pub mod run;
pub mod schema;
pub mod secret;
pub mod shard;
pub mod sshconfig;
pub mod transport;
pub mod waiver;
pub mod wildcard;
