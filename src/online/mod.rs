//! Online password guessing (opt-in: `shipshape audit --online-guessing`).
//!
//! The only part of shipshape that tries passwords against a live service.
//! After the probe script has run and before evaluation, for each local
//! account that can log in (uid ≥ 1000 with a login shell, not locked in
//! /etc/shadow when that was readable), the few most likely candidates are
//! tried against plain FTP (when `net.listeners` shows tcp port 21) and SSH
//! password authentication (the audit's own port, host key verified against
//! known_hosts like the audit connection). The results become the facts of
//! the auditor-side probe [`PROBE`], which the pure analyzer
//! `password-online-guessable` judges.
//!
//! # Safety rules
//!
//! - Off unless `--online-guessing` is given; a profile (or host) whose
//!   parameter `online_guessing` is `forbidden` never guesses.
//! - At most `online_guessing_per_account` attempts per account over all
//!   services together (PAM lockouts such as pam_faillock count failures
//!   per account, whatever the service), and `online_guessing_per_host` in
//!   all; hard maxima [`MAX_PER_ACCOUNT`] and [`MAX_PER_HOST`].
//! - `online_guessing_delay_ms` between any two connections (at least
//!   [`MIN_DELAY_MS`]).
//! - An account stops being tried on a service at its first success; a
//!   service that cannot be reached (or whose host key does not verify) is
//!   not tried again on this host.
//! - Not bound by `--timeout` (nor is the offline search before it): the
//!   caps bound the number of attempts, and the connect timeout bounds each
//!   attempt's connect, handshake and replies.
//! - Candidates are [`Secret`]s. Nothing is logged; the facts hold, per
//!   service and account, counts, reasons, and for a successful login only
//!   the masked password and how it was made.
//!
//! # Which candidates
//!
//! When the audit could read /etc/shadow and the offline search
//! (`password-guessable`, the same candidates and the same per-run cache)
//! found an account's password, that password is tried first: one attempt
//! then shows whether the network services accept it. The rest are the
//! first candidates of [`candidates::generate_limited`] for the account —
//! the most likely first — without the empty password when /etc/shadow
//! shows a password hash.

pub mod ftp;

use crate::analyze::password::candidates::{self, Candidate};
use crate::analyze::password::shadow::{self, Account, PasswdEntry, PasswordField};
use crate::analyze::password::{
    crack, effort, host_names, PasswordContext, PASSWD_PROBE, SHADOW_PROBE,
};
use crate::catalog::check::Params;
use crate::facts::{Facts, Unavailable};
use crate::probe::ProbeOutcome;
use crate::secret::Secret;
use crate::transport::ssh::{self, PasswordCheck, SshOptions};
use chrono::NaiveDate;
use std::fmt;
use std::time::Duration;

/// The auditor-side probe whose content this module writes.
pub const PROBE: &str = "online.guessing";
/// Listening sockets (defined in checks/system.yml).
pub const LISTENERS_PROBE: &str = "net.listeners";
/// The check that reports the results.
pub const CHECK: &str = "password-online-guessable";

/// Profile/inventory parameter: `forbidden` (never guess) or `allowed`.
pub const POLICY_PARAM: &str = "online_guessing";
pub const PER_ACCOUNT_PARAM: &str = "online_guessing_per_account";
pub const PER_HOST_PARAM: &str = "online_guessing_per_host";
pub const DELAY_PARAM: &str = "online_guessing_delay_ms";

pub const DEFAULT_PER_ACCOUNT: usize = 3;
pub const MAX_PER_ACCOUNT: usize = 10;
pub const DEFAULT_PER_HOST: usize = 20;
pub const MAX_PER_HOST: usize = 50;
pub const DEFAULT_DELAY_MS: u64 = 1000;
pub const MIN_DELAY_MS: u64 = 100;
pub const MAX_DELAY_MS: u64 = 60_000;

/// The plain FTP port.
pub const FTP_PORT: u16 = 21;

/// How much guessing one host gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Attempts per account, all services together.
    pub per_account: usize,
    /// Attempts per host, all accounts and services together.
    pub per_host: usize,
    /// Pause between two connections.
    pub delay: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_account: DEFAULT_PER_ACCOUNT,
            per_host: DEFAULT_PER_HOST,
            delay: Duration::from_millis(DEFAULT_DELAY_MS),
        }
    }
}

fn whole(params: &Params, key: &str, default: u64, lo: u64, hi: u64) -> Result<u64, String> {
    let v = match params.get(key) {
        None | Some(serde_json::Value::Null) => return Ok(default),
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<u64>().ok(),
        Some(_) => None,
    };
    match v {
        Some(v) if (lo..=hi).contains(&v) => Ok(v),
        _ => Err(format!(
            "parameter {key} must be a whole number from {lo} to {hi}, not {}",
            params.get(key).map(|v| v.to_string()).unwrap_or_default()
        )),
    }
}

impl Limits {
    /// From `online_guessing_per_account` (1–10, default 3),
    /// `online_guessing_per_host` (1–50, default 20) and
    /// `online_guessing_delay_ms` (100–60000, default 1000).
    pub fn from_params(params: &Params) -> Result<Limits, String> {
        Ok(Limits {
            per_account: whole(
                params,
                PER_ACCOUNT_PARAM,
                DEFAULT_PER_ACCOUNT as u64,
                1,
                MAX_PER_ACCOUNT as u64,
            )? as usize,
            per_host: whole(
                params,
                PER_HOST_PARAM,
                DEFAULT_PER_HOST as u64,
                1,
                MAX_PER_HOST as u64,
            )? as usize,
            delay: Duration::from_millis(whole(
                params,
                DELAY_PARAM,
                DEFAULT_DELAY_MS,
                MIN_DELAY_MS,
                MAX_DELAY_MS,
            )?),
        })
    }
}

/// True when the parameters forbid online guessing (`online_guessing:
/// forbidden`); an unknown value is an error, so that a typo never turns
/// guessing on where it was meant to be off.
pub fn forbidden(params: &Params) -> Result<bool, String> {
    match params.get(POLICY_PARAM) {
        None | Some(serde_json::Value::Null) => Ok(false),
        Some(serde_json::Value::String(s)) if s.trim() == "forbidden" => Ok(true),
        Some(serde_json::Value::String(s)) if s.trim() == "allowed" => Ok(false),
        Some(other) => Err(format!(
            "parameter {POLICY_PARAM} must be `forbidden` or `allowed`, not {other}"
        )),
    }
}

/// A service passwords are tried on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Ftp,
    Ssh,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Ftp => "ftp",
            Service::Ssh => "ssh",
        }
    }

    fn parse(s: &str) -> Option<Service> {
        match s {
            "ftp" => Some(Service::Ftp),
            "ssh" => Some(Service::Ssh),
            _ => None,
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What guessing came to for one account on one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A candidate logged in. Only its masked form and how it was made.
    Guessed {
        attempts: usize,
        masked: String,
        how: String,
    },
    /// The service let the account in without a password.
    Open { attempts: usize },
    /// Every attempt was refused.
    NotGuessed { attempts: usize },
    /// Could not be tested (to the end), and why.
    Untestable { attempts: usize, reason: String },
}

impl Outcome {
    pub fn attempts(&self) -> usize {
        match self {
            Outcome::Guessed { attempts, .. }
            | Outcome::Open { attempts }
            | Outcome::NotGuessed { attempts }
            | Outcome::Untestable { attempts, .. } => *attempts,
        }
    }

    /// A login succeeded.
    pub fn logged_in(&self) -> bool {
        matches!(self, Outcome::Guessed { .. } | Outcome::Open { .. })
    }
}

/// One account on one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub service: Service,
    pub account: String,
    pub outcome: Outcome,
}

/// Whether guessing ran on a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Not asked for (`--online-guessing` not given): the probe is empty.
    Off,
    /// Not done, and why (forbidden for this host, `--local`).
    NotRun(String),
    /// Could not be done (bad parameters, no account list).
    Error(String),
    /// Done within these limits.
    Done(Limits),
}

/// The content of the [`PROBE`] fact: one line per item, tab-separated.
///
/// ```text
/// enabled <per_account> <per_host> <delay_ms>
/// <ftp|ssh> <account> guessed <attempts> <masked password> <how>
/// <ftp|ssh> <account> open <attempts>
/// <ftp|ssh> <account> not-guessed <attempts>
/// <ftp|ssh> <account> untestable <attempts> <reason>
/// note <text>
/// ```
/// or a single `off <reason>` / `error <reason>` line. Never a password or
/// a candidate in clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuessReport {
    pub state: State,
    pub records: Vec<Record>,
    pub notes: Vec<String>,
}

/// Free text in one field: no tabs or line breaks, bounded.
fn field(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect::<String>()
        .trim()
        .to_string()
}

impl GuessReport {
    pub fn off() -> GuessReport {
        GuessReport {
            state: State::Off,
            records: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn not_run(why: impl Into<String>) -> GuessReport {
        GuessReport {
            state: State::NotRun(why.into()),
            ..GuessReport::off()
        }
    }

    pub fn error(why: impl Into<String>) -> GuessReport {
        GuessReport {
            state: State::Error(why.into()),
            ..GuessReport::off()
        }
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        match &self.state {
            State::Off => return out,
            State::NotRun(why) => return format!("off\t{}\n", field(why)),
            State::Error(why) => return format!("error\t{}\n", field(why)),
            State::Done(l) => out.push_str(&format!(
                "enabled\t{}\t{}\t{}\n",
                l.per_account,
                l.per_host,
                l.delay.as_millis()
            )),
        }
        for r in &self.records {
            let head = format!("{}\t{}", r.service, field(&r.account));
            out.push_str(&match &r.outcome {
                Outcome::Guessed {
                    attempts,
                    masked,
                    how,
                } => format!(
                    "{head}\tguessed\t{attempts}\t{}\t{}\n",
                    field(masked),
                    field(how)
                ),
                Outcome::Open { attempts } => format!("{head}\topen\t{attempts}\n"),
                Outcome::NotGuessed { attempts } => format!("{head}\tnot-guessed\t{attempts}\n"),
                Outcome::Untestable { attempts, reason } => {
                    format!("{head}\tuntestable\t{attempts}\t{}\n", field(reason))
                }
            });
        }
        for n in &self.notes {
            out.push_str(&format!("note\t{}\n", field(n)));
        }
        out
    }

    /// Read the fact back (the analyzer's side).
    pub fn parse(text: &str) -> Result<GuessReport, String> {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let Some(first) = lines.next() else {
            return Ok(GuessReport::off());
        };
        let f: Vec<&str> = first.split('\t').collect();
        let state = match f.as_slice() {
            ["off", why] => return Ok(GuessReport::not_run(*why)),
            ["error", why] => return Ok(GuessReport::error(*why)),
            ["enabled", a, h, d] => {
                let num = |s: &str| s.parse::<u64>().map_err(|_| format!("bad number {s:?}"));
                State::Done(Limits {
                    per_account: num(a)? as usize,
                    per_host: num(h)? as usize,
                    delay: Duration::from_millis(num(d)?),
                })
            }
            _ => return Err(format!("unexpected first line {first:?}")),
        };
        let mut report = GuessReport {
            state,
            records: Vec::new(),
            notes: Vec::new(),
        };
        for line in lines {
            let f: Vec<&str> = line.split('\t').collect();
            if let ["note", text] = f.as_slice() {
                report.notes.push(text.to_string());
                continue;
            }
            let bad = || format!("unexpected line {line:?}");
            let service = f.first().and_then(|s| Service::parse(s)).ok_or_else(bad)?;
            let account = f.get(1).ok_or_else(bad)?.to_string();
            let attempts: usize = f.get(3).and_then(|n| n.parse().ok()).ok_or_else(bad)?;
            let outcome = match (f.get(2).copied(), f.len()) {
                (Some("guessed"), 6) => Outcome::Guessed {
                    attempts,
                    masked: f[4].to_string(),
                    how: f[5].to_string(),
                },
                (Some("open"), 4) => Outcome::Open { attempts },
                (Some("not-guessed"), 4) => Outcome::NotGuessed { attempts },
                (Some("untestable"), 5) => Outcome::Untestable {
                    attempts,
                    reason: f[4].to_string(),
                },
                _ => return Err(bad()),
            };
            report.records.push(Record {
                service,
                account,
                outcome,
            });
        }
        Ok(report)
    }
}

/// What one attempt came to, as the scheduler sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Try {
    /// The password logged the account in.
    Accepted,
    /// The password was refused.
    Rejected,
    /// The service let the account in before any password was sent.
    NoPasswordNeeded,
    /// The service refused the account before the password was sent: it
    /// cannot be tested there (FTP that wants TLS, sshd without password
    /// authentication for it). Not an attempt.
    AccountRefused(String),
    /// The service could not be reached or verified; nothing was sent. It
    /// is not tried again on this host. Not an attempt.
    ServiceDown(String),
    /// The password was sent, but no clear answer came: counted as an
    /// attempt; the account is not tried further on this service.
    NoAnswer(String),
}

/// Makes attempts (over the network, or scripted in tests).
pub trait Prober {
    fn attempt(&mut self, service: Service, account: &str, password: &Secret) -> Try;
    fn pause(&mut self, delay: Duration);
}

/// One account's plan: where to try and what, most likely first.
#[derive(Debug, Clone)]
pub struct AccountPlan {
    pub account: String,
    pub services: Vec<Service>,
    pub candidates: Vec<Candidate>,
}

/// Run the plans within the limits. Candidates are taken in order; each is
/// tried on every service still open for the account before the next one,
/// so that with one candidate per service the account's cap covers all its
/// services. A pause of `limits.delay` separates any two attempts.
pub fn run_attempts(
    plans: &[AccountPlan],
    limits: &Limits,
    prober: &mut dyn Prober,
) -> Vec<Record> {
    struct Pair {
        service: Service,
        attempts: usize,
        done: Option<Outcome>,
    }
    let mut records = Vec::new();
    let mut host_attempts = 0usize;
    let mut down: Vec<(Service, String)> = Vec::new();
    let mut first = true;
    for plan in plans {
        let mut pairs: Vec<Pair> = plan
            .services
            .iter()
            .map(|&service| Pair {
                service,
                attempts: 0,
                done: None,
            })
            .collect();
        let mut used = 0usize;
        'candidates: for cand in &plan.candidates {
            for p in pairs.iter_mut().filter(|p| p.done.is_none()) {
                if let Some((_, why)) = down.iter().find(|(s, _)| *s == p.service) {
                    p.done = Some(Outcome::Untestable {
                        attempts: p.attempts,
                        reason: why.clone(),
                    });
                    continue;
                }
                if used >= limits.per_account || host_attempts >= limits.per_host {
                    break 'candidates;
                }
                if !first {
                    prober.pause(limits.delay);
                }
                first = false;
                let result = prober.attempt(p.service, &plan.account, &cand.value);
                if matches!(result, Try::Accepted | Try::Rejected | Try::NoAnswer(_)) {
                    used += 1;
                    host_attempts += 1;
                    p.attempts += 1;
                }
                p.done = match result {
                    Try::Accepted => Some(Outcome::Guessed {
                        attempts: p.attempts,
                        masked: cand.value.masked(),
                        how: cand.how.clone(),
                    }),
                    Try::Rejected => None,
                    Try::NoPasswordNeeded => Some(Outcome::Open {
                        attempts: p.attempts,
                    }),
                    Try::AccountRefused(why) | Try::NoAnswer(why) => Some(Outcome::Untestable {
                        attempts: p.attempts,
                        reason: why,
                    }),
                    Try::ServiceDown(why) => {
                        down.push((p.service, why.clone()));
                        Some(Outcome::Untestable {
                            attempts: p.attempts,
                            reason: why,
                        })
                    }
                };
            }
            if pairs.iter().all(|p| p.done.is_some()) {
                break;
            }
        }
        for p in pairs {
            let outcome = match p.done {
                Some(o) => o,
                None if p.attempts > 0 => Outcome::NotGuessed {
                    attempts: p.attempts,
                },
                None => Outcome::Untestable {
                    attempts: 0,
                    reason: if let Some((_, why)) = down.iter().find(|(s, _)| *s == p.service) {
                        why.clone()
                    } else if host_attempts >= limits.per_host {
                        format!(
                            "the per-host cap of {} attempts was reached",
                            limits.per_host
                        )
                    } else if used >= limits.per_account {
                        format!(
                            "the per-account cap of {} attempts went to other services",
                            limits.per_account
                        )
                    } else {
                        "no candidate to try".into()
                    },
                },
            };
            records.push(Record {
                service: p.service,
                account: plan.account.clone(),
                outcome,
            });
        }
    }
    records
}

/// An account worth trying and what /etc/shadow says about it (`None`:
/// shadow not read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    pub user: String,
    pub password: Option<PasswordField>,
}

/// A shell one can log in with: not nologin, false and the like.
pub fn login_shell(shell: &str) -> bool {
    let base = shell.rsplit('/').next().unwrap_or_default();
    !shell.is_empty()
        && shell != "/dev/null"
        && !matches!(
            base,
            "nologin" | "false" | "true" | "sync" | "shutdown" | "halt" | ""
        )
}

/// Local accounts to try: uid ≥ 1000 (not `nobody`, 65534) with a login
/// shell, in /etc/passwd order, except those /etc/shadow (when read) shows
/// cannot log in with a password. The second list says who was left out
/// because of /etc/shadow.
pub fn select_accounts(
    passwd: &[PasswdEntry],
    shadow: Option<&[Account]>,
) -> (Vec<Selected>, Vec<String>) {
    let mut out: Vec<Selected> = Vec::new();
    let mut locked = Vec::new();
    for p in passwd {
        if p.uid < 1000 || p.uid == 65534 || !login_shell(&p.shell) {
            continue;
        }
        if out.iter().any(|s| s.user == p.user) {
            continue;
        }
        let field = shadow.map(|accounts| {
            accounts
                .iter()
                .find(|a| a.user == p.user)
                .map(|a| a.password.clone())
        });
        match field {
            Some(Some(PasswordField::NoLogin(_) | PasswordField::Locked(_))) => {
                locked.push(p.user.clone())
            }
            Some(f) => out.push(Selected {
                user: p.user.clone(),
                password: f,
            }),
            None => out.push(Selected {
                user: p.user.clone(),
                password: None,
            }),
        }
    }
    (out, locked)
}

/// The candidates for one account: `found` (a password the offline search
/// recovered) first, then the most likely of the account's list; no empty
/// password when the account is known to have a hash; nothing that holds a
/// line break or NUL; at most `n`.
pub fn candidates_for(
    ctx: &PasswordContext,
    account: &Selected,
    found: Option<Candidate>,
    n: usize,
) -> Vec<Candidate> {
    let has_hash = matches!(account.password, Some(PasswordField::Hash(_)));
    let mut out: Vec<Candidate> = Vec::new();
    let usable = |c: &Candidate| {
        let v = c.value.expose();
        let cannot_send = v.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0));
        let known_wrong = has_hash && v.is_empty();
        !cannot_send && !known_wrong
    };
    let generated = candidates::generate_limited(ctx, Some(&account.user), n + 2);
    for c in found.into_iter().chain(generated) {
        if out.len() >= n {
            break;
        }
        if usable(&c) && !out.iter().any(|o| o.value == c.value) {
            out.push(c);
        }
    }
    out
}

/// Where and how to connect to one host.
#[derive(Debug, Clone)]
pub struct Network {
    /// The address the audit connected to.
    pub host: String,
    /// SSH port, known_hosts and time limits (other fields are ignored).
    pub ssh: SshOptions,
    pub ftp: ftp::Timeouts,
}

struct NetProber<'a> {
    net: &'a Network,
}

impl Prober for NetProber<'_> {
    fn attempt(&mut self, service: Service, account: &str, password: &Secret) -> Try {
        let net = self.net;
        match service {
            Service::Ftp => match ftp::try_login(&net.host, FTP_PORT, account, password, net.ftp) {
                Ok(ftp::Login::Accepted) => Try::Accepted,
                Ok(ftp::Login::Rejected) => Try::Rejected,
                Ok(ftp::Login::NoPasswordNeeded) => Try::NoPasswordNeeded,
                // vsftpd's force_local_logins_ssl and the like hold for every
                // local account: no point in asking for the others.
                Ok(ftp::Login::UserRefused(r)) if ftp::needs_tls(&r) => Try::ServiceDown(format!(
                    "could not test FTP without TLS: the server answered USER with {}",
                    r.line()
                )),
                Ok(ftp::Login::UserRefused(r)) => Try::AccountRefused(format!(
                    "the server refused the account before any password: {}",
                    r.line()
                )),
                Ok(ftp::Login::Unanswered(why)) => Try::NoAnswer(why),
                Err(e) => Try::ServiceDown(e.0),
            },
            Service::Ssh => match ssh::try_password(&net.host, &net.ssh, account, password) {
                Ok(PasswordCheck::Accepted) => Try::Accepted,
                Ok(PasswordCheck::Rejected) => Try::Rejected,
                Ok(PasswordCheck::NoPasswordNeeded) => Try::NoPasswordNeeded,
                Ok(PasswordCheck::NotOffered(methods)) => Try::AccountRefused(format!(
                    "sshd takes no password for this account (offers {methods})"
                )),
                Ok(PasswordCheck::Unanswered(why)) => Try::NoAnswer(why),
                Err(e) => Try::ServiceDown(e.to_string()),
            },
        }
    }

    fn pause(&mut self, delay: Duration) {
        std::thread::sleep(delay);
    }
}

/// FTP is worth trying when something listens on tcp 21 on an address
/// other than loopback. `Err` says why FTP is not tried.
fn ftp_listening(facts: &Facts) -> Result<(), String> {
    use crate::analyze::ip_restriction::listeners::{self, Bind};
    let text = facts
        .text(LISTENERS_PROBE)
        .map_err(|u| format!("FTP not tried: {}", unavailable(&u)))?;
    let on21: Vec<_> = listeners::parse(&text)
        .into_iter()
        .filter(|l| l.port == FTP_PORT)
        .collect();
    if on21.is_empty() {
        return Err("nothing listens on tcp 21: FTP not tried".into());
    }
    if on21.iter().all(|l| l.bind() == Bind::Loopback) {
        return Err("tcp 21 listens on loopback only: FTP not tried".into());
    }
    Ok(())
}

fn unavailable(u: &Unavailable) -> String {
    match u {
        Unavailable::NeedsRoot(w) | Unavailable::Failed(w) => w.clone(),
    }
}

/// Guess on one host, over the network, and return the fact's content.
/// `facts` are the host's probe results; `params` its merged parameters.
pub fn guess_host(net: &Network, facts: &Facts, params: &Params, today: NaiveDate) -> GuessReport {
    match forbidden(params) {
        Err(why) => return GuessReport::error(why),
        Ok(true) => {
            return GuessReport::not_run(format!(
                "online guessing is forbidden for this host (parameter {POLICY_PARAM}: forbidden)"
            ))
        }
        Ok(false) => {}
    }
    let limits = match Limits::from_params(params) {
        Ok(l) => l,
        Err(why) => return GuessReport::error(why),
    };
    let passwd = match facts.text(PASSWD_PROBE) {
        Ok(t) => shadow::parse_passwd(&t),
        Err(u) => {
            return GuessReport::error(format!("cannot list the accounts: {}", unavailable(&u)))
        }
    };
    let mut notes = Vec::new();
    // /etc/shadow when the audit could read it (root): locked accounts are
    // left out and passwords found offline are tried first.
    let shadow_accounts: Option<Vec<Account>> = facts
        .probe(SHADOW_PROBE)
        .ok()
        .filter(|r| r.outcome == ProbeOutcome::Exited(0))
        .map(|r| shadow::accounts(&shadow::parse_shadow(&r.text()), &passwd));
    if shadow_accounts.is_none() {
        notes.push("/etc/shadow was not read: no password found offline to try first".to_string());
    }
    let (accounts, locked) = select_accounts(&passwd, shadow_accounts.as_deref());
    if !locked.is_empty() {
        notes.push(format!(
            "not tried, no password login per /etc/shadow: {}",
            locked.join(", ")
        ));
    }
    let mut services = Vec::new();
    match ftp_listening(facts) {
        Ok(()) => services.push(Service::Ftp),
        Err(why) => notes.push(why),
    }
    services.push(Service::Ssh);

    // The same context as password-guessable, so the offline search below
    // and that check share one per-run cache and one budget per hash.
    let mut ctx = PasswordContext::from_params(params, today);
    ctx.hostnames = host_names(facts);
    ctx.accounts = match &shadow_accounts {
        Some(all) => all
            .iter()
            .filter(|a| matches!(a.password, PasswordField::Hash(_)))
            .map(|a| a.user.clone())
            .collect(),
        None => accounts.iter().map(|a| a.user.clone()).collect(),
    };
    let effort = match effort(params) {
        Ok(e) if !e.budget.is_zero() => Some(e),
        Ok(_) => None,
        Err(why) => {
            notes.push(format!("no offline search first: {why}"));
            None
        }
    };
    let plans: Vec<AccountPlan> = accounts
        .iter()
        .map(|a| {
            let found = match (&a.password, effort) {
                (Some(PasswordField::Hash(h)), Some(effort)) => {
                    match crack::search(h, &candidates::generate(&ctx, Some(&a.user)), effort) {
                        crack::Outcome::Guessed { password, how, .. } => Some(Candidate {
                            value: password,
                            how: format!("{how}; found offline first"),
                        }),
                        _ => None,
                    }
                }
                _ => None,
            };
            AccountPlan {
                account: a.user.clone(),
                services: services.clone(),
                candidates: candidates_for(&ctx, a, found, limits.per_account),
            }
        })
        .collect();
    let records = run_attempts(&plans, &limits, &mut NetProber { net });
    GuessReport {
        state: State::Done(limits),
        records,
        notes,
    }
}

#[cfg(test)]
mod tests;
