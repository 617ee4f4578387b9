//! Facts: what the probes collected on one host, keyed by probe id. The
//! input of evaluation; can be saved and evaluated again later.

use crate::probe::{ProbeOutcome, ProbeResult, RunOutput};
use std::borrow::Cow;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Facts {
    pub probes: BTreeMap<String, ProbeResult>,
    /// True when the whole script ran to its end.
    pub complete: bool,
    /// Oddities noticed while reading the output.
    pub anomalies: Vec<String>,
}

/// Why a probe's output cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// Not root and the probe needs it: the check is `skip`.
    NeedsRoot(String),
    /// Missing, timed out or cut off: the check is `error`.
    Failed(String),
}

impl From<RunOutput> for Facts {
    fn from(r: RunOutput) -> Self {
        Facts {
            probes: r.probes,
            complete: r.complete,
            anomalies: r.anomalies,
        }
    }
}

impl Facts {
    /// A probe's result, or why it cannot be used.
    pub fn probe(&self, id: &str) -> Result<&ProbeResult, Unavailable> {
        match self.probes.get(id) {
            None => Err(Unavailable::Failed(format!(
                "probe {id} returned no output (the script stopped before it)"
            ))),
            Some(r) => match r.outcome {
                ProbeOutcome::NeedsRoot => Err(Unavailable::NeedsRoot(format!(
                    "probe {id} needs root; run as root or with sudo"
                ))),
                ProbeOutcome::TimedOut => Err(Unavailable::Failed(format!(
                    "probe {id} timed out on the target"
                ))),
                ProbeOutcome::Incomplete => Err(Unavailable::Failed(format!(
                    "probe {id} was cut off before it finished"
                ))),
                ProbeOutcome::Exited(_) => Ok(r),
            },
        }
    }

    /// A probe's output as text.
    pub fn text(&self, id: &str) -> Result<Cow<'_, str>, Unavailable> {
        self.probe(id).map(|r| r.text())
    }

    /// Build facts from literal probe outputs (tests, fixtures).
    pub fn from_texts<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>) -> Facts {
        Facts {
            probes: items
                .into_iter()
                .map(|(id, text)| {
                    (
                        id.to_string(),
                        ProbeResult {
                            outcome: ProbeOutcome::Exited(0),
                            content: text.as_bytes().to_vec(),
                            truncated: false,
                        },
                    )
                })
                .collect(),
            complete: true,
            anomalies: Vec::new(),
        }
    }
}
