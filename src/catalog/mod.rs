//! The catalog: checks and probes from `checks/*.yml`, data from
//! `checks/data/`, profiles from `profiles/*.yml` — built in, or from a
//! directory given on the command line. Loading validates everything and
//! reports every problem with file:line:column.

pub mod check;
pub mod condition;
pub mod error;
pub mod plan;
pub mod profile;

use crate::analyze::{self, eol::EolTable};
use check::{Check, CheckFileDoc, Decider, ProbeDef};
use error::{InputError, InputErrors, SourceLoc};
use profile::{Profile, ProfileDoc};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// A file's name (for messages) and text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

/// Every check and probe, validated and cross-referenced.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub probes: BTreeMap<String, ProbeDef>,
    pub checks: Vec<Check>,
    pub eol: EolTable,
}

/// Where the EOL table lives, in the repository and in a checks directory.
pub const EOL_FILE: &str = "checks/data/eol.yml";

fn builtin_files(prefix: &str) -> impl Iterator<Item = SourceFile> + '_ {
    builtin::BUILTIN_FILES
        .iter()
        .filter(move |(p, _)| p.starts_with(prefix))
        .map(|(p, t)| SourceFile {
            path: PathBuf::from(format!("(built-in) {p}")),
            text: (*t).to_string(),
        })
}

fn read_yaml_dir(dir: &Path) -> Result<Vec<SourceFile>, InputError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        InputError::new(
            SourceLoc::file_only(dir),
            format!("cannot read directory: {e}"),
        )
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"))
        })
        .collect();
    paths.sort();
    paths.into_iter().map(|p| read_file(&p)).collect()
}

/// Read a file for the catalog, with a clear error.
pub fn read_file(path: &Path) -> Result<SourceFile, InputError> {
    std::fs::read_to_string(path)
        .map(|text| SourceFile {
            path: path.to_path_buf(),
            text,
        })
        .map_err(|e| InputError::new(SourceLoc::file_only(path), format!("cannot read file: {e}")))
}

impl Catalog {
    /// The checks built into this binary.
    pub fn builtin() -> Result<Catalog, InputErrors> {
        let checks: Vec<SourceFile> = builtin_files("checks/")
            .filter(|f| !f.path.to_string_lossy().contains("checks/data/"))
            .collect();
        let eol = builtin_files(EOL_FILE).next().ok_or_else(|| {
            InputError::new(
                SourceLoc::file_only(EOL_FILE),
                "the built-in EOL table is missing from this build",
            )
        })?;
        Catalog::from_sources(&checks, &eol)
    }

    /// Checks from a directory (`*.yml`), with its `data/eol.yml` when
    /// present, else the built-in table.
    pub fn from_dir(dir: &Path) -> Result<Catalog, InputErrors> {
        let checks = read_yaml_dir(dir)?;
        let local_eol = dir.join("data").join("eol.yml");
        let eol = if local_eol.exists() {
            read_file(&local_eol)?
        } else {
            builtin_files(EOL_FILE).next().ok_or_else(|| {
                InputError::new(
                    SourceLoc::file_only(EOL_FILE),
                    "the built-in EOL table is missing from this build",
                )
            })?
        };
        Catalog::from_sources(&checks, &eol)
    }

    pub fn from_sources(files: &[SourceFile], eol: &SourceFile) -> Result<Catalog, InputErrors> {
        let mut errors = Vec::new();
        let eol_table = match EolTable::parse(&eol.path, &eol.text) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let mut probes: BTreeMap<String, ProbeDef> = BTreeMap::new();
        let mut checks: Vec<Check> = Vec::new();
        for f in files {
            let doc: CheckFileDoc = match serde_saphyr::from_str(&f.text) {
                Ok(d) => d,
                Err(e) => {
                    errors.push(InputError::from_yaml(&f.path, &e));
                    continue;
                }
            };
            for p in doc.probes {
                match p.compile(&f.path) {
                    Ok(p) => {
                        if let Some(first) = probes.get(&p.id) {
                            errors.push(
                                InputError::new(
                                    p.source.clone(),
                                    format!("duplicate probe id {:?}", p.id),
                                )
                                .hint(format!("first defined at {}", first.source)),
                            );
                        } else {
                            probes.insert(p.id.clone(), p);
                        }
                    }
                    Err(e) => errors.push(e),
                }
            }
            for c in doc.checks {
                match c.compile(&f.path) {
                    Ok(c) => {
                        if let Some(first) = checks.iter().find(|x| x.id == c.id) {
                            errors.push(
                                InputError::new(
                                    c.source.clone(),
                                    format!("duplicate check id {:?}", c.id),
                                )
                                .hint(format!("first defined at {}", first.source)),
                            );
                        } else {
                            checks.push(c);
                        }
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        // Cross-references: analyzers exist and accept their arguments; every
        // probe a check reads is defined.
        for c in &mut checks {
            if let Decider::Analyzer { name, with } = &c.decider {
                match analyze::lookup(name) {
                    None => errors.push(
                        InputError::new(
                            c.source.clone(),
                            format!("check {:?}: unknown analyzer {name:?}", c.id),
                        )
                        .hint(format!(
                            "known analyzers: {}",
                            analyze::registry()
                                .iter()
                                .map(|a| a.name())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    ),
                    Some(a) => {
                        if let Err(why) = a.validate(with) {
                            errors.push(InputError::new(
                                c.source.clone(),
                                format!("check {:?}: analyzer {name}: {why}", c.id),
                            ));
                        }
                        for p in a.probes(with) {
                            if !c.probes.contains(&p) {
                                c.probes.push(p);
                            }
                        }
                    }
                }
            }
            for p in &c.probes {
                if !probes.contains_key(p) {
                    errors.push(
                        InputError::new(
                            c.source.clone(),
                            format!("check {:?} reads probe {p:?}, which no file defines", c.id),
                        )
                        .hint("define it under `probes:` in a checks file, or fix the id"),
                    );
                }
            }
        }
        match (errors.is_empty(), eol_table) {
            (true, Some(eol)) => Ok(Catalog {
                probes,
                checks,
                eol,
            }),
            _ => Err(InputErrors(errors)),
        }
    }

    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Resolve `--profile NAME|FILE`: a path to a file, else a built-in name.
    pub fn load_profile(spec: &str) -> Result<Profile, InputErrors> {
        let as_path = Path::new(spec);
        let source = if spec.contains('/')
            || spec.ends_with(".yml")
            || spec.ends_with(".yaml")
            || as_path.is_file()
        {
            read_file(as_path)?
        } else {
            match builtin_profile_source(spec) {
                Some(f) => f,
                None => {
                    return Err(InputError::new(
                        SourceLoc::file_only(spec),
                        format!("unknown profile {spec:?}"),
                    )
                    .hint(format!(
                        "built-in profiles: {}; or give a path to a profile file",
                        builtin_profile_names().join(", ")
                    ))
                    .into())
                }
            }
        };
        parse_profile(&source)
    }

    /// Read a profile from its text (`file` names it in messages).
    pub fn parse_profile(file: &Path, text: &str) -> Result<Profile, InputErrors> {
        let doc: ProfileDoc =
            serde_saphyr::from_str(text).map_err(|e| InputError::from_yaml(file, &e))?;
        doc.compile(file)
    }

    /// The checks a profile selects, with its severity overrides applied.
    pub fn select(&self, profile: &Profile) -> Result<Vec<Check>, InputErrors> {
        let mut errors = Vec::new();
        let known = |id: &str, loc: &SourceLoc, errors: &mut Vec<InputError>| {
            if self.check(id).is_none() {
                errors.push(
                    InputError::new(loc.clone(), format!("unknown check id {id:?}"))
                        .hint("`shipshape list-checks` shows every check id"),
                );
            }
        };
        for (id, loc) in profile.checks.iter().chain(&profile.exclude) {
            known(id, loc, &mut errors);
        }
        for (id, _, loc) in &profile.severity {
            known(id, loc, &mut errors);
        }
        for w in &profile.waivers {
            known(&w.check, &w.check_loc, &mut errors);
        }
        if !errors.is_empty() {
            return Err(InputErrors(errors));
        }
        let selected = self
            .checks
            .iter()
            .filter(|c| {
                if profile.checks.is_empty() {
                    profile.categories.is_empty() || profile.categories.contains(&c.category)
                } else {
                    profile.checks.iter().any(|(id, _)| *id == c.id)
                }
            })
            .filter(|c| !profile.exclude.iter().any(|(id, _)| *id == c.id))
            .map(|c| {
                let mut c = c.clone();
                if let Some((_, sev, _)) = profile.severity.iter().find(|(id, _, _)| *id == c.id) {
                    c.severity = *sev;
                }
                c
            })
            .collect();
        Ok(selected)
    }
}

/// Parse and validate a profile's text (check ids are resolved by
/// [`Catalog::select`]).
pub fn parse_profile(source: &SourceFile) -> Result<Profile, InputErrors> {
    let doc: ProfileDoc = serde_saphyr::from_str(&source.text)
        .map_err(|e| InputError::from_yaml(&source.path, &e))?;
    doc.compile(&source.path)
}

/// The built-in profile called `name`, as a file.
pub fn builtin_profile_source(name: &str) -> Option<SourceFile> {
    let wanted = format!("profiles/{name}.yml");
    builtin_files("profiles/").find(|f| f.path.to_string_lossy().ends_with(&wanted))
}

/// The built-in EOL table, as a file.
pub fn builtin_eol() -> Option<SourceFile> {
    builtin_files(EOL_FILE).next()
}

/// Names of the built-in profiles.
pub fn builtin_profile_names() -> Vec<String> {
    builtin::BUILTIN_FILES
        .iter()
        .filter_map(|(p, _)| p.strip_prefix("profiles/"))
        .filter_map(|p| p.strip_suffix(".yml"))
        .map(str::to_string)
        .collect()
}
