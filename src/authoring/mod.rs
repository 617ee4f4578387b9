//! Help for people who write checks, profiles and inventories: `validate`
//! (every problem with file:line:column and a hint), `explain` (what a
//! check reads and how it decides) and `list-checks` (the catalog, or one
//! profile's plan with its parameters).

pub mod explain;
pub mod list;
pub mod validate;

use crate::analyze;
use crate::catalog::check::{Check, Decider};
use crate::catalog::plan::probe_params;
use crate::catalog::Catalog;

/// The profile/inventory parameters a check depends on: those its probes'
/// code inserts (`{{name}}`) and those its analyzer reads, each once.
pub fn params_used(catalog: &Catalog, check: &Check) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |p: &str| {
        if !out.iter().any(|x| x == p) {
            out.push(p.to_string());
        }
    };
    for id in &check.probes {
        if let Some(def) = catalog.probes.get(id) {
            probe_params(&def.code).iter().for_each(|p| add(p));
        }
    }
    if let Decider::Analyzer { name, .. } = &check.decider {
        if let Some(a) = analyze::lookup(name) {
            a.params().iter().for_each(|p| add(p));
        }
    }
    out
}

/// Up to three ids from `known` that look like `wanted` (a typo, a missing
/// or extra word), best first.
pub fn close_matches<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let wanted_l = wanted.to_ascii_lowercase();
    let mut scored: Vec<(f64, &str)> = known
        .into_iter()
        .filter_map(|k| {
            let kl = k.to_ascii_lowercase();
            let mut score = strsim::jaro_winkler(&wanted_l, &kl);
            if wanted_l.len() >= 3 && (kl.contains(&wanted_l) || wanted_l.contains(&kl)) {
                score = score.max(0.9);
            }
            (score >= 0.8).then_some((score, k))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, k)| k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_matches_find_typos_and_fragments() {
        let known = ["ftp-server", "ftp-chroot", "apache-version", "php-version"];
        assert_eq!(close_matches("ftp-srever", known)[0], "ftp-server");
        assert_eq!(close_matches("apache", known), ["apache-version"]);
        assert!(close_matches("kernel-modules", known).is_empty());
    }

    #[test]
    fn params_come_from_probe_code_and_analyzers() {
        let catalog = Catalog::builtin().unwrap();
        let check = catalog.check("ssh-source-restricted").unwrap();
        assert!(params_used(&catalog, check).contains(&"management_networks".to_string()));
        let check = catalog.check("password-guessable").unwrap();
        let used = params_used(&catalog, check);
        assert!(used.contains(&"domain".to_string()), "{used:?}");
        assert!(used.contains(&"organization".to_string()), "{used:?}");
    }
}
