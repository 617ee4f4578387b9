use super::*;
use std::collections::HashMap;

/// A scripted service: which (service, account) accepts which password,
/// and what else to answer.
#[derive(Default)]
struct Script {
    good: HashMap<(Service, String), String>,
    special: HashMap<(Service, String), Try>,
    down: Vec<Service>,
    calls: Vec<(Service, String)>,
    pauses: Vec<Duration>,
}

impl Prober for Script {
    fn attempt(&mut self, service: Service, account: &str, password: &Secret) -> Try {
        self.calls.push((service, account.to_string()));
        if self.down.contains(&service) {
            return Try::ServiceDown("connection refused".into());
        }
        let key = (service, account.to_string());
        if let Some(t) = self.special.get(&key) {
            return t.clone();
        }
        match self.good.get(&key) {
            Some(pw) if pw == password.expose() => Try::Accepted,
            _ => Try::Rejected,
        }
    }

    fn pause(&mut self, delay: Duration) {
        self.pauses.push(delay);
    }
}

fn cands(values: &[&str]) -> Vec<Candidate> {
    values
        .iter()
        .map(|v| Candidate {
            value: Secret::new(*v),
            how: format!("test {}", v.len()),
        })
        .collect()
}

fn plan(account: &str, services: &[Service], values: &[&str]) -> AccountPlan {
    AccountPlan {
        account: account.into(),
        services: services.to_vec(),
        candidates: cands(values),
    }
}

fn limits(per_account: usize, per_host: usize) -> Limits {
    Limits {
        per_account,
        per_host,
        delay: Duration::from_millis(250),
    }
}

const BOTH: &[Service] = &[Service::Ftp, Service::Ssh];

#[test]
fn stops_at_the_first_success_and_tries_it_on_every_service() {
    let mut s = Script::default();
    s.good
        .insert((Service::Ftp, "seaways".into()), "Seaways2017".into());
    s.good
        .insert((Service::Ssh, "seaways".into()), "Seaways2017".into());
    let plans = [plan("seaways", BOTH, &["Seaways2017", "a", "b"])];
    let r = run_attempts(&plans, &limits(3, 20), &mut s);
    assert_eq!(s.calls.len(), 2, "one attempt per service");
    assert_eq!(
        s.pauses,
        [Duration::from_millis(250)],
        "a pause between attempts"
    );
    for rec in &r {
        assert_eq!(
            rec.outcome,
            Outcome::Guessed {
                attempts: 1,
                masked: "S*********7".into(),
                how: "test 11".into()
            }
        );
    }
    assert_eq!(r[0].service, Service::Ftp);
    assert_eq!(r[1].service, Service::Ssh);
}

#[test]
fn the_per_account_cap_counts_every_service() {
    let mut s = Script::default();
    let plans = [plan("auditor", BOTH, &["a", "b", "c"])];
    let r = run_attempts(&plans, &limits(3, 20), &mut s);
    // Candidate a on ftp and ssh, candidate b on ftp: three in all.
    assert_eq!(
        s.calls,
        [
            (Service::Ftp, "auditor".to_string()),
            (Service::Ssh, "auditor".to_string()),
            (Service::Ftp, "auditor".to_string())
        ]
    );
    assert_eq!(s.pauses.len(), 2, "pauses only between attempts");
    assert_eq!(r[0].outcome, Outcome::NotGuessed { attempts: 2 });
    assert_eq!(r[1].outcome, Outcome::NotGuessed { attempts: 1 });

    // One service: all three candidates.
    let mut s = Script::default();
    let r = run_attempts(
        &[plan("auditor", &[Service::Ssh], &["a", "b", "c", "d"])],
        &limits(3, 20),
        &mut s,
    );
    assert_eq!(s.calls.len(), 3);
    assert_eq!(r[0].outcome, Outcome::NotGuessed { attempts: 3 });
}

#[test]
fn the_per_host_cap_stops_everything_and_says_so() {
    let mut s = Script::default();
    let plans = [
        plan("a", &[Service::Ssh], &["1", "2", "3"]),
        plan("b", &[Service::Ssh], &["1", "2", "3"]),
        plan("c", &[Service::Ssh], &["1", "2", "3"]),
    ];
    let r = run_attempts(&plans, &limits(3, 4), &mut s);
    assert_eq!(s.calls.len(), 4);
    assert_eq!(r[0].outcome, Outcome::NotGuessed { attempts: 3 });
    assert_eq!(r[1].outcome, Outcome::NotGuessed { attempts: 1 });
    match &r[2].outcome {
        Outcome::Untestable {
            attempts: 0,
            reason,
        } => assert!(reason.contains("per-host cap of 4"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn refusals_before_the_password_are_not_attempts() {
    let mut s = Script::default();
    s.special.insert(
        (Service::Ftp, "ftpuser".into()),
        Try::AccountRefused("could not test FTP without TLS".into()),
    );
    let plans = [plan("ftpuser", BOTH, &["a", "b", "c"])];
    let r = run_attempts(&plans, &limits(3, 20), &mut s);
    // One USER on FTP (no password), then all three on SSH.
    assert_eq!(s.calls.len(), 4);
    assert_eq!(
        r[0].outcome,
        Outcome::Untestable {
            attempts: 0,
            reason: "could not test FTP without TLS".into()
        }
    );
    assert_eq!(r[1].outcome, Outcome::NotGuessed { attempts: 3 });
}

#[test]
fn a_service_that_is_down_is_not_tried_again() {
    let mut s = Script {
        down: vec![Service::Ssh],
        ..Default::default()
    };
    let plans = [plan("a", BOTH, &["1", "2"]), plan("b", BOTH, &["1", "2"])];
    let r = run_attempts(&plans, &limits(3, 20), &mut s);
    let ssh_calls = s.calls.iter().filter(|(sv, _)| *sv == Service::Ssh).count();
    assert_eq!(ssh_calls, 1, "{:?}", s.calls);
    assert_eq!(r[0].outcome, Outcome::NotGuessed { attempts: 2 });
    assert!(
        matches!(&r[1].outcome, Outcome::Untestable { attempts: 0, reason } if reason == "connection refused")
    );
    assert!(
        matches!(&r[3].outcome, Outcome::Untestable { attempts: 0, reason } if reason == "connection refused")
    );
}

#[test]
fn no_answer_counts_and_closes_the_pair() {
    let mut s = Script::default();
    s.special.insert(
        (Service::Ssh, "a".into()),
        Try::NoAnswer("no answer to the password within 10s".into()),
    );
    let r = run_attempts(
        &[plan("a", &[Service::Ssh], &["1", "2"])],
        &limits(3, 20),
        &mut s,
    );
    assert_eq!(s.calls.len(), 1);
    assert!(matches!(
        &r[0].outcome,
        Outcome::Untestable { attempts: 1, .. }
    ));
}

#[test]
fn limits_from_params_have_defaults_and_hard_bounds() {
    let mut p = Params::new();
    assert_eq!(Limits::from_params(&p).unwrap(), Limits::default());
    assert_eq!(Limits::default().per_account, 3);
    assert_eq!(Limits::default().per_host, 20);
    assert_eq!(Limits::default().delay, Duration::from_millis(1000));
    p.insert(DELAY_PARAM.into(), serde_json::json!(200));
    p.insert(PER_ACCOUNT_PARAM.into(), serde_json::json!("5"));
    let l = Limits::from_params(&p).unwrap();
    assert_eq!((l.per_account, l.delay.as_millis()), (5, 200));
    for (k, v) in [
        (PER_ACCOUNT_PARAM, serde_json::json!(11)),
        (PER_ACCOUNT_PARAM, serde_json::json!(0)),
        (PER_HOST_PARAM, serde_json::json!(51)),
        (DELAY_PARAM, serde_json::json!(99)),
        (DELAY_PARAM, serde_json::json!(-1)),
        (DELAY_PARAM, serde_json::json!("soon")),
    ] {
        let mut p = Params::new();
        p.insert(k.into(), v.clone());
        let err = Limits::from_params(&p).unwrap_err();
        assert!(err.contains(k), "{k}={v}: {err}");
    }
}

#[test]
fn the_policy_parameter_rejects_typos() {
    let mut p = Params::new();
    assert_eq!(forbidden(&p), Ok(false));
    p.insert(POLICY_PARAM.into(), serde_json::json!("forbidden"));
    assert_eq!(forbidden(&p), Ok(true));
    p.insert(POLICY_PARAM.into(), serde_json::json!("allowed"));
    assert_eq!(forbidden(&p), Ok(false));
    p.insert(POLICY_PARAM.into(), serde_json::json!("forbiden"));
    assert!(forbidden(&p).is_err());
}

#[test]
fn accounts_with_a_login_shell_and_a_usable_password() {
    let passwd = shadow::parse_passwd(
        "root:x:0:0:root:/root:/bin/bash\n\
         apache:x:48:48:Apache:/usr/share/httpd:/bin/bash\n\
         seaways:x:1000:1000::/home/seaways:/bin/bash\n\
         auditor:x:1001:1001::/home/auditor:/bin/sh\n\
         svc:x:1002:1002::/srv:/usr/sbin/nologin\n\
         gone:x:1003:1003::/home/gone:/bin/bash\n\
         nobody:x:65534:65534::/nonexistent:/bin/sh\n",
    );
    let (without_shadow, locked) = select_accounts(&passwd, None);
    let users: Vec<&str> = without_shadow.iter().map(|s| s.user.as_str()).collect();
    assert_eq!(users, ["seaways", "auditor", "gone"]);
    assert!(locked.is_empty());
    let shadow =
        shadow::parse_shadow("seaways:$6$salt$hash:19000\nauditor::19000\ngone:!$6$x$y:19000\n");
    let (with_shadow, locked) = select_accounts(&passwd, Some(&shadow));
    let users: Vec<&str> = with_shadow.iter().map(|s| s.user.as_str()).collect();
    assert_eq!(users, ["seaways", "auditor"]);
    assert_eq!(locked, ["gone"]);
    assert_eq!(with_shadow[1].password, Some(PasswordField::Empty));
    assert!(login_shell("/bin/bash") && !login_shell("/bin/false") && !login_shell(""));
}

#[test]
fn candidates_put_the_offline_find_first_and_skip_what_cannot_be() {
    let ctx = PasswordContext {
        domain: Some("seaways.example.jp".into()),
        today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        ..Default::default()
    };
    let hashed = Selected {
        user: "seaways".into(),
        password: Some(PasswordField::Hash("$6$x$y".into())),
    };
    let found = Candidate {
        value: Secret::new("Seaways2017"),
        how: "derived from \"seaways\" + year; found offline first".into(),
    };
    let c = candidates_for(&ctx, &hashed, Some(found), 3);
    assert_eq!(c.len(), 3);
    assert_eq!(c[0].value.expose(), "Seaways2017");
    assert!(
        c.iter().all(|c| !c.value.expose().is_empty()),
        "no empty password for a hash"
    );
    let values: Vec<&str> = c.iter().map(|c| c.value.expose()).collect();
    let mut dedup = values.clone();
    dedup.dedup();
    assert_eq!(values, dedup);
    // Unknown password field: the generator's order, the empty one first.
    let unknown = Selected {
        user: "seaways".into(),
        password: None,
    };
    let c = candidates_for(&ctx, &unknown, None, 3);
    assert_eq!(c[0].value.expose(), "");
    assert_eq!(
        c.iter()
            .map(|c| c.value.expose().to_string())
            .collect::<Vec<_>>(),
        candidates::generate_limited(&ctx, Some("seaways"), 3)
            .iter()
            .map(|c| c.value.expose().to_string())
            .collect::<Vec<_>>()
    );
}

#[test]
fn the_fact_round_trips_and_never_holds_a_password() {
    let report = GuessReport {
        state: State::Done(limits(3, 20)),
        records: vec![
            Record {
                service: Service::Ftp,
                account: "seaways".into(),
                outcome: Outcome::Guessed {
                    attempts: 1,
                    masked: Secret::new("Seaways2017").masked(),
                    how: "derived from \"seaways\" + year".into(),
                },
            },
            Record {
                service: Service::Ssh,
                account: "auditor".into(),
                outcome: Outcome::NotGuessed { attempts: 3 },
            },
            Record {
                service: Service::Ftp,
                account: "ftpuser".into(),
                outcome: Outcome::Untestable {
                    attempts: 0,
                    reason: "could not test FTP\twithout TLS\n".into(),
                },
            },
            Record {
                service: Service::Ssh,
                account: "guest".into(),
                outcome: Outcome::Open { attempts: 0 },
            },
        ],
        notes: vec!["nothing listens on tcp 21".into()],
    };
    let text = report.to_text();
    assert!(!text.contains("Seaways2017"));
    assert!(text.starts_with("enabled\t3\t20\t250\n"), "{text}");
    let back = GuessReport::parse(&text).unwrap();
    assert_eq!(back.records.len(), 4);
    assert_eq!(back.records[0], report.records[0]);
    assert_eq!(
        back.records[2].outcome,
        Outcome::Untestable {
            attempts: 0,
            reason: "could not test FTP without TLS".into()
        }
    );
    assert_eq!(back.notes, report.notes);
    assert_eq!(GuessReport::parse("").unwrap(), GuessReport::off());
    assert_eq!(GuessReport::off().to_text(), "");
    let off = GuessReport::not_run("forbidden").to_text();
    assert_eq!(
        GuessReport::parse(&off).unwrap(),
        GuessReport::not_run("forbidden")
    );
    assert!(GuessReport::parse("garbage\n").is_err());
}
