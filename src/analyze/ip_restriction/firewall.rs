//! A packet-filter ruleset reduced to one question: for a new inbound TCP
//! connection to port P, which source addresses get through? nftables and
//! iptables rulesets are parsed into this form (`nft.rs`, `iptables.rs`) and
//! evaluated here with first-match semantics, jumps, gotos and returns.
//!
//! Whatever the evaluator cannot interpret is assumed to let traffic
//! through (an accept it cannot read may accept; a drop it cannot read may
//! not drop), so an answer is never narrower than the truth and an unread
//! rule can cause a false `fail`, never a false `pass`.

use super::sources::{Ports, Sources};
use std::collections::HashMap;

/// Which packets traverse a chain: its table's address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    V4,
    V6,
    Both,
}

impl Scope {
    pub fn sources(self) -> Sources {
        match self {
            Scope::V4 => Sources::any_v4(),
            Scope::V6 => Sources::any_v6(),
            Scope::Both => Sources::any(),
        }
    }
}

/// A parsed ruleset: nftables, or the output of one `iptables-save`.
#[derive(Debug, Clone, Default)]
pub struct Ruleset {
    /// `nftables`, `iptables`, `ip6tables`.
    pub kind: String,
    pub chains: Vec<Chain>,
}

#[derive(Debug, Clone)]
pub struct Chain {
    pub table: String,
    pub name: String,
    pub scope: Scope,
    /// For evidence: `table inet filter chain input`, `iptables filter INPUT`.
    pub label: String,
    /// Set for a base chain that sees inbound packets (input, prerouting,
    /// ingress): where evaluation starts.
    pub entry: Option<Entry>,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub policy_accept: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub conds: Vec<Cond>,
    pub action: Action,
    /// The rule as its tool prints it.
    pub text: String,
}

/// One condition of a rule, as it applies to a new inbound TCP connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    /// The source address is in the set (also expresses address family
    /// and `iif lo`, which only local sources use).
    Src(Sources),
    /// The destination port is (or with `true`, is not) in the set.
    Dport(Ports, bool),
    /// Cannot match such a connection (UDP, ICMP, `ct state established`).
    Never,
    /// Not interpreted; may or may not match.
    Unknown(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Accept,
    /// Drop or reject.
    Drop,
    /// No verdict: counter, log, comment.
    Continue,
    Jump(String),
    Goto(String),
    Return,
    /// Not interpreted; may accept.
    Unknown(String),
}

/// Sources that an entry chain may accept, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub sources: Sources,
    /// The rule or policy that accepts them.
    pub by: String,
}

/// The result for one entry chain.
#[derive(Debug, Clone)]
pub struct ChainAnswer {
    pub label: String,
    pub scope: Scope,
    pub accepted: Vec<Accepted>,
    /// Rules that could not be interpreted exactly.
    pub uncertain: Vec<String>,
}

impl ChainAnswer {
    /// Sources that pass this chain: those it accepts, and every packet of
    /// a family the chain never sees.
    pub fn passes(&self) -> Sources {
        let acc = self
            .accepted
            .iter()
            .fold(Sources::none(), |a, p| a.union(&p.sources));
        acc.union(&self.scope.sources().complement())
    }

    /// Does this chain drop some sources (restrict at all)?
    pub fn restricts(&self) -> bool {
        !self.passes().is_any()
    }
}

/// A whole ruleset's answer for one port.
#[derive(Debug, Clone)]
pub struct Answer {
    pub kind: String,
    pub port: u16,
    pub chains: Vec<ChainAnswer>,
}

impl Answer {
    /// Sources that pass every entry chain (a packet must pass all hooks).
    pub fn passes(&self) -> Sources {
        self.chains
            .iter()
            .fold(Sources::any(), |a, c| a.intersect(&c.passes()))
    }
}

const MAX_DEPTH: usize = 16;

/// Rules evaluated for one entry chain and port, jumps included. A chain
/// entered again with the same sources at the same depth is not walked
/// again (`Walk::done`), which keeps chains that jump several times into
/// chains that do the same from growing exponentially with depth; what
/// still grows is cut here: past this many steps the rest is taken as
/// accepted (a possible false fail, never a false pass).
const MAX_STEPS: usize = 100_000;

impl Ruleset {
    fn find(&self, table: &str, name: &str) -> Option<usize> {
        self.chains
            .iter()
            .position(|c| c.table == table && c.name == name)
    }

    /// Which sources may open a TCP connection to `port`.
    pub fn answer(&self, port: u16) -> Answer {
        let mut chains = Vec::new();
        for (i, c) in self.chains.iter().enumerate() {
            let Some(entry) = &c.entry else { continue };
            let mut walk = Walk {
                rs: self,
                port,
                accepted: Vec::new(),
                uncertain: Vec::new(),
                steps: 0,
                done: HashMap::new(),
            };
            let rest = walk.chain(i, c.scope.sources(), 0);
            if entry.policy_accept && !rest.is_empty() {
                walk.accepted.push(Accepted {
                    sources: rest,
                    by: format!("policy accept of {}", c.label),
                });
            }
            chains.push(ChainAnswer {
                label: c.label.clone(),
                scope: c.scope,
                accepted: walk.accepted,
                uncertain: walk.uncertain,
            });
        }
        Answer {
            kind: self.kind.clone(),
            port,
            chains,
        }
    }
}

struct Walk<'a> {
    rs: &'a Ruleset,
    port: u16,
    accepted: Vec<Accepted>,
    uncertain: Vec<String>,
    /// Rules evaluated so far (see MAX_STEPS).
    steps: usize,
    /// What `chain` returned, by (chain, depth, input). Walking a chain
    /// again with the same input at the same depth would record the same
    /// accepts and doubts again and return the same sources.
    done: HashMap<(usize, usize, Sources), Sources>,
}

impl Walk<'_> {
    /// Evaluate chain `idx` for `input`; returns the sources that leave it
    /// by `return` or by falling off its end.
    fn chain(&mut self, idx: usize, input: Sources, depth: usize) -> Sources {
        let key = (idx, depth, input);
        if let Some(out) = self.done.get(&key) {
            return out.clone();
        }
        let out = self.walk_chain(idx, key.2.clone(), depth);
        self.done.insert(key, out.clone());
        out
    }

    fn walk_chain(&mut self, idx: usize, input: Sources, depth: usize) -> Sources {
        let c = &self.rs.chains[idx];
        let mut live = input;
        let mut returned = Sources::none();
        for r in &c.rules {
            if live.is_empty() {
                break;
            }
            self.steps += 1;
            if self.steps > MAX_STEPS {
                if self.steps == MAX_STEPS + 1 {
                    self.uncertain.push(format!(
                        "more than {MAX_STEPS} rule evaluations through jumps ({}): the rest is taken as accepted",
                        c.label
                    ));
                }
                self.accepted.push(Accepted {
                    sources: live,
                    by: format!("rules of {} not evaluated (too many jumps)", c.label),
                });
                return Sources::none();
            }
            let (m, unsure) = self.matches(r, &live);
            if m.is_empty() {
                continue;
            }
            let certain = if unsure.is_empty() {
                m.clone()
            } else {
                Sources::none()
            };
            let about = || format!("`{}` ({})", r.text, c.label);
            if !unsure.is_empty() && r.action != Action::Continue {
                self.uncertain
                    .push(format!("{}: {}", about(), unsure.join(", ")));
            }
            match &r.action {
                Action::Accept => {
                    self.accepted.push(Accepted {
                        sources: m,
                        by: about(),
                    });
                    live = live.minus(&certain);
                }
                Action::Drop => live = live.minus(&certain),
                Action::Continue => {}
                Action::Return => {
                    returned = returned.union(&m);
                    live = live.minus(&certain);
                }
                Action::Jump(t) | Action::Goto(t) => {
                    let target = self.rs.find(&c.table, t).filter(|_| depth < MAX_DEPTH);
                    let Some(ti) = target else {
                        self.uncertain.push(format!(
                            "{}: chain {t} not found or nested too deep",
                            about()
                        ));
                        self.accepted.push(Accepted {
                            sources: m,
                            by: about(),
                        });
                        continue;
                    };
                    let back = self.chain(ti, m.clone(), depth + 1);
                    if matches!(r.action, Action::Goto(_)) {
                        // Falling off a goto'd chain returns from this one.
                        returned = returned.union(&back);
                        live = live.minus(&certain);
                    } else if unsure.is_empty() {
                        live = live.minus(&m).union(&back);
                    }
                }
                Action::Unknown(why) => {
                    self.uncertain
                        .push(format!("{}: verdict {why} not interpreted", about()));
                    self.accepted.push(Accepted {
                        sources: m,
                        by: about(),
                    });
                }
            }
        }
        returned.union(&live)
    }

    /// The part of `live` that the rule may match, and what made it unsure.
    fn matches(&self, r: &Rule, live: &Sources) -> (Sources, Vec<String>) {
        let mut m = live.clone();
        let mut unsure = Vec::new();
        for c in &r.conds {
            match c {
                Cond::Src(s) => m = m.intersect(s),
                Cond::Dport(p, negated) => {
                    if p.contains(self.port) == *negated {
                        return (Sources::none(), Vec::new());
                    }
                }
                Cond::Never => return (Sources::none(), Vec::new()),
                Cond::Unknown(why) => unsure.push(why.clone()),
            }
        }
        (m, unsure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(s: &str) -> Cond {
        Cond::Src(Sources::parse(s).unwrap())
    }

    fn rule(conds: Vec<Cond>, action: Action) -> Rule {
        Rule {
            conds,
            action,
            text: "r".into(),
        }
    }

    fn chain(name: &str, entry: Option<bool>, rules: Vec<Rule>) -> Chain {
        Chain {
            table: "t".into(),
            name: name.into(),
            scope: Scope::Both,
            label: name.into(),
            entry: entry.map(|p| Entry { policy_accept: p }),
            rules,
        }
    }

    /// Each chain jumps three times into the next: walked naively that is
    /// 3^11 visits of the last chain, far past MAX_STEPS, and the answer
    /// would be "everything, uncertain". Chains entered again with the same
    /// sources are not walked again, so the answer is exact.
    #[test]
    fn repeated_jumps_into_the_same_chains_are_walked_once() {
        let n = 12;
        let mut chains: Vec<Chain> = (0..n - 1)
            .map(|i| {
                chain(
                    &format!("c{i}"),
                    (i == 0).then_some(false),
                    vec![rule(vec![], Action::Jump(format!("c{}", i + 1))); 3],
                )
            })
            .collect();
        chains.push(chain(
            &format!("c{}", n - 1),
            None,
            vec![rule(vec![src("10.0.0.0/8")], Action::Accept)],
        ));
        let rs = Ruleset {
            kind: "test".into(),
            chains,
        };
        let a = rs.answer(22);
        assert!(
            a.chains[0].uncertain.is_empty(),
            "{:?}",
            a.chains[0].uncertain
        );
        assert_eq!(a.passes(), Sources::parse("10.0.0.0/8").unwrap());
        assert_eq!(a.chains[0].accepted.len(), 1, "{:?}", a.chains[0].accepted);
    }

    #[test]
    fn first_match_with_jump_and_return() {
        let rs = Ruleset {
            kind: "test".into(),
            chains: vec![
                chain(
                    "input",
                    Some(false),
                    vec![
                        rule(
                            vec![Cond::Dport(Ports::one(22), false)],
                            Action::Jump("ssh".into()),
                        ),
                        rule(vec![src("10.0.0.0/8")], Action::Accept),
                    ],
                ),
                chain(
                    "ssh",
                    None,
                    vec![
                        rule(vec![src("192.0.2.0/24")], Action::Accept),
                        rule(vec![src("10.1.0.0/16")], Action::Return),
                        rule(vec![], Action::Drop),
                    ],
                ),
            ],
        };
        let a = rs.answer(22).passes();
        assert_eq!(
            a,
            Sources::parse("192.0.2.0/24")
                .unwrap()
                .union(&Sources::parse("10.1.0.0/16").unwrap())
        );
        let a = rs.answer(80).passes();
        assert_eq!(a, Sources::parse("10.0.0.0/8").unwrap());
    }

    #[test]
    fn unknown_conditions_widen_accepts_and_never_narrow() {
        let rs = Ruleset {
            kind: "test".into(),
            chains: vec![chain(
                "input",
                Some(true),
                vec![
                    rule(vec![Cond::Unknown("iifname eth1".into())], Action::Drop),
                    rule(
                        vec![Cond::Unknown("limit".into()), src("10.0.0.0/8")],
                        Action::Accept,
                    ),
                    rule(vec![Cond::Dport(Ports::one(22), false)], Action::Drop),
                ],
            )],
        };
        let ans = rs.answer(22);
        assert_eq!(ans.passes(), Sources::parse("10.0.0.0/8").unwrap());
        assert_eq!(ans.chains[0].uncertain.len(), 2);
        assert!(rs.answer(80).passes().is_any());
    }
}
