//! Every report format from ONE lab run (plus an address where no host
//! lives, so a host that could not be audited is in it too): JUnit and
//! SARIF validated against their schemas, the HTML report rendered in
//! headless Chromium, and each format checked against the JSON report of
//! the same run. Needs the lab: run `bash tests/run.sh`.

mod common;
#[path = "support/formats.rs"]
mod formats;

use common::*;
use formats::*;
use serde_json::Value;

struct Run {
    json: Value,
    junit: String,
    sarif: Value,
    html: std::path::PathBuf,
    markdown: String,
    table: String,
}

fn lab_run(dir: &std::path::Path) -> Run {
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let outputs: Vec<String> = [
        ("json", "r.json"),
        ("junit", "r.xml"),
        ("sarif", "r.sarif"),
        ("html", "r.html"),
        ("markdown", "r.md"),
    ]
    .iter()
    .flat_map(|(f, file)| ["--output".to_string(), format!("{f}={}", p(file))])
    .collect();
    let nobody = format!("root@{NOBODY_HOME}");
    let mut args: Vec<&str> = outputs.iter().map(String::as_str).collect();
    args.extend([nobody.as_str(), "--timeout", "60"]);
    let out = lab_audit(&args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "failing findings and a host not audited"
    );
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).expect("the report was written");
    Run {
        json: serde_json::from_str(&read("r.json")).expect("JSON report"),
        junit: read("r.xml"),
        sarif: serde_json::from_str(&read("r.sarif")).expect("SARIF is JSON"),
        html: dir.join("r.html"),
        markdown: read("r.md"),
        table: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

fn findings(json: &Value) -> Vec<(&Value, &Value)> {
    json["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| {
            h["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |f| (h, f))
        })
        .collect()
}

fn count_status(json: &Value, status: &str) -> usize {
    findings(json)
        .iter()
        .filter(|(_, f)| f["status"] == status)
        .count()
}

#[test]
#[ignore = "needs the lab: bash tests/run.sh"]
fn every_format_from_one_lab_run() {
    let _lab = lab_lock();
    require_lab();
    let dir = tempfile::tempdir().unwrap();
    let run = lab_run(dir.path());
    let json = &run.json;
    let hosts = json["hosts"].as_array().unwrap();
    let legacy = host(json, "legacy");
    assert_eq!(legacy["status"], "audited");
    assert_eq!(host(json, "clean")["status"], "audited");
    let nobody = host(json, NOBODY_HOME);
    assert_ne!(nobody["status"], "audited", "{nobody}");
    let all = findings(json);
    let fails = count_status(json, "fail");
    let errors = count_status(json, "error");
    assert!(fails > 10, "the incident host fails many checks");
    let apache = finding(legacy, "apache-version");
    assert_eq!(apache["status"], "fail");
    let apache_evidence = apache["evidence"].as_str().unwrap();
    for (name, text) in [
        ("r.json", "json"),
        ("r.xml", "junit"),
        ("r.sarif", "sarif"),
        ("r.html", "html"),
        ("r.md", "markdown"),
    ] {
        std::fs::copy(
            dir.path().join(name),
            artefacts().join(format!("report-lab.{text}")),
        )
        .unwrap();
    }

    // JUnit: valid, a suite per host, a case per finding (and one for the
    // host not audited), failures as in the JSON report.
    assert_valid_junit(&dir.path().join("r.xml"));
    assert_eq!(run.junit.matches("<testsuite ").count(), hosts.len());
    assert_eq!(run.junit.matches("<testcase ").count(), all.len() + 1);
    assert_eq!(run.junit.matches("<failure ").count(), fails);
    assert_eq!(run.junit.matches("<error ").count(), errors + 1);
    assert!(run.junit.contains(
        "<testcase classname=\"legacy.outdated-software\" name=\"apache-version\">\n      <failure type=\"high\""
    ), "{}", run.junit);
    assert!(run.junit.contains(&format!(
        "<testcase classname=\"{NOBODY_HOME}\" name=\"host-audit\">\n      <error type=\"{}\"",
        nobody["status"].as_str().unwrap()
    )));

    // SARIF: valid, a rule per check, a result per finding with the same
    // verdict, the host not audited as a notification.
    assert_valid_sarif(&run.sarif);
    let sarif_run = &run.sarif["runs"][0];
    let results = sarif_run["results"].as_array().unwrap();
    assert_eq!(results.len(), all.len());
    let mut checks: Vec<&str> = all
        .iter()
        .map(|(_, f)| f["check"].as_str().unwrap())
        .collect();
    checks.sort();
    checks.dedup();
    assert_eq!(
        sarif_run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        checks.len()
    );
    assert_eq!(
        results.iter().filter(|r| r["kind"] == "fail").count(),
        fails
    );
    let r = results
        .iter()
        .find(|r| {
            r["ruleId"] == "apache-version"
                && r["locations"][0]["logicalLocations"][0]["name"] == "legacy"
        })
        .expect("apache-version on legacy");
    assert_eq!(r["message"]["text"], apache_evidence);
    assert_eq!(r["level"], "error");
    let inv = &sarif_run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert!(inv["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap()
        .contains(NOBODY_HOME));

    // HTML: Chromium shows every finding, the plan and the hosts.
    let dom = chromium_dom(&run.html);
    assert!(select(&dom, "script, img, iframe, link").is_empty());
    assert_eq!(select(&dom, "tr.finding").len(), all.len());
    assert_eq!(select(&dom, "tr.plan-row").len(), fails + errors);
    assert_eq!(select(&dom, "section.host").len(), hosts.len());
    let cell = select(
        &dom,
        "section.host[data-host=\"legacy\"] tr.finding[data-check=\"apache-version\"] td.evidence",
    );
    assert_eq!(text_of(&cell[0]), apache_evidence);
    let unaudited = select(&dom, "tr.host-row.not-audited");
    assert_eq!(unaudited.len(), 1);
    assert_eq!(unaudited[0].value().attr("data-host"), Some(NOBODY_HOME));
    let total = select(&dom, "#severities td[data-severity=\"total\"]");
    assert_eq!(text_of(&total[0]), fails.to_string());
    assert!(chromium_print(&run.html, &artefacts().join("report-lab.pdf")) >= 4);
    chromium_screenshot(&run.html, &artefacts().join("report-lab.png"), 1280, 1000);

    // Markdown and the table (standard output) come from the same run.
    assert!(run
        .markdown
        .contains("## 4. Keep the OS and middleware continuously updated"));
    assert!(run
        .markdown
        .contains("| legacy | `apache-version` | high |"));
    assert!(run
        .table
        .contains("4. Keep the OS and middleware continuously updated"));
    assert!(run.table.contains(&format!("{NOBODY_HOME}: NOT AUDITED")));
}
