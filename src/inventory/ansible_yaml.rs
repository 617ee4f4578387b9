//! Ansible YAML inventories: a mapping of groups (usually just `all`), each
//! with optional `hosts` (name → variables), `vars` and `children` (name →
//! group). Host names may use ranges (`web[01:03]`).

use super::ansible::{expand_range, Inventory};
use crate::catalog::check::Params;
use serde_json::Value;

/// Read an already-parsed YAML document. Errors name the group or host.
pub fn from_value(doc: &Value) -> Result<Inventory, String> {
    let top = doc
        .as_object()
        .ok_or("the document is not a mapping of groups")?;
    let mut inv = Inventory::default();
    for (name, g) in top {
        group(&mut inv, name, g, 0)?;
    }
    if inv.hosts.is_empty() {
        return Err("no group lists any host".into());
    }
    Ok(inv)
}

fn group(inv: &mut Inventory, name: &str, g: &Value, depth: usize) -> Result<(), String> {
    if depth > 64 {
        return Err(format!("group {name}: children nested too deeply"));
    }
    inv.group(name);
    let g = match g {
        Value::Null => return Ok(()),
        Value::Object(m) => m,
        other => {
            return Err(format!(
                "group {name}: expected a mapping with hosts, vars or children, found {other}"
            ))
        }
    };
    for key in g.keys() {
        if !matches!(key.as_str(), "hosts" | "vars" | "children") {
            return Err(format!(
                "group {name}: unknown key {key:?} (a group has hosts, vars and children)"
            ));
        }
    }
    if let Some(vars) = g.get("vars") {
        let vars = mapping(vars).ok_or_else(|| format!("group {name}: vars must be a mapping"))?;
        inv.group(name).vars.extend(vars);
    }
    match g.get("hosts") {
        None | Some(Value::Null) => {}
        Some(Value::Object(hosts)) => {
            for (pattern, vars) in hosts {
                let vars = match vars {
                    Value::Null => Params::new(),
                    v => mapping(v).ok_or_else(|| {
                        format!("group {name}, host {pattern}: variables must be a mapping")
                    })?,
                };
                for host in expand_range(pattern).map_err(|e| format!("group {name}: {e}"))? {
                    inv.add_host(&host, vars.clone());
                    let gr = inv.group(name);
                    if !gr.hosts.contains(&host) {
                        gr.hosts.push(host);
                    }
                }
            }
        }
        Some(_) => {
            return Err(format!(
                "group {name}: hosts must be a mapping of host names"
            ))
        }
    }
    match g.get("children") {
        None | Some(Value::Null) => {}
        Some(Value::Object(children)) => {
            for (child, cg) in children {
                let gr = inv.group(name);
                if !gr.children.contains(child) {
                    gr.children.push(child.clone());
                }
                group(inv, child, cg, depth + 1)?;
            }
        }
        Some(_) => {
            return Err(format!(
                "group {name}: children must be a mapping of groups"
            ))
        }
    }
    Ok(())
}

fn mapping(v: &Value) -> Option<Params> {
    match v {
        Value::Null => Some(Params::new()),
        Value::Object(m) => Some(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "
all:
  vars:
    domain: seaways.example.jp
  hosts:
    jump.example:
  children:
    web:
      hosts:
        web[1:2]:
          ansible_user: deploy
      vars:
        ansible_become: yes
    prod:
      children:
        web:
      vars:
        domain: prod.example
        ansible_port: 2222
";

    #[test]
    fn groups_children_vars() {
        let doc: Value = serde_saphyr::from_str(YAML).unwrap();
        let t = from_value(&doc).unwrap().targets().unwrap();
        let names: Vec<&str> = t.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, vec!["jump.example", "web1", "web2"]);
        assert_eq!(t[0].groups, vec!["all", "ungrouped"]);
        assert_eq!(t[0].vars["domain"], "seaways.example.jp");
        assert_eq!(t[1].groups, vec!["all", "prod", "web"]);
        assert_eq!(t[1].vars["domain"], "prod.example");
        assert_eq!(t[1].port, Some(2222));
        assert_eq!(t[1].user.as_deref(), Some("deploy"));
        assert_eq!(t[1].become_root, Some(true));
    }

    #[test]
    fn shape_errors() {
        let bad = |y: &str| {
            let doc: Value = serde_saphyr::from_str(y).unwrap();
            from_value(&doc).unwrap_err()
        };
        assert!(bad("all:\n  hostz: {a: }\n").contains("hostz"));
        assert!(bad("all:\n  hosts: [a, b]\n").contains("hosts must be a mapping"));
        assert!(bad("all:\n  vars: {}\n").contains("no group lists any host"));
        assert!(bad("- a\n").contains("not a mapping"));
    }
}
