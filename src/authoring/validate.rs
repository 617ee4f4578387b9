//! `shipshape validate`: load check files, profiles, inventories and EOL
//! tables exactly as an audit would, and collect every problem (with
//! file:line:column and a hint) instead of stopping at the first file.

use crate::analyze::eol::EolTable;
use crate::catalog::error::{InputError, SourceLoc};
use crate::catalog::profile::Profile;
use crate::catalog::{self, Catalog, SourceFile};
use crate::{analyze, inventory, online};
use std::path::{Path, PathBuf};

/// What a file is, recognised from its top-level keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Check,
    Profile,
    Inventory,
    EolTable,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Check => "check file",
            FileKind::Profile => "profile",
            FileKind::Inventory => "inventory",
            FileKind::EolTable => "EOL table",
        }
    }

    /// Where to look when a problem has no more specific hint.
    fn general_hint(self) -> &'static str {
        match self {
            FileKind::Check => {
                "`shipshape schema check` lists every key; README \"Writing checks\" explains them"
            }
            FileKind::Profile => {
                "`shipshape schema profile` lists every key; `shipshape list-checks` every check id"
            }
            FileKind::Inventory => "`shipshape schema inventory` lists every key",
            FileKind::EolTable => {
                "compare with the built-in table's shape: `written:`, `sources:`, `products:`"
            }
        }
    }
}

/// The outcome for one file (or built-in set) that loaded cleanly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    pub what: String,
    pub summary: String,
}

/// Everything `validate` found: what is valid, and every problem.
#[derive(Debug, Default)]
pub struct Outcome {
    pub valid: Vec<Valid>,
    pub problems: Vec<InputError>,
}

impl Outcome {
    fn problem(&mut self, kind: Option<FileKind>, mut e: InputError) {
        if e.hint.is_none() {
            e.hint = suggestion(&e.message).or_else(|| kind.map(|k| k.general_hint().into()));
        }
        self.problems.push(e);
    }

    fn problems(&mut self, kind: Option<FileKind>, errors: impl IntoIterator<Item = InputError>) {
        errors.into_iter().for_each(|e| self.problem(kind, e));
    }
}

/// "unknown field `adress`, expected one of `address`, `port`" → "did you
/// mean `address`?" (serde's wording for unknown keys and enum values).
fn suggestion(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (wrong, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = match rest.split_once("expected one of ") {
        Some((_, list)) => list
            .split(", ")
            .map(|s| s.trim().trim_matches('`'))
            .filter(|s| !s.is_empty())
            .collect(),
        None => Vec::new(),
    };
    match super::close_matches(wrong, expected.iter().copied()).first() {
        Some(best) => Some(format!("did you mean `{best}`?")),
        None if !expected.is_empty() => Some(format!(
            "allowed here: {}",
            expected
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => None,
    }
}

/// Recognise a YAML file's kind from its top-level keys.
pub fn recognise(path: &Path, text: &str) -> Result<FileKind, InputError> {
    let value: serde_json::Value = serde_saphyr::from_str(text).map_err(|e| {
        let e = InputError::from_yaml(path, &e);
        let hint = if e.message.contains("duplicate") {
            "keep one of the two; YAML keys must be unique in a mapping"
        } else {
            "this is not valid YAML here: check quoting, brackets and indentation"
        };
        e.hint(hint)
    })?;
    let keys: Vec<&str> = match &value {
        serde_json::Value::Object(map) => map.keys().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    let has = |k: &str| keys.contains(&k);
    let kind = if !keys.is_empty() && keys.iter().all(|k| matches!(*k, "probes" | "checks")) {
        Some(FileKind::Check)
    } else if has("hosts") || has("defaults") {
        Some(FileKind::Inventory)
    } else if has("products") || has("written") {
        Some(FileKind::EolTable)
    } else if has("name") || has("select") || has("params") || has("severity") {
        Some(FileKind::Profile)
    } else {
        None
    };
    kind.ok_or_else(|| {
        let found = if keys.is_empty() {
            "no top-level keys".to_string()
        } else {
            format!("top-level keys {}", keys.join(", "))
        };
        InputError::new(
            SourceLoc {
                file: path.to_path_buf(),
                line: 1,
                column: 1,
            },
            format!("cannot tell what kind of file this is ({found})"),
        )
        .hint(
            "a check file has `probes:` and/or `checks:`, a profile `name:` with \
             `select:`/`params:`, an inventory `hosts:`, an EOL table `written:` and `products:`",
        )
    })
}

/// Validate the given files. Check files are loaded together, as one
/// `--checks` directory would be; profiles are resolved against them, or
/// else against `checks_dir`, or else the built-in catalog.
pub fn validate_files(files: &[PathBuf], checks_dir: Option<&Path>) -> Outcome {
    let mut out = Outcome::default();
    let mut by_kind: Vec<(FileKind, SourceFile)> = Vec::new();
    for path in files {
        let source = match catalog::read_file(path) {
            Ok(s) => s,
            Err(e) => {
                out.problem(None, e.hint("check the path and its permissions"));
                continue;
            }
        };
        match recognise(path, &source.text) {
            Ok(kind) => by_kind.push((kind, source)),
            Err(e) => out.problem(None, e),
        }
    }
    let of = |k: FileKind| -> Vec<&SourceFile> {
        by_kind
            .iter()
            .filter(|(x, _)| *x == k)
            .map(|(_, f)| f)
            .collect()
    };

    let eol_files = of(FileKind::EolTable);
    for f in &eol_files {
        match EolTable::parse(&f.path, &f.text) {
            Ok(t) => out.valid.push(Valid {
                what: f.path.display().to_string(),
                summary: format!(
                    "{}: {} products, written {}",
                    FileKind::EolTable.as_str(),
                    t.products.len(),
                    t.written
                ),
            }),
            Err(e) => out.problem(Some(FileKind::EolTable), e),
        }
    }

    let check_files: Vec<SourceFile> = of(FileKind::Check).into_iter().cloned().collect();
    let catalog = if !check_files.is_empty() {
        let eol = match eol_files.first() {
            Some(f) => Some((*f).clone()),
            None => catalog::builtin_eol(),
        };
        let Some(eol) = eol else {
            out.problem(
                None,
                InputError::new(
                    SourceLoc::file_only(catalog::EOL_FILE),
                    "the built-in EOL table is missing from this build",
                ),
            );
            return out;
        };
        match Catalog::from_sources(&check_files, &eol) {
            Ok(c) => {
                for f in &check_files {
                    let defined_here = |loc: &SourceLoc| loc.file == f.path;
                    out.valid.push(Valid {
                        what: f.path.display().to_string(),
                        summary: format!(
                            "{}: {} checks, {} probes",
                            FileKind::Check.as_str(),
                            c.checks.iter().filter(|x| defined_here(&x.source)).count(),
                            c.probes
                                .values()
                                .filter(|p| defined_here(&p.source))
                                .count()
                        ),
                    });
                }
                Some(c)
            }
            Err(errors) => {
                let unknown_probe = errors
                    .0
                    .iter()
                    .any(|e| e.message.contains("which no file defines"));
                out.problems(Some(FileKind::Check), errors.0);
                if unknown_probe && check_files.len() < 2 {
                    out.problem(
                        None,
                        InputError::new(
                            SourceLoc::file_only(&check_files[0].path),
                            "probes are looked up only in the check files given together",
                        )
                        .hint("validate the whole directory at once: `shipshape validate checks/*.yml`"),
                    );
                }
                None
            }
        }
    } else {
        match checks_dir {
            Some(dir) => match Catalog::from_dir(dir) {
                Ok(c) => Some(c),
                Err(errors) => {
                    out.problems(Some(FileKind::Check), errors.0);
                    None
                }
            },
            None => match Catalog::builtin() {
                Ok(c) => Some(c),
                Err(errors) => {
                    out.problems(Some(FileKind::Check), errors.0);
                    None
                }
            },
        }
    };

    for f in of(FileKind::Profile) {
        validate_profile(&mut out, &f.path.display().to_string(), f, catalog.as_ref());
    }

    for f in of(FileKind::Inventory) {
        match inventory::parse_inventory(&f.path, &f.text) {
            Ok(hosts) => out.valid.push(Valid {
                what: f.path.display().to_string(),
                summary: format!("{}: {} hosts", FileKind::Inventory.as_str(), hosts.len()),
            }),
            Err(errors) => out.problems(Some(FileKind::Inventory), errors.0),
        }
    }
    out
}

/// With no files: the built-in catalog and profiles, and `checks_dir` if
/// given.
pub fn validate_builtin(checks_dir: Option<&Path>) -> Outcome {
    let mut out = Outcome::default();
    let builtin = match Catalog::builtin() {
        Ok(c) => {
            out.valid.push(Valid {
                what: "(built-in) checks".into(),
                summary: format!("{} checks, {} probes", c.checks.len(), c.probes.len()),
            });
            Some(c)
        }
        Err(errors) => {
            out.problems(Some(FileKind::Check), errors.0);
            None
        }
    };
    for name in catalog::builtin_profile_names() {
        match catalog::builtin_profile_source(&name) {
            Some(f) => validate_profile(
                &mut out,
                &f.path.display().to_string(),
                &f,
                builtin.as_ref(),
            ),
            None => continue,
        }
    }
    if let Some(dir) = checks_dir {
        match Catalog::from_dir(dir) {
            Ok(c) => out.valid.push(Valid {
                what: dir.display().to_string(),
                summary: format!(
                    "checks directory: {} checks, {} probes",
                    c.checks.len(),
                    c.probes.len()
                ),
            }),
            Err(errors) => out.problems(Some(FileKind::Check), errors.0),
        }
    }
    out
}

fn validate_profile(out: &mut Outcome, what: &str, f: &SourceFile, catalog: Option<&Catalog>) {
    let kind = Some(FileKind::Profile);
    let profile = match catalog::parse_profile(f) {
        Ok(p) => p,
        Err(errors) => {
            out.problems(kind, errors.0);
            return;
        }
    };
    let before = out.problems.len();
    for why in param_problems(&profile) {
        out.problem(
            kind,
            InputError::new(
                profile.source.clone(),
                format!("profile {:?}: {why}", profile.name),
            )
            .hint("fix the value under `params:`; README \"Profiles and parameters\" lists them"),
        );
    }
    let selected = match catalog {
        Some(c) => match c.select(&profile) {
            Ok(checks) => Some(checks.len()),
            Err(errors) => {
                let ids: Vec<&str> = c.checks.iter().map(|c| c.id.as_str()).collect();
                for mut e in errors.0 {
                    if let Some(wrong) = e.message.strip_prefix("unknown check id ") {
                        let wrong = wrong.trim_matches('"');
                        if let Some(best) = super::close_matches(wrong, ids.iter().copied()).first()
                        {
                            e.hint = Some(format!(
                                "did you mean {best}? `shipshape list-checks` shows every check id"
                            ));
                        }
                    }
                    out.problem(kind, e);
                }
                None
            }
        },
        None => None,
    };
    if out.problems.len() == before {
        out.valid.push(Valid {
            what: what.to_string(),
            summary: match selected {
                Some(n) => format!("profile {:?}: selects {n} checks", profile.name),
                None => format!("profile {:?}", profile.name),
            },
        });
    }
}

/// Parameters an audit would refuse later: caught here instead.
fn param_problems(profile: &Profile) -> Vec<String> {
    let mut why = Vec::new();
    if let Err(e) = online::Limits::from_params(&profile.params) {
        why.push(e);
    }
    if let Err(e) = online::forbidden(&profile.params) {
        why.push(e);
    }
    if let Err(e) = analyze::password::effort(&profile.params) {
        why.push(e);
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_recognised_from_top_level_keys() {
        let p = Path::new("x.yml");
        assert_eq!(recognise(p, "checks: []\n").unwrap(), FileKind::Check);
        assert_eq!(
            recognise(p, "probes: []\nchecks: []\n").unwrap(),
            FileKind::Check
        );
        assert_eq!(
            recognise(p, "name: a\ndescription: b\n").unwrap(),
            FileKind::Profile
        );
        assert_eq!(
            recognise(p, "hosts: {a: {}}\n").unwrap(),
            FileKind::Inventory
        );
        assert_eq!(
            recognise(p, "written: 2026-01-01\nproducts: {}\n").unwrap(),
            FileKind::EolTable
        );
        let e = recognise(p, "foo: 1\n").unwrap_err();
        assert_eq!((e.loc.line, e.loc.column), (1, 1));
        assert!(e.message.contains("top-level keys foo"), "{e}");
        let e = recognise(p, "a: [\n").unwrap_err();
        assert!(e.loc.line >= 1, "{e}");
    }

    #[test]
    fn unknown_keys_get_a_did_you_mean() {
        assert_eq!(
            suggestion("unknown field `adress`, expected one of address, port, user").as_deref(),
            Some("did you mean `address`?")
        );
        assert_eq!(
            suggestion("unknown variant `ftp`, expected one of `outdated-software`, `ftp-service`")
                .as_deref(),
            Some("did you mean `ftp-service`?")
        );
        assert_eq!(suggestion("missing field `title`"), None);
    }
}
