//! `password-online-guessable`: judges what online guessing
//! (`--online-guessing`, [`crate::online`]) recorded in the auditor-side
//! fact `online.guessing`. Pure: the guessing itself happened before
//! evaluation; this only reads its counts and outcomes.

use super::{Analyzer, Context, Verdict};
use crate::analyze::password::{HOSTNAME_PROBE, PASSWD_PROBE, SHADOW_PROBE};
use crate::catalog::check::Params;
use crate::model::Status;
use crate::online::{GuessReport, Outcome, State, LISTENERS_PROBE, PROBE};

pub struct OnlineGuessable;

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// The verdict for a parsed report.
pub fn judge(report: &GuessReport) -> Verdict {
    let limits = match &report.state {
        State::Off => {
            return Verdict::new(Status::Skip, "online guessing is off (--online-guessing)")
        }
        State::NotRun(why) => return Verdict::new(Status::Skip, why.clone()),
        State::Error(why) => return Verdict::new(Status::Error, why.clone()),
        State::Done(l) => l,
    };
    let mut logged_in = Vec::new();
    let mut others = Vec::new();
    let mut total = 0usize;
    for r in &report.records {
        let who = format!("{} {}", r.service, r.account);
        total += r.outcome.attempts();
        match &r.outcome {
            Outcome::Guessed {
                attempts,
                masked,
                how,
            } => logged_in.push(format!(
                "{who}: logged in with {masked} ({how}) after {}",
                plural(*attempts, "attempt")
            )),
            Outcome::Open { .. } => {
                logged_in.push(format!("{who}: logged in without any password"))
            }
            Outcome::NotGuessed { attempts } => {
                others.push(format!("{who}: not guessed ({attempts} tried)"))
            }
            Outcome::Untestable {
                attempts: 0,
                reason,
            } => others.push(format!("{who}: not tested ({reason})")),
            Outcome::Untestable { attempts, reason } => others.push(format!(
                "{who}: not guessed, stopped after {attempts} tried ({reason})"
            )),
        }
    }
    let mut tail = format!(
        " [{} in all; at most {} per account, {} per host, {} ms apart",
        plural(total, "attempt"),
        limits.per_account,
        limits.per_host,
        limits.delay.as_millis()
    );
    for n in &report.notes {
        tail.push_str("; ");
        tail.push_str(n);
    }
    tail.push(']');
    if !logged_in.is_empty() {
        logged_in.extend(others);
        return Verdict::new(Status::Fail, format!("{}{tail}", logged_in.join("; ")));
    }
    if report.records.is_empty() {
        return Verdict::new(
            Status::Pass,
            format!("no local account (uid ≥ 1000 with a login shell) to try{tail}"),
        );
    }
    if total == 0 {
        // Nothing could be tried: never a silent pass.
        return Verdict::new(
            Status::Skip,
            format!("no password could be tried: {}{tail}", others.join("; ")),
        );
    }
    Verdict::new(
        Status::Pass,
        format!("no login succeeded: {}{tail}", others.join("; ")),
    )
}

impl Analyzer for OnlineGuessable {
    fn name(&self) -> &'static str {
        "password-online-guessable"
    }

    fn description(&self) -> &'static str {
        "results of opt-in online guessing (--online-guessing): a few likely passwords per account against FTP and SSH"
    }

    fn params(&self) -> &'static [&'static str] {
        &[
            crate::online::POLICY_PARAM,
            crate::online::PER_ACCOUNT_PARAM,
            crate::online::PER_HOST_PARAM,
            crate::online::DELAY_PARAM,
        ]
    }

    /// `online.guessing` is what this reads; the others are what the
    /// guessing before evaluation reads (accounts, FTP listener, host name
    /// for candidates, /etc/shadow for locked accounts and offline finds).
    fn probes(&self, _with: &Params) -> Vec<String> {
        vec![
            PROBE.into(),
            PASSWD_PROBE.into(),
            LISTENERS_PROBE.into(),
            HOSTNAME_PROBE.into(),
            SHADOW_PROBE.into(),
        ]
    }

    fn validate(&self, with: &Params) -> Result<(), String> {
        match with.keys().next() {
            None => Ok(()),
            Some(k) => Err(format!("takes no arguments (got `{k}`)")),
        }
    }

    fn analyze(&self, cx: &Context<'_>) -> Verdict {
        let text = match cx.facts.text(PROBE) {
            Ok(t) => t,
            Err(u) => return Verdict::unavailable(u),
        };
        match GuessReport::parse(&text) {
            Ok(report) => judge(&report),
            Err(why) => Verdict::new(
                Status::Error,
                format!("cannot read the online guessing results: {why}"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testkit;
    use crate::facts::Facts;
    use crate::online::{Limits, Record, Service};
    use std::time::Duration;

    fn analyze(text: &str) -> Verdict {
        let facts = Facts::from_texts([(PROBE, text)]);
        testkit::verdict(&OnlineGuessable, &facts, &Params::new(), &Params::new())
    }

    fn done(records: Vec<Record>) -> String {
        GuessReport {
            state: State::Done(Limits {
                per_account: 3,
                per_host: 20,
                delay: Duration::from_millis(1000),
            }),
            records,
            notes: vec!["nothing listens on tcp 21: FTP not tried".into()],
        }
        .to_text()
    }

    fn rec(service: Service, account: &str, outcome: Outcome) -> Record {
        Record {
            service,
            account: account.into(),
            outcome,
        }
    }

    #[test]
    fn off_unless_asked_for() {
        let v = analyze("");
        assert_eq!(v.status, Status::Skip);
        assert_eq!(v.evidence, "online guessing is off (--online-guessing)");
        let v = analyze("off\tonline guessing is forbidden for this host\n");
        assert_eq!(v.status, Status::Skip);
        assert_eq!(analyze("error\tbad parameter\n").status, Status::Error);
        assert_eq!(analyze("nonsense\n").status, Status::Error);
    }

    #[test]
    fn a_login_fails_the_check_with_the_masked_password() {
        let v = analyze(&done(vec![
            rec(
                Service::Ftp,
                "seaways",
                Outcome::Guessed {
                    attempts: 1,
                    masked: "S*********7".into(),
                    how: "derived from \"seaways\" + year".into(),
                },
            ),
            rec(Service::Ssh, "auditor", Outcome::NotGuessed { attempts: 2 }),
        ]));
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.evidence.starts_with(
                "ftp seaways: logged in with S*********7 (derived from \"seaways\" + year) after 1 attempt; ssh auditor: not guessed (2 tried)"
            ),
            "{}",
            v.evidence
        );
        assert!(v.evidence.contains("[3 attempts in all; at most 3 per account, 20 per host, 1000 ms apart; nothing listens"), "{}", v.evidence);
    }

    #[test]
    fn pass_needs_real_attempts() {
        let v = analyze(&done(vec![rec(
            Service::Ssh,
            "auditor",
            Outcome::NotGuessed { attempts: 3 },
        )]));
        assert_eq!(v.status, Status::Pass);
        assert!(
            v.evidence
                .starts_with("no login succeeded: ssh auditor: not guessed (3 tried)"),
            "{}",
            v.evidence
        );

        let v = analyze(&done(vec![rec(
            Service::Ftp,
            "ftpuser",
            Outcome::Untestable {
                attempts: 0,
                reason: "could not test FTP without TLS".into(),
            },
        )]));
        assert_eq!(v.status, Status::Skip, "{}", v.evidence);
        assert!(v
            .evidence
            .contains("ftp ftpuser: not tested (could not test FTP without TLS)"));

        let v = analyze(&done(vec![]));
        assert_eq!(v.status, Status::Pass);
        assert!(v.evidence.starts_with("no local account"));
    }
}
