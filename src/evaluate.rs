//! Evaluation: facts + checks → findings. Pure: no I/O, no formatting of
//! reports; every decision a finding carries is made here or in analyzers.

use crate::analyze::{self, derived::Derived, eol::EolTable, Context, Verdict};
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
    evaluate_with(check, host, &Derived::default())
}

/// Evaluate one check, reusing what earlier checks on the host derived.
fn evaluate_with(check: &Check, host: &HostInputs<'_>, derived: &Derived) -> Finding {
    let verdict = decide(check, host, derived);
    Finding {
        check: check.id.clone(),
        title: check.title.clone(),
        category: check.category,
        status: verdict.status,
        severity: check.severity,
        countermeasure: check.countermeasure,
        evidence: verdict.evidence,
        remediation: one_paragraph(&check.remediation),
        waiver: None,
        drift: None,
    }
}

/// Evaluate every check, in order.
pub fn evaluate_all(checks: &[Check], host: &HostInputs<'_>) -> Vec<Finding> {
    let derived = Derived::default();
    checks
        .iter()
        .map(|c| evaluate_with(c, host, &derived))
        .collect()
}

fn decide(check: &Check, host: &HostInputs<'_>, derived: &Derived) -> Verdict {
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
                derived,
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
    let items = match cond {
        Condition::Leaf(leaf) => return eval_leaf(leaf, facts),
        Condition::All(items) | Condition::Any(items) | Condition::None(items) => items,
    };
    let results: Vec<Result<Eval, Unavailable>> = items.iter().map(|c| eval(c, facts)).collect();
    // An item that decides the result on its own (true for any/none, false
    // for all) decides it even when another item could not be judged;
    // otherwise anything unknown makes the whole unknown.
    let decisive = !matches!(cond, Condition::All(_));
    if results.iter().any(|r| r.is_err())
        && !results
            .iter()
            .any(|r| matches!(r, Ok(e) if e.value == decisive))
    {
        return Err(results
            .into_iter()
            .find_map(|r| r.err())
            .expect("an item failed"));
    }
    let rs: Vec<Eval> = results.into_iter().filter_map(|r| r.ok()).collect();
    let any = rs.iter().any(|r| r.value);
    let value = match cond {
        Condition::All(_) => rs.iter().all(|r| r.value),
        Condition::None(_) => !any,
        _ => any,
    };
    // The items that decided: those that agree with an all/any result, and
    // for `none` the items that were true (what was found).
    let agree = !matches!(cond, Condition::None(_));
    let words: Vec<String> = rs
        .into_iter()
        .filter(|r| (r.value == value) == agree)
        .flat_map(|r| r.evidence)
        .collect();
    let evidence = if matches!(cond, Condition::None(_)) && value {
        // Nothing listed was found: say what was looked for.
        vec![format!("none of: {}", words.join(" | "))]
    } else {
        words
    };
    Ok(Eval { value, evidence })
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
    // A search that found nothing in output cut off at its cap proves
    // nothing: what it looks for may be in the part that was dropped.
    if result.truncated
        && !value
        && matches!(leaf.test, LeafTest::Matches(_) | LeafTest::Contains(_))
    {
        return Err(Unavailable::Failed(format!(
            "probe {} was cut off at its output cap (output truncated), so the absence of \
             what {:?} looks for cannot be shown",
            leaf.probe, leaf.says
        )));
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::check::CheckFileDoc;
    use crate::probe::{ProbeOutcome, ProbeResult};
    use std::path::Path;

    fn check(rule: &str) -> Check {
        let yaml = format!(
            "checks:\n  - id: c\n    title: t\n    category: ftp-service\n    countermeasure: 1\n    severity: high\n    rationale: r\n    remediation: m\n{rule}"
        );
        let doc: CheckFileDoc = serde_saphyr::from_str(&yaml).unwrap();
        doc.checks
            .into_iter()
            .next()
            .unwrap()
            .compile(Path::new("t.yml"))
            .unwrap()
    }

    fn judge(c: &Check, facts: &Facts) -> Finding {
        let eol =
            EolTable::parse(Path::new("eol.yml"), include_str!("../checks/data/eol.yml")).unwrap();
        evaluate(
            c,
            &HostInputs {
                facts,
                params: &Params::new(),
                today: "2026-11-22".parse().unwrap(),
                eol: &eol,
            },
        )
    }

    const ANY: &str = "    fail_if:\n      any:\n        - {probe: a, matches: '^port 21$', says: FTP listens}\n        - {probe: b, contains: vsftpd, says: vsftpd installed}\n";

    #[test]
    fn any_fails_with_the_matching_lines_as_evidence() {
        let f = judge(
            &check(ANY),
            &Facts::from_texts([("a", "port 22\nport 21\n"), ("b", "")]),
        );
        assert_eq!(f.status, Status::Fail);
        assert_eq!(f.evidence, "FTP listens (port 21)");
        let f = judge(
            &check(ANY),
            &Facts::from_texts([("a", "port 22\n"), ("b", "nothing")]),
        );
        assert_eq!(f.status, Status::Pass);
        assert_eq!(f.evidence, "not found: FTP listens; vsftpd installed");
    }

    #[test]
    fn all_and_none() {
        let all = "    fail_if:\n      all:\n        - {probe: a, empty: false, says: a has output}\n        - {probe: b, exit: 3, says: b exited 3}\n";
        let mut facts = Facts::from_texts([("a", "x"), ("b", "")]);
        assert_eq!(judge(&check(all), &facts).status, Status::Pass);
        facts.probes.get_mut("b").unwrap().outcome = ProbeOutcome::Exited(3);
        let f = judge(&check(all), &facts);
        assert_eq!(
            (f.status, f.evidence.as_str()),
            (Status::Fail, "a has output; b exited 3")
        );

        let none = "    fail_if:\n      none:\n        - {probe: a, matches: 'enabled', says: a watcher is enabled}\n";
        let f = judge(
            &check(none),
            &Facts::from_texts([("a", "watcher x installed")]),
        );
        assert_eq!(
            (f.status, f.evidence.as_str()),
            (Status::Fail, "none of: a watcher is enabled")
        );
        let f = judge(
            &check(none),
            &Facts::from_texts([("a", "watcher x enabled")]),
        );
        assert_eq!(f.status, Status::Pass);
        assert_eq!(
            f.evidence,
            "found: a watcher is enabled (watcher x enabled)"
        );
    }

    #[test]
    fn unusable_probes_are_never_a_pass() {
        let mut facts = Facts::from_texts([("a", "port 21"), ("b", "")]);
        facts.probes.insert(
            "b".into(),
            ProbeResult {
                outcome: ProbeOutcome::NeedsRoot,
                content: Vec::new(),
                truncated: false,
            },
        );
        // `a` alone decides `any`: the unusable `b` cannot change a fail.
        let f = judge(&check(ANY), &facts);
        assert_eq!(
            (f.status, f.evidence.as_str()),
            (Status::Fail, "FTP listens (port 21)")
        );
        // Without a deciding item, what could not be judged makes it unknown.
        facts.probes.get_mut("a").unwrap().content = b"port 22".to_vec();
        let f = judge(&check(ANY), &facts);
        assert_eq!(f.status, Status::Skip);
        assert!(f.evidence.contains("needs root"), "{}", f.evidence);
        let f = judge(&check(ANY), &Facts::from_texts([("a", "port 22")]));
        assert_eq!(
            f.status,
            Status::Error,
            "a missing probe is an error: {}",
            f.evidence
        );
    }

    #[test]
    fn a_search_in_truncated_output_never_passes_for_lack_of_a_hit() {
        let mut facts = Facts::from_texts([("a", "port 22\n"), ("b", "")]);
        facts.probes.get_mut("a").unwrap().truncated = true;
        let f = judge(&check(ANY), &facts);
        assert_eq!(f.status, Status::Error, "{}", f.evidence);
        assert!(
            f.evidence.contains("cut off at its output cap"),
            "{}",
            f.evidence
        );
        // A hit in the part that arrived is still a hit.
        facts.probes.get_mut("a").unwrap().content = b"port 21\nport 2".to_vec();
        let f = judge(&check(ANY), &facts);
        assert_eq!(f.status, Status::Fail, "{}", f.evidence);
        assert!(f.evidence.ends_with("[output truncated]"), "{}", f.evidence);
    }

    #[test]
    fn applies_if_false_is_skip_and_long_lines_are_clipped() {
        let rule = format!("    applies_if: {{probe: b, contains: vsftpd}}\n{ANY}");
        let f = judge(
            &check(&rule),
            &Facts::from_texts([("a", "port 21"), ("b", "")]),
        );
        assert_eq!(f.status, Status::Skip);
        assert!(f.evidence.starts_with("not applicable"), "{}", f.evidence);
        let long = format!("port 21{}", " x".repeat(200));
        let c = check("    fail_if: {probe: a, matches: '^port 21', says: FTP}\n");
        let f = judge(&c, &Facts::from_texts([("a", long.as_str())]));
        assert!(
            f.evidence.ends_with("…)") && f.evidence.chars().count() < 200,
            "{}",
            f.evidence
        );
    }
}
