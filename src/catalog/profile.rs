//! Profiles: which checks run, with which parameters and severities.

use super::check::Params;
use super::error::{InputError, InputErrors, SourceLoc};
use crate::model::{Category, Severity};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::Path;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileDoc {
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    pub description: String,
    #[serde(default)]
    pub select: SelectDoc,
    /// Parameters for probes and analyzers (domain, organization, ...).
    #[serde(default)]
    pub params: Params,
    /// Severity overrides by check id.
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, Severity>")]
    pub severity: std::collections::HashMap<Spanned<String>, Severity>,
    /// Accepted risks (see `crate::waiver`).
    #[serde(default)]
    pub waivers: Vec<crate::waiver::WaiverDoc>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectDoc {
    /// Categories to run (default: all).
    #[serde(default)]
    pub categories: Vec<Category>,
    /// When given, exactly these checks run.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub checks: Vec<Spanned<String>>,
    /// Checks never run.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
}

/// A validated profile (check ids are resolved by the catalog).
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub description: String,
    pub categories: Vec<Category>,
    pub checks: Vec<(String, SourceLoc)>,
    pub exclude: Vec<(String, SourceLoc)>,
    pub params: Params,
    pub severity: Vec<(String, Severity, SourceLoc)>,
    pub waivers: Vec<crate::waiver::Waiver>,
    pub source: SourceLoc,
}

impl ProfileDoc {
    pub fn compile(self, file: &Path) -> Result<Profile, InputErrors> {
        let source = SourceLoc::at(file, &self.name.referenced);
        if self.name.value.trim().is_empty() {
            return Err(InputError::new(source, "a profile needs a non-empty `name`").into());
        }
        let ids = |v: Vec<Spanned<String>>| {
            v.into_iter()
                .map(|s| (s.value, SourceLoc::at(file, &s.referenced)))
                .collect::<Vec<_>>()
        };
        let waivers = crate::waiver::compile_all(self.waivers, file)?;
        Ok(Profile {
            name: self.name.value,
            description: self.description,
            categories: self.select.categories,
            checks: ids(self.select.checks),
            exclude: ids(self.select.exclude),
            params: self.params,
            severity: {
                let mut v: Vec<_> = self
                    .severity
                    .into_iter()
                    .map(|(k, v)| {
                        let loc = SourceLoc::at(file, &k.referenced);
                        (k.value, v, loc)
                    })
                    .collect();
                v.sort_by(|a, b| a.0.cmp(&b.0));
                v
            },
            waivers,
            source,
        })
    }
}
