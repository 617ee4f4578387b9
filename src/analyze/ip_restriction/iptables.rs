//! `iptables-save` / `ip6tables-save` output into the evaluator's form. The
//! probe prints each command's output after a `# shipshape: <command>` line,
//! which decides the address family. Entry chains: INPUT and PREROUTING of
//! every table but `nat`.

use super::firewall::{Action, Chain, Cond, Entry, Rule, Ruleset, Scope};
use super::sources::{parse_port_range, Ports, Sources};

/// Parse the probe output: one ruleset per `*-save` command that printed
/// tables.
pub fn parse(text: &str) -> Result<Vec<Ruleset>, String> {
    let mut out = Vec::new();
    let mut section: Option<(String, Vec<&str>)> = None;
    for line in text.lines() {
        if let Some(cmd) = line.strip_prefix("# shipshape: ") {
            if let Some((c, lines)) = section.take() {
                out.extend(parse_one(&c, &lines)?);
            }
            section = Some((cmd.trim().to_string(), Vec::new()));
        } else if let Some((_, lines)) = section.as_mut() {
            lines.push(line);
        } else {
            section = Some(("iptables-save".into(), vec![line]));
        }
    }
    if let Some((c, lines)) = section.take() {
        out.extend(parse_one(&c, &lines)?);
    }
    Ok(out)
}

fn parse_one(cmd: &str, lines: &[&str]) -> Result<Option<Ruleset>, String> {
    let v6 = cmd.starts_with("ip6");
    let kind = if v6 { "ip6tables" } else { "iptables" };
    let scope = if v6 { Scope::V6 } else { Scope::V4 };
    let mut rs = Ruleset {
        kind: kind.into(),
        chains: Vec::new(),
    };
    let mut table = String::new();
    let mut seen_any = false;
    for line in lines {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line == "COMMIT" {
            continue;
        }
        if let Some(t) = line.strip_prefix('*') {
            table = t.trim().to_string();
            seen_any = true;
        } else if let Some(decl) = line.strip_prefix(':') {
            let mut w = decl.split_whitespace();
            let name = w.next().unwrap_or_default().to_string();
            let policy = w.next().unwrap_or("-");
            let entry = match (table.as_str(), name.as_str()) {
                ("nat", _) => None,
                (_, "INPUT" | "PREROUTING") => Some(Entry {
                    policy_accept: policy != "DROP",
                }),
                _ => None,
            };
            rs.chains.push(Chain {
                label: format!("{kind} table {table} chain {name}"),
                table: table.clone(),
                name,
                scope,
                entry,
                rules: Vec::new(),
            });
        } else if line.starts_with("-A ") {
            let words = shell_words(line);
            let chain = words.get(1).cloned().unwrap_or_default();
            let user: Vec<&str> = rs
                .chains
                .iter()
                .filter(|c| c.table == table)
                .map(|c| c.name.as_str())
                .collect();
            let rule = rule(&words[2.min(words.len())..], line, scope, &user);
            if let Some(c) = rs
                .chains
                .iter_mut()
                .find(|c| c.table == table && c.name == chain)
            {
                c.rules.push(rule);
            }
        } else if !seen_any {
            return Err(format!("{cmd} printed no rules: {line}"));
        }
    }
    // Built-in chains of a table that is not filtering stay out of the answer.
    rs.chains
        .retain(|c| c.entry.is_some() || !c.rules.is_empty());
    Ok(seen_any.then_some(rs))
}

/// Split like a shell: `--comment "legacy ftp"` is one word.
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            '\\' if quoted => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

fn rule(words: &[String], text: &str, scope: Scope, chains: &[&str]) -> Rule {
    let mut conds = Vec::new();
    let mut action = Action::Continue;
    let mut negate = false;
    let mut i = 0;
    let arg = |i: usize| words.get(i + 1).map(String::as_str).unwrap_or("");
    while i < words.len() {
        let w = words[i].as_str();
        if w == "!" {
            negate = true;
            i += 1;
            continue;
        }
        let neg = std::mem::take(&mut negate);
        let mut step = 2;
        match w {
            "-s" | "--source" | "--src-range" => {
                let set = arg(i)
                    .split(',')
                    .map(Sources::parse)
                    .try_fold(Sources::none(), |a, s| s.map(|s| a.union(&s)));
                conds.push(match set {
                    Some(s) => {
                        let s = if neg { s.complement() } else { s };
                        Cond::Src(s.intersect(&scope.sources()))
                    }
                    None => Cond::Unknown(format!("source {}", arg(i))),
                });
            }
            "-p" | "--protocol" => {
                let p = arg(i).to_ascii_lowercase();
                let tcp = matches!(p.as_str(), "tcp" | "6" | "all" | "0");
                if tcp == neg {
                    conds.push(Cond::Never);
                }
            }
            "-i" | "--in-interface" => {
                if arg(i) == "lo" {
                    let lo = Sources::loopback();
                    conds.push(Cond::Src(if neg { lo.complement() } else { lo }));
                } else {
                    conds.push(Cond::Unknown(format!("input interface {}", arg(i))));
                }
            }
            "--dport" | "--destination-port" | "--dports" | "--destination-ports" => {
                let mut ports = Ports::default();
                let mut ok = true;
                for part in arg(i).split(',') {
                    match parse_port_range(part) {
                        Some((lo, hi)) => ports.push(lo, hi),
                        None => ok = false,
                    }
                }
                conds.push(if ok {
                    Cond::Dport(ports, neg)
                } else {
                    Cond::Unknown(format!("destination port {}", arg(i)))
                });
            }
            "--ctstate" | "--state" => {
                let new = arg(i)
                    .split(',')
                    .any(|s| s.eq_ignore_ascii_case("NEW") || s.eq_ignore_ascii_case("UNTRACKED"));
                if new == neg {
                    conds.push(Cond::Never);
                }
            }
            "--syn" => {
                step = 1;
                if neg {
                    conds.push(Cond::Never);
                }
            }
            "-m" | "--match" | "--comment" => {}
            "-j" | "--jump" | "-g" | "--goto" => {
                let t = arg(i);
                action = match t {
                    "ACCEPT" => Action::Accept,
                    "DROP" | "REJECT" | "TARPIT" => Action::Drop,
                    "RETURN" => Action::Return,
                    "LOG" | "NFLOG" | "ULOG" | "MARK" | "CONNMARK" | "TRACE" | "CT" | "NOTRACK"
                    | "AUDIT" | "SET" => Action::Continue,
                    t if chains.contains(&t) && (w == "-g" || w == "--goto") => {
                        Action::Goto(t.to_string())
                    }
                    t if chains.contains(&t) => Action::Jump(t.to_string()),
                    t => Action::Unknown(t.to_string()),
                };
                // Target options follow (`--reject-with`, `--log-prefix`).
                break;
            }
            "-f" | "--fragment" => {
                step = 1;
                if !neg {
                    conds.push(Cond::Never); // a SYN is never a later fragment
                }
            }
            other if other.starts_with('-') => {
                // An option we do not read; its value (if any) follows.
                let next = arg(i);
                if next.is_empty() || next.starts_with('-') || next == "!" {
                    step = 1;
                }
                conds.push(Cond::Unknown(
                    format!("{other} {}", if step == 2 { next } else { "" })
                        .trim()
                        .to_string(),
                ));
            }
            _ => step = 1,
        }
        i += step;
    }
    Rule {
        conds,
        action,
        text: text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let p = format!(
            "{}/tests/fixtures/ip-restriction/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    fn s(t: &str) -> Sources {
        Sources::parse(t).unwrap()
    }

    fn passes(rs: &[Ruleset], port: u16) -> Sources {
        rs.iter()
            .fold(Sources::any(), |a, r| a.intersect(&r.answer(port).passes()))
    }

    #[test]
    fn drop_policy_with_user_chain_multiport_and_ip6tables() {
        let rs = parse(&fixture("iptables-save-drop-policy.txt")).unwrap();
        assert_eq!(rs.len(), 2);
        assert_eq!(rs[1].kind, "ip6tables");
        let ssh = passes(&rs, 22).minus(&Sources::loopback());
        assert_eq!(
            ssh,
            s("192.0.2.0/24")
                .union(&s("198.51.100.7"))
                .union(&s("2001:db8:1::/48"))
        );
        let a = rs[0].answer(22);
        assert!(
            a.chains[0]
                .accepted
                .iter()
                .any(|p| p.by
                    == "`-A SSH -s 192.0.2.0/24 -j ACCEPT` (iptables table filter chain SSH)"),
            "{a:?}"
        );
        assert!(
            a.chains[0].uncertain.is_empty(),
            "{:?}",
            a.chains[0].uncertain
        );
        assert_eq!(
            passes(&rs, 3306).minus(&Sources::loopback()),
            s("10.20.0.0/16")
        );
        assert!(passes(&rs, 21).is_any(), "21 is open to both families");
        assert_eq!(
            passes(&rs, 8050),
            Sources::any_v4().union(&Sources::loopback())
        );
        assert_eq!(passes(&rs, 23), Sources::loopback());
    }

    #[test]
    fn accept_policy_with_negated_source_and_iprange() {
        let rs = parse(&fixture("iptables-save-accept-policy.txt")).unwrap();
        assert_eq!(rs.len(), 1);
        assert_eq!(passes(&rs, 22), s("10.0.0.0/8").union(&Sources::any_v6()));
        assert_eq!(passes(&rs, 21), s("10.0.0.0/8").union(&Sources::any_v6()));
        assert_eq!(
            passes(&rs, 23),
            s("10.9.0.1-10.9.0.20").union(&Sources::any_v6())
        );
        assert!(passes(&rs, 80).is_any());
    }

    #[test]
    fn errors_and_empty_output() {
        assert!(parse("").unwrap().is_empty());
        assert!(
            parse("# shipshape: iptables-save\niptables-save v1.4.21: Permission denied\n")
                .is_err()
        );
        assert_eq!(
            shell_words(r#"-A INPUT -m comment --comment "legacy ftp" -j ACCEPT"#),
            [
                "-A",
                "INPUT",
                "-m",
                "comment",
                "--comment",
                "legacy ftp",
                "-j",
                "ACCEPT"
            ]
        );
    }
}
