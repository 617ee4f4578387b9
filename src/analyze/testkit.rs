//! What the analyzers' unit tests share: the shipped EOL table, the audit
//! date the fixtures were written for, parameters from literal pairs, and
//! one call that runs an analyzer on facts.

use super::{derived::Derived, Analyzer, Context, Verdict};
use crate::analyze::eol::EolTable;
use crate::catalog::check::Params;
use crate::facts::Facts;
use chrono::NaiveDate;
use std::path::Path;
use std::sync::OnceLock;

/// The audit date the fixtures' expectations are written for.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("a valid date")
}

/// `checks/data/eol.yml`, parsed once.
pub fn eol() -> &'static EolTable {
    static EOL: OnceLock<EolTable> = OnceLock::new();
    EOL.get_or_init(|| {
        EolTable::parse(
            Path::new("eol.yml"),
            include_str!("../../checks/data/eol.yml"),
        )
        .expect("the shipped EOL table parses")
    })
}

/// Parameters (or a check's `with` arguments) from literal pairs.
pub fn params<const N: usize>(items: [(&str, serde_json::Value); N]) -> Params {
    items.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// `a`'s verdict on `facts`, with the check's arguments `with` and the
/// merged `params`, audited on [`today`].
pub fn verdict(a: &dyn Analyzer, facts: &Facts, with: &Params, params: &Params) -> Verdict {
    verdict_on(today(), a, facts, with, params)
}

/// [`verdict`] on another audit date.
pub fn verdict_on(
    today: NaiveDate,
    a: &dyn Analyzer,
    facts: &Facts,
    with: &Params,
    params: &Params,
) -> Verdict {
    a.analyze(&Context {
        facts,
        derived: &Derived::default(),
        params,
        with,
        today,
        eol: eol(),
    })
}
