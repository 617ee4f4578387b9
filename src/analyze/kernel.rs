//! `kernel`: is the running kernel the newest one the package manager
//! installed, with no kernel update pending and no reboot owed?
//!
//! - Package-managed (dpkg owns `linux-image-$(uname -r)`, rpm owns
//!   `kernel`/`kernel-core` of that release): fail when a newer kernel
//!   package is installed but not running, when Debian's
//!   `/var/run/reboot-required` exists, when (RHEL, `needs-restarting -r`
//!   semantics) a kernel or a core library was installed after boot, or
//!   when the package manager already knows a newer kernel.
//! - Self-built (an image in /boot or modules in /lib/modules, no package):
//!   the upstream branch against the dated EOL table (`linux`).
//! - Neither (a container or chroot sharing a kernel it cannot see): skip,
//!   saying so; such a kernel is audited on the machine that boots it.

use super::software::parse_pending;
use super::version::{dpkg_cmp, rpm_cmp, upstream};
use super::{Analyzer, Context, Verdict};
use crate::analyze::eol::UpstreamVerdict;
use crate::catalog::check::Params;
use crate::model::Status;
use std::cmp::Ordering;

pub const KERNEL_PROBE: &str = "sys.kernel";
pub const PENDING_PROBE: &str = "packages.pending";

/// Packages whose update after boot means a reboot is due (dnf
/// needs-restarting's list, reduced to the ones RHEL 7–9 ship).
pub const CORE_PACKAGES: &[&str] = &[
    "kernel",
    "kernel-core",
    "kernel-rt",
    "glibc",
    "linux-firmware",
    "systemd",
    "dbus",
    "dbus-broker",
    "dbus-daemon",
    "openssl-libs",
    "gnutls",
];

/// What the probe saw.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KernelFacts {
    pub running: String,
    pub boot_time: Option<i64>,
    /// /boot/vmlinuz-* release strings.
    pub images: Vec<String>,
    /// /lib/modules/<running> exists.
    pub running_modules: bool,
    /// Installed Debian kernel images: (package, version).
    pub deb: Vec<(String, String)>,
    /// Installed RPM kernels: (name, version-release.arch, install time).
    pub rpm: Vec<(String, String, i64)>,
    /// Core RPM packages: (name, install time).
    pub rpm_core: Vec<(String, i64)>,
    /// The package that owns the running kernel's image, if any.
    pub owner: Option<String>,
    /// /var/run/reboot-required exists.
    pub reboot_required: bool,
    pub reboot_pkgs: Vec<String>,
}

/// Parse the `sys.kernel` probe (one fact per line, `key value...`).
pub fn parse(text: &str) -> KernelFacts {
    let mut k = KernelFacts::default();
    for line in text.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        match w[..] {
            ["running", r] => k.running = r.to_string(),
            ["btime", t] => k.boot_time = t.parse().ok(),
            ["image", p] => {
                if let Some(r) = p
                    .rsplit('/')
                    .next()
                    .and_then(|n| n.strip_prefix("vmlinuz-"))
                {
                    k.images.push(r.to_string());
                }
            }
            ["modules", "yes"] => k.running_modules = true,
            ["deb", pkg, ver, status] if status.starts_with("ii") => {
                k.deb.push((pkg.to_string(), ver.to_string()))
            }
            ["rpm", name, vra, t] => k.rpm.push((
                name.to_string(),
                vra.to_string(),
                t.parse().unwrap_or_default(),
            )),
            ["rpmcore", name, t] => k
                .rpm_core
                .push((name.to_string(), t.parse().unwrap_or_default())),
            ["owner", pkg, ..] => k.owner = Some(pkg.trim_end_matches(':').to_string()),
            ["reboot-required"] => k.reboot_required = true,
            ["reboot-required-pkg", p] => k.reboot_pkgs.push(p.to_string()),
            _ => {}
        }
    }
    k
}

/// Only Debian's versioned image packages (not meta packages such as
/// linux-image-amd64, nor -dbg/-unsigned variants).
fn is_deb_image(pkg: &str) -> bool {
    pkg.strip_prefix("linux-image-")
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()) && !r.ends_with("-dbg"))
}

/// RPM's `uname -r` (`3.10.0-1160.el7.x86_64`) is version-release.arch;
/// strip the arch for ordering.
fn rpm_evr(vra: &str) -> &str {
    match vra.rsplit_once('.') {
        Some((vr, "x86_64" | "aarch64" | "ppc64le" | "s390x" | "i686" | "noarch")) => vr,
        _ => vra,
    }
}

/// The verdict, pure: kernel facts, pending updates, EOL table, date.
pub fn judge(cx: &Context<'_>, k: &KernelFacts, pending_text: Option<&str>) -> Verdict {
    if k.running.is_empty() {
        return Verdict::new(Status::Error, "uname -r printed nothing");
    }
    let r = &k.running;
    let deb_running = format!("linux-image-{r}");
    let deb: Vec<&(String, String)> = k.deb.iter().filter(|(p, _)| is_deb_image(p)).collect();
    let running_deb = deb.iter().find(|(p, _)| *p == deb_running);
    let running_rpm = k.rpm.iter().find(|(_, vra, _)| vra == r);
    let pending = pending_text.map(parse_pending).unwrap_or_default();
    let mut problems: Vec<String> = Vec::new();

    if let Some((pkg, ver)) = running_deb {
        let head = format!("running kernel {r} from package {pkg} {ver} (dpkg)");
        // The newest installed image by package version.
        let newest = deb
            .iter()
            .max_by(|a, b| dpkg_cmp(&a.1, &b.1).unwrap_or(Ordering::Equal))
            .expect("running_deb is one of them");
        if dpkg_cmp(&newest.1, ver) == Some(Ordering::Greater) {
            problems.push(format!(
                "a newer kernel is installed but not running: {} {} (reboot into it)",
                newest.0, newest.1
            ));
        }
        if k.reboot_required {
            problems.push(if k.reboot_pkgs.is_empty() {
                "/var/run/reboot-required exists".into()
            } else {
                format!(
                    "/var/run/reboot-required exists (for {})",
                    k.reboot_pkgs.join(", ")
                )
            });
        }
        let upd: Vec<String> = pending
            .updates
            .iter()
            .filter(|(p, _, _)| is_deb_image(p) || p.starts_with("linux-image-"))
            .map(|(p, v, s)| format!("{p} {v}{}", if *s { " (security)" } else { "" }))
            .collect();
        if !upd.is_empty() {
            problems.push(format!("kernel update pending: {}", upd.join(", ")));
        }
        return finish(head, problems, "[method: dpkg + /var/run/reboot-required]");
    }

    if let Some((name, vra, _)) = running_rpm {
        let head = format!("running kernel {r} from package {name} (rpm)");
        let newest = k
            .rpm
            .iter()
            .max_by(|a, b| rpm_cmp(rpm_evr(&a.1), rpm_evr(&b.1)))
            .expect("running_rpm is one of them");
        if rpm_cmp(rpm_evr(&newest.1), rpm_evr(vra)) == Ordering::Greater {
            problems.push(format!(
                "a newer kernel is installed but not running: {} {} (reboot into it)",
                newest.0, newest.1
            ));
        }
        if let Some(bt) = k.boot_time {
            let mut since: Vec<String> = Vec::new();
            let installed = k
                .rpm
                .iter()
                .map(|(n, _, t)| (n, *t))
                .chain(k.rpm_core.iter().map(|(n, t)| (n, *t)));
            for (n, t) in installed {
                if t > bt && CORE_PACKAGES.contains(&n.as_str()) && !since.contains(n) {
                    since.push(n.clone());
                }
            }
            if !since.is_empty() {
                problems.push(format!(
                    "updated since boot, so a reboot is due (needs-restarting -r): {}",
                    since.join(", ")
                ));
            }
        }
        let upd: Vec<String> = pending
            .updates
            .iter()
            .filter(|(p, _, _)| matches!(p.as_str(), "kernel" | "kernel-core" | "kernel-rt"))
            .map(|(p, v, _)| format!("{p} {v} (security)"))
            .collect();
        if !upd.is_empty() {
            problems.push(format!(
                "kernel security update pending: {}",
                upd.join(", ")
            ));
        }
        return finish(
            head,
            problems,
            "[method: rpm + needs-restarting -r semantics]",
        );
    }

    let on_disk = k.images.iter().any(|i| i == r) || k.running_modules;
    if !on_disk {
        return Verdict::new(
            Status::Skip,
            format!(
                "running kernel {r} is not on this file system (no /boot/vmlinuz-{r}, no /lib/modules/{r}, no package): a container or chroot sharing its host's kernel; audit the machine that boots it"
            ),
        );
    }
    if let Some(o) = &k.owner {
        return Verdict::new(
            Status::Skip,
            format!("running kernel {r} belongs to package {o}, which is not a kernel package shipshape knows"),
        );
    }
    // Self-built: upstream branch against the EOL table.
    let head = format!("running kernel {r} (self-built: no package owns it)");
    let method = format!(
        "[method: upstream version vs EOL table of {}]",
        cx.eol.written
    );
    let Some(found) = upstream(r) else {
        return Verdict::new(Status::Skip, format!("{head}: no version number in it"));
    };
    match cx.eol.judge("linux", &found, cx.today) {
        Some(UpstreamVerdict::EndOfLife { branch, since }) => Verdict::new(
            Status::Fail,
            format!("{head}: branch {branch} reached end of life on {since} {method}"),
        ),
        Some(UpstreamVerdict::BelowMinimum { min_safe }) => Verdict::new(
            Status::Fail,
            format!("{head}: older than {min_safe} {method}"),
        ),
        Some(UpstreamVerdict::Supported { until, .. }) => Verdict::new(
            Status::Pass,
            match until {
                Some(u) => format!("{head}: long-term branch supported until {u} {method}"),
                None => format!("{head}: supported branch {method}"),
            },
        ),
        Some(UpstreamVerdict::UnknownBranch { branch }) => Verdict::new(
            Status::Skip,
            format!("{head}: branch {branch} is not a long-term branch in the EOL table of {} (a stable branch is supported only until the next release); cannot judge", cx.eol.written),
        ),
        None => Verdict::new(
            Status::Skip,
            format!("{head}: the EOL table has no kernel entry; cannot judge"),
        ),
    }
}

fn finish(head: String, problems: Vec<String>, method: &str) -> Verdict {
    if problems.is_empty() {
        Verdict::new(
            Status::Pass,
            format!("{head}: the newest installed kernel is running, no reboot pending, no kernel update known {method}"),
        )
    } else {
        Verdict::new(
            Status::Fail,
            format!("{head}: {} {method}", problems.join("; ")),
        )
    }
}

pub struct KernelCurrent;

impl Analyzer for KernelCurrent {
    fn name(&self) -> &'static str {
        "kernel"
    }

    fn description(&self) -> &'static str {
        "the running kernel is the newest installed, with no reboot or kernel update pending (self-built: EOL table)"
    }

    fn probes(&self, _with: &Params) -> Vec<String> {
        vec![KERNEL_PROBE.into(), PENDING_PROBE.into()]
    }

    fn validate(&self, _with: &Params) -> Result<(), String> {
        Ok(())
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let text = match cx.facts.text(KERNEL_PROBE) {
            Ok(t) => t,
            Err(u) => return Verdict::unavailable(u),
        };
        let pending = cx.facts.text(PENDING_PROBE).ok();
        judge(cx, &parse(&text), pending.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testkit;
    use crate::facts::Facts;

    fn run(kernel: &str, pending: &str) -> Verdict {
        let facts = Facts::from_texts([(KERNEL_PROBE, kernel), (PENDING_PROBE, pending)]);
        testkit::verdict(&KernelCurrent, &facts, &Params::new(), &Params::new())
    }

    fn fx(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/kernel/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn debian_newer_image_installed_and_reboot_required_fails() {
        let v = run(&fx("debian-reboot-pending.txt"), "manager=apt\n");
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        let e = &v.evidence;
        assert!(
            e.contains(
                "running kernel 6.1.0-26-amd64 from package linux-image-6.1.0-26-amd64 6.1.112-1"
            ),
            "{e}"
        );
        assert!(
            e.contains(
                "newer kernel is installed but not running: linux-image-6.1.0-28-amd64 6.1.119-1"
            ),
            "{e}"
        );
        assert!(
            e.contains("/var/run/reboot-required exists (for linux-image-6.1.0-28-amd64)"),
            "{e}"
        );
    }

    #[test]
    fn debian_current_kernel_passes_unless_an_update_is_pending() {
        let k = fx("debian-current.txt");
        let v = run(&k, "manager=apt\n");
        assert_eq!(v.status, Status::Pass, "{}", v.evidence);
        // meta packages and the older image kept by apt do not count
        assert!(!v.evidence.contains("linux-image-amd64"), "{}", v.evidence);
        let v = run(&k, &fx("debian-pending.txt"));
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        assert!(
            v.evidence
                .contains("kernel update pending: linux-image-6.1.0-29-amd64 6.1.123-1 (security)"),
            "{}",
            v.evidence
        );
    }

    #[test]
    fn rhel_needs_restarting_semantics() {
        let v = run(&fx("rhel7-reboot-pending.txt"), "manager=yum\n");
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        let e = &v.evidence;
        assert!(
            e.contains("running kernel 3.10.0-327.el7.x86_64 from package kernel (rpm)"),
            "{e}"
        );
        assert!(
            e.contains("kernel 3.10.0-1160.119.1.el7.x86_64 (reboot into it)"),
            "{e}"
        );
        assert!(e.contains("needs-restarting -r): kernel, glibc"), "{e}");
        let v = run(&fx("rhel9-current.txt"), "manager=dnf\n");
        assert_eq!(v.status, Status::Pass, "{}", v.evidence);
        let v = run(
            &fx("rhel9-current.txt"),
            &format!(
                "manager=dnf\n{}",
                "RHSA-2026:1234 Important/Sec. kernel-core-5.14.0-611.9.1.el9_7.x86_64\n"
            ),
        );
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        assert!(
            v.evidence.contains("kernel-core 5.14.0-611.9.1.el9_7"),
            "{}",
            v.evidence
        );
    }

    #[test]
    fn lab_chroot_shares_the_machine_kernel_and_skips() {
        let v = run(&fx("lab-chroot.txt"), "manager=apt\n");
        assert_eq!(v.status, Status::Skip, "{}", v.evidence);
        assert!(
            v.evidence.contains("is not on this file system"),
            "{}",
            v.evidence
        );
    }

    #[test]
    fn self_built_kernel_against_the_eol_table() {
        let old = "running 4.19.325-custom\nimage /boot/vmlinuz-4.19.325-custom\nmodules yes\n";
        let v = run(old, "");
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        assert!(
            v.evidence
                .contains("branch 4.19 reached end of life on 2024-12-05"),
            "{}",
            v.evidence
        );
        let lts = "running 6.1.158-web\nimage /boot/vmlinuz-6.1.158-web\n";
        let v = run(lts, "");
        assert_eq!(v.status, Status::Pass, "{}", v.evidence);
        assert!(v.evidence.contains("until 2027-12"), "{}", v.evidence);
        let stable = "running 6.17.3\nmodules yes\n";
        assert_eq!(run(stable, "").status, Status::Skip);
        assert_eq!(run("", "").status, Status::Error);
    }
}
