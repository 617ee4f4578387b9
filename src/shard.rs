//! `--shard K/N`: split one inventory between N independent runs (CI matrix
//! jobs, a Kubernetes Indexed Job) without coordination.
//!
//! A host belongs to shard `K` of `N` when `fnv1a64(name) % N == K - 1`,
//! where `name` is the host's inventory name (its label, not its address)
//! as UTF-8 bytes and FNV-1a is the 64-bit variant (offset basis
//! `0xcbf29ce484222325`, prime `0x100000001b3`). The function has no key and
//! no per-process seed, so every machine, every run and every later version
//! puts a host in the same shard; adding or removing hosts never moves the
//! others. The N shards together hold every host exactly once.

use std::fmt;
use std::str::FromStr;

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u32,
    count: u32,
}

impl Shard {
    pub fn new(index: u32, count: u32) -> Result<Shard, String> {
        if count == 0 {
            return Err("the shard count N must be at least 1".into());
        }
        if index == 0 || index > count {
            return Err(format!(
                "shard index {index} is out of range: K must be 1 to {count} (K/N counts from 1)"
            ));
        }
        Ok(Shard { index, count })
    }

    pub fn index(self) -> u32 {
        self.index
    }

    pub fn count(self) -> u32 {
        self.count
    }

    /// Whether host `name` is audited by this shard.
    pub fn contains(self, name: &str) -> bool {
        fnv1a64(name.as_bytes()) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("{s:?} is not K/N (for example 1/4)"))?;
        let num = |part: &str, what: &str| {
            part.trim()
                .parse::<u32>()
                .map_err(|_| format!("{s:?} is not K/N: {what} {part:?} is not a whole number"))
        };
        Shard::new(num(k, "K")?, num(n, "N")?)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// 64-bit FNV-1a.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn parses_k_of_n_and_refuses_the_rest() {
        let s: Shard = "2/4".parse().unwrap();
        assert_eq!((s.index(), s.count(), s.to_string()), (2, 4, "2/4".into()));
        assert_eq!("1/1".parse::<Shard>().unwrap().count(), 1);
        for bad in ["0/4", "5/4", "1/0", "1", "a/b", "-1/4", "1/4/2", ""] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert!(!e.is_empty(), "{bad}");
        }
        assert!("0/4".parse::<Shard>().unwrap_err().contains("1 to 4"));
    }

    #[test]
    fn every_host_is_in_exactly_one_shard_and_shards_are_balanced() {
        let names: Vec<String> = (0..1000).map(|i| format!("web{i:04}.example.jp")).collect();
        for n in [1u32, 2, 3, 7, 16] {
            let mut sizes = vec![0usize; n as usize];
            for name in &names {
                let owners: Vec<u32> = (1..=n)
                    .filter(|&k| Shard::new(k, n).unwrap().contains(name))
                    .collect();
                assert_eq!(owners.len(), 1, "{name} in {owners:?} of {n}");
                sizes[(owners[0] - 1) as usize] += 1;
            }
            let fair = 1000 / n as usize;
            assert!(
                sizes
                    .iter()
                    .all(|&s| s > fair * 7 / 10 && s < fair * 13 / 10),
                "{n}: {sizes:?}"
            );
        }
    }

    #[test]
    fn the_assignment_is_stable() {
        // Fixed for all versions: changing these moves hosts between shards.
        assert_eq!(fnv1a64(b"legacy"), 0xdec3c48c96f77cde);
        assert_eq!(fnv1a64(b"ftp2"), 0x8de7cd78def6edd5);
        let (one, two) = (Shard::new(1, 2).unwrap(), Shard::new(2, 2).unwrap());
        assert!(one.contains("legacy") && one.contains("clean") && !one.contains("ftp2"));
        assert!(two.contains("ftp2") && !two.contains("legacy"));
    }
}
