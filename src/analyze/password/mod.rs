//! Weak passwords (countermeasure 2): passwords guessable from the
//! organisation's own names, empty passwords, weak hash schemes, extra
//! UID 0 accounts, and the PAM password-quality policy.
//!
//! Everything here runs on the auditor. The target only sends
//! `/etc/shadow` (`user:hash:lastchg`, probe `password.shadow`, root only),
//! `/etc/passwd`, its PAM files and its host name; hashes are verified here,
//! in parallel, never on the target.
//!
//! # How candidates are made ([`candidates`])
//!
//! Words come from the host's context:
//! - the **domain** (`params.domain`): each label that names something —
//!   not the top-level domain, not `co`/`ne`/`or`/`com`/`www`..., not the
//!   names reserved for examples (`example`, `test`) — plus the whole
//!   domain and the domain without its top-level part (`seaways.example.jp`,
//!   `seaways.example`) and hyphen-separated parts of a label;
//! - the **organisation's names** (`params.organization`, a list): each name
//!   joined (`seawaysferry`), its first word, its other words, its initials
//!   (`sf`), and romanisation variants of every word (Hepburn ↔ Kunrei:
//!   `kyushu`/`kyusyu`, `shosen`/`syosen`; long vowels `ou`/`oo`/`uu` → `o`/`u`);
//! - the **host name** (short name, and without trailing digits);
//! - the **account name** (first, for its own account) and the other accounts.
//!
//! Each word is tried in this order, most likely first, de-duplicated:
//! 1. the empty password; the word itself (Capitalised, lower, CamelCase,
//!    UPPER); reversed (`syawaes`); the 25 most common passwords;
//! 2. the commonest suffixes `1 123 ! 12 1234`, then years from the audit
//!    year (`cx.today`) back to 1990 (`Seaways2017`), Capitalised and lower;
//! 3. the other common suffixes `01 @ # 123! 1! 12345`, prefixes
//!    `123 1 ! @ # 01` (`@seaways`), the third case (UPPER or CamelCase)
//!    with suffixes and years, and two-digit years (`seaways17`);
//! 4. separators between word and year (`@ - _ . # ! +` and space:
//!    `Seaways@2017`), a `!` after the year, UPPER + year, year first;
//!    multi-word names joined by separators (`Seaways-Ferry1`);
//! 5. leetspeak (`a→4 e→3 i→1 o→0 s→5 t→7 l→1 g→9 b→8`, and symbols
//!    `a→@ s→$ i→!`), every subset of positions, fewest substitutions first
//!    (`S3aw4ys`), bare, with suffixes and with the last ten years;
//! 6. reversed words with suffixes and years;
//! 7. the secondary words (domain forms, other words, initials,
//!    romanisations, host name stems, other accounts) with suffixes and years;
//! 8. the bundled list (`checks/data/common-passwords.txt`, about 320 of the
//!    most common passwords), as is, Capitalised, and with `1`, `!`, `123`;
//! 9. everything else: the remaining suffixes, word + separator + two-digit
//!    year, leetspeak with every year, and pairs of words.
//!
//! # How hashes are verified ([`crypt`], [`crack`])
//!
//! `$y$` yescrypt, `$6$`/`$5$` sha-crypt, `$2a$`/`$2b$`/`$2y$` bcrypt and
//! `$1$`/`$apr1$` md5crypt, in pure Rust. Other schemes (DES, `$gy$`,
//! `$7$`...) are reported as not checked for that account — never as a
//! pass. Each distinct hash gets `password_budget_secs` of wall time
//! (default 20) on all the auditor's cores (`password_threads`), once per
//! run: results are cached by the full hash string, so hosts cloned from
//! one image cost one search. yescrypt manages about 25 verifications per
//! second per core, so the first few hundred candidates — the context's
//! words with suffixes and years — are what a budget reliably covers.
//!
//! # Plaintext passwords ([`strength`])
//!
//! [`judge_plaintext`] scores a password found in plain text with zxcvbn
//! (the context's words as user inputs) and a normalised check that strips
//! separators and digits, undoes leetspeak and compares with the context's
//! words, because zxcvbn rates `Kyushu-Shosen1` 4/4 even when told about
//! `kyushu` and `shosen`.
//!
//! Every password is a [`Secret`](crate::secret::Secret); evidence shows
//! `S*********7 (11 chars, derived from "seaways" + year; yescrypt)`, never
//! the password, and never the word a password is identical to.

pub mod candidates;
pub mod crack;
pub mod crypt;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod libxcrypt;
pub mod policy;
pub mod shadow;
pub mod strength;

pub use strength::{judge_plaintext, PasswordJudgement};

use super::{Analyzer, Context, Verdict};
use crate::catalog::check::Params;
use crate::model::Status;
use crate::probe::ProbeOutcome;
use chrono::NaiveDate;
use crypt::Scheme;
use shadow::{Account, PasswdEntry, PasswordField};
use std::time::Duration;

pub const SHADOW_PROBE: &str = "password.shadow";
/// Shared with other checks (defined in checks/system.yml).
pub const PASSWD_PROBE: &str = "system.passwd";
pub const PAM_PROBE: &str = "password.pam";
pub const HOSTNAME_PROBE: &str = "password.hostname";

/// Per-hash budget when the profile sets none.
pub const DEFAULT_BUDGET_SECS: f64 = 20.0;
/// Required shortest password when the profile sets none.
pub const DEFAULT_MIN_LENGTH: u32 = 12;

/// What passwords on a host may be derived from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PasswordContext {
    /// The organisation's domain, e.g. `seaways.example.jp`.
    pub domain: Option<String>,
    /// The organisation's names, e.g. `["seaways", "Seaways Ferry"]`.
    pub organization: Vec<String>,
    /// The host's names.
    pub hostnames: Vec<String>,
    /// Account (user) names on the host.
    pub accounts: Vec<String>,
    /// The audit date: years up to this one are tried.
    pub today: NaiveDate,
}

impl PasswordContext {
    /// From the merged profile/inventory parameters `domain` (a string) and
    /// `organization` (a list of strings, or one string).
    pub fn from_params(params: &Params, today: NaiveDate) -> PasswordContext {
        let domain = params
            .get("domain")
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string);
        let organization = match params.get("organization") {
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                vec![s.trim().to_string()]
            }
            _ => Vec::new(),
        };
        PasswordContext {
            domain,
            organization,
            today,
            ..Default::default()
        }
    }

    /// What the candidates were made from, for evidence.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(d) = &self.domain {
            parts.push(format!("domain {d}"));
        }
        if !self.organization.is_empty() {
            let names: Vec<String> = self.organization.iter().map(|n| format!("{n:?}")).collect();
            parts.push(format!("organization {}", names.join(", ")));
        }
        if !self.hostnames.is_empty() {
            parts.push(format!("host {}", self.hostnames.join(", ")));
        }
        parts.push("account names".into());
        parts.push("common passwords".into());
        parts.join("; ")
    }
}

fn param_f64(params: &Params, key: &str) -> Result<Option<f64>, String> {
    match params.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(n)) => Ok(n.as_f64()),
        Some(serde_json::Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| format!("parameter {key} must be a number, not {s:?}")),
        Some(other) => Err(format!("parameter {key} must be a number, not {other}")),
    }
}

/// The search effort from `password_budget_secs` and `password_threads`.
pub fn effort(params: &Params) -> Result<crack::Effort, String> {
    let secs = param_f64(params, "password_budget_secs")?.unwrap_or(DEFAULT_BUDGET_SECS);
    if !(0.0..=86_400.0).contains(&secs) {
        return Err(format!(
            "parameter password_budget_secs must be 0 to 86400, not {secs}"
        ));
    }
    let threads = match param_f64(params, "password_threads")? {
        Some(t) if (1.0..=256.0).contains(&t) => t as usize,
        Some(t) => {
            return Err(format!(
                "parameter password_threads must be 1 to 256, not {t}"
            ))
        }
        None => crack::Effort::default_threads(),
    };
    Ok(crack::Effort {
        budget: Duration::from_secs_f64(secs),
        threads,
    })
}

fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no output")
        .chars()
        .take(160)
        .collect()
}

/// Accounts from /etc/shadow (merged with /etc/passwd), or the verdict
/// when the shadow probe cannot be used.
fn read_accounts(cx: &Context<'_>) -> Result<(Vec<Account>, Vec<PasswdEntry>), Verdict> {
    let passwd = cx
        .facts
        .text(PASSWD_PROBE)
        .map(|t| shadow::parse_passwd(&t))
        .unwrap_or_default();
    let r = cx.facts.probe(SHADOW_PROBE).map_err(Verdict::unavailable)?;
    let text = r.text();
    if r.outcome != ProbeOutcome::Exited(0) {
        return Err(Verdict::new(
            Status::Error,
            format!("could not read /etc/shadow: {}", first_line(&text)),
        ));
    }
    let accounts = shadow::accounts(&shadow::parse_shadow(&text), &passwd);
    Ok((accounts, passwd))
}

fn hostnames(cx: &Context<'_>) -> Vec<String> {
    host_names(cx.facts)
}

/// The host's names from the `password.hostname` probe (none when it is
/// missing).
pub fn host_names(facts: &crate::facts::Facts) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Ok(t) = facts.text(HOSTNAME_PROBE) {
        for l in t
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.contains(' '))
        {
            if !out.iter().any(|h| h == l) {
                out.push(l.to_string());
            }
        }
    }
    out
}

fn no_args(with: &Params) -> Result<(), String> {
    match with.keys().next() {
        None => Ok(()),
        Some(k) => Err(format!("takes no arguments (got `{k}`)")),
    }
}

fn count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 10.0 {
        format!("{s:.1} s")
    } else {
        format!("{s:.0} s")
    }
}

/// `password-guessable`: guess every account's password offline.
pub struct PasswordGuessable;

impl Analyzer for PasswordGuessable {
    fn name(&self) -> &'static str {
        "password-guessable"
    }

    fn description(&self) -> &'static str {
        "account passwords guessed offline from the domain, organisation, host and account names (on the auditor)"
    }

    fn params(&self) -> &'static [&'static str] {
        &[
            "domain",
            "organization",
            "password_budget_secs",
            "password_threads",
        ]
    }

    fn probes(&self, _with: &Params) -> Vec<String> {
        vec![
            SHADOW_PROBE.into(),
            PASSWD_PROBE.into(),
            HOSTNAME_PROBE.into(),
        ]
    }

    fn validate(&self, with: &Params) -> Result<(), String> {
        no_args(with)
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let (accounts, _) = match read_accounts(cx) {
            Ok(a) => a,
            Err(v) => return v,
        };
        let effort = match effort(cx.params) {
            Ok(e) => e,
            Err(why) => return Verdict::new(Status::Error, why),
        };
        let mut ctx = PasswordContext::from_params(cx.params, cx.today);
        ctx.hostnames = hostnames(cx);
        let targets: Vec<(&Account, &str)> = accounts
            .iter()
            .filter_map(|a| match &a.password {
                PasswordField::Hash(h) => Some((a, h.as_str())),
                _ => None,
            })
            .collect();
        ctx.accounts = targets.iter().map(|(a, _)| a.user.clone()).collect();
        let locked = accounts
            .iter()
            .filter(|a| matches!(a.password, PasswordField::Locked(_)))
            .count();
        if targets.is_empty() {
            return Verdict::new(
                Status::Pass,
                format!(
                    "no account has a usable password hash ({} accounts, {locked} locked with a hash): nothing to guess",
                    accounts.len()
                ),
            );
        }
        if effort.budget.is_zero() {
            return Verdict::new(
                Status::Skip,
                "offline guessing is turned off (password_budget_secs: 0)",
            );
        }
        let mut guessed = Vec::new();
        let mut others = Vec::new();
        let mut unsupported = false;
        for (account, hash) in &targets {
            let list = candidates::generate(&ctx, Some(&account.user));
            let user = &account.user;
            match crack::search(hash, &list, effort) {
                crack::Outcome::Guessed {
                    password,
                    how,
                    scheme,
                    cached,
                    ..
                } => guessed.push(format!(
                    "account {user}: password guessed offline ({}, {} chars, {how}; {}{})",
                    password.masked(),
                    password.char_len(),
                    scheme.name(),
                    if cached {
                        "; found earlier in this run for the same hash"
                    } else {
                        ""
                    }
                )),
                crack::Outcome::NotGuessed {
                    scheme,
                    tried,
                    total,
                    budget_reached,
                    elapsed,
                    ..
                } => others.push(format!(
                    "account {user}: not guessed ({} of {} candidates in {}{}; {})",
                    count(tried),
                    count(total),
                    secs(elapsed),
                    if budget_reached {
                        ", budget reached"
                    } else {
                        ""
                    },
                    scheme.name()
                )),
                crack::Outcome::Unsupported { reason, .. } => {
                    unsupported = true;
                    others.push(format!("account {user}: not checked ({reason})"));
                }
            }
        }
        let status = if !guessed.is_empty() {
            Status::Fail
        } else if unsupported {
            Status::Skip
        } else {
            Status::Pass
        };
        let mut parts = guessed;
        parts.extend(others);
        let mut evidence = parts.join("; ");
        evidence.push_str(&format!(" [candidates from: {}", ctx.describe()));
        if ctx.domain.is_none() && ctx.organization.is_empty() {
            evidence.push_str(
                "; set `domain` and `organization` in the profile or inventory to try names of the organisation",
            );
        }
        evidence.push(']');
        Verdict::new(status, evidence)
    }
}

/// `password-empty`: accounts with an empty password field.
pub struct PasswordEmpty;

impl Analyzer for PasswordEmpty {
    fn name(&self) -> &'static str {
        "password-empty"
    }

    fn description(&self) -> &'static str {
        "accounts whose password field is empty (no password needed)"
    }

    fn probes(&self, _with: &Params) -> Vec<String> {
        vec![SHADOW_PROBE.into(), PASSWD_PROBE.into()]
    }

    fn validate(&self, with: &Params) -> Result<(), String> {
        no_args(with)
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let say = |a: &Account| {
            format!(
                "account {}: empty password field in {} (no password is asked wherever PAM allows nullok)",
                a.user, a.source
            )
        };
        match read_accounts(cx) {
            Ok((accounts, _)) => {
                let empty: Vec<String> = accounts
                    .iter()
                    .filter(|a| a.password == PasswordField::Empty)
                    .map(say)
                    .collect();
                if empty.is_empty() {
                    Verdict::new(
                        Status::Pass,
                        format!(
                            "no account has an empty password field ({} accounts)",
                            accounts.len()
                        ),
                    )
                } else {
                    Verdict::new(Status::Fail, empty.join("; "))
                }
            }
            Err(v) => {
                // Without /etc/shadow, an empty field in /etc/passwd still counts.
                let passwd = cx
                    .facts
                    .text(PASSWD_PROBE)
                    .map(|t| shadow::parse_passwd(&t))
                    .unwrap_or_default();
                let empty: Vec<String> = shadow::accounts(&[], &passwd)
                    .iter()
                    .filter(|a| a.password == PasswordField::Empty)
                    .map(say)
                    .collect();
                if empty.is_empty() {
                    v
                } else {
                    Verdict::new(Status::Fail, empty.join("; "))
                }
            }
        }
    }
}

/// `password-weak-hash`: DES, MD5 and NT hashes, and new passwords hashed so.
pub struct PasswordWeakHash;

const WEAK_METHODS: &[&str] = &["md5", "des", "descrypt", "bigcrypt"];

impl Analyzer for PasswordWeakHash {
    fn name(&self) -> &'static str {
        "password-weak-hash"
    }

    fn description(&self) -> &'static str {
        "password hashes in weak schemes (DES, MD5, NT), and PAM or login.defs hashing new ones so"
    }

    fn probes(&self, _with: &Params) -> Vec<String> {
        vec![SHADOW_PROBE.into(), PASSWD_PROBE.into(), PAM_PROBE.into()]
    }

    fn validate(&self, with: &Params) -> Result<(), String> {
        no_args(with)
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let (accounts, _) = match read_accounts(cx) {
            Ok(a) => a,
            Err(v) => return v,
        };
        let mut weak = Vec::new();
        let mut unknown = Vec::new();
        let mut tally: Vec<(Scheme, usize)> = Vec::new();
        for a in &accounts {
            let Some(h) = a.password.hash() else { continue };
            let scheme = Scheme::of(h);
            let locked = if matches!(a.password, PasswordField::Locked(_)) {
                " (locked)"
            } else {
                ""
            };
            match tally.iter_mut().find(|(s, _)| *s == scheme) {
                Some((_, n)) => *n += 1,
                None => tally.push((scheme, 1)),
            }
            if scheme.is_weak() {
                let note = if scheme == Scheme::Des {
                    ", passwords cut to 8 characters"
                } else {
                    ""
                };
                weak.push(format!(
                    "account {}{locked}: {}{note}",
                    a.user,
                    scheme.name()
                ));
            } else if scheme == Scheme::Unknown {
                let prefix: String = h.chars().take(4).collect();
                unknown.push(format!(
                    "account {}{locked}: unrecognised hash ({prefix}…)",
                    a.user
                ));
            }
        }
        let schemes = cx
            .facts
            .text(PAM_PROBE)
            .map(|t| policy::new_password_schemes(&policy::split_files(&t)))
            .unwrap_or_default();
        for (where_, method) in &schemes {
            if WEAK_METHODS.contains(&method.as_str()) {
                weak.push(format!("new passwords are hashed with {method} ({where_})"));
            }
        }
        let total: usize = tally.iter().map(|(_, n)| n).sum();
        let summary: Vec<String> = tally
            .iter()
            .map(|(s, n)| format!("{} {n}", s.name()))
            .collect();
        if !weak.is_empty() {
            weak.extend(unknown);
            return Verdict::new(Status::Fail, weak.join("; "));
        }
        let mut says = if total == 0 {
            "no account has a password hash".to_string()
        } else {
            format!(
                "{total} password hashes, none weak ({})",
                summary.join(", ")
            )
        };
        if let Some((where_, method)) = schemes.first() {
            says.push_str(&format!("; new passwords: {method} ({where_})"));
        }
        if !unknown.is_empty() {
            says.push_str(&format!("; {}", unknown.join("; ")));
        }
        Verdict::new(Status::Pass, says)
    }
}

/// `uid0-duplicate`: accounts besides root with UID 0.
pub struct Uid0Duplicate;

impl Analyzer for Uid0Duplicate {
    fn name(&self) -> &'static str {
        "uid0-duplicate"
    }

    fn description(&self) -> &'static str {
        "accounts other than root with UID 0 in /etc/passwd"
    }

    fn probes(&self, _with: &Params) -> Vec<String> {
        vec![PASSWD_PROBE.into()]
    }

    fn validate(&self, with: &Params) -> Result<(), String> {
        no_args(with)
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let passwd = match cx.facts.text(PASSWD_PROBE) {
            Ok(t) => shadow::parse_passwd(&t),
            Err(u) => return Verdict::unavailable(u),
        };
        if passwd.is_empty() {
            return Verdict::new(Status::Error, "/etc/passwd lists no account");
        }
        let dups = shadow::uid0_duplicates(&passwd);
        if dups.is_empty() {
            return Verdict::new(
                Status::Pass,
                format!("only root has UID 0 ({} accounts)", passwd.len()),
            );
        }
        let list: Vec<String> = dups
            .iter()
            .map(|p| {
                format!(
                    "{} (/etc/passwd line {}, shell {})",
                    p.user, p.line, p.shell
                )
            })
            .collect();
        Verdict::new(
            Status::Fail,
            format!("UID 0 also belongs to: {}", list.join(", ")),
        )
    }
}

/// `password-quality-policy`: PAM's password-quality module and settings.
pub struct PasswordQualityPolicy;

impl PasswordQualityPolicy {
    fn min_length(cx: &Context<'_>) -> Result<u32, String> {
        let from_params = param_f64(cx.params, "password_min_length")?;
        let from_with = param_f64(cx.with, "min_length")?;
        let v = from_params
            .or(from_with)
            .unwrap_or(f64::from(DEFAULT_MIN_LENGTH));
        if (1.0..=256.0).contains(&v) {
            Ok(v as u32)
        } else {
            Err(format!(
                "the minimum password length must be 1 to 256, not {v}"
            ))
        }
    }
}

impl Analyzer for PasswordQualityPolicy {
    fn name(&self) -> &'static str {
        "password-quality-policy"
    }

    fn description(&self) -> &'static str {
        "PAM password quality (pam_pwquality/pam_cracklib): shortest password accepted, dictionary check"
    }

    fn params(&self) -> &'static [&'static str] {
        &["password_min_length"]
    }

    fn probes(&self, _with: &Params) -> Vec<String> {
        vec![PAM_PROBE.into()]
    }

    fn validate(&self, with: &Params) -> Result<(), String> {
        for (k, v) in with {
            match (k.as_str(), v.as_u64()) {
                ("min_length", Some(1..=256)) => {}
                ("min_length", _) => {
                    return Err("`min_length` must be a whole number from 1 to 256".into())
                }
                (other, _) => return Err(format!("unknown argument `{other}`; known: min_length")),
            }
        }
        Ok(())
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let text = match cx.facts.text(PAM_PROBE) {
            Ok(t) => t,
            Err(u) => return Verdict::unavailable(u),
        };
        let min = match Self::min_length(cx) {
            Ok(m) => m,
            Err(why) => return Verdict::new(Status::Error, why),
        };
        let policies = policy::stack_policies(&policy::split_files(&text));
        if policies.is_empty() {
            return Verdict::new(
                Status::Skip,
                "no PAM password stack found (/etc/pam.d/common-password, system-auth, password-auth)",
            );
        }
        let mut failed = false;
        let parts: Vec<String> = policies
            .iter()
            .map(|p| {
                let short = p.shortest < min;
                failed |= short || !p.problems.is_empty();
                let mut s = format!(
                    "{}: {} accepts passwords of {} characters ({})",
                    p.file, p.module, p.shortest, p.explain
                );
                for problem in &p.problems {
                    if !problem.starts_with("no password-quality module") {
                        s.push_str(&format!("; {problem}"));
                    }
                }
                s
            })
            .collect();
        let tail = format!(
            " [required: at least {min} characters and a dictionary check; passwords set with chpasswd or usermod -p bypass PAM]"
        );
        Verdict::new(
            if failed { Status::Fail } else { Status::Pass },
            format!("{}{tail}", parts.join("; ")),
        )
    }
}

#[cfg(test)]
mod tests;
