//! The report formats judged by outside tools, on fixture reports (no
//! network): JUnit against the Jenkins/GitLab schema with xmllint, SARIF
//! against the OASIS schema, and the HTML report loaded, printed and
//! photographed by headless Chromium. tests/lab_formats.rs does the same
//! with a real lab run.

#[path = "support/formats.rs"]
mod formats;

use formats::*;
use shipshape::model::Report;
use shipshape::report::{self, Format};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reports")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).expect("a report")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn junit_is_valid_for_every_kind_of_run() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["sample.json", "empty.json"] {
        let xml = report::render(&fixture(name), Format::Junit, None);
        assert_valid_junit(&write(dir.path(), &format!("{name}.xml"), &xml));
    }
    // A document that breaks the schema is caught: the judge can say no.
    let broken = write(
        dir.path(),
        "broken.xml",
        "<testsuites><testsuite name=\"x\"><testcase/></testsuite></testsuites>",
    );
    let caught = std::panic::catch_unwind(|| assert_valid_junit(&broken));
    assert!(
        caught.is_err(),
        "xmllint accepted a testsuite without counts"
    );
}

#[test]
fn sarif_is_valid_for_every_kind_of_run() {
    for name in ["sample.json", "empty.json"] {
        let text = report::render(&fixture(name), Format::Sarif, None);
        let log: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
        assert_valid_sarif(&log);
    }
    let mut log = report::sarif::log(&fixture("sample.json"));
    log["runs"][0]["results"][0]["level"] = "critical".into();
    let caught = std::panic::catch_unwind(|| assert_valid_sarif(&log));
    assert!(caught.is_err(), "the schema accepted level \"critical\"");
}

#[test]
fn html_renders_in_chromium_and_hostile_evidence_stays_text() {
    let report = fixture("sample.json");
    let dir = tempfile::tempdir().unwrap();
    let page = write(
        dir.path(),
        "report.html",
        &report::render(&report, Format::Html, None),
    );
    let dom = chromium_dom(&page);

    // Scripts are on in this browser: had the evidence's <script> or
    // <img onerror> become elements, they would be in the DOM.
    assert!(select(&dom, "script").is_empty());
    assert!(select(&dom, "img, iframe, link, [onerror]").is_empty());
    let title = text_of(&select(&dom, "title")[0]);
    assert_eq!(title, "Security audit 2026-11-22: profile go-live");
    let ioc = select(
        &dom,
        "tr.finding[data-check=\"ioc-webroot-scripts\"] td.evidence",
    );
    assert_eq!(ioc.len(), 1);
    assert!(
        text_of(&ioc[0])
            .starts_with("<script>document.title='pwned'</script><img src=x onerror=\"alert(1)\">"),
        "{}",
        text_of(&ioc[0])
    );

    assert_eq!(select(&dom, "tr.finding").len(), 7);
    assert_eq!(select(&dom, "tr.plan-row").len(), 5);
    assert_eq!(select(&dom, "section.host").len(), 3);
    assert_eq!(select(&dom, "tr.cm-row").len(), 5);
    let hostile_host = select(&dom, "section.host[data-host-status=\"unreachable\"]");
    assert_eq!(
        hostile_host[0].value().attr("data-host"),
        Some("db1 \"primary\" <$(id)>")
    );
    assert_eq!(select(&dom, "#incomplete").len(), 1);
    let groups: Vec<String> = select(&dom, "section.plan-group")
        .iter()
        .map(|g| g.value().attr("data-countermeasure").unwrap().to_string())
        .collect();
    assert_eq!(groups, ["1", "2", "3", "4", "5"]);

    let pages = chromium_print(&page, &artefacts().join("report-fixture.pdf"));
    assert!(
        pages >= 4,
        "plan, findings and sign-off start new pages; got {pages} pages"
    );
    chromium_screenshot(&page, &artefacts().join("report-fixture.png"), 1280, 1000);
}

#[test]
fn an_empty_html_report_renders() {
    let dir = tempfile::tempdir().unwrap();
    let page = write(
        dir.path(),
        "empty.html",
        &report::render(&fixture("empty.json"), Format::Html, None),
    );
    let dom = chromium_dom(&page);
    assert_eq!(select(&dom, "#plan-empty").len(), 1);
    assert_eq!(select(&dom, "tr.finding").len(), 0);
    assert_eq!(select(&dom, "#incomplete").len(), 0);
}
