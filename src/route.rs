//! Where and how to connect to one target: its inventory entry, the command
//! line and the OpenSSH client configuration merged, most specific first:
//!
//! 1. what the target itself names (`user@host:port` on the command line,
//!    the host's inventory entry and its groups);
//! 2. the command-line defaults (`--user`, `--port`, `--identity`,
//!    `--known-hosts`, `--accept-new-host-keys`);
//! 3. ssh_config (`-F FILE`, else `~/.ssh/config` when it exists);
//! 4. built-in defaults (port 22, the current user, `~/.ssh/known_hosts`).

use crate::inventory::Target;
use crate::sshconfig::{ConfigError, HostConfig, SshConfig, Strict, Tokens};
use crate::transport::ssh::{Jump, SshOptions};
use std::path::{Path, PathBuf};

/// Command-line values and the local environment.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    pub user: Option<String>,
    pub port: Option<u16>,
    pub identity: Option<PathBuf>,
    pub known_hosts: Option<PathBuf>,
    pub accept_new_host_keys: bool,
    /// The local user (`%u`, and the login user when nothing names one).
    pub local_user: String,
    pub home: PathBuf,
}

/// The resolved connection of one target: the address to connect to and
/// the SSH options (timeouts and passwords are the run's to fill in).
#[derive(Debug, Clone)]
pub struct Route {
    pub host: String,
    pub opts: SshOptions,
}

/// Resolve `target` (whose `address` is looked up in `config` as ssh does
/// with the name on its command line).
pub fn resolve(
    target: &Target,
    defaults: &Defaults,
    config: Option<&SshConfig>,
) -> Result<Route, ConfigError> {
    let given = Given {
        host: &target.address,
        user: target.user.as_deref(),
        port: target.port,
        identity: target.identity_file.as_deref(),
    };
    let (host, mut opts, hc) = one_host(&given, defaults, config)?;
    let hops = match (&target.proxy_jump, &hc.proxy_jump) {
        (Some(list), _) => list.clone(),
        (None, Some(list)) => list.clone(),
        (None, None) => Vec::new(),
    };
    for spec in chain(hops, defaults, config, &target.name)? {
        let (user, name, port) = parse_hop(&spec)
            .map_err(|why| ConfigError(format!("ProxyJump of {}: {why}", target.name)))?;
        let given = Given {
            host: &name,
            user: user.as_deref(),
            port,
            identity: None,
        };
        let (hop_host, hop_opts, _) = one_host(&given, defaults, config)?;
        opts.jumps.push(Jump {
            label: if name == hop_host {
                format!("{}@{}", hop_opts.user, display(&hop_host, hop_opts.port))
            } else {
                format!(
                    "{} ({}@{})",
                    name,
                    hop_opts.user,
                    display(&hop_host, hop_opts.port)
                )
            },
            host: hop_host,
            opts: hop_opts,
        });
    }
    Ok(Route { host, opts })
}

/// The whole chain of hops, as ssh builds it: the hops after the first are
/// reached through the ones before them (their own ProxyJump does not
/// apply), while the first hop's own ProxyJump comes ahead of it.
fn chain(
    mut hops: Vec<String>,
    defaults: &Defaults,
    config: Option<&SshConfig>,
    target: &str,
) -> Result<Vec<String>, ConfigError> {
    for _ in 0..8 {
        let Some(first) = hops.first() else {
            return Ok(hops);
        };
        let (user, name, port) =
            parse_hop(first).map_err(|why| ConfigError(format!("ProxyJump of {target}: {why}")))?;
        let given = Given {
            host: &name,
            user: user.as_deref(),
            port,
            identity: None,
        };
        let (_, _, hc) = one_host(&given, defaults, config)?;
        match hc.proxy_jump {
            Some(before) if !before.is_empty() => hops.splice(0..0, before).for_each(drop),
            _ => return Ok(hops),
        }
    }
    Err(ConfigError(format!(
        "the ProxyJump chain of {target} does not end (more than 8 levels: a loop?); \
         set `ProxyJump none` for the first jump host"
    )))
}

struct Given<'a> {
    host: &'a str,
    user: Option<&'a str>,
    port: Option<u16>,
    identity: Option<&'a Path>,
}

fn one_host(
    given: &Given<'_>,
    d: &Defaults,
    config: Option<&SshConfig>,
) -> Result<(String, SshOptions, HostConfig), ConfigError> {
    let hc = match config {
        Some(c) => c.lookup(given.host)?,
        None => HostConfig::default(),
    };
    let user = given
        .user
        .map(str::to_string)
        .or_else(|| d.user.clone())
        .or_else(|| hc.user.clone())
        .unwrap_or_else(|| d.local_user.clone());
    let port = given.port.or(d.port).or(hc.port).unwrap_or(22);
    let mut tokens = Tokens {
        original: given.host,
        host: given.host,
        port,
        remote_user: &user,
        local_user: &d.local_user,
        home: &d.home,
    };
    let host = match &hc.host_name {
        Some(h) => HostConfig::expand(h, &tokens)?,
        None => given.host.to_string(),
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ConfigError(format!(
            "HostName {host:?} of {} is not a host name or address",
            given.host
        )));
    }
    tokens.host = &host;
    let mut opts = SshOptions::new(user.clone());
    opts.port = port;
    opts.identity_file = given
        .identity
        .map(Path::to_path_buf)
        .or_else(|| d.identity.clone());
    for f in &hc.identity_files {
        opts.identity_files
            .push(PathBuf::from(HostConfig::expand(f, &tokens)?));
    }
    opts.use_agent = !hc.identities_only.unwrap_or(false);
    opts.known_hosts = match (&d.known_hosts, &hc.user_known_hosts_file) {
        (Some(k), _) => k.clone(),
        (None, Some(f)) => PathBuf::from(HostConfig::expand(f, &tokens)?),
        (None, None) => d.home.join(".ssh").join("known_hosts"),
    };
    opts.accept_new_host_keys =
        d.accept_new_host_keys || hc.strict_host_key_checking == Some(Strict::AcceptNew);
    Ok((host, opts, hc))
}

/// `[user@]host[:port]` of one ProxyJump hop (`ssh://` URIs too).
pub fn parse_hop(spec: &str) -> Result<(Option<String>, String, Option<u16>), String> {
    let spec = spec.strip_prefix("ssh://").unwrap_or(spec);
    let t = crate::inventory::parse_target(spec)?;
    Ok((t.user, t.address, t.port))
}

fn display(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::parse_target;

    fn defaults() -> Defaults {
        Defaults {
            local_user: "me".into(),
            home: PathBuf::from("/home/me"),
            ..Defaults::default()
        }
    }

    fn config(text: &str) -> SshConfig {
        SshConfig::parse(Path::new("cfg"), text, Path::new("/home/me")).unwrap()
    }

    #[test]
    fn alias_with_jumps() {
        let c = config(
            "Host web\n  HostName 10.0.0.5\n  User admin\n  IdentityFile ~/.ssh/web_%r\n  \
             ProxyJump jump1,ops@jump2:2222\n  IdentitiesOnly yes\n\
             Host jump1\n  HostName 10.0.0.1\n  User jumper\n  ProxyJump none\n\
             Host *\n  UserKnownHostsFile ~/.ssh/kh_%h\n",
        );
        let r = resolve(&parse_target("web").unwrap(), &defaults(), Some(&c)).unwrap();
        assert_eq!(r.host, "10.0.0.5");
        assert_eq!(r.opts.user, "admin");
        assert_eq!(r.opts.port, 22);
        assert!(!r.opts.use_agent);
        assert_eq!(
            r.opts.identity_files,
            vec![PathBuf::from("/home/me/.ssh/web_admin")]
        );
        assert_eq!(
            r.opts.known_hosts,
            PathBuf::from("/home/me/.ssh/kh_10.0.0.5")
        );
        assert_eq!(r.opts.jumps.len(), 2);
        assert_eq!(r.opts.jumps[0].host, "10.0.0.1");
        assert_eq!(r.opts.jumps[0].opts.user, "jumper");
        assert_eq!(r.opts.jumps[0].label, "jump1 (jumper@10.0.0.1:22)");
        assert_eq!(r.opts.jumps[1].host, "jump2");
        assert_eq!(r.opts.jumps[1].opts.port, 2222);
        assert_eq!(r.opts.jumps[1].opts.user, "ops");
    }

    #[test]
    fn precedence_target_then_flags_then_config() {
        let c = config("Host *\n  User cfguser\n  Port 2200\n  StrictHostKeyChecking accept-new\n");
        let mut d = defaults();
        let r = resolve(&parse_target("h").unwrap(), &d, Some(&c)).unwrap();
        assert_eq!((r.opts.user.as_str(), r.opts.port), ("cfguser", 2200));
        assert!(r.opts.accept_new_host_keys);
        d.user = Some("flaguser".into());
        d.port = Some(2300);
        d.known_hosts = Some(PathBuf::from("/kh"));
        let r = resolve(&parse_target("h").unwrap(), &d, Some(&c)).unwrap();
        assert_eq!((r.opts.user.as_str(), r.opts.port), ("flaguser", 2300));
        assert_eq!(r.opts.known_hosts, PathBuf::from("/kh"));
        let r = resolve(&parse_target("me2@h:2400").unwrap(), &d, Some(&c)).unwrap();
        assert_eq!((r.opts.user.as_str(), r.opts.port), ("me2", 2400));
        let r = resolve(&parse_target("h").unwrap(), &defaults(), None).unwrap();
        assert_eq!((r.opts.user.as_str(), r.opts.port), ("me", 22));
        assert!(!r.opts.accept_new_host_keys);
    }

    #[test]
    fn chains_like_ssh() {
        // The first hop's own ProxyJump comes first; later hops' do not apply.
        let c = config(
            "Host web\n  ProxyJump mid,last\nHost mid\n  ProxyJump outer\n\
             Host last\n  ProxyJump elsewhere\nHost outer\n  ProxyJump none\n",
        );
        let r = resolve(&parse_target("web").unwrap(), &defaults(), Some(&c)).unwrap();
        let hops: Vec<&str> = r.opts.jumps.iter().map(|j| j.host.as_str()).collect();
        assert_eq!(hops, vec!["outer", "mid", "last"]);
        let c = config("Host *\n  ProxyJump bastion\n");
        let err = resolve(&parse_target("web").unwrap(), &defaults(), Some(&c)).unwrap_err();
        assert!(err.to_string().contains("does not end"), "{err}");
    }
}
