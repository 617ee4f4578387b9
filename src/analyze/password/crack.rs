//! The offline search: candidates against one hash, on the auditor, in
//! parallel, within a time budget, with a process-wide cache.
//!
//! - **Parallel.** A `std::thread::scope` of `threads` workers (default:
//!   the auditor's cores) takes candidates in list order from a shared
//!   counter, so the most likely are tried first whatever the thread count.
//! - **Bounded.** One search runs at a time in the process (a global lock):
//!   with `--jobs` hosts evaluated in parallel there are still never more
//!   than `threads` hashing threads, and a host waiting for the lock finds
//!   what an earlier host learnt about the same hash.
//! - **Apart from SSH.** Evaluation runs in its own pool, apart from the
//!   SSH workers (`run::audit_all`), so a search never holds an SSH slot.
//!   Hashing threads keep the normal CPU priority: the budget is wall time,
//!   and a search starved by other work on the auditor would silently try
//!   fewer candidates (at nice 19 beside two busy threads it managed 89
//!   sha512crypt candidates in 3 s instead of about a thousand).
//! - **Budget.** Each distinct hash gets `budget` of wall time for the whole
//!   run; workers stop at the first match or when it is spent.
//! - **Cache.** By the full hash string (so the salt too): a found password
//!   is reused for every later account or host with the same hash (fleets
//!   cloned from one image); for a hash not yet cracked the cache remembers
//!   which candidates were tried (as 64-bit fingerprints), so a later list
//!   only tries what is new, within what is left of the budget.

use super::candidates::Candidate;
use super::crypt::{Scheme, Verifier};
use crate::secret::Secret;
use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How hard to search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effort {
    /// Wall time per distinct hash, for the whole run.
    pub budget: Duration,
    /// Hashing threads.
    pub threads: usize,
}

impl Effort {
    pub fn default_threads() -> usize {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    }
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Guessed {
        password: Secret,
        how: String,
        scheme: Scheme,
        /// Candidates of this list tried (now or earlier in the run).
        tried: usize,
        elapsed: Duration,
        /// Found by an earlier search in this run.
        cached: bool,
    },
    NotGuessed {
        scheme: Scheme,
        tried: usize,
        total: usize,
        /// The budget ran out before the list did.
        budget_reached: bool,
        /// Time spent on this hash in the whole run.
        elapsed: Duration,
        cached: bool,
    },
    /// The hash cannot be verified: never a pass.
    Unsupported { scheme: Scheme, reason: String },
}

#[derive(Debug, Default)]
struct Entry {
    found: Option<(Secret, String)>,
    tried: HashSet<u64>,
    spent: Duration,
    unsupported: Option<String>,
}

fn cache() -> &'static Mutex<HashMap<String, Entry>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Entry>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn fingerprint(s: &str) -> u64 {
    static KEYS: OnceLock<RandomState> = OnceLock::new();
    KEYS.get_or_init(RandomState::new).hash_one(s)
}

/// One search at a time in this process.
static SEARCH: Mutex<()> = Mutex::new(());

/// A settled answer for `hash` from earlier in the run: guessed, or a
/// scheme that cannot be checked.
fn settled(hash: &str, scheme: Scheme) -> Option<Outcome> {
    let map = cache().lock().unwrap_or_else(|p| p.into_inner());
    let e = map.get(hash)?;
    if let Some((pw, how)) = &e.found {
        return Some(Outcome::Guessed {
            password: pw.clone(),
            how: how.clone(),
            scheme,
            tried: 0,
            elapsed: e.spent,
            cached: true,
        });
    }
    e.unsupported.as_ref().map(|why| Outcome::Unsupported {
        scheme,
        reason: why.clone(),
    })
}

/// Try `candidates` (in order) against `hash`.
pub fn search(hash: &str, candidates: &[Candidate], effort: Effort) -> Outcome {
    let scheme = Scheme::of(hash);
    // A hash already settled (a host cloned from the same image) answers at
    // once, without queueing behind another host's search.
    if let Some(done) = settled(hash, scheme) {
        return done;
    }
    let _turn = SEARCH.lock().unwrap_or_else(|p| p.into_inner());
    let total = candidates.len();
    // Read what the run already knows about this hash.
    let (untried, spent) = {
        let map = cache().lock().unwrap_or_else(|p| p.into_inner());
        match map.get(hash) {
            Some(e) => {
                if let Some((pw, how)) = &e.found {
                    return Outcome::Guessed {
                        password: pw.clone(),
                        how: how.clone(),
                        scheme,
                        tried: 0,
                        elapsed: e.spent,
                        cached: true,
                    };
                }
                if let Some(why) = &e.unsupported {
                    return Outcome::Unsupported {
                        scheme,
                        reason: why.clone(),
                    };
                }
                let untried: Vec<usize> = (0..total)
                    .filter(|&i| !e.tried.contains(&fingerprint(candidates[i].value.expose())))
                    .collect();
                (untried, e.spent)
            }
            None => ((0..total).collect(), Duration::ZERO),
        }
    };
    let already = total - untried.len();
    let left = effort.budget.saturating_sub(spent);
    if untried.is_empty() || left.is_zero() {
        return Outcome::NotGuessed {
            scheme,
            tried: already,
            total,
            budget_reached: !untried.is_empty(),
            elapsed: spent,
            cached: true,
        };
    }
    let verifier = match Verifier::new(hash) {
        Ok(v) => v,
        Err(why) => {
            let mut map = cache().lock().unwrap_or_else(|p| p.into_inner());
            map.entry(hash.to_string()).or_default().unsupported = Some(why.0.clone());
            return Outcome::Unsupported {
                scheme,
                reason: why.0,
            };
        }
    };

    let started = Instant::now();
    let deadline = started + left;
    let next = AtomicUsize::new(0);
    let found = AtomicUsize::new(usize::MAX);
    let stop = AtomicBool::new(false);
    let threads = effort.threads.clamp(1, 256).min(untried.len());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                if stop.load(Ordering::Relaxed) || Instant::now() >= deadline {
                    break;
                }
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(&i) = untried.get(k) else { break };
                if verifier.verify(&candidates[i].value) {
                    found.fetch_min(k, Ordering::Relaxed);
                    stop.store(true, Ordering::Relaxed);
                }
            });
        }
    });
    let elapsed = started.elapsed();
    // Every claimed position below the counter was verified.
    let claimed = next.load(Ordering::Relaxed).min(untried.len());
    let hit = found.load(Ordering::Relaxed);
    let mut map = cache().lock().unwrap_or_else(|p| p.into_inner());
    let entry = map.entry(hash.to_string()).or_default();
    entry.spent += elapsed;
    for &i in &untried[..claimed] {
        entry
            .tried
            .insert(fingerprint(candidates[i].value.expose()));
    }
    if hit != usize::MAX {
        let c = &candidates[untried[hit]];
        entry.found = Some((c.value.clone(), c.how.clone()));
        return Outcome::Guessed {
            password: c.value.clone(),
            how: c.how.clone(),
            scheme,
            tried: already + claimed,
            elapsed: entry.spent,
            cached: false,
        };
    }
    Outcome::NotGuessed {
        scheme,
        tried: already + claimed,
        total,
        budget_reached: claimed < untried.len(),
        elapsed: entry.spent,
        cached: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cands(list: &[&str]) -> Vec<Candidate> {
        list.iter()
            .map(|s| Candidate {
                value: Secret::new(*s),
                how: "test".into(),
            })
            .collect()
    }

    fn wrong(n: usize) -> Vec<Candidate> {
        (0..n)
            .map(|i| Candidate {
                value: Secret::new(format!("wrong-{i}")),
                how: "test".into(),
            })
            .collect()
    }

    // Hashes used by no other search test (the cache is global): of
    // "Seaways2017" (openssl passwd -6 / -1) and of "x" (mkpasswd -m
    // yescrypt / -m bcrypt -R 12).
    const SHA512_FOR_CACHE: &str = "$6$i8A27bc9eaw52103$CpuxNr9gcNeEkUbJj7LBLRD4dl0zloN/M9JjblWPzZxY5L8UdsZe5.VhAgBFiXjjI2DZJcNtUy711aALvJyoM0";
    const YESCRYPT_FOR_BUDGET: &str =
        "$y$j9T$fPL4Esow.2J2MEkasjfL7/$9cH6OwnxvO7P5V4WdFjQeqikLwkAN5eqM9PMm3TFqh6";
    const MD5_FOR_CACHE: &str = "$1$XaIdWSoo$L6S96XC0GOToRAn4KeKV91";
    const BCRYPT_FOR_ORDER: &str = "$2b$12$SnmpvuPE4./lv5F4pOMKMeNliqO1n70ZSkkp7F9hx4ReTTV.K5g8a";

    fn effort(secs: u64) -> Effort {
        Effort {
            budget: Duration::from_secs(secs),
            threads: 2,
        }
    }

    #[test]
    fn the_cache_hits_on_a_repeated_hash() {
        let mut list = wrong(40);
        list.push(Candidate {
            value: Secret::new("Seaways2017"),
            how: "derived from \"seaways\" + year".into(),
        });
        let first = search(SHA512_FOR_CACHE, &list, effort(60));
        match &first {
            Outcome::Guessed {
                cached, tried, how, ..
            } => {
                assert!(!cached);
                assert_eq!(*tried, 41);
                assert_eq!(how, "derived from \"seaways\" + year");
            }
            other => panic!("{other:?}"),
        }
        // Another host with the same hash (a cloned image): answered from
        // the cache, without hashing ("whatever" is not the password).
        let again = search(SHA512_FOR_CACHE, &cands(&["whatever"]), effort(60));
        assert!(
            matches!(again, Outcome::Guessed { cached: true, .. }),
            "{again:?}"
        );
        if let Outcome::Guessed { password, .. } = again {
            assert!(password.expose() == "Seaways2017", "{password:?}");
        }
    }

    #[test]
    fn a_hash_not_guessed_is_not_searched_again_with_the_same_list() {
        let list = wrong(30);
        let first = search(MD5_FOR_CACHE, &list, effort(60));
        assert!(
            matches!(
                first,
                Outcome::NotGuessed {
                    tried: 30,
                    total: 30,
                    budget_reached: false,
                    cached: false,
                    ..
                }
            ),
            "{first:?}"
        );
        let again = search(MD5_FOR_CACHE, &list, effort(60));
        assert!(
            matches!(
                again,
                Outcome::NotGuessed {
                    tried: 30,
                    cached: true,
                    ..
                }
            ),
            "{again:?}"
        );
        // A longer list only tries what is new, and finds it.
        let mut longer = list.clone();
        longer.extend(cands(&["Seaways2017"]));
        let third = search(MD5_FOR_CACHE, &longer, effort(60));
        assert!(
            matches!(
                third,
                Outcome::Guessed {
                    tried: 31,
                    cached: false,
                    ..
                }
            ),
            "{third:?}"
        );
    }

    #[test]
    fn the_budget_stops_a_yescrypt_search() {
        let mut list = wrong(5_000);
        list.push(Candidate {
            value: Secret::new("Seaways2017"),
            how: "test".into(),
        });
        let t = Instant::now();
        let out = search(
            YESCRYPT_FOR_BUDGET,
            &list,
            Effort {
                budget: Duration::from_secs(1),
                threads: 2,
            },
        );
        let took = t.elapsed();
        match out {
            Outcome::NotGuessed {
                tried,
                total,
                budget_reached,
                scheme,
                ..
            } => {
                assert!(budget_reached);
                assert_eq!(scheme, Scheme::Yescrypt);
                assert_eq!(total, 5_001);
                assert!(tried > 0 && tried < 1_000, "tried {tried}");
            }
            other => panic!("{other:?}"),
        }
        assert!(took < Duration::from_secs(5), "took {took:?}");
        // The budget is per hash for the whole run: nothing is left.
        let again = search(YESCRYPT_FOR_BUDGET, &list, effort(1));
        assert!(matches!(
            again,
            Outcome::NotGuessed {
                budget_reached: true,
                cached: true,
                ..
            }
        ));
    }

    #[test]
    fn the_earliest_match_wins_and_unsupported_hashes_say_why() {
        let list = cands(&["nope", "x", "also-wrong"]);
        let out = search(BCRYPT_FOR_ORDER, &list, effort(60));
        match &out {
            Outcome::Guessed {
                password, tried, ..
            } => {
                assert!(password.expose() == "x", "{password:?}");
                assert!((2..=3).contains(tried), "{tried}");
            }
            other => panic!("{other:?}"),
        }
        let out = search("G392RDQAsKjJs", &list, effort(60));
        match out {
            Outcome::Unsupported { scheme, reason } => {
                assert_eq!(scheme, Scheme::Des);
                assert!(reason.contains("DES"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn outcomes_never_print_the_password() {
        let out = Outcome::Guessed {
            password: Secret::new("Seaways2017"),
            how: "x".into(),
            scheme: Scheme::Yescrypt,
            tried: 1,
            elapsed: Duration::ZERO,
            cached: false,
        };
        assert!(!format!("{out:?}").contains("Seaways2017"));
    }
}

/// Verifications per second on this machine, one thread and all threads:
/// `cargo test --release --lib measure_verification_rates -- --ignored --nocapture`
#[cfg(test)]
mod measure {
    use super::*;

    fn rate(hash: &str, threads: usize, secs: f64) -> f64 {
        let v = Verifier::new(hash).unwrap();
        let n = AtomicUsize::new(0);
        let until = Instant::now() + Duration::from_secs_f64(secs);
        let started = Instant::now();
        std::thread::scope(|s| {
            for t in 0..threads {
                let (v, n) = (&v, &n);
                s.spawn(move || {
                    let mut i = 0usize;
                    while Instant::now() < until {
                        v.verify(&Secret::new(format!("wrong-{t}-{i}")));
                        n.fetch_add(1, Ordering::Relaxed);
                        i += 1;
                    }
                });
            }
        });
        n.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
    }

    #[test]
    #[ignore = "a measurement, not a test: run it with --release --ignored --nocapture"]
    fn measure_verification_rates() {
        let all = Effort::default_threads();
        for (name, hash) in [
            ("yescrypt (j9T)", "$y$j9T$rC7XNIIiqaMX0yqywj9aM/$eY.n29sWTlmslJhhBrOsFLb6dqojHY3TZz4GChd/3S6"),
            ("sha512crypt (5000 rounds)", "$6$lbG09pIkybQ5P2oj$2jRxv0m.yn5dLGtKiV/6SGACrp5/2Rl297wSHkozIz8pJKe3PxkQNO2gUzi.KHRKVyFWpLjNxPNA7JtBlxRRi/"),
            ("md5crypt", "$1$DZxeKO6l$FxORWJZ.dfYHf5PIkxMsv."),
            ("bcrypt (cost 5)", "$2b$05$Ng8TxS4z3ZPErOci0IJzBOECql/ePJxOorYmCrL3U59dPpLsOwPsi"),
        ] {
            let one = rate(hash, 1, 3.0);
            let many = rate(hash, all, 3.0);
            eprintln!("{name}: {one:.1}/s on 1 thread, {many:.1}/s on {all} threads");
        }
    }
}
