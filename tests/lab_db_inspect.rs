//! `--inspect-databases` against the lab's real MariaDB: legacy's config.php
//! holds the booking database's credentials, its `members` table keeps
//! passwords as typed and `staff` bcrypt hashes. Without the flag the audit
//! never connects to the database (MariaDB's own connection counter says
//! so). Needs the lab: run `bash tests/run.sh`.

mod common;

use common::*;

const LEGACY: &str = "10.203.0.11";

/// MariaDB's count of connection attempts on legacy (this query is one).
fn connections() -> u64 {
    root_ssh(
        LEGACY,
        "mariadb -u root -N -B -e \"SHOW GLOBAL STATUS LIKE 'Connections'\"",
    )
    .split_whitespace()
    .nth(1)
    .and_then(|n| n.parse().ok())
    .expect("a number")
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn plaintext_member_passwords_fail_masked_and_only_on_request() {
    let _lab = lab_lock();
    require_lab();

    // Only this check (the audit is quick and nothing else logs in).
    let mut profile = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(
        &mut profile,
        b"name: db\ndescription: database inspection only\nselect: {checks: [plaintext-db-passwords]}\nparams: {inspect_databases: allowed}\n",
    )
    .unwrap();
    let profile = profile.path().to_str().unwrap().to_string();

    // Off by default: skip, and not one connection to the database.
    let before = connections();
    let out = lab_audit(&["--format", "json", "--profile", &profile]);
    let after = connections();
    let report = json(&out);
    let f = finding(host(&report, "legacy"), "plaintext-db-passwords");
    assert_eq!(f["status"], "skip", "{f}");
    assert!(
        f["evidence"]
            .as_str()
            .unwrap()
            .contains("--inspect-databases"),
        "{f}"
    );
    assert_eq!(
        after,
        before + 1,
        "the audit without --inspect-databases connected to MariaDB"
    );

    // With the flag: legacy fails, values masked; hosts without credentials skip.
    let before = connections();
    let out = lab_audit(&[
        "--format",
        "json",
        "--profile",
        &profile,
        "--inspect-databases",
    ]);
    let after = connections();
    assert!(after > before + 1, "the inspection reached MariaDB");
    let report = json(&out);
    let f = finding(host(&report, "legacy"), "plaintext-db-passwords");
    assert_eq!(f["status"], "fail", "{f}");
    assert_eq!(f["category"], "plaintext-credential");
    let ev = f["evidence"].as_str().unwrap();
    for part in [
        "booking.members.password: 3 of 3 values are not hashes",
        "f*******6 (9 chars)",
        "booking.staff.pass_hash (2 values, all hashed)",
        "booking@db.seaways.example.jp/booking (credentials from /usr/local/apache2/htdocs/config.php)",
    ] {
        assert!(ev.contains(part), "lacks {part:?}: {ev}");
    }
    for h in ["clean", "ftp2"] {
        let f = finding(host(&report, h), "plaintext-db-passwords");
        assert_eq!(f["status"], "skip", "{h}: {f}");
    }
    // No stored or connection password reaches the report.
    let text = String::from_utf8_lossy(&out.stdout);
    for secret in [
        "ferry2016",
        "Umi-no-hi77",
        "sato1985",
        "Seaways2017db",
        "$2y$10$",
    ] {
        assert!(!text.contains(secret), "{secret} appears in the report");
    }
}
