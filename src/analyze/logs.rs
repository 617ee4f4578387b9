//! `log-retention`: how far back web, FTP, auth and system logs reach, from
//! logrotate's configuration (period × (rotate + 1), capped by maxage) and
//! journald's, against the profile's `min_log_retention_days`. In the
//! incident, logs did not reach back far enough to investigate.

use super::{Analyzer, Context, Verdict};
use crate::catalog::check::Params;
use crate::model::Status;
use crate::wildcard;

pub const ROTATION_PROBE: &str = "logs.rotation";

/// One logrotate stanza (or the global defaults, with no patterns).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stanza {
    pub patterns: Vec<String>,
    pub period_days: Option<u32>,
    /// `rotate N`; -1 keeps rotated logs for ever (only `maxage` removes them).
    pub rotate: Option<i64>,
    pub maxage: Option<u32>,
    pub file: String,
}

/// Parse concatenated logrotate files (`== PATH` headers).
pub fn parse_logrotate(text: &str) -> (Stanza, Vec<Stanza>) {
    let mut global = Stanza::default();
    let mut stanzas = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut current: Option<Stanza> = None;
    let mut file = String::new();
    let mut in_script = false;
    for raw in text.lines() {
        if let Some(p) = raw.strip_prefix("== ") {
            file = p.trim().to_string();
            pending.clear();
            continue;
        }
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if in_script {
            if line == "endscript" {
                in_script = false;
            }
            continue;
        }
        if let Some(st) = current.as_mut() {
            if line.starts_with('}') {
                stanzas.push(current.take().expect("inside a stanza"));
                continue;
            }
            apply(st, line, &mut in_script);
            continue;
        }
        if let Some(before) = line.strip_suffix('{') {
            pending.extend(
                before
                    .split_whitespace()
                    .map(|s| s.trim_matches('"').to_string()),
            );
            current = Some(Stanza {
                patterns: std::mem::take(&mut pending),
                file: file.clone(),
                ..Stanza::default()
            });
            continue;
        }
        if line.starts_with('/') || line.starts_with('"') {
            pending.extend(
                line.split_whitespace()
                    .map(|s| s.trim_matches('"').to_string()),
            );
            continue;
        }
        apply(&mut global, line, &mut in_script);
    }
    (global, stanzas)
}

fn apply(st: &mut Stanza, line: &str, in_script: &mut bool) {
    let mut w = line.split_whitespace();
    let key = w.next().unwrap_or_default();
    let num = |w: &mut std::str::SplitWhitespace<'_>| w.next().and_then(|n| n.parse::<u32>().ok());
    // logrotate refuses counts below -1, and so does this reader.
    let count = |w: &mut std::str::SplitWhitespace<'_>| {
        w.next()
            .and_then(|n| n.parse::<i64>().ok())
            .filter(|n| *n >= -1)
    };
    match key {
        "hourly" | "daily" => st.period_days = Some(1),
        "weekly" => st.period_days = Some(7),
        "monthly" => st.period_days = Some(30),
        "yearly" => st.period_days = Some(365),
        "rotate" => st.rotate = count(&mut w),
        "maxage" => st.maxage = num(&mut w),
        "postrotate" | "prerotate" | "firstaction" | "lastaction" | "preremove" => {
            *in_script = true
        }
        _ => {}
    }
}

/// Retention of one log file, in days, and how it was worked out.
pub fn retention(global: &Stanza, stanzas: &[Stanza], path: &str) -> (Option<u32>, String) {
    let Some(st) = stanzas
        .iter()
        .find(|s| s.patterns.iter().any(|p| wildcard::path(p, path)))
    else {
        return (
            None,
            format!("{path}: not rotated by logrotate (kept until deleted by hand)"),
        );
    };
    let period = st.period_days.or(global.period_days).unwrap_or(1);
    let rotate = st.rotate.or(global.rotate).unwrap_or(0);
    // Counts from the target's files: any size, so no arithmetic may wrap.
    let (mut days, mut how) = if rotate < 0 {
        (
            u32::MAX,
            format!(
                "{path}: {}, rotate -1: rotated logs are never removed ({})",
                period_word(period),
                st.file
            ),
        )
    } else {
        let kept = u32::try_from(rotate).unwrap_or(u32::MAX).saturating_add(1);
        let days = period.saturating_mul(kept);
        (
            days,
            format!(
                "{path}: {} × ({rotate} rotated + current) = {days} days ({})",
                period_word(period),
                st.file
            ),
        )
    };
    if let Some(max) = st.maxage.or(global.maxage) {
        if max < days {
            days = max;
            how.push_str(&format!(", capped by maxage {max}"));
        }
    }
    (Some(days), how)
}

fn period_word(days: u32) -> &'static str {
    match days {
        1 => "daily",
        7 => "weekly",
        30 => "monthly",
        _ => "yearly",
    }
}

pub struct LogRetention;

const CLASSES: &[(&str, &str)] = &[
    ("web", "web server"),
    ("ftp", "FTP"),
    ("auth", "authentication"),
    ("system", "system"),
];

impl Analyzer for LogRetention {
    fn name(&self) -> &'static str {
        "log-retention"
    }

    fn description(&self) -> &'static str {
        "web, FTP, auth and system logs reach back at least min_log_retention_days (logrotate, journald)"
    }

    fn params(&self) -> &'static [&'static str] {
        &["min_log_retention_days"]
    }

    fn probes(&self, _with: &Params) -> Vec<String> {
        vec![ROTATION_PROBE.into()]
    }

    fn validate(&self, _with: &Params) -> Result<(), String> {
        Ok(())
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let text = match cx.facts.text(ROTATION_PROBE) {
            Ok(t) => t,
            Err(u) => return Verdict::unavailable(u),
        };
        // A value that is not a whole number of days is an error, not the
        // default: the user asked for something this check cannot judge.
        let min_days = match cx.params.get("min_log_retention_days") {
            None | Some(serde_json::Value::Null) => 365,
            Some(v) => match v
                .as_u64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                .and_then(|d| u32::try_from(d).ok())
            {
                Some(d) => d,
                None => {
                    return Verdict::new(
                        Status::Error,
                        format!("min_log_retention_days: {v} is not a whole number of days"),
                    )
                }
            },
        };
        let (global, stanzas) = parse_logrotate(&text);
        let mut journal = None;
        let mut files: Vec<(String, String)> = Vec::new();
        for line in text.lines() {
            let w: Vec<&str> = line.splitn(3, ' ').collect();
            match w[..] {
                ["exists", class, path] => files.push((class.to_string(), path.to_string())),
                ["journal", mode] | ["journal", mode, _] => journal = Some(mode.to_string()),
                _ => {}
            }
        }
        let mut short = Vec::new();
        let mut fine = Vec::new();
        for (class, label) in CLASSES {
            let of_class: Vec<&String> = files
                .iter()
                .filter(|(c, _)| c == class)
                .map(|(_, p)| p)
                .collect();
            if of_class.is_empty() {
                if matches!(*class, "auth" | "system") {
                    match journal.as_deref() {
                        Some("persistent") => {
                            fine.push(format!("{label}: in the persistent journal"))
                        }
                        _ => short.push(format!("{label}: no log file and no persistent journal")),
                    }
                }
                continue;
            }
            for path in of_class {
                match retention(&global, &stanzas, path) {
                    (Some(days), how) if days < min_days => short.push(format!("{label} {how}")),
                    (_, how) => fine.push(format!("{label} {how}")),
                }
            }
        }
        if short.is_empty() && fine.is_empty() {
            return Verdict::new(Status::Skip, "no web, FTP, auth or system log found");
        }
        if short.is_empty() {
            Verdict::new(
                Status::Pass,
                format!(
                    "logs reach back at least {min_days} days: {}",
                    fine.join("; ")
                ),
            )
        } else {
            Verdict::new(
                Status::Fail,
                format!("shorter than {min_days} days: {}", short.join("; ")),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testkit;
    use crate::facts::Facts;

    fn run(text: &str, min: u64) -> Verdict {
        let facts = Facts::from_texts([(ROTATION_PROBE, text)]);
        let params = testkit::params([("min_log_retention_days", serde_json::json!(min))]);
        testkit::verdict(&LogRetention, &facts, &Params::new(), &params)
    }

    #[test]
    fn rhel7_defaults_keep_five_weeks() {
        let text = include_str!("../../tests/fixtures/logs/rhel7-logrotate.txt");
        let v = run(text, 365);
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        assert!(
            v.evidence
                .contains("/var/log/secure: weekly × (4 rotated + current) = 35 days"),
            "{}",
            v.evidence
        );
        assert_eq!(run(text, 30).status, Status::Pass);
    }

    #[test]
    fn debian_with_52_weeks_passes_a_year() {
        let text = include_str!("../../tests/fixtures/logs/debian12-logrotate.txt");
        let v = run(text, 365);
        assert_eq!(v.status, Status::Pass, "{}", v.evidence);
        assert!(v.evidence.contains("371 days"), "{}", v.evidence);
    }

    /// `rotate -1` keeps rotated logs until `maxage` (logrotate(8)); counts
    /// of any size come from the target and must not wrap (a fuzzed
    /// `monthly` + `rotate 4294967295` overflowed the multiplication).
    #[test]
    fn unbounded_and_huge_rotation_counts() {
        let conf = |body: &str| {
            parse_logrotate(&format!(
                "== /etc/logrotate.d/x\n/var/log/x.log {{\n{body}\n}}\n"
            ))
        };
        let (g, s) = conf("weekly\nrotate -1");
        let (days, how) = retention(&g, &s, "/var/log/x.log");
        assert_eq!(days, Some(u32::MAX), "{how}");
        assert!(
            how.contains("rotate -1: rotated logs are never removed"),
            "{how}"
        );
        let (g, s) = conf("weekly\nrotate -1\nmaxage 90");
        let (days, how) = retention(&g, &s, "/var/log/x.log");
        assert_eq!(days, Some(90));
        assert!(how.ends_with(", capped by maxage 90"), "{how}");
        for body in [
            "monthly\nrotate 4294967295",
            "yearly\nrotate 99999999",
            "rotate 99999999999",
        ] {
            let (g, s) = conf(body);
            assert_eq!(
                retention(&g, &s, "/var/log/x.log").0,
                Some(u32::MAX),
                "{body}"
            );
        }
        // Below -1 logrotate refuses the file; here the count is not read.
        let (g, s) = conf("weekly\nrotate -5");
        assert_eq!(s[0].rotate, None);
        assert_eq!(retention(&g, &s, "/var/log/x.log").0, Some(7));
        let v = run(
            "exists auth /var/log/secure\njournal persistent\n== /etc/logrotate.d/syslog\n/var/log/secure {\n  weekly\n  rotate -1\n}\n",
            365,
        );
        assert_eq!(v.status, Status::Pass, "{}", v.evidence);
        assert!(
            v.evidence
                .contains("/var/log/secure: weekly, rotate -1: rotated logs are never removed"),
            "{}",
            v.evidence
        );
    }

    #[test]
    fn parser_details() {
        let (g, s) = parse_logrotate("== /etc/logrotate.conf\nmonthly\nrotate 2\n/var/log/a.log /var/log/b.log\n{\n  postrotate\n    rotate 99\n  endscript\n  maxage 10\n}\n");
        assert_eq!((g.period_days, g.rotate), (Some(30), Some(2)));
        assert_eq!(s[0].patterns, ["/var/log/a.log", "/var/log/b.log"]);
        assert_eq!(s[0].rotate, None, "script bodies are not directives");
        assert_eq!(retention(&g, &s, "/var/log/b.log").0, Some(10));
        assert!(wildcard::path(
            "/var/log/apache2/*.log",
            "/var/log/apache2/access.log"
        ));
        assert!(!wildcard::path(
            "/var/log/*.log",
            "/var/log/apache2/access.log"
        ));
        assert_eq!(retention(&g, &s, "/var/log/other").0, None);
    }

    #[test]
    fn no_syslog_files_need_a_persistent_journal() {
        assert_eq!(run("journal volatile\n", 365).status, Status::Fail);
        assert_eq!(run("journal persistent\n", 365).status, Status::Pass);
    }
}
