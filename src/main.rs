//! The `shipshape` command line: parse arguments, call the library, map the
//! outcome to an exit code (0 clean, 1 failing or erroring findings or
//! hosts not audited, 2 invalid input).

use clap::{Args, CommandFactory, Parser, Subcommand};
use shipshape::authoring::{explain, list, validate};

use shipshape::analyze::db_passwords;
use shipshape::catalog::Catalog;
use shipshape::inventory::{self, Target};
use shipshape::model::{Category, Report, Severity, ToolInfo};
use shipshape::online;
use shipshape::progress::{self, Progress};
use shipshape::report::{self, Format};
use shipshape::route::{self, Defaults};
use shipshape::run::{self, AuditPlan, Settings};
use shipshape::schema::{self, SchemaKind};
use shipshape::secret::Secret;
use shipshape::shard::Shard;
use shipshape::sshconfig::SshConfig;
use shipshape::transport::sudo;
use shipshape::{baseline, risk, waiver};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// The crate version and the date of the built-in check data (the EOL
/// table's `written:`), so a report can be matched to what judged it.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (check data of ",
    env!("SHIPSHAPE_CHECK_DATA_DATE"),
    ")"
);

#[derive(Parser)]
#[command(
    name = "shipshape",
    version = VERSION,
    about = "Agentless security-hardening audit over SSH",
    long_about = "Agentless security-hardening audit over SSH.\n\n\
        shipshape runs one read-only POSIX sh script per host, built from declarative \
        YAML checks, and reports the findings ordered by five countermeasures: unsafe \
        services and source restrictions, maintenance passwords, log monitoring, \
        updates, and plaintext credentials. Checks and profiles are built in; \
        `shipshape validate`, `explain` and `schema` help to write your own."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Audit hosts (or this machine with --local) and report findings.
    Audit(Box<AuditArgs>),
    /// List the checks of the catalog, or the plan of one profile.
    ListChecks(ListArgs),
    /// Check files (checks, profiles, inventories, EOL tables) without
    /// auditing: every problem with file:line:column and a hint; exit 2 if any.
    /// Without FILES: the built-in checks and profiles (and --checks DIR).
    Validate {
        /// Files to validate; their kind is recognised from their top-level keys.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
        /// A checks directory: validated too without FILES; with FILES, the
        /// checks that profiles are resolved against (unless FILES hold checks).
        #[arg(long, value_name = "DIR")]
        checks: Option<PathBuf>,
    },
    /// Render a saved JSON report (from `audit --format json`) in another format.
    Show {
        /// The JSON report.
        #[arg(value_name = "REPORT")]
        report: PathBuf,
        #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Explain one check: rationale, what it reads on the target, how it
    /// decides, remediation, references, and which profiles run it.
    Explain {
        #[arg(value_name = "CHECK-ID")]
        check: String,
        /// Read checks from this directory instead of the built-in ones.
        #[arg(long, value_name = "DIR")]
        checks: Option<PathBuf>,
        /// Also say whether this profile (a name or a file) runs the check.
        #[arg(long, short = 'p', value_name = "NAME|FILE")]
        profile: Option<String>,
    },
    /// Print the JSON Schema of a check file, profile, inventory or JSON report.
    Schema {
        #[arg(value_enum)]
        kind: SchemaKind,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), of shipshape or of one subcommand.
    Man {
        #[arg(value_name = "SUBCOMMAND")]
        subcommand: Option<String>,
    },
    /// Combine JSON reports (the shards of one audit) into one report.
    Merge(MergeArgs),
}

#[derive(Args)]
struct ListArgs {
    /// Read checks from this directory instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    checks: Option<PathBuf>,
    /// Only the checks of this category.
    #[arg(long, short = 'c', value_name = "CATEGORY",
          value_parser = clap::builder::PossibleValuesParser::new(Category::ALL.map(Category::as_str)))]
    category: Option<String>,
    /// The plan of this profile (a name or a file): the checks it selects, at
    /// their severity, with the parameter values they use.
    #[arg(long, short = 'p', value_name = "NAME|FILE")]
    profile: Option<String>,
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ListFormat {
    Table,
    Json,
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
    /// An inventory of hosts: shipshape YAML, Ansible YAML or INI, or an
    /// executable dynamic inventory (needs ansible-inventory); the format is
    /// recognised from the file.
    #[arg(long, short = 'i', value_name = "FILE")]
    inventory: Option<PathBuf>,
    /// Audit only the inventory hosts matching this Ansible-style pattern
    /// (names, groups, globs, ~regex; `:` or `,` unite, `&` intersects, `!` excludes).
    #[arg(long, short = 'l', value_name = "PATTERN")]
    limit: Option<String>,
    /// OpenSSH client config to read (`none`: read none) [default:
    /// ~/.ssh/config when it exists].
    #[arg(long = "ssh-config", short = 'F', value_name = "FILE")]
    ssh_config: Option<PathBuf>,
    /// Run the probes as root through `sudo -n` (password, if the hosts
    /// need one, from SHIPSHAPE_BECOME_PASSWORD).
    #[arg(long = "become")]
    become_root: bool,
    /// A built-in profile name (go-live, compliance) or a profile file.
    #[arg(long, short = 'p', value_name = "NAME|FILE", default_value = "go-live")]
    profile: String,
    /// Read checks from this directory instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    checks: Option<PathBuf>,
    /// Report format on standard output (or in a plain `--output FILE`).
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write a report to a file; repeat for several. `FILE` takes the
    /// `--format` report instead of standard output; `FORMAT=FILE` (e.g.
    /// `html=report.html`) writes that format to FILE as well.
    #[arg(long, short = 'o', value_name = "[FORMAT=]FILE")]
    output: Vec<String>,
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
    /// Exit 1 only for failing or erroring findings of this severity or worse
    /// (and for hosts not audited) [default: any].
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
    /// Waivers (accepted risks) from a YAML file, besides the profile's own `waivers:`.
    #[arg(long, value_name = "FILE")]
    waivers: Option<PathBuf>,
    /// A previous JSON report: mark open findings new or unchanged, list the
    /// resolved ones, and summarise the drift.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Exit 1 only for failing or erroring findings new against --baseline (and
    /// for hosts not audited); --fail-on still sets the severity threshold.
    #[arg(long, requires = "baseline")]
    fail_on_new: bool,
    /// No progress display and no notes on standard error; errors still show.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Log in to the databases whose credentials the web roots hold (the
    /// host's own mysql/mariadb client, read-only) and report password
    /// columns that are not hashed. Refused by profiles that forbid it.
    #[arg(long)]
    inspect_databases: bool,
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
        Command::Show { report, format } => show(&report, format),
        Command::ListChecks(args) => list_checks(args),
        Command::Validate { files, checks } => Ok(validate(&files, checks.as_deref())),
        Command::Explain {
            check,
            checks,
            profile,
        } => explain(&check, checks.as_ref(), profile.as_deref()),
        Command::Schema { kind } => {
            print!("{}", schema::render(kind));
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "shipshape",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { subcommand } => man(subcommand.as_deref()),
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

fn list_checks(args: ListArgs) -> Result<ExitCode, InputFailure> {
    let catalog = load_catalog(args.checks.as_ref())?;
    let profile = match &args.profile {
        Some(spec) => Some(input(Catalog::load_profile(spec))?),
        None => None,
    };
    let checks = match &profile {
        Some(p) => input(catalog.select(p))?,
        None => catalog.checks.clone(),
    };
    let category = args
        .category
        .as_deref()
        .and_then(|c| Category::ALL.into_iter().find(|x| x.as_str() == c));
    let checks = list::in_category(checks, category);
    let rows = list::rows(&catalog, &checks, profile.as_ref());
    match args.format {
        ListFormat::Table => print!("{}", list::render_text(&rows, profile.as_ref())),
        ListFormat::Json => {
            let empty = Default::default();
            let listing = list::Listing {
                profile: profile.as_ref().map(|p| p.name.as_str()),
                params: profile.as_ref().map_or(&empty, |p| &p.params),
                checks: rows,
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&listing).expect("the listing serializes")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `NO_COLOR` set to anything but the empty string turns colour off
/// (<https://no-color.org>).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn show(path: &std::path::Path, format: Format) -> Result<ExitCode, InputFailure> {
    let report = baseline::load_report(
        path,
        "`shipshape show` takes a report written by `shipshape audit --format json`",
    )
    .map_err(InputFailure)?;
    let terminal = std::io::stdout().is_terminal();
    let style = report::table::Style {
        width: if terminal { None } else { Some(160) },
        colour: terminal && !no_color(),
    };
    print!("{}", report::render_styled(&report, format, style));
    Ok(ExitCode::SUCCESS)
}

fn validate(files: &[PathBuf], checks: Option<&std::path::Path>) -> ExitCode {
    let outcome = if files.is_empty() {
        validate::validate_builtin(checks)
    } else {
        validate::validate_files(files, checks)
    };
    for v in &outcome.valid {
        println!("ok: {} ({})", v.what, v.summary);
    }
    for e in &outcome.problems {
        eprintln!("error: {e}");
    }
    if outcome.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "{} problem{} found",
            outcome.problems.len(),
            if outcome.problems.len() == 1 { "" } else { "s" }
        );
        ExitCode::from(2)
    }
}

fn explain(
    id: &str,
    checks: Option<&PathBuf>,
    profile: Option<&str>,
) -> Result<ExitCode, InputFailure> {
    let catalog = load_catalog(checks)?;
    let mut profiles = Vec::new();
    for name in shipshape::catalog::builtin_profile_names() {
        profiles.push(input(Catalog::load_profile(&name))?);
    }
    if let Some(spec) = profile {
        let p = input(Catalog::load_profile(spec))?;
        profiles.retain(|x| x.name != p.name);
        profiles.push(p);
    }
    let text =
        explain::explain(&catalog, id, &profiles).map_err(|e| InputFailure(e.to_string()))?;
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// The manual page of shipshape, or of `shipshape SUBCOMMAND`, with the exit
/// codes and environment variables.
fn man(subcommand: Option<&str>) -> Result<ExitCode, InputFailure> {
    use clap_mangen::roff::{bold, roman, Roff};
    let mut cmd = Cli::command();
    cmd.build();
    let page = match subcommand {
        None => cmd,
        Some(name) => cmd.find_subcommand(name).cloned().ok_or_else(|| {
            InputFailure(format!(
                "no subcommand {name:?}\n  hint: one of {}",
                cmd.get_subcommands()
                    .map(|c| c.get_name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?,
    };
    let has_version = page.get_version().is_some();
    let man = clap_mangen::Man::new(page);
    let mut out = Vec::new();
    let write = |r: std::io::Result<()>| r.expect("writing to memory");
    write(man.render_title(&mut out));
    write(man.render_name_section(&mut out));
    write(man.render_synopsis_section(&mut out));
    write(man.render_description_section(&mut out));
    write(man.render_options_section(&mut out));
    write(man.render_subcommands_section(&mut out));
    let mut extra = Roff::new();
    extra.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in [
        ("0", "Every host audited, no failing finding (or the command succeeded)."),
        ("1", "At least one failing finding, or a host that could not be audited."),
        ("2", "Invalid input (arguments, checks, profile, inventory): nothing audited. Each problem names file:line:column and gives a hint."),
        ("130", "Interrupted by a second Ctrl-C."),
    ] {
        extra.control("TP", []).text([bold(code)]).text([roman(meaning)]);
    }
    extra.control("SH", ["ENVIRONMENT"]);
    for (var, meaning) in [
        (
            "SHIPSHAPE_PASSWORD",
            "SSH password, tried after ssh-agent and keys; never taken from the command line.",
        ),
        (
            "SHIPSHAPE_KEY_PASSPHRASE",
            "Passphrase of an encrypted private key.",
        ),
        ("NO_COLOR", "Set to turn off colour in the table report."),
    ] {
        extra
            .control("TP", [])
            .text([bold(var)])
            .text([roman(meaning)]);
    }
    write(extra.to_writer(&mut out));
    if has_version {
        write(man.render_version_section(&mut out));
    }
    use std::io::Write as _;
    std::io::stdout()
        .write_all(&out)
        .map_err(|e| InputFailure(format!("cannot write the manual page: {e}")))?;
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
    if !args.quiet && !checks.iter().any(|c| c.id == online::CHECK) {
        eprintln!(
            "note: --online-guessing has no effect: profile {:?} does not select check {}",
            profile.name,
            online::CHECK
        );
    }
    Ok(())
}

/// One `--output`: a report format and the file it goes to.
struct ReportOutput {
    format: Format,
    path: PathBuf,
    /// A plain `--output FILE`: it takes `--format`, instead of stdout.
    plain: bool,
}

/// Read the `--output` values: `FORMAT=FILE` when the part before the
/// first `=` is a format name, otherwise a plain FILE in `--format`.
/// Two outputs to one file would overwrite each other: refused.
fn report_outputs(values: &[String], format: Format) -> Result<Vec<ReportOutput>, InputFailure> {
    use clap::ValueEnum as _;
    let mut outputs: Vec<ReportOutput> = Vec::new();
    for v in values {
        let named = v.split_once('=').and_then(|(name, path)| {
            Format::value_variants()
                .iter()
                .find(|f| f.as_str() == name)
                .map(|f| (*f, path))
        });
        let output = match named {
            Some((_, "")) => {
                return Err(InputFailure(format!(
                    "--output {v}: no file name after the `=`; write FORMAT=FILE, e.g. html=report.html"
                )))
            }
            Some((f, path)) => ReportOutput {
                format: f,
                path: PathBuf::from(path),
                plain: false,
            },
            None if v.is_empty() => {
                return Err(InputFailure(
                    "--output needs a file name (FILE or FORMAT=FILE)".into(),
                ))
            }
            None => ReportOutput {
                format,
                path: PathBuf::from(v),
                plain: true,
            },
        };
        if outputs.iter().any(|o| o.path == output.path) {
            return Err(InputFailure(format!(
                "--output names {} twice; give each report its own file",
                output.path.display()
            )));
        }
        outputs.push(output);
    }
    Ok(outputs)
}

/// Where and how to reach each target: the target's own settings, then the
/// command line, then ssh_config (`-F FILE`, else `~/.ssh/config` when it
/// exists), then the defaults. See `shipshape::route`.
fn resolve_routes(
    args: &AuditArgs,
    home: &std::path::Path,
    targets: &mut [Target],
) -> Result<(), InputFailure> {
    let config_path = match &args.ssh_config {
        Some(p) if p.as_os_str() == "none" => None,
        Some(p) => Some(p.clone()),
        None => Some(home.join(".ssh/config")).filter(|p| p.is_file()),
    };
    let config = match &config_path {
        Some(p) => Some(input(SshConfig::load(p, home))?),
        None => None,
    };
    let defaults = Defaults {
        user: args.user.clone(),
        port: args.port,
        identity: args.identity.clone(),
        known_hosts: args.known_hosts.clone(),
        accept_new_host_keys: args.accept_new_host_keys,
        local_user: std::env::var("USER").unwrap_or_else(|_| "root".into()),
        home: home.to_path_buf(),
    };
    for t in targets.iter_mut() {
        let r = route::resolve(t, &defaults, config.as_ref())
            .map_err(|e| InputFailure(format!("host {:?}: {e}", t.name)))?;
        t.route = Some(r);
    }
    Ok(())
}

/// `--inspect-databases` is refused where the profile forbids it.
fn check_inspect_databases(
    args: &AuditArgs,
    profile: &shipshape::catalog::profile::Profile,
    checks: &[shipshape::catalog::check::Check],
) -> Result<(), InputFailure> {
    let forbidden = db_passwords::forbidden(&profile.params)
        .map_err(|why| InputFailure(format!("profile {:?}: {why}", profile.name)))?;
    if !args.inspect_databases {
        return Ok(());
    }
    if forbidden {
        return Err(InputFailure(format!(
            "profile {:?} forbids database inspection (params: {}: forbidden), \
             so --inspect-databases cannot be used with it; drop the flag, or use a profile \
             that allows it (go-live)",
            profile.name,
            db_passwords::POLICY_PARAM
        )));
    }
    if !checks.iter().any(|c| c.id == db_passwords::CHECK) {
        eprintln!(
            "note: --inspect-databases has no effect: profile {:?} does not select check {}",
            profile.name,
            db_passwords::CHECK
        );
    }
    Ok(())
}

fn audit(args: AuditArgs) -> Result<ExitCode, InputFailure> {
    let catalog = load_catalog(args.checks.as_ref())?;
    let profile = input(Catalog::load_profile(&args.profile))?;
    let checks = input(catalog.select(&profile))?;
    check_online_guessing(&args, &profile, &checks)?;
    let mut waivers = profile.waivers.clone();
    if let Some(file) = &args.waivers {
        let extra = input(waiver::load_file(file))?;
        input(waiver::check_ids(&extra, &catalog))?;
        waivers.extend(extra);
    }
    let previous = match &args.baseline {
        Some(file) => Some(baseline::load(file).map_err(InputFailure)?),
        None => None,
    };
    check_inspect_databases(&args, &profile, &checks)?;

    let mut targets: Vec<Target> = Vec::new();
    if let Some(inv) = &args.inventory {
        let hosts = input(inventory::load_inventory(inv))?;
        targets.extend(match &args.limit {
            Some(pattern) => input(inventory::limit::apply(hosts, pattern))?,
            None => hosts,
        });
    } else if args.limit.is_some() {
        return Err(InputFailure(
            "--limit selects hosts of an inventory: give --inventory FILE too".into(),
        ));
    }
    for spec in &args.targets {
        targets.push(input(inventory::parse_target(spec))?);
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
            port: None,
            user: None,
            identity_file: None,
            vars: Default::default(),
            groups: Vec::new(),
            become_root: None,
            proxy_jump: None,
            route: None,
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

    // Open the report files before auditing: a path that cannot be written
    // is an input error, found before any host is touched.
    let outputs = report_outputs(&args.output, args.format)?;
    let mut files = Vec::with_capacity(outputs.len());
    for o in &outputs {
        let file = std::fs::File::create(&o.path).map_err(|e| {
            InputFailure(format!(
                "cannot write the report to {}: {e}",
                o.path.display()
            ))
        })?;
        files.push((o, file));
    }
    let stdout_format = if outputs.iter().any(|o| o.plain) {
        None
    } else {
        Some(args.format)
    };

    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"));
    if !args.local {
        resolve_routes(&args, &home, &mut targets)?;
    }
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
        become_root: args.become_root,
        become_password: std::env::var(sudo::PASSWORD_ENV)
            .ok()
            .filter(|p| !p.is_empty())
            .map(Secret::new),
        inspect_databases: args.inspect_databases,
    };
    // First Ctrl-C: finish what runs, start nothing new, write the report
    // marked incomplete. Second Ctrl-C: stop at once.
    let quiet = args.quiet;
    let _ = ctrlc::set_handler(move || {
        if run::INTERRUPTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(130);
        }
        if !quiet {
            eprintln!("interrupted: finishing the hosts under way, then writing a partial report (Ctrl-C again to stop now)");
        }
    });
    let started_at = chrono::Utc::now();
    let progress = Progress::new(
        targets.len(),
        progress::wanted(args.quiet),
        &waivers,
        settings.today,
    );
    let hosts = run::audit_all_with(
        &targets,
        &AuditPlan {
            catalog: &catalog,
            checks: &checks,
            params: &profile.params,
        },
        &settings,
        &|h| progress.host_done(h),
    );
    progress.finish();
    let mut report = Report {
        tool: ToolInfo::current(),
        profile: profile.name.clone(),
        started_at,
        finished_at: chrono::Utc::now(),
        incomplete: run::INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst),
        hosts,
        waivers: Vec::new(),
        baseline: None,
    };
    report.waivers = waiver::apply(&mut report, &waivers, settings.today);
    risk::annotate(&mut report);
    if let (Some(prev), Some(file)) = (&previous, &args.baseline) {
        baseline::compare(&mut report, prev, &file.display().to_string());
    }
    for (o, file) in &mut files {
        // Written as it is rendered: a large fleet's JSON is never a
        // second copy of the report in memory.
        report::write(&report, o.format, Some(160), file).map_err(|e| {
            InputFailure(format!(
                "cannot write the report to {}: {e}",
                o.path.display()
            ))
        })?;
    }
    if let Some(format) = stdout_format {
        let terminal = std::io::stdout().is_terminal();
        let style = report::table::Style {
            width: if terminal { None } else { Some(160) },
            colour: terminal && !no_color(),
        };
        let written = match format {
            Format::Json => report::write(&report, format, None, &mut std::io::stdout().lock()),
            _ => std::io::Write::write_all(
                &mut std::io::stdout().lock(),
                report::render_styled(&report, format, style).as_bytes(),
            ),
        };
        written.map_err(|e| InputFailure(format!("cannot write the report: {e}")))?;
    }
    let threshold = match args.fail_on.as_deref() {
        Some("critical") => Severity::Critical,
        Some("high") => Severity::High,
        Some("medium") => Severity::Medium,
        Some("low") => Severity::Low,
        _ => Severity::Info,
    };
    Ok(if report.gates(threshold, args.fail_on_new) {
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
    Ok(if report.gates(threshold, false) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
