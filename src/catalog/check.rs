//! Check and probe definitions as they appear in `checks/*.yml`, and their
//! validated forms.

use super::condition::{Condition, ConditionDoc};
use super::error::{InputError, SourceLoc};
use crate::model::{Category, Countermeasure, Severity};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::Path;

/// Parameters: free-form YAML values from profiles, inventories and checks.
pub type Params = BTreeMap<String, serde_json::Value>;

/// One file under `checks/`: probes it defines and checks it declares.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckFileDoc {
    /// What to read on the target; every probe runs at most once per host.
    #[serde(default)]
    pub probes: Vec<ProbeDoc>,
    /// How to judge what the probes read.
    #[serde(default)]
    pub checks: Vec<CheckDoc>,
}

/// A probe as written: exactly one of `sh`, `file` or `command`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeDoc {
    /// Unique id: letters, digits, `.`, `-` and `_` (at most 64), starting
    /// with a letter or digit.
    #[schemars(with = "String", regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"))]
    pub id: Spanned<String>,
    /// What the probe reads, in a few words (shown by `shipshape explain`).
    pub description: String,
    /// A POSIX sh fragment. `{{name}}` inserts a parameter, shell-quoted.
    pub sh: Option<String>,
    /// A file to read (up to `max_bytes`).
    pub file: Option<String>,
    /// A command and its arguments, run without a shell.
    pub command: Option<Vec<String>>,
    /// Reads what only root may read: `skip` with the reason when not root.
    #[serde(default)]
    pub needs_root: bool,
    /// The output may hold secrets: never saved with --save-facts.
    #[serde(default)]
    pub sensitive: bool,
    /// Seconds before the target's `timeout` stops the probe.
    #[serde(default = "default_timeout")]
    #[schemars(range(min = 1, max = 600))]
    pub timeout: u32,
    /// Bytes of output kept; more is cut and reported as truncated.
    #[serde(default = "default_max_bytes")]
    #[schemars(range(min = 1, max = 16777216))]
    pub max_bytes: usize,
    /// Secrets the output may hold that no check needs: regular
    /// expressions applied to each line as it arrives; the text of each
    /// capture group is masked before any check reads it or
    /// --save-facts writes it.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub redact: Vec<Spanned<String>>,
}

fn default_timeout() -> u32 {
    20
}

fn default_max_bytes() -> usize {
    256 * 1024
}

/// A validated probe. `code` may still hold `{{param}}` placeholders.
#[derive(Debug, Clone)]
pub struct ProbeDef {
    pub id: String,
    pub description: String,
    pub code: String,
    pub needs_root: bool,
    pub sensitive: bool,
    pub timeout: u32,
    pub max_bytes: usize,
    /// Patterns whose capture groups are masked in the output.
    pub redact: Vec<regex::bytes::Regex>,
    pub source: SourceLoc,
}

/// A check as written in YAML.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckDoc {
    /// Unique id: letters, digits, `.`, `-` and `_` (at most 64), starting
    /// with a letter or digit.
    #[schemars(with = "String", regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"))]
    pub id: Spanned<String>,
    /// The desired state, as one sentence ("No FTP server is installed").
    pub title: String,
    pub category: Category,
    /// The incident report's countermeasure (1-5) the finding is listed under.
    pub countermeasure: Countermeasure,
    /// How bad a failure is (a profile may override it).
    pub severity: Severity,
    /// Why it matters: the attack the check guards against.
    pub rationale: String,
    /// What to do when the check fails.
    pub remediation: String,
    /// Links to advisories and guides.
    #[serde(default)]
    pub references: Vec<String>,
    /// Probes this check reads (besides those its rule or analyzer names).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub probes: Vec<Spanned<String>>,
    /// When given and false, the check is `skip` (not applicable).
    pub applies_if: Option<ConditionDoc>,
    /// The problem: when true, the check fails.
    pub fail_if: Option<ConditionDoc>,
    /// Evidence written when a `fail_if` check passes.
    pub pass_evidence: Option<String>,
    /// A named Rust analyzer that decides the check.
    #[schemars(with = "Option<String>")]
    pub analyzer: Option<Spanned<String>>,
    /// Arguments for the analyzer.
    #[serde(default)]
    pub with: Params,
}

/// How a check is decided.
#[derive(Debug, Clone)]
pub enum Decider {
    Rule {
        fail_if: Condition,
        pass_evidence: Option<String>,
    },
    Analyzer {
        name: String,
        with: Params,
    },
}

/// A validated check.
#[derive(Debug, Clone)]
pub struct Check {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub countermeasure: Countermeasure,
    pub severity: Severity,
    pub rationale: String,
    pub remediation: String,
    pub references: Vec<String>,
    /// Every probe the check needs, deduplicated, in first-use order.
    pub probes: Vec<String>,
    pub applies_if: Option<Condition>,
    pub decider: Decider,
    pub source: SourceLoc,
}

/// Ids are used in shell scripts, frames and file names: keep them plain.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && id.as_bytes()[0].is_ascii_alphanumeric()
}

impl ProbeDoc {
    pub fn compile(self, file: &Path) -> Result<ProbeDef, InputError> {
        let loc = SourceLoc::at(file, &self.id.referenced);
        let id = self.id.value;
        if !valid_id(&id) {
            return Err(InputError::new(loc, format!("invalid probe id {id:?}"))
                .hint("use letters, digits, '.', '-' and '_' (at most 64), starting with a letter or digit"));
        }
        let code = match (self.sh, self.file, self.command) {
            (Some(sh), None, None) => sh,
            (None, Some(path), None) => {
                format!("cat -- {}", crate::probe::quote(&path))
            }
            (None, None, Some(argv)) if !argv.is_empty() => argv
                .iter()
                .map(|a| crate::probe::quote(a))
                .collect::<Vec<_>>()
                .join(" "),
            _ => {
                return Err(InputError::new(
                    loc,
                    format!(
                        "probe {id:?} needs exactly one of `sh`, `file` or a non-empty `command`"
                    ),
                ))
            }
        };
        if self.timeout == 0 || self.timeout > 600 {
            return Err(InputError::new(
                loc,
                format!("probe {id:?}: timeout must be 1 to 600 seconds"),
            ));
        }
        if self.max_bytes == 0 || self.max_bytes > 16 * 1024 * 1024 {
            return Err(InputError::new(
                loc,
                format!("probe {id:?}: max_bytes must be 1 to 16777216"),
            ));
        }
        let mut redact = Vec::with_capacity(self.redact.len());
        for p in &self.redact {
            let here = SourceLoc::at(file, &p.referenced);
            let re = regex::bytes::RegexBuilder::new(&p.value)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| {
                    InputError::new(
                        here.clone(),
                        format!(
                            "probe {id:?}: invalid redact pattern: {}",
                            super::condition::one_line(&e.to_string())
                        ),
                    )
                    .hint("the syntax is Rust's regex crate (no look-around, no backreferences)")
                })?;
            if re.captures_len() < 2 {
                return Err(InputError::new(
                    here,
                    format!("probe {id:?}: redact pattern {:?} has no capture group", p.value),
                )
                .hint("put ( ) around the secret: `(?i)^password\\s*=\\s*(.+)$` masks what follows `password =`"));
            }
            redact.push(re);
        }
        Ok(ProbeDef {
            id,
            description: self.description,
            code,
            needs_root: self.needs_root,
            sensitive: self.sensitive,
            timeout: self.timeout,
            max_bytes: self.max_bytes,
            redact,
            source: loc,
        })
    }
}

impl CheckDoc {
    /// Validate the check on its own; cross-references (probe ids, analyzer
    /// names) are checked by the catalog.
    pub fn compile(self, file: &Path) -> Result<Check, InputError> {
        let loc = SourceLoc::at(file, &self.id.referenced);
        let id = self.id.value;
        if !valid_id(&id) {
            return Err(InputError::new(loc, format!("invalid check id {id:?}"))
                .hint("use letters, digits, '.', '-' and '_' (at most 64), starting with a letter or digit"));
        }
        for (what, text) in [
            ("title", &self.title),
            ("rationale", &self.rationale),
            ("remediation", &self.remediation),
        ] {
            if text.trim().is_empty() {
                return Err(InputError::new(
                    loc.clone(),
                    format!("check {id:?} has an empty `{what}`"),
                ));
            }
        }
        let mut probes: Vec<String> = self.probes.into_iter().map(|p| p.value).collect();
        let applies_if = self.applies_if.map(|c| c.compile(file, &loc)).transpose()?;
        if let Some(c) = &applies_if {
            c.probes(&mut probes);
        }
        let decider = match (self.fail_if, self.analyzer) {
            (Some(rule), None) => {
                if !self.with.is_empty() {
                    return Err(InputError::new(loc, format!("check {id:?}: `with` is for analyzers; this check has a `fail_if` rule")));
                }
                let fail_if = rule.compile(file, &loc)?;
                fail_if.probes(&mut probes);
                Decider::Rule {
                    fail_if,
                    pass_evidence: self.pass_evidence,
                }
            }
            (None, Some(name)) => Decider::Analyzer {
                name: name.value,
                with: self.with,
            },
            _ => {
                return Err(InputError::new(
                    loc,
                    format!("check {id:?} needs exactly one of `fail_if` (a rule) or `analyzer`"),
                ))
            }
        };
        let mut seen = std::collections::HashSet::new();
        probes.retain(|p| seen.insert(p.clone()));
        Ok(Check {
            id,
            title: self.title,
            category: self.category,
            countermeasure: self.countermeasure,
            severity: self.severity,
            rationale: self.rationale,
            remediation: self.remediation,
            references: self.references,
            probes,
            applies_if,
            decider,
            source: loc,
        })
    }
}
