//! Ansible inventories: the model the INI and YAML readers and
//! `ansible-inventory --list` (dynamic inventories) produce, and how it
//! becomes shipshape targets.
//!
//! Variables merge as Ansible merges them: the `all` group first, then
//! parent groups before their children (by depth, then by name), then the
//! host's own variables. Connection variables become the target's settings
//! (`ansible_host`, `ansible_port`, `ansible_user`,
//! `ansible_ssh_private_key_file`, `ansible_become`, a ProxyJump in
//! `ansible_ssh_common_args` / `ansible_ssh_extra_args`); other variables
//! that do not start with `ansible_` become the host's check parameters.

use super::Target;
use crate::catalog::check::Params;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One group: its own hosts, child groups and variables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Group {
    pub hosts: Vec<String>,
    pub children: Vec<String>,
    pub vars: Params,
}

/// A whole inventory, as Ansible sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// Groups by name (`all` and `ungrouped` are added by [`Inventory::targets`]).
    pub groups: BTreeMap<String, Group>,
    /// Hosts in the order first seen, each with its own variables.
    pub hosts: Vec<(String, Params)>,
}

impl Inventory {
    /// Add `host` (if new) and overlay `vars` on its own variables.
    pub fn add_host(&mut self, host: &str, vars: Params) {
        match self.hosts.iter_mut().find(|(h, _)| h == host) {
            Some((_, v)) => v.extend(vars),
            None => self.hosts.push((host.to_string(), vars)),
        }
    }

    pub fn group(&mut self, name: &str) -> &mut Group {
        self.groups.entry(name.to_string()).or_default()
    }

    /// Every host's target, with merged variables and group memberships.
    pub fn targets(&self) -> Result<Vec<Target>, String> {
        // Parents of each group (a group may have several).
        let mut parents: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (name, g) in &self.groups {
            for c in &g.children {
                parents.entry(c.as_str()).or_default().push(name.as_str());
            }
        }
        let mut out = Vec::new();
        for (host, own) in &self.hosts {
            // The host's groups, each with its depth below `all`.
            let mut depth: BTreeMap<&str, usize> = BTreeMap::new();
            let mut todo: Vec<&str> = self
                .groups
                .iter()
                .filter(|(_, g)| g.hosts.iter().any(|h| h == host))
                .map(|(n, _)| n.as_str())
                .collect();
            let direct: BTreeSet<&str> = todo.iter().copied().filter(|g| *g != "all").collect();
            while let Some(g) = todo.pop() {
                if depth.contains_key(g) {
                    continue;
                }
                let d = group_depth(g, &parents, &mut Vec::new())?;
                depth.insert(g, d);
                if let Some(ps) = parents.get(g) {
                    todo.extend(ps.iter().copied());
                }
            }
            depth.insert("all", 0);
            if direct.is_empty() || direct.iter().all(|g| *g == "ungrouped") {
                depth.insert("ungrouped", 1);
            }
            let mut order: Vec<(&str, usize)> = depth.iter().map(|(g, d)| (*g, *d)).collect();
            order.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(b.0)));
            let mut vars = Params::new();
            for (g, _) in &order {
                if let Some(group) = self.groups.get(*g) {
                    vars.extend(group.vars.clone());
                }
            }
            vars.extend(own.clone());
            let groups = order.iter().map(|(g, _)| g.to_string()).collect();
            out.push(target(host, vars, groups)?);
        }
        Ok(out)
    }
}

fn group_depth<'a>(
    g: &'a str,
    parents: &BTreeMap<&'a str, Vec<&'a str>>,
    path: &mut Vec<&'a str>,
) -> Result<usize, String> {
    if path.contains(&g) {
        return Err(format!("group {g:?} is its own ancestor (children loop)"));
    }
    if g == "all" {
        return Ok(0);
    }
    path.push(g);
    let mut d = 1;
    for p in parents.get(g).map(Vec::as_slice).unwrap_or(&[]) {
        d = d.max(group_depth(p, parents, path)? + 1);
    }
    path.pop();
    Ok(d)
}

fn target(name: &str, mut vars: Params, groups: Vec<String>) -> Result<Target, String> {
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err(format!(
            "host name {name:?} is empty or holds control characters"
        ));
    }
    let text = |vars: &Params, k: &str| -> Result<Option<String>, String> {
        match vars.get(k) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(format!("host {name:?}: {k} must be text, not {other}")),
        }
    };
    if let Some(c) = text(&vars, "ansible_connection")? {
        if !matches!(c.as_str(), "ssh" | "smart" | "paramiko" | "paramiko_ssh") {
            return Err(format!(
                "host {name:?}: ansible_connection={c} is not an SSH connection; shipshape \
                 audits over SSH only (use --local for this machine)"
            ));
        }
    }
    let address = text(&vars, "ansible_host")?
        .or(text(&vars, "ansible_ssh_host")?)
        .unwrap_or_else(|| name.to_string());
    if address.trim().is_empty() || address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "host {name:?}: address {address:?} is not a host name or IP address"
        ));
    }
    let port = match text(&vars, "ansible_port")?.or(text(&vars, "ansible_ssh_port")?) {
        None => None,
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("host {name:?}: ansible_port {p:?} is not 1 to 65535"))?,
        ),
    };
    let user = text(&vars, "ansible_user")?.or(text(&vars, "ansible_ssh_user")?);
    let identity_file = text(&vars, "ansible_ssh_private_key_file")?
        .or(text(&vars, "ansible_private_key_file")?)
        .map(PathBuf::from);
    let become_root = match vars.get("ansible_become").or(vars.get("ansible_sudo")) {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => Some(
            truthy(v)
                .ok_or_else(|| format!("host {name:?}: ansible_become {v} is not true or false"))?,
        ),
    };
    if let Some(m) = text(&vars, "ansible_become_method")? {
        if m != "sudo" {
            return Err(format!(
                "host {name:?}: ansible_become_method={m}: shipshape becomes root with sudo only"
            ));
        }
    }
    if let Some(u) = text(&vars, "ansible_become_user")? {
        if u != "root" {
            return Err(format!(
                "host {name:?}: ansible_become_user={u}: shipshape becomes root only"
            ));
        }
    }
    let mut proxy_jump = None;
    for k in ["ansible_ssh_common_args", "ansible_ssh_extra_args"] {
        if let Some(args) = text(&vars, k)? {
            if let Some(j) =
                proxy_jump_in(&args).map_err(|why| format!("host {name:?}: {k}: {why}"))?
            {
                proxy_jump = Some(j);
            }
        }
    }
    vars.retain(|k, _| !k.starts_with("ansible_"));
    Ok(Target {
        name: name.to_string(),
        address,
        port,
        user,
        identity_file,
        vars,
        groups,
        become_root,
        proxy_jump,
        route: None,
    })
}

/// Ansible's booleans: true/false, yes/no, on/off, 1/0 (any case).
pub fn truthy(v: &serde_json::Value) -> Option<bool> {
    match v {
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::Number(n) => n.as_i64().and_then(|n| match n {
            1 => Some(true),
            0 => Some(false),
            _ => None,
        }),
        serde_json::Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" | "y" | "t" => Some(true),
            "false" | "no" | "off" | "0" | "n" | "f" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The ProxyJump of ssh arguments (`-J hops`, `-o ProxyJump=hops`); other
/// `-o` options that change the connection are refused.
fn proxy_jump_in(args: &str) -> Result<Option<Vec<String>>, String> {
    let words: Vec<String> = args
        .split_whitespace()
        .map(|w| w.trim_matches(|c| c == '"' || c == '\'').to_string())
        .collect();
    let mut out = None;
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let (flag, inline) = if w.len() > 2 && (w.starts_with("-J") || w.starts_with("-o")) {
            (&w[..2], Some(w[2..].to_string()))
        } else {
            (w.as_str(), None)
        };
        let value = |i: &mut usize| -> Result<String, String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => {
                    *i += 1;
                    words
                        .get(*i)
                        .cloned()
                        .ok_or_else(|| format!("{flag} without a value"))
                }
            }
        };
        match flag {
            "-J" => out = Some(value(&mut i)?),
            "-o" => {
                let opt = value(&mut i)?;
                let (k, v) = opt
                    .split_once('=')
                    .or_else(|| opt.split_once(' '))
                    .unwrap_or((opt.as_str(), ""));
                match k.to_ascii_lowercase().as_str() {
                    "proxyjump" => out = Some(v.to_string()),
                    "proxycommand" => {
                        return Err("ProxyCommand is not supported; use ProxyJump (-J)".into())
                    }
                    // Options that do not change where or as whom we connect.
                    _ => {}
                }
            }
            _ => {}
        }
        i += 1;
    }
    Ok(out.map(|s| {
        if s.eq_ignore_ascii_case("none") {
            Vec::new()
        } else {
            s.split(',').map(|h| h.trim().to_string()).collect()
        }
    }))
}

/// Expand Ansible host ranges: `web[01:03]`, `db-[a:c]`, `n[1:9:2]`.
pub fn expand_range(pattern: &str) -> Result<Vec<String>, String> {
    let Some(open) = pattern.find('[') else {
        return Ok(vec![pattern.to_string()]);
    };
    let close = pattern[open..]
        .find(']')
        .map(|c| open + c)
        .ok_or_else(|| format!("{pattern:?}: '[' without ']'"))?;
    let inner = &pattern[open + 1..close];
    let (head, tail) = (&pattern[..open], &pattern[close + 1..]);
    let parts: Vec<&str> = inner.split(':').collect();
    let (start, end, stride) = match parts.as_slice() {
        [a, b] => (*a, *b, 1usize),
        [a, b, s] => (
            *a,
            *b,
            s.parse::<usize>()
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| format!("{pattern:?}: bad stride {s:?}"))?,
        ),
        _ => {
            return Err(format!(
                "{pattern:?}: a range is [start:end] or [start:end:stride]"
            ))
        }
    };
    let mut items = Vec::new();
    if let (Ok(a), Ok(b)) = (start.parse::<u64>(), end.parse::<u64>()) {
        if a > b {
            return Err(format!("{pattern:?}: the range goes backwards"));
        }
        let width = if start.len() > 1 && start.starts_with('0') {
            start.len()
        } else {
            0
        };
        for n in (a..=b).step_by(stride) {
            items.push(format!("{n:0width$}"));
        }
    } else if start.len() == 1 && end.len() == 1 && start <= end {
        let (a, b) = (start.as_bytes()[0], end.as_bytes()[0]);
        if !a.is_ascii_alphabetic() || !b.is_ascii_alphabetic() {
            return Err(format!("{pattern:?}: not a numeric or letter range"));
        }
        for c in (a..=b).step_by(stride) {
            items.push((c as char).to_string());
        }
    } else {
        return Err(format!("{pattern:?}: not a numeric or letter range"));
    }
    if items.len() > 10_000 {
        return Err(format!("{pattern:?}: more than 10000 hosts"));
    }
    let mut out = Vec::new();
    for item in items {
        for rest in expand_range(tail)? {
            out.push(format!("{head}{item}{rest}"));
        }
    }
    Ok(out)
}

/// A dynamic inventory: run `ansible-inventory -i FILE --list` and read its
/// JSON. Needs Ansible installed (`ansible-inventory` on PATH).
pub fn dynamic(path: &Path) -> Result<Inventory, String> {
    let out = Command::new("ansible-inventory")
        .arg("-i")
        .arg(path)
        .arg("--list")
        .env("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true")
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "{} is a dynamic inventory (an executable script, an inventory plugin's \
                     configuration or a directory), and reading one needs Ansible's \
                     `ansible-inventory`, which is not on PATH (install ansible-core, or give \
                     a static INI or YAML inventory)",
                    path.display()
                )
            } else {
                format!("cannot run ansible-inventory: {e}")
            }
        })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "ansible-inventory -i {} --list failed ({}): {}",
            path.display(),
            out.status,
            err.trim().chars().take(1000).collect::<String>()
        ));
    }
    from_list_json(&out.stdout).map_err(|e| {
        format!(
            "ansible-inventory -i {} --list: unexpected output: {e}",
            path.display()
        )
    })
}

/// Read `ansible-inventory --list` JSON (the dynamic-inventory format).
pub fn from_list_json(bytes: &[u8]) -> Result<Inventory, String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let obj = v.as_object().ok_or("not a JSON object")?;
    let mut inv = Inventory::default();
    let hostvars = obj
        .get("_meta")
        .and_then(|m| m.get("hostvars"))
        .and_then(|h| h.as_object());
    for (name, g) in obj {
        if name == "_meta" {
            continue;
        }
        let strings = |k: &str| -> Vec<String> {
            g.get(k)
                .and_then(|x| x.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let hosts = strings("hosts");
        let children = strings("children");
        let vars: Params = g
            .get("vars")
            .and_then(|x| x.as_object())
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        for h in &hosts {
            let own: Params = hostvars
                .and_then(|hv| hv.get(h))
                .and_then(|x| x.as_object())
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default();
            inv.add_host(h, own);
        }
        let group = inv.group(name);
        group.hosts.extend(hosts);
        group.children.extend(children);
        group.vars.extend(vars);
    }
    if inv.hosts.is_empty() {
        return Err("it lists no hosts".into());
    }
    Ok(inv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ranges() {
        assert_eq!(
            expand_range("web[01:03].lab").unwrap(),
            vec!["web01.lab", "web02.lab", "web03.lab"]
        );
        assert_eq!(
            expand_range("db-[a:c]").unwrap(),
            vec!["db-a", "db-b", "db-c"]
        );
        assert_eq!(expand_range("n[1:5:2]").unwrap(), vec!["n1", "n3", "n5"]);
        assert_eq!(expand_range("plain").unwrap(), vec!["plain"]);
        assert!(expand_range("x[3:1]").is_err());
        assert!(expand_range("x[1:").is_err());
    }

    #[test]
    fn precedence_of_variables() {
        let mut inv = Inventory::default();
        inv.group("all").vars.insert("v".into(), json!("all"));
        inv.group("all").children = vec!["prod".into()];
        inv.group("prod").children = vec!["web".into()];
        inv.group("prod").vars.insert("v".into(), json!("prod"));
        inv.group("prod")
            .vars
            .insert("ansible_user".into(), json!("ops"));
        inv.group("web").hosts = vec!["w1".into()];
        inv.group("web").vars.insert("v".into(), json!("web"));
        inv.add_host("w1", Params::new());
        inv.add_host("solo", Params::from([("ansible_port".into(), json!(2222))]));
        let t = inv.targets().unwrap();
        assert_eq!(t[0].vars["v"], "web");
        assert_eq!(t[0].user.as_deref(), Some("ops"));
        assert_eq!(t[0].groups, vec!["all", "prod", "web"]);
        assert_eq!(t[1].groups, vec!["all", "ungrouped"]);
        assert_eq!(t[1].port, Some(2222));
        assert_eq!(t[1].vars["v"], "all");
        assert!(!t[1].vars.contains_key("ansible_port"));
    }

    #[test]
    fn connection_variables() {
        let vars = Params::from([
            ("ansible_host".into(), json!("10.0.0.5")),
            ("ansible_become".into(), json!("yes")),
            ("ansible_ssh_private_key_file".into(), json!("/k")),
            (
                "ansible_ssh_common_args".into(),
                json!("-o StrictHostKeyChecking=no -o ProxyJump=j1,j2"),
            ),
        ]);
        let t = target("h", vars, vec![]).unwrap();
        assert_eq!(t.address, "10.0.0.5");
        assert_eq!(t.become_root, Some(true));
        assert_eq!(t.identity_file, Some(PathBuf::from("/k")));
        assert_eq!(t.proxy_jump, Some(vec!["j1".to_string(), "j2".to_string()]));
        let bad = Params::from([("ansible_connection".into(), json!("winrm"))]);
        assert!(target("h", bad, vec![]).unwrap_err().contains("winrm"));
        let cmd = Params::from([(
            "ansible_ssh_common_args".into(),
            json!("-o ProxyCommand='nc %h %p'"),
        )]);
        assert!(target("h", cmd, vec![])
            .unwrap_err()
            .contains("ProxyCommand"));
        assert_eq!(
            proxy_jump_in("-J user@b:2200").unwrap(),
            Some(vec!["user@b:2200".to_string()])
        );
    }

    #[test]
    fn list_json() {
        let text = br#"{"_meta": {"hostvars": {"a": {"ansible_host": "10.0.0.1"}, "b": {}}},
            "all": {"children": ["ungrouped", "web"]},
            "web": {"hosts": ["a"], "vars": {"domain": "x.example"}},
            "ungrouped": {"hosts": ["b"]}}"#;
        let t = from_list_json(text).unwrap().targets().unwrap();
        assert_eq!(t.len(), 2);
        let a = t.iter().find(|t| t.name == "a").unwrap();
        assert_eq!(a.address, "10.0.0.1");
        assert_eq!(a.vars["domain"], "x.example");
        assert!(from_list_json(b"{}").is_err());
        assert!(from_list_json(b"[").is_err());
    }
}
