//! Authoring commands: `validate` (one test per kind of problem), `explain`,
//! `list-checks --category/--profile/--format json`, and `schema`, whose
//! schemas are checked against every built-in file and a real report.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `shipshape validate FILES...`: (exit code, stderr).
fn validate(files: &[&Path]) -> (Option<i32>, String) {
    let out = run(shipshape().arg("validate").args(files));
    (out.status.code(), stderr(&out))
}

/// Every problem line of a failed validate names file:line:column and is
/// followed by a hint.
fn assert_all_positioned_with_hints(err: &str) {
    let lines: Vec<&str> = err.lines().collect();
    let problems: Vec<usize> = (0..lines.len())
        .filter(|i| lines[*i].starts_with("error: "))
        .collect();
    assert!(!problems.is_empty(), "{err}");
    for i in problems {
        assert!(
            lines.get(i + 1).is_some_and(|l| l.starts_with("  hint: ")),
            "no hint after {:?}",
            lines[i]
        );
    }
}

const CHECK_HEAD: &str = "probes:\n  - id: p1\n    description: d\n    sh: echo hi\nchecks:\n";

fn check(id: &str, body: &str) -> String {
    format!(
        "  - id: {id}\n    title: t\n    category: ftp-service\n    countermeasure: 1\n    severity: low\n    rationale: r\n    remediation: m\n{body}"
    )
}

#[test]
fn validate_with_no_files_checks_the_built_in_catalog_and_profiles() {
    let out = run(shipshape().arg("validate"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("ok: (built-in) checks ("), "{text}");
    assert!(
        text.contains("ok: (built-in) profiles/go-live.yml (profile \"go-live\": selects"),
        "{text}"
    );
    assert!(
        text.contains("ok: (built-in) profiles/compliance.yml"),
        "{text}"
    );
}

#[test]
fn validate_accepts_the_repository_files_by_kind() {
    let repo = repo();
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo.join("checks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.push(repo.join("checks/data/eol.yml"));
    files.push(repo.join("profiles/go-live.yml"));
    files.push(repo.join("profiles/compliance.yml"));
    files.push(repo.join("tests/lab/inventory.yml"));
    let out = run(shipshape().arg("validate").args(&files));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("ftp-service.yml (check file: 7 checks"),
        "{text}"
    );
    assert!(text.contains("eol.yml (EOL table: "), "{text}");
    assert!(text.contains("inventory.yml (inventory: "), "{text}");
    assert!(
        text.contains("go-live.yml (profile \"go-live\": selects"),
        "{text}"
    );
}

#[test]
fn validate_reports_yaml_syntax_errors_with_position() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "c.yml",
        "checks:\n  - id: a\n    title: [unclosed\n",
    );
    let (code, err) = validate(&[&f]);
    assert_eq!(code, Some(2));
    assert!(err.contains(&format!("{}:3:", f.display())), "{err}");
    assert!(err.contains("hint: this is not valid YAML here"), "{err}");
    assert_all_positioned_with_hints(&err);
}

#[test]
fn validate_suggests_the_key_meant_by_a_typo() {
    let dir = tempfile::tempdir().unwrap();
    let c = write(
        dir.path(),
        "c.yml",
        &format!(
            "{CHECK_HEAD}{}",
            check("c1", "    fail_if: {probe: p1, contains: x}\n").replace("title:", "titel:")
        ),
    );
    let inv = write(
        dir.path(),
        "inv.yml",
        "hosts:\n  web1: {adress: 192.0.2.1}\n",
    );
    let p = write(
        dir.path(),
        "p.yml",
        "name: x\ndescription: y\nselect:\n  categories: [ftp]\n",
    );
    let (code, err) = validate(&[&c, &inv, &p]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains(&format!("{}:7:5: unknown field `titel`", c.display())),
        "{err}"
    );
    assert!(err.contains("hint: did you mean `title`?"), "{err}");
    assert!(
        err.contains(&format!("{}:2:", inv.display())) && err.contains("did you mean `address`?"),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}:4:", p.display())) && err.contains("did you mean `ftp-service`?"),
        "{err}"
    );
    assert!(
        err.contains("3 problems found"),
        "all three files are reported: {err}"
    );
    assert_all_positioned_with_hints(&err);
}

#[test]
fn validate_rejects_duplicate_keys() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "p.yml", "name: x\ndescription: y\nname: z\n");
    let (code, err) = validate(&[&p]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains(&format!("{}:3:1: duplicate", p.display())),
        "{err}"
    );
    assert_all_positioned_with_hints(&err);
}

#[test]
fn validate_collects_rule_regex_analyzer_and_probe_errors() {
    let dir = tempfile::tempdir().unwrap();
    let c = write(
        dir.path(),
        "c.yml",
        &format!(
            "{CHECK_HEAD}{}{}{}{}",
            check("c1", "    fail_if: {probe: p1, matches: 'a(b'}\n"),
            check("c2", "    analyzer: no-such-analyzer\n"),
            check("c3", "    fail_if: {probe: missing.probe, empty: true}\n"),
            check("c4", "    fail_if: {probe: p1, contains: x, empty: true}\n"),
        ),
    );
    let (code, err) = validate(&[&c]);
    assert_eq!(code, Some(2));
    let at = |line: u32| format!("{}:{line}:", c.display());
    assert!(
        err.contains(&at(13)) && err.contains("invalid regular expression"),
        "{err}"
    );
    assert!(
        err.contains("unknown analyzer \"no-such-analyzer\"")
            && err.contains("known analyzers: software-version"),
        "{err}"
    );
    assert!(
        err.contains("reads probe \"missing.probe\", which no file defines"),
        "{err}"
    );
    assert!(
        err.contains("needs exactly one of `matches`, `contains`, `empty`, `exit`"),
        "{err}"
    );
    assert!(
        err.contains("validate the whole directory at once"),
        "{err}"
    );
    assert_all_positioned_with_hints(&err);
}

#[test]
fn validate_rejects_bad_redact_patterns_where_they_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let c = write(
        dir.path(),
        "c.yml",
        &format!(
            "probes:\n  - id: p1\n    description: d\n    sh: echo hi\n    redact:\n      - 'password=(\\S+)'\n      - 'token=(\\S+'\n\
               \x20 - id: p2\n    description: d\n    sh: echo hi\n    redact: ['password=\\S+']\nchecks:\n{}",
            check("c1", "    fail_if: {probe: p1, contains: x}\n    probes: [p2]\n"),
        ),
    );
    let (code, err) = validate(&[&c]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "{}:7:9: probe \"p1\": invalid redact pattern",
            c.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}:11:14: probe \"p2\": redact pattern \"password=\\\\S+\" has no capture group",
            c.display()
        )) && err.contains("put ( ) around the secret"),
        "{err}"
    );
    assert_all_positioned_with_hints(&err);
}

#[test]
fn validate_finds_duplicate_ids_across_files_and_bad_countermeasures() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.yml",
        &format!(
            "{CHECK_HEAD}{}",
            check("c1", "    fail_if: {probe: p1, contains: x}\n")
        ),
    );
    let b = write(
        dir.path(),
        "b.yml",
        &format!(
            "checks:\n{}",
            check("c1", "    fail_if: {probe: p1, contains: x}\n")
        ),
    );
    let c = write(
        dir.path(),
        "c.yml",
        &format!(
            "checks:\n{}",
            check("c9", "    fail_if: {probe: p1, contains: x}\n")
                .replace("countermeasure: 1", "countermeasure: 7")
        ),
    );
    let (code, err) = validate(&[&a, &b, &c]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains(&format!("{}:2:", b.display())) && err.contains("duplicate check id \"c1\""),
        "{err}"
    );
    assert!(
        err.contains(&format!("first defined at {}:6:", a.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}:5:", c.display()))
            && err.contains("countermeasure must be 1 to 5"),
        "{err}"
    );
    assert_all_positioned_with_hints(&err);
}

#[test]
fn validate_checks_profiles_against_the_catalog_and_their_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "p.yml",
        "name: mine\ndescription: d\nselect:\n  checks: [ftp-srever]\nparams:\n  online_guessing_per_account: 99\n  password_budget_secs: lots\n",
    );
    let (code, err) = validate(&[&p]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains(&format!(
            "{}:4:12: unknown check id \"ftp-srever\"",
            p.display()
        )),
        "{err}"
    );
    assert!(err.contains("did you mean ftp-server?"), "{err}");
    assert!(
        err.contains("online_guessing_per_account must be a whole number from 1 to 10"),
        "{err}"
    );
    assert!(
        err.contains("password_budget_secs must be a number"),
        "{err}"
    );
    assert_all_positioned_with_hints(&err);
    // The same profile's ids resolve against check files given with it.
    let c = write(
        dir.path(),
        "c.yml",
        &format!(
            "{CHECK_HEAD}{}",
            check("ftp-srever", "    fail_if: {probe: p1, contains: x}\n")
        ),
    );
    let ok = write(
        dir.path(),
        "ok.yml",
        "name: ok\ndescription: d\nselect:\n  checks: [ftp-srever]\n",
    );
    let out = run(shipshape().arg("validate").arg(&c).arg(&ok));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("(profile \"ok\": selects 1 checks)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn validate_reports_inventory_problems() {
    let dir = tempfile::tempdir().unwrap();
    let inv = write(
        dir.path(),
        "inv.yml",
        "hosts:\n  web1: {port: 0}\n  \"bad\\nname\": {address: a}\n  web3: {address: 'two words'}\n",
    );
    let (code, err) = validate(&[&inv]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains(&format!(
            "{}:2:3: host \"web1\": port must be 1 to 65535",
            inv.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}:3:3:", inv.display())) && err.contains("control characters"),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}:4:3:", inv.display())) && err.contains("is not a host name"),
        "{err}"
    );
    assert!(err.contains("3 problems found"), "{err}");
    assert_all_positioned_with_hints(&err);
}

#[test]
fn validate_names_unrecognised_and_unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let what = write(dir.path(), "what.yml", "foo: 1\n");
    let missing = dir.path().join("missing.yml");
    let (code, err) = validate(&[&what, &missing]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains(&format!(
            "{}:1:1: cannot tell what kind of file this is (top-level keys foo)",
            what.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}: cannot read file", missing.display())),
        "{err}"
    );
    assert_all_positioned_with_hints(&err);
}

#[test]
fn validate_checks_a_checks_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.yml",
        &format!(
            "{CHECK_HEAD}{}",
            check("c1", "    fail_if: {probe: p2, contains: x}\n")
        ),
    );
    let out = run(shipshape().args(["validate", "--checks", dir.path().to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("reads probe \"p2\", which no file defines"),
        "{}",
        stderr(&out)
    );
    write(
        dir.path(),
        "a.yml",
        &format!(
            "{CHECK_HEAD}{}",
            check("c1", "    fail_if: {probe: p1, contains: x}\n")
        ),
    );
    let out = run(shipshape().args(["validate", "--checks", dir.path().to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("checks directory: 1 checks, 1 probes"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn list_checks_filters_by_category_and_shows_a_profile_plan() {
    let out = run(shipshape().args(["list-checks", "--category", "log-monitoring"]));
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.lines().count() >= 5, "{text}");
    assert!(
        text.lines().all(|l| l.contains(" log-monitoring ")),
        "{text}"
    );
    let out = run(shipshape().args(["list-checks", "--category", "logs"]));
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains("invalid value 'logs'") && e.contains("log-monitoring, compromise-indicator"),
        "{e}"
    );

    let out = run(shipshape().args([
        "list-checks",
        "--profile",
        "go-live",
        "--category",
        "ip-restriction",
    ]));
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.starts_with("profile go-live: 5 checks\nparams:\n"),
        "{text}"
    );
    assert!(text.contains("uses management_networks=[]"), "{text}");

    let out = run(shipshape().args(["list-checks", "--format", "json", "--profile", "compliance"]));
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["profile"], "compliance");
    assert_eq!(v["params"]["online_guessing"], "forbidden");
    let checks = v["checks"].as_array().unwrap();
    let lr = checks.iter().find(|c| c["id"] == "log-retention").unwrap();
    assert_eq!(lr["category"], "log-monitoring");
    assert_eq!(lr["countermeasure"], 3);
    assert_eq!(lr["params"]["min_log_retention_days"], 365);
    assert!(!lr["probes"].as_array().unwrap().is_empty());
}

#[test]
fn explain_describes_a_check_and_suggests_for_unknown_ids() {
    let out = run(shipshape().args(["explain", "ssh-source-restricted"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for part in [
        "ssh-source-restricted — ",
        "countermeasure  1. ",
        "Why it matters\n",
        "What it reads on the target\n",
        "How it decides\n  analyzer ip-restriction: ",
        "reads the parameters: management_networks",
        "Remediation\n",
        "run by compliance, go-live",
    ] {
        assert!(text.contains(part), "missing {part:?}:\n{text}");
    }
    // A profile that excludes the check, and one that changes its severity.
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "p.yml",
        "name: strict\ndescription: d\nseverity:\n  ssh-source-restricted: critical\n",
    );
    let out = run(shipshape().args([
        "explain",
        "ssh-source-restricted",
        "--profile",
        p.to_str().unwrap(),
    ]));
    assert!(
        stdout(&out).contains("strict (as critical)"),
        "{}",
        stdout(&out)
    );
    let p = write(
        dir.path(),
        "q.yml",
        "name: lax\ndescription: d\nselect:\n  exclude: [ssh-source-restricted]\n",
    );
    let out = run(shipshape().args([
        "explain",
        "ssh-source-restricted",
        "--profile",
        p.to_str().unwrap(),
    ]));
    assert!(stdout(&out).contains("; not by lax"), "{}", stdout(&out));

    let out = run(shipshape().args(["explain", "ssh-source-restriced"]));
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains("unknown check id \"ssh-source-restriced\"")
            && e.contains("did you mean ssh-source-restricted"),
        "{e}"
    );
}

// ---- schemas ----

fn schema(kind: &str) -> jsonschema::Validator {
    let out = run(shipshape().args(["schema", kind]));
    assert_eq!(out.status.code(), Some(0));
    let schema: Value = serde_json::from_slice(&out.stdout).expect("a schema is JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    jsonschema::draft7::new(&schema).expect("a valid JSON Schema")
}

/// YAML read the way shipshape reads it, as JSON for the validator.
fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match its schema: {errors:#?}"
    );
}

#[test]
fn every_built_in_check_file_matches_the_check_schema() {
    let v = schema("check");
    let mut n = 0;
    for e in std::fs::read_dir(repo().join("checks")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|e| e == "yml") {
            assert_valid(&v, &yaml(&p), &p.display().to_string());
            n += 1;
        }
    }
    assert!(n >= 8, "only {n} check files");
    // And the schema is not vacuous: what the loader rejects, it rejects.
    let bad = serde_json::json!({"checks": [{"id": "x", "title": "t", "category": "ftp", "countermeasure": 7,
        "severity": "low", "rationale": "r", "remediation": "m", "titel": "t"}]});
    let errors: Vec<String> = v.iter_errors(&bad).map(|e| e.to_string()).collect();
    assert!(errors.len() >= 3, "{errors:?}");
}

#[test]
fn built_in_profiles_and_the_lab_inventory_match_their_schemas() {
    let v = schema("profile");
    for name in ["go-live", "compliance"] {
        let p = repo().join(format!("profiles/{name}.yml"));
        assert_valid(&v, &yaml(&p), name);
    }
    assert!(!v.is_valid(
        &serde_json::json!({"name": "x", "description": "d", "select": {"categories": ["nope"]}})
    ));
    let v = schema("inventory");
    assert_valid(
        &v,
        &yaml(&repo().join("tests/lab/inventory.yml")),
        "tests/lab/inventory.yml",
    );
    assert!(!v.is_valid(&serde_json::json!({"hosts": {"a": {"adress": "x"}}})));
    assert!(!v.is_valid(&serde_json::json!({"hosts": {"a": {"port": 70000}}})));
}

#[test]
fn a_local_audit_report_matches_the_report_schema() {
    let v = schema("report");
    // No password guessing budget: this test is about the report's shape.
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "p.yml",
        "name: quick\ndescription: d\nparams: {password_budget_secs: 0}\n",
    );
    let out = run(shipshape().args([
        "audit",
        "--local",
        "--format",
        "json",
        "--profile",
        p.to_str().unwrap(),
    ]));
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let report = json(&out);
    assert!(report["hosts"][0]["findings"].as_array().unwrap().len() > 30);
    assert_valid(&v, &report, "the local audit's JSON report");
    let mut broken = report.clone();
    broken["hosts"][0]["findings"][0]["status"] = "fine".into();
    assert!(
        !v.is_valid(&broken),
        "a status outside the contract passes the schema"
    );
    let mut broken = report;
    broken["hosts"][0]["findings"][0]["countermeasure"] = 6.into();
    assert!(!v.is_valid(&broken), "countermeasure 6 passes the schema");
}

#[test]
fn unknown_schema_kinds_are_exit_2() {
    let out = run(shipshape().args(["schema", "waiver"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("[possible values: check, profile, inventory, report]"),
        "{}",
        stderr(&out)
    );
}
