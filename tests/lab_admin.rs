//! Fitting into an admin's setup, against the lab: an ssh_config alias,
//! ProxyJump through the bastion (one and two hops), Ansible INI, YAML and
//! dynamic inventories with --limit, and an unprivileged user with sudo
//! (--become, with and without a sudo password). Each audit must give the
//! same findings (check id → status) as a direct root audit of the same
//! host, in one exec request on that host.
//!
//! Hosts: `bastion` (10.203.0.10: jump host; users `jumper`, `sudoer` with
//! NOPASSWD sudo, `sudopw` with sudo by password) and `inner` (10.203.0.14,
//! whose sshd takes logins only from the bastion). See tests/lab/README.md.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

const BASTION: &str = "10.203.0.10";
const INNER: &str = "10.203.0.14";
const SUDO_PASSWORD: &str = "Lab-sudo-pw-5";
/// Where tests/run.sh installs ansible-core.
const ANSIBLE_BIN: &str = "/var/tmp/shipshape-ansible/bin";

fn profile() -> String {
    repo()
        .join("tests/fixtures/profiles/admin.yml")
        .to_string_lossy()
        .into_owned()
}

fn key_path() -> String {
    key("id_ed25519").to_string_lossy().into_owned()
}

/// `shipshape audit` with the admin-test profile, the lab's known_hosts
/// (unless `extra` names a config that sets its own), JSON out.
fn audit(extra: &[&str], env: &[(&str, &str)]) -> Output {
    let p = profile();
    let mut cmd = shipshape();
    cmd.args([
        "audit",
        "--profile",
        &p,
        "--audit-date",
        AUDIT_DATE,
        "-f",
        "json",
    ])
    .args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(&mut cmd)
}

fn kh_args() -> Vec<String> {
    vec![
        "--known-hosts".into(),
        known_hosts().to_string_lossy().into_owned(),
    ]
}

/// check id → status of one audited host.
fn statuses(report: &serde_json::Value, name: &str) -> BTreeMap<String, String> {
    let h = host(report, name);
    assert_eq!(h["status"], "audited", "{name} not audited: {}", h["error"]);
    h["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The direct root audit of `addr` (key auth, no config, no jump).
fn direct_root(addr: &str) -> BTreeMap<String, String> {
    let k = key_path();
    let mut args: Vec<String> = kh_args();
    args.extend(["--identity".into(), k, "-F".into(), "none".into()]);
    args.push(format!("root@{addr}"));
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = audit(&a, &[]);
    let map = statuses(&json(&out), addr);
    assert!(map.len() > 20, "too few findings: {map:?}");
    map
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

/// An ssh_config for the lab: aliases with HostName, User, IdentityFile,
/// IdentitiesOnly, ProxyJump, UserKnownHostsFile, StrictHostKeyChecking.
fn lab_config(dir: &Path, known_hosts: &Path) -> PathBuf {
    let k = key_path();
    let kh = known_hosts.display();
    write(
        dir,
        "ssh_config",
        &format!(
            "# the lab, as an admin would describe it\n\
             Host bastion\n  HostName {BASTION}\n  User jumper\n  ProxyJump none\n\
             Host inner\n  HostName {INNER}\n  ProxyJump bastion\n  ProxyJump ignored-second-value\n\
             Host labclean\n  HostName {CLEAN}\n\
             Host clean-via-two\n  HostName {CLEAN}\n  ProxyJump bastion,root@inner\n\
             Host *\n  User root\n  IdentityFile {k}\n  IdentitiesOnly yes\n  \
             UserKnownHostsFile {kh}\n  StrictHostKeyChecking yes\n"
        ),
    )
}

#[test]
#[ignore = "needs the lab (tests/run.sh)"]
fn ssh_config_alias_gives_the_direct_audit_findings() {
    require_lab();
    let _g = lab_lock();
    let direct = direct_root(CLEAN);
    let dir = tmp();
    let cfg = lab_config(dir.path(), &known_hosts());
    let before = exec_requests("clean");
    let out = audit(&["-F", cfg.to_str().unwrap(), "labclean"], &[]);
    let report = json(&out);
    assert_eq!(host(&report, "labclean")["address"], CLEAN);
    assert_eq!(statuses(&report, "labclean"), direct);
    assert_eq!(exec_requests("clean"), before + 1, "one exec request");

    // Without -F, ~/.ssh/config is read when it exists, as ssh does.
    let home = tmp();
    std::fs::create_dir_all(home.path().join(".ssh")).unwrap();
    std::fs::copy(&cfg, home.path().join(".ssh/config")).unwrap();
    let out = audit(&["labclean"], &[("HOME", home.path().to_str().unwrap())]);
    assert_eq!(statuses(&json(&out), "labclean"), direct);

    // A Match block that would change the connection is refused, not ignored.
    let cfg = write(
        dir.path(),
        "match_config",
        "Match host labclean exec \"true\"\n  User auditor\nHost labclean\n  HostName 10.203.0.12\n",
    );
    let out = audit(&["-F", cfg.to_str().unwrap(), "labclean"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("match_config:1") && err.contains("Match"),
        "{err}"
    );
}

#[test]
#[ignore = "needs the lab (tests/run.sh)"]
fn proxyjump_through_the_bastion() {
    require_lab();
    let _g = lab_lock();
    let dir = tmp();
    let cfg = lab_config(dir.path(), &known_hosts());
    let cfg = cfg.to_str().unwrap();

    // inner refuses logins that do not come from the bastion...
    let k = key_path();
    let mut direct_args = kh_args();
    direct_args.extend(["--identity".into(), k.clone(), "-F".into(), "none".into()]);
    direct_args.push(format!("root@{INNER}"));
    let a: Vec<&str> = direct_args.iter().map(String::as_str).collect();
    let out = audit(&a, &[]);
    assert_eq!(host(&json(&out), INNER)["status"], "auth-failed");

    // ...and is audited through it, in one exec request.
    let before = (exec_requests("inner"), exec_requests("bastion"));
    let out = audit(&["-F", cfg, "inner"], &[]);
    let inner = statuses(&json(&out), "inner");
    // One exec on the target, none on the jump host (a direct-tcpip channel).
    assert_eq!(
        (exec_requests("inner"), exec_requests("bastion")),
        (before.0 + 1, before.1)
    );
    assert!(inner.len() > 20, "{inner:?}");

    // Two hops (bastion, then inner) to clean: the direct audit's findings.
    let direct = direct_root(CLEAN);
    let before = exec_requests("clean");
    let out = audit(&["-F", cfg, "clean-via-two"], &[]);
    assert_eq!(statuses(&json(&out), "clean-via-two"), direct);
    assert_eq!(exec_requests("clean"), before + 1);

    // Every hop's host key is checked: a known_hosts without the bastion's
    // key stops the connection at the bastion, and says so.
    let partial: String = std::fs::read_to_string(known_hosts())
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with(&format!("{BASTION} ")))
        .map(|l| format!("{l}\n"))
        .collect();
    let kh = write(dir.path(), "known_hosts_without_bastion", &partial);
    let cfg2 = lab_config(dir.path(), &kh);
    let out = audit(&["-F", cfg2.to_str().unwrap(), "inner"], &[]);
    let h = host(&json(&out), "inner").clone();
    assert_eq!(h["status"], "host-key-unknown", "{h}");
    let err = h["error"].as_str().unwrap();
    assert!(
        err.starts_with("jump host bastion (jumper@10.203.0.10:22): "),
        "{err}"
    );

    // A jump host that does not answer: unreachable, the hop named, in time.
    let cfg3 = write(
        dir.path(),
        "ssh_config_ghost",
        &format!(
            "Host via-ghost\n  HostName {CLEAN}\n  ProxyJump root@{NOBODY_HOME}\n\
             Host *\n  IdentityFile {k}\n  UserKnownHostsFile {}\n",
            known_hosts().display()
        ),
    );
    let started = std::time::Instant::now();
    let out = audit(&["-F", cfg3.to_str().unwrap(), "via-ghost"], &[]);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    let h = host(&json(&out), "via-ghost").clone();
    assert_eq!(h["status"], "unreachable", "{h}");
    assert!(
        h["error"]
            .as_str()
            .unwrap()
            .starts_with(&format!("jump host root@{NOBODY_HOME}:22: ")),
        "{h}"
    );
}

const INI: &str = "\
# the lab as an Ansible INI inventory
[web]
clean ansible_host=10.203.0.12

[jump]
bastion-sudo ansible_host=10.203.0.10 ansible_user=sudoer ansible_become=true
legacy ansible_host=10.203.0.11

[lab:children]
web
jump

[lab:vars]
ansible_user=root
ansible_ssh_private_key_file=KEY
password_budget_secs=0
";

#[test]
#[ignore = "needs the lab (tests/run.sh)"]
fn ansible_ini_inventory_with_limit_and_per_host_become() {
    require_lab();
    let _g = lab_lock();
    let clean = direct_root(CLEAN);
    let bastion = direct_root(BASTION);
    let dir = tmp();
    let inv = write(dir.path(), "hosts", &INI.replace("KEY", &key_path()));
    let inv = inv.to_str().unwrap();
    let before = (
        exec_requests("clean"),
        exec_requests("bastion"),
        exec_requests("legacy"),
    );
    let mut args = kh_args();
    args.extend(["-F", "none", "-i", inv, "--limit", "lab:!legacy"].map(String::from));
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = audit(&a, &[]);
    let report = json(&out);
    assert_eq!(
        report["hosts"].as_array().unwrap().len(),
        2,
        "--limit lab:!legacy"
    );
    assert_eq!(statuses(&report, "clean"), clean);
    // sudoer, per-host ansible_become: the root audit's findings.
    assert_eq!(statuses(&report, "bastion-sudo"), bastion);
    assert_eq!(
        (
            exec_requests("clean"),
            exec_requests("bastion"),
            exec_requests("legacy")
        ),
        (before.0 + 1, before.1 + 1, before.2)
    );
}

#[test]
#[ignore = "needs the lab (tests/run.sh)"]
fn ansible_yaml_inventory_with_sudo_password() {
    require_lab();
    let _g = lab_lock();
    let clean = direct_root(CLEAN);
    let bastion = direct_root(BASTION);
    let dir = tmp();
    let yaml = format!(
        "all:\n  vars:\n    ansible_ssh_private_key_file: {}\n    password_budget_secs: 0\n  \
         children:\n    web:\n      hosts:\n        clean:\n          ansible_host: {CLEAN}\n          \
         ansible_user: root\n    sudo_by_password:\n      hosts:\n        bastion-pw:\n          \
         ansible_host: {BASTION}\n          ansible_user: sudopw\n      vars:\n        ansible_become: yes\n",
        key_path()
    );
    let inv = write(dir.path(), "hosts.yml", &yaml);
    let mut args = kh_args();
    args.extend(["-F", "none", "-i", inv.to_str().unwrap()].map(String::from));
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = audit(&a, &[("SHIPSHAPE_BECOME_PASSWORD", SUDO_PASSWORD)]);
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        !text.contains(SUDO_PASSWORD),
        "the sudo password must never be printed"
    );
    let report = json(&out);
    assert_eq!(statuses(&report, "clean"), clean);
    assert_eq!(statuses(&report, "bastion-pw"), bastion);

    // Without the password, sudo -n refuses, and the report says why.
    let out = audit(&a, &[]);
    let h = host(&json(&out), "bastion-pw").clone();
    assert_eq!(h["status"], "error", "{h}");
    assert!(
        h["error"]
            .as_str()
            .unwrap()
            .contains("SHIPSHAPE_BECOME_PASSWORD"),
        "{h}"
    );
}

#[test]
#[ignore = "needs the lab and ansible-core (tests/run.sh)"]
fn dynamic_inventory_through_ansible_inventory() {
    require_lab();
    let _g = lab_lock();
    assert!(
        Path::new(ANSIBLE_BIN).join("ansible-inventory").exists(),
        "ansible-core is not installed in {ANSIBLE_BIN} (tests/run.sh installs it)"
    );
    let clean = direct_root(CLEAN);
    let dir = tmp();
    let script = write(
        dir.path(),
        "lab_inventory.sh",
        &format!(
            "#!/bin/sh\n# a dynamic inventory: JSON on --list\n\
             case \"$1\" in --host) echo '{{}}'; exit 0;; esac\n\
             cat <<'EOF'\n{{\"web\": {{\"hosts\": [\"clean\"], \"vars\": {{\"ansible_user\": \"root\", \
             \"ansible_ssh_private_key_file\": \"{}\", \"password_budget_secs\": 0}}}},\n \
             \"_meta\": {{\"hostvars\": {{\"clean\": {{\"ansible_host\": \"{CLEAN}\"}}}}}}}}\nEOF\n",
            key_path()
        ),
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{ANSIBLE_BIN}:{}",
        std::env::var("PATH").unwrap_or_default()
    );
    let mut args = kh_args();
    args.extend(
        [
            "-F",
            "none",
            "-i",
            script.to_str().unwrap(),
            "--limit",
            "web",
        ]
        .map(String::from),
    );
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = audit(
        &a,
        &[
            ("PATH", &path),
            ("ANSIBLE_LOCAL_TEMP", dir.path().to_str().unwrap()),
        ],
    );
    assert_eq!(statuses(&json(&out), "clean"), clean);

    // An inventory directory is Ansible's to read, too.
    let inv_dir = dir.path().join("inventory.d");
    std::fs::create_dir(&inv_dir).unwrap();
    write(
        &inv_dir,
        "lab.ini",
        &format!(
            "[web]\nclean ansible_host={CLEAN} ansible_user=root ansible_ssh_private_key_file={} password_budget_secs=0\n",
            key_path()
        ),
    );
    let mut dargs = kh_args();
    dargs.extend(["-F", "none", "-i", inv_dir.to_str().unwrap()].map(String::from));
    let d: Vec<&str> = dargs.iter().map(String::as_str).collect();
    let out = audit(
        &d,
        &[
            ("PATH", &path),
            ("ANSIBLE_LOCAL_TEMP", dir.path().to_str().unwrap()),
        ],
    );
    assert_eq!(statuses(&json(&out), "clean"), clean);

    // Without Ansible: a clear input error.
    let out = audit(&a, &[("PATH", "/usr/bin:/bin")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ansible-inventory"), "{err}");
}

#[test]
#[ignore = "needs the lab (tests/run.sh)"]
fn become_as_an_unprivileged_user() {
    require_lab();
    let _g = lab_lock();
    let bastion = direct_root(BASTION);
    let mut base = kh_args();
    base.extend([
        "--identity".to_string(),
        key_path(),
        "-F".into(),
        "none".into(),
    ]);
    let with = |extra: &[&str]| -> Vec<String> {
        let mut v = base.clone();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };

    // NOPASSWD sudo: the root audit's findings, one exec request.
    let before = exec_requests("bastion");
    let a = with(&["--become", &format!("sudoer@{BASTION}")]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = audit(&a, &[]);
    assert_eq!(statuses(&json(&out), BASTION), bastion);
    assert_eq!(exec_requests("bastion"), before + 1);

    // sudo with a password from the environment: the same.
    let a = with(&["--become", &format!("sudopw@{BASTION}")]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = audit(&a, &[("SHIPSHAPE_BECOME_PASSWORD", SUDO_PASSWORD)]);
    assert_eq!(statuses(&json(&out), BASTION), bastion);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SUDO_PASSWORD));

    // A wrong password: not audited, and the password is not echoed.
    let out = audit(&a, &[("SHIPSHAPE_BECOME_PASSWORD", "wrong-pw-123")]);
    let h = host(&json(&out), BASTION).clone();
    assert_eq!(h["status"], "error", "{h}");
    assert!(!h.to_string().contains("wrong-pw-123"), "{h}");

    // Without --become, an unprivileged user's root-only probes are skips
    // that say why, never passes.
    let a = with(&[&format!("sudoer@{BASTION}")]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = audit(&a, &[]);
    let report = json(&out);
    let plain = statuses(&report, BASTION);
    let changed: Vec<(&String, &String)> = plain
        .iter()
        .filter(|(k, v)| bastion.get(*k) != Some(*v))
        .collect();
    assert!(
        !changed.is_empty(),
        "root-only probes must change something"
    );
    for (check, status) in &changed {
        assert_eq!(status.as_str(), "skip", "{check} without root");
        let f = finding(host(&report, BASTION), check);
        let why = f.to_string();
        assert!(why.contains("root"), "{check}: {why}");
    }

    // A root login needs no sudo (clean has none installed): same findings.
    let clean = direct_root(CLEAN);
    let a = with(&["--become", &format!("root@{CLEAN}")]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = audit(&a, &[("SHIPSHAPE_BECOME_PASSWORD", SUDO_PASSWORD)]);
    assert_eq!(statuses(&json(&out), CLEAN), clean);

    // A user without sudo rights: the report says sudo refused.
    let a = with(&["--become", &format!("auditor@{BASTION}")]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = audit(&a, &[]);
    let h = host(&json(&out), BASTION).clone();
    assert_eq!(h["status"], "error", "{h}");
    assert!(h["error"].as_str().unwrap().contains("sudo"), "{h}");
}
