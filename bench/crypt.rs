//! Verification rate of shipshape's own crypt code (src/analyze/password/
//! crypt.rs), as the offline search runs it: `threads` workers take the
//! candidates of WORDFILE from a shared counter and verify each against HASH.
//!
//! `bench-crypt HASH WORDFILE THREADS` prints `N verifications in S s`.

use shipshape::analyze::password::crypt::Verifier;
use shipshape::secret::Secret;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [hash, words, threads] = args.as_slice() else {
        eprintln!("usage: bench-crypt HASH WORDFILE THREADS");
        return ExitCode::from(2);
    };
    let verifier = match Verifier::new(hash) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("bench-crypt: {}", e.0);
            return ExitCode::from(2);
        }
    };
    let candidates: Vec<Secret> = match std::fs::read_to_string(words) {
        Ok(t) => t.lines().map(Secret::new).collect(),
        Err(e) => {
            eprintln!("bench-crypt: {words}: {e}");
            return ExitCode::from(2);
        }
    };
    let threads: usize = threads.parse().unwrap_or(1).max(1);
    let next = AtomicUsize::new(0);
    let hits = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while let Some(c) = candidates.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if verifier.verify(c) {
                        hits.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} verifications in {secs:.2} s ({:.1}/s, {} matched)",
        candidates.len(),
        candidates.len() as f64 / secs,
        hits.load(Ordering::Relaxed)
    );
    ExitCode::SUCCESS
}
