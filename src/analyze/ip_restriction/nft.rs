//! nftables rulesets: `nft -j list ruleset` (JSON, parsed with serde_json)
//! into the evaluator's form, and `nft -a list ruleset` (text) for the
//! rule lines that evidence quotes, matched by handle. Where JSON is not
//! available (nft older than 0.9 or built without it), the text is parsed
//! into the same JSON expressions and read the same way.

use super::firewall::{Action, Chain, Cond, Entry, Rule, Ruleset, Scope};
use super::sources::{port_number, Ports, Sources};
use serde_json::{json, Value};
use std::collections::HashMap;

/// (family, table, handle) → rule text.
type RuleTexts = HashMap<(String, String, u64), String>;

/// A named set: its declared type and elements.
#[derive(Debug, Clone)]
struct NamedSet {
    ty: String,
    elems: Vec<Value>,
    /// Verdict map: elements are `[key, verdict]`.
    is_vmap: bool,
}

type Sets = HashMap<(String, String, String), NamedSet>;

/// Parse `nft -j list ruleset`; `text` is `nft -a list ruleset` (may be
/// empty) for quoting rules in evidence.
pub fn parse_json(json_text: &str, text: &str) -> Result<Ruleset, String> {
    let v: Value = serde_json::from_str(json_text.trim())
        .map_err(|e| format!("nft JSON output is not valid JSON: {e}"))?;
    let items = v
        .get("nftables")
        .and_then(Value::as_array)
        .ok_or("nft JSON output has no \"nftables\" list")?;
    Ok(from_items(items, text))
}

/// The ruleset from the items of `nft -j`'s "nftables" list (or the same
/// items built from `nft list ruleset` text), with the rules quoted from
/// `text`.
fn from_items(items: &[Value], text: &str) -> Ruleset {
    let texts = rule_texts(text);
    let mut sets: Sets = HashMap::new();
    for it in items {
        for (key, is_vmap) in [("set", false), ("map", true)] {
            let Some(s) = it.get(key) else { continue };
            let id = (str_of(s, "family"), str_of(s, "table"), str_of(s, "name"));
            let ty = match s.get("type") {
                Some(Value::String(t)) => t.clone(),
                Some(Value::Array(ts)) => ts
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" . "),
                _ => String::new(),
            };
            let is_vmap = is_vmap && s.get("map").and_then(Value::as_str) == Some("verdict");
            let elems = s
                .get("elem")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            sets.insert(id, NamedSet { ty, elems, is_vmap });
        }
    }
    let mut rs = Ruleset {
        kind: "nftables".into(),
        chains: Vec::new(),
    };
    for it in items {
        if let Some(c) = it.get("chain") {
            let fam = str_of(c, "family");
            let table = str_of(c, "table");
            let Some(scope) = scope_of(&fam) else {
                continue;
            };
            let name = str_of(c, "name");
            let hook = c.get("hook").and_then(Value::as_str);
            let ty = c.get("type").and_then(Value::as_str).unwrap_or("filter");
            let entry = match hook {
                None => None,
                Some("input" | "prerouting" | "ingress") if ty == "filter" => Some(Entry {
                    policy_accept: c.get("policy").and_then(Value::as_str) != Some("drop"),
                }),
                // Output, forward, postrouting, nat chains: never on the way in.
                Some(_) => continue,
            };
            rs.chains.push(Chain {
                label: format!("table {fam} {table} chain {name}"),
                table: format!("{fam} {table}"),
                name,
                scope,
                entry,
                rules: Vec::new(),
            });
        }
        if let Some(r) = it.get("rule") {
            let fam = str_of(r, "family");
            let table = str_of(r, "table");
            let chain = str_of(r, "chain");
            let key = format!("{fam} {table}");
            let Some(ci) = rs
                .chains
                .iter()
                .position(|c| c.table == key && c.name == chain)
            else {
                continue;
            };
            let handle = r.get("handle").and_then(Value::as_u64).unwrap_or(0);
            let text = texts
                .get(&(fam.clone(), table.clone(), handle))
                .cloned()
                .unwrap_or_else(|| match r.get("comment").and_then(Value::as_str) {
                    Some(c) => format!("rule handle {handle} comment \"{c}\""),
                    None => format!("rule handle {handle}"),
                });
            let exprs = r
                .get("expr")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let cx = Cx {
                family: &fam,
                table: &table,
                sets: &sets,
            };
            let rules = cx.rules(&exprs, &text);
            rs.chains[ci].rules.extend(rules);
        }
    }
    rs
}

fn str_of(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn scope_of(family: &str) -> Option<Scope> {
    match family {
        "ip" => Some(Scope::V4),
        "ip6" => Some(Scope::V6),
        "inet" | "netdev" => Some(Scope::Both),
        _ => None, // arp, bridge: not on the IP input path
    }
}

/// Rule lines of `nft -a list ruleset` by (family, table, handle), with
/// counters shortened.
fn rule_texts(text: &str) -> RuleTexts {
    let mut out = HashMap::new();
    let mut table: Option<(String, String)> = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("table ") {
            let mut w = rest.split_whitespace();
            if let (Some(f), Some(n)) = (w.next(), w.next()) {
                table = Some((f.to_string(), n.to_string()));
            }
            continue;
        }
        let Some((body, handle)) = t.rsplit_once(" # handle ") else {
            continue;
        };
        if body.ends_with('{') {
            continue; // a chain or set header
        }
        let (Some((f, n)), Ok(h)) = (&table, handle.trim().parse::<u64>()) else {
            continue;
        };
        out.insert((f.clone(), n.clone(), h), tidy(body));
    }
    out
}

/// `counter packets 12 bytes 3456` → `counter`; collapse spaces.
fn tidy(rule: &str) -> String {
    let words: Vec<&str> = rule.split_whitespace().collect();
    let mut out: Vec<&str> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        if words[i] == "counter"
            && words.get(i + 1) == Some(&"packets")
            && words.get(i + 3) == Some(&"bytes")
        {
            out.push("counter");
            i += 5;
            continue;
        }
        out.push(words[i]);
        i += 1;
    }
    out.join(" ")
}

/// Parsing context: where a rule lives, for named-set lookups.
struct Cx<'a> {
    family: &'a str,
    table: &'a str,
    sets: &'a Sets,
}

/// What the left side of a match selects.
enum Left {
    Saddr(Scope),
    Dport,
    /// Protocol of layer 4; the scope limits which family carries the field.
    L4(Scope),
    NfProto,
    Iface,
    CtState,
    /// `udp dport`, `icmp type`…: needs a protocol other than TCP.
    NotTcp,
    Other(String),
}

impl Cx<'_> {
    /// One JSON rule → evaluator rules (several for a verdict map).
    fn rules(&self, exprs: &[Value], text: &str) -> Vec<Rule> {
        let mut conds = Vec::new();
        for e in exprs {
            let Some((k, v)) = e.as_object().and_then(|o| o.iter().next()) else {
                continue;
            };
            let action = match k.as_str() {
                "match" => {
                    let op = v.get("op").and_then(Value::as_str).unwrap_or("==");
                    conds.push(self.cond(&v["left"], op, &v["right"]));
                    continue;
                }
                "counter" | "log" | "comment" | "mangle" | "set" | "notrack" | "meta" | "ct"
                | "dynset" => continue,
                "limit" | "quota" | "synproxy" => {
                    conds.push(Cond::Unknown(format!("{k} statement")));
                    continue;
                }
                "xt" => match (
                    v.get("type").and_then(Value::as_str),
                    v.get("name").and_then(Value::as_str),
                ) {
                    (Some("match"), Some("comment")) => continue,
                    (Some("target"), Some("LOG" | "NFLOG" | "MARK" | "CONNMARK")) => continue,
                    (Some("target"), Some("REJECT" | "DROP")) => Action::Drop,
                    (Some("target"), Some("ACCEPT")) => Action::Accept,
                    (Some("match"), n) => {
                        conds.push(Cond::Unknown(format!(
                            "iptables match {}",
                            n.unwrap_or("?")
                        )));
                        continue;
                    }
                    (_, n) => Action::Unknown(format!("iptables target {}", n.unwrap_or("?"))),
                },
                "vmap" => {
                    return self.vmap(&conds, &v["key"], &v["data"], text);
                }
                _ => match verdict(e) {
                    Some(a) => a,
                    None => {
                        conds.push(Cond::Unknown(format!("{k} statement")));
                        continue;
                    }
                },
            };
            return vec![Rule {
                conds,
                action,
                text: text.to_string(),
            }];
        }
        vec![Rule {
            conds,
            action: Action::Continue,
            text: text.to_string(),
        }]
    }

    /// `<key> vmap { k : verdict, ... }` as one rule per element, in order
    /// (keys are distinct, so the order does not change the meaning).
    fn vmap(&self, conds: &[Cond], key: &Value, data: &Value, text: &str) -> Vec<Rule> {
        let elems: Vec<Value> = match data {
            Value::Object(o) if o.contains_key("set") => {
                o["set"].as_array().cloned().unwrap_or_default()
            }
            Value::String(s) if s.starts_with('@') => match self.named(&s[1..]) {
                Some(ns) if ns.is_vmap => ns.elems.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        if elems.is_empty() {
            let mut c = conds.to_vec();
            c.push(Cond::Unknown("verdict map".into()));
            return vec![Rule {
                conds: c,
                action: Action::Unknown("verdict map".into()),
                text: text.to_string(),
            }];
        }
        let mut out = Vec::new();
        for el in elems {
            let (Some(k), Some(v)) = (el.get(0), el.get(1)) else {
                continue;
            };
            let mut c = conds.to_vec();
            c.push(self.cond(key, "==", k));
            out.push(Rule {
                conds: c,
                action: verdict(v).unwrap_or_else(|| Action::Unknown(v.to_string())),
                text: text.to_string(),
            });
        }
        out
    }

    fn named(&self, name: &str) -> Option<&NamedSet> {
        self.sets.get(&(
            self.family.to_string(),
            self.table.to_string(),
            name.to_string(),
        ))
    }

    fn left(&self, left: &Value) -> Left {
        if let Some(p) = left.get("payload") {
            let proto = p.get("protocol").and_then(Value::as_str).unwrap_or("");
            let field = p.get("field").and_then(Value::as_str).unwrap_or("");
            return match (proto, field) {
                ("ip", "saddr") => Left::Saddr(Scope::V4),
                ("ip6", "saddr") => Left::Saddr(Scope::V6),
                ("tcp" | "th", "dport") => Left::Dport,
                ("ip", "protocol") => Left::L4(Scope::V4),
                ("ip6", "nexthdr") => Left::L4(Scope::V6),
                ("udp" | "udplite" | "sctp" | "dccp" | "icmp" | "icmpv6" | "igmp", _) => {
                    Left::NotTcp
                }
                _ => Left::Other(format!("{proto} {field}").trim().to_string()),
            };
        }
        if let Some(m) = left.get("meta") {
            return match m.get("key").and_then(Value::as_str).unwrap_or("") {
                "iif" | "iifname" => Left::Iface,
                "l4proto" => Left::L4(Scope::Both),
                "nfproto" => Left::NfProto,
                k => Left::Other(format!("meta {k}")),
            };
        }
        if let Some(c) = left.get("ct") {
            return match c.get("key").and_then(Value::as_str).unwrap_or("") {
                "state" => Left::CtState,
                k => Left::Other(format!("ct {k}")),
            };
        }
        let what = left
            .as_object()
            .and_then(|o| o.keys().next().cloned())
            .unwrap_or_else(|| "expression".into());
        Left::Other(what)
    }

    fn cond(&self, left: &Value, op: &str, right: &Value) -> Cond {
        let negated = op == "!=";
        if !matches!(op, "==" | "!=" | "in") {
            return Cond::Unknown(format!("comparison {op}"));
        }
        match self.left(left) {
            Left::Saddr(scope) => match self.addrs(right, scope) {
                Some(s) => {
                    let s = if negated { s.complement() } else { s };
                    Cond::Src(s.intersect(&scope.sources()))
                }
                None => Cond::Unknown(format!("source address {right}")),
            },
            Left::Dport => match self.ports(right) {
                Some(p) => Cond::Dport(p, negated),
                None => Cond::Unknown(format!("destination port {right}")),
            },
            Left::L4(scope) => {
                let names = self.words(right);
                let tcp = names.iter().any(|n| n == "tcp" || n == "6");
                if tcp != negated {
                    Cond::Src(scope.sources())
                } else {
                    Cond::Never
                }
            }
            Left::NfProto => {
                let names = self.words(right);
                let mut s = Sources::none();
                if names.iter().any(|n| n == "ipv4") {
                    s = s.union(&Sources::any_v4());
                }
                if names.iter().any(|n| n == "ipv6") {
                    s = s.union(&Sources::any_v6());
                }
                Cond::Src(if negated { s.complement() } else { s })
            }
            Left::Iface => {
                let names = self.words(right);
                if names.len() == 1 && names[0] == "lo" {
                    let lo = Sources::loopback();
                    Cond::Src(if negated { lo.complement() } else { lo })
                } else {
                    Cond::Unknown(format!("input interface {}", names.join(",")))
                }
            }
            Left::CtState => {
                let states = self.words(right);
                let new = states.iter().any(|s| s == "new" || s == "untracked");
                if new != negated {
                    Cond::Src(Sources::any())
                } else {
                    Cond::Never
                }
            }
            Left::NotTcp => Cond::Never,
            Left::Other(what) => Cond::Unknown(what),
        }
    }

    /// Strings of a value, a set or a named set: protocols, states, names.
    fn words(&self, v: &Value) -> Vec<String> {
        match v {
            Value::String(s) if s.starts_with('@') => self
                .named(&s[1..])
                .map(|ns| ns.elems.iter().flat_map(|e| self.words(e)).collect())
                .unwrap_or_default(),
            Value::String(s) => vec![s.clone()],
            Value::Number(n) => vec![n.to_string()],
            Value::Array(a) => a.iter().flat_map(|e| self.words(e)).collect(),
            Value::Object(o) if o.contains_key("set") => self.words(&o["set"]),
            Value::Object(o) if o.contains_key("elem") => self.words(&o["elem"]["val"]),
            _ => Vec::new(),
        }
    }

    /// Addresses of a value: `10.0.0.1`, prefix, range, set, `@named`.
    fn addrs(&self, v: &Value, scope: Scope) -> Option<Sources> {
        match v {
            Value::String(s) if s.starts_with('@') => {
                let ns = self.named(&s[1..])?;
                if !(ns.ty.contains("ipv4_addr") || ns.ty.contains("ipv6_addr"))
                    || ns.ty.contains(" . ")
                {
                    return None;
                }
                self.addr_list(&ns.elems, scope)
            }
            Value::String(s) => Sources::parse(s),
            Value::Array(a) => self.addr_list(a, scope),
            Value::Object(o) => {
                if let Some(p) = o.get("prefix") {
                    let addr = p.get("addr")?.as_str()?;
                    let len = p.get("len")?.as_u64()?;
                    Sources::parse(&format!("{addr}/{len}"))
                } else if let Some(r) = o.get("range") {
                    let a = r.get(0)?.as_str()?;
                    let b = r.get(1)?.as_str()?;
                    Sources::parse(&format!("{a}-{b}"))
                } else if let Some(s) = o.get("set") {
                    match s {
                        Value::Array(a) => self.addr_list(a, scope),
                        other => self.addrs(other, scope),
                    }
                } else if let Some(e) = o.get("elem") {
                    self.addrs(e.get("val")?, scope)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    fn addr_list(&self, items: &[Value], scope: Scope) -> Option<Sources> {
        items.iter().try_fold(Sources::none(), |acc, e| {
            self.addrs(e, scope).map(|s| acc.union(&s))
        })
    }

    /// Ports of a value: number, service name, range, set, `@named`.
    fn ports(&self, v: &Value) -> Option<Ports> {
        let mut out = Ports::default();
        self.port_into(v, &mut out)?;
        Some(out)
    }

    fn port_into(&self, v: &Value, out: &mut Ports) -> Option<()> {
        match v {
            Value::Number(n) => {
                let p = u16::try_from(n.as_u64()?).ok()?;
                out.push(p, p);
            }
            Value::String(s) if s.starts_with('@') => {
                let ns = self.named(&s[1..])?;
                if ns.ty != "inet_service" {
                    return None;
                }
                for e in &ns.elems {
                    self.port_into(e, out)?;
                }
            }
            Value::String(s) => {
                let p = port_number(s)?;
                out.push(p, p);
            }
            Value::Array(a) => {
                for e in a {
                    self.port_into(e, out)?;
                }
            }
            Value::Object(o) => {
                if let Some(r) = o.get("range") {
                    let lo = port_of(r.get(0)?)?;
                    let hi = port_of(r.get(1)?)?;
                    out.push(lo, hi);
                } else if let Some(s) = o.get("set") {
                    self.port_into(s, out)?;
                } else if let Some(e) = o.get("elem") {
                    self.port_into(e.get("val")?, out)?;
                } else {
                    return None;
                }
            }
            _ => return None,
        }
        Some(())
    }
}

fn port_of(v: &Value) -> Option<u16> {
    match v {
        Value::Number(n) => u16::try_from(n.as_u64()?).ok(),
        Value::String(s) => port_number(s),
        _ => None,
    }
}

fn verdict(v: &Value) -> Option<Action> {
    let o = v.as_object()?;
    let (k, arg) = o.iter().next()?;
    let target = || {
        arg.get("target")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Some(match k.as_str() {
        "accept" => Action::Accept,
        "drop" | "reject" => Action::Drop,
        "continue" => Action::Continue,
        "return" => Action::Return,
        "jump" => Action::Jump(target()),
        "goto" => Action::Goto(target()),
        "queue" => Action::Unknown("queue".into()),
        _ => return None,
    })
}

/// Parse `nft list ruleset` text (no JSON support on the target): each rule
/// line becomes the JSON statements nft itself would print, read by the
/// same code. Statements it does not know make the rule uncertain.
pub fn parse_text(text: &str) -> Result<Ruleset, String> {
    let mut items: Vec<Value> = Vec::new();
    let mut table: Option<(String, String)> = None;
    let mut block: Option<(String, String)> = None; // (kind, name)
    let mut set_lines = String::new();
    let mut handle = 0u64;
    let mut saw_table = false;
    for raw in text.lines() {
        let line = match raw.split_once(" # handle ") {
            Some((b, _)) => b.trim(),
            None => raw.trim(),
        };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("table ") {
            let w: Vec<&str> = rest.split_whitespace().collect();
            if w.len() >= 2 {
                table = Some((w[0].to_string(), w[1].to_string()));
                saw_table = true;
                items.push(json!({"table": {"family": w[0], "name": w[1]}}));
            }
            continue;
        }
        let Some((fam, tab)) = table.clone() else {
            continue;
        };
        if line == "}" {
            if let Some((kind, name)) = block.take() {
                if kind == "set" || kind == "map" {
                    items.push(text_set(&fam, &tab, &kind, &name, &set_lines));
                    set_lines.clear();
                }
            } else {
                table = None;
            }
            continue;
        }
        if block.is_none() {
            // chain, set, map, and objects we do not read (flowtable, counter…)
            if line.ends_with('{') {
                let mut w = line.split_whitespace();
                let kind = w.next().unwrap_or("").to_string();
                let name = w.next().unwrap_or("").to_string();
                if kind == "chain" {
                    items.push(json!({"chain": {"family": fam, "table": tab, "name": name}}));
                }
                block = Some((kind, name));
            }
            continue;
        }
        let Some((kind, name)) = block.clone() else {
            continue;
        };
        if kind != "chain" {
            if kind == "set" || kind == "map" {
                set_lines.push_str(line);
                set_lines.push('\n');
            }
            continue;
        }
        if line.starts_with("type ") && line.contains(" hook ") {
            let w: Vec<&str> = line
                .split(|c: char| c.is_whitespace() || c == ';')
                .filter(|s| !s.is_empty())
                .collect();
            let after = |k: &str| w.iter().position(|x| *x == k).and_then(|i| w.get(i + 1));
            if let Some(Value::Object(c)) = items.last_mut().and_then(|it| it.get_mut("chain")) {
                c.insert("type".into(), json!(after("type").unwrap_or(&"filter")));
                c.insert("hook".into(), json!(after("hook").unwrap_or(&"")));
                c.insert("policy".into(), json!(after("policy").unwrap_or(&"accept")));
            }
            continue;
        }
        handle += 1;
        let expr = text_rule(line);
        items.push(json!({"rule": {"family": fam, "table": tab, "chain": name, "handle": handle, "expr": expr}}));
    }
    if !saw_table && !text.trim().is_empty() {
        return Err(format!(
            "nft printed no ruleset: {}",
            text.lines().next().unwrap_or_default()
        ));
    }
    // Quote rules as the text shows them.
    let mut quoted = String::new();
    let mut h = 0u64;
    let mut in_chain = false;
    for raw in text.lines() {
        let line = match raw.split_once(" # handle ") {
            Some((b, _)) => b.trim(),
            None => raw.trim(),
        };
        if line.starts_with("chain ") {
            in_chain = true;
        } else if line == "}" {
            in_chain = false;
        }
        let header = line.starts_with("chain ")
            || (line.starts_with("type ") && line.contains(" hook "))
            || line.is_empty()
            || line.starts_with('#');
        if in_chain && !header {
            h += 1;
            quoted.push_str(&format!("{line} # handle {h}\n"));
        } else if line.starts_with("table ") {
            quoted.push_str(line);
            quoted.push('\n');
        }
    }
    Ok(from_items(&items, &quoted))
}

fn text_set(fam: &str, tab: &str, kind: &str, name: &str, body: &str) -> Value {
    let mut ty = String::new();
    let mut elems = String::new();
    let mut in_elems = false;
    for l in body.lines() {
        if let Some(t) = l.strip_prefix("type ") {
            ty = t.trim().to_string();
        } else if let Some(e) = l.strip_prefix("elements = ") {
            elems.push_str(e);
            in_elems = !e.trim_end().ends_with('}');
        } else if in_elems {
            elems.push(' ');
            elems.push_str(l);
            in_elems = !l.trim_end().ends_with('}');
        }
    }
    let toks = tokenize(&elems);
    let elem = match toks.first() {
        Some(Tok::Group(items)) => {
            if kind == "map" {
                Value::Array(
                    items
                        .iter()
                        .filter_map(|i| {
                            let (k, v) = i.split_once(" : ")?;
                            Some(json!([text_value(k.trim()), text_verdict(v.trim())?]))
                        })
                        .collect(),
                )
            } else {
                Value::Array(items.iter().map(|i| text_value(i)).collect())
            }
        }
        _ => json!([]),
    };
    let (ty, map) = match ty.split_once(" : ") {
        Some((k, v)) => (k.trim().to_string(), Some(v.trim().to_string())),
        None => (ty, None),
    };
    let mut o = json!({"family": fam, "table": tab, "name": name, "type": ty, "elem": elem});
    if let Some(m) = map {
        o["map"] = json!(m);
    }
    json!({ kind: o })
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    /// `{ a, b, c }` split at top-level commas.
    Group(Vec<String>),
}

fn tokenize(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '{' {
            let mut depth = 0;
            let mut cur = String::new();
            let mut items = Vec::new();
            while i < cs.len() {
                let c = cs[i];
                match c {
                    '{' => {
                        depth += 1;
                        if depth > 1 {
                            cur.push(c);
                        }
                    }
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                        cur.push(c);
                    }
                    ',' if depth == 1 => {
                        items.push(cur.trim().to_string());
                        cur.clear();
                    }
                    _ => cur.push(c),
                }
                i += 1;
            }
            if !cur.trim().is_empty() {
                items.push(cur.trim().to_string());
            }
            out.push(Tok::Group(items));
        } else if c == '"' {
            let mut w = String::from('"');
            i += 1;
            while i < cs.len() && cs[i] != '"' {
                w.push(cs[i]);
                i += 1;
            }
            w.push('"');
            i += 1;
            out.push(Tok::Word(w));
        } else {
            let mut w = String::new();
            while i < cs.len() && !cs[i].is_whitespace() {
                w.push(cs[i]);
                i += 1;
            }
            out.push(Tok::Word(w));
        }
    }
    out
}

/// A text value as nft's JSON would show it.
fn text_value(s: &str) -> Value {
    let s = s.trim().trim_matches('"');
    if let Ok(n) = s.parse::<u64>() {
        return json!(n);
    }
    if let Some((a, l)) = s.split_once('/') {
        if let Ok(len) = l.parse::<u64>() {
            return json!({"prefix": {"addr": a, "len": len}});
        }
    }
    if let Some((a, b)) = s.split_once('-') {
        if !a.is_empty() && (a.contains('.') || a.contains(':') || a.parse::<u64>().is_ok()) {
            return json!({"range": [text_value(a), text_value(b)]});
        }
    }
    json!(s)
}

fn text_verdict(s: &str) -> Option<Value> {
    let mut w = s.split_whitespace();
    Some(match w.next()? {
        v @ ("accept" | "drop" | "continue" | "return") => json!({ v: null }),
        "reject" => json!({"reject": null}),
        v @ ("jump" | "goto") => json!({ v: {"target": w.next()?} }),
        _ => return None,
    })
}

/// One rule line → JSON statements.
fn text_rule(line: &str) -> Vec<Value> {
    let toks = tokenize(line);
    let word = |i: usize| -> Option<&str> {
        match toks.get(i) {
            Some(Tok::Word(w)) => Some(w.as_str()),
            _ => None,
        }
    };
    let value = |i: usize| -> Option<Value> {
        match toks.get(i)? {
            Tok::Word(w) if w.contains(',') && !w.contains(':') => {
                Some(Value::Array(w.split(',').map(text_value).collect()))
            }
            Tok::Word(w) => Some(text_value(w)),
            Tok::Group(items) => {
                Some(json!({"set": items.iter().map(|x| text_value(x)).collect::<Vec<_>>()}))
            }
        }
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let Some(w) = word(i) else {
            out.push(json!({"unparsed": null}));
            i += 1;
            continue;
        };
        // Left-hand sides of matches, and how many words they take.
        let (left, n): (Option<Value>, usize) = match w {
            "ip" | "ip6" | "tcp" | "udp" | "th" | "sctp" | "icmp" | "icmpv6" | "udplite" => (
                word(i + 1).map(|f| json!({"payload": {"protocol": w, "field": f}})),
                2,
            ),
            "meta" => (word(i + 1).map(|k| json!({"meta": {"key": k}})), 2),
            "iif" | "iifname" | "oif" | "oifname" | "mark" | "l4proto" | "nfproto" => {
                (Some(json!({"meta": {"key": w}})), 1)
            }
            "ct" => (word(i + 1).map(|k| json!({"ct": {"key": k}})), 2),
            _ => (None, 0),
        };
        if let Some(left) = left {
            i += n;
            if word(i) == Some("vmap") {
                if let Some(Tok::Group(items)) = toks.get(i + 1) {
                    let data: Vec<Value> = items
                        .iter()
                        .filter_map(|it| {
                            let (k, v) = it.split_once(" : ")?;
                            let k = k.trim();
                            let key = if k.contains(',') {
                                Value::Array(k.split(',').map(text_value).collect())
                            } else {
                                text_value(k)
                            };
                            Some(json!([key, text_verdict(v.trim())?]))
                        })
                        .collect();
                    out.push(json!({"vmap": {"key": left, "data": {"set": data}}}));
                } else if let Some(Tok::Word(m)) = toks.get(i + 1) {
                    out.push(json!({"vmap": {"key": left, "data": m}}));
                }
                i += 2;
                continue;
            }
            let op = match word(i) {
                Some(o @ ("!=" | "==" | "<" | ">" | "<=" | ">=")) => {
                    i += 1;
                    o.to_string()
                }
                _ => "==".to_string(),
            };
            let Some(right) = value(i) else {
                out.push(json!({"unparsed": null}));
                break;
            };
            let op = if matches!(&right, Value::Array(_)) && op == "==" {
                "in".to_string()
            } else {
                op
            };
            out.push(json!({"match": {"op": op, "left": left, "right": right}}));
            i += 1;
            continue;
        }
        match w {
            "counter" => {
                i += 1;
                if word(i) == Some("packets") {
                    i += 4;
                }
                out.push(json!({"counter": null}));
            }
            "log" => {
                i += 1;
                while let Some(
                    k @ ("prefix" | "level" | "group" | "flags" | "snaplen" | "queue-threshold"),
                ) = word(i)
                {
                    let _ = k;
                    i += 2;
                }
                out.push(json!({"log": null}));
            }
            "comment" => i += 2,
            "accept" | "drop" | "continue" | "return" => {
                out.push(json!({ w: null }));
                i += 1;
            }
            "reject" => {
                out.push(json!({"reject": null}));
                break;
            }
            "jump" | "goto" => {
                out.push(json!({ w: {"target": word(i + 1).unwrap_or("")} }));
                i += 2;
            }
            _ => {
                // Unknown statement of unknown length: the rule is uncertain
                // from here, but its verdict is still its last verdict word.
                out.push(json!({"unparsed": null}));
                let rest: Vec<&str> = (i..toks.len()).filter_map(word).collect();
                if let Some(pos) = rest.iter().rposition(|x| {
                    matches!(
                        *x,
                        "accept" | "drop" | "reject" | "return" | "jump" | "goto"
                    )
                }) {
                    let v = match rest[pos] {
                        t @ ("jump" | "goto") => {
                            json!({ t: {"target": rest.get(pos + 1).copied().unwrap_or("")} })
                        }
                        t => json!({ t: null }),
                    };
                    out.push(v);
                }
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIX: &str = "tests/fixtures/ip-restriction";

    fn fixture(name: &str) -> String {
        let p = format!("{}/{FIX}/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    fn s(t: &str) -> Sources {
        Sources::parse(t).unwrap()
    }

    fn both(name: &str) -> [Ruleset; 2] {
        let text = fixture(&format!("nft-{name}.txt"));
        [
            parse_json(&fixture(&format!("nft-{name}.json")), &text).unwrap(),
            parse_text(&text).unwrap(),
        ]
    }

    #[test]
    fn clean_lab_ruleset_accepts_ssh_only_from_the_management_network() {
        for rs in both("clean") {
            let a = rs.answer(22);
            assert_eq!(a.passes(), s("10.203.0.0/24").union(&Sources::loopback()));
            let by: Vec<&str> = a.chains[0].accepted.iter().map(|p| p.by.as_str()).collect();
            assert!(
                by.contains(
                    &"`ip saddr 10.203.0.0/24 tcp dport 22 accept` (table inet filter chain input)"
                ),
                "{by:?}"
            );
            assert!(
                a.chains[0].uncertain.is_empty(),
                "{:?}",
                a.chains[0].uncertain
            );
            assert!(rs.answer(80).passes().is_any());
            assert_eq!(rs.answer(21).passes(), Sources::loopback());
        }
    }

    #[test]
    fn sets_jumps_vmaps_and_ranges() {
        for rs in both("complex") {
            let ssh = rs.answer(22).passes().minus(&Sources::loopback());
            assert_eq!(
                ssh,
                s("192.0.2.0/24")
                    .union(&s("198.51.100.7"))
                    .union(&s("2001:db8:1::/48")),
                "{:?}",
                rs.answer(22)
            );
            assert_eq!(rs.answer(2222).passes(), rs.answer(22).passes());
            // `ip saddr != 10.0.0.0/8 reject` does not match IPv6 packets.
            let ftp = rs.answer(21).passes();
            assert_eq!(
                ftp,
                s("10.0.0.0/8")
                    .union(&Sources::any_v6())
                    .union(&Sources::loopback())
            );
            assert_eq!(
                rs.answer(3306).passes().minus(&Sources::loopback()),
                s("10.1.0.0/16")
            );
            assert!(rs.answer(5500).passes().is_any());
            assert!(rs.answer(443).passes().is_any());
            let proxy = rs.answer(8080).passes();
            assert_eq!(proxy, Sources::any().minus(&s("203.0.113.0/24")));
            assert_eq!(rs.answer(23).passes(), Sources::loopback());
        }
    }

    #[test]
    fn an_ip_family_table_leaves_ipv6_alone() {
        for rs in both("ipfamily") {
            assert_eq!(
                rs.answer(21).passes(),
                s("10.0.0.0/8").union(&Sources::any_v6())
            );
            assert_eq!(
                rs.answer(23).passes(),
                s("10.9.0.1")
                    .union(&s("10.9.0.2"))
                    .union(&Sources::any_v6())
            );
            assert!(rs.answer(22).passes().is_any());
            let a = rs.answer(21);
            assert!(
                a.chains[0]
                    .accepted
                    .iter()
                    .any(|p| p.by.contains("tcp dport 21 ip saddr 10.0.0.0/8 accept")),
                "{a:?}"
            );
        }
    }

    #[test]
    fn iptables_nft_tables_read_through_xt_matches_as_uncertain() {
        let [json, text] = both("iptables-nft");
        // The JSON shows conntrack as an opaque xt match: it may accept.
        let a = json.answer(22);
        assert!(!a.chains.iter().all(|c| c.uncertain.is_empty()));
        // The text has nft's translation: exact.
        let t = text.answer(22).passes().minus(&Sources::loopback());
        assert_eq!(
            t,
            s("192.0.2.0/24")
                .union(&s("198.51.100.7"))
                .union(&s("2001:db8:1::/48"))
        );
        assert_eq!(
            text.answer(3306).passes().minus(&Sources::loopback()),
            s("10.20.0.0/16")
        );
    }

    #[test]
    fn rule_texts_by_handle() {
        let t = rule_texts(&fixture("nft-iptables-nft.txt"));
        assert_eq!(
            t.get(&("ip".into(), "filter".into(), 11))
                .map(String::as_str),
            Some("ip saddr 10.20.0.0/16 tcp dport 3306 counter accept")
        );
    }

    #[test]
    fn no_ruleset_and_errors() {
        let rs = parse_json(r#"{"nftables": [{"metainfo": {"version": "1.0.6"}}]}"#, "").unwrap();
        assert!(rs.answer(22).passes().is_any());
        assert!(parse_text("Error: Operation not permitted\n").is_err());
        assert!(parse_json("netlink: Error", "").is_err());
    }
}
