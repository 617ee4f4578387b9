//! firewalld's permanent configuration (zone XML under /etc/firewalld, else
//! the defaults under /usr/lib/firewalld): which sources a zone setup lets
//! reach a TCP port. Used where the runtime ruleset cannot be read (not
//! root); the runtime nftables/iptables view wins whenever it is there.
//!
//! A packet goes to the zone whose `<source>` matches it; otherwise to its
//! interface's zone or the default zone (the interface is unknown here, so
//! any of them may take it). A zone accepts a port through its target,
//! services, ports and rich rules; rich-rule drops and rejects come first.

use super::dump::{self, Block};
use super::sources::{parse_port_range, Sources};
use std::collections::BTreeMap;

const BUILTIN_SERVICES: &str = include_str!("firewalld-services.txt");

/// One XML tag: name, attributes, and whether it closes (`</x>`).
#[derive(Debug, Clone)]
struct Tag {
    name: String,
    attrs: BTreeMap<String, String>,
    closing: bool,
    empty: bool,
}

/// Enough XML for firewalld's files: tags and attributes, no text.
fn tags(xml: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        if let Some(r) = rest.strip_prefix("!--") {
            rest = r.split_once("-->").map(|(_, r)| r).unwrap_or("");
            continue;
        }
        let Some(end) = rest.find('>') else { break };
        let body = &rest[..end];
        rest = &rest[end + 1..];
        if body.starts_with('?') || body.starts_with('!') {
            continue;
        }
        let closing = body.starts_with('/');
        let empty = body.ends_with('/');
        let body = body.trim_start_matches('/').trim_end_matches('/');
        let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
        let mut attrs = BTreeMap::new();
        let mut a = &body[name_end..];
        while let Some(eq) = a.find('=') {
            let key = a[..eq].trim().to_string();
            let v = a[eq + 1..].trim_start();
            let Some(q) = v.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                break;
            };
            let Some(close) = v[1..].find(q) else { break };
            attrs.insert(key, v[1..1 + close].to_string());
            a = &v[close + 2..];
        }
        out.push(Tag {
            name: body[..name_end].to_string(),
            attrs,
            closing,
            empty,
        });
    }
    out
}

#[derive(Debug, Clone, Default)]
struct RichRule {
    family: Option<String>,
    source: Option<(Sources, bool)>,
    /// Ports the rule is about; `None`: every port.
    ports: Option<Vec<(u16, u16)>>,
    action: String,
    text: String,
}

#[derive(Debug, Clone, Default)]
struct Zone {
    name: String,
    path: String,
    target: String,
    services: Vec<String>,
    ports: Vec<(u16, u16)>,
    sources: Sources,
    interfaces: Vec<String>,
    rules: Vec<RichRule>,
}

/// The permanent configuration of a running firewalld.
#[derive(Debug, Clone, Default)]
pub struct Firewalld {
    default_zone: String,
    zones: Vec<Zone>,
    services: BTreeMap<String, Vec<(u16, u16)>>,
}

/// Sources accepted for a port, and which zone entries accept them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirewalldAnswer {
    pub sources: Sources,
    pub says: String,
}

fn tcp_ports(tags: &[Tag]) -> Vec<(u16, u16)> {
    tags.iter()
        .filter(|t| t.name == "port" && t.attrs.get("protocol").map(String::as_str) == Some("tcp"))
        .filter_map(|t| parse_port_range(t.attrs.get("port")?))
        .collect()
}

fn zone(name: &str, path: &str, xml: &str, services: &BTreeMap<String, Vec<(u16, u16)>>) -> Zone {
    let ts = tags(xml);
    let mut z = Zone {
        name: name.into(),
        path: path.into(),
        target: "default".into(),
        ..Zone::default()
    };
    let mut i = 0;
    while i < ts.len() {
        let t = &ts[i];
        i += 1;
        if t.closing {
            continue;
        }
        match t.name.as_str() {
            "zone" => {
                if let Some(tg) = t.attrs.get("target") {
                    z.target = tg.clone();
                }
            }
            "service" => z.services.extend(t.attrs.get("name").cloned()),
            "port" => z.ports.extend(tcp_ports(std::slice::from_ref(t))),
            "source" => {
                if let Some(s) = t.attrs.get("address").and_then(|a| Sources::parse(a)) {
                    z.sources = z.sources.union(&s);
                }
            }
            "interface" => z.interfaces.extend(t.attrs.get("name").cloned()),
            "rule" if !t.empty => {
                let mut r = RichRule {
                    family: t.attrs.get("family").cloned(),
                    ..RichRule::default()
                };
                let mut words = vec![format!(
                    "rule{}",
                    r.family
                        .as_ref()
                        .map(|f| format!(" family={f}"))
                        .unwrap_or_default()
                )];
                while i < ts.len() && !(ts[i].closing && ts[i].name == "rule") {
                    let x = &ts[i];
                    i += 1;
                    if x.closing {
                        continue;
                    }
                    match x.name.as_str() {
                        "source" => {
                            let inv = x
                                .attrs
                                .get("invert")
                                .is_some_and(|v| v.eq_ignore_ascii_case("true"));
                            let s = x.attrs.get("address").and_then(|a| Sources::parse(a));
                            words.push(format!(
                                "source{} address={}",
                                if inv { " NOT" } else { "" },
                                x.attrs.get("address").cloned().unwrap_or_default()
                            ));
                            // An ipset or MAC source: may be anyone.
                            r.source = Some((s.unwrap_or_else(Sources::any), inv));
                        }
                        "service" => {
                            let n = x.attrs.get("name").cloned().unwrap_or_default();
                            words.push(format!("service name={n}"));
                            let p = services.get(&n).cloned().unwrap_or_default();
                            r.ports.get_or_insert_with(Vec::new).extend(p);
                        }
                        "port" => {
                            words.push(format!(
                                "port port={}",
                                x.attrs.get("port").cloned().unwrap_or_default()
                            ));
                            let p = tcp_ports(std::slice::from_ref(x));
                            r.ports.get_or_insert_with(Vec::new).extend(p);
                        }
                        "accept" | "reject" | "drop" => {
                            words.push(x.name.clone());
                            r.action = x.name.clone();
                        }
                        other => words.push(other.to_string()),
                    }
                }
                r.text = words.join(" ");
                z.rules.push(r);
            }
            _ => {}
        }
    }
    z
}

/// Parse the probe: `@running yes|no`, firewalld.conf, zone and service XML.
/// `None` when firewalld is not running or has no configuration.
pub fn parse(blocks: &[Block]) -> Option<Firewalld> {
    if dump::fact(blocks, "running") != Some("yes") {
        return None;
    }
    let files = dump::files(blocks);
    let mut services: BTreeMap<String, Vec<(u16, u16)>> = BUILTIN_SERVICES
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let name = w.next()?.to_string();
            Some((name, w.filter_map(parse_port_range).collect()))
        })
        .collect();
    for (p, lines) in &files {
        if let Some(n) = p
            .strip_prefix("/etc/firewalld/services/")
            .and_then(|f| f.strip_suffix(".xml"))
        {
            services.insert(n.to_string(), tcp_ports(&tags(&lines.join("\n"))));
        }
    }
    let mut fw = Firewalld {
        default_zone: "public".into(),
        services,
        ..Firewalld::default()
    };
    if let Some((_, lines)) = files
        .iter()
        .find(|(p, _)| *p == "/etc/firewalld/firewalld.conf")
    {
        for l in lines.iter() {
            if let Some(z) = l.trim().strip_prefix("DefaultZone=") {
                fw.default_zone = z.trim().to_string();
            }
        }
    }
    // /etc overrides /usr/lib, zone by zone.
    let mut seen = Vec::new();
    for prefix in ["/etc/firewalld/zones/", "/usr/lib/firewalld/zones/"] {
        for (p, lines) in &files {
            let Some(name) = p.strip_prefix(prefix).and_then(|f| f.strip_suffix(".xml")) else {
                continue;
            };
            if seen.contains(&name.to_string()) {
                continue;
            }
            seen.push(name.to_string());
            fw.zones
                .push(zone(name, p, &lines.join("\n"), &fw.services));
        }
    }
    Some(fw)
}

impl Zone {
    /// What this zone accepts on `port`, and why.
    fn accepts(
        &self,
        port: u16,
        services: &BTreeMap<String, Vec<(u16, u16)>>,
    ) -> (Sources, Vec<String>) {
        let has = |ps: &[(u16, u16)]| ps.iter().any(|&(a, b)| a <= port && port <= b);
        let rule_sources = |r: &RichRule| -> (Sources, Sources) {
            let fam = match r.family.as_deref() {
                Some("ipv4") => Sources::any_v4(),
                Some("ipv6") => Sources::any_v6(),
                _ => Sources::any(),
            };
            match &r.source {
                None => (fam.clone(), fam),
                Some((s, false)) => {
                    let certain = if s.is_any() {
                        Sources::none()
                    } else {
                        s.clone()
                    };
                    (certain.intersect(&fam), s.intersect(&fam))
                }
                Some((s, true)) => (fam.minus(s), fam.minus(s)),
            }
        };
        let mut why = Vec::new();
        let mut denied = Sources::none();
        for r in &self.rules {
            if matches!(r.action.as_str(), "reject" | "drop")
                && r.ports.as_ref().is_none_or(|p| has(p))
            {
                denied = denied.union(&rule_sources(r).0);
            }
        }
        let mut acc = Sources::none();
        if self.target.eq_ignore_ascii_case("ACCEPT") {
            acc = Sources::any();
            why.push(format!(
                "zone {} has target ACCEPT ({})",
                self.name, self.path
            ));
        }
        for s in &self.services {
            if services.get(s).is_some_and(|p| has(p)) {
                acc = Sources::any();
                why.push(format!(
                    "zone {} allows service {s} ({})",
                    self.name, self.path
                ));
            }
        }
        if has(&self.ports) {
            acc = Sources::any();
            why.push(format!(
                "zone {} allows port {port}/tcp ({})",
                self.name, self.path
            ));
        }
        for r in &self.rules {
            if r.action == "accept" && r.ports.as_ref().is_none_or(|p| has(p)) {
                acc = acc.union(&rule_sources(r).1);
                why.push(format!("zone {}: {} ({})", self.name, r.text, self.path));
            }
        }
        (acc.minus(&denied), why)
    }
}

impl Firewalld {
    pub fn accepted(&self, port: u16) -> FirewalldAnswer {
        let mut bound = Sources::none();
        let mut total = Sources::none();
        let mut says = Vec::new();
        for z in self.zones.iter().filter(|z| !z.sources.is_empty()) {
            let (acc, why) = z.accepts(port, &self.services);
            let here = z.sources.minus(&bound).intersect(&acc);
            if !here.is_empty() {
                says.extend(why);
            }
            total = total.union(&here);
            bound = bound.union(&z.sources);
        }
        let rest = bound.complement();
        for z in self
            .zones
            .iter()
            .filter(|z| z.name == self.default_zone || !z.interfaces.is_empty())
        {
            let (acc, why) = z.accepts(port, &self.services);
            let here = rest.intersect(&acc);
            if !here.is_empty() {
                says.extend(why);
            }
            total = total.union(&here);
        }
        if says.is_empty() {
            says.push(format!(
                "no zone allows {port}/tcp (default zone {})",
                self.default_zone
            ));
        }
        FirewalldAnswer {
            sources: total.union(&Sources::loopback()),
            says: says.join(", "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(arg: &str, text: &str) -> String {
        let mut s = format!("@file {arg}\n");
        for l in text.lines() {
            s.push('|');
            s.push_str(l);
            s.push('\n');
        }
        s
    }

    fn fixture(name: &str) -> String {
        let p = format!(
            "{}/tests/fixtures/ip-restriction/firewalld/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    fn s(t: &str) -> Sources {
        Sources::parse(t).unwrap()
    }

    #[test]
    fn default_public_zone_opens_ssh_to_everyone() {
        let t = "@running yes\n".to_string()
            + &block("/etc/firewalld/firewalld.conf", &fixture("firewalld.conf"))
            + &block(
                "/usr/lib/firewalld/zones/public.xml",
                &fixture("usr-lib-public.xml"),
            );
        let fw = parse(&dump::parse(&t)).unwrap();
        let a = fw.accepted(22);
        assert!(a.sources.is_any());
        assert!(
            a.says.contains("zone public allows service ssh"),
            "{}",
            a.says
        );
        assert_eq!(fw.accepted(21).sources, Sources::loopback());
        assert!(parse(&dump::parse("@running no\n")).is_none());
    }

    #[test]
    fn ssh_moved_to_a_source_bound_zone_and_rich_rules() {
        let t = "@running yes\n".to_string()
            + &block("/etc/firewalld/firewalld.conf", &fixture("firewalld.conf"))
            + &block(
                "/etc/firewalld/zones/public.xml",
                &fixture("etc-public-restricted.xml"),
            )
            + &block(
                "/etc/firewalld/zones/internal.xml",
                &fixture("etc-internal-mgmt.xml"),
            )
            + &block(
                "/usr/lib/firewalld/zones/public.xml",
                &fixture("usr-lib-public.xml"),
            );
        let fw = parse(&dump::parse(&t)).unwrap();
        let a = fw.accepted(22);
        assert_eq!(a.sources, s("10.203.0.0/24").union(&Sources::loopback()));
        assert!(
            a.says
                .contains("zone internal allows service ssh (/etc/firewalld/zones/internal.xml)"),
            "{}",
            a.says
        );
        let ftp = fw.accepted(21);
        assert_eq!(ftp.sources, s("192.0.2.0/24").union(&Sources::loopback()));
        assert!(
            ftp.says
                .contains("rule family=ipv4 source address=192.0.2.0/24 service name=ftp accept"),
            "{}",
            ftp.says
        );
        // Sources bound to the internal zone do not get public's http.
        assert_eq!(
            fw.accepted(80).sources,
            Sources::any().minus(&s("10.203.0.0/24"))
        );
    }
}
