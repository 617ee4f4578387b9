//! The scheduled run of `docs/scheduled/`: the systemd service's ExecStart
//! (and the cron line, which must say the same) run twice against the lab,
//! with the unit's paths mapped to the lab and a temporary report directory.

mod common;

use common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn docs() -> PathBuf {
    repo().join("docs/scheduled")
}

/// The values of `key=` lines of a systemd unit.
fn unit_values(unit: &str, key: &str) -> Vec<String> {
    unit.lines()
        .filter_map(|l| l.trim().strip_prefix(&format!("{key}=")))
        .map(str::to_string)
        .collect()
}

/// ExecStart's words. The unit uses no quoting, `%` specifiers or `$`
/// variables, so splitting on spaces is exactly what systemd does with it.
fn exec_start() -> (Vec<String>, String) {
    let unit = std::fs::read_to_string(docs().join("shipshape-audit.service")).unwrap();
    let exec = unit_values(&unit, "ExecStart");
    assert_eq!(exec.len(), 1, "one ExecStart");
    assert!(
        !exec[0].contains(['"', '\'', '%', '$', '\\']),
        "plain words only: {}",
        exec[0]
    );
    let env = unit_values(&unit, "Environment");
    let bin = env
        .iter()
        .find_map(|e| e.strip_prefix("SHIPSHAPE="))
        .expect("Environment=SHIPSHAPE=...")
        .to_string();
    (
        exec[0].split_whitespace().map(str::to_string).collect(),
        bin,
    )
}

#[test]
fn the_cron_line_runs_the_same_command_as_the_service() {
    let (argv, bin) = exec_start();
    let cron = std::fs::read_to_string(docs().join("shipshape.cron")).unwrap();
    let line = cron
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .expect("a cron line");
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(words[5], "root", "an /etc/cron.d line names its user");
    assert_eq!(words[6], format!("SHIPSHAPE={bin}"));
    assert_eq!(
        words[7..],
        argv.iter().map(String::as_str).collect::<Vec<_>>()[..]
    );
    let timer = std::fs::read_to_string(docs().join("shipshape-audit.timer")).unwrap();
    assert_eq!(unit_values(&timer, "OnCalendar"), vec!["*-*-* 03:00:00"]);
    assert_eq!(words[..2], ["0", "3"], "cron runs at the timer's time");
}

/// Map the unit's install paths to the checkout, the lab and `reports`.
fn mapped(argv: &[String], reports: &Path) -> Vec<String> {
    argv.iter()
        .enumerate()
        .map(|(i, w)| {
            let to = match w.as_str() {
                _ if i == 0 => {
                    let name = Path::new(w).file_name().unwrap();
                    let script = docs().join(name);
                    assert!(script.exists(), "{} is in docs/scheduled", w);
                    script
                }
                "/var/lib/shipshape" => reports.to_path_buf(),
                "/etc/shipshape/inventory.yml" => inventory(),
                "/etc/shipshape/known_hosts" => known_hosts(),
                other => {
                    assert!(!other.starts_with('/'), "unmapped path {other}");
                    return other.to_string();
                }
            };
            to.to_str().unwrap().to_string()
        })
        .collect()
}

fn reports_in(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

#[test]
#[ignore = "needs the lab: bash tests/lab/lab.sh up"]
fn the_service_writes_dated_reports_and_a_drift_summary() {
    require_lab();
    let _lab = lab_lock();
    let (argv, _) = exec_start();
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("reports");
    let argv = mapped(&argv, &reports);
    let once = || {
        let out = run(std::process::Command::new(&argv[0])
            .args(&argv[1..])
            .env("SHIPSHAPE", env!("CARGO_BIN_EXE_shipshape"))
            .env("NO_COLOR", "1")
            .env_remove("SSH_AUTH_SOCK")
            .stdin(std::process::Stdio::null()));
        assert_eq!(
            out.status.code(),
            Some(1),
            "legacy fails: exit 1 for the unit"
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let first = once();
    assert!(first.contains("Summary: 3 of 3 hosts audited"), "{first}");
    assert!(!first.contains("Drift since"), "no baseline yet: {first}");
    let json1 = reports_in(&reports, "json");
    assert_eq!(json1.len(), 1);
    let name = json1[0].file_name().unwrap().to_str().unwrap().to_string();
    let dated = regex::Regex::new(r"^shipshape-\d{4}-\d\d-\d\dT\d{6}Z\.json$").unwrap();
    assert!(dated.is_match(&name), "{name}");
    let mode = std::fs::metadata(&json1[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "reports are private: {mode:o}");
    std::thread::sleep(std::time::Duration::from_millis(1100));

    let second = once();
    let json2 = reports_in(&reports, "json");
    let txt = reports_in(&reports, "txt");
    assert_eq!((json2.len(), txt.len()), (2, 2), "{json2:?} {txt:?}");
    let latest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json2[1]).unwrap()).unwrap();
    assert_eq!(latest["baseline"]["file"], json1[0].to_str().unwrap());
    let summary = std::fs::read_to_string(&txt[1]).unwrap();
    assert_eq!(summary, second, "the summary file is what the run printed");
    let drift = regex::Regex::new(&format!(
        r"Drift since {} \(\d{{4}}-\d\d-\d\d \d\d:\d\d UTC\): (\d+) new, (\d+) unchanged, (\d+) resolved",
        regex::escape(json1[0].to_str().unwrap())
    ))
    .unwrap();
    let caps = drift
        .captures(&summary)
        .unwrap_or_else(|| panic!("{summary}"));
    let n = |i: usize| caps[i].parse::<u64>().unwrap();
    assert_eq!(
        (n(1), n(2), n(3)),
        (
            latest["baseline"]["new"].as_u64().unwrap(),
            latest["baseline"]["unchanged"].as_u64().unwrap(),
            latest["baseline"]["resolved"].as_u64().unwrap()
        )
    );
    assert!(n(2) > 0, "legacy's findings are unchanged between the runs");
    assert!(
        summary.contains("legacy: audited") && summary.contains("; drift: "),
        "{summary}"
    );
}
