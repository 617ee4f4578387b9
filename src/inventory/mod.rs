//! Targets: from `[user@]host[:port]` arguments and from a YAML inventory
//! (`defaults`, `vars`, `hosts`), each with its merged parameters.

use crate::catalog::check::Params;
use crate::catalog::error::{InputError, InputErrors, SourceLoc};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::{Path, PathBuf};

/// One host to audit.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The name reports use.
    pub name: String,
    /// Where to connect (name or IP address).
    pub address: String,
    pub port: u16,
    pub user: Option<String>,
    pub identity_file: Option<PathBuf>,
    /// Inventory-wide vars overlaid by the host's own vars.
    pub vars: Params,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InventoryDoc {
    #[serde(default)]
    defaults: HostDoc,
    #[serde(default)]
    vars: Params,
    #[serde(default)]
    hosts: std::collections::HashMap<Spanned<String>, HostDoc>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HostDoc {
    address: Option<String>,
    port: Option<u16>,
    user: Option<String>,
    identity_file: Option<PathBuf>,
    #[serde(default)]
    vars: Params,
}

/// Parse `[user@]host[:port]` (IPv6 as `[addr]:port`).
pub fn parse_target(spec: &str) -> Result<Target, String> {
    let (user, rest) = match spec.rsplit_once('@') {
        Some((u, r)) if !u.is_empty() => (Some(u.to_string()), r),
        Some(_) => return Err(format!("{spec:?}: empty user before '@'")),
        None => (None, spec),
    };
    let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
        let (addr, after) = inner
            .split_once(']')
            .ok_or_else(|| format!("{spec:?}: '[' without ']'"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(format!("{spec:?}: unexpected text after ']'")),
        };
        (addr.to_string(), port)
    } else if rest.matches(':').count() > 1 {
        (rest.to_string(), None) // a bare IPv6 address
    } else {
        match rest.split_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (rest.to_string(), None),
        }
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{spec:?}: not a host name or address"));
    }
    let port = match port {
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("{spec:?}: port must be 1 to 65535"))?,
        ),
        None => None,
    };
    Ok(Target {
        name: host.clone(),
        address: host,
        port: port.unwrap_or(22),
        user,
        identity_file: None,
        vars: Params::new(),
    })
    .map(|mut t| {
        if let Some(p) = port {
            t.port = p;
            t.name = format!("{}:{p}", t.name);
        }
        t
    })
}

/// Read a YAML inventory.
pub fn load_inventory(path: &Path) -> Result<Vec<Target>, InputErrors> {
    let src = crate::catalog::read_file(path)?;
    parse_inventory(path, &src.text)
}

pub fn parse_inventory(path: &Path, text: &str) -> Result<Vec<Target>, InputErrors> {
    let doc: InventoryDoc =
        serde_saphyr::from_str(text).map_err(|e| InputError::from_yaml(path, &e))?;
    if doc.hosts.is_empty() {
        return Err(
            InputError::new(SourceLoc::file_only(path), "the inventory lists no hosts")
                .hint("add `hosts:` with at least one `name: {address: ...}`")
                .into(),
        );
    }
    let mut errors = Vec::new();
    let mut hosts: Vec<(Spanned<String>, HostDoc)> = doc.hosts.into_iter().collect();
    hosts.sort_by_key(|(k, _)| (k.referenced.line(), k.referenced.column()));
    let mut out = Vec::new();
    for (name, h) in hosts {
        let loc = SourceLoc::at(path, &name.referenced);
        // Names are printed as they are in reports: a newline or an escape
        // sequence in one could forge report lines or drive the terminal.
        // (Shell metacharacters are harmless: names never reach a shell.)
        if name.value.trim().is_empty() || name.value.chars().any(char::is_control) {
            errors.push(
                InputError::new(
                    loc,
                    format!(
                        "host name {:?} is empty or holds control characters",
                        name.value
                    ),
                )
                .hint("use a plain name; control characters (newlines, escapes) are not allowed"),
            );
            continue;
        }
        let address = h
            .address
            .or_else(|| doc.defaults.address.clone())
            .unwrap_or_else(|| name.value.clone());
        if address.trim().is_empty() || address.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            errors.push(InputError::new(
                loc,
                format!(
                    "host {:?}: address {address:?} is not a host name or IP address",
                    name.value
                ),
            ));
            continue;
        }
        let port = h.port.or(doc.defaults.port).unwrap_or(22);
        if port == 0 {
            errors.push(InputError::new(
                loc,
                format!("host {:?}: port must be 1 to 65535", name.value),
            ));
            continue;
        }
        let mut vars = doc.vars.clone();
        vars.extend(doc.defaults.vars.clone());
        vars.extend(h.vars);
        out.push(Target {
            name: name.value,
            address,
            port,
            user: h.user.or_else(|| doc.defaults.user.clone()),
            identity_file: h
                .identity_file
                .or_else(|| doc.defaults.identity_file.clone()),
            vars,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(InputErrors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_specs() {
        let t = parse_target("admin@web1:2222").unwrap();
        assert_eq!(
            (t.user.as_deref(), t.address.as_str(), t.port),
            (Some("admin"), "web1", 2222)
        );
        let t = parse_target("[::1]:2200").unwrap();
        assert_eq!((t.address.as_str(), t.port), ("::1", 2200));
        let t = parse_target("10.0.0.1").unwrap();
        assert_eq!((t.name.as_str(), t.port, t.user), ("10.0.0.1", 22, None));
        assert!(parse_target("web1:0").is_err());
        assert!(parse_target("web1:http").is_err());
        assert!(parse_target("@web1").is_err());
        assert!(parse_target("a b").is_err());
    }

    #[test]
    fn the_documented_shape() {
        let text = "defaults: {user: root, port: 22, identity_file: /path/to/key}\nvars: {domain: example.co.jp, organization: [example, \"example shipping\"]}\nhosts:\n  web1: {address: 192.0.2.10, port: 2222, user: admin, vars: {domain: other.example}}\n  db1: {address: 192.0.2.11}\n";
        let hosts = parse_inventory(Path::new("inv.yml"), text).unwrap();
        assert_eq!(hosts.len(), 2);
        assert_eq!(hosts[0].name, "web1");
        assert_eq!(hosts[0].port, 2222);
        assert_eq!(hosts[0].user.as_deref(), Some("admin"));
        assert_eq!(hosts[0].vars["domain"], "other.example");
        assert_eq!(hosts[1].user.as_deref(), Some("root"));
        assert_eq!(
            hosts[1].identity_file.as_deref(),
            Some(Path::new("/path/to/key"))
        );
        assert_eq!(hosts[1].vars["organization"][1], "example shipping");
    }

    #[test]
    fn errors_have_positions() {
        let err =
            parse_inventory(Path::new("inv.yml"), "hosts:\n  web1: {adress: x}\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("inv.yml:2:"), "{msg}");
        let err =
            parse_inventory(Path::new("inv.yml"), "hosts:\n  web1: {port: 99999}\n").unwrap_err();
        assert!(err.to_string().starts_with("inv.yml:2:"), "{err}");
        let err = parse_inventory(
            Path::new("inv.yml"),
            "hosts:\n  ok: {address: a}\n  \"x\\nfake: audited\": {address: b}\n",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("inv.yml:3:3:"), "{err}");
        assert!(err.to_string().contains("control characters"), "{err}");
        let hosts = parse_inventory(
            Path::new("inv.yml"),
            "hosts:\n  \"a'$(b)`c`;\": {address: x}\n",
        )
        .unwrap();
        assert_eq!(hosts[0].name, "a'$(b)`c`;");
        let err = parse_inventory(Path::new("inv.yml"), "hosts: {}\n").unwrap_err();
        assert!(err.to_string().contains("no hosts"), "{err}");
    }
}
