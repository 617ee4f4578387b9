//! The `net.listeners` probe (`proto address port program`, from `ss` or
//! /proc/net) and what a listening address says about who can connect.

use super::sources::Sources;
use std::net::{IpAddr, Ipv6Addr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub addr: String,
    pub port: u16,
    /// `-` when the probe could not see the process (not root).
    pub program: String,
    /// An IPv6 wildcard socket known to take IPv6 only: an IPv4 wildcard
    /// socket holds the same port.
    pub v6only: bool,
}

/// Where a socket listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bind {
    /// Loopback address or device: only the host itself connects.
    Loopback,
    /// Every address of one or both families.
    Wildcard(Sources),
    /// One address: reachable from wherever that address is routed.
    Specific(IpAddr),
}

impl Listener {
    /// `0.0.0.0:22`, `[::]:22`.
    pub fn endpoint(&self) -> String {
        let a = if self.addr == "*" {
            "*".to_string()
        } else {
            self.addr.clone()
        };
        format!("{a}:{}", self.port)
    }

    pub fn bind(&self) -> Bind {
        let (addr, dev) = match self.addr.split_once('%') {
            Some((a, d)) => (a, Some(d)),
            None => (self.addr.as_str(), None),
        };
        if dev == Some("lo") {
            return Bind::Loopback;
        }
        let bare = addr.trim_start_matches('[').trim_end_matches(']');
        if bare == "*" {
            return Bind::Wildcard(Sources::any());
        }
        let ip = if bare.len() == 32 && bare.chars().all(|c| c.is_ascii_hexdigit()) {
            proc_ipv6(bare)
        } else {
            bare.parse::<IpAddr>().ok()
        };
        let Some(ip) = ip else {
            return Bind::Wildcard(Sources::any());
        };
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        if ip.is_loopback() {
            Bind::Loopback
        } else if ip.is_unspecified() {
            // A socket on :: accepts IPv4 too unless IPV6_V6ONLY is set.
            Bind::Wildcard(if ip.is_ipv4() {
                Sources::any_v4()
            } else if self.v6only {
                Sources::any_v6()
            } else {
                Sources::any()
            })
        } else {
            Bind::Specific(ip)
        }
    }
}

/// /proc/net/tcp6 prints an address as four 32-bit words in host order.
fn proc_ipv6(hex: &str) -> Option<IpAddr> {
    let mut bytes = [0u8; 16];
    for i in 0..4 {
        let w = u32::from_str_radix(&hex[i * 8..i * 8 + 8], 16).ok()?;
        bytes[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
    }
    Some(IpAddr::V6(Ipv6Addr::from(bytes)))
}

/// TCP listeners from the probe output.
pub fn parse(text: &str) -> Vec<Listener> {
    let mut out: Vec<Listener> = Vec::new();
    for line in text.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        if w.len() < 3 || w[0] != "tcp" {
            continue;
        }
        let Ok(port) = w[2].parse::<u16>() else {
            continue;
        };
        let l = Listener {
            addr: w[1].to_string(),
            port,
            program: w.get(3).copied().unwrap_or("-").to_string(),
            v6only: false,
        };
        if !out.contains(&l) {
            out.push(l);
        }
    }
    out
}

/// Mark `[::]` sockets that share their port with a `0.0.0.0` socket:
/// both could not be bound unless the IPv6 one is IPv6-only (as sshd does).
pub fn v6only(mut ls: Vec<Listener>) -> Vec<Listener> {
    let v4_ports: Vec<u16> = ls
        .iter()
        .filter(|l| l.addr == "0.0.0.0")
        .map(|l| l.port)
        .collect();
    for l in &mut ls {
        if l.addr == "[::]" && v4_ports.contains(&l.port) {
            l.v6only = true;
        }
    }
    ls
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captured_ss_output() {
        let text = include_str!("../../../tests/fixtures/ip-restriction/listeners-mixed.txt");
        let ls = parse(text);
        assert_eq!(ls.len(), 6);
        let by_port = |p: u16| ls.iter().find(|l| l.port == p).unwrap().bind();
        assert_eq!(by_port(6379), Bind::Loopback, "bound to device lo");
        assert_eq!(by_port(3306), Bind::Loopback);
        assert_eq!(by_port(5432), Bind::Loopback);
        assert_eq!(by_port(8080), Bind::Wildcard(Sources::any()));
        assert_eq!(by_port(22), Bind::Wildcard(Sources::any_v4()));
        assert_eq!(ls[1].program, "sshd");
        let ls = v6only(ls);
        assert_eq!(
            ls[5].bind(),
            Bind::Wildcard(Sources::any_v6()),
            "sshd's [::] beside 0.0.0.0"
        );
    }

    #[test]
    fn proc_fallback_addresses() {
        let ls = parse("tcp 10.203.0.11 21 -\ntcp [00000000000000000000000001000000] 25 -\ntcp [::] 22 -\nudp 0.0.0.0 53 -\n");
        assert_eq!(ls.len(), 3);
        assert_eq!(ls[0].bind(), Bind::Specific("10.203.0.11".parse().unwrap()));
        assert_eq!(ls[1].bind(), Bind::Loopback);
        assert_eq!(ls[2].bind(), Bind::Wildcard(Sources::any()));
    }
}
