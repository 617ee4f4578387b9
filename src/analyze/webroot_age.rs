//! `webroot-newer-scripts`: PHP scripts whose modification time is far
//! newer than the bulk of their site. A site is deployed in one go and then
//! left alone; a web shell dropped months later stands out by its date
//! (the incident's wp-cron.php and cron.php came a year after the site).
//!
//! The baseline of each web root is the median modification time of all
//! its regular files (the lower median for an even count); a script more
//! than `webroot_newer_days` days (profile parameter, default 30) after it
//! is listed, newest first. Timestamps can be forged with `touch`, so a
//! pass says only that nothing stands out by date.

use super::{Analyzer, Context, Verdict};
use crate::catalog::check::Params;
use crate::model::Status;
use chrono::DateTime;

pub const WEBROOT_MTIMES_PROBE: &str = "ioc.webroot_mtimes";
/// The profile parameter: days after the site's median that stand out.
pub const NEWER_DAYS_PARAM: &str = "webroot_newer_days";
const DEFAULT_DAYS: u64 = 30;
/// At most this many scripts are named in the evidence.
const SHOWN: usize = 6;

/// One web root and the files found under it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Site {
    pub root: String,
    /// (mtime in seconds since the epoch, path)
    pub files: Vec<(i64, String)>,
}

/// Parse the probe's output: `root PATH` starts a site, `file EPOCH PATH`
/// lists one of its regular files (fractional seconds are dropped).
pub fn parse(text: &str) -> Vec<Site> {
    let mut sites: Vec<Site> = Vec::new();
    for line in text.lines() {
        if let Some(root) = line.strip_prefix("root ") {
            sites.push(Site {
                root: root.to_string(),
                files: Vec::new(),
            });
        } else if let Some(rest) = line.strip_prefix("file ") {
            let Some((t, path)) = rest.split_once(' ') else {
                continue;
            };
            let Ok(t) = t.split('.').next().unwrap_or(t).parse::<i64>() else {
                continue;
            };
            if let Some(s) = sites.last_mut() {
                s.files.push((t, path.to_string()));
            }
        }
    }
    sites
}

/// A server-side script (what a web shell is written as).
pub fn is_script(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let Some((_, ext)) = name.rsplit_once('.') else {
        return false;
    };
    matches!(
        ext,
        "php" | "phtml" | "php3" | "php4" | "php5" | "php7" | "phps" | "phar" | "inc"
    )
}

/// The lower median of the files' modification times.
pub fn median(files: &[(i64, String)]) -> Option<i64> {
    let mut t: Vec<i64> = files.iter().map(|(t, _)| *t).collect();
    if t.is_empty() {
        return None;
    }
    t.sort_unstable();
    Some(t[(t.len() - 1) / 2])
}

/// Scripts of a site more than `days` days newer than its median, newest first.
pub fn newer_scripts(site: &Site, days: u64) -> Vec<(i64, String)> {
    let Some(m) = median(&site.files) else {
        return Vec::new();
    };
    let limit = m.saturating_add(i64::try_from(days).unwrap_or(i64::MAX / 2) * 86_400);
    let mut v: Vec<(i64, String)> = site
        .files
        .iter()
        .filter(|(t, p)| *t > limit && is_script(p))
        .cloned()
        .collect();
    v.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    v
}

fn date(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| t.to_string())
}

/// The threshold from the profile, or an error for a value that is not a
/// whole number of days.
fn threshold(params: &Params) -> Result<u64, String> {
    match params.get(NEWER_DAYS_PARAM) {
        None | Some(serde_json::Value::Null) => Ok(DEFAULT_DAYS),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .ok_or_else(|| format!("{NEWER_DAYS_PARAM}: {v} is not a whole number of days")),
    }
}

pub struct WebrootNewerScripts;

impl Analyzer for WebrootNewerScripts {
    fn name(&self) -> &'static str {
        "webroot-newer-scripts"
    }

    fn description(&self) -> &'static str {
        "PHP scripts in a web root modified more than webroot_newer_days after the site's median file"
    }

    fn probes(&self, _with: &Params) -> Vec<String> {
        vec![WEBROOT_MTIMES_PROBE.into()]
    }

    fn validate(&self, _with: &Params) -> Result<(), String> {
        Ok(())
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let text = match cx.facts.text(WEBROOT_MTIMES_PROBE) {
            Ok(t) => t,
            Err(u) => return Verdict::unavailable(u),
        };
        let days = match threshold(cx.params) {
            Ok(d) => d,
            Err(e) => return Verdict::new(Status::Error, e),
        };
        let sites: Vec<Site> = parse(&text)
            .into_iter()
            .filter(|s| !s.files.is_empty())
            .collect();
        if sites.is_empty() {
            return Verdict::new(Status::Skip, "no web root with files found");
        }
        let mut bad = Vec::new();
        let mut fine = Vec::new();
        for s in &sites {
            let m = median(&s.files).unwrap_or_default();
            let newer = newer_scripts(s, days);
            if newer.is_empty() {
                fine.push(format!(
                    "{}: {} files, median {}",
                    s.root,
                    s.files.len(),
                    date(m)
                ));
                continue;
            }
            let shown: Vec<String> = newer
                .iter()
                .take(SHOWN)
                .map(|(t, p)| format!("{p} {}", date(*t)))
                .collect();
            let more = newer.len().saturating_sub(SHOWN);
            bad.push(format!(
                "{}: {} of {} files are scripts modified more than {days} days after the site's median ({}): {}{}",
                s.root,
                newer.len(),
                s.files.len(),
                date(m),
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        if bad.is_empty() {
            Verdict::new(
                Status::Pass,
                format!(
                    "no script is more than {days} days newer than the rest of its site ({})",
                    fine.join("; ")
                ),
            )
        } else {
            Verdict::new(Status::Fail, bad.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testkit;
    use crate::facts::Facts;

    fn run(text: &str, days: Option<serde_json::Value>) -> Verdict {
        let facts = Facts::from_texts([(WEBROOT_MTIMES_PROBE, text)]);
        let mut params = Params::new();
        if let Some(d) = days {
            params.insert(NEWER_DAYS_PARAM.into(), d);
        }
        testkit::verdict(&WebrootNewerScripts, &facts, &Params::new(), &params)
    }

    const LEGACY: &str = include_str!("../../tests/fixtures/ioc/legacy-webroot-mtimes.txt");
    const CLEAN: &str = include_str!("../../tests/fixtures/ioc/clean-webroot-mtimes.txt");

    #[test]
    fn legacy_site_lists_the_late_scripts_newest_first() {
        let v = run(LEGACY, None);
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        let e = &v.evidence;
        let cron = e.find("htdocs/cron.php 2017-12-25").expect(e);
        let wp = e.find("htdocs/wp-cron.php 2017-12-12").expect(e);
        assert!(cron < wp, "{e}");
        // the site's bulk (2016) and non-script files are never listed
        assert!(!e.contains("index.php") && !e.contains(".css"), "{e}");
        assert!(e.contains("median (2016-11-18)"), "{e}");
    }

    #[test]
    fn threshold_is_a_parameter() {
        // config.php was edited a year after the site; wp-cron.php 13 months.
        let v = run(LEGACY, Some(serde_json::json!(1000)));
        assert_eq!(v.status, Status::Pass, "{}", v.evidence);
        assert!(v.evidence.contains("1000 days"), "{}", v.evidence);
        let v = run(LEGACY, Some(serde_json::json!("395")));
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        assert!(v.evidence.contains("wp-session.php") && !v.evidence.contains("config.php"));
        let v = run(LEGACY, Some(serde_json::json!("soon")));
        assert_eq!(v.status, Status::Error);
    }

    #[test]
    fn clean_site_passes_and_empty_probe_skips() {
        let v = run(CLEAN, None);
        assert_eq!(v.status, Status::Pass, "{}", v.evidence);
        assert!(v.evidence.contains("/var/www/html"), "{}", v.evidence);
        assert_eq!(run("", None).status, Status::Skip);
        assert_eq!(run("root /srv/www\n", None).status, Status::Skip);
    }

    #[test]
    fn rhel_layout_and_fractional_times() {
        // GNU find -printf '%T@' prints fractions; RHEL's root is /var/www/html.
        let text = "root /var/www/html\nfile 1500000000.1234567890 /var/www/html/index.php\nfile 1500000001.5 /var/www/html/a.css\nfile 1500000002.0 /var/www/html/b.js\nfile 1600000000.0 /var/www/html/uploads/x.phtml\nfile 1600000000 /var/www/html/uploads/photo.jpg\n";
        let v = run(text, None);
        assert_eq!(v.status, Status::Fail, "{}", v.evidence);
        assert!(
            v.evidence.contains("uploads/x.phtml 2020-09-13"),
            "{}",
            v.evidence
        );
        assert!(!v.evidence.contains("photo.jpg"), "{}", v.evidence);
    }

    #[test]
    fn median_and_script_names() {
        let f = |t: &[i64]| -> Vec<(i64, String)> { t.iter().map(|t| (*t, "x".into())).collect() };
        assert_eq!(median(&f(&[5, 1, 3])), Some(3));
        assert_eq!(median(&f(&[4, 1, 3, 2])), Some(2));
        assert_eq!(median(&[]), None);
        assert!(is_script("/a/B.PHP") && is_script("/a/x.php5") && is_script("a.inc"));
        assert!(!is_script("/a/php") && !is_script("/a/x.html") && !is_script("/a.php/x"));
    }
}
