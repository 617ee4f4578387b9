//! Targets: from `[user@]host[:port]` arguments and from inventories, each
//! with its merged parameters. `--inventory` takes shipshape's own YAML
//! (`defaults`, `vars`, `hosts`), Ansible YAML, Ansible INI, or an
//! executable dynamic inventory (read with `ansible-inventory --list`); the
//! format is recognised from the file itself (see [`load_inventory`]).

pub mod ansible;
pub mod ansible_ini;
pub mod ansible_yaml;
pub mod limit;

use crate::catalog::check::Params;
use crate::catalog::error::{InputError, InputErrors, SourceLoc};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::{Path, PathBuf};

/// One host to audit.
#[derive(Debug, Clone)]
pub struct Target {
    /// The name reports use.
    pub name: String,
    /// Where to connect (name or IP address).
    pub address: String,
    /// The port the target names (`host:port`, inventory); `None` leaves it
    /// to `--port`, ssh_config, or 22.
    pub port: Option<u16>,
    pub user: Option<String>,
    pub identity_file: Option<PathBuf>,
    /// Inventory-wide vars overlaid by the host's own vars.
    pub vars: Params,
    /// Inventory groups the host belongs to, with their ancestors and `all`
    /// (for `--limit`); empty for command-line targets.
    pub groups: Vec<String>,
    /// Run the probes as root through sudo (inventory `become`,
    /// `ansible_become`); `None` leaves it to `--become`.
    pub become_root: Option<bool>,
    /// Jump hosts the inventory names (`proxy_jump`, or a ProxyJump in
    /// `ansible_ssh_common_args`); `None` leaves it to ssh_config, an empty
    /// list means none.
    pub proxy_jump: Option<Vec<String>>,
    /// Where and how to connect, once resolved (see [`crate::route`]).
    pub route: Option<crate::route::Route>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct InventoryDoc {
    #[serde(default)]
    defaults: HostDoc,
    #[serde(default)]
    vars: Params,
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, HostDoc>")]
    hosts: std::collections::HashMap<Spanned<String>, HostDoc>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct HostDoc {
    address: Option<String>,
    port: Option<u16>,
    user: Option<String>,
    identity_file: Option<PathBuf>,
    /// Run the probes as root through sudo.
    #[serde(rename = "become")]
    become_root: Option<bool>,
    /// Jump hosts, `[user@]host[:port]` separated by commas, or `none`.
    proxy_jump: Option<String>,
    #[serde(default)]
    vars: Params,
}

/// The JSON Schema of the shipshape YAML inventory, derived from the types
/// that read it (Ansible inventories have their own formats).
pub fn schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    generator.root_schema_for::<InventoryDoc>()
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
        name: match port {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        },
        address: host,
        port,
        user,
        identity_file: None,
        vars: Params::new(),
        groups: Vec::new(),
        become_root: None,
        proxy_jump: None,
        route: None,
    })
}

/// The formats `--inventory` recognises, in the order they are tried.
const FORMATS: &str = "shipshape YAML, Ansible YAML, Ansible INI";

/// Read an inventory of any supported format. An executable file starting
/// with `#!` is a dynamic inventory (run through `ansible-inventory`). Text
/// is shipshape YAML when it is a mapping whose keys are only `defaults`,
/// `vars` and `hosts`; Ansible YAML when it is another mapping; Ansible INI
/// otherwise. A file that fits none is an error naming each format tried.
pub fn load_inventory(path: &Path) -> Result<Vec<Target>, InputErrors> {
    let whole =
        |msg: String| -> InputErrors { InputError::new(SourceLoc::file_only(path), msg).into() };
    // Scripts, inventory plugin configurations and inventory directories
    // are Ansible's to read.
    if is_script(path) || path.is_dir() || is_plugin_config(path) {
        let inv = ansible::dynamic(path).map_err(whole)?;
        return inv
            .targets()
            .map_err(|e| whole(format!("dynamic inventory: {e}")));
    }
    let src = crate::catalog::read_file(path)?;
    detect_and_parse(path, &src.text)
}

/// An inventory plugin's configuration: YAML with a top-level `plugin:`.
fn is_plugin_config(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    text.lines().any(|l| {
        l.strip_prefix("plugin:")
            .is_some_and(|v| !v.trim().is_empty())
    }) && serde_saphyr::from_str::<serde_json::Value>(&text)
        .is_ok_and(|v| v.get("plugin").is_some_and(|p| p.is_string()))
}

fn is_script(path: &Path) -> bool {
    use std::io::Read as _;
    use std::os::unix::fs::PermissionsExt as _;
    let executable =
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
    let mut head = [0u8; 2];
    executable
        && std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut head))
            .is_ok()
        && &head == b"#!"
}

/// Recognise the format of inventory text and parse it.
pub fn detect_and_parse(path: &Path, text: &str) -> Result<Vec<Target>, InputErrors> {
    let whole =
        |msg: String| -> InputErrors { InputError::new(SourceLoc::file_only(path), msg).into() };
    let yaml: Result<serde_json::Value, String> =
        serde_saphyr::from_str(text).map_err(|e| e.to_string());
    let native_keys = |m: &serde_json::Map<String, serde_json::Value>| {
        !m.is_empty()
            && m.keys()
                .all(|k| matches!(k.as_str(), "defaults" | "vars" | "hosts"))
    };
    match &yaml {
        Ok(serde_json::Value::Object(m)) if native_keys(m) => parse_inventory(path, text),
        Ok(serde_json::Value::Object(_)) => {
            let inv = ansible_yaml::parse(path, text).map_err(|mut errs| {
                if let Some(first) = errs.0.first_mut() {
                    first.hint = Some(format!(
                        "read as an Ansible YAML inventory, since it is a YAML mapping with \
                         other keys than shipshape's defaults, vars and hosts (formats tried: \
                         {FORMATS})"
                    ));
                }
                errs
            })?;
            inv.targets()
                .map_err(|e| whole(format!("Ansible YAML inventory: {e}")))
        }
        _ => {
            let inv = ansible_ini::parse(text).map_err(|ini| {
                let yaml_why = match &yaml {
                    Ok(_) => "not a YAML mapping".to_string(),
                    Err(e) => format!("not YAML: {}", e.lines().next().unwrap_or("")),
                };
                whole(format!(
                    "not an inventory in any format shipshape reads (tried {FORMATS}): \
                     shipshape YAML and Ansible YAML: {yaml_why}; Ansible INI: {ini}"
                ))
            })?;
            inv.targets()
                .map_err(|e| whole(format!("Ansible INI inventory: {e}")))
        }
    }
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
        let port = h.port.or(doc.defaults.port);
        if port == Some(0) {
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
            groups: vec!["all".to_string()],
            become_root: h.become_root.or(doc.defaults.become_root),
            proxy_jump: h
                .proxy_jump
                .or_else(|| doc.defaults.proxy_jump.clone())
                .map(|j| {
                    if j.trim().eq_ignore_ascii_case("none") {
                        Vec::new()
                    } else {
                        j.split(',').map(|h| h.trim().to_string()).collect()
                    }
                }),
            route: None,
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
            (Some("admin"), "web1", Some(2222))
        );
        let t = parse_target("[::1]:2200").unwrap();
        assert_eq!((t.address.as_str(), t.port), ("::1", Some(2200)));
        let t = parse_target("10.0.0.1").unwrap();
        assert_eq!((t.name.as_str(), t.port, t.user), ("10.0.0.1", None, None));
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
        assert_eq!(hosts[0].port, Some(2222));
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

    #[test]
    fn formats_are_recognised_from_the_content() {
        let p = Path::new("inv");
        let native = detect_and_parse(p, "hosts:\n  a: {address: 10.0.0.1}\n").unwrap();
        assert_eq!(native[0].address, "10.0.0.1");
        let yaml =
            detect_and_parse(p, "all:\n  hosts:\n    a: {ansible_host: 10.0.0.2}\n").unwrap();
        assert_eq!(yaml[0].address, "10.0.0.2");
        let ini = detect_and_parse(p, "[web]\na ansible_host=10.0.0.3\n").unwrap();
        assert_eq!(ini[0].address, "10.0.0.3");
        assert_eq!(ini[0].groups, vec!["all", "web"]);
        let plain = detect_and_parse(p, "a\nb\n").unwrap();
        assert_eq!(plain.len(), 2);
        // Wrong guesses name every format tried.
        let err = detect_and_parse(p, "[web\n").unwrap_err().to_string();
        assert!(
            err.contains("shipshape YAML, Ansible YAML, Ansible INI"),
            "{err}"
        );
        assert!(err.contains("line 1"), "{err}");
        let err = detect_and_parse(p, "all:\n  hostz: {}\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Ansible YAML") && err.contains("formats tried"),
            "{err}"
        );
        // Native errors keep their positions.
        let err = detect_and_parse(p, "hosts:\n  web1: {adress: x}\n").unwrap_err();
        assert!(err.to_string().starts_with("inv:2:"), "{err}");
    }

    #[test]
    fn native_become_and_proxy_jump() {
        let hosts = parse_inventory(
            Path::new("inv.yml"),
            "defaults: {become: true}\nhosts:\n  a: {proxy_jump: \"j1, u@j2:2200\"}\n  b: {become: false, proxy_jump: none}\n",
        )
        .unwrap();
        assert_eq!(hosts[0].become_root, Some(true));
        assert_eq!(
            hosts[0].proxy_jump,
            Some(vec!["j1".to_string(), "u@j2:2200".to_string()])
        );
        assert_eq!(hosts[1].become_root, Some(false));
        assert_eq!(hosts[1].proxy_jump, Some(vec![]));
    }

    #[test]
    fn plugin_configurations_are_dynamic() {
        let dir = tempfile::tempdir().unwrap();
        let plugin = dir.path().join("aws_ec2.yml");
        std::fs::write(
            &plugin,
            "plugin: amazon.aws.aws_ec2\nregions: [ap-northeast-1]\n",
        )
        .unwrap();
        assert!(is_plugin_config(&plugin));
        let yaml = dir.path().join("hosts.yml");
        std::fs::write(&yaml, "all:\n  hosts:\n    plugin:\n").unwrap();
        assert!(!is_plugin_config(&yaml));
    }
}
