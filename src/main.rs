//! The `shipshape` command line: parse arguments, call the library, map the
//! outcome to an exit code (0 clean, 1 findings or hosts not audited,
//! 2 invalid input).

use clap::{Args, Parser, Subcommand};
use shipshape::catalog::Catalog;
use shipshape::inventory::{self, Target};
use shipshape::model::{Report, Severity, ToolInfo};
use shipshape::online;
use shipshape::report::{self, Format};
use shipshape::run::{self, AuditPlan, Settings};
use shipshape::secret::Secret;
use shipshape::shard::Shard;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "shipshape",
    version,
    about = "Agentless security-hardening audit over SSH"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Audit hosts (or this machine with --local) and report findings.
    Audit(Box<AuditArgs>),
    /// List the checks of the catalog.
    ListChecks {
        /// Read checks from this directory instead of the built-in ones.
        #[arg(long, value_name = "DIR")]
        checks: Option<PathBuf>,
    },
    /// Combine JSON reports (the shards of one audit) into one report.
    Merge(MergeArgs),
}

#[derive(Args)]
struct MergeArgs {
    /// JSON reports written by `audit --format json`.
    #[arg(value_name = "REPORT", required = true)]
    reports: Vec<PathBuf>,
    /// List hosts in this inventory's order; its hosts found in no report are errors.
    #[arg(long, short = 'i', value_name = "FILE")]
    inventory: Option<PathBuf>,
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the merged report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 only for failing findings of this severity or worse (and for
    /// hosts not audited) [default: any failing finding].
    #[arg(long, value_name = "SEVERITY", value_parser = ["critical", "high", "medium", "low"])]
    fail_on: Option<String>,
}

#[derive(Args)]
struct AuditArgs {
    /// Hosts as [user@]host[:port].
    #[arg(value_name = "TARGET")]
    targets: Vec<String>,
    /// A YAML inventory of hosts.
    #[arg(long, short = 'i', value_name = "FILE")]
    inventory: Option<PathBuf>,
    /// A built-in profile name (go-live, compliance) or a profile file.
    #[arg(long, short = 'p', value_name = "NAME|FILE", default_value = "go-live")]
    profile: String,
    /// Read checks from this directory instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    checks: Option<PathBuf>,
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// known_hosts file [default: ~/.ssh/known_hosts].
    #[arg(long, value_name = "FILE")]
    known_hosts: Option<PathBuf>,
    /// Record unknown host keys instead of refusing the host. Changed keys are always refused.
    #[arg(long)]
    accept_new_host_keys: bool,
    /// Private key for public-key authentication.
    #[arg(long, value_name = "FILE")]
    identity: Option<PathBuf>,
    /// Login user for targets that name none [default: the current user].
    #[arg(long, short = 'u')]
    user: Option<String>,
    /// SSH port for targets that name none.
    #[arg(long, value_name = "N")]
    port: Option<u16>,
    /// Hosts audited in parallel.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=1024))]
    jobs: u16,
    /// Deadline per host in seconds (connect, authenticate, run, read).
    #[arg(long, value_name = "SECS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=86400))]
    timeout: u64,
    /// Audit this machine through a local `sh`, without SSH.
    #[arg(long)]
    local: bool,
    /// Exit 1 only for failing findings of this severity or worse (and for
    /// hosts not audited) [default: any failing finding].
    #[arg(long, value_name = "SEVERITY", value_parser = ["critical", "high", "medium", "low"])]
    fail_on: Option<String>,
    /// Judge support windows as of this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    audit_date: Option<chrono::NaiveDate>,
    /// Also write what the probes collected, per host, as DIR/HOST.facts.json.
    #[arg(long, value_name = "DIR")]
    save_facts: Option<PathBuf>,
    /// Try a few likely passwords per account against the hosts' FTP and SSH
    /// (capped and paced by the profile's online_guessing_* parameters).
    #[arg(long)]
    online_guessing: bool,
    /// Audit only shard K of N: hosts whose name's FNV-1a hash mod N is K-1.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
}

/// An error that means "the input was wrong" (arguments, files): exit 2,
/// nothing audited.
struct InputFailure(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Audit(args) => audit(*args),
        Command::ListChecks { checks } => list_checks(checks),
        Command::Merge(args) => merge(args),
    };
    result.unwrap_or_else(|InputFailure(msg)| {
        eprintln!("error: {msg}");
        ExitCode::from(2)
    })
}

fn input<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, InputFailure> {
    r.map_err(|e| InputFailure(e.to_string()))
}

fn load_catalog(dir: Option<&PathBuf>) -> Result<Catalog, InputFailure> {
    input(match dir {
        Some(d) => Catalog::from_dir(d),
        None => Catalog::builtin(),
    })
}

fn list_checks(dir: Option<PathBuf>) -> Result<ExitCode, InputFailure> {
    let catalog = load_catalog(dir.as_ref())?;
    for c in &catalog.checks {
        println!(
            "{:<24} {:<21} cm{} {:<8} {}",
            c.id, c.category, c.countermeasure, c.severity, c.title
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The profile's online-guessing parameters are valid; `--online-guessing`
/// is refused where the profile forbids it and pointless with `--local`.
fn check_online_guessing(
    args: &AuditArgs,
    profile: &shipshape::catalog::profile::Profile,
    checks: &[shipshape::catalog::check::Check],
) -> Result<(), InputFailure> {
    let in_profile = |why: String| InputFailure(format!("profile {:?}: {why}", profile.name));
    online::Limits::from_params(&profile.params).map_err(in_profile)?;
    let forbidden = online::forbidden(&profile.params).map_err(in_profile)?;
    if !args.online_guessing {
        return Ok(());
    }
    if forbidden {
        return Err(InputFailure(format!(
            "profile {:?} forbids online password guessing (params: {}: forbidden), \
             so --online-guessing cannot be used with it; drop the flag, or use a profile \
             that allows it (go-live)",
            profile.name,
            online::POLICY_PARAM
        )));
    }
    if args.local {
        return Err(InputFailure(
            "--online-guessing tries passwords over the network; --local audits this machine \
             without one: audit it over SSH instead"
                .into(),
        ));
    }
    if !checks.iter().any(|c| c.id == online::CHECK) {
        eprintln!(
            "note: --online-guessing has no effect: profile {:?} does not select check {}",
            profile.name,
            online::CHECK
        );
    }
    Ok(())
}

fn audit(args: AuditArgs) -> Result<ExitCode, InputFailure> {
    let catalog = load_catalog(args.checks.as_ref())?;
    let profile = input(Catalog::load_profile(&args.profile))?;
    let checks = input(catalog.select(&profile))?;
    check_online_guessing(&args, &profile, &checks)?;

    let mut targets: Vec<Target> = Vec::new();
    if let Some(inv) = &args.inventory {
        targets.extend(input(inventory::load_inventory(inv))?);
    }
    for spec in &args.targets {
        let mut t = input(inventory::parse_target(spec))?;
        if let Some(p) = args.port {
            if !spec.contains(':') || spec.ends_with(']') {
                t.port = p;
            }
        }
        targets.push(t);
    }
    if args.local {
        if !targets.is_empty() {
            return Err(InputFailure(
                "--local audits this machine; do not also give targets or --inventory".into(),
            ));
        }
        let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| "localhost".into());
        targets.push(Target {
            name,
            address: "local".into(),
            port: 0,
            user: None,
            identity_file: None,
            vars: Default::default(),
        });
    } else if targets.is_empty() {
        return Err(InputFailure(
            "nothing to audit: give TARGETs, --inventory FILE, or --local".into(),
        ));
    }
    let mut names = std::collections::HashSet::new();
    for t in &targets {
        if !names.insert(t.name.as_str()) {
            return Err(InputFailure(format!(
                "host {:?} is listed twice; host names must be unique in one run",
                t.name
            )));
        }
    }
    if let Some(shard) = args.shard {
        targets.retain(|t| shard.contains(&t.name));
    }

    // Open the report file before auditing: a path that cannot be written is
    // an input error, found before any host is touched.
    let mut output = match &args.output {
        Some(path) => Some(std::fs::File::create(path).map_err(|e| {
            InputFailure(format!(
                "cannot write the report to {}: {e}",
                path.display()
            ))
        })?),
        None => None,
    };

    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"));
    let settings = Settings {
        jobs: usize::from(args.jobs),
        host_timeout: Duration::from_secs(args.timeout),
        connect_timeout: Duration::from_secs(10),
        known_hosts: args
            .known_hosts
            .clone()
            .unwrap_or_else(|| home.join(".ssh/known_hosts")),
        accept_new_host_keys: args.accept_new_host_keys,
        default_user: args
            .user
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "root".into()),
        default_identity: args.identity.clone(),
        password: std::env::var("SHIPSHAPE_PASSWORD").ok().map(Secret::new),
        max_output_bytes: 64 * 1024 * 1024,
        local: args.local,
        today: args
            .audit_date
            .unwrap_or_else(|| chrono::Utc::now().date_naive()),
        save_facts: args.save_facts.clone(),
        online_guessing: args.online_guessing,
    };
    // First Ctrl-C: finish what runs, start nothing new, write the report
    // marked incomplete. Second Ctrl-C: stop at once.
    let _ = ctrlc::set_handler(|| {
        if run::INTERRUPTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("interrupted: finishing the hosts under way, then writing a partial report (Ctrl-C again to stop now)");
    });
    let started_at = chrono::Utc::now();
    let hosts = run::audit_all(
        &targets,
        &AuditPlan {
            catalog: &catalog,
            checks: &checks,
            params: &profile.params,
        },
        &settings,
    );
    let report = Report {
        tool: ToolInfo::current(),
        profile: profile.name.clone(),
        started_at,
        finished_at: chrono::Utc::now(),
        incomplete: run::INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst),
        hosts,
    };
    let width = if args.output.is_none() && std::io::stdout().is_terminal() {
        None
    } else {
        Some(160)
    };
    // Written as it is rendered: a large fleet's JSON is never a second
    // copy of the report in memory.
    let written = match output.as_mut() {
        Some(file) => report::write(&report, args.format, width, file),
        None => report::write(&report, args.format, width, &mut std::io::stdout().lock()),
    };
    written.map_err(|e| {
        InputFailure(format!(
            "cannot write the report to {}: {e}",
            args.output
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "standard output".into())
        ))
    })?;
    let threshold = match args.fail_on.as_deref() {
        Some("critical") => Severity::Critical,
        Some("high") => Severity::High,
        Some("medium") => Severity::Medium,
        Some("low") => Severity::Low,
        _ => Severity::Info,
    };
    Ok(if report.fails_at(threshold) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn merge(args: MergeArgs) -> Result<ExitCode, InputFailure> {
    let mut inputs = Vec::with_capacity(args.reports.len());
    for path in &args.reports {
        inputs.push(shipshape::merge::load(path).map_err(InputFailure)?);
    }
    let expected = match &args.inventory {
        Some(inv) => Some(
            input(inventory::load_inventory(inv))?
                .into_iter()
                .map(|t| shipshape::merge::Expected {
                    name: t.name,
                    address: t.address,
                })
                .collect::<Vec<_>>(),
        ),
        None => None,
    };
    let report = shipshape::merge::merge(inputs, expected.as_deref()).map_err(InputFailure)?;
    let width = if args.output.is_none() && std::io::stdout().is_terminal() {
        None
    } else {
        Some(160)
    };
    let written = match &args.output {
        Some(path) => std::fs::File::create(path)
            .and_then(|mut f| report::write(&report, args.format, width, &mut f)),
        None => report::write(&report, args.format, width, &mut std::io::stdout().lock()),
    };
    written.map_err(|e| {
        InputFailure(format!(
            "cannot write the report to {}: {e}",
            args.output
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "standard output".into())
        ))
    })?;
    let threshold = match args.fail_on.as_deref() {
        Some("critical") => Severity::Critical,
        Some("high") => Severity::High,
        Some("medium") => Severity::Medium,
        Some("low") => Severity::Low,
        _ => Severity::Info,
    };
    Ok(if report.fails_at(threshold) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
