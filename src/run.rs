//! Running an audit: a worker pool over hosts, each host's lifecycle
//! (connect, one script, parse, evaluate), with its own deadline, so one
//! host never stalls or fails the others.

use crate::analyze::db_passwords;
use crate::catalog::check::{Check, Params};
use crate::catalog::{plan, Catalog};
use crate::evaluate::{evaluate_all, HostInputs};
use crate::facts::Facts;
use crate::inventory::Target;
use crate::model::{HostReport, HostStatus};
use crate::online;
use crate::probe::{parse_frames, ProbeOutcome, ProbeResult, ProbeScript};
use crate::secret::Secret;
use crate::transport::sudo::Sudo;
use crate::transport::{local::LocalTransport, ssh, ExecLimits, Transport, TransportError};
use chrono::NaiveDate;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How to reach hosts and how long to wait.
#[derive(Debug, Clone)]
pub struct Settings {
    pub jobs: usize,
    /// Whole-host deadline: connect, authenticate, run, read.
    pub host_timeout: Duration,
    pub connect_timeout: Duration,
    pub known_hosts: PathBuf,
    pub accept_new_host_keys: bool,
    pub default_user: String,
    pub default_identity: Option<PathBuf>,
    pub password: Option<Secret>,
    pub max_output_bytes: usize,
    /// Audit this machine through local `sh` instead of SSH.
    pub local: bool,
    pub today: NaiveDate,
    /// Write each audited host's facts as `<dir>/<host>.facts.json`.
    pub save_facts: Option<PathBuf>,
    /// `--online-guessing`: after the script, try a few likely passwords
    /// against the host's FTP and SSH (see [`crate::online`]).
    pub online_guessing: bool,
    /// `--become`: run the script as root through sudo, for hosts whose
    /// inventory entry does not say otherwise.
    pub become_root: bool,
    /// The sudo password (from `SHIPSHAPE_BECOME_PASSWORD`).
    pub become_password: Option<Secret>,
    /// `--inspect-databases`: run the probe that logs in to the databases
    /// found in the web roots (see [`crate::analyze::db_passwords`]).
    pub inspect_databases: bool,
}

/// Everything the audit needs besides the hosts.
pub struct AuditPlan<'a> {
    pub catalog: &'a Catalog,
    pub checks: &'a [Check],
    /// The profile's parameters (hosts' vars overlay them).
    pub params: &'a Params,
}

/// Set by the first Ctrl-C: no new host is started, hosts under way finish
/// within their own deadlines, and the report is written, marked incomplete.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Why a host was never started.
pub const INTERRUPTED_REASON: &str =
    "not audited: the run was interrupted (Ctrl-C) before this host started";

/// Audit every target; the result has one report per target, in order.
pub fn audit_all(targets: &[Target], plan: &AuditPlan<'_>, settings: &Settings) -> Vec<HostReport> {
    audit_all_with(targets, plan, settings, &|_| {})
}

/// [`audit_all`], calling `done` with each host's report as it finishes
/// (from the worker threads; for progress display).
pub fn audit_all_with(
    targets: &[Target],
    plan: &AuditPlan<'_>,
    settings: &Settings,
    done: &(dyn Fn(&HostReport) + Sync),
) -> Vec<HostReport> {
    crate::memory::tune_allocator();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<HostReport>>> = Mutex::new(vec![None; targets.len()]);
    let workers = settings.jobs.clamp(1, targets.len().max(1));
    let evaluators =
        crate::analyze::password::crack::Effort::default_threads().clamp(1, targets.len().max(1));
    let store = |i: usize, report: HostReport| {
        done(&report);
        if let Ok(mut r) = results.lock() {
            r[i] = Some(report);
        }
    };
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Collected)>((2 * workers).max(256));
    let rx = Mutex::new(rx);
    std::thread::scope(|s| {
        for _ in 0..evaluators {
            s.spawn(|| loop {
                // Hold the lock only to take one item.
                let item = match rx.lock() {
                    Ok(r) => r.recv(),
                    Err(_) => break,
                };
                let Ok((i, collected)) = item else { break };
                store(i, evaluate_host(&targets[i], collected, plan, settings));
            });
        }
        let (next, store) = (&next, &store);
        for _ in 0..workers {
            let tx = tx.clone();
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(t) = targets.get(i) else { break };
                if INTERRUPTED.load(Ordering::SeqCst) {
                    store(
                        i,
                        not_audited(t, HostStatus::Error, INTERRUPTED_REASON.into()),
                    );
                    continue;
                }
                match collect_host(t, plan, settings) {
                    Ok(collected) => {
                        if tx.send((i, collected)).is_err() {
                            break;
                        }
                    }
                    Err(report) => store(i, report),
                }
            });
        }
        drop(tx);
    });
    results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .zip(targets)
        .map(|(r, t)| {
            r.unwrap_or_else(|| {
                not_audited(
                    t,
                    HostStatus::Error,
                    "the worker auditing this host stopped".into(),
                )
            })
        })
        .collect()
}

fn not_audited(t: &Target, status: HostStatus, why: String) -> HostReport {
    HostReport {
        name: t.name.clone(),
        address: address(t),
        status,
        error: Some(why),
        findings: Vec::new(),
        risk: None,
        drift: None,
    }
}

/// Audit one host. Never panics on anything the host sends.
pub fn audit_host(target: &Target, plan: &AuditPlan<'_>, settings: &Settings) -> HostReport {
    match collect_host(target, plan, settings) {
        Ok(collected) => evaluate_host(target, collected, plan, settings),
        Err(report) => report,
    }
}

/// What [`collect_host`] gathered from an audited host, ready to judge.
pub struct Collected {
    facts: Facts,
    params: Params,
}

/// The I/O half of a host's audit: connect, run the script, parse its
/// output, online guessing (opt-in), save facts. `Err` is the final report
/// of a host that could not be audited (large, but made once per host).
#[allow(clippy::result_large_err)]
pub fn collect_host(
    target: &Target,
    plan: &AuditPlan<'_>,
    settings: &Settings,
) -> Result<Collected, HostReport> {
    let started = Instant::now();
    let mut params = plan.params.clone();
    params.extend(target.vars.clone());
    let mut probes = match plan::script_probes(plan.catalog, plan.checks, &params) {
        Ok(p) => p,
        Err(e) => return Err(not_audited(target, HostStatus::Error, e.to_string())),
    };
    // Database inspection logs in to the host's databases: only on request.
    let inspect_skipped =
        !settings.inspect_databases && probes.iter().any(|p| p.id == db_passwords::PROBE);
    probes.retain(|p| settings.inspect_databases || p.id != db_passwords::PROBE);
    let script = ProbeScript::build(&probes);
    let sudo = target
        .become_root
        .unwrap_or(settings.become_root)
        .then(|| Sudo {
            password: settings.become_password.clone(),
        });
    let output = match transport_for(target, settings) {
        Err(e) => Err(e),
        Ok(mut transport) => {
            let remaining = settings.host_timeout.saturating_sub(started.elapsed());
            if remaining.is_zero() {
                Err(TransportError::Timeout(format!(
                    "the host deadline of {}s passed before the script could start",
                    settings.host_timeout.as_secs()
                )))
            } else {
                transport
                    .run_script(
                        script.text.as_bytes(),
                        &ExecLimits {
                            deadline: remaining,
                            max_output_bytes: settings.max_output_bytes,
                            sudo: sudo.clone(),
                        },
                    )
                    // The transport knows only the time left after connecting;
                    // name the deadline the user set as well.
                    .map_err(|e| match e {
                        TransportError::Timeout(msg) => TransportError::Timeout(format!(
                            "{msg}; the host deadline is {}s (--timeout)",
                            settings.host_timeout.as_secs()
                        )),
                        other => other,
                    })
            }
        }
    };
    let output = match output {
        Ok(o) => o,
        Err(e) => return Err(not_audited(target, e.host_status(), e.reason().to_string())),
    };
    let run = parse_frames(&output.bytes, &script.boundary, &probes);
    // The raw output (up to max_output_bytes) is not needed once parsed:
    // free it before the probes' own copies are evaluated and saved.
    let (exit_status, truncated) = (output.exit_status, output.truncated);
    drop(output);
    if run.probes.is_empty() && !run.complete {
        let stray = String::from_utf8_lossy(&run.stray);
        let hint = match &sudo {
            Some(s) if s.password.is_none() && stray.contains("password is required") => {
                " (sudo wants a password: set SHIPSHAPE_BECOME_PASSWORD, or allow the user \
                 NOPASSWD for this command)"
            }
            Some(_) if stray.contains("must have a tty") => {
                " (sudoers has `requiretty`: shipshape runs without a terminal; allow the \
                 user with `Defaults:USER !requiretty`)"
            }
            Some(_) if stray.contains("sudo") => " (--become: the script runs under sudo)",
            _ => "",
        };
        return Err(not_audited(
            target,
            HostStatus::Error,
            format!(
                "the probe script did not run (exit status {}): {}{hint}",
                exit_status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "unknown".into()),
                stray.trim().chars().take(300).collect::<String>()
            ),
        ));
    }
    let mut facts = Facts::from(run);
    // Secrets the probes declare (`redact:`) are masked before anything
    // reads the output.
    crate::probe::redact::redact_all(&mut facts.probes, &plan.catalog.probes);
    if truncated {
        facts.anomalies.push(format!(
            "output exceeded {} bytes and was cut",
            settings.max_output_bytes
        ));
    }
    if inspect_skipped {
        facts.probes.insert(
            db_passwords::PROBE.to_string(),
            ProbeResult {
                outcome: ProbeOutcome::Exited(0),
                content: format!("{}\n", db_passwords::NOT_REQUESTED).into_bytes(),
                truncated: false,
            },
        );
    }
    // Online guessing (opt-in) turns into the facts of the auditor-side
    // probe `online.guessing`, before they are saved or evaluated.
    if settings.online_guessing && probes.iter().any(|p| p.id == online::PROBE) {
        let jumped = target
            .route
            .as_ref()
            .is_some_and(|r| !r.opts.jumps.is_empty());
        let report = if settings.local {
            online::GuessReport::not_run(
                "--local audits this machine without a network connection: nothing to guess against",
            )
        } else if jumped {
            online::GuessReport::not_run(
                "the host is reached through jump hosts (ProxyJump): its FTP and SSH logins \
                 are not tried from here",
            )
        } else {
            online::guess_host(&network(target, settings), &facts, &params, settings.today)
        };
        facts.probes.insert(
            online::PROBE.to_string(),
            ProbeResult {
                outcome: ProbeOutcome::Exited(0),
                content: report.to_text().into_bytes(),
                truncated: false,
            },
        );
    }
    if let Some(dir) = &settings.save_facts {
        // Probes marked sensitive (shadow hashes, config files with
        // passwords) never leave memory.
        // Their content is set aside while the file is written (not copied:
        // the facts may hold tens of megabytes).
        let mut withheld = Vec::new();
        for (id, result) in facts.probes.iter_mut() {
            if plan.catalog.probes.get(id).is_some_and(|p| p.sensitive) {
                let note = b"(withheld: this probe's output may contain secrets)".to_vec();
                withheld.push((id.clone(), std::mem::replace(&mut result.content, note)));
            }
        }
        let saved = save_facts(dir, &target.name, &facts);
        for (id, content) in withheld {
            if let Some(result) = facts.probes.get_mut(&id) {
                result.content = content;
            }
        }
        if let Err(e) = saved {
            facts.anomalies.push(format!("could not save facts: {e}"));
        }
    }
    Ok(Collected { facts, params })
}

/// The CPU half: judge the facts (offline password guessing included).
pub fn evaluate_host(
    target: &Target,
    collected: Collected,
    plan: &AuditPlan<'_>,
    settings: &Settings,
) -> HostReport {
    let Collected { facts, params } = collected;
    let findings = evaluate_all(
        plan.checks,
        &HostInputs {
            facts: &facts,
            params: &params,
            today: settings.today,
            eol: &plan.catalog.eol,
        },
    );
    HostReport {
        name: target.name.clone(),
        address: address(target),
        status: HostStatus::Audited,
        error: None,
        findings,
        risk: None,
        drift: None,
    }
}

fn save_facts(dir: &std::path::Path, host: &str, facts: &Facts) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    // Host names come from inventories: keep the file name plain.
    let safe: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // Streamed: as JSON, hostile output can be six times its size (NUL
    // bytes become `\u0000`).
    let file = std::fs::File::create(dir.join(format!("{safe}.facts.json")))?;
    let mut w = std::io::BufWriter::new(file);
    serde_json::to_writer_pretty(&mut w, facts).map_err(std::io::Error::other)?;
    std::io::Write::flush(&mut w)
}

/// Where online guessing connects: the audit's address and SSH port, the
/// same known_hosts, nothing but passwords.
fn network(target: &Target, settings: &Settings) -> online::Network {
    let limit = settings.connect_timeout.min(settings.host_timeout);
    let mut ssh = ssh::SshOptions::new(String::new());
    ssh.port = target
        .route
        .as_ref()
        .map(|r| r.opts.port)
        .or(target.port)
        .unwrap_or(22);
    ssh.known_hosts = target
        .route
        .as_ref()
        .map(|r| r.opts.known_hosts.clone())
        .unwrap_or_else(|| settings.known_hosts.clone());
    ssh.accept_new_host_keys = false;
    ssh.connect_timeout = limit;
    ssh.auth_timeout = limit;
    ssh.use_agent = false;
    online::Network {
        host: address(target),
        ssh,
        ftp: online::ftp::Timeouts {
            connect: limit,
            io: limit,
        },
    }
}

/// The address a report shows: where the connection goes (after
/// ssh_config's HostName), else the inventory's address.
fn address(t: &Target) -> String {
    t.route
        .as_ref()
        .map(|r| r.host.clone())
        .unwrap_or_else(|| t.address.clone())
}

fn transport_for(
    target: &Target,
    settings: &Settings,
) -> Result<Box<dyn Transport>, TransportError> {
    if settings.local {
        return Ok(Box::new(LocalTransport::new()));
    }
    let limit = settings.connect_timeout.min(settings.host_timeout);
    let (host, mut opts) = match &target.route {
        Some(r) => (r.host.clone(), r.opts.clone()),
        // Not resolved by the caller: the settings' defaults, no ssh_config.
        None => {
            let mut o = ssh::SshOptions::new(
                target
                    .user
                    .clone()
                    .unwrap_or_else(|| settings.default_user.clone()),
            );
            o.port = target.port.unwrap_or(22);
            o.identity_file = target
                .identity_file
                .clone()
                .or_else(|| settings.default_identity.clone());
            o.known_hosts = settings.known_hosts.clone();
            o.accept_new_host_keys = settings.accept_new_host_keys;
            (target.address.clone(), o)
        }
    };
    opts.password = settings.password.clone();
    opts.connect_timeout = limit;
    opts.auth_timeout = limit;
    // Jump hosts log in with keys (agent or files): the target's password
    // is never sent to them.
    for j in &mut opts.jumps {
        j.opts.connect_timeout = limit;
        j.opts.auth_timeout = limit;
        j.opts.password = None;
    }
    Ok(Box::new(ssh::connect(&host, &opts)?))
}
