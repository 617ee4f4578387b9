//! Evaluation: facts + checks → findings. Pure: no I/O, no formatting of
//! reports; every decision a finding carries is made here or in analyzers.

use crate::analyze::{self, eol::EolTable, Context, Verdict};
use crate::catalog::check::{Check, Decider, Params};
use crate::catalog::condition::{Condition, Leaf, LeafTest};
use crate::facts::{Facts, Unavailable};
use crate::model::{Finding, Status};
use chrono::NaiveDate;

/// Inputs shared by every check on one host.
pub struct HostInputs<'a> {
    pub facts: &'a Facts,
    pub params: &'a Params,
    pub today: NaiveDate,
    pub eol: &'a EolTable,
}

/// Evaluate one check.
pub fn evaluate(check: &Check, host: &HostInputs<'_>) -> Finding {
    let verdict = decide(check, host);
    Finding {
        check: check.id.clone(),
        title: check.title.clone(),
        category: check.category,
        status: verdict.status,
        severity: check.severity,
        countermeasure: check.countermeasure,
        evidence: verdict.evidence,
        remediation: one_paragraph(&check.remediation),
    }
}

/// Evaluate every check, in order.
pub fn evaluate_all(checks: &[Check], host: &HostInputs<'_>) -> Vec<Finding> {
    checks.iter().map(|c| evaluate(c, host)).collect()
}

fn decide(check: &Check, host: &HostInputs<'_>) -> Verdict {
    if let Some(cond) = &check.applies_if {
        match eval(cond, host.facts) {
            Err(u) => return Verdict::unavailable(u),
            Ok(r) if !r.value => {
                return Verdict::new(
                    Status::Skip,
                    format!("not applicable: {}", r.evidence.join("; ")),
                )
            }
            Ok(_) => {}
        }
    }
    match &check.decider {
        Decider::Analyzer { name, with } => match analyze::lookup(name) {
            Some(a) => a.analyze(&Context {
                facts: host.facts,
                params: host.params,
                with,
                today: host.today,
                eol: host.eol,
            }),
            None => Verdict::new(Status::Error, format!("unknown analyzer {name}")),
        },
        Decider::Rule {
            fail_if,
            pass_evidence,
        } => match eval(fail_if, host.facts) {
            Err(u) => Verdict::unavailable(u),
            Ok(r) if r.value => Verdict::new(Status::Fail, r.evidence.join("; ")),
            Ok(r) => Verdict::new(
                Status::Pass,
                pass_evidence.clone().unwrap_or_else(|| {
                    // A false `none` means something it lists was found
                    // (the good thing); a false `any`/`all`, what was not.
                    let lead = if matches!(fail_if, Condition::None(_)) {
                        "found"
                    } else {
                        "not found"
                    };
                    format!("{lead}: {}", r.evidence.join("; "))
                }),
            ),
        },
    }
}

/// A condition's value and the words that explain it: for a true result the
/// leaves that made it true, for a false one what was looked for.
struct Eval {
    value: bool,
    evidence: Vec<String>,
}

fn eval(cond: &Condition, facts: &Facts) -> Result<Eval, Unavailable> {
    match cond {
        Condition::Leaf(leaf) => eval_leaf(leaf, facts),
        Condition::All(items) => {
            let rs = items
                .iter()
                .map(|c| eval(c, facts))
                .collect::<Result<Vec<_>, _>>()?;
            let value = rs.iter().all(|r| r.value);
            Ok(Eval {
                value,
                evidence: rs
                    .into_iter()
                    .filter(|r| r.value == value)
                    .flat_map(|r| r.evidence)
                    .collect(),
            })
        }
        Condition::Any(items) => {
            let rs = items
                .iter()
                .map(|c| eval(c, facts))
                .collect::<Result<Vec<_>, _>>()?;
            let value = rs.iter().any(|r| r.value);
            Ok(Eval {
                value,
                evidence: rs
                    .into_iter()
                    .filter(|r| r.value == value)
                    .flat_map(|r| r.evidence)
                    .collect(),
            })
        }
        Condition::None(items) => {
            let rs = items
                .iter()
                .map(|c| eval(c, facts))
                .collect::<Result<Vec<_>, _>>()?;
            let value = !rs.iter().any(|r| r.value);
            let words: Vec<String> = rs
                .into_iter()
                .filter(|r| r.value != value)
                .flat_map(|r| r.evidence)
                .collect();
            Ok(Eval {
                value,
                // True: nothing listed was found; false: what was found.
                evidence: if value {
                    vec![format!("none of: {}", words.join(" | "))]
                } else {
                    words
                },
            })
        }
    }
}

const MAX_EVIDENCE_LINES: usize = 3;
const MAX_LINE_CHARS: usize = 160;

fn eval_leaf(leaf: &Leaf, facts: &Facts) -> Result<Eval, Unavailable> {
    let result = facts.probe(&leaf.probe)?;
    let text = result.text();
    let (value, lines): (bool, Vec<&str>) = match &leaf.test {
        LeafTest::Matches(re) => {
            let hits: Vec<&str> = text.lines().filter(|l| re.is_match(l)).collect();
            (!hits.is_empty(), hits)
        }
        LeafTest::Contains(s) => {
            let hits: Vec<&str> = text.lines().filter(|l| l.contains(s.as_str())).collect();
            (!hits.is_empty(), hits)
        }
        LeafTest::Empty(want) => (text.trim().is_empty() == *want, Vec::new()),
        LeafTest::Exit(code) => (
            result.outcome == crate::probe::ProbeOutcome::Exited(*code),
            Vec::new(),
        ),
    };
    let mut says = leaf.says.clone();
    if value && !lines.is_empty() {
        let shown: Vec<String> = lines
            .iter()
            .take(MAX_EVIDENCE_LINES)
            .map(|l| clip(l.trim()))
            .collect();
        says.push_str(&format!(" ({}", shown.join(" | ")));
        if lines.len() > MAX_EVIDENCE_LINES {
            says.push_str(&format!(" | +{} more", lines.len() - MAX_EVIDENCE_LINES));
        }
        says.push(')');
    }
    if result.truncated {
        says.push_str(" [output truncated]");
    }
    Ok(Eval {
        value,
        evidence: vec![says],
    })
}

fn clip(s: &str) -> String {
    if s.chars().count() <= MAX_LINE_CHARS {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX_LINE_CHARS).collect();
        t.push('…');
        t
    }
}

fn one_paragraph(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
