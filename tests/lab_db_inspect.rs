//! `--inspect-databases` against the lab's real MariaDB: legacy's config.php
//! holds the booking database's credentials, its `members` table keeps
//! passwords as typed and `staff` bcrypt hashes; clean's /var/www/.env
//! (beside its web root) reaches a database that keeps bcrypt hashes only.
//! Without the flag the audit
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
    // clean: the credentials beside the web root (/var/www/.env) reach its
    // database, whose member passwords are bcrypt hashes.
    let f = finding(host(&report, "clean"), "plaintext-db-passwords");
    assert_eq!(f["status"], "pass", "{f}");
    let ev = f["evidence"].as_str().unwrap();
    for part in [
        "booking.members.password_hash (2 values, all hashed)",
        "booking_app@127.0.0.1/booking (credentials from /var/www/.env)",
    ] {
        assert!(ev.contains(part), "lacks {part:?}: {ev}");
    }
    // ftp2 has a database but no application credentials.
    let f = finding(host(&report, "ftp2"), "plaintext-db-passwords");
    assert_eq!(f["status"], "skip", "{f}");
    // No stored or connection password reaches the report.
    let text = String::from_utf8_lossy(&out.stdout);
    let clean_db = root_ssh("10.203.0.12", "sed -n 's/^DB_PASSWORD=//p' /var/www/.env")
        .trim()
        .to_string();
    assert_eq!(clean_db.len(), 32, "clean's database password");
    for secret in [
        "ferry2016",
        "Umi-no-hi77",
        "sato1985",
        "Seaways2017db",
        "$2y$10$",
        &clean_db,
    ] {
        assert!(!text.contains(secret), "{secret} appears in the report");
    }
}
