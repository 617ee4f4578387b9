//! `shipshape list-checks`: the catalog as a table or JSON, optionally
//! narrowed to a category, or as one profile's plan (its checks at their
//! effective severity, with the parameter values they will use).

use crate::catalog::check::{Check, Params};
use crate::catalog::profile::Profile;
use crate::catalog::Catalog;
use crate::model::Category;
use serde::Serialize;
use std::fmt::Write as _;

/// One row of the listing.
#[derive(Debug, Serialize)]
pub struct Row<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub category: Category,
    pub countermeasure: u8,
    pub severity: crate::model::Severity,
    pub probes: &'a [String],
    /// Parameters the check depends on, with the profile's values when a
    /// profile is given (else `null`).
    pub params: Params,
}

/// The listing as JSON: `{"profile": …, "params": …, "checks": [...]}`.
#[derive(Debug, Serialize)]
pub struct Listing<'a> {
    /// The profile whose plan this is, or `null` for the whole catalog.
    pub profile: Option<&'a str>,
    /// The profile's parameters (empty without a profile).
    pub params: &'a Params,
    pub checks: Vec<Row<'a>>,
}

/// Rows for `checks` (already selected and with severities applied).
pub fn rows<'a>(catalog: &Catalog, checks: &'a [Check], profile: Option<&Profile>) -> Vec<Row<'a>> {
    checks
        .iter()
        .map(|c| Row {
            id: &c.id,
            title: &c.title,
            category: c.category,
            countermeasure: c.countermeasure.number(),
            severity: c.severity,
            probes: &c.probes,
            params: super::params_used(catalog, c)
                .into_iter()
                .map(|p| {
                    let v = profile
                        .and_then(|pr| pr.params.get(&p).cloned())
                        .unwrap_or(serde_json::Value::Null);
                    (p, v)
                })
                .collect(),
        })
        .collect()
}

/// Keep the checks of `category` (all when `None`).
pub fn in_category(checks: Vec<Check>, category: Option<Category>) -> Vec<Check> {
    checks
        .into_iter()
        .filter(|c| category.is_none_or(|cat| c.category == cat))
        .collect()
}

/// The plain-text listing: one line per check; with a profile, a header
/// with its parameters and, under each check, the values it uses.
pub fn render_text(rows: &[Row<'_>], profile: Option<&Profile>) -> String {
    let mut o = String::new();
    if let Some(p) = profile {
        let _ = writeln!(o, "profile {}: {} checks", p.name, rows.len());
        if !p.params.is_empty() {
            let _ = writeln!(o, "params:");
            for (k, v) in &p.params {
                let _ = writeln!(o, "  {k}: {v}");
            }
        }
        let _ = writeln!(o);
    }
    let width = rows.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in rows {
        let _ = writeln!(
            o,
            "{:<width$} {:<20} cm{} {:<8} {}",
            r.id,
            r.category.as_str(),
            r.countermeasure,
            r.severity.as_str(),
            r.title
        );
        if profile.is_some() && !r.params.is_empty() {
            let uses: Vec<String> = r
                .params
                .iter()
                .map(|(k, v)| match v {
                    serde_json::Value::Null => format!("{k} (not set)"),
                    v => format!("{k}={v}"),
                })
                .collect();
            let _ = writeln!(o, "{:<width$} uses {}", "", uses.join(", "));
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_plan_shows_parameter_values() {
        let catalog = Catalog::builtin().unwrap();
        let profile = Catalog::load_profile("go-live").unwrap();
        let checks = in_category(
            catalog.select(&profile).unwrap(),
            Some(Category::LogMonitoring),
        );
        assert!(checks.iter().all(|c| c.category == Category::LogMonitoring));
        let rows = rows(&catalog, &checks, Some(&profile));
        let text = render_text(&rows, Some(&profile));
        assert!(text.starts_with("profile go-live: "), "{text}");
        assert!(text.contains("  min_log_retention_days: 365\n"), "{text}");
        assert!(text.contains("uses min_log_retention_days=365"), "{text}");
    }
}
