//! The typed assertion language of checks: `all` / `any` / `none` over
//! leaves that test one probe's output. Typed YAML keys, checked by serde,
//! instead of a string mini-language.

use super::error::{InputError, SourceLoc};
use regex::Regex;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::Path;

/// A condition as written in YAML. Exactly one of `all`, `any`, `none` or
/// `probe` must be given; a `probe` leaf takes exactly one test.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionDoc {
    all: Option<Vec<ConditionDoc>>,
    any: Option<Vec<ConditionDoc>>,
    none: Option<Vec<ConditionDoc>>,
    #[schemars(with = "Option<String>")]
    probe: Option<Spanned<String>>,
    /// A regular expression matched against each line of the output.
    #[schemars(with = "Option<String>")]
    matches: Option<Spanned<String>>,
    /// A fixed string looked for in the output.
    contains: Option<String>,
    /// True: the output is empty (after trimming white space).
    empty: Option<bool>,
    /// The probe's exit status equals this.
    exit: Option<i32>,
    /// How the leaf reads in evidence, e.g. "vsftpd is installed".
    says: Option<String>,
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    None(Vec<Condition>),
    Leaf(Leaf),
}

/// One test on one probe's output.
#[derive(Debug, Clone)]
pub struct Leaf {
    pub probe: String,
    pub test: LeafTest,
    pub says: String,
}

#[derive(Debug, Clone)]
pub enum LeafTest {
    Matches(Regex),
    Contains(String),
    Empty(bool),
    Exit(i32),
}

impl Condition {
    /// Every probe id the condition reads.
    pub fn probes(&self, out: &mut Vec<String>) {
        match self {
            Condition::All(c) | Condition::Any(c) | Condition::None(c) => {
                c.iter().for_each(|c| c.probes(out))
            }
            Condition::Leaf(l) => out.push(l.probe.clone()),
        }
    }
}

impl ConditionDoc {
    /// Validate and compile. `at` locates the condition's key for errors that
    /// have no finer position.
    pub fn compile(self, file: &Path, at: &SourceLoc) -> Result<Condition, InputError> {
        let groups = [self.all.is_some(), self.any.is_some(), self.none.is_some()];
        let n_groups = groups.iter().filter(|g| **g).count();
        let leaf_keys = self.matches.is_some() as usize
            + self.contains.is_some() as usize
            + self.empty.is_some() as usize
            + self.exit.is_some() as usize;
        let here = self
            .probe
            .as_ref()
            .map(|p| SourceLoc::at(file, &p.referenced))
            .unwrap_or_else(|| at.clone());
        if n_groups + usize::from(self.probe.is_some()) != 1 {
            return Err(InputError::new(
                here,
                "a condition needs exactly one of `all`, `any`, `none` or `probe`",
            )
            .hint("write `any: [...]` around several tests, or `probe: ID` with one test"));
        }
        let compile_all = |v: Vec<ConditionDoc>| -> Result<Vec<Condition>, InputError> {
            if v.is_empty() {
                return Err(
                    InputError::new(at.clone(), "an empty `all`/`any`/`none` list")
                        .hint("an empty group is always true or always false; remove it"),
                );
            }
            v.into_iter().map(|c| c.compile(file, at)).collect()
        };
        if let Some(v) = self.all {
            return Ok(Condition::All(compile_all(v)?));
        }
        if let Some(v) = self.any {
            return Ok(Condition::Any(compile_all(v)?));
        }
        if let Some(v) = self.none {
            return Ok(Condition::None(compile_all(v)?));
        }
        let probe = self.probe.expect("checked above");
        if leaf_keys != 1 {
            return Err(InputError::new(
                here,
                format!(
                    "the test on probe `{}` needs exactly one of `matches`, `contains`, `empty`, `exit`",
                    probe.value
                ),
            ));
        }
        let test = if let Some(m) = self.matches {
            let re = regex::RegexBuilder::new(&m.value)
                .multi_line(true)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| {
                    InputError::new(
                        SourceLoc::at(file, &m.referenced),
                        format!("invalid regular expression: {}", one_line(&e.to_string())),
                    )
                    .hint("the syntax is Rust's regex crate (no look-around, no backreferences)")
                })?;
            LeafTest::Matches(re)
        } else if let Some(c) = self.contains {
            LeafTest::Contains(c)
        } else if let Some(e) = self.empty {
            LeafTest::Empty(e)
        } else {
            LeafTest::Exit(self.exit.expect("one leaf key is set"))
        };
        let says = self.says.unwrap_or_else(|| match &test {
            LeafTest::Matches(re) => format!("{} matches /{}/", probe.value, re.as_str()),
            LeafTest::Contains(s) => format!("{} contains {s:?}", probe.value),
            LeafTest::Empty(true) => format!("{} is empty", probe.value),
            LeafTest::Empty(false) => format!("{} is not empty", probe.value),
            LeafTest::Exit(c) => format!("{} exited {c}", probe.value),
        });
        Ok(Condition::Leaf(Leaf {
            probe: probe.value,
            test,
            says,
        }))
    }
}

pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
