//! Sets of source addresses and of TCP ports, as sorted disjoint ranges, so
//! that firewall rules, daemon allow-lists and management networks can be
//! intersected and subtracted exactly. IPv4 and IPv6 are kept apart: a rule
//! on `ip saddr` never matches an IPv6 packet.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Inclusive ranges over one address family, sorted, disjoint, merged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Ranges(Vec<(u128, u128)>);

impl Ranges {
    fn from_one(lo: u128, hi: u128) -> Ranges {
        if lo > hi {
            Ranges::default()
        } else {
            Ranges(vec![(lo, hi)])
        }
    }

    fn normalize(mut v: Vec<(u128, u128)>) -> Ranges {
        v.sort_unstable();
        let mut out: Vec<(u128, u128)> = Vec::with_capacity(v.len());
        for (lo, hi) in v {
            if let Some(last) = out.last_mut() {
                if lo <= last.1.saturating_add(1) {
                    last.1 = last.1.max(hi);
                    continue;
                }
            }
            out.push((lo, hi));
        }
        Ranges(out)
    }

    fn union(&self, o: &Ranges) -> Ranges {
        Ranges::normalize(self.0.iter().chain(o.0.iter()).copied().collect())
    }

    fn intersect(&self, o: &Ranges) -> Ranges {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < self.0.len() && j < o.0.len() {
            let (a, b) = (self.0[i], o.0[j]);
            let lo = a.0.max(b.0);
            let hi = a.1.min(b.1);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a.1 < b.1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        Ranges(out)
    }

    fn complement(&self, max: u128) -> Ranges {
        let mut out = Vec::new();
        let mut next: Option<u128> = Some(0);
        for &(lo, hi) in &self.0 {
            if let Some(n) = next {
                if lo > n {
                    out.push((n, lo - 1));
                }
            }
            next = hi.checked_add(1);
        }
        if let Some(n) = next {
            if n <= max {
                out.push((n, max));
            }
        }
        Ranges(out)
    }

    /// Number of addresses, saturating.
    fn size(&self) -> u128 {
        self.0.iter().fold(0u128, |acc, &(lo, hi)| {
            acc.saturating_add((hi - lo).saturating_add(1))
        })
    }

    fn contains(&self, x: u128) -> bool {
        self.0.iter().any(|&(lo, hi)| lo <= x && x <= hi)
    }

    /// The fewest CIDR blocks that cover the ranges exactly.
    fn blocks(&self, bits: u32) -> Vec<(u128, u32)> {
        let mut out = Vec::new();
        for &(lo, hi) in &self.0 {
            let mut start = lo;
            loop {
                // Largest aligned block at `start` that stays within `hi`.
                let mut size_bits = if start == 0 {
                    bits
                } else {
                    start.trailing_zeros().min(bits)
                };
                while size_bits > 0 {
                    let last = if size_bits >= 128 {
                        u128::MAX
                    } else {
                        start + ((1u128 << size_bits) - 1)
                    };
                    if last <= hi && last >= start {
                        break;
                    }
                    size_bits -= 1;
                }
                out.push((start, bits - size_bits));
                let last = if size_bits >= 128 {
                    u128::MAX
                } else {
                    start + ((1u128 << size_bits) - 1)
                };
                if last >= hi {
                    break;
                }
                start = last + 1;
            }
        }
        out
    }
}

const V4_MAX: u128 = u32::MAX as u128;
const V6_MAX: u128 = u128::MAX;

/// A set of IPv4 and IPv6 source addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Sources {
    pub v4: Ranges,
    pub v6: Ranges,
}

impl Sources {
    pub fn none() -> Sources {
        Sources::default()
    }

    pub fn any() -> Sources {
        Sources {
            v4: Ranges::from_one(0, V4_MAX),
            v6: Ranges::from_one(0, V6_MAX),
        }
    }

    pub fn any_v4() -> Sources {
        Sources {
            v4: Ranges::from_one(0, V4_MAX),
            v6: Ranges::default(),
        }
    }

    pub fn any_v6() -> Sources {
        Sources {
            v4: Ranges::default(),
            v6: Ranges::from_one(0, V6_MAX),
        }
    }

    /// Addresses that only the host itself uses as sources: 127.0.0.0/8 and ::1.
    pub fn loopback() -> Sources {
        Sources::parse("127.0.0.0/8")
            .unwrap_or_default()
            .union(&Sources::parse("::1").unwrap_or_default())
    }

    /// Private and local ranges no Internet host can use as a source here:
    /// RFC 1918, shared address space (RFC 6598), link-local, loopback, ULA.
    pub fn private() -> Sources {
        [
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10",
            "169.254.0.0/16",
            "127.0.0.0/8",
            "fc00::/7",
            "fe80::/10",
            "::1",
        ]
        .iter()
        .filter_map(|s| Sources::parse(s))
        .fold(Sources::none(), |a, b| a.union(&b))
    }

    /// One network: `addr/prefix`.
    pub fn net(addr: IpAddr, prefix: u32) -> Sources {
        match addr {
            IpAddr::V4(a) => {
                let p = prefix.min(32);
                let base = u128::from(u32::from(a));
                let span = if p == 0 {
                    V4_MAX
                } else {
                    (1u128 << (32 - p)) - 1
                };
                let lo = base & !span;
                Sources {
                    v4: Ranges::from_one(lo, lo | span),
                    v6: Ranges::default(),
                }
            }
            IpAddr::V6(a) => {
                let p = prefix.min(128);
                let base = u128::from(a);
                let span = if p == 0 {
                    V6_MAX
                } else {
                    (1u128 << (128 - p)) - 1
                };
                let lo = base & !span;
                Sources {
                    v4: Ranges::default(),
                    v6: Ranges::from_one(lo, lo | span),
                }
            }
        }
    }

    pub fn addr(addr: IpAddr) -> Sources {
        Sources::net(addr, 128)
    }

    /// An inclusive range of addresses of one family.
    pub fn range(lo: IpAddr, hi: IpAddr) -> Option<Sources> {
        match (lo, hi) {
            (IpAddr::V4(a), IpAddr::V4(b)) => Some(Sources {
                v4: Ranges::from_one(u128::from(u32::from(a)), u128::from(u32::from(b))),
                v6: Ranges::default(),
            }),
            (IpAddr::V6(a), IpAddr::V6(b)) => Some(Sources {
                v4: Ranges::default(),
                v6: Ranges::from_one(u128::from(a), u128::from(b)),
            }),
            _ => None,
        }
    }

    /// `10.0.0.0/8`, `10.1.2.3`, `2001:db8::/32`, `[::1]`, `[2001:db8::]/32`,
    /// `10.0.0.0/255.0.0.0`, `10.0.0.1-10.0.0.9`. Host bits are ignored, as
    /// the daemons and firewalls ignore them.
    pub fn parse(text: &str) -> Option<Sources> {
        let t = text.trim();
        if let Some((a, b)) = t.split_once('-') {
            if let (Some(a), Some(b)) = (parse_ip(a), parse_ip(b)) {
                return Sources::range(a, b);
            }
            return None;
        }
        let (addr, prefix) = match t.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (t, None),
        };
        let ip = parse_ip(addr)?;
        let prefix = match prefix {
            None => 128,
            Some(p) => match p.parse::<u32>() {
                Ok(n) if n <= if ip.is_ipv4() { 32 } else { 128 } => n,
                Ok(_) => return None,
                Err(_) => mask_len(p)?,
            },
        };
        Some(Sources::net(ip, prefix))
    }

    pub fn union(&self, o: &Sources) -> Sources {
        Sources {
            v4: self.v4.union(&o.v4),
            v6: self.v6.union(&o.v6),
        }
    }

    pub fn intersect(&self, o: &Sources) -> Sources {
        Sources {
            v4: self.v4.intersect(&o.v4),
            v6: self.v6.intersect(&o.v6),
        }
    }

    pub fn complement(&self) -> Sources {
        Sources {
            v4: self.v4.complement(V4_MAX),
            v6: self.v6.complement(V6_MAX),
        }
    }

    pub fn minus(&self, o: &Sources) -> Sources {
        self.intersect(&o.complement())
    }

    /// The whole address space of each family this set has addresses in.
    pub fn families(&self) -> Sources {
        let mut f = Sources::none();
        if !self.v4.0.is_empty() {
            f = f.union(&Sources::any_v4());
        }
        if !self.v6.0.is_empty() {
            f = f.union(&Sources::any_v6());
        }
        f
    }

    pub fn is_empty(&self) -> bool {
        self.v4.0.is_empty() && self.v6.0.is_empty()
    }

    pub fn is_subset(&self, o: &Sources) -> bool {
        self.minus(o).is_empty()
    }

    pub fn is_any(&self) -> bool {
        *self == Sources::any()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => self.v4.contains(u128::from(u32::from(a))),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(v4) => self.v4.contains(u128::from(u32::from(v4))),
                None => self.v6.contains(u128::from(a)),
            },
        }
    }

    /// True when the set holds at least half of all IPv4 or of all IPv6
    /// addresses: "any source", or a deny-list rather than an allow-list.
    pub fn is_broad(&self) -> bool {
        self.v4.size() > V4_MAX / 2 || self.v6.size() >= 1u128 << 127
    }

    /// The set as CIDR blocks, IPv4 first.
    pub fn cidrs(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (lo, len) in self.v4.blocks(32) {
            let a = Ipv4Addr::from(lo as u32);
            out.push(if len == 32 {
                a.to_string()
            } else {
                format!("{a}/{len}")
            });
        }
        for (lo, len) in self.v6.blocks(128) {
            let a = Ipv6Addr::from(lo);
            out.push(if len == 128 {
                a.to_string()
            } else {
                format!("{a}/{len}")
            });
        }
        out
    }

    /// Words for evidence: "any address", "10.0.0.0/8, 2001:db8::/32", or a
    /// complement when that is shorter ("any IPv4 address except 203.0.113.0/24").
    pub fn describe(&self) -> String {
        const MAX: usize = 6;
        if self.is_empty() {
            return "no address".into();
        }
        let fam = |r: &Ranges, max: u128, name: &str, bits: u32| -> Option<String> {
            if r.0.is_empty() {
                return None;
            }
            let full = Ranges::from_one(0, max);
            if *r == full {
                return Some(format!("any {name} address"));
            }
            let pos = r.blocks(bits);
            let neg = r.complement(max).blocks(bits);
            let show = |blocks: &[(u128, u32)]| -> String {
                let mut s = String::new();
                for (i, (lo, len)) in blocks.iter().take(MAX).enumerate() {
                    if i > 0 {
                        s.push_str(", ");
                    }
                    let a = if bits == 32 {
                        Ipv4Addr::from(*lo as u32).to_string()
                    } else {
                        Ipv6Addr::from(*lo).to_string()
                    };
                    if *len == bits {
                        s.push_str(&a);
                    } else {
                        let _ = write!(s, "{a}/{len}");
                    }
                }
                if blocks.len() > MAX {
                    let _ = write!(s, " and {} more", blocks.len() - MAX);
                }
                s
            };
            if neg.len() < pos.len() && r.size() > max / 2 {
                Some(format!("any {name} address except {}", show(&neg)))
            } else {
                Some(show(&pos))
            }
        };
        let parts: Vec<String> = [
            fam(&self.v4, V4_MAX, "IPv4", 32),
            fam(&self.v6, V6_MAX, "IPv6", 128),
        ]
        .into_iter()
        .flatten()
        .collect();
        if self.is_any() {
            "any address".into()
        } else {
            parts.join(", ")
        }
    }
}

fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    let s = s
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(s);
    // A zone index (`fe80::1%eth0`) does not change which sources match.
    let s = s.split('%').next().unwrap_or(s);
    s.parse().ok()
}

/// `255.255.255.0` → 24; `None` for a non-contiguous mask.
fn mask_len(mask: &str) -> Option<u32> {
    let m: Ipv4Addr = mask.trim().parse().ok()?;
    let bits = u32::from(m);
    let len = bits.leading_ones();
    (bits.checked_shl(len).unwrap_or(0) == 0).then_some(len)
}

/// A set of TCP ports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ports(pub Vec<(u16, u16)>);

impl Ports {
    pub fn one(p: u16) -> Ports {
        Ports(vec![(p, p)])
    }

    pub fn contains(&self, p: u16) -> bool {
        self.0.iter().any(|&(lo, hi)| lo <= p && p <= hi)
    }

    pub fn push(&mut self, lo: u16, hi: u16) {
        self.0.push((lo.min(hi), lo.max(hi)));
    }
}

/// A TCP port by number or by its common service name.
pub fn port_number(s: &str) -> Option<u16> {
    let s = s.trim().trim_matches('"');
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    Some(match s {
        "ftp-data" => 20,
        "ftp" => 21,
        "ssh" => 22,
        "telnet" => 23,
        "smtp" => 25,
        "domain" => 53,
        "http" | "www" => 80,
        "https" => 443,
        "ftps" => 990,
        "ms-sql-s" => 1433,
        "ncube-lm" | "oracle" => 1521,
        "mysql" => 3306,
        "postgresql" | "postgres" => 5432,
        "redis" => 6379,
        "http-alt" | "webcache" => 8080,
        "mongodb" | "mongod" => 27017,
        _ => return None,
    })
}

/// `22`, `ssh`, `1000:2000`, `1000-2000`.
pub fn parse_port_range(s: &str) -> Option<(u16, u16)> {
    let s = s.trim();
    for sep in [':', '-'] {
        if let Some((a, b)) = s.split_once(sep) {
            let lo = if a.is_empty() { 0 } else { port_number(a)? };
            let hi = if b.is_empty() {
                u16::MAX
            } else {
                port_number(b)?
            };
            return Some((lo.min(hi), lo.max(hi)));
        }
    }
    port_number(s).map(|p| (p, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: &str) -> Sources {
        Sources::parse(t).unwrap_or_else(|| panic!("parses: {t}"))
    }

    #[test]
    fn cidr_math() {
        let mgmt = s("10.203.0.0/24");
        assert!(s("10.203.0.7").is_subset(&mgmt));
        assert!(!s("10.203.1.7").is_subset(&mgmt));
        assert_eq!(s("10.203.0.77/24"), mgmt, "host bits are ignored");
        assert_eq!(s("10.0.0.0/255.255.0.0"), s("10.0.0.0/16"));
        assert_eq!(s("10.9.0.1-10.9.0.2").cidrs(), ["10.9.0.1", "10.9.0.2"]);
        assert_eq!(Sources::any().minus(&Sources::any()), Sources::none());
        let outside = Sources::any_v4().minus(&mgmt);
        assert!(outside.is_broad());
        assert!(!mgmt.is_broad());
        assert_eq!(outside.describe(), "any IPv4 address except 10.203.0.0/24");
        assert_eq!(Sources::any().describe(), "any address");
        assert_eq!(s("::/0").cidrs(), ["::/0"]);
        assert_eq!(s("0.0.0.0/0").cidrs(), ["0.0.0.0/0"]);
        assert_eq!(
            s("192.0.2.0/24").union(&s("2001:db8:1::/48")).describe(),
            "192.0.2.0/24, 2001:db8:1::/48"
        );
        assert!(Sources::loopback().contains("127.0.0.1".parse().unwrap()));
        assert!(Sources::loopback().contains("::1".parse().unwrap()));
        assert!(s("10.0.0.0/8").contains("::ffff:10.1.2.3".parse().unwrap()));
        assert!(Sources::parse("10.0.0.0/33").is_none());
        assert!(Sources::parse("example.com").is_none());
    }

    #[test]
    fn ranges_become_minimal_blocks() {
        assert_eq!(
            s("10.0.0.1-10.0.0.6").cidrs(),
            ["10.0.0.1", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6"]
        );
        let all_but = Sources::any_v6().minus(&s("2001:db8::/32"));
        assert_eq!(all_but.cidrs().len(), 32);
    }

    #[test]
    fn ports() {
        assert_eq!(parse_port_range("8000:8100"), Some((8000, 8100)));
        assert_eq!(parse_port_range("5000-5999"), Some((5000, 5999)));
        assert_eq!(parse_port_range("ssh"), Some((22, 22)));
        assert_eq!(parse_port_range("1024:"), Some((1024, 65535)));
        assert!(Ports(vec![(20, 22)]).contains(21));
    }
}
