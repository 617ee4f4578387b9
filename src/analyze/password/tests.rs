//! The analyzers on captured fixtures (tests/fixtures/password/).

use super::*;
use crate::analyze::testkit::{self, today};
use crate::facts::Facts;

const DEB_SHADOW: &str = include_str!("../../../tests/fixtures/password/debian12-shadow");
const DEB_PASSWD: &str = include_str!("../../../tests/fixtures/password/debian12-passwd");
const WEAK_SHADOW: &str = include_str!("../../../tests/fixtures/password/debian12-weak-shadow");
const WEAK_PASSWD: &str = include_str!("../../../tests/fixtures/password/debian12-weak-passwd");
const RHEL_SHADOW: &str = include_str!("../../../tests/fixtures/password/rhel7-shadow");
const RHEL_PASSWD: &str = include_str!("../../../tests/fixtures/password/rhel7-passwd");
const DEB_PAM_PROBE: &str = include_str!("../../../tests/fixtures/password/probe-pam-debian12.txt");
const DEB_PWQ: &str =
    include_str!("../../../tests/fixtures/password/debian12-common-password-pwquality");
const RHEL_AUTH: &str = include_str!("../../../tests/fixtures/password/rhel7-system-auth");
const RHEL_CONF: &str = include_str!("../../../tests/fixtures/password/rhel7-pwquality.conf");

fn seaways_params(budget: f64) -> Params {
    let mut p = Params::new();
    p.insert("domain".into(), serde_json::json!("seaways.example.jp"));
    p.insert(
        "organization".into(),
        serde_json::json!(["seaways", "Seaways Ferry"]),
    );
    p.insert("password_budget_secs".into(), serde_json::json!(budget));
    p.insert("password_threads".into(), serde_json::json!(2));
    p
}

fn run(a: &dyn Analyzer, facts: &Facts, params: &Params) -> Verdict {
    testkit::verdict(a, facts, &Params::new(), params)
}

/// Only the shadow lines of these users (each hash is searched by one
/// test only: the cache is process-wide).
fn lines_of(text: &str, users: &[&str]) -> String {
    text.lines()
        .filter(|l| users.iter().any(|u| l.starts_with(&format!("{u}:"))))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn system_lines(text: &str) -> String {
    text.lines()
        .filter(|l| {
            l.split(':')
                .nth(1)
                .is_some_and(|f| !f.starts_with('$') && !f.is_empty())
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn the_domain_derived_password_is_guessed_and_never_shown() {
    let shadow = format!(
        "{}{}",
        system_lines(DEB_SHADOW),
        lines_of(DEB_SHADOW, &["seaways"])
    );
    let facts = Facts::from_texts([
        (SHADOW_PROBE, shadow.as_str()),
        (PASSWD_PROBE, DEB_PASSWD),
        (HOSTNAME_PROBE, "legacy\nlegacy\n"),
    ]);
    let v = run(&PasswordGuessable, &facts, &seaways_params(60.0));
    assert_eq!(v.status, Status::Fail, "{}", v.evidence);
    assert!(
        v.evidence.starts_with(
            "account seaways: password guessed offline (S*********7, 11 chars, derived from \"seaways\" + year; yescrypt)"
        ),
        "{}",
        v.evidence
    );
    assert!(
        v.evidence.contains("domain seaways.example.jp"),
        "{}",
        v.evidence
    );
    assert!(v.evidence.contains("host legacy;"), "{}", v.evidence);
    for shown in [v.evidence.clone(), format!("{v:?}")] {
        assert!(!shown.contains("Seaways2017"));
    }
}

#[test]
fn a_random_password_is_not_guessed_within_the_budget() {
    let shadow = format!(
        "{}{}",
        system_lines(DEB_SHADOW),
        lines_of(DEB_SHADOW, &["auditor"])
    );
    let facts = Facts::from_texts([
        (SHADOW_PROBE, shadow.as_str()),
        (PASSWD_PROBE, DEB_PASSWD),
        (HOSTNAME_PROBE, "clean\n"),
    ]);
    let v = run(&PasswordGuessable, &facts, &seaways_params(1.0));
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    assert!(
        v.evidence.starts_with("account auditor: not guessed ("),
        "{}",
        v.evidence
    );
    assert!(
        v.evidence.contains("budget reached; yescrypt)"),
        "{}",
        v.evidence
    );
}

#[test]
fn rhel_sha512_and_md5_hashes_are_guessed() {
    let facts = Facts::from_texts([
        (SHADOW_PROBE, RHEL_SHADOW),
        (PASSWD_PROBE, RHEL_PASSWD),
        (HOSTNAME_PROBE, "www1.seaways.example.jp\n"),
    ]);
    let v = run(&PasswordGuessable, &facts, &seaways_params(3.0));
    assert_eq!(v.status, Status::Fail, "{}", v.evidence);
    let ev = &v.evidence;
    assert!(ev.contains("account seaways: password guessed offline (S*********7, 11 chars, derived from \"seaways\" + year; sha512crypt)"), "{ev}");
    assert!(ev.contains("account ftpadmin: password guessed offline (s********3, 10 chars, derived from \"seaways\" + \"123\"; md5crypt)"), "{ev}");
    assert!(ev.contains("account root: not guessed ("), "{ev}");
    assert!(ev.contains("host www1.seaways.example.jp"), "{ev}");
    assert!(!ev.contains("Seaways2017") && !ev.contains("seaways123"));
}

#[test]
fn unsupported_schemes_are_skipped_never_passed() {
    // DES for legacyftp; md5crypt "S3aw4ys!" for backupop (leetspeak + "!").
    let shadow = format!(
        "{}{}",
        system_lines(WEAK_SHADOW),
        lines_of(WEAK_SHADOW, &["legacyftp", "backupop"])
    );
    let facts = Facts::from_texts([(SHADOW_PROBE, shadow.as_str()), (PASSWD_PROBE, WEAK_PASSWD)]);
    let v = run(&PasswordGuessable, &facts, &seaways_params(20.0));
    assert_eq!(v.status, Status::Fail, "{}", v.evidence);
    assert!(v.evidence.contains("account backupop: password guessed offline (S******!, 8 chars, derived from \"seaways\", leetspeak + \"!\"; md5crypt)"), "{}", v.evidence);
    assert!(
        v.evidence.contains(
            "account legacyftp: not checked (DES crypt hashes are not verified by shipshape)"
        ),
        "{}",
        v.evidence
    );

    let only_des = format!(
        "{}{}",
        system_lines(WEAK_SHADOW),
        lines_of(WEAK_SHADOW, &["legacyftp"])
    );
    let facts = Facts::from_texts([
        (SHADOW_PROBE, only_des.as_str()),
        (PASSWD_PROBE, WEAK_PASSWD),
    ]);
    let v = run(&PasswordGuessable, &facts, &seaways_params(20.0));
    assert_eq!(v.status, Status::Skip, "{}", v.evidence);
}

#[test]
fn without_root_the_shadow_checks_skip_with_the_reason() {
    let mut facts = Facts::from_texts([(SHADOW_PROBE, ""), (PASSWD_PROBE, DEB_PASSWD)]);
    facts.probes.get_mut(SHADOW_PROBE).unwrap().outcome = ProbeOutcome::NeedsRoot;
    for a in [
        &PasswordGuessable as &dyn Analyzer,
        &PasswordEmpty,
        &PasswordWeakHash,
    ] {
        let v = run(a, &facts, &seaways_params(1.0));
        assert_eq!(v.status, Status::Skip, "{}: {}", a.name(), v.evidence);
        assert!(v.evidence.contains("needs root"), "{}", v.evidence);
    }
    // An unreadable file is an error, not a pass.
    let mut facts = Facts::from_texts([(SHADOW_PROBE, "cut: /etc/shadow: Permission denied\n")]);
    facts.probes.get_mut(SHADOW_PROBE).unwrap().outcome = ProbeOutcome::Exited(1);
    let v = run(&PasswordGuessable, &facts, &seaways_params(1.0));
    assert_eq!(v.status, Status::Error);
    assert!(v.evidence.contains("Permission denied"), "{}", v.evidence);
}

#[test]
fn empty_passwords_weak_hashes_and_second_roots() {
    let facts = Facts::from_texts([
        (SHADOW_PROBE, WEAK_SHADOW),
        (PASSWD_PROBE, WEAK_PASSWD),
        (PAM_PROBE, DEB_PAM_PROBE),
    ]);
    let p = Params::new();
    let v = run(&PasswordEmpty, &facts, &p);
    assert_eq!(v.status, Status::Fail);
    assert!(
        v.evidence
            .starts_with("account guest: empty password field in /etc/shadow"),
        "{}",
        v.evidence
    );

    let v = run(&PasswordWeakHash, &facts, &p);
    assert_eq!(v.status, Status::Fail);
    assert_eq!(
        v.evidence,
        "account legacyftp: DES crypt, passwords cut to 8 characters; account backupop: md5crypt"
    );

    let v = run(&Uid0Duplicate, &facts, &p);
    assert_eq!(v.status, Status::Fail);
    assert_eq!(
        v.evidence,
        "UID 0 also belongs to: toor (/etc/passwd line 28, shell /bin/bash)"
    );

    let clean = Facts::from_texts([
        (SHADOW_PROBE, DEB_SHADOW),
        (PASSWD_PROBE, DEB_PASSWD),
        (PAM_PROBE, DEB_PAM_PROBE),
    ]);
    let v = run(&PasswordEmpty, &clean, &p);
    assert_eq!(
        (v.status, v.evidence.as_str()),
        (
            Status::Pass,
            "no account has an empty password field (23 accounts)"
        )
    );
    let v = run(&PasswordWeakHash, &clean, &p);
    assert_eq!(v.status, Status::Pass);
    assert_eq!(
        v.evidence,
        "3 password hashes, none weak (yescrypt 3); new passwords: yescrypt (pam_unix in /etc/pam.d/common-password)"
    );
    let v = run(&Uid0Duplicate, &clean, &p);
    assert_eq!(
        (v.status, v.evidence.as_str()),
        (Status::Pass, "only root has UID 0 (23 accounts)")
    );
}

#[test]
fn an_empty_field_in_passwd_fails_even_without_root() {
    let mut facts = Facts::from_texts([
        (SHADOW_PROBE, ""),
        (
            PASSWD_PROBE,
            "root:x:0:0:root:/root:/bin/bash\nkiosk::1001:1001::/home/kiosk:/bin/sh\n",
        ),
    ]);
    facts.probes.get_mut(SHADOW_PROBE).unwrap().outcome = ProbeOutcome::NeedsRoot;
    let v = run(&PasswordEmpty, &facts, &Params::new());
    assert_eq!(v.status, Status::Fail);
    assert!(v
        .evidence
        .contains("account kiosk: empty password field in /etc/passwd"));
}

#[test]
fn the_quality_policy_on_debian_and_rhel() {
    let p = Params::new();
    let stock = Facts::from_texts([(PAM_PROBE, DEB_PAM_PROBE)]);
    let v = run(&PasswordQualityPolicy, &stock, &p);
    assert_eq!(v.status, Status::Fail);
    assert!(
        v.evidence
            .starts_with("/etc/pam.d/common-password: pam_unix accepts passwords of 6 characters"),
        "{}",
        v.evidence
    );
    assert!(
        v.evidence.contains("at least 12 characters"),
        "{}",
        v.evidence
    );

    let hardened = format!(
        "==> /etc/pam.d/common-password <==\n{DEB_PWQ}==> /etc/security/pwquality.conf.d/50-site.conf <==\nminlen = 14\nenforce_for_root\n"
    );
    let v = run(
        &PasswordQualityPolicy,
        &Facts::from_texts([(PAM_PROBE, hardened.as_str())]),
        &p,
    );
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    // The profile can ask for more.
    let mut strict = Params::new();
    strict.insert("password_min_length".into(), serde_json::json!(16));
    let v = run(
        &PasswordQualityPolicy,
        &Facts::from_texts([(PAM_PROBE, hardened.as_str())]),
        &strict,
    );
    assert_eq!(v.status, Status::Fail, "{}", v.evidence);

    let rhel = format!(
        "==> /etc/pam.d/system-auth <==\n{RHEL_AUTH}==> /etc/security/pwquality.conf <==\n{RHEL_CONF}"
    );
    let v = run(
        &PasswordQualityPolicy,
        &Facts::from_texts([(PAM_PROBE, rhel.as_str())]),
        &p,
    );
    assert_eq!(v.status, Status::Fail);
    assert!(
        v.evidence
            .contains("pam_pwquality accepts passwords of 5 characters"),
        "{}",
        v.evidence
    );

    let none = Facts::from_texts([(PAM_PROBE, "")]);
    assert_eq!(run(&PasswordQualityPolicy, &none, &p).status, Status::Skip);
}

#[test]
fn bad_parameters_are_errors_and_zero_budget_skips() {
    let facts = Facts::from_texts([(SHADOW_PROBE, RHEL_SHADOW), (PASSWD_PROBE, RHEL_PASSWD)]);
    let mut p = seaways_params(1.0);
    p.insert("password_budget_secs".into(), serde_json::json!("soon"));
    let v = run(&PasswordGuessable, &facts, &p);
    assert_eq!(v.status, Status::Error);
    assert!(v.evidence.contains("password_budget_secs"));
    let v = run(&PasswordGuessable, &facts, &seaways_params(0.0));
    assert_eq!(v.status, Status::Skip);
    assert!(PasswordGuessable.validate(&Params::new()).is_ok());
    let mut with = Params::new();
    with.insert("min_length".into(), serde_json::json!(14));
    assert!(PasswordQualityPolicy.validate(&with).is_ok());
    with.insert("max".into(), serde_json::json!(1));
    assert!(PasswordQualityPolicy.validate(&with).is_err());
    assert!(PasswordEmpty.validate(&with).is_err());
}

#[test]
fn context_from_params() {
    let c = PasswordContext::from_params(&seaways_params(1.0), today());
    assert_eq!(c.domain.as_deref(), Some("seaways.example.jp"));
    assert_eq!(c.organization, ["seaways", "Seaways Ferry"]);
    let mut p = Params::new();
    p.insert("domain".into(), serde_json::json!(""));
    p.insert("organization".into(), serde_json::json!("Kyushu Shosen"));
    let c = PasswordContext::from_params(&p, today());
    assert_eq!(c.domain, None);
    assert_eq!(c.organization, ["Kyushu Shosen"]);
}
