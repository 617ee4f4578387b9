//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz) and for the
//! test that replays their saved crashing inputs (`tests/fuzz_regressions.rs`).
//!
//! Each function takes arbitrary bytes, feeds them to the real loader or
//! parser the way an audit does (YAML as UTF-8 text, probe output through a
//! lossy UTF-8 conversion), and exercises what is computed from the result.
//! None may panic; some also assert properties (version ordering is a total
//! order, framed output round-trips).
//!
//! Not a stable API: only the fuzz crate and the tests use it.

use crate::analyze::ip_restriction::{
    apache, daemons, dump, firewalld, iptables, listeners, nft, sshd, wrappers,
};
use crate::analyze::password::{policy, shadow};
use crate::analyze::{
    self, credentials, eol::EolTable, ioc, logs, os, php_ini, software, version, vsftpd,
};
use crate::analyze::{derived::Derived, Analyzer, Context};
use crate::catalog::check::Params;
use crate::catalog::{Catalog, SourceFile};
use crate::facts::Facts;
use crate::probe::{parse_frames, ProbeOutcome, ProbeResult, ScriptProbe};
use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A fuzz target: its name (the `fuzz/fuzz_targets/<name>.rs` file and the
/// `fuzz/regressions/<name>/` directory) and its body.
pub type Target = (&'static str, fn(&[u8]));

/// Every fuzz target.
pub const TARGETS: &[Target] = &[
    ("check_file", check_file),
    ("profile", profile),
    ("inventory", inventory),
    ("frames", frames),
    ("sshd_config", sshd_config),
    ("vsftpd_conf", vsftpd_conf),
    ("httpd_conf", httpd_conf),
    ("nft_ruleset", nft_ruleset),
    ("iptables_ruleset", iptables_ruleset),
    ("firewalld", firewalld_zones),
    ("php_ini", php_ini),
    ("crontab", crontab),
    ("passwd_shadow", passwd_shadow),
    ("os_release", os_release),
    ("version_order", version_order),
    ("probe_outputs", probe_outputs),
    ("analyzers", analyzers),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<fn(&[u8])> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

fn builtin() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::builtin().expect("the built-in catalog loads"))
}

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// A probe output in the `@kind arg` / `|line` dump format; plain text
/// (a seed taken straight from a config file) becomes one file block.
fn blocks(data: &[u8], default_path: &str) -> Vec<dump::Block> {
    let t = text(data);
    if t.starts_with('@') {
        return dump::parse(&t);
    }
    vec![dump::Block {
        kind: "file".into(),
        arg: default_path.into(),
        lines: t.lines().map(str::to_string).collect(),
    }]
}

/// A checks file (YAML) through the catalog loader; also as an EOL table.
pub fn check_file(data: &[u8]) {
    let Ok(t) = std::str::from_utf8(data) else {
        return;
    };
    const EOL: &str = "written: 2026-11-22\nproducts: {}\nos: {}\n";
    let eol = SourceFile {
        path: PathBuf::from("eol.yml"),
        text: EOL.into(),
    };
    let file = SourceFile {
        path: PathBuf::from("fuzz.yml"),
        text: t.into(),
    };
    if let Err(e) = Catalog::from_sources(&[file], &eol) {
        let _ = e.to_string();
    }
    if let Err(e) = EolTable::parse(Path::new("eol.yml"), t) {
        let _ = e.to_string();
    }
}

/// A profile (YAML), then selecting checks from the built-in catalog.
pub fn profile(data: &[u8]) {
    let Ok(t) = std::str::from_utf8(data) else {
        return;
    };
    match Catalog::parse_profile(Path::new("fuzz.yml"), t) {
        Ok(p) => match builtin().select(&p) {
            Ok(checks) => assert!(checks.len() <= builtin().checks.len()),
            Err(e) => {
                let _ = e.to_string();
            }
        },
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// An inventory (YAML); every line also as a command-line target.
pub fn inventory(data: &[u8]) {
    let Ok(t) = std::str::from_utf8(data) else {
        return;
    };
    match crate::inventory::parse_inventory(Path::new("fuzz.yml"), t) {
        Ok(targets) => {
            for target in targets {
                assert!(target.port != Some(0));
                assert!(!target.name.chars().any(char::is_control));
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    for line in t.lines() {
        let _ = crate::inventory::parse_target(line);
    }
}

const BOUNDARY: &str = "B7";

fn frame_probes() -> Vec<ScriptProbe> {
    ["a", "b", "c"]
        .iter()
        .zip([16usize, 64, 1 << 20])
        .map(|(id, cap)| ScriptProbe {
            id: id.to_string(),
            code: String::new(),
            needs_root: false,
            timeout_secs: 1,
            max_bytes: cap,
        })
        .collect()
}

/// The framed-output parser: hostile bytes never panic and respect every
/// cap; honest frames around any content read back exactly.
pub fn frames(data: &[u8]) {
    let probes = frame_probes();
    let out = parse_frames(data, BOUNDARY, &probes);
    for (id, r) in &out.probes {
        let p = probes
            .iter()
            .find(|p| &p.id == id)
            .expect("only probes that were sent are reported");
        assert!(r.content.len() <= p.max_bytes, "probe {id} over its cap");
    }
    assert!(out.stray.len() <= 4096, "stray output over its cap");

    // Round trip: what the script writes for two probes with this content.
    let needle = format!("\n{BOUNDARY} ");
    let split = data.len() / 2;
    let (x, y) = data.split_at(split);
    let forged = |c: &[u8]| {
        let mut with_nl = vec![b'\n'];
        with_nl.extend_from_slice(c);
        memchr::memmem::find(&with_nl, needle.as_bytes()).is_some()
    };
    if forged(x) || forged(y) {
        return; // content cannot know the real, random boundary
    }
    let mut script = Vec::new();
    for (id, c) in [("a", x), ("b", y)] {
        script.extend_from_slice(format!("\n{BOUNDARY} BEGIN {id}\n").as_bytes());
        script.extend_from_slice(c);
        script.extend_from_slice(format!("\n{BOUNDARY} END {id} 3 {}\n", c.len()).as_bytes());
    }
    script.extend_from_slice(format!("\n{BOUNDARY} DONE\n").as_bytes());
    let out = parse_frames(&script, BOUNDARY, &probes);
    assert!(out.complete);
    assert!(out.anomalies.is_empty(), "{:?}", out.anomalies);
    for (id, c, cap) in [("a", x, 16usize), ("b", y, 64)] {
        let r = &out.probes[id];
        assert_eq!(r.outcome, ProbeOutcome::Exited(3));
        assert_eq!(r.content, &c[..c.len().min(cap)]);
        assert_eq!(r.truncated, c.len() > cap);
    }
}

/// PHP's configurations (php.ini and the files scanned after it, dump
/// format), and the passwords set in them.
pub fn php_ini(data: &[u8]) {
    let b = blocks(data, "/etc/php.ini");
    let mut configs = php_ini::parse(&b);
    if configs.is_empty() {
        // A plain file as seed: one configuration of that file.
        configs.push(php_ini::PhpConfig {
            main: "/etc/php.ini".into(),
            files: b
                .iter()
                .map(|f| php_ini::IniFile {
                    path: f.arg.clone(),
                    entries: php_ini::parse_ini(&f.lines),
                })
                .collect(),
            unreadable: Vec::new(),
            per_directory: false,
        });
        // The same lines read as Apache's php_value directives.
        for f in &b {
            configs.push(php_ini::PhpConfig {
                main: f.arg.clone(),
                files: vec![php_ini::IniFile {
                    path: f.arg.clone(),
                    entries: php_ini::parse_directives(&f.lines),
                }],
                unreadable: Vec::new(),
                per_directory: true,
            });
        }
    }
    for f in php_ini::passwords(&configs) {
        // Either written in the file (never empty) or taken from references.
        assert_eq!(f.value.is_some(), f.from.is_empty(), "{f:?}");
        assert!(f.value.as_ref().is_none_or(|v| !v.expose().is_empty()));
        assert!(configs
            .iter()
            .any(|c| c.files.iter().any(|x| x.path == f.path)));
    }
}

/// sshd_config with its Includes (dump format), and `sshd -T` output.
pub fn sshd_config(data: &[u8]) {
    let b = blocks(data, "/etc/ssh/sshd_config");
    if let Some(c) = sshd::parse(&b) {
        let _ = c.listen_addresses();
        let l = c.login_sources();
        let _ = l.sources.describe();
    }
}

/// vsftpd.conf: the probe of the ftp checks (`== PATH` headers) and the
/// dump the ip-restriction check reads.
pub fn vsftpd_conf(data: &[u8]) {
    let t = text(data);
    if let Some(c) = vsftpd::parse_conf(&t) {
        for key in [
            "anonymous_enable",
            "write_enable",
            "chroot_local_user",
            "ssl_enable",
            "local_root",
        ] {
            let _ = c.flag(key);
            let _ = c.value(key);
        }
    }
    let _ = vsftpd::parse_webroots(&t);
    if let Some(v) = daemons::vsftpd(&blocks(data, "/etc/vsftpd.conf")) {
        let _ = (v.tcp_wrappers(), v.port());
    }
}

/// httpd.conf / apache2.conf with Include resolution, and who may reach
/// each admin path it exposes.
pub fn httpd_conf(data: &[u8]) {
    let b = blocks(data, "/etc/apache2/apache2.conf");
    if let Some(cfg) = apache::parse(&b) {
        for path in &cfg.admin {
            let a = cfg.access(path);
            let _ = a.sources.describe();
        }
    }
}

fn answer_ports(rs: &crate::analyze::ip_restriction::firewall::Ruleset) {
    for port in [21, 22, 3306] {
        let a = rs.answer(port);
        let _ = a.passes().describe();
        for c in &a.chains {
            let _ = c.restricts();
        }
    }
}

/// nftables: `nft -j list ruleset` JSON and `nft -a list ruleset` text
/// (separated by a NUL byte when both are given).
pub fn nft_ruleset(data: &[u8]) {
    let (json, plain) = match memchr::memchr(0, data) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, data),
    };
    let (json, plain) = (text(json), text(plain));
    if let Ok(rs) = nft::parse_json(&json, &plain) {
        answer_ports(&rs);
    }
    if let Ok(rs) = nft::parse_text(&plain) {
        answer_ports(&rs);
    }
}

/// iptables-save / ip6tables-save output.
pub fn iptables_ruleset(data: &[u8]) {
    if let Ok(sets) = iptables::parse(&text(data)) {
        for rs in &sets {
            answer_ports(rs);
        }
    }
}

/// firewalld's saved zones (XML files in dump format).
pub fn firewalld_zones(data: &[u8]) {
    if let Some(f) = firewalld::parse(&blocks(data, "/etc/firewalld/zones/public.xml")) {
        for port in [21, 22] {
            let _ = f.accepted(port);
        }
    }
}

fn run_analyzer(
    a: &dyn Analyzer,
    facts: &Facts,
    derived: &Derived,
    with: &Params,
    params: &Params,
) {
    let cx = Context {
        facts,
        derived,
        params,
        with,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("a valid date"),
        eol: &builtin().eol,
    };
    let v = a.analyze(&cx);
    assert!(
        !v.evidence.is_empty(),
        "{}: a verdict without evidence",
        a.name()
    );
}

fn probe_result(data: &[u8]) -> ProbeResult {
    ProbeResult {
        outcome: ProbeOutcome::Exited(0),
        content: data.to_vec(),
        truncated: false,
    }
}

const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nwww-data:x:33:33:www-data:/var/www:/bin/sh\n";

/// Crontab lines as the ioc probe prints them (`crontab USER FILE: ENTRY`),
/// through the service-account check, and as the credential probe reads
/// them (`-p`/`--password` on command lines).
pub fn crontab(data: &[u8]) {
    let mut facts = Facts::default();
    facts
        .probes
        .insert(ioc::CRONTABS_PROBE.into(), probe_result(data));
    facts
        .probes
        .insert(vsftpd::PASSWD_PROBE.into(), probe_result(PASSWD.as_bytes()));
    let mut with = Params::new();
    with.insert("aspect".into(), serde_json::json!("crontab"));
    run_analyzer(
        &ioc::ServiceAccounts,
        &facts,
        &Derived::default(),
        &with,
        &Params::new(),
    );
    let t = text(data);
    let header = "file crontab 600 root - /var/spool/cron/crontabs/root\n";
    let mut as_file = String::with_capacity(header.len() + t.len() * 2);
    as_file.push_str(header);
    for (i, line) in t.lines().enumerate() {
        as_file.push_str(&format!("| {}: {line}\n", i + 1));
    }
    for f in credentials::parse_files(&as_file) {
        for found in credentials::credentials(&f) {
            let _ = found.value.masked();
        }
    }
}

/// /etc/passwd and /etc/shadow (and PAM's password stack, same bytes).
pub fn passwd_shadow(data: &[u8]) {
    let t = text(data);
    let passwd = shadow::parse_passwd(&t);
    let shadow_accounts = shadow::parse_shadow(&t);
    let all = shadow::accounts(&shadow_accounts, &passwd);
    for a in &all {
        if let Some(h) = a.password.hash() {
            let _ = crate::analyze::password::crypt::Scheme::of(h).name();
        }
    }
    for p in shadow::uid0_duplicates(&passwd) {
        assert_eq!(p.uid, 0);
    }
    let files = policy::split_files(&t);
    let _ = policy::stack_policies(&files);
    let _ = policy::new_password_schemes(&files);
    let _ = policy::password_lines(&t);
}

/// /etc/os-release (with the redhat-release fallback), judged against the
/// built-in support table.
pub fn os_release(data: &[u8]) {
    if let Some(info) = os::parse_os_release(&text(data)) {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("a valid date");
        let _ = os::support(&builtin().eol, &info, today);
    }
}

fn check_order<T: Copy>(items: &[T], cmp: impl Fn(T, T) -> Option<Ordering>, what: &str) {
    for &a in items {
        if let Some(o) = cmp(a, a) {
            assert_eq!(o, Ordering::Equal, "{what}: not reflexive");
        }
        for &b in items {
            let ab = cmp(a, b);
            let ba = cmp(b, a);
            assert_eq!(ab, ba.map(Ordering::reverse), "{what}: not antisymmetric");
            for &c in items {
                if let (Some(x), Some(y)) = (ab, cmp(b, c)) {
                    if x != Ordering::Greater && y != Ordering::Greater {
                        let ac = cmp(a, c).expect("valid versions compare");
                        assert_ne!(ac, Ordering::Greater, "{what}: not transitive");
                        if x == Ordering::Less || y == Ordering::Less {
                            assert_eq!(ac, Ordering::Less, "{what}: not transitive");
                        }
                    }
                }
            }
        }
    }
}

/// Version ordering: up to three versions, one per line. dpkg and rpm
/// comparisons must be total orders (reflexive, antisymmetric, transitive);
/// the lenient upstream reader must read its own output back.
pub fn version_order(data: &[u8]) {
    let t = text(data);
    let items: Vec<&str> = t.splitn(3, '\n').collect();
    check_order(&items, version::dpkg_cmp, "dpkg");
    check_order(&items, |a, b| Some(version::rpm_cmp(a, b)), "rpm");
    let ups: Vec<Option<semver::Version>> = items.iter().map(|s| version::upstream(s)).collect();
    for (s, v) in items.iter().zip(&ups) {
        if let Some(v) = v {
            let again = version::upstream(&v.to_string());
            assert_eq!(
                again.as_ref(),
                Some(v),
                "upstream({s:?}) does not read back"
            );
            let _ = version::branch(v);
        }
        let _ = version::upstream_token(s);
    }
    let present: Vec<&semver::Version> = ups.iter().flatten().collect();
    check_order(&present, |a, b| Some(a.cmp(b)), "upstream");
}

/// The other probe parsers, each on the same bytes: logrotate, xferlog,
/// vsftpd's log, listening sockets, hosts.allow/deny, installed software,
/// pending updates, MySQL/MariaDB option files, credential files.
pub fn probe_outputs(data: &[u8]) {
    let t = text(data);
    let (global, stanzas) = logs::parse_logrotate(&t);
    for path in ["/var/log/auth.log", "/var/log/apache2/access.log"] {
        let _ = logs::retention(&global, &stanzas, path);
    }
    let _ = ioc::parse_xferlog(&t);
    let _ = ioc::parse_vsftpd_log(&t);
    for l in listeners::v6only(listeners::parse(&t)) {
        let _ = (l.endpoint(), l.bind());
    }
    let lines: Vec<String> = t.lines().map(str::to_string).collect();
    let (allow, deny) = lines.split_at(lines.len() / 2);
    let w = wrappers::Wrappers::parse("/etc/hosts.allow", allow, "/etc/hosts.deny", deny);
    for daemon in ["sshd", "vsftpd", "in.telnetd"] {
        let _ = w.grant(daemon).sources.describe();
    }
    let _ = software::parse_instances(&t);
    let _ = software::parse_pending(&t);
    let _ = daemons::mysql(&blocks(data, "/etc/mysql/my.cnf"));
    for f in credentials::parse_files(&t) {
        for found in credentials::credentials(&f) {
            let _ = found.value.masked();
        }
    }
}

/// Every analyzer (offline password guessing turned off) on probe outputs:
/// a line `%% PROBE-ID` starts each probe's output.
pub fn analyzers(data: &[u8]) {
    let mut facts = Facts::default();
    let mut current: Option<(String, Vec<u8>)> = None;
    for line in data.split_inclusive(|&b| b == b'\n') {
        if let Some(id) = line.strip_prefix(b"%% ") {
            if let Some((id, content)) = current.take() {
                facts.probes.insert(id, probe_result(&content));
            }
            current = Some((text(id).trim().to_string(), Vec::new()));
        } else if let Some((_, content)) = current.as_mut() {
            content.extend_from_slice(line);
        }
    }
    if let Some((id, content)) = current {
        facts.probes.insert(id, probe_result(&content));
    }
    // As an audit does: what the probes declare secret is masked first,
    // and masking again changes nothing.
    crate::probe::redact::redact_all(&mut facts.probes, &builtin().probes);
    for (id, r) in &facts.probes {
        if let Some(def) = builtin().probes.get(id) {
            assert!(
                crate::probe::redact::redact(&r.content, &def.redact).is_none(),
                "{id}: masking again changed the output"
            );
        }
    }
    let mut params = Params::new();
    params.insert("password_budget_secs".into(), serde_json::json!(0));
    params.insert("domain".into(), serde_json::json!("example.co.jp"));
    params.insert(
        "management_networks".into(),
        serde_json::json!(["10.203.0.0/24"]),
    );
    // One host: the checks share what they derive, as in an audit.
    let derived = Derived::default();
    for check in &builtin().checks {
        if let crate::catalog::check::Decider::Analyzer { name, with } = &check.decider {
            if let Some(a) = analyze::lookup(name) {
                run_analyzer(a, &facts, &derived, with, &params);
            }
        }
    }
}
