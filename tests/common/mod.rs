//! Shared helpers for integration tests that run the `shipshape` binary
//! against the lab (`tests/lab/lab.sh up`, started by `tests/run.sh`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const LAB_DIR: &str = "/var/tmp/shipshape-lab";
pub const LEGACY: &str = "10.203.0.11";
pub const CLEAN: &str = "10.203.0.12";
/// An address on the lab bridge where no host lives.
pub const NOBODY_HOME: &str = "10.203.0.99";
/// The date the lab expectations are written for.
pub const AUDIT_DATE: &str = "2026-11-22";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn inventory() -> PathBuf {
    repo().join("tests/lab/inventory.yml")
}

pub fn known_hosts() -> PathBuf {
    Path::new(LAB_DIR).join("known_hosts")
}

pub fn key(name: &str) -> PathBuf {
    Path::new(LAB_DIR).join("keys").join(name)
}

/// Panics with a clear message unless the lab is up. Lab traffic must only
/// go to our own bridge: without it, 10.203.0.0/24 could be routed away.
pub fn require_lab() {
    let out = Command::new("ip")
        .args(["-o", "-4", "addr", "show", "dev", "ssbr0"])
        .output()
        .expect("ip runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("10.203.0.1/24"),
        "the lab is not up (no ssbr0 with 10.203.0.1/24): run `bash tests/run.sh`, or `bash tests/lab/lab.sh up` first"
    );
    assert!(known_hosts().exists(), "the lab has no known_hosts file");
}

pub fn shipshape() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shipshape"));
    c.env_remove("SHIPSHAPE_PASSWORD")
        .env_remove("SSH_AUTH_SOCK")
        .env("NO_COLOR", "1")
        .current_dir(repo());
    c
}

pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("shipshape runs");
    eprintln!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("the report is JSON")
}

pub fn host<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["hosts"]
        .as_array()
        .expect("hosts is a list")
        .iter()
        .find(|h| h["name"] == name)
        .unwrap_or_else(|| panic!("no host {name} in the report"))
}

pub fn finding<'a>(host: &'a serde_json::Value, check: &str) -> &'a serde_json::Value {
    host["findings"]
        .as_array()
        .expect("findings is a list")
        .iter()
        .find(|f| f["check"] == check)
        .unwrap_or_else(|| panic!("no finding for {check} on {}", host["name"]))
}

/// How many exec requests a lab host's sshd has logged so far.
pub fn exec_requests(host: &str) -> usize {
    let log = Path::new(LAB_DIR)
        .join("logs")
        .join(format!("{host}-sshd.log"));
    std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("req exec"))
        .count()
}

/// Serialises lab tests: tests that count sshd log lines or change a lab
/// host must not see other tests' sessions. The mutex orders the tests of
/// one binary; the file lock orders test processes (several checkouts or
/// `cargo test` runs may share the one lab on a machine).
pub struct LabGuard {
    _file: std::fs::File,
    _guard: std::sync::MutexGuard<'static, ()>,
}

pub fn lab_lock() -> LabGuard {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    std::fs::create_dir_all(LAB_DIR).expect("create the lab directory");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(Path::new(LAB_DIR).join("tests.lock"))
        .expect("open the lab test lock");
    // File::lock is Rust 1.89; tests run on the current toolchain, the
    // library keeps its 1.85 MSRV.
    #[allow(clippy::incompatible_msrv)]
    file.lock().expect("take the lab test lock");
    LabGuard {
        _file: file,
        _guard: guard,
    }
}

/// Run `command` as root on a lab host with the system `ssh` (lab key,
/// the lab's known_hosts, strict checking); returns its stdout. For test
/// set-up and inspection only: it is one more SSH session on the host.
pub fn root_ssh(addr: &str, command: &str) -> String {
    let out = Command::new("ssh")
        .arg("-i")
        .arg(key("id_ed25519"))
        .arg("-o")
        .arg(format!("UserKnownHostsFile={}", known_hosts().display()))
        .args([
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=10",
        ])
        .arg(format!("root@{addr}"))
        .arg(command)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("ssh runs");
    assert!(
        out.status.success(),
        "ssh root@{addr} {command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `shipshape audit` of the lab inventory, checked against the lab's
/// known_hosts and judged as of [`AUDIT_DATE`], with `extra` arguments.
pub fn lab_audit(extra: &[&str]) -> Output {
    let inv = inventory();
    let kh = known_hosts();
    let mut args = vec![
        "audit",
        "--inventory",
        inv.to_str().expect("UTF-8 path"),
        "--known-hosts",
        kh.to_str().expect("UTF-8 path"),
        "--audit-date",
        AUDIT_DATE,
    ];
    args.extend_from_slice(extra);
    run(shipshape().args(&args))
}
