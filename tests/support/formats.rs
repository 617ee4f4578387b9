//! Outside judges for the report formats: `xmllint` with the JUnit schema,
//! the `jsonschema` crate with the OASIS SARIF schema, and headless
//! Chromium for the HTML report (DOM, screenshot, printed PDF). Schemas
//! live in tests/schemas/ (origin and licence in its README).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn schemas() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schemas")
}

/// Where tests leave files for people to look at (screenshots, reports).
pub fn artefacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-artefacts");
    std::fs::create_dir_all(&dir).expect("create target/test-artefacts");
    dir
}

fn require(program: &str, package: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "{program} is missing: apt-get install {package} (tests/run.sh installs it)"
    );
}

/// Validate a JUnit XML file with `xmllint --schema`; panics with
/// xmllint's complaints when it is not valid.
pub fn assert_valid_junit(xml: &Path) {
    require("xmllint", "libxml2-utils");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schemas().join("junit-10.xsd"))
        .arg(xml)
        .output()
        .expect("xmllint runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.contains(" validates"),
        "{} is not valid JUnit XML:\n{stderr}",
        xml.display()
    );
}

/// Validate a SARIF log against the OASIS SARIF 2.1.0 schema (draft-04,
/// formats such as `uri` and `date-time` checked too).
pub fn assert_valid_sarif(log: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(schemas().join("sarif-schema-2.1.0.json"))
            .expect("read the SARIF schema"),
    )
    .expect("the SARIF schema is JSON");
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the SARIF log is not valid:\n{}",
        errors.join("\n")
    );
}

/// Headless Chromium (Debian's `chromium`) with a fresh profile, no
/// network services of its own, `--no-sandbox` for root.
fn chromium(profile: &Path) -> Command {
    require("chromium", "chromium");
    let mut c = Command::new("timeout");
    c.args(["120", "chromium"])
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()));
    c
}

fn file_url(p: &Path) -> String {
    let abs = std::fs::canonicalize(p).expect("the page exists");
    format!("file://{}", abs.display())
}

fn run_chromium(args: &[String]) -> String {
    let profile = tempfile::tempdir().expect("a Chromium profile directory");
    let out = chromium(profile.path())
        .args(args)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium {args:?} failed ({:?}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Load the page in Chromium (scripts enabled, as a reader's browser would
/// be) and return the DOM it ends up with.
pub fn chromium_dom(page: &Path) -> scraper::Html {
    let dom = run_chromium(&["--dump-dom".into(), file_url(page)]);
    assert!(dom.contains("</html>"), "no DOM from chromium:\n{dom}");
    scraper::Html::parse_document(&dom)
}

/// A screenshot of the page's first `height` CSS pixels at `width`.
pub fn chromium_screenshot(page: &Path, png: &Path, width: u32, height: u32) {
    let _ = std::fs::remove_file(png);
    run_chromium(&[
        format!("--screenshot={}", png.display()),
        format!("--window-size={width},{height}"),
        file_url(page),
    ]);
    let bytes = std::fs::read(png).expect("chromium wrote the screenshot");
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000,
        "{} is not a plausible screenshot ({} bytes)",
        png.display(),
        bytes.len()
    );
}

/// Print the page to PDF as a reader would (the print stylesheet applies);
/// returns the number of pages.
pub fn chromium_print(page: &Path, pdf: &Path) -> usize {
    let _ = std::fs::remove_file(pdf);
    run_chromium(&[
        format!("--print-to-pdf={}", pdf.display()),
        "--no-pdf-header-footer".into(),
        file_url(page),
    ]);
    let bytes = std::fs::read(pdf).expect("chromium wrote the PDF");
    assert!(
        bytes.starts_with(b"%PDF-"),
        "{} is not a PDF",
        pdf.display()
    );
    let text = String::from_utf8_lossy(&bytes);
    text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
}

/// Every element matching `css` in `dom`.
pub fn select<'a>(dom: &'a scraper::Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    let selector = scraper::Selector::parse(css).expect("a valid CSS selector");
    dom.select(&selector).collect()
}

/// The text of an element, whitespace as in the document.
pub fn text_of(e: &scraper::ElementRef) -> String {
    e.text().collect()
}
