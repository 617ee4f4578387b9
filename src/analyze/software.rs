//! `software-version`: is an installed product (Apache, PHP, OpenSSH, an
//! FTP server) still supported? Decided per install source, because banner
//! versions lie on distributions that backport fixes:
//! package-managed → the package manager's pending security updates and the
//! OS release's support window; self-built → the upstream version against
//! the dated EOL table. The evidence names the method that decided.

use super::eol::UpstreamVerdict;
use super::os::{self, OsInfo};
use super::{arg_str, version, Analyzer, Context, Verdict};
use crate::catalog::check::Params;
use crate::model::Status;

pub const INSTANCES_PROBE: &str = "software.instances";
pub const PENDING_PROBE: &str = "packages.pending";
pub const OS_PROBE: &str = "os.release";

/// One installed copy of a product, as the `software.instances` probe saw it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Instance {
    pub product: String,
    pub path: String,
    pub owner: Owner,
    pub banner: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Owner {
    /// No package owns the file: self-built or copied in.
    #[default]
    None,
    Dpkg {
        package: String,
        version: String,
    },
    Rpm {
        package: String,
        version: String,
    },
}

/// Parse the instances probe: blocks that start with `[instance]`, then
/// `key=value` lines (`product`, `path`, `owner`, `banner`).
pub fn parse_instances(text: &str) -> Vec<Instance> {
    let mut out: Vec<Instance> = Vec::new();
    for line in text.lines() {
        if line.trim() == "[instance]" {
            out.push(Instance::default());
            continue;
        }
        let (Some(cur), Some((k, v))) = (out.last_mut(), line.split_once('=')) else {
            continue;
        };
        match k {
            "product" => cur.product = v.trim().to_string(),
            "path" => cur.path = v.trim().to_string(),
            "banner" => cur.banner = v.trim().to_string(),
            "owner" => {
                let mut w = v.split_whitespace();
                cur.owner = match (w.next(), w.next(), w.next()) {
                    (Some("dpkg"), Some(p), Some(ver)) => Owner::Dpkg {
                        package: p.to_string(),
                        version: ver.to_string(),
                    },
                    (Some("rpm"), Some(p), Some(ver)) => Owner::Rpm {
                        package: p.to_string(),
                        version: ver.to_string(),
                    },
                    _ => Owner::None,
                }
            }
            _ => {}
        }
    }
    out.retain(|i| !i.product.is_empty() && !i.path.is_empty());
    out
}

/// Pending updates known to the target's package manager (from its local
/// metadata; nothing is refreshed on the target).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pending {
    pub manager: Option<String>,
    /// Age of the package lists in days, when known.
    pub lists_age_days: Option<i64>,
    /// (package, new version, security?)
    pub updates: Vec<(String, String, bool)>,
}

pub fn parse_pending(text: &str) -> Pending {
    let mut p = Pending::default();
    let mut now = None;
    let mut lists = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(v) = line.strip_prefix("manager=") {
            p.manager = Some(v.to_string());
        } else if let Some(v) = line.strip_prefix("now=") {
            now = v.parse::<i64>().ok();
        } else if let Some(v) = line.strip_prefix("lists_mtime=") {
            lists = v.parse::<i64>().ok();
        } else if let Some(rest) = line.strip_prefix("Inst ") {
            // Inst apache2-bin [2.4.57-2] (2.4.62-1~deb12u1 Debian-Security:12/stable-security [amd64])
            let name = rest.split_whitespace().next().unwrap_or_default();
            let paren = rest.split_once('(').map(|(_, r)| r).unwrap_or_default();
            let new = paren.split_whitespace().next().unwrap_or_default();
            let security = paren.contains("-Security") || paren.contains("-security");
            p.updates
                .push((name.to_string(), new.to_string(), security));
        } else if line.contains("/Sec.") || line.starts_with("RHSA-") || line.starts_with("CESA-") {
            // RHSA-2024:1234 Important/Sec. httpd-2.4.6-99.el7_9.x86_64
            if let Some(nevra) = line.split_whitespace().last() {
                let n = rpm_version::Nevra::parse(nevra);
                p.updates.push((
                    n.name().to_string(),
                    format!("{}-{}", n.version(), n.release()),
                    true,
                ));
            }
        }
    }
    if let (Some(now), Some(lists)) = (now, lists) {
        p.lists_age_days = Some((now - lists).max(0) / 86_400);
    }
    p
}

pub struct SoftwareVersion;

const PRODUCTS: &[&str] = &["apache", "php", "openssh", "vsftpd", "proftpd", "pure-ftpd"];

impl Analyzer for SoftwareVersion {
    fn name(&self) -> &'static str {
        "software-version"
    }

    fn description(&self) -> &'static str {
        "installed product supported? (package manager for packages, EOL table for self-built)"
    }

    fn probes(&self, _with: &Params) -> Vec<String> {
        vec![
            INSTANCES_PROBE.into(),
            PENDING_PROBE.into(),
            OS_PROBE.into(),
        ]
    }

    fn validate(&self, with: &Params) -> Result<(), String> {
        match arg_str(with, "product") {
            Some(p) if PRODUCTS.contains(&p) => Ok(()),
            Some(p) => Err(format!(
                "unknown product {p:?}; known: {}",
                PRODUCTS.join(", ")
            )),
            None => Err(format!(
                "needs `with: {{product: ...}}`, one of {}",
                PRODUCTS.join(", ")
            )),
        }
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let product = arg_str(cx.with, "product").unwrap_or_default();
        let name = cx
            .eol
            .products
            .get(product)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| product.to_string());
        let instances = match cx.facts.text(INSTANCES_PROBE) {
            Ok(t) => parse_instances(&t),
            Err(u) => return Verdict::unavailable(u),
        };
        let instances: Vec<_> = instances
            .into_iter()
            .filter(|i| i.product == product)
            .collect();
        if instances.is_empty() {
            return Verdict::new(Status::Skip, format!("{name} is not installed"));
        }
        let pending = cx
            .facts
            .text(PENDING_PROBE)
            .map(|t| parse_pending(&t))
            .unwrap_or_default();
        let os_info: Option<OsInfo> = cx
            .facts
            .text(OS_PROBE)
            .ok()
            .and_then(|t| os::parse_os_release(&t));
        let mut worst = Status::Pass;
        let mut parts = Vec::new();
        for inst in &instances {
            let (status, says) = judge_instance(cx, &name, inst, &pending, os_info.as_ref());
            if status < worst {
                worst = status;
            }
            parts.push(says);
        }
        Verdict::new(worst, parts.join("; "))
    }
}

fn judge_instance(
    cx: &Context<'_>,
    name: &str,
    inst: &Instance,
    pending: &Pending,
    os_info: Option<&OsInfo>,
) -> (Status, String) {
    let banner_version = version::upstream(&inst.banner);
    let shown = version::upstream_token(&inst.banner)
        .unwrap_or("(version unreadable)")
        .to_string();
    match &inst.owner {
        Owner::None => {
            let Some(found) = banner_version else {
                return (
                    Status::Error,
                    format!(
                        "{name} at {} (self-built): could not read a version from {:?}",
                        inst.path, inst.banner
                    ),
                );
            };
            let method = format!(
                "method: upstream version vs EOL table of {}",
                cx.eol.written
            );
            let head = format!(
                "{name} {shown} at {} (self-built, no package owns it)",
                inst.path
            );
            match cx.eol.judge(product_key(inst), &found, cx.today) {
                Some(UpstreamVerdict::EndOfLife { branch, since }) => (
                    Status::Fail,
                    format!("{head}: branch {branch} reached end of life on {since} [{method}]"),
                ),
                Some(UpstreamVerdict::BelowMinimum { min_safe }) => (
                    Status::Fail,
                    format!("{head}: older than {min_safe}, the oldest release without published security fixes pending [{method}]"),
                ),
                Some(UpstreamVerdict::Supported { until, .. }) => (
                    Status::Pass,
                    match until {
                        Some(u) => format!("{head}: supported branch, until {u} [{method}]"),
                        None => format!("{head}: supported release [{method}]"),
                    },
                ),
                Some(UpstreamVerdict::UnknownBranch { branch }) => (
                    Status::Skip,
                    format!("{head}: branch {branch} is not in the EOL table of {}; cannot judge", cx.eol.written),
                ),
                None => (
                    Status::Skip,
                    format!("{head}: the EOL table of {} has no entry for this product; cannot judge", cx.eol.written),
                ),
            }
        }
        Owner::Dpkg { package, version } | Owner::Rpm { package, version } => {
            let manager = if matches!(inst.owner, Owner::Dpkg { .. }) {
                "dpkg"
            } else {
                "rpm"
            };
            let head = format!(
                "{name} {shown} at {} from package {package} {version} ({manager})",
                inst.path
            );
            let base = package.split(':').next().unwrap_or(package);
            if let Some((_, new, _)) = pending.updates.iter().find(|(p, _, sec)| *sec && p == base)
            {
                return (
                    Status::Fail,
                    format!("{head}: security update to {new} is pending [method: package manager's pending security updates]"),
                );
            }
            let lists = match pending.lists_age_days {
                Some(d) if d > 7 => format!(", but its package lists are {d} days old"),
                Some(d) => format!(", lists {d} days old"),
                None => String::new(),
            };
            let os_says = os_info.and_then(|o| os::support(cx.eol, o, cx.today));
            match os_says {
                Some(s) if !s.supported => (
                    Status::Fail,
                    format!("{head}: the OS no longer gets security updates ({}) [method: OS support window]", s.says),
                ),
                Some(s) => (
                    Status::Pass,
                    format!("{head}: no pending security update{lists}; {} [method: package manager + OS support window]", s.says),
                ),
                None => (
                    Status::Pass,
                    format!("{head}: no pending security update{lists}; OS support window unknown to the table [method: package manager]"),
                ),
            }
        }
    }
}

fn product_key(inst: &Instance) -> &str {
    inst.product.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testkit;
    use crate::facts::Facts;

    fn run(
        product: &str,
        instances: &str,
        pending: &str,
        os_release: &str,
        today: &str,
    ) -> Verdict {
        let facts = Facts::from_texts([
            (INSTANCES_PROBE, instances),
            (PENDING_PROBE, pending),
            (OS_PROBE, os_release),
        ]);
        let with = testkit::params([("product", serde_json::json!(product))]);
        testkit::verdict_on(
            today.parse().unwrap(),
            &SoftwareVersion,
            &facts,
            &with,
            &Params::new(),
        )
    }

    const LEGACY: &str = include_str!("../../tests/fixtures/software/legacy-instances.txt");
    const CLEAN: &str = include_str!("../../tests/fixtures/software/debian12-instances.txt");
    const RHEL: &str = include_str!("../../tests/fixtures/os-release/rhel-7.2.txt");
    const DEB12: &str = include_str!("../../tests/fixtures/os-release/debian-12.txt");

    #[test]
    fn self_built_apache_2_2_fails_by_eol_table() {
        let v = run("apache", LEGACY, "manager=apt\n", RHEL, "2026-11-22");
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        assert!(v.evidence.contains("2.2.21"), "{}", v.evidence);
        assert!(v.evidence.contains("self-built"), "{}", v.evidence);
        assert!(
            v.evidence.contains("end of life on 2017-07-11"),
            "{}",
            v.evidence
        );
        assert!(v.evidence.contains("EOL table"), "{}", v.evidence);
        let v = run("php", LEGACY, "", RHEL, "2026-11-22");
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.evidence.contains("5.3.29") && v.evidence.contains("2014-08-14"),
            "{}",
            v.evidence
        );
    }

    #[test]
    fn debian_packages_pass_on_a_supported_release() {
        let v = run(
            "apache",
            CLEAN,
            "manager=apt\nnow=1700000000\nlists_mtime=1700000000\n",
            DEB12,
            "2026-11-22",
        );
        assert_eq!(v.status, Status::Pass, "{}", v.evidence);
        assert!(v.evidence.contains("apache2-bin"), "{}", v.evidence);
        assert!(
            v.evidence.contains("Debian LTS until 2028-06-30"),
            "{}",
            v.evidence
        );
        assert!(
            v.evidence.contains("method: package manager"),
            "{}",
            v.evidence
        );
    }

    #[test]
    fn pending_security_update_fails_a_package() {
        let pending = "manager=apt\nInst apache2-bin [2.4.62-1~deb12u2] (2.4.65-1~deb12u1 Debian-Security:12/stable-security [amd64])\nInst curl [7.88.1-10] (7.88.1-10+deb12u5 Debian:12.9/stable [amd64])\n";
        let v = run("apache", CLEAN, pending, DEB12, "2026-11-22");
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        assert!(v.evidence.contains("2.4.65-1~deb12u1"), "{}", v.evidence);
        let p = parse_pending(pending);
        assert_eq!(p.updates.len(), 2);
        assert!(
            !p.updates[1].2,
            "a stable point update is not a security update"
        );
    }

    #[test]
    fn rpm_updateinfo_lines() {
        let p = parse_pending(
            "manager=yum\nRHSA-2024:1234 Important/Sec. httpd-2.4.6-99.el7_9.x86_64\n",
        );
        assert_eq!(
            p.updates,
            vec![("httpd".into(), "2.4.6-99.el7_9".into(), true)]
        );
    }

    #[test]
    fn absent_product_is_skipped() {
        let v = run("vsftpd", CLEAN, "", DEB12, "2026-11-22");
        assert_eq!(v.status, Status::Skip);
        assert!(v.evidence.contains("not installed"));
    }

    #[test]
    fn unavailable_probe_is_an_error_not_a_pass() {
        let with = testkit::params([("product", serde_json::json!("apache"))]);
        let v = testkit::verdict(&SoftwareVersion, &Facts::default(), &with, &Params::new());
        assert_eq!(v.status, Status::Error);
    }
}
