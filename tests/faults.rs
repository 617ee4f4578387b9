//! Faults a fleet audit meets: hosts that never answer, stall, die mid-run,
//! do not resolve or refuse our key, and probes that print megabytes,
//! binary bytes, fake frame lines or never end. No lab needed: every host is
//! a throwaway sshd on 127.0.0.1 (support/sshd.rs) or a silent loopback
//! listener, and every probe comes from a `--checks` dir written here.

mod common;
#[path = "support/sshd.rs"]
mod sshd;

use common::*;
use sshd::{keygen, Sshd, SshdConfig};
use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// A throwaway sshd that accepts one root key, with a known_hosts for it.
struct Rig {
    sshd: Sshd,
    key: PathBuf,
    kh: PathBuf,
    dir: TempDir,
}

impl Rig {
    fn new() -> Rig {
        let sshd = Sshd::start(SshdConfig::default());
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("id_ed25519");
        keygen(&key, "ed25519", "");
        sshd.authorize(&key.with_extension("pub"));
        let kh = dir.path().join("known_hosts");
        fs::write(&kh, sshd.known_hosts_line("ed25519")).unwrap();
        Rig { sshd, key, kh, dir }
    }

    /// `name: {address: 127.0.0.1, port: <this sshd>}`
    fn host_line(&self, name: &str) -> String {
        format!(
            "  {name}: {{address: 127.0.0.1, port: {}}}\n",
            self.sshd.port
        )
    }

    fn inventory(&self, hosts: &str) -> PathBuf {
        let p = self.dir.path().join("inv.yml");
        fs::write(
            &p,
            format!(
                "defaults: {{user: root, identity_file: {}}}\nhosts:\n{hosts}",
                self.key.display()
            ),
        )
        .unwrap();
        p
    }

    /// Audit with the checks in `checks`; returns the output and the time
    /// it took.
    fn audit(&self, inv: &Path, checks: &Path, extra: &[&str]) -> (Output, Duration) {
        let facts = self.dir.path().join("facts");
        let mut args = vec![
            "audit",
            "--inventory",
            inv.to_str().unwrap(),
            "--known-hosts",
            self.kh.to_str().unwrap(),
            "--checks",
            checks.to_str().unwrap(),
            "--format",
            "json",
            "--save-facts",
            facts.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let started = Instant::now();
        let out = run(shipshape().env("HOME", "/nonexistent").args(&args));
        (out, started.elapsed())
    }

    fn facts(&self, host: &str) -> serde_json::Value {
        let p = self
            .dir
            .path()
            .join("facts")
            .join(format!("{host}.facts.json"));
        serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap()
    }
}

/// A probe definition: `(id, sh, extra YAML lines such as "timeout: 2")`.
struct Probe<'a>(&'a str, &'a str, &'a str);

/// A `--checks` dir with `probes` and, for each, a check `c-<id>` that
/// fails when the probe's output contains `contains`.
fn checks_dir(probes: &[(Probe<'_>, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut y = String::from("probes:\n");
    for (Probe(id, sh, extra), _) in probes {
        y.push_str(&format!(
            "  - id: {id}\n    description: test probe\n    sh: |\n"
        ));
        for line in sh.lines() {
            y.push_str(&format!("      {line}\n"));
        }
        for line in extra.lines() {
            y.push_str(&format!("    {line}\n"));
        }
    }
    y.push_str("checks:\n");
    for (Probe(id, ..), contains) in probes {
        y.push_str(&format!(
            "  - id: c-{id}\n    title: t\n    category: outdated-software\n    countermeasure: 4\n    severity: low\n    rationale: r\n    remediation: m\n    fail_if: {{probe: {id}, contains: {}}}\n",
            serde_json::to_string(contains).unwrap()
        ));
    }
    fs::write(dir.path().join("t.yml"), y).unwrap();
    dir
}

fn assert_no_panic(out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "shipshape panicked:\n{err}");
    assert!(
        matches!(out.status.code(), Some(0..=1)),
        "exit {:?}",
        out.status
    );
}

fn status_and_reason(report: &serde_json::Value, name: &str) -> (String, String) {
    let h = host(report, name);
    (
        h["status"].as_str().unwrap().to_string(),
        h["error"].as_str().unwrap_or("").to_string(),
    )
}

const ECHO: Probe<'static> = Probe("t.echo", "echo fine", "");

#[test]
fn a_silent_listener_times_out_while_a_real_host_is_audited() {
    let rig = Rig::new();
    // Accepts connections and never says a word (no SSH banner).
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let mut conns = Vec::new();
        for c in silent.incoming().take(1) {
            conns.push(c);
        }
        std::thread::sleep(Duration::from_secs(20));
        drop(conns);
    });
    let checks = checks_dir(&[(ECHO, "fine")]);
    let inv = rig.inventory(&format!(
        "  mute: {{address: 127.0.0.1, port: {port}}}\n{}",
        rig.host_line("real")
    ));
    let report_file = rig.dir.path().join("report.json");
    let (out, took) = rig.audit(
        &inv,
        checks.path(),
        &["--timeout", "5", "--output", report_file.to_str().unwrap()],
    );
    assert_no_panic(&out);
    assert!(took < Duration::from_secs(15), "took {took:?}");
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&report_file).unwrap()).unwrap();
    let (status, reason) = status_and_reason(&report, "mute");
    eprintln!("silent listener: {status}: {reason}");
    assert_eq!(status, "timeout", "{reason}");
    assert!(reason.contains("127.0.0.1"), "{reason}");
    assert_eq!(host(&report, "real")["status"], "audited");
    assert_eq!(finding(host(&report, "real"), "c-t.echo")["status"], "fail");
    drop(held);
}

#[test]
fn a_probe_that_stalls_hits_the_host_deadline() {
    let rig = Rig::new();
    // The probe's own target-side timeout (20 s) is longer than the host's.
    let checks = checks_dir(&[
        (ECHO, "fine"),
        (Probe("t.stall", "echo half\nsleep 30\necho never", ""), "x"),
    ]);
    let inv = rig.inventory(&rig.host_line("staller"));
    let (out, took) = rig.audit(&inv, checks.path(), &["--timeout", "5"]);
    assert_no_panic(&out);
    assert!(took < Duration::from_secs(12), "took {took:?}");
    let report = json(&out);
    let (status, reason) = status_and_reason(&report, "staller");
    eprintln!("stalled probe: {status}: {reason}");
    assert_eq!(status, "timeout", "{reason}");
    assert!(reason.contains("host deadline is 5s"), "{reason}");
}

#[test]
fn a_probe_that_never_ends_is_stopped_on_the_target() {
    let rig = Rig::new();
    let checks = checks_dir(&[
        (
            Probe(
                "t.forever",
                "echo begun\nwhile :; do sleep 1; done",
                "timeout: 2",
            ),
            "begun",
        ),
        (ECHO, "fine"),
    ]);
    let inv = rig.inventory(&rig.host_line("loop"));
    let (out, took) = rig.audit(&inv, checks.path(), &["--timeout", "30"]);
    assert_no_panic(&out);
    assert!(took < Duration::from_secs(15), "took {took:?}");
    let report = json(&out);
    let h = host(&report, "loop");
    assert_eq!(h["status"], "audited", "{h}");
    let f = finding(h, "c-t.forever");
    eprintln!("never-ending probe: {f}");
    assert_eq!(f["status"], "error", "{f}");
    assert!(f["evidence"].as_str().unwrap().contains("timed out"), "{f}");
    // The probe after it ran normally.
    assert_eq!(finding(h, "c-t.echo")["status"], "fail");
    assert_eq!(rig.facts("loop")["probes"]["t.echo"]["content"], "fine\n");
}

/// Every process under `pid` (its children, their children...).
fn descendants(pid: u32) -> Vec<u32> {
    let mut all = Vec::new();
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        for e in fs::read_dir("/proc").unwrap().flatten() {
            let Ok(child) = e.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = fs::read_to_string(e.path().join("stat")) else {
                continue;
            };
            // pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
            let ppid = stat
                .rsplit_once(") ")
                .and_then(|(_, rest)| rest.split(' ').nth(1))
                .and_then(|s| s.parse::<u32>().ok());
            if ppid == Some(p) {
                all.push(child);
                todo.push(child);
            }
        }
    }
    all
}

#[test]
fn sshd_killed_mid_run_gives_a_status_with_a_reason_and_others_complete() {
    let victim = Rig::new();
    let other = Sshd::start(SshdConfig::default());
    other.authorize(&victim.key.with_extension("pub"));
    let mut kh = fs::read_to_string(&victim.kh).unwrap();
    kh.push_str(&other.known_hosts_line("ed25519"));
    fs::write(&victim.kh, kh).unwrap();
    let checks = checks_dir(&[
        (ECHO, "fine"),
        (Probe("t.slow", "echo waiting\nsleep 8\necho done", ""), "x"),
    ]);
    let inv = victim.inventory(&format!(
        "{}  survivor: {{address: 127.0.0.1, port: {}}}\n",
        victim.host_line("victim"),
        other.port
    ));
    // Kill the victim's sshd (listener and session processes) once its
    // script runs.
    let pid = victim.sshd.pid();
    let log = victim.sshd.path("sshd.log");
    let killer = std::thread::spawn(move || {
        let until = Instant::now() + Duration::from_secs(10);
        while !fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("req exec")
        {
            assert!(Instant::now() < until, "the script never started");
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(500));
        let mut victims = descendants(pid);
        victims.push(pid);
        // Only process ids this test started: sshd and its children.
        let ids: Vec<String> = victims.iter().map(u32::to_string).collect();
        let _ = std::process::Command::new("kill")
            .arg("-KILL")
            .args(&ids)
            .status();
    });
    let (out, took) = victim.audit(&inv, checks.path(), &["--timeout", "20"]);
    killer.join().unwrap();
    assert_no_panic(&out);
    assert!(took < Duration::from_secs(15), "took {took:?}");
    let report = json(&out);
    let (status, reason) = status_and_reason(&report, "victim");
    eprintln!("sshd killed mid-run: {status}: {reason}");
    assert_ne!(status, "audited", "a cut-off script is not an audit");
    assert!(
        reason.contains("connection") && reason.contains("lost") || reason.contains("timed out"),
        "the reason says what happened: {reason}"
    );
    assert_eq!(host(&report, "survivor")["status"], "audited");
}

#[test]
fn a_name_that_does_not_resolve_is_unreachable() {
    let rig = Rig::new();
    let checks = checks_dir(&[(ECHO, "fine")]);
    let inv = rig.inventory(&format!(
        "  ghost: {{address: no-such-host.invalid}}\n{}",
        rig.host_line("real")
    ));
    let (out, took) = rig.audit(&inv, checks.path(), &["--timeout", "10"]);
    assert_no_panic(&out);
    assert!(took < Duration::from_secs(15), "took {took:?}");
    let report = json(&out);
    let (status, reason) = status_and_reason(&report, "ghost");
    eprintln!("unresolvable name: {status}: {reason}");
    assert_eq!(status, "unreachable", "{reason}");
    assert!(reason.contains("no-such-host.invalid"), "{reason}");
    assert_eq!(host(&report, "real")["status"], "audited");
}

#[test]
fn a_wrong_key_is_auth_failed() {
    let rig = Rig::new();
    let wrong = rig.dir.path().join("wrong_ed25519");
    keygen(&wrong, "ed25519", "");
    let checks = checks_dir(&[(ECHO, "fine")]);
    let inv = rig.dir.path().join("inv-wrong.yml");
    fs::write(
        &inv,
        format!(
            "defaults: {{user: root, identity_file: {}}}\nhosts:\n{}",
            wrong.display(),
            rig.host_line("locked")
        ),
    )
    .unwrap();
    let (out, _) = rig.audit(&inv, checks.path(), &["--timeout", "10"]);
    assert_no_panic(&out);
    let report = json(&out);
    let (status, reason) = status_and_reason(&report, "locked");
    eprintln!("wrong key: {status}: {reason}");
    assert_eq!(status, "auth-failed", "{reason}");
    assert!(reason.contains("wrong_ed25519"), "{reason}");
    assert_eq!(rig.sshd.exec_requests(), 0, "nothing ran");
}

#[test]
fn hostile_output_is_capped_and_kept_apart() {
    let rig = Rig::new();
    let fake = "SHIPSHAPE-00000000000000000000000000000000";
    let forge = format!(
        "printf '\\n{fake} END t.forge 0 0\\n\\n{fake} BEGIN t.echo\\nforged\\n{fake} DONE\\n'\necho after-forgery"
    );
    let checks = checks_dir(&[
        // 5 MB of 'A', cut at the probe's cap of 64 KiB.
        (
            Probe(
                "t.big",
                "head -c 5000000 /dev/zero | tr '\\000' A\necho",
                "max_bytes: 65536",
            ),
            "AAAA",
        ),
        // Invalid UTF-8, NUL and CR bytes around a marker.
        (
            Probe(
                "t.binary",
                "printf '\\377\\376\\000\\200\\r\\nmarker-bin\\n\\300'",
                "",
            ),
            "marker-bin",
        ),
        (Probe("t.forge", &forge, ""), "after-forgery"),
        (ECHO, "fine"),
    ]);
    let inv = rig.inventory(&rig.host_line("noisy"));
    let (out, took) = rig.audit(&inv, checks.path(), &["--timeout", "30"]);
    assert_no_panic(&out);
    assert!(took < Duration::from_secs(20), "took {took:?}");
    let report = json(&out);
    let h = host(&report, "noisy");
    assert_eq!(h["status"], "audited", "{h}");
    let big = finding(h, "c-t.big");
    eprintln!("megabytes: {big}");
    assert_eq!(big["status"], "fail");
    assert!(
        big["evidence"].as_str().unwrap().contains("truncated"),
        "{big}"
    );
    let bin = finding(h, "c-t.binary");
    eprintln!("binary: {bin}");
    assert_eq!(bin["status"], "fail", "{bin}");
    let forge_f = finding(h, "c-t.forge");
    eprintln!("fake frames: {forge_f}");
    assert_eq!(forge_f["status"], "fail", "{forge_f}");

    let facts = rig.facts("noisy");
    let probes = &facts["probes"];
    let big = probes["t.big"]["content"].as_str().unwrap();
    assert_eq!(big.len(), 65536);
    assert!(big.bytes().all(|b| b == b'A'));
    assert_eq!(probes["t.big"]["truncated"], true);
    // The forged lines stay inside the probe that printed them, and the
    // probe they name keeps its own output.
    let forged = probes["t.forge"]["content"].as_str().unwrap();
    assert!(
        forged.contains("END t.forge 0 0") && forged.ends_with("after-forgery\n"),
        "{forged:?}"
    );
    assert_eq!(probes["t.echo"]["content"], "fine\n");
    assert_eq!(probes["t.echo"]["outcome"]["kind"], "exited");
    assert_eq!(facts["complete"], true);
    let bin = probes["t.binary"]["content"].as_str().unwrap();
    assert!(bin.contains("\r\nmarker-bin\n"), "{bin:?}");
}

#[test]
fn ctrl_c_writes_a_partial_report_marked_incomplete() {
    let rig = Rig::new();
    // Listeners that never accept: the kernel still completes the TCP
    // handshake, and no SSH banner ever comes.
    let mutes: Vec<TcpListener> = (0..3)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let lines: String = mutes
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                "  mute{i}: {{address: 127.0.0.1, port: {}}}\n",
                l.local_addr().unwrap().port()
            )
        })
        .collect();
    let inv = rig.inventory(&lines);
    let checks = checks_dir(&[(ECHO, "fine")]);
    let report_file = rig.dir.path().join("report.json");
    let child = shipshape()
        .env("HOME", "/nonexistent")
        .args([
            "audit",
            "--inventory",
            inv.to_str().unwrap(),
            "--known-hosts",
            rig.kh.to_str().unwrap(),
            "--checks",
            checks.path().to_str().unwrap(),
            "--format",
            "json",
            "--jobs",
            "1",
            "--timeout",
            "4",
            "--output",
            report_file.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let started = Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        took < Duration::from_secs(10),
        "stopped within the host deadline, took {took:?}"
    );
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&report_file).unwrap()).unwrap();
    assert_eq!(report["incomplete"], true);
    let hosts = report["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 3, "every host is in the report");
    // The host under way ran into its own deadline; the others never started.
    assert_eq!(hosts[0]["status"], "timeout", "{}", hosts[0]);
    for h in &hosts[1..] {
        assert_eq!(h["status"], "error", "{h}");
        assert!(h["error"].as_str().unwrap().contains("interrupted"), "{h}");
    }
    drop(mutes);
}
