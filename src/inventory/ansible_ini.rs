//! Ansible INI inventories: hosts before any section (ungrouped), `[group]`
//! sections of host lines (`name[:port] key=value ...`, ranges like
//! `web[01:03]`), `[group:vars]` and `[group:children]`.

use super::ansible::{expand_range, Inventory};
use crate::catalog::check::Params;

/// Parse INI text; errors name the line (`LINE: what`).
pub fn parse(text: &str) -> Result<Inventory, String> {
    enum Section {
        Hosts(String),
        Vars(String),
        Children(String),
    }
    let mut inv = Inventory::default();
    let mut section = Section::Hosts("ungrouped".into());
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(head) = line.strip_prefix('[') {
            let head = head
                .strip_suffix(']')
                .ok_or_else(|| format!("line {n}: a section header ends with ']'"))?
                .trim();
            let (name, kind) = match head.split_once(':') {
                Some((g, k)) => (g.trim(), Some(k.trim())),
                None => (head, None),
            };
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(format!("line {n}: {name:?} is not a group name"));
            }
            section = match kind {
                None => Section::Hosts(name.to_string()),
                Some("vars") => Section::Vars(name.to_string()),
                Some("children") => Section::Children(name.to_string()),
                Some(other) => {
                    return Err(format!(
                        "line {n}: [{head}]: a section is [group], [group:vars] or \
                         [group:children], not :{other}"
                    ))
                }
            };
            inv.group(name);
            continue;
        }
        match &section {
            Section::Hosts(group) => {
                let words = split_words(line).map_err(|why| format!("line {n}: {why}"))?;
                let (pattern, rest) = words.split_first().expect("a non-empty line has a word");
                let mut vars = Params::new();
                for w in rest {
                    let (k, v) = w.split_once('=').ok_or_else(|| {
                        format!("line {n}: {w:?} is not key=value (host variables follow the host name)")
                    })?;
                    vars.insert(k.to_string(), value(v));
                }
                let (pattern, port) = split_port(pattern);
                if let Some(p) = port {
                    vars.insert("ansible_port".into(), serde_json::json!(p));
                }
                for host in expand_range(pattern).map_err(|e| format!("line {n}: {e}"))? {
                    inv.add_host(&host, vars.clone());
                    let g = inv.group(group);
                    if !g.hosts.contains(&host) {
                        g.hosts.push(host);
                    }
                }
            }
            Section::Vars(group) => {
                let (k, v) = line
                    .split_once('=')
                    .ok_or_else(|| format!("line {n}: {line:?} is not key=value"))?;
                let v = value(v.trim());
                inv.group(group).vars.insert(k.trim().to_string(), v);
            }
            Section::Children(group) => {
                if line.contains(char::is_whitespace) {
                    return Err(format!("line {n}: {line:?} is not a group name"));
                }
                let child = line.to_string();
                inv.group(&child);
                let g = inv.group(group);
                if !g.children.contains(&child) {
                    g.children.push(child);
                }
            }
        }
    }
    if inv.hosts.is_empty() {
        return Err("no host lines".into());
    }
    // Groups that name hosts only through children still exist; `ungrouped`
    // without hosts is dropped so that it does not show up in memberships.
    if inv
        .groups
        .get("ungrouped")
        .is_some_and(|g| g.hosts.is_empty())
    {
        inv.groups.remove("ungrouped");
    }
    Ok(inv)
}

/// `host:port` (one colon and digits after it) → (host, port).
fn split_port(pattern: &str) -> (&str, Option<u16>) {
    match pattern.rsplit_once(':') {
        Some((h, p))
            if !h.contains(':') && !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) =>
        {
            match p.parse() {
                Ok(port) => (h, Some(port)),
                Err(_) => (pattern, None),
            }
        }
        _ => (pattern, None),
    }
}

/// A value as Ansible's INI reader takes it: integers and True/False are
/// typed, quotes are removed, the rest is text.
fn value(v: &str) -> serde_json::Value {
    if let Ok(i) = v.parse::<i64>() {
        return serde_json::json!(i);
    }
    match v {
        "True" | "true" => return serde_json::Value::Bool(true),
        "False" | "false" => return serde_json::Value::Bool(false),
        _ => {}
    }
    serde_json::Value::String(v.to_string())
}

/// Split on whitespace outside quotes; quotes are removed.
fn split_words(line: &str) -> Result<Vec<String>, String> {
    let line = match line.find(" #") {
        Some(i) if !line[..i].contains(['"', '\'']) => &line[..i],
        _ => line,
    };
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in line.chars() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                started = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            (_, c) => {
                cur.push(c);
                started = true;
            }
        }
    }
    if quote.is_some() {
        return Err("unbalanced quote".into());
    }
    if started {
        out.push(cur);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INI: &str = "\
# fleet
loose.example ansible_port=2201

[web]
web[01:02] ansible_user=deploy
db1:2222 ansible_host=10.0.0.9 note=\"two words\"

[web:vars]
domain=seaways.example.jp
ansible_become=true

[prod:children]
web

[prod:vars]
domain=prod.example
ansible_ssh_private_key_file=/keys/prod
";

    #[test]
    fn groups_children_vars_ranges() {
        let inv = parse(INI).unwrap();
        let t = inv.targets().unwrap();
        let names: Vec<&str> = t.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, vec!["loose.example", "web01", "web02", "db1"]);
        assert_eq!(t[0].port, Some(2201));
        assert_eq!(t[0].groups, vec!["all", "ungrouped"]);
        assert_eq!(t[1].user.as_deref(), Some("deploy"));
        assert_eq!(t[1].groups, vec!["all", "prod", "web"]);
        // web (child) beats prod (parent)
        assert_eq!(t[1].vars["domain"], "seaways.example.jp");
        assert_eq!(t[1].become_root, Some(true));
        assert_eq!(
            t[1].identity_file.as_deref(),
            Some(std::path::Path::new("/keys/prod"))
        );
        assert_eq!(t[3].address, "10.0.0.9");
        assert_eq!(t[3].port, Some(2222));
        assert_eq!(t[3].vars["note"], "two words");
    }

    #[test]
    fn errors_name_the_line() {
        assert!(parse("[web\nh1\n").unwrap_err().starts_with("line 1:"));
        assert!(parse("[web:hosts]\nh1\n").unwrap_err().contains(":hosts"));
        assert!(parse("[web]\nh1 novalue\n")
            .unwrap_err()
            .starts_with("line 2:"));
        assert!(parse("[web:vars]\njustakey\n")
            .unwrap_err()
            .starts_with("line 2:"));
        assert!(parse("# nothing\n").is_err());
        assert!(parse("[w]\nh[1:\n").unwrap_err().starts_with("line 2:"));
    }
}
