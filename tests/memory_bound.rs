//! Memory stays bounded whatever a host sends. A throwaway sshd plays two
//! targets: an honest one whose probes print hundreds of megabytes or never
//! stop (capped on the target by the script), and a hostile one whose
//! `sh` is replaced (ForceCommand): it reads the run's boundary from the
//! script it is fed, forges frames for the probes with megabytes of NUL
//! bytes each, then streams zeros forever. shipshape's peak RSS, read by
//! wait4(2) when it exits, must stay under the bound documented in the
//! README ("Memory"): the 64 MiB transport cap per host, plus the probes'
//! own copies (each at most its max_bytes), plus the program.

mod common;
#[path = "support/sshd.rs"]
mod sshd;

use common::*;
use sshd::{keygen, Sshd, SshdConfig};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

const MIB: u64 = 1024 * 1024;
/// The bound for one host: the transport's 64 MiB cap, the same again for
/// the probes' parsed copies (held together only while parsing), and
/// 32 MiB for the program and its buffers. Measured: 140 MiB hostile,
/// 85 MiB honest (523 and 150 MiB before the raw output was freed after
/// parsing and saved facts were streamed).
const BOUND: u64 = 160 * MIB;

/// Probes that each keep up to 16 MiB (the largest max_bytes allowed).
fn checks(dir: &Path, probes: &[(&str, &str)]) {
    let mut y = String::from("probes:\n");
    for (id, sh) in probes {
        y.push_str(&format!(
            "  - id: {id}\n    description: t\n    timeout: 10\n    max_bytes: 16777216\n    sh: {}\n",
            serde_json::to_string(sh).unwrap()
        ));
    }
    y.push_str("checks:\n");
    for (id, _) in probes {
        y.push_str(&format!(
            "  - id: c-{id}\n    title: t\n    category: outdated-software\n    countermeasure: 4\n    severity: low\n    rationale: r\n    remediation: m\n    fail_if: {{probe: {id}, contains: A}}\n"
        ));
    }
    fs::write(dir.join("t.yml"), y).unwrap();
}

struct Run {
    peak: u64,
    took: Duration,
    report: serde_json::Value,
}

/// Run shipshape against `sshd`, wait for it with wait4(2) and return its
/// peak resident set size.
#[allow(clippy::zombie_processes)] // reaped by wait4, which std cannot do
fn audit(sshd: &Sshd, dir: &Path, checks_dir: &Path) -> Run {
    let key = dir.join("id_ed25519");
    if !key.exists() {
        keygen(&key, "ed25519", "");
    }
    sshd.authorize(&key.with_extension("pub"));
    let kh = dir.join("known_hosts");
    fs::write(&kh, sshd.known_hosts_line("ed25519")).unwrap();
    let out = dir.join("report.json");
    let err = dir.join("stderr.txt");
    let started = Instant::now();
    let child = shipshape()
        .env("HOME", "/nonexistent")
        .args(["audit", &format!("root@127.0.0.1:{}", sshd.port)])
        .args(["--identity", key.to_str().unwrap()])
        .args(["--known-hosts", kh.to_str().unwrap()])
        .args(["--checks", checks_dir.to_str().unwrap()])
        .args(["--format", "json", "--timeout", "60"])
        .args(["--save-facts", dir.join("facts").to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out).unwrap())
        .stderr(fs::File::create(&err).unwrap())
        .spawn()
        .expect("shipshape starts");
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; status and usage are valid pointers.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4 failed");
    let took = started.elapsed();
    let stderr = fs::read_to_string(&err).unwrap();
    eprintln!("--- stderr\n{stderr}");
    assert!(!stderr.contains("panicked"), "shipshape panicked");
    assert!(libc::WIFEXITED(status), "shipshape was killed: {status}");
    let report = serde_json::from_str(&fs::read_to_string(&out).unwrap()).expect("a JSON report");
    Run {
        peak: usage.ru_maxrss as u64 * 1024, // KiB on Linux
        took,
        report,
    }
}

#[test]
fn huge_and_endless_probe_output_keeps_memory_bounded() {
    let sshd = Sshd::start(SshdConfig::default());
    let dir = tempfile::tempdir().unwrap();
    checks(
        dir.path(),
        &[
            // 300 MB from one probe, cut to 16 MiB on the target.
            ("t.huge", "head -c 300000000 /dev/zero | tr '\\000' A"),
            // Output that never ends, stopped by the cap (then SIGPIPE).
            ("t.endless", "yes AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            // Never ends, slowly: the target's timeout stops it.
            ("t.slow", "while :; do echo A; sleep 1; done"),
        ],
    );
    let run = audit(&sshd, dir.path(), dir.path());
    let h = &run.report["hosts"][0];
    eprintln!(
        "honest host: peak RSS {:.1} MiB in {:?}",
        run.peak as f64 / MIB as f64,
        run.took
    );
    assert_eq!(h["status"], "audited", "{h}");
    for id in ["t.huge", "t.endless"] {
        let f = finding(h, &format!("c-{id}"));
        assert_eq!(f["status"], "fail", "{f}");
        assert!(f["evidence"].as_str().unwrap().contains("truncated"), "{f}");
    }
    assert!(run.peak < BOUND, "peak RSS {} MiB", run.peak / MIB);
}

#[test]
fn a_hostile_host_streaming_forged_frames_forever_keeps_memory_bounded() {
    let dir = tempfile::tempdir().unwrap();
    // The target's "sh": learn the boundary from the script, forge a frame
    // per probe with 20 MB of NUL bytes (the costliest bytes to report as
    // JSON: six characters each), then zeros without end.
    let fake_sh = dir.path().join("hostile-sh");
    fs::write(
        &fake_sh,
        r#"#!/bin/sh
b=$(sed -n "s/^ss_b='\(.*\)'\$/\1/p")
for id in t.p1 t.p2 t.p3; do
  printf '\n%s BEGIN %s\n' "$b" "$id"
  head -c 20000000 /dev/zero
  printf '\n%s END %s 0 20000000\n' "$b" "$id"
done
printf '\n%s BEGIN t.p4\n' "$b"
exec cat /dev/zero
"#,
    )
    .unwrap();
    fs::set_permissions(&fake_sh, fs::Permissions::from_mode(0o755)).unwrap();
    let sshd = Sshd::start(SshdConfig {
        extra: vec![format!("ForceCommand {}", fake_sh.display())],
        ..SshdConfig::default()
    });
    checks(
        dir.path(),
        &[
            ("t.p1", "true"),
            ("t.p2", "true"),
            ("t.p3", "true"),
            ("t.p4", "true"),
        ],
    );
    let run = audit(&sshd, dir.path(), dir.path());
    let h = &run.report["hosts"][0];
    eprintln!(
        "hostile host: peak RSS {:.1} MiB in {:?}",
        run.peak as f64 / MIB as f64,
        run.took
    );
    assert_eq!(h["status"], "audited", "{h}");
    // The forged frames were cut at their cap, the endless one at the
    // transport's, and nothing was confused between probes.
    let p4 = finding(h, "c-t.p4");
    assert_eq!(p4["status"], "error", "{p4}");
    assert!(p4["evidence"].as_str().unwrap().contains("cut off"), "{p4}");
    for id in ["t.p1", "t.p2", "t.p3"] {
        let f = finding(h, &format!("c-{id}"));
        assert!(f["evidence"].as_str().unwrap().contains("truncated"), "{f}");
    }
    assert!(run.took < Duration::from_secs(60), "took {:?}", run.took);
    assert!(run.peak < BOUND, "peak RSS {} MiB", run.peak / MIB);
    for e in fs::read_dir(dir.path().join("facts")).unwrap() {
        let e = e.unwrap();
        eprintln!(
            "saved facts: {:?} {} MiB",
            e.file_name(),
            e.metadata().unwrap().len() / MIB
        );
    }
}
