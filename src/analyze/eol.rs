//! The dated end-of-life table (`checks/data/eol.yml`): upstream branches
//! with their end of life and minimum safe release, and OS releases with
//! their security-support windows.

use crate::analyze::version;
use crate::catalog::error::{InputError, SourceLoc};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EolTable {
    pub written: NaiveDate,
    #[serde(default)]
    pub sources: Vec<String>,
    pub products: BTreeMap<String, Product>,
    pub os: BTreeMap<String, Vec<OsRelease>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub name: String,
    #[serde(default)]
    pub branches: Vec<Branch>,
    /// For products where only the newest release is supported.
    pub min_safe: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    pub branch: String,
    pub eol: Option<NaiveDate>,
    pub min_safe: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OsRelease {
    pub version: String,
    pub name: Option<String>,
    pub last_minor: Option<String>,
    pub security: NaiveDate,
    pub extended: Option<NaiveDate>,
    pub extended_kind: Option<ExtendedKind>,
}

/// What kind of support follows the distribution's own security support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExtendedKind {
    /// Debian LTS: free, on by default for everyone.
    Lts,
    /// Ubuntu ESM: needs Ubuntu Pro enabled on the host.
    Esm,
    /// RHEL Extended Life Support: a paid add-on.
    Els,
}

/// The verdict on an upstream version against the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamVerdict {
    /// The branch reached end of life on this date.
    EndOfLife { branch: String, since: NaiveDate },
    /// The branch is supported but this release is older than the minimum.
    BelowMinimum { min_safe: String },
    /// Supported and at or above the minimum safe release.
    Supported {
        until: Option<NaiveDate>,
        min_safe: Option<String>,
    },
    /// The table does not know this branch (newer than the table, or odd).
    UnknownBranch { branch: String },
}

impl EolTable {
    pub fn parse(file: &Path, text: &str) -> Result<EolTable, InputError> {
        let t: EolTable =
            serde_saphyr::from_str(text).map_err(|e| InputError::from_yaml(file, &e))?;
        for (key, p) in &t.products {
            let mins = p
                .min_safe
                .iter()
                .chain(p.branches.iter().filter_map(|b| b.min_safe.as_ref()));
            for m in mins {
                if version::upstream(m).is_none() {
                    return Err(InputError::new(
                        SourceLoc::file_only(file),
                        format!("product {key}: min_safe {m:?} is not a version"),
                    ));
                }
            }
        }
        Ok(t)
    }

    /// Judge `product`'s upstream `found` version on `today`.
    pub fn judge(
        &self,
        product: &str,
        found: &semver::Version,
        today: NaiveDate,
    ) -> Option<UpstreamVerdict> {
        let p = self.products.get(product)?;
        let branch = version::branch(found);
        let below = |m: &String| version::upstream(m).is_some_and(|min| *found < min);
        if p.branches.is_empty() {
            return Some(match &p.min_safe {
                Some(m) if below(m) => UpstreamVerdict::BelowMinimum {
                    min_safe: m.clone(),
                },
                m => UpstreamVerdict::Supported {
                    until: None,
                    min_safe: m.clone(),
                },
            });
        }
        let Some(b) = p.branches.iter().find(|b| b.branch == branch) else {
            // Older than every listed branch: long dead.
            let oldest = p
                .branches
                .iter()
                .filter_map(|b| version::upstream(&b.branch))
                .min();
            if let Some(oldest) = oldest {
                if *found < oldest {
                    let first = &p.branches[0];
                    return Some(UpstreamVerdict::EndOfLife {
                        branch,
                        since: first.eol.unwrap_or(self.written),
                    });
                }
            }
            return Some(UpstreamVerdict::UnknownBranch { branch });
        };
        Some(match (b.eol, &b.min_safe) {
            (Some(eol), _) if eol < today => UpstreamVerdict::EndOfLife { branch, since: eol },
            (_, Some(m)) if below(m) => UpstreamVerdict::BelowMinimum {
                min_safe: m.clone(),
            },
            (eol, m) => UpstreamVerdict::Supported {
                until: eol,
                min_safe: m.clone(),
            },
        })
    }

    /// The OS release entry for a distribution id and version (`rhel`, `7.2`
    /// matches the `7` branch; `debian`, `12` matches `12`).
    pub fn os_release(&self, id: &str, version_id: &str) -> Option<&OsRelease> {
        let list = self.os.get(id)?;
        list.iter().find(|r| r.version == version_id).or_else(|| {
            let major = version_id.split('.').next()?;
            list.iter().find(|r| r.version == major)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> EolTable {
        let text = include_str!("../../checks/data/eol.yml");
        EolTable::parse(Path::new("checks/data/eol.yml"), text).unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_incidents_versions_are_end_of_life() {
        let t = table();
        let today = day("2018-01-05");
        let v = |s| version::upstream(s).unwrap();
        assert_eq!(
            t.judge("apache", &v("2.2.21"), today),
            Some(UpstreamVerdict::EndOfLife {
                branch: "2.2".into(),
                since: day("2017-07-11")
            })
        );
        assert_eq!(
            t.judge("php", &v("5.3.29"), today),
            Some(UpstreamVerdict::EndOfLife {
                branch: "5.3".into(),
                since: day("2014-08-14")
            })
        );
        assert!(matches!(
            t.judge("apache", &v("1.2.0"), today),
            Some(UpstreamVerdict::EndOfLife { .. })
        ));
    }

    #[test]
    fn supported_and_minimums() {
        let t = table();
        let today = day("2026-11-22");
        let v = |s| version::upstream(s).unwrap();
        assert_eq!(
            t.judge("apache", &v("2.4.62"), today),
            Some(UpstreamVerdict::BelowMinimum {
                min_safe: "2.4.65".into()
            })
        );
        assert!(matches!(
            t.judge("apache", &v("2.4.66"), today),
            Some(UpstreamVerdict::Supported { .. })
        ));
        assert!(matches!(
            t.judge("php", &v("8.1.33"), today),
            Some(UpstreamVerdict::EndOfLife { .. })
        ));
        assert!(matches!(
            t.judge("php", &v("8.2.29"), day("2026-01-01")),
            Some(UpstreamVerdict::Supported { .. })
        ));
        assert_eq!(
            t.judge("openssh", &v("9.2p1"), today),
            Some(UpstreamVerdict::BelowMinimum {
                min_safe: "9.9.2".into()
            })
        );
        assert!(matches!(
            t.judge("apache", &v("2.6.0"), today),
            Some(UpstreamVerdict::UnknownBranch { .. })
        ));
        assert_eq!(t.judge("nginx", &v("1.0"), today), None);
    }

    #[test]
    fn os_lookup_by_major() {
        let t = table();
        assert_eq!(
            t.os_release("rhel", "7.2").unwrap().last_minor.as_deref(),
            Some("7.9")
        );
        assert_eq!(
            t.os_release("debian", "12").unwrap().extended,
            Some(day("2028-06-30"))
        );
        assert!(t.os_release("debian", "99").is_none());
    }
}
