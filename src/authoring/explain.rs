//! `shipshape explain CHECK-ID`: one check in full — why it matters, what
//! it reads on the target, how it decides, what to do, and which profiles
//! run it — rendered from the loaded catalog, never from a second copy.

use crate::analyze;
use crate::catalog::check::{Check, Decider};
use crate::catalog::condition::{Condition, LeafTest};
use crate::catalog::plan::probe_params;
use crate::catalog::profile::Profile;
use crate::catalog::Catalog;
use std::fmt::Write as _;

/// An unknown check id, with the ids that look like it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCheck {
    pub id: String,
    pub suggestions: Vec<String>,
}

impl std::fmt::Display for UnknownCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown check id {:?}", self.id)?;
        match self.suggestions.as_slice() {
            [] => write!(f, "\n  hint: `shipshape list-checks` shows every check id"),
            s => write!(
                f,
                "\n  hint: did you mean {}? (`shipshape list-checks` shows every check id)",
                s.join(", ")
            ),
        }
    }
}

/// The explanation of `id`. `profiles` are the profiles to report on
/// (which of them run the check, at which severity).
pub fn explain(catalog: &Catalog, id: &str, profiles: &[Profile]) -> Result<String, UnknownCheck> {
    let Some(check) = catalog.check(id) else {
        return Err(UnknownCheck {
            id: id.to_string(),
            suggestions: super::close_matches(id, catalog.checks.iter().map(|c| c.id.as_str()))
                .into_iter()
                .map(str::to_string)
                .collect(),
        });
    };
    let mut out = String::new();
    let o = &mut out;
    let _ = writeln!(o, "{} — {}", check.id, check.title);
    let _ = writeln!(o);
    field(o, "category", check.category.as_str());
    field(
        o,
        "countermeasure",
        &format!(
            "{}. {}",
            check.countermeasure,
            check.countermeasure.heading()
        ),
    );
    field(o, "severity", check.severity.as_str());
    field(o, "defined at", &check.source.to_string());
    field(o, "profiles", &profile_lines(catalog, check, profiles));

    section(o, "Why it matters");
    paragraph(o, &check.rationale, 2);

    section(o, "What it reads on the target");
    for pid in &check.probes {
        let Some(p) = catalog.probes.get(pid) else {
            continue;
        };
        let _ = writeln!(o, "  {} — {}", p.id, p.description.trim());
        let mut flags = vec![
            if p.needs_root {
                "needs root (skip with the reason when not root)".to_string()
            } else {
                "no root needed".to_string()
            },
            if p.sensitive {
                "sensitive (withheld from --save-facts)".to_string()
            } else {
                "not sensitive".to_string()
            },
            format!("timeout {} s", p.timeout),
            format!("at most {} bytes", p.max_bytes),
        ];
        let params = probe_params(&p.code);
        if !params.is_empty() {
            flags.push(format!("parameters: {}", params.join(", ")));
        }
        let _ = writeln!(o, "    {}", flags.join("; "));
        if !p.redact.is_empty() {
            let _ = writeln!(
                o,
                "    masks what these capture before any check reads it (redact):"
            );
            for re in &p.redact {
                let _ = writeln!(o, "      {}", re.as_str());
            }
        }
        let _ = writeln!(o, "    runs:");
        for line in p.code.trim_end().lines() {
            let _ = writeln!(o, "      {line}");
        }
    }

    section(o, "How it decides");
    if let Some(cond) = &check.applies_if {
        let _ = writeln!(o, "  applies only if (else skip):");
        condition(o, cond, 4);
    }
    match &check.decider {
        Decider::Rule {
            fail_if,
            pass_evidence,
        } => {
            let _ = writeln!(o, "  fails if:");
            condition(o, fail_if, 4);
            if let Some(e) = pass_evidence {
                let _ = writeln!(o, "  passes with the evidence: {}", e.trim());
            }
        }
        Decider::Analyzer { name, with } => {
            let description = analyze::lookup(name)
                .map(|a| a.description())
                .unwrap_or("(unknown analyzer)");
            let _ = writeln!(o, "  analyzer {name}: {description}");
            for (k, v) in with {
                let _ = writeln!(o, "    with {k}: {v}");
            }
            let params = analyze::lookup(name).map(|a| a.params()).unwrap_or(&[]);
            if !params.is_empty() {
                let _ = writeln!(o, "    reads the parameters: {}", params.join(", "));
            }
        }
    }
    let _ = writeln!(
        o,
        "  a probe that fails to run makes the check `error`, never `pass`"
    );

    section(o, "Remediation");
    paragraph(o, &check.remediation, 2);

    if !check.references.is_empty() {
        section(o, "References");
        for r in &check.references {
            let _ = writeln!(o, "  - {r}");
        }
    }
    Ok(out)
}

fn field(o: &mut String, name: &str, value: &str) {
    let _ = writeln!(o, "  {name:<15} {value}");
}

fn section(o: &mut String, title: &str) {
    let _ = writeln!(o);
    let _ = writeln!(o, "{title}");
}

/// Which profiles run the check, and at which severity when they change it.
fn profile_lines(catalog: &Catalog, check: &Check, profiles: &[Profile]) -> String {
    let mut runs = Vec::new();
    let mut skips = Vec::new();
    for p in profiles {
        match catalog.select(p) {
            Ok(selected) => match selected.iter().find(|c| c.id == check.id) {
                Some(c) if c.severity != check.severity => {
                    runs.push(format!("{} (as {})", p.name, c.severity))
                }
                Some(_) => runs.push(p.name.clone()),
                None => skips.push(p.name.clone()),
            },
            Err(_) => skips.push(format!("{} (does not load with these checks)", p.name)),
        }
    }
    let mut s = if runs.is_empty() {
        "run by no profile".to_string()
    } else {
        format!("run by {}", runs.join(", "))
    };
    if !skips.is_empty() {
        let _ = write!(s, "; not by {}", skips.join(", "));
    }
    s
}

fn condition(o: &mut String, c: &Condition, indent: usize) {
    let pad = " ".repeat(indent);
    match c {
        Condition::All(v) | Condition::Any(v) | Condition::None(v) => {
            let word = match c {
                Condition::All(_) => "all of",
                Condition::Any(_) => "any of",
                _ => "none of",
            };
            let _ = writeln!(o, "{pad}{word}:");
            v.iter().for_each(|c| condition(o, c, indent + 2));
        }
        Condition::Leaf(l) => {
            let test = match &l.test {
                LeafTest::Matches(re) => format!("a line matches /{}/", re.as_str()),
                LeafTest::Contains(s) => format!("the output contains {s:?}"),
                LeafTest::Empty(true) => "the output is empty".to_string(),
                LeafTest::Empty(false) => "the output is not empty".to_string(),
                LeafTest::Exit(n) => format!("it exits {n}"),
            };
            let _ = writeln!(o, "{pad}- {}: {test} (\"{}\")", l.probe, l.says);
        }
    }
}

/// Re-flow folded YAML text to lines of at most 78 columns, indented.
fn paragraph(o: &mut String, text: &str, indent: usize) {
    let pad = " ".repeat(indent);
    for para in text.trim().split("\n\n") {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && indent + line.len() + 1 + word.len() > 78 {
                let _ = writeln!(o, "{pad}{line}");
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            let _ = writeln!(o, "{pad}{line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::builtin_profile_names;

    fn builtin() -> (Catalog, Vec<Profile>) {
        let profiles = builtin_profile_names()
            .iter()
            .map(|n| Catalog::load_profile(n).unwrap())
            .collect();
        (Catalog::builtin().unwrap(), profiles)
    }

    #[test]
    fn a_rule_check_shows_probes_rule_and_profiles() {
        let (catalog, profiles) = builtin();
        let text = explain(&catalog, "ftp-server", &profiles).unwrap();
        for part in [
            "ftp-server — No FTP server is installed",
            "countermeasure  1. Stop unneeded",
            "run by compliance, go-live",
            "Why it matters\n  FTP sends user names",
            "  net.listeners — ",
            "fails if:\n    any of:\n      - net.listeners: a line matches /^tcp \\S+ (21|990) / (\"an FTP port is listening\")",
            "passes with the evidence: no FTP server package",
            "Remediation\n  Stop and disable the FTP service",
            "References\n  - https://",
        ] {
            assert!(text.contains(part), "missing {part:?} in\n{text}");
        }
    }

    #[test]
    fn an_analyzer_check_names_root_sensitivity_and_parameters() {
        let (catalog, profiles) = builtin();
        let text = explain(&catalog, "password-guessable", &profiles).unwrap();
        assert!(
            text.contains("analyzer password-guessable: account passwords guessed offline"),
            "{text}"
        );
        assert!(
            text.contains("reads the parameters: domain, organization"),
            "{text}"
        );
        assert!(
            text.contains("needs root (skip with the reason when not root); sensitive"),
            "{text}"
        );
        assert!(text.contains("cut -d: -f1-3 /etc/shadow"), "{text}");
        let text = explain(&catalog, "admin-web-source-restricted", &profiles).unwrap();
        assert!(
            text.contains("masks what these capture before any check reads it (redact):\n      (?i)^\\|\\s*SetEnv"),
            "{text}"
        );
    }

    #[test]
    fn unknown_ids_suggest_close_ones() {
        let (catalog, profiles) = builtin();
        let err = explain(&catalog, "ftp-srever", &profiles).unwrap_err();
        assert_eq!(err.suggestions[0], "ftp-server");
        assert!(err.to_string().contains("did you mean ftp-server"), "{err}");
        let err = explain(&catalog, "zzzz", &profiles).unwrap_err();
        assert!(err.suggestions.is_empty());
    }
}
