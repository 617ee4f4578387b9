//! Writes the work of the benchmark's peers, from the built-in `go-live`
//! profile, into a directory (see bench/README.md):
//!
//! - `script.sh`: the one POSIX sh script shipshape sends to each host
//!   (what batched OpenSSH runs with one `ssh host sh -s`);
//! - `commands/NN-ID.sh`: one file per probe, the probe's own code run as
//!   the script runs it (under `timeout`, input from /dev/null, stderr
//!   merged, output capped with `head -c`): what the per-check tools (naive
//!   OpenSSH, testinfra, Ansible) run, one command per probe;
//! - `checks.txt`: the profile's checks and the probes each reads.
//!
//! `cargo run --release --example bench-probes -- OUTDIR`

use shipshape::catalog::{plan, Catalog};
use shipshape::probe::{quote, ProbeScript};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: bench-probes OUTDIR");
        return ExitCode::from(2);
    };
    let catalog = match Catalog::builtin() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let profile = Catalog::load_profile("go-live").expect("the built-in go-live profile loads");
    let checks = catalog
        .select(&profile)
        .expect("go-live selects built-in checks");
    let probes = plan::script_probes(&catalog, &checks, &profile.params)
        .expect("go-live's parameters substitute");
    let script = ProbeScript::build(&probes);

    let commands: Vec<(String, String)> = probes
        .iter()
        .enumerate()
        .map(|(n, p)| {
            let cmd = format!(
                "timeout -k 2 {} sh -c {} </dev/null 2>&1 | head -c {}\n",
                p.timeout_secs.max(1),
                quote(&p.code),
                p.max_bytes
            );
            (format!("commands/{:02}-{}.sh", n + 1, p.id), cmd)
        })
        .collect();
    let mut list = String::new();
    for c in &checks {
        let _ = writeln!(list, "{}\t{}", c.id, c.probes.join(","));
    }
    let write = |name: &str, text: &str| {
        std::fs::create_dir_all(&dir)
            .and_then(|_| std::fs::write(dir.join(name), text))
            .map_err(|e| eprintln!("error: cannot write {}: {e}", dir.join(name).display()))
    };
    let _ = std::fs::remove_dir_all(dir.join("commands"));
    if std::fs::create_dir_all(dir.join("commands")).is_err()
        || write("script.sh", &script.text).is_err()
        || write("checks.txt", &list).is_err()
        || commands.iter().any(|(name, cmd)| write(name, cmd).is_err())
    {
        return ExitCode::from(1);
    }
    eprintln!(
        "{} checks, {} probes, script of {} bytes written to {}",
        checks.len(),
        probes.len(),
        script.text.len(),
        dir.display()
    );
    ExitCode::SUCCESS
}
