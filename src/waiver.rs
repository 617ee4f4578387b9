//! Waivers: an accepted risk, written down with a justification and an
//! expiry date. A waiver in force turns a host's failing finding into
//! `waived` (reported, never hidden, not failing the run); an expired waiver
//! stops applying; a waiver that matches no failing finding is reported as
//! unused. Waivers come from the profile's `waivers:` list and from
//! `--waivers FILE`.

use crate::catalog::error::{InputError, InputErrors, SourceLoc};
use crate::catalog::{read_file, Catalog};
use crate::model::{HostStatus, Report, Status, WaiverOutcome, WaiverRef, WaiverState};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::Path;

/// One waiver as written in YAML.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiverDoc {
    /// The check id it waives.
    #[schemars(with = "String")]
    pub check: Spanned<String>,
    /// Glob on host names: `*`, `?`, `[abc]`, `[!abc]`.
    #[schemars(with = "String")]
    pub host: Spanned<String>,
    /// Why the risk is accepted (who decided, what compensates).
    #[schemars(with = "String")]
    pub justification: Spanned<String>,
    /// Last day the waiver is in force, `YYYY-MM-DD`.
    #[schemars(with = "chrono::NaiveDate")]
    pub expires: Spanned<String>,
}

/// A `--waivers FILE`: the same `waivers:` list a profile may have.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiverFileDoc {
    waivers: Vec<WaiverDoc>,
}

/// A validated waiver.
#[derive(Debug, Clone)]
pub struct Waiver {
    pub check: String,
    pub check_loc: SourceLoc,
    pub host: glob::Pattern,
    pub justification: String,
    pub expires: NaiveDate,
    /// Where the waiver starts (its `check:` key).
    pub source: SourceLoc,
}

impl WaiverDoc {
    pub fn compile(self, file: &Path) -> Result<Waiver, InputErrors> {
        let mut errors = Vec::new();
        let check_loc = SourceLoc::at(file, &self.check.referenced);
        if self.check.value.trim().is_empty() {
            errors.push(InputError::new(
                check_loc.clone(),
                "a waiver needs the `check` id it waives",
            ));
        }
        let host = glob::Pattern::new(&self.host.value).map_err(|e| {
            InputError::new(
                SourceLoc::at(file, &self.host.referenced),
                format!("invalid host pattern {:?}: {}", self.host.value, e.msg),
            )
            .hint("a glob on host names: `*` any text, `?` one character, `[ab]` a set; `*` waives on every host")
        });
        if self.host.value.is_empty() {
            errors.push(
                InputError::new(
                    SourceLoc::at(file, &self.host.referenced),
                    "empty host pattern",
                )
                .hint("name the host, or write `host: \"*\"` to waive on every host"),
            );
        }
        if self.justification.value.trim().is_empty() {
            errors.push(
                InputError::new(
                    SourceLoc::at(file, &self.justification.referenced),
                    "a waiver needs a non-empty `justification`",
                )
                .hint("say why the risk is accepted, who accepted it, and what compensates"),
            );
        }
        let expires =
            NaiveDate::parse_from_str(self.expires.value.trim(), "%Y-%m-%d").map_err(|_| {
                InputError::new(
                    SourceLoc::at(file, &self.expires.referenced),
                    format!(
                        "`expires` must be a date YYYY-MM-DD, got {:?}",
                        self.expires.value
                    ),
                )
                .hint("every waiver expires: the last day it is in force, e.g. 2027-03-31")
            });
        let host = host.map_err(|e| errors.push(e)).ok();
        let expires = expires.map_err(|e| errors.push(e)).ok();
        match (host, expires) {
            (Some(host), Some(expires)) if errors.is_empty() => Ok(Waiver {
                check: self.check.value.trim().to_string(),
                source: check_loc.clone(),
                check_loc,
                host,
                justification: self.justification.value.trim().to_string(),
                expires,
            }),
            _ => Err(InputErrors(errors)),
        }
    }
}

/// Compile a list of waiver documents, reporting every problem at once.
pub fn compile_all(docs: Vec<WaiverDoc>, file: &Path) -> Result<Vec<Waiver>, InputErrors> {
    let mut waivers = Vec::new();
    let mut errors = Vec::new();
    for d in docs {
        match d.compile(file) {
            Ok(w) => waivers.push(w),
            Err(InputErrors(e)) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(waivers)
    } else {
        Err(InputErrors(errors))
    }
}

/// Read a `--waivers FILE`.
pub fn load_file(path: &Path) -> Result<Vec<Waiver>, InputErrors> {
    let source = read_file(path)?;
    let doc: WaiverFileDoc = serde_saphyr::from_str(&source.text)
        .map_err(|e| InputError::from_yaml(&source.path, &e))?;
    compile_all(doc.waivers, &source.path)
}

/// Every waiver names a check the catalog knows.
pub fn check_ids(waivers: &[Waiver], catalog: &Catalog) -> Result<(), InputErrors> {
    let errors: Vec<InputError> = waivers
        .iter()
        .filter(|w| catalog.check(&w.check).is_none())
        .map(|w| {
            InputError::new(
                w.check_loc.clone(),
                format!("waiver for unknown check id {:?}", w.check),
            )
            .hint("`shipshape list-checks` shows every check id")
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(InputErrors(errors))
    }
}

impl Waiver {
    /// Whether this waiver, as of `today`, covers a failing `check` on `host`.
    pub fn covers(&self, host: &str, check: &str, today: NaiveDate) -> bool {
        today <= self.expires && self.check == check && self.host.matches(host)
    }
}

/// Apply `waivers` to the report's failing findings as of `today` and
/// return each waiver's outcome, in the order given. A waiver is in force
/// through its `expires` day. Only `fail` findings of audited hosts are
/// waived: a check that errored was not judged, so there is nothing to
/// accept. When several waivers in force match one finding, the first
/// given is the finding's `waiver`, and all of them count as applied.
pub fn apply(report: &mut Report, waivers: &[Waiver], today: NaiveDate) -> Vec<WaiverOutcome> {
    waivers
        .iter()
        .map(|w| {
            let expired = today > w.expires;
            let mut hosts = Vec::new();
            for h in report
                .hosts
                .iter_mut()
                .filter(|h| h.status == HostStatus::Audited && w.host.matches(&h.name))
            {
                for f in h.findings.iter_mut().filter(|f| f.check == w.check) {
                    match f.status {
                        Status::Fail | Status::Waived if !expired => {
                            f.status = Status::Waived;
                            f.waiver.get_or_insert_with(|| WaiverRef {
                                justification: w.justification.clone(),
                                expires: w.expires,
                                source: w.source.to_string(),
                            });
                            hosts.push(h.name.clone());
                        }
                        Status::Fail if expired => hosts.push(h.name.clone()),
                        _ => {}
                    }
                }
            }
            let state = if expired {
                WaiverState::Expired
            } else if hosts.is_empty() {
                WaiverState::Unused
            } else {
                WaiverState::Applied
            };
            WaiverOutcome {
                check: w.check.clone(),
                host: w.host.as_str().to_string(),
                justification: w.justification.clone(),
                expires: w.expires,
                source: w.source.to_string(),
                state,
                hosts,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn parse(yaml: &str) -> Result<Vec<Waiver>, InputErrors> {
        let doc: WaiverFileDoc = serde_saphyr::from_str(yaml)
            .map_err(|e| InputError::from_yaml("w.yml", &e))
            .map_err(InputErrors::from)?;
        compile_all(doc.waivers, Path::new("w.yml"))
    }

    fn finding(check: &str, status: Status) -> Finding {
        Finding {
            check: check.into(),
            title: "t".into(),
            category: Category::FtpService,
            status,
            severity: Severity::High,
            countermeasure: Countermeasure::new(1).unwrap(),
            evidence: "e".into(),
            remediation: "r".into(),
            waiver: None,
            drift: None,
        }
    }

    fn report() -> Report {
        let host = |name: &str, status, findings| HostReport {
            name: name.into(),
            address: "192.0.2.1".into(),
            status,
            error: None,
            findings,
            risk: None,
            drift: None,
        };
        Report {
            tool: ToolInfo::current(),
            profile: "p".into(),
            started_at: chrono::Utc::now(),
            finished_at: chrono::Utc::now(),
            incomplete: false,
            hosts: vec![
                host(
                    "web1",
                    HostStatus::Audited,
                    vec![
                        finding("ftp-server", Status::Fail),
                        finding("log-watching", Status::Pass),
                        finding("php-version", Status::Error),
                    ],
                ),
                host(
                    "web2",
                    HostStatus::Audited,
                    vec![finding("ftp-server", Status::Fail)],
                ),
                host(
                    "db1",
                    HostStatus::Audited,
                    vec![finding("ftp-server", Status::Fail)],
                ),
            ],
            waivers: vec![],
            baseline: None,
        }
    }

    const WAIVERS: &str = r#"
waivers:
  - check: ftp-server
    host: "web*"
    justification: vendor upload service until the 2027 migration
    expires: 2027-03-31
  - check: log-watching
    host: "*"
    justification: passes anyway
    expires: 2027-03-31
  - check: ftp-server
    host: db1
    justification: old exception
    expires: 2026-01-31
  - check: php-version
    host: web1
    justification: errors are not waived
    expires: 2027-03-31
"#;

    #[test]
    fn applied_unused_and_expired() {
        let waivers = parse(WAIVERS).unwrap();
        let mut r = report();
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let out = apply(&mut r, &waivers, today);
        let states: Vec<_> = out.iter().map(|o| (o.state, o.hosts.clone())).collect();
        assert_eq!(
            states,
            vec![
                (WaiverState::Applied, vec!["web1".into(), "web2".into()]),
                (WaiverState::Unused, vec![]),
                (WaiverState::Expired, vec!["db1".into()]),
                (WaiverState::Unused, vec![]),
            ]
        );
        let web1 = &r.hosts[0].findings;
        assert_eq!(web1[0].status, Status::Waived);
        let w = web1[0].waiver.as_ref().unwrap();
        assert_eq!(w.source, "w.yml:3:12");
        assert_eq!(w.expires.to_string(), "2027-03-31");
        assert_eq!(web1[2].status, Status::Error, "an error is never waived");
        assert_eq!(r.hosts[2].findings[0].status, Status::Fail, "expired");
        assert!(r.hosts[2].findings[0].waiver.is_none());
        assert!(waivers[0].covers("web2", "ftp-server", today));
        assert!(!waivers[0].covers("db1", "ftp-server", today));
        assert!(!waivers[0].covers("web2", "ftp-chroot", today));
        assert!(!waivers[2].covers("db1", "ftp-server", today), "expired");
        // The expiry day itself is still in force; the day after is not.
        let mut r = report();
        let out = apply(
            &mut r,
            &waivers[..1],
            NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
        );
        assert_eq!(out[0].state, WaiverState::Applied);
        let mut r = report();
        let out = apply(
            &mut r,
            &waivers[..1],
            NaiveDate::from_ymd_opt(2027, 4, 1).unwrap(),
        );
        assert_eq!(out[0].state, WaiverState::Expired);
        assert_eq!(r.hosts[0].findings[0].status, Status::Fail);
    }

    #[test]
    fn waived_findings_do_not_gate() {
        let waivers = parse(WAIVERS).unwrap();
        let mut r = report();
        r.hosts[0].findings.pop(); // drop the error
        r.hosts.pop(); // drop db1, whose waiver expired
        assert!(r.fails_at(Severity::Info));
        apply(
            &mut r,
            &waivers,
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        );
        assert!(!r.fails_at(Severity::Info), "{r:#?}");
    }

    #[test]
    fn errors_point_at_the_field() {
        let e = parse(
            "waivers:\n  - check: ftp-server\n    host: \"[web\"\n    justification: \"  \"\n    expires: next year\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("w.yml:3:11: invalid host pattern"), "{e}");
        assert!(
            e.contains("w.yml:4:20: a waiver needs a non-empty `justification`"),
            "{e}"
        );
        assert!(e.contains("w.yml:5:14: `expires` must be a date"), "{e}");
        let e = parse("waivers:\n  - check: ftp-server\n    host: x\n    justification: j\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("expires"), "{e}");
        let e = parse("waivers:\n  - check: ftp-server\n    hosts: x\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("w.yml:3:"), "{e}");
    }

    #[test]
    fn unknown_check_ids_are_input_errors() {
        let catalog = Catalog::builtin().unwrap();
        let w = parse(
            "waivers:\n  - {check: ftp-sever, host: x, justification: j, expires: 2027-01-01}\n",
        )
        .unwrap();
        let e = check_ids(&w, &catalog).unwrap_err().to_string();
        assert!(
            e.contains("w.yml:2:13: waiver for unknown check id \"ftp-sever\""),
            "{e}"
        );
    }
}
