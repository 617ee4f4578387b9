//! Secrets never appear: the lab's planted passwords (the FTP account's,
//! the database password in config.php, .bash_history, root's crontab and
//! Apache's SetEnv, the backup password in a MySQL option file, the auditor's SSH
//! password, ftp2's random FTP password, clean's random database password
//! in /var/www/.env) are never printed by an audit, in
//! any report format, nor written by --save-facts; and the SSH password
//! given in SHIPSHAPE_PASSWORD never shows in a process's arguments, on the
//! auditor or on the target. Needs the lab: run `bash tests/run.sh`.
//!
//! On the target, the arguments are watched by a separate root SSH session
//! that samples `ps -eo user,pid,args` every 50 ms while the audit runs
//! (and must see the audit's own `sh -s`, so we know it watched the right
//! moment); the host's sshd log is searched too.

mod common;

use common::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FTP2: &str = "10.203.0.13";
const CLEAN: &str = "10.203.0.12";
const AUDITOR_PW: &str = "Lab-auditor-pw-7";

/// Every planted secret. `Seaways2017` is also a prefix of the database
/// password, so a cut-off database password is caught too.
fn secrets() -> Vec<String> {
    let ftp = root_ssh(FTP2, "cat /run/lab/ftpuser.password")
        .trim()
        .to_string();
    assert_eq!(ftp.len(), 32, "ftp2's random FTP password");
    let db = root_ssh(CLEAN, "sed -n 's/^DB_PASSWORD=//p' /var/www/.env")
        .trim()
        .to_string();
    assert_eq!(db.len(), 32, "clean's random database password");
    vec![
        "Seaways2017".into(),
        "Seaways2017db".into(),
        "Nightly-Dump-2017".into(),
        AUDITOR_PW.into(),
        ftp,
        db,
    ]
}

fn assert_clean(what: &str, bytes: &[u8], secrets: &[String]) {
    let text = String::from_utf8_lossy(bytes);
    for s in secrets {
        assert!(
            !text.contains(s.as_str()),
            "{what} contains the secret {s:?}"
        );
    }
}

/// Every file under `dir` must be free of the secrets; returns how many
/// files there were.
fn assert_dir_clean(dir: &Path, secrets: &[String]) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let bytes = std::fs::read(e.path()).unwrap();
        assert_clean(&e.path().display().to_string(), &bytes, secrets);
        n += 1;
    }
    n
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn planted_passwords_never_appear_in_reports_or_saved_facts() {
    let _lab = lab_lock();
    require_lab();
    let secrets = secrets();
    for format in ["table", "json"] {
        let dir = tempfile::tempdir().unwrap();
        let facts = dir.path().join("facts");
        let report = dir.path().join("report");
        let out = lab_audit(&["--format", format, "--save-facts", facts.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "the lab has failing findings");
        assert_clean(&format!("{format} stdout"), &out.stdout, &secrets);
        assert_clean(&format!("{format} stderr"), &out.stderr, &secrets);
        let text = String::from_utf8_lossy(&out.stdout);
        // The audit did find the secrets (so the test means something)...
        if format == "json" {
            let r = json(&out);
            let legacy = host(&r, "legacy");
            assert_eq!(legacy["status"], "audited");
            assert_eq!(finding(legacy, "password-guessable")["status"], "fail");
            assert_eq!(
                finding(legacy, "plaintext-app-credentials")["status"],
                "fail"
            );
            assert_eq!(host(&r, "ftp2")["status"], "audited");
        } else {
            assert!(text.contains("Summary: 3 of 3 hosts audited"), "{text}");
        }
        // ...and wrote facts for every host, none holding a secret.
        assert_eq!(assert_dir_clean(&facts, &secrets), 3, "{format}");
        // Probes that are not `sensitive` read files with secrets too:
        // legacy's Apache config (SetEnv), MySQL option file and root's
        // crontab. Their lines are saved, with the values masked.
        let saved = std::fs::read_to_string(facts.join("legacy.facts.json")).unwrap();
        for masked in [
            "|SetEnv DB_PASSWORD S***********b",
            "|    php_admin_value mysqli.default_pw S***********b",
            "|password=N***************7",
            "mysqldump -h db.seaways.example.jp -u booking -pS***********b booking",
        ] {
            assert!(
                saved.contains(masked),
                "{format}: {masked:?} not in the saved facts"
            );
        }
        // The same report written with --output, with every other format
        // of the same run beside it.
        let others: Vec<(&str, std::path::PathBuf)> = ["junit", "sarif", "html", "markdown"]
            .iter()
            .map(|f| (*f, dir.path().join(format!("report.{f}"))))
            .collect();
        let mut args = vec![
            "--format".to_string(),
            format.to_string(),
            "--profile".to_string(),
            "compliance".to_string(),
            "--output".to_string(),
            report.to_str().unwrap().to_string(),
        ];
        for (f, path) in &others {
            args.push("--output".into());
            args.push(format!("{f}={}", path.display()));
        }
        let out = lab_audit(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(out.status.code(), Some(1));
        assert_clean(
            "--output report",
            &std::fs::read(&report).unwrap(),
            &secrets,
        );
        for (f, path) in &others {
            let written = std::fs::read(path).unwrap();
            assert!(written.len() > 1000, "{f} report written");
            assert_clean(
                &format!("--output {f}={}", path.display()),
                &written,
                &secrets,
            );
        }
        assert_clean("stdout with --output", &out.stdout, &secrets);
        assert_clean("stderr with --output", &out.stderr, &secrets);
    }
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn the_ssh_password_stays_out_of_output_and_process_arguments() {
    let _lab = lab_lock();
    require_lab();
    let secrets = secrets();
    let kh = known_hosts();
    let dir = tempfile::tempdir().unwrap();
    for format in ["table", "json"] {
        let facts = dir.path().join(format!("facts-{format}"));

        // A root session on the target that lists every process's
        // arguments every 50 ms until told to stop (a file appears).
        let stop = format!("/tmp/shipshape-ps-stop-{}-{format}", std::process::id());
        let sampler_cmd = format!(
            "rm -f {stop}; i=0; while [ ! -e {stop} ] && [ $i -lt 1200 ]; do \
             ps -eo user,pid,args; echo ---; sleep 0.05; i=$((i+1)); done; rm -f {stop}"
        );
        let sampler = Command::new("ssh")
            .arg("-i")
            .arg(key("id_ed25519"))
            .arg("-o")
            .arg(format!("UserKnownHostsFile={}", kh.display()))
            .args(["-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes"])
            .arg(format!("root@{CLEAN}"))
            .arg(&sampler_cmd)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Let the sampler start before the audit does.
        std::thread::sleep(Duration::from_millis(700));

        let child = shipshape()
            .env("SHIPSHAPE_PASSWORD", AUDITOR_PW)
            .env("HOME", "/nonexistent")
            .args([
                "audit",
                &format!("auditor@{CLEAN}"),
                "--known-hosts",
                kh.to_str().unwrap(),
                "--audit-date",
                AUDIT_DATE,
                "--format",
                format,
                "--save-facts",
                facts.to_str().unwrap(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The running shipshape's own arguments, read while it runs.
        // (Right after fork it may still be this test's; wait for the exec.)
        let until = Instant::now() + Duration::from_secs(5);
        let cmdline = loop {
            let c = std::fs::read(format!("/proc/{}/cmdline", child.id())).unwrap_or_default();
            if String::from_utf8_lossy(&c).contains("auditor@") || Instant::now() > until {
                break c;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        assert!(
            String::from_utf8_lossy(&cmdline).contains("auditor@"),
            "could not read the running shipshape's cmdline"
        );
        assert_clean("shipshape's /proc/PID/cmdline", &cmdline, &secrets);
        let started = Instant::now();
        let out = child.wait_with_output().unwrap();
        eprintln!(
            "--- stdout\n{}\n--- stderr\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(started.elapsed() < Duration::from_secs(60));
        root_ssh(CLEAN, &format!("touch {stop}"));
        let sampled = sampler.wait_with_output().unwrap();
        let ps = String::from_utf8_lossy(&sampled.stdout);

        assert!(matches!(out.status.code(), Some(0 | 1)), "{:?}", out.status);
        assert_clean(&format!("{format} stdout"), &out.stdout, &secrets);
        assert_clean(&format!("{format} stderr"), &out.stderr, &secrets);
        if format == "json" {
            assert_eq!(host(&json(&out), CLEAN)["status"], "audited");
        } else {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("Summary: 1 of 1 hosts audited"), "{text}");
        }
        assert_eq!(assert_dir_clean(&facts, &secrets), 1);

        // The sampler saw the audit's script running as auditor...
        assert!(
            ps.lines()
                .any(|l| l.starts_with("auditor ") && l.contains("sh -s")),
            "the ps sampler did not see the audit running:\n{ps}"
        );
        // ...and no process on the target ever had the password in its
        // arguments.
        assert_clean("ps on the target", &sampled.stdout, &secrets);
    }
    // Nor did the target's sshd log it (DEBUG1).
    let log = std::fs::read(Path::new(LAB_DIR).join("logs/clean-sshd.log")).unwrap();
    assert_clean("clean's sshd log", &log, &secrets);
}
