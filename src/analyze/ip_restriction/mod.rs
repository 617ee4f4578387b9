//! `ip-restriction`: for every listening maintenance service (SSH, FTP,
//! telnet, databases, admin web paths), which source addresses can reach
//! it, and what restricts them. Each listener's reachable sources are the
//! intersection of independent layers: the address it is bound to, the
//! packet filter (nftables, iptables), and the daemon's own controls
//! (sshd AllowUsers/Match Address, tcp_wrappers, xinetd, Apache Require).
//! With `management_networks` set, a source outside them fails the check;
//! without it, any allow-list counts and "any source" fails.
//!
//! Every layer over-approximates (what it cannot read may let traffic
//! through), so a `pass` is always backed by a rule that was read. A layer
//! that could not be read at all (a firewall without root) can only narrow
//! access: when the rest would fail, the check is `skip` with the reason.

pub mod apache;
pub mod daemons;
pub mod dump;
pub mod firewall;
pub mod firewalld;
pub mod iptables;
pub mod listeners;
pub mod nft;
pub mod sources;
pub mod sshd;
pub mod wrappers;

use super::{arg_str, Analyzer, Context, Verdict};
use crate::catalog::check::Params;
use crate::facts::{Facts, Unavailable};
use crate::model::Status;
use firewall::Ruleset;
use listeners::{Bind, Listener};
use sources::Sources;
use std::net::IpAddr;

pub const LISTENERS_PROBE: &str = "net.listeners";
pub const NFT_PROBE: &str = "access.nft";
pub const IPTABLES_PROBE: &str = "access.iptables";
pub const FIREWALLD_PROBE: &str = "access.firewalld";
pub const WRAPPERS_PROBE: &str = "access.tcp-wrappers";
pub const SSHD_PROBE: &str = "access.sshd";
pub const VSFTPD_PROBE: &str = "access.vsftpd";
pub const INETD_PROBE: &str = "access.inetd";
pub const MYSQL_PROBE: &str = "access.mysql";
pub const APACHE_PROBE: &str = "access.apache";

/// The parameter naming the networks maintenance may come from.
pub const MGMT_PARAM: &str = "management_networks";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Ssh,
    Ftp,
    Telnet,
    Database,
    AdminWeb,
}

const SERVICES: &[&str] = &["ssh", "ftp", "telnet", "database", "admin-web"];

impl Service {
    fn from(s: &str) -> Option<Service> {
        Some(match s {
            "ssh" => Service::Ssh,
            "ftp" => Service::Ftp,
            "telnet" => Service::Telnet,
            "database" => Service::Database,
            "admin-web" => Service::AdminWeb,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Service::Ssh => "SSH",
            Service::Ftp => "FTP",
            Service::Telnet => "telnet",
            Service::Database => "database",
            Service::AdminWeb => "admin web",
        }
    }

    fn ports(self) -> &'static [u16] {
        match self {
            Service::Ssh => &[22],
            Service::Ftp => &[21, 990],
            Service::Telnet => &[23],
            Service::Database => &[3306, 5432, 1433, 1521, 27017, 6379],
            Service::AdminWeb => &[],
        }
    }

    fn programs(self) -> &'static [&'static str] {
        match self {
            Service::Ssh => &["sshd"],
            Service::Ftp => &["vsftpd", "proftpd", "pure-ftpd", "in.ftpd", "ftpd"],
            Service::Telnet => &["in.telnetd", "telnetd"],
            Service::Database => &[
                "mysqld",
                "mariadbd",
                "postgres",
                "postmaster",
                "redis-server",
                "mongod",
                "sqlservr",
                "tnslsnr",
            ],
            Service::AdminWeb => &["httpd", "apache2", "apache"],
        }
    }

    fn probes(self) -> &'static [&'static str] {
        match self {
            Service::Ssh => &[SSHD_PROBE, WRAPPERS_PROBE],
            Service::Ftp => &[VSFTPD_PROBE, WRAPPERS_PROBE],
            Service::Telnet => &[INETD_PROBE, WRAPPERS_PROBE],
            Service::Database => &[MYSQL_PROBE],
            Service::AdminWeb => &[APACHE_PROBE],
        }
    }
}

pub struct IpRestriction;

impl Analyzer for IpRestriction {
    fn name(&self) -> &'static str {
        "ip-restriction"
    }

    fn description(&self) -> &'static str {
        "which sources reach a maintenance service (firewall, bind address, daemon controls) vs management_networks"
    }

    fn params(&self) -> &'static [&'static str] {
        &["management_networks"]
    }

    fn probes(&self, with: &Params) -> Vec<String> {
        let mut v: Vec<String> = [LISTENERS_PROBE, NFT_PROBE, IPTABLES_PROBE, FIREWALLD_PROBE]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if let Some(s) = arg_str(with, "service").and_then(Service::from) {
            v.extend(s.probes().iter().map(|s| s.to_string()));
        }
        v
    }

    fn validate(&self, with: &Params) -> Result<(), String> {
        match arg_str(with, "service") {
            Some(s) if Service::from(s).is_some() => Ok(()),
            Some(s) => Err(format!(
                "unknown service {s:?}; known: {}",
                SERVICES.join(", ")
            )),
            None => Err(format!(
                "needs `with: {{service: ...}}`, one of {}",
                SERVICES.join(", ")
            )),
        }
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let Some(service) = arg_str(cx.with, "service").and_then(Service::from) else {
            return Verdict::new(Status::Error, "no valid `service` argument");
        };
        let mgmt = match management_networks(cx.params) {
            Ok(m) => m,
            Err(e) => return Verdict::new(Status::Error, e),
        };
        let listening = cx.derived.get_or(|| Listening::read(cx.facts));
        let listeners = match &listening.0 {
            Ok(l) => l,
            Err(u) => return Verdict::unavailable(u.clone()),
        };
        let fw = cx.derived.get_or(|| Firewall::read(cx.facts));
        let judge = Judge {
            mgmt: mgmt.as_ref(),
            fw: &fw,
        };
        let verdict = match service {
            Service::Ssh => ssh(cx, &judge, listeners),
            Service::Ftp => ftp(cx, &judge, listeners),
            Service::Telnet => telnet(cx, &judge, listeners),
            Service::Database => database(cx, &judge, listeners),
            Service::AdminWeb => admin_web(cx, &judge, listeners),
        };
        match (&mgmt, verdict.status) {
            (None, Status::Pass | Status::Fail) => Verdict::new(
                verdict.status,
                format!(
                    "{}. management_networks is not set: any restriction to specific sources counts as restricted",
                    verdict.evidence
                ),
            ),
            _ => verdict,
        }
    }
}

/// The management networks, or `None` when not set (empty).
fn management_networks(params: &Params) -> Result<Option<(Sources, String)>, String> {
    let items: Vec<String> = match params.get(MGMT_PARAM) {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        Some(serde_json::Value::String(s)) => s
            .split([',', ' '])
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect(),
        Some(other) => return Err(format!("{MGMT_PARAM} must be a list of CIDRs, not {other}")),
    };
    if items.is_empty() {
        return Ok(None);
    }
    let mut set = Sources::none();
    for i in &items {
        match Sources::parse(i) {
            Some(s) => set = set.union(&s),
            None => {
                return Err(format!(
                "{MGMT_PARAM}: {i:?} is not an address or CIDR (e.g. 10.0.0.0/24, 2001:db8::/48)"
            ))
            }
        }
    }
    Ok(Some((set, items.join(", "))))
}

/// A restriction layer in front of a listener.
#[derive(Debug, Clone)]
struct Layer {
    name: String,
    /// Sources the layer may let through (any when it does not restrict).
    sources: Sources,
    /// False when it could not be read: it may narrow, never widen.
    known: bool,
    says: String,
}

impl Layer {
    fn open(name: &str, says: impl Into<String>) -> Layer {
        Layer {
            name: name.into(),
            sources: Sources::any(),
            known: true,
            says: says.into(),
        }
    }

    fn unknown(name: &str, says: impl Into<String>) -> Layer {
        Layer {
            name: name.into(),
            sources: Sources::any(),
            known: false,
            says: says.into(),
        }
    }

    fn restricts(name: &str, sources: Sources, says: impl Into<String>) -> Layer {
        Layer {
            name: name.into(),
            sources,
            known: true,
            says: says.into(),
        }
    }
}

/// The sockets listening on the host, read once per host.
struct Listening(Result<Vec<Listener>, Unavailable>);

impl Listening {
    fn read(facts: &Facts) -> Listening {
        Listening(
            facts
                .text(LISTENERS_PROBE)
                .map(|t| listeners::v6only(listeners::parse(&t))),
        )
    }
}

/// The packet filters, read once per host.
struct Firewall {
    rulesets: Vec<Ruleset>,
    /// Why (part of) the runtime ruleset could not be read.
    unread: Vec<String>,
    /// What was read, for evidence ("nftables", "iptables").
    read: Vec<String>,
    /// The permanent firewalld configuration, used when the runtime
    /// rulesets cannot be read.
    firewalld: Option<firewalld::Firewalld>,
}

impl Firewall {
    fn read(facts: &Facts) -> Firewall {
        let mut fw = Firewall {
            rulesets: Vec::new(),
            unread: Vec::new(),
            read: Vec::new(),
            firewalld: None,
        };
        match facts.text(NFT_PROBE) {
            Err(u) => fw.unread.push(why(u)),
            Ok(t) => {
                let blocks = dump::parse(&t);
                if dump::fact(&blocks, "absent").is_some() || blocks.is_empty() {
                    fw.read.push("nft not installed".into());
                } else {
                    let body = |k: &str| {
                        blocks
                            .iter()
                            .find(|b| b.kind == k)
                            .map(|b| b.lines.join("\n"))
                            .unwrap_or_default()
                    };
                    let (json, text) = (body("json"), body("text"));
                    let parsed = if json.trim_start().starts_with('{') {
                        nft::parse_json(&json, &text)
                    } else {
                        nft::parse_text(&text)
                    };
                    match parsed {
                        Ok(rs) => {
                            fw.read
                                .push(if rs.chains.iter().any(|c| c.entry.is_some()) {
                                    "nftables ruleset".into()
                                } else {
                                    "nftables: no input chain".into()
                                });
                            fw.rulesets.push(rs);
                        }
                        Err(e) => fw.unread.push(e),
                    }
                }
            }
        }
        match facts.text(IPTABLES_PROBE) {
            Err(u) => fw.unread.push(why(u)),
            Ok(t) => match iptables::parse(&t) {
                Ok(rs) => {
                    let with_rules: Vec<&str> = rs
                        .iter()
                        .filter(|r| {
                            r.chains.iter().any(|c| {
                                !c.rules.is_empty()
                                    || c.entry.as_ref().is_some_and(|e| !e.policy_accept)
                            })
                        })
                        .map(|r| r.kind.as_str())
                        .collect();
                    fw.read.push(if t.contains("# shipshape: none") {
                        "iptables not installed".into()
                    } else if with_rules.is_empty() {
                        "iptables: no rules".into()
                    } else {
                        format!("{} rules", with_rules.join(" and "))
                    });
                    fw.rulesets.extend(rs);
                }
                Err(e) => fw.unread.push(e),
            },
        }
        if !fw.unread.is_empty() {
            if let Ok(t) = facts.text(FIREWALLD_PROBE) {
                fw.firewalld = firewalld::parse(&dump::parse(&t));
            }
        }
        fw
    }

    /// Sources every packet filter lets through to a TCP port.
    fn passes(&self, port: u16) -> Sources {
        self.rulesets
            .iter()
            .fold(Sources::any(), |a, r| a.intersect(&r.answer(port).passes()))
    }

    /// The packet-filter layer for a TCP port; the rules named are those
    /// that accept `interesting` sources.
    fn layer(&self, port: u16, interesting: &Sources) -> Layer {
        let answers: Vec<firewall::Answer> = self.rulesets.iter().map(|r| r.answer(port)).collect();
        let passes = answers
            .iter()
            .fold(Sources::any(), |a, r| a.intersect(&r.passes()));
        let chains: usize = answers.iter().map(|a| a.chains.len()).sum();
        let mut named: Vec<String> = Vec::new();
        let mut uncertain: Vec<String> = Vec::new();
        for a in &answers {
            for c in &a.chains {
                for p in &c.accepted {
                    let rel = p.sources.intersect(interesting).intersect(&passes);
                    if !rel.minus(&Sources::loopback()).is_empty() && named.len() < 3 {
                        named.push(format!("{} accepts {}", p.by, shown(&rel)));
                    }
                }
                uncertain.extend(c.uncertain.iter().cloned());
            }
        }
        if !self.unread.is_empty() {
            let restricted = !passes.is_any();
            let fwd = self.firewalld.as_ref().map(|f| f.accepted(port));
            let mut says = format!("not fully read ({})", self.unread.join("; "));
            if restricted {
                says = format!("{}; {says}", named.join("; "));
            }
            if let Some(f) = fwd {
                says.push_str(&format!(
                    "; firewalld's permanent configuration: {}",
                    f.says
                ));
                if f.sources.minus(&Sources::loopback()).is_broad() {
                    // The saved configuration opens the port; trust it to fail.
                    return Layer::restricts("firewall", passes.intersect(&f.sources), says);
                }
            }
            return Layer {
                name: "firewall".into(),
                sources: passes,
                known: false,
                says,
            };
        }
        if chains == 0 {
            return Layer::open(
                "firewall",
                format!(
                    "no packet filter on the input path ({})",
                    self.read.join("; ")
                ),
            );
        }
        let mut says = if named.is_empty() {
            format!("no rule accepts tcp/{port} from other hosts")
        } else {
            named.join("; ")
        };
        if !uncertain.is_empty() {
            says.push_str(&format!(
                " (counted as accepting, not interpreted: {})",
                uncertain.into_iter().take(2).collect::<Vec<_>>().join("; ")
            ));
        }
        Layer::restricts("firewall", passes, says)
    }
}

/// A set for evidence; a broad set reads better without its loopback hole.
fn shown(s: &Sources) -> String {
    if s.is_broad() {
        s.union(&Sources::loopback().intersect(&s.families()))
            .describe()
    } else {
        s.describe()
    }
}

fn why(u: Unavailable) -> String {
    match u {
        Unavailable::NeedsRoot(w) | Unavailable::Failed(w) => w,
    }
}

/// Decides one listener with its layers.
struct Judge<'a> {
    mgmt: Option<&'a (Sources, String)>,
    fw: &'a Firewall,
}

/// One listener's result.
struct Outcome {
    status: Status,
    text: String,
}

impl Judge<'_> {
    /// `bound_by` names the setting that binds the daemon, for evidence.
    fn listener(
        &self,
        what: &str,
        l: &Listener,
        mut layers: Vec<Layer>,
        bound_by: Option<&str>,
    ) -> Outcome {
        let head = format!("{what} on {}", l.endpoint());
        let reach = match l.bind() {
            Bind::Loopback => {
                return Outcome {
                    status: Status::Pass,
                    text: format!("{head}: bound to loopback, not reachable from other hosts"),
                }
            }
            Bind::Wildcard(s) => s,
            Bind::Specific(ip) => {
                if let Some(layer) = self.bind_layer(ip, bound_by) {
                    layers.insert(0, layer);
                }
                if ip.is_ipv4() {
                    Sources::any_v4()
                } else {
                    Sources::any_v6()
                }
            }
        };
        // The firewall's words name the rules that accept what reaches the
        // socket through the firewall, whatever the daemon does after.
        let fw_passes = self.fw.passes(l.port);
        let through_fw = reach.intersect(&fw_passes).minus(&Sources::loopback());
        let reachable = layers
            .iter()
            .fold(through_fw.clone(), |a, y| a.intersect(&y.sources));
        layers.insert(0, self.fw.layer(l.port, &through_fw));
        let unknown: Vec<&Layer> = layers.iter().filter(|y| !y.known).collect();
        let says: Vec<String> = layers
            .iter()
            .map(|y| format!("{}: {}", y.name, y.says))
            .collect();
        let (bad, verdict) = match self.mgmt {
            Some((m, names)) => {
                let outside = reachable.minus(m);
                if outside.is_empty() {
                    (
                        false,
                        if reachable.is_empty() {
                            "reachable from no other host".to_string()
                        } else {
                            format!(
                                "reachable only from {} (inside management_networks {names})",
                                reachable.describe()
                            )
                        },
                    )
                } else {
                    (
                        true,
                        format!(
                            "reachable from {} outside management_networks {names}",
                            shown(&outside)
                        ),
                    )
                }
            }
            None => {
                if reachable.is_broad() {
                    (true, format!("reachable from {}", shown(&reachable)))
                } else if reachable.is_empty() {
                    (false, "reachable from no other host".to_string())
                } else {
                    (false, format!("restricted to {}", reachable.describe()))
                }
            }
        };
        let status = match (bad, unknown.is_empty()) {
            (false, _) => Status::Pass,
            (true, true) => Status::Fail,
            (true, false) => Status::Skip,
        };
        let verdict = if status == Status::Skip {
            format!(
                "{verdict} as far as could be read, but {} could not be read and may restrict it",
                unknown
                    .iter()
                    .map(|y| y.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" and ")
            )
        } else {
            verdict
        };
        Outcome {
            status,
            text: format!("{head}: {verdict} [{}]", says.join("; ")),
        }
    }

    /// A socket bound to one address is reachable only from where that
    /// address is routed: the management network it sits in, or, for a
    /// private address, private networks.
    fn bind_layer(&self, ip: IpAddr, bound_by: Option<&str>) -> Option<Layer> {
        let config = bound_by.map(|b| format!(" by {b}")).unwrap_or_default();
        if let Some((m, names)) = self.mgmt {
            if m.contains(ip) {
                return Some(Layer::restricts(
                    "bind address",
                    m.clone(),
                    format!("bound to {ip}{config}, an address on management network {names}"),
                ));
            }
        }
        let private = Sources::private();
        if private.contains(ip) {
            return Some(Layer::restricts(
                "bind address",
                private,
                format!(
                    "bound to {ip}{config}, a private address: reachable from private networks"
                ),
            ));
        }
        None
    }
}

/// Combine listener outcomes: any fail fails; else any skip skips.
fn combine(service: Service, outcomes: Vec<Outcome>, notes: &[String]) -> Verdict {
    if outcomes.is_empty() {
        return Verdict::new(
            Status::Skip,
            format!("no {} service is listening", service.name()),
        );
    }
    let status = if outcomes.iter().any(|o| o.status == Status::Fail) {
        Status::Fail
    } else if outcomes.iter().any(|o| o.status == Status::Skip) {
        Status::Skip
    } else {
        Status::Pass
    };
    let mut parts: Vec<String> = outcomes.into_iter().map(|o| o.text).collect();
    parts.extend(notes.iter().cloned());
    Verdict::new(status, parts.join("; "))
}

fn program_label(l: &Listener) -> String {
    if l.program == "-" {
        format!("port {}", l.port)
    } else {
        l.program.clone()
    }
}

/// Listeners of a service: by program, by well-known port, or (when the
/// program is unknown) by a port the service's configuration names.
fn select<'a>(service: Service, ls: &'a [Listener], config_ports: &[u16]) -> Vec<&'a Listener> {
    ls.iter()
        .filter(|l| {
            service.programs().contains(&l.program.as_str())
                || service.ports().contains(&l.port)
                || (l.program == "-" && config_ports.contains(&l.port))
        })
        .collect()
}

/// Files of a probe, or a layer saying why they could not be read.
fn blocks(cx: &Context<'_>, probe: &str) -> Result<Vec<dump::Block>, String> {
    cx.facts.text(probe).map(|t| dump::parse(&t)).map_err(why)
}

/// hosts.allow / hosts.deny for a daemon that honours them.
fn wrappers_layer(cx: &Context<'_>, daemon: &str, why_honoured: &str) -> Layer {
    let b = match blocks(cx, WRAPPERS_PROBE) {
        Ok(b) => b,
        Err(e) => return Layer::unknown("tcp_wrappers", e),
    };
    let file = |p: &str| -> Vec<String> {
        b.iter()
            .find(|x| x.kind == "file" && x.arg == p)
            .map(|x| x.lines.clone())
            .unwrap_or_default()
    };
    if let Some(p) = dump::unreadable(&b).first() {
        return Layer::unknown("tcp_wrappers", format!("{p} is not readable"));
    }
    let w = wrappers::Wrappers::parse(
        "/etc/hosts.allow",
        &file("/etc/hosts.allow"),
        "/etc/hosts.deny",
        &file("/etc/hosts.deny"),
    );
    let g = w.grant(daemon);
    if g.rules.is_empty() {
        return Layer::open(
            "tcp_wrappers",
            format!("{why_honoured}, but no hosts.allow/hosts.deny rule names {daemon}"),
        );
    }
    Layer::restricts(
        "tcp_wrappers",
        g.sources.clone(),
        format!(
            "{why_honoured}; {} grants {}",
            g.rules.join(" | "),
            g.sources.describe()
        ),
    )
}

fn ssh(cx: &Context<'_>, j: &Judge<'_>, ls: &[Listener]) -> Verdict {
    let b = blocks(cx, SSHD_PROBE);
    let mut out = Vec::new();
    for l in select(Service::Ssh, ls, &[]) {
        let mut layers = Vec::new();
        let mut bound_by = None;
        match &b {
            Err(e) => layers.push(Layer::unknown("sshd", e.clone())),
            Ok(b) => match sshd::parse(b) {
                None => {
                    let unreadable = dump::unreadable(b);
                    layers.push(Layer::unknown(
                        "sshd",
                        if unreadable.is_empty() {
                            "no sshd_config found".to_string()
                        } else {
                            format!("{} is not readable", unreadable.join(", "))
                        },
                    ))
                }
                Some(c) => {
                    let listen = c.listen_addresses();
                    if !listen.is_empty() {
                        bound_by = Some(listen.join(", "));
                    }
                    let login = c.login_sources();
                    layers.push(if login.sources.is_any() {
                        Layer::open(
                            "sshd",
                            format!(
                                "no AllowUsers user@host, DenyUsers or Match Address restriction ({})",
                                c.source
                            ),
                        )
                    } else {
                        Layer::restricts(
                            "sshd",
                            login.sources.clone(),
                            format!(
                                "logins only from {}: {}",
                                login.sources.describe(),
                                login.by.join(", ")
                            ),
                        )
                    });
                    match (c.libwrap, dump::fact(b, "libwrap")) {
                        (Some(true), Some(v)) => layers.push(wrappers_layer(
                            cx,
                            "sshd",
                            &format!("{} is linked with libwrap", v.trim_end_matches(" yes")),
                        )),
                        (Some(false), Some(v)) => layers.push(Layer::open(
                            "tcp_wrappers",
                            format!(
                                "{} is not linked with libwrap: hosts.allow/deny do not apply",
                                v.trim_end_matches(" no")
                            ),
                        )),
                        _ => {}
                    }
                }
            },
        }
        out.push(j.listener(&program_label(l), l, layers, bound_by.as_deref()));
    }
    combine(Service::Ssh, out, &[])
}

fn ftp(cx: &Context<'_>, j: &Judge<'_>, ls: &[Listener]) -> Verdict {
    let conf = blocks(cx, VSFTPD_PROBE).map(|b| daemons::vsftpd(&b));
    let ports: Vec<u16> = match &conf {
        Ok(Some(v)) => vec![v.port()],
        _ => vec![],
    };
    let mut out = Vec::new();
    for l in select(Service::Ftp, ls, &ports) {
        let mut layers = Vec::new();
        let mut bound_by = None;
        let is_vsftpd = l.program == "vsftpd" || (l.program == "-" && ports.contains(&l.port));
        if is_vsftpd {
            match &conf {
                Err(e) => layers.push(Layer::unknown("vsftpd", e.clone())),
                Ok(None) => layers.push(Layer::unknown(
                    "vsftpd",
                    "vsftpd.conf not found or not readable",
                )),
                Ok(Some(v)) => {
                    bound_by = v
                        .listen_address
                        .as_ref()
                        .map(|a| a.says("listen_address"))
                        .or_else(|| {
                            v.listen_address6
                                .as_ref()
                                .map(|a| a.says("listen_address6"))
                        });
                    if v.tcp_wrappers() {
                        let at = v
                            .tcp_wrappers
                            .as_ref()
                            .map(|s| s.says("tcp_wrappers"))
                            .unwrap_or_default();
                        layers.push(wrappers_layer(cx, "vsftpd", &at));
                    } else {
                        layers.push(Layer::open(
                            "vsftpd",
                            format!(
                                "no source restriction in {} ({}; hosts.allow/deny do not apply)",
                                v.path,
                                v.tcp_wrappers
                                    .as_ref()
                                    .map(|s| s.says("tcp_wrappers"))
                                    .unwrap_or_else(|| "tcp_wrappers not set: NO by default".into())
                            ),
                        ));
                    }
                }
            }
        }
        out.push(j.listener(&program_label(l), l, layers, bound_by.as_deref()));
    }
    combine(Service::Ftp, out, &[])
}

fn telnet(cx: &Context<'_>, j: &Judge<'_>, ls: &[Listener]) -> Verdict {
    let b = blocks(cx, INETD_PROBE);
    let mut out = Vec::new();
    for l in select(Service::Telnet, ls, &[]) {
        let mut layers = Vec::new();
        match &b {
            Err(e) => layers.push(Layer::unknown("inetd", e.clone())),
            Ok(b) => {
                let inetd_line = dump::files(b)
                    .into_iter()
                    .find(|(p, _)| *p == "/etc/inetd.conf")
                    .and_then(|(p, lines)| {
                        lines
                            .iter()
                            .enumerate()
                            .find(|(_, x)| x.trim_start().starts_with("telnet"))
                            .map(|(i, x)| (format!("{p}:{}", i + 1), x.clone()))
                    });
                if let Some((at, line)) = inetd_line {
                    if line.contains("tcpd") {
                        let daemon = line
                            .split_whitespace()
                            .last()
                            .map(|d| d.rsplit('/').next().unwrap_or(d).to_string())
                            .unwrap_or_else(|| "in.telnetd".into());
                        layers.push(wrappers_layer(
                            cx,
                            &daemon,
                            &format!("inetd starts it through tcpd ({at})"),
                        ));
                    } else {
                        layers.push(Layer::open("inetd", format!("started without tcpd ({at})")));
                    }
                }
                for (p, lines) in dump::files(b)
                    .into_iter()
                    .filter(|(p, _)| p.starts_with("/etc/xinetd"))
                {
                    if let Some(layer) = xinetd_layer(p, lines) {
                        layers.push(layer);
                    }
                }
            }
        }
        out.push(j.listener(&program_label(l), l, layers, None));
    }
    combine(Service::Telnet, out, &[])
}

/// xinetd `only_from` / `no_access` in a telnet service file.
fn xinetd_layer(path: &str, lines: &[String]) -> Option<Layer> {
    let mut only: Option<(Sources, String)> = None;
    let mut deny = Sources::none();
    let mut said = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some((k, v)) = l.split_once('=') else {
            continue;
        };
        let k = k.trim().trim_end_matches(['+', '-']).trim();
        let pats: Vec<&str> = v.split_whitespace().collect();
        let set = pats.iter().fold(Sources::none(), |a, p| {
            // 0.0.0.0 means every address; a host name may be anyone.
            let s = match *p {
                "0.0.0.0" | "0.0.0.0/0" => None,
                p => Sources::parse(p),
            };
            a.union(&s.unwrap_or_else(Sources::any))
        });
        match k {
            "only_from" => {
                only = Some((set, format!("{path}:{}", i + 1)));
                said.push(format!("only_from ={v} ({path}:{})", i + 1));
            }
            "no_access" => {
                // Host names never count as denying.
                let certain = pats
                    .iter()
                    .filter_map(|p| Sources::parse(p))
                    .fold(Sources::none(), |a, s| a.union(&s));
                deny = deny.union(&certain);
                said.push(format!("no_access ={v} ({path}:{})", i + 1));
            }
            _ => {}
        }
    }
    if said.is_empty() {
        return None;
    }
    let allowed = only
        .map(|(s, _)| s)
        .unwrap_or_else(Sources::any)
        .minus(&deny);
    Some(Layer::restricts("xinetd", allowed, said.join(", ")))
}

fn database(cx: &Context<'_>, j: &Judge<'_>, ls: &[Listener]) -> Verdict {
    let my = blocks(cx, MYSQL_PROBE).map(|b| daemons::mysql(&b));
    let ports: Vec<u16> = match &my {
        Ok(Some(m)) => m
            .port
            .as_ref()
            .and_then(|p| p.value.parse().ok())
            .into_iter()
            .collect(),
        _ => vec![],
    };
    let mut out = Vec::new();
    let mut notes = Vec::new();
    if let Ok(Some(m)) = &my {
        if let Some(b) = &m.bind_address {
            notes.push(format!("MySQL/MariaDB: {}", b.says("bind-address")));
        } else {
            notes.push(
                "MySQL/MariaDB: bind-address not set (the server listens on every address)".into(),
            );
        }
        if let Some(s) = &m.skip_networking {
            notes.push(format!("MySQL/MariaDB: {}", s.says("skip-networking")));
        }
    }
    for l in select(Service::Database, ls, &ports) {
        let bound_by = match &my {
            Ok(Some(m))
                if matches!(l.program.as_str(), "mysqld" | "mariadbd") || l.port == 3306 =>
            {
                m.bind_address.as_ref().map(|b| b.says("bind-address"))
            }
            _ => None,
        };
        out.push(j.listener(&program_label(l), l, Vec::new(), bound_by.as_deref()));
    }
    combine(Service::Database, out, &notes)
}

fn admin_web(cx: &Context<'_>, j: &Judge<'_>, ls: &[Listener]) -> Verdict {
    let cfg = match blocks(cx, APACHE_PROBE) {
        Err(e) => return Verdict::new(Status::Error, e),
        Ok(b) => match apache::parse(&b) {
            Some(c) => c,
            None => {
                return Verdict::new(
                    Status::Skip,
                    "no Apache configuration found (httpd.conf / apache2.conf)",
                )
            }
        },
    };
    if cfg.admin.is_empty() {
        return Verdict::new(
            Status::Skip,
            format!(
                "{} configures no admin path (server-status, server-info, balancer-manager, phpMyAdmin, Adminer, phpPgAdmin)",
                cfg.main
            ),
        );
    }
    let web = select(Service::AdminWeb, ls, &cfg.ports);
    if web.is_empty() {
        return Verdict::new(
            Status::Skip,
            format!(
                "no web server is listening (admin paths configured: {})",
                cfg.admin
                    .iter()
                    .map(|a| a.url.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    let mut out = Vec::new();
    for a in &cfg.admin {
        let acc = cfg.access(a);
        let mut by = acc.by.clone();
        if !acc.unread.is_empty() {
            by.push_str(&format!(
                "; not evaluated: {} (a pattern shipshape's regex engine does not accept: PCRE-only syntax or too large); if it matches {}, its rules decide",
                acc.unread.join(", "),
                a.url
            ));
        }
        for l in &web {
            let layer = match (acc.sources.is_any(), acc.unread.is_empty()) {
                (true, true) => Layer::open("Apache", by.clone()),
                // What looks open may be restricted by a pattern not read.
                (true, false) => Layer::unknown("Apache", by.clone()),
                (false, _) => Layer::restricts("Apache", acc.sources.clone(), by.clone()),
            };
            out.push(j.listener(
                &format!("{} ({}) via {}", a.url, a.what, program_label(l)),
                l,
                vec![layer],
                None,
            ));
        }
    }
    combine(Service::AdminWeb, out, &[])
}

#[cfg(test)]
mod tests;
