//! Ansible YAML inventories: a mapping of groups (usually just `all`), each
//! with optional `hosts` (name → variables), `vars` and `children` (name →
//! group). Host names may use ranges (`web[01:03]`).

use super::ansible::{expand_range, Inventory};
use crate::catalog::check::Params;
use crate::catalog::error::{InputError, InputErrors, SourceLoc};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupDoc {
    #[serde(default)]
    hosts: Option<HashMap<Spanned<String>, Option<Params>>>,
    #[serde(default)]
    vars: Option<Params>,
    #[serde(default)]
    children: Option<HashMap<Spanned<String>, Option<GroupDoc>>>,
}

/// Parse Ansible YAML text; errors carry file:line:column.
pub fn parse(path: &Path, text: &str) -> Result<Inventory, InputErrors> {
    let top: HashMap<Spanned<String>, Option<GroupDoc>> =
        serde_saphyr::from_str(text).map_err(|e| InputError::from_yaml(path, &e))?;
    let mut inv = Inventory::default();
    for (name, g) in in_file_order(top) {
        group(&mut inv, path, &name, g, 0)?;
    }
    if inv.hosts.is_empty() {
        return Err(InputError::new(SourceLoc::file_only(path), "no group lists any host").into());
    }
    Ok(inv)
}

fn in_file_order<T>(m: HashMap<Spanned<String>, T>) -> Vec<(Spanned<String>, T)> {
    let mut v: Vec<_> = m.into_iter().collect();
    v.sort_by_key(|(k, _)| (k.referenced.line(), k.referenced.column()));
    v
}

fn group(
    inv: &mut Inventory,
    path: &Path,
    name: &Spanned<String>,
    g: Option<GroupDoc>,
    depth: usize,
) -> Result<(), InputErrors> {
    let at = |k: &Spanned<String>, msg: String| -> InputErrors {
        InputError::new(SourceLoc::at(path, &k.referenced), msg).into()
    };
    if depth > 64 {
        return Err(at(
            name,
            format!("group {}: children nested too deeply", name.value),
        ));
    }
    inv.group(&name.value);
    let Some(g) = g else { return Ok(()) };
    if let Some(vars) = g.vars {
        inv.group(&name.value).vars.extend(vars);
    }
    for (pattern, vars) in in_file_order(g.hosts.unwrap_or_default()) {
        let hosts = expand_range(&pattern.value)
            .map_err(|e| at(&pattern, format!("group {}: {e}", name.value)))?;
        for host in hosts {
            inv.add_host(&host, vars.clone().unwrap_or_default());
            let gr = inv.group(&name.value);
            if !gr.hosts.contains(&host) {
                gr.hosts.push(host);
            }
        }
    }
    for (child, cg) in in_file_order(g.children.unwrap_or_default()) {
        let gr = inv.group(&name.value);
        if !gr.children.contains(&child.value) {
            gr.children.push(child.value.clone());
        }
        group(inv, path, &child, cg, depth + 1)?;
    }
    Ok(())
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
        let t = parse(Path::new("inv.yml"), YAML)
            .unwrap()
            .targets()
            .unwrap();
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
    fn errors_have_positions() {
        let bad = |y: &str| parse(Path::new("inv.yml"), y).unwrap_err().to_string();
        let e = bad("all:\n  hostz: {a: }\n");
        assert!(e.starts_with("inv.yml:2:") && e.contains("hostz"), "{e}");
        let e = bad("all:\n  hosts: [a, b]\n");
        assert!(e.starts_with("inv.yml:2:"), "{e}");
        let e = bad("all:\n  children:\n    web:\n      hosts:\n        w[3:1]:\n");
        assert!(
            e.starts_with("inv.yml:5:9:") && e.contains("backwards"),
            "{e}"
        );
        assert!(bad("all:\n  vars: {}\n").contains("no group lists any host"));
        assert!(bad("- a\n").starts_with("inv.yml:1:"));
    }
}
