//! The target's OS release (from `/etc/os-release`, or the older release
//! files) and whether it still receives security updates.

use super::eol::{EolTable, ExtendedKind};
use super::{Analyzer, Context, Verdict};
use crate::catalog::check::Params;
use crate::model::Status;
use chrono::NaiveDate;

pub const OS_PROBE: &str = "os.release";

/// `os-support`: does the OS release still get security updates?
pub struct OsSupportAnalyzer;

impl Analyzer for OsSupportAnalyzer {
    fn name(&self) -> &'static str {
        "os-support"
    }

    fn description(&self) -> &'static str {
        "OS release still receives security updates (distribution support windows, LTS/ESM/ELS)"
    }

    fn probes(&self, _with: &Params) -> Vec<String> {
        vec![OS_PROBE.into()]
    }

    fn validate(&self, _with: &Params) -> Result<(), String> {
        Ok(())
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let text = match cx.facts.text(OS_PROBE) {
            Ok(t) => t,
            Err(u) => return Verdict::unavailable(u),
        };
        let Some(os) = parse_os_release(&text) else {
            return Verdict::new(
                Status::Error,
                "no /etc/os-release or release file: cannot tell the OS",
            );
        };
        match support(cx.eol, &os, cx.today) {
            Some(s) if s.supported => Verdict::new(
                Status::Pass,
                format!("{} [EOL table of {}]", s.says, cx.eol.written),
            ),
            Some(s) => Verdict::new(
                Status::Fail,
                format!("{} [EOL table of {}]", s.says, cx.eol.written),
            ),
            None => Verdict::new(
                Status::Skip,
                format!(
                    "{} {} ({}) is not in the EOL table of {}; cannot judge",
                    os.id, os.version_id, os.pretty, cx.eol.written
                ),
            ),
        }
    }
}

/// What the target says it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OsInfo {
    /// `ID` from os-release (`debian`, `rhel`, `ubuntu`, `centos`).
    pub id: String,
    /// `VERSION_ID` (`12`, `7.2`, `22.04`).
    pub version_id: String,
    /// `PRETTY_NAME`, or the release file's line.
    pub pretty: String,
    /// True when an Ubuntu ESM / RHEL ELS channel is configured.
    pub extended_enabled: bool,
}

/// Parse the `os.release` probe: os-release contents, optionally followed
/// by `/etc/redhat-release` / `/etc/debian_version` lines and `esm=yes`.
pub fn parse_os_release(text: &str) -> Option<OsInfo> {
    let mut info = OsInfo::default();
    for line in text.lines() {
        let line = line.trim();
        let Some((k, v)) = line.split_once('=') else {
            if info.pretty.is_empty() && line.contains(" release ") {
                info.pretty = line.to_string();
            }
            continue;
        };
        let v = v.trim().trim_matches('"').trim_matches('\'');
        match k {
            "ID" => info.id = v.to_ascii_lowercase(),
            "VERSION_ID" => info.version_id = v.to_string(),
            "PRETTY_NAME" => info.pretty = v.to_string(),
            "extended" => info.extended_enabled = v == "yes",
            "redhat_release" if info.id.is_empty() => {
                // RHEL/CentOS 5 and 6 have no os-release.
                info.pretty = v.to_string();
                let lower = v.to_ascii_lowercase();
                info.id = if lower.contains("centos") {
                    "centos"
                } else {
                    "rhel"
                }
                .into();
                if let Some(ver) = super::version::upstream(v) {
                    info.version_id = format!("{}.{}", ver.major, ver.minor);
                }
            }
            _ => {}
        }
    }
    (!info.id.is_empty()).then_some(info)
}

/// Whether an OS release is supported on `today`, and the words for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsSupport {
    pub supported: bool,
    pub says: String,
}

pub fn support(table: &EolTable, os: &OsInfo, today: NaiveDate) -> Option<OsSupport> {
    let rel = table.os_release(&os.id, &os.version_id)?;
    let name = if os.pretty.is_empty() {
        format!("{} {}", os.id, os.version_id)
    } else {
        os.pretty.clone()
    };
    if let Some(last) = &rel.last_minor {
        let older = match (
            super::version::upstream(&os.version_id),
            super::version::upstream(last),
        ) {
            (Some(found), Some(last)) => os.version_id.contains('.') && found < last,
            _ => false,
        };
        if older {
            return Some(OsSupport {
                supported: false,
                says: format!(
                    "{name}: minor release {} is older than the branch's last ({last}) and receives no fixes",
                    os.version_id
                ),
            });
        }
    }
    if today <= rel.security {
        return Some(OsSupport {
            supported: true,
            says: format!("{name}: security support until {}", rel.security),
        });
    }
    match (rel.extended, rel.extended_kind) {
        (Some(until), Some(ExtendedKind::Lts)) if today <= until => Some(OsSupport {
            supported: true,
            says: format!("{name}: regular security support ended {}; covered by Debian LTS until {until}", rel.security),
        }),
        (Some(until), Some(kind)) if today <= until && os.extended_enabled => Some(OsSupport {
            supported: true,
            says: format!("{name}: regular support ended {}; {} is enabled, until {until}", rel.security, kind_name(kind)),
        }),
        (Some(until), Some(kind)) if today <= until => Some(OsSupport {
            supported: false,
            says: format!(
                "{name}: security support ended {}; {} would cover it until {until} but is not enabled on this host",
                rel.security,
                kind_name(kind)
            ),
        }),
        _ => Some(OsSupport {
            supported: false,
            says: format!("{name}: end of life, no security updates since {}", rel.extended.unwrap_or(rel.security)),
        }),
    }
}

fn kind_name(k: ExtendedKind) -> &'static str {
    match k {
        ExtendedKind::Lts => "Debian LTS",
        ExtendedKind::Esm => "Ubuntu ESM (Ubuntu Pro)",
        ExtendedKind::Els => "RHEL Extended Life Support",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> &'static EolTable {
        crate::analyze::testkit::eol()
    }

    #[test]
    fn rhel_7_2_is_unsupported_even_while_rhel_7_was() {
        let text = include_str!("../../tests/fixtures/os-release/rhel-7.2.txt");
        let os = parse_os_release(text).unwrap();
        assert_eq!((os.id.as_str(), os.version_id.as_str()), ("rhel", "7.2"));
        let s = support(table(), &os, "2018-01-05".parse().unwrap()).unwrap();
        assert!(!s.supported, "{}", s.says);
        assert!(s.says.contains("7.9"), "{}", s.says);
    }

    #[test]
    fn debian_12_in_lts_is_supported_with_a_date() {
        let text = include_str!("../../tests/fixtures/os-release/debian-12.txt");
        let os = parse_os_release(text).unwrap();
        let s = support(table(), &os, "2026-11-22".parse().unwrap()).unwrap();
        assert!(s.supported);
        assert!(s.says.contains("Debian LTS until 2028-06-30"), "{}", s.says);
        let s = support(table(), &os, "2028-07-01".parse().unwrap()).unwrap();
        assert!(!s.supported);
    }

    #[test]
    fn rhel_6_without_os_release() {
        let os = parse_os_release("redhat_release=CentOS release 6.10 (Final)\n").unwrap();
        assert_eq!((os.id.as_str(), os.version_id.as_str()), ("centos", "6.10"));
        let s = support(table(), &os, "2026-11-22".parse().unwrap()).unwrap();
        assert!(!s.supported);
    }
}
