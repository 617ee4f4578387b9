//! `--limit PATTERN`, as Ansible reads host patterns: items separated by
//! `:` or `,`; an item is a host or group name, a glob (`web*`, `db?`), or
//! a regular expression after `~`; `&item` keeps only hosts also in item,
//! `!item` drops hosts in item. Plain items are united first, then the
//! `&` items intersect, then the `!` items exclude (order does not matter).

use super::Target;
use crate::wildcard::text as wildcard;

/// The targets `pattern` selects, in inventory order. A pattern that
/// selects nothing is an error.
pub fn apply(targets: Vec<Target>, pattern: &str) -> Result<Vec<Target>, String> {
    let items: Vec<&str> = pattern
        .split([':', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if items.is_empty() {
        return Err(format!("--limit {pattern:?}: no host or group named"));
    }
    let mut union = Vec::new();
    let mut and = Vec::new();
    let mut not = Vec::new();
    for item in items {
        if let Some(i) = item.strip_prefix('&') {
            and.push(Item::new(i)?);
        } else if let Some(i) = item.strip_prefix('!') {
            not.push(Item::new(i)?);
        } else {
            union.push(Item::new(item)?);
        }
    }
    // Only exclusions or intersections: start from every host, as Ansible does.
    let start_all = union.is_empty();
    let kept: Vec<Target> = targets
        .into_iter()
        .filter(|t| start_all || union.iter().any(|i| i.selects(t)))
        .filter(|t| and.iter().all(|i| i.selects(t)))
        .filter(|t| !not.iter().any(|i| i.selects(t)))
        .collect();
    if kept.is_empty() {
        return Err(format!(
            "--limit {pattern:?} selects no host of the inventory"
        ));
    }
    Ok(kept)
}

enum Item {
    Glob(String),
    Regex(regex::Regex),
}

impl Item {
    fn new(s: &str) -> Result<Item, String> {
        if s.is_empty() {
            return Err("--limit: '&' or '!' without a name after it".into());
        }
        match s.strip_prefix('~') {
            Some(re) => regex::Regex::new(re)
                .map(Item::Regex)
                .map_err(|e| format!("--limit: ~{re}: {e}")),
            None => Ok(Item::Glob(s.to_string())),
        }
    }

    fn hit(&self, name: &str) -> bool {
        match self {
            Item::Glob(g) => wildcard(g, name),
            Item::Regex(r) => r.is_match(name),
        }
    }

    fn selects(&self, t: &Target) -> bool {
        self.hit(&t.name) || t.groups.iter().any(|g| self.hit(g))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, groups: &[&str]) -> Target {
        let mut t = crate::inventory::parse_target(name).unwrap();
        t.groups = groups.iter().map(|g| g.to_string()).collect();
        t
    }

    fn names(pattern: &str) -> Result<Vec<String>, String> {
        let all = vec![
            t("web1", &["all", "web", "prod"]),
            t("web2", &["all", "web", "staging"]),
            t("db1", &["all", "db", "prod"]),
        ];
        apply(all, pattern).map(|v| v.into_iter().map(|t| t.name).collect())
    }

    #[test]
    fn patterns() {
        assert_eq!(names("web1").unwrap(), vec!["web1"]);
        assert_eq!(names("web").unwrap(), vec!["web1", "web2"]);
        assert_eq!(names("web:db").unwrap(), vec!["web1", "web2", "db1"]);
        assert_eq!(names("web,db1").unwrap(), vec!["web1", "web2", "db1"]);
        assert_eq!(names("web:&prod").unwrap(), vec!["web1"]);
        assert_eq!(names("all:!web2").unwrap(), vec!["web1", "db1"]);
        assert_eq!(names("!db").unwrap(), vec!["web1", "web2"]);
        assert_eq!(names("w*").unwrap(), vec!["web1", "web2"]);
        assert_eq!(names("~^db\\d$").unwrap(), vec!["db1"]);
        assert_eq!(names("prod:!db*:&web").unwrap(), vec!["web1"]);
        assert!(names("nothing").unwrap_err().contains("selects no host"));
        assert!(names("web:!").is_err());
        assert!(names("~(").is_err());
    }
}
