//! The SARIF 2.1.0 report, for code-scanning dashboards and ticketing:
//! one run, one rule per check (help = remediation), one result per check
//! and host. Valid against the OASIS schema (tests/schemas/).
//!
//! Hosts are not files, so a result's location names its host twice:
//! a logical location of kind `host` (name = the inventory name, with the
//! address in its properties) and a physical artifact location whose URI is
//! the percent-encoded host name relative to the `HOSTS` base (left
//! undefined: a host has no file-system root), for consumers that need an
//! artifact. `partialFingerprints` keys a result by check and host, so
//! dashboards can follow it from run to run.
//!
//! Levels: a failing check is `error` (critical, high), `warning` (medium)
//! or `note` (low, info); other statuses carry a `kind` with level `none`:
//! pass → `pass`, skip → `notApplicable`, error (the check could not be
//! evaluated) → `open`. A host that could not be audited produces no
//! result: it is an error notification of the invocation, which is then
//! not `executionSuccessful`.

use crate::model::{Drift, Finding, HostReport, HostStatus, Report, Severity, Status};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The schema the output follows (OASIS SARIF 2.1.0, errata 01).
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The `uriBaseId` of hosts' artifact locations.
pub const HOSTS_BASE: &str = "HOSTS";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning ranks security results by this CVSS-like number.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// Percent-encode everything but RFC 3986 unreserved characters, so any
/// host name is one relative path segment.
fn uri_segment(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    // "." and ".." are path navigation, not names.
    match out.as_str() {
        "." => "%2E".into(),
        ".." => "%2E%2E".into(),
        _ => out,
    }
}

fn location(h: &HostReport) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri_segment(&h.name), "uriBaseId": HOSTS_BASE}
        },
        "logicalLocations": [{
            "name": h.name,
            "fullyQualifiedName": h.name,
            "kind": "host",
            "properties": {"address": h.address}
        }]
    })
}

fn rule(f: &Finding) -> Value {
    json!({
        "id": f.check,
        "shortDescription": {"text": f.title},
        "fullDescription": {"text": format!(
            "{} (countermeasure {}: {})", f.title, f.countermeasure, f.countermeasure.heading()
        )},
        "help": {"text": f.remediation},
        "defaultConfiguration": {"level": level(f.severity)},
        "properties": {
            "category": f.category,
            "countermeasure": f.countermeasure,
            "countermeasureText": f.countermeasure.heading(),
            "severity": f.severity,
            "security-severity": security_severity(f.severity),
            "tags": ["security", f.category.as_str(), format!("countermeasure-{}", f.countermeasure)]
        }
    })
}

fn result(h: &HostReport, f: &Finding, rule_index: usize) -> Value {
    let (kind, level) = match f.status {
        // A waived finding still fails; the suppression below says who
        // accepted it and until when, as SARIF viewers expect.
        Status::Fail | Status::Waived => ("fail", level(f.severity)),
        Status::Pass => ("pass", "none"),
        Status::Skip => ("notApplicable", "none"),
        Status::Error => ("open", "none"),
    };
    let message = if f.evidence.is_empty() {
        f.title.clone()
    } else {
        f.evidence.clone()
    };
    let mut result = json!({
        "ruleId": f.check,
        "ruleIndex": rule_index,
        "kind": kind,
        "level": level,
        "message": {"text": message},
        "locations": [location(h)],
        "partialFingerprints": {"shipshapeCheckHost/v1": format!("{}:{}", f.check, h.name)},
        "properties": {
            "host": h.name,
            "address": h.address,
            "status": f.status,
            "severity": f.severity,
            "category": f.category,
            "countermeasure": f.countermeasure
        }
    });
    if let Some(w) = &f.waiver {
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": w.justification,
            "properties": {"expires": w.expires.to_string(), "source": w.source}
        }]);
    }
    if let Some(d) = f.drift {
        result["baselineState"] = json!(match d {
            Drift::New => "new",
            Drift::Unchanged => "unchanged",
        });
    }
    result
}

fn not_audited(h: &HostReport) -> Option<Value> {
    match h.status {
        HostStatus::Audited => None,
        HostStatus::Unreachable
        | HostStatus::Timeout
        | HostStatus::AuthFailed
        | HostStatus::HostKeyMismatch
        | HostStatus::HostKeyUnknown
        | HostStatus::Error => Some(json!({
            "level": "error",
            "descriptor": {"id": format!("host-{}", h.status)},
            "message": {"text": format!(
                "host {} ({}) was not audited ({}): {}; none of its checks ran",
                h.name, h.address, h.status,
                h.error.as_deref().unwrap_or("no reason recorded")
            )},
            "locations": [location(h)],
            "properties": {"host": h.name, "address": h.address, "hostStatus": h.status}
        })),
    }
}

/// Render the report as a SARIF log; a pure function of the report.
pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&log(report)).expect("a SARIF log serializes");
    s.push('\n');
    s
}

/// The SARIF log as a JSON value.
pub fn log(report: &Report) -> Value {
    // Rules in check-id order; a check's metadata is the same on every host
    // (one profile per run), so the first finding describes it.
    let mut first: BTreeMap<&str, &Finding> = BTreeMap::new();
    for f in report.hosts.iter().flat_map(|h| &h.findings) {
        first.entry(f.check.as_str()).or_insert(f);
    }
    let index: BTreeMap<&str, usize> = first.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let rules: Vec<Value> = first.values().map(|f| rule(f)).collect();
    let results: Vec<Value> = report
        .hosts
        .iter()
        .flat_map(|h| h.findings.iter().map(move |f| (h, f)))
        .map(|(h, f)| result(h, f, index[f.check.as_str()]))
        .collect();
    let mut notifications: Vec<Value> = report.hosts.iter().filter_map(not_audited).collect();
    if report.incomplete {
        notifications.push(json!({
            "level": "error",
            "descriptor": {"id": "run-interrupted"},
            "message": {"text": "the run was interrupted: hosts not started are reported as not audited"}
        }));
    }
    let successful = notifications.is_empty();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "rules": rules
            }},
            "invocations": [{
                "executionSuccessful": successful,
                "startTimeUtc": report.started_at,
                "endTimeUtc": report.finished_at,
                "toolExecutionNotifications": notifications
            }],
            "originalUriBaseIds": {
                HOSTS_BASE: {"description": {"text": "Hosts audited by shipshape, by inventory name; a host's address is in its logical location."}}
            },
            "automationDetails": {"id": format!("shipshape/{}/", report.profile)},
            "results": results,
            "properties": {"profile": report.profile, "incomplete": report.incomplete}
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    fn results(log: &Value) -> &Vec<Value> {
        log["runs"][0]["results"].as_array().unwrap()
    }

    fn find<'a>(log: &'a Value, check: &str) -> &'a Value {
        results(log)
            .iter()
            .find(|r| r["ruleId"] == check)
            .unwrap_or_else(|| panic!("no result for {check}"))
    }

    #[test]
    fn one_rule_per_check_with_remediation_as_help() {
        let log = log(&fixtures::sample());
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(log["$schema"], SCHEMA_URI);
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(rules.len(), 7);
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        let ftp = &rules[ids.iter().position(|i| *i == "ftp-server").unwrap()];
        assert_eq!(
            ftp["help"]["text"],
            "Remove the FTP server; use SFTP over SSH instead."
        );
        assert_eq!(
            ftp["shortDescription"]["text"],
            "No FTP server is installed, enabled or listening"
        );
        assert_eq!(ftp["defaultConfiguration"]["level"], "error");
        assert_eq!(ftp["properties"]["category"], "ftp-service");
        assert_eq!(ftp["properties"]["countermeasure"], 1);
        assert_eq!(ftp["properties"]["severity"], "critical");
        for r in results(&log) {
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
        }
    }

    #[test]
    fn levels_and_kinds_follow_status_and_severity() {
        let log = log(&fixtures::sample());
        let kl = |check: &str| {
            let r = find(&log, check);
            (
                r["kind"].as_str().unwrap().to_string(),
                r["level"].as_str().unwrap().to_string(),
            )
        };
        assert_eq!(kl("apache-version"), ("fail".into(), "error".into()));
        assert_eq!(kl("ioc-webroot-scripts"), ("fail".into(), "warning".into()));
        assert_eq!(
            kl("plaintext-app-credentials"),
            ("fail".into(), "note".into())
        );
        assert_eq!(kl("log-retention"), ("pass".into(), "none".into()));
        assert_eq!(
            kl("password-weak-hash"),
            ("notApplicable".into(), "none".into())
        );
        assert_eq!(kl("password-guessable"), ("open".into(), "none".into()));
    }

    #[test]
    fn results_name_their_host_and_carry_evidence() {
        let log = log(&fixtures::sample());
        let r = find(&log, "apache-version");
        assert!(r["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Apache HTTP Server 2.2.21"));
        let loc = &r["locations"][0];
        assert_eq!(
            loc["physicalLocation"]["artifactLocation"]["uri"],
            "web1.example.com"
        );
        assert_eq!(
            loc["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "HOSTS"
        );
        assert_eq!(loc["logicalLocations"][0]["name"], "web1.example.com");
        assert_eq!(loc["logicalLocations"][0]["kind"], "host");
        assert_eq!(
            loc["logicalLocations"][0]["properties"]["address"],
            "192.0.2.10"
        );
        // Hostile evidence is data in JSON: kept verbatim, escaped by serde.
        let ioc = find(&log, "ioc-webroot-scripts");
        assert!(ioc["message"]["text"]
            .as_str()
            .unwrap()
            .contains("<script>document.title='pwned'"));
        assert_eq!(
            uri_segment("db1 \"primary\" <$(id)>"),
            "db1%20%22primary%22%20%3C%24%28id%29%3E"
        );
        assert_eq!(uri_segment(".."), "%2E%2E");
    }

    #[test]
    fn hosts_not_audited_and_interruptions_are_notifications() {
        let log = log(&fixtures::sample());
        let inv = &log["runs"][0]["invocations"][0];
        assert_eq!(inv["executionSuccessful"], false);
        let n = inv["toolExecutionNotifications"].as_array().unwrap();
        assert_eq!(n.len(), 3, "{n:?}");
        assert_eq!(n[0]["descriptor"]["id"], "host-unreachable");
        assert_eq!(n[0]["level"], "error");
        assert!(n[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("connection refused"));
        assert_eq!(n[1]["descriptor"]["id"], "host-error");
        assert_eq!(n[2]["descriptor"]["id"], "run-interrupted");
        assert_eq!(results(&log).len(), 7, "hosts not audited have no results");
        assert_eq!(log["runs"][0]["properties"]["incomplete"], true);
    }

    #[test]
    fn an_empty_run_is_a_valid_shape() {
        let log = log(&fixtures::empty());
        assert_eq!(results(&log).len(), 0);
        assert_eq!(
            log["runs"][0]["tool"]["driver"]["rules"]
                .as_array()
                .unwrap()
                .len(),
            0
        );
        assert_eq!(
            log["runs"][0]["invocations"][0]["executionSuccessful"],
            true
        );
        assert!(render(&fixtures::empty()).ends_with("}\n"));
    }
}
