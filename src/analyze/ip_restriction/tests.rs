//! The analyzer end to end on captured probe outputs: each mechanism
//! restricting (pass) and not restricting (fail), loopback, no root.

use super::*;
use crate::analyze::testkit;
use crate::facts::Facts;
use crate::probe::{ProbeOutcome, ProbeResult};

const FIX: &str = "tests/fixtures/ip-restriction";

fn fixture(name: &str) -> String {
    let p = format!("{}/{FIX}/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn lab(path: &str) -> String {
    let p = format!("{}/tests/lab/scenarios/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// A block in the probes' `@kind arg` / `|line` framing.
fn block(kind: &str, arg: &str, text: &str) -> String {
    let mut s = format!("@{kind} {arg}\n");
    for l in text.lines() {
        s.push('|');
        s.push_str(l);
        s.push('\n');
    }
    s
}

fn nft(name: &str) -> String {
    block("json", "", &fixture(&format!("nft-{name}.json")))
        + &block("text", "", &fixture(&format!("nft-{name}.txt")))
}

const NO_NFT: &str = "@absent nft\n";
const NO_IPTABLES: &str = "# shipshape: none\n";

/// A host's probe outputs; `None` marks a probe that needed root.
#[derive(Clone)]
struct Host(Vec<(&'static str, Option<String>)>);

impl Host {
    fn new(listeners: &str) -> Host {
        Host(vec![
            (LISTENERS_PROBE, Some(listeners.to_string())),
            (NFT_PROBE, Some(NO_NFT.into())),
            (IPTABLES_PROBE, Some(NO_IPTABLES.into())),
            (FIREWALLD_PROBE, Some("@running no\n".into())),
            (WRAPPERS_PROBE, Some(String::new())),
        ])
    }

    fn with(mut self, probe: &'static str, text: impl Into<String>) -> Host {
        self.0.retain(|(p, _)| *p != probe);
        self.0.push((probe, Some(text.into())));
        self
    }

    fn no_root(mut self) -> Host {
        for p in [NFT_PROBE, IPTABLES_PROBE] {
            self.0.retain(|(x, _)| *x != p);
            self.0.push((p, None));
        }
        self
    }

    fn run(&self, service: &str, mgmt: &[&str]) -> Verdict {
        let with = testkit::params([("service", serde_json::json!(service))]);
        let params = testkit::params([(MGMT_PARAM, serde_json::json!(mgmt))]);
        testkit::verdict(&IpRestriction, &self.facts(), &with, &params)
    }

    fn facts(&self) -> Facts {
        let mut facts = Facts::from_texts(
            self.0
                .iter()
                .filter_map(|(p, t)| t.as_deref().map(|t| (*p, t))),
        );
        for (p, t) in &self.0 {
            if t.is_none() {
                facts.probes.insert(
                    p.to_string(),
                    ProbeResult {
                        outcome: ProbeOutcome::NeedsRoot,
                        content: Vec::new(),
                        truncated: false,
                    },
                );
            }
        }
        facts
    }
}

const MGMT: &[&str] = &["10.203.0.0/24"];

fn legacy() -> Host {
    Host::new(
        "tcp 0.0.0.0 21 vsftpd\ntcp 0.0.0.0 22 sshd\ntcp [::] 22 sshd\nudp 0.0.0.0 68 dhclient\n",
    )
    .with(
        SSHD_PROBE,
        block(
            "file",
            "/etc/ssh/sshd_config",
            &lab("legacy/rootfs/etc/ssh/sshd_config"),
        ) + "@libwrap /usr/sbin/sshd yes\n",
    )
    .with(
        VSFTPD_PROBE,
        block(
            "file",
            "/etc/vsftpd/vsftpd.conf",
            &lab("legacy/rootfs/etc/vsftpd/vsftpd.conf"),
        ),
    )
}

fn clean() -> Host {
    Host::new("tcp 0.0.0.0 22 sshd\ntcp [::] 22 sshd\ntcp * 80 apache2\n")
        .with(NFT_PROBE, nft("clean"))
        .with(
            SSHD_PROBE,
            block(
                "file",
                "/etc/ssh/sshd_config",
                &lab("clean/rootfs/etc/ssh/sshd_config"),
            ) + &block(
                "sshd-T",
                "/etc/ssh/sshd_config",
                &fixture("sshd-T-clean.txt"),
            ) + "@libwrap /usr/sbin/sshd yes\n",
        )
}

fn assert_has(v: &Verdict, words: &[&str]) {
    for w in words {
        assert!(v.evidence.contains(w), "missing {w:?} in: {}", v.evidence);
    }
}

#[test]
fn legacy_host_ssh_and_ftp_open_to_all_fail() {
    let v = legacy().run("ssh", MGMT);
    assert_eq!(v.status, Status::Fail, "{}", v.evidence);
    assert_has(
        &v,
        &[
            "sshd on 0.0.0.0:22: reachable from any IPv4 address except 10.203.0.0/24 outside management_networks 10.203.0.0/24",
            "firewall: no packet filter on the input path (nft not installed; iptables not installed)",
            "no AllowUsers user@host",
            "no hosts.allow/hosts.deny rule names sshd",
        ],
    );
    let v = legacy().run("ftp", MGMT);
    assert_eq!(v.status, Status::Fail, "{}", v.evidence);
    assert_has(
        &v,
        &[
            "vsftpd on 0.0.0.0:21",
            "tcp_wrappers not set: NO by default",
        ],
    );
    let v = legacy().run("ftp", &[]);
    assert_eq!(v.status, Status::Fail);
    assert_has(
        &v,
        &[
            "reachable from any IPv4 address",
            "management_networks is not set",
        ],
    );
}

#[test]
fn clean_host_nft_rule_restricts_ssh() {
    let v = clean().run("ssh", MGMT);
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    assert_has(
        &v,
        &[
            "reachable only from 10.203.0.0/24 (inside management_networks 10.203.0.0/24)",
            "`ip saddr 10.203.0.0/24 tcp dport 22 accept` (table inet filter chain input)",
            "sshd on [::]:22: reachable from no other host",
        ],
    );
    // Without management networks the allow-list counts, and says so.
    let v = clean().run("ssh", &[]);
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    assert_has(
        &v,
        &[
            "restricted to 10.203.0.0/24",
            "management_networks is not set",
        ],
    );
    // A management network elsewhere: the lab network is outside it.
    let v = clean().run("ssh", &["192.0.2.0/24"]);
    assert_eq!(v.status, Status::Fail, "{}", v.evidence);
    assert!(clean().run("ftp", MGMT).status == Status::Skip);
}

#[test]
fn without_root_the_firewall_is_unknown_never_a_pass() {
    let v = clean().no_root().run("ssh", MGMT);
    assert_eq!(v.status, Status::Skip, "{}", v.evidence);
    assert_has(&v, &["needs root", "firewall could not be read"]);
    // A restriction in sshd itself is still proven without root.
    let v = clean()
        .no_root()
        .with(
            SSHD_PROBE,
            block(
                "file",
                "/etc/ssh/sshd_config",
                "AllowUsers admin@10.203.0.0/24 root@10.203.0.*\n",
            ),
        )
        .run("ssh", MGMT);
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    assert_has(
        &v,
        &["AllowUsers admin@10.203.0.0/24 root@10.203.0.* (/etc/ssh/sshd_config:1)"],
    );
}

#[test]
fn iptables_restricts_ssh_and_leaves_ftp_open() {
    let h = Host::new("tcp 0.0.0.0 22 sshd\ntcp [::] 22 sshd\ntcp 0.0.0.0 21 vsftpd\n")
        .with(IPTABLES_PROBE, fixture("iptables-save-drop-policy.txt"))
        .with(
            SSHD_PROBE,
            block("file", "/etc/ssh/sshd_config", "Port 22\n"),
        )
        .with(
            VSFTPD_PROBE,
            block("file", "/etc/vsftpd.conf", "listen=YES\n"),
        );
    let mgmt = ["192.0.2.0/24", "198.51.100.7", "2001:db8:1::/48"];
    let v = h.run("ssh", &mgmt);
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    assert_has(
        &v,
        &["`-A SSH -s 192.0.2.0/24 -j ACCEPT` (iptables table filter chain SSH)"],
    );
    let v = h.run("ssh", &["192.0.2.0/24"]);
    assert_eq!(v.status, Status::Fail, "{}", v.evidence);
    assert_has(
        &v,
        &[
            "reachable from 198.51.100.7 outside",
            "-A SSH -s 198.51.100.7/32 -j ACCEPT",
        ],
    );
    let v = h.run("ftp", &mgmt);
    assert_eq!(v.status, Status::Fail, "{}", v.evidence);
    assert_has(
        &v,
        &["-A INPUT -p tcp -m tcp --dport 21 -m comment --comment \"legacy ftp\" -j ACCEPT"],
    );
}

#[test]
fn nft_jump_to_a_set_restricts_and_policy_accept_fails() {
    let h = Host::new("tcp 0.0.0.0 22 sshd\ntcp 0.0.0.0 21 vsftpd\n")
        .with(NFT_PROBE, nft("complex"))
        .with(
            SSHD_PROBE,
            block("file", "/etc/ssh/sshd_config", "Port 22\n"),
        )
        .with(
            VSFTPD_PROBE,
            block("file", "/etc/vsftpd.conf", "listen=YES\n"),
        );
    let v = h.run("ssh", &["192.0.2.0/24", "198.51.100.0/24"]);
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    assert_has(
        &v,
        &["`ip saddr @mgmt4 accept` (table inet filter chain ssh_in)"],
    );
    let v = h.run("ftp", &["192.0.2.0/24"]);
    assert_eq!(v.status, Status::Fail, "{}", v.evidence);
    let h = h.with(NFT_PROBE, nft("ipfamily"));
    let v = h.run("ftp", &["10.0.0.0/8"]);
    assert_eq!(v.status, Status::Pass, "IPv4-only socket: {}", v.evidence);
}

#[test]
fn tcp_wrappers_only_where_the_daemon_honours_them() {
    let allow = block("file", "/etc/hosts.allow", "vsftpd, sshd: 10.203.0.\n")
        + &block("file", "/etc/hosts.deny", "ALL: ALL\n");
    let h = legacy().with(WRAPPERS_PROBE, allow.clone());
    // sshd is linked with libwrap: restricted.
    let v = h.run("ssh", MGMT);
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    assert_has(
        &v,
        &[
            "/usr/sbin/sshd is linked with libwrap",
            "/etc/hosts.allow:1: vsftpd, sshd: 10.203.0.",
        ],
    );
    // vsftpd without tcp_wrappers=YES ignores the files.
    assert_eq!(h.run("ftp", MGMT).status, Status::Fail);
    let h = h.with(
        VSFTPD_PROBE,
        block("file", "/etc/vsftpd.conf", "listen=YES\ntcp_wrappers=YES\n"),
    );
    let v = h.run("ftp", MGMT);
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    assert_has(&v, &["tcp_wrappers=YES (/etc/vsftpd.conf:2)"]);
    // sshd without libwrap ignores them.
    let h = h.with(
        SSHD_PROBE,
        block("file", "/etc/ssh/sshd_config", "Port 22\n") + "@libwrap /usr/sbin/sshd no\n",
    );
    let v = h.run("ssh", MGMT);
    assert_eq!(v.status, Status::Fail, "{}", v.evidence);
    assert_has(&v, &["not linked with libwrap"]);
}

#[test]
fn sshd_match_address_allow_users_and_listen_address() {
    let h = |cfg: &str, listeners: &str| {
        Host::new(listeners).with(SSHD_PROBE, block("file", "/etc/ssh/sshd_config", cfg))
    };
    let any = "tcp 0.0.0.0 22 sshd\n";
    let v = h(
        "DenyUsers *\nMatch Address 10.203.0.0/24\n  AllowUsers *\n  DenyUsers nobody\n",
        any,
    )
    .run("ssh", MGMT);
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    assert_has(
        &v,
        &["Match Address 10.203.0.0/24 (/etc/ssh/sshd_config:2)"],
    );
    let v = h(
        "Match Address 10.203.0.0/24\n  PasswordAuthentication yes\n",
        any,
    )
    .run("ssh", MGMT);
    assert_eq!(
        v.status,
        Status::Fail,
        "a Match block that denies nothing: {}",
        v.evidence
    );
    let v = h("AllowUsers admin@10.203.0.0/24 vendor\n", any).run("ssh", MGMT);
    assert_eq!(
        v.status,
        Status::Fail,
        "vendor may log in from anywhere: {}",
        v.evidence
    );

    let v = h("ListenAddress 10.203.0.12\n", "tcp 10.203.0.12 22 sshd\n").run("ssh", MGMT);
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    assert_has(&v, &["bound to 10.203.0.12 by ListenAddress 10.203.0.12 (/etc/ssh/sshd_config:1), an address on management network 10.203.0.0/24"]);
    let v = h("ListenAddress 203.0.113.5\n", "tcp 203.0.113.5 22 sshd\n").run("ssh", MGMT);
    assert_eq!(v.status, Status::Fail, "{}", v.evidence);
}

#[test]
fn vsftpd_listen_address() {
    let h = |cfg: &str, listeners: &str| {
        Host::new(listeners).with(VSFTPD_PROBE, block("file", "/etc/vsftpd.conf", cfg))
    };
    let v = h(
        "listen=YES\nlisten_address=10.203.0.11\n",
        "tcp 10.203.0.11 21 vsftpd\n",
    )
    .run("ftp", MGMT);
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    assert_has(
        &v,
        &["bound to 10.203.0.11 by listen_address=10.203.0.11 (/etc/vsftpd.conf:2)"],
    );
    let v = h(
        "listen=YES\nlisten_address=10.1.2.3\n",
        "tcp 10.1.2.3 21 vsftpd\n",
    )
    .run("ftp", MGMT);
    assert_eq!(
        v.status,
        Status::Fail,
        "a private address outside the management network: {}",
        v.evidence
    );
    let v = h(
        "listen=YES\nlisten_address=127.0.0.1\n",
        "tcp 127.0.0.1 21 vsftpd\n",
    )
    .run("ftp", MGMT);
    assert_eq!(v.status, Status::Pass);
    assert_has(&v, &["bound to loopback"]);
}

#[test]
fn mysql_bind_address() {
    let my = |bind: &str| {
        block(
            "file",
            "/etc/mysql/my.cnf",
            "!includedir /etc/mysql/mariadb.conf.d/\n",
        ) + &block(
            "file",
            "/etc/mysql/mariadb.conf.d/50-server.cnf",
            &fixture("mariadb-50-server.cnf").replace("127.0.0.1", bind),
        )
    };
    let v = Host::new("tcp 127.0.0.1 3306 mariadbd\n")
        .with(MYSQL_PROBE, my("127.0.0.1"))
        .run("database", MGMT);
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    assert_has(
        &v,
        &[
            "bound to loopback",
            "bind-address=127.0.0.1 (/etc/mysql/mariadb.conf.d/50-server.cnf:",
        ],
    );
    let v = Host::new("tcp 0.0.0.0 3306 mariadbd\n")
        .with(MYSQL_PROBE, my("0.0.0.0"))
        .run("database", MGMT);
    assert_eq!(v.status, Status::Fail, "{}", v.evidence);
    assert_has(&v, &["bind-address=0.0.0.0"]);
    // Other databases by port, without a program name (not root).
    let v = Host::new("tcp * 6379 -\n")
        .with(MYSQL_PROBE, "")
        .run("database", MGMT);
    assert_eq!(v.status, Status::Fail);
    assert_has(&v, &["port 6379 on *:6379"]);
}

#[test]
fn apache_require_ip_for_admin_paths() {
    let debian = |extra: &str| {
        block(
            "file",
            "/etc/apache2/apache2.conf",
            &fixture("apache2.conf"),
        ) + &block(
            "file",
            "/etc/apache2/ports.conf",
            &fixture("apache-ports.conf"),
        ) + &block(
            "file",
            "/etc/apache2/mods-enabled/status.conf",
            &fixture("apache-status.conf"),
        ) + &block(
            "file",
            "/etc/apache2/conf-enabled/phpmyadmin.conf",
            &fixture("apache-phpmyadmin.conf"),
        ) + extra
    };
    let h = Host::new("tcp * 80 apache2\n").with(NFT_PROBE, nft("clean"));
    let v = h
        .clone()
        .with(APACHE_PROBE, debian(""))
        .run("admin-web", MGMT);
    assert_eq!(v.status, Status::Fail, "{}", v.evidence);
    assert_has(&v, &[
        "/phpmyadmin (Alias /phpmyadmin /usr/share/phpmyadmin (/etc/apache2/conf-enabled/phpmyadmin.conf:3)) via apache2 on *:80: reachable from",
        "<Directory /usr/share>",
        "/server-status (<Location /server-status> (/etc/apache2/mods-enabled/status.conf:",
    ]);
    let h = h.with(
        APACHE_PROBE,
        debian(&block(
            "file",
            "/etc/apache2/conf-enabled/zz-admin.conf",
            "<Directory /usr/share/phpmyadmin>\n    Require ip 10.203.0.0/24\n</Directory>\n",
        )),
    );
    let v = h.run("admin-web", MGMT);
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    assert_has(&v, &["Require ip 10.203.0.0/24", "Require local"]);
    // A rule under a pattern shipshape cannot compile (a PCRE look-ahead)
    // may be the one that restricts phpMyAdmin: not a fail, and named.
    let v = h
        .clone()
        .with(
            APACHE_PROBE,
            debian(&block(
                "file",
                "/etc/apache2/conf-enabled/zz-admin.conf",
                "<LocationMatch \"^/(?!public)\">\n    Require ip 10.203.0.0/24\n</LocationMatch>\n",
            )),
        )
        .run("admin-web", MGMT);
    assert_eq!(v.status, Status::Skip, "{}", v.evidence);
    assert_has(&v, &[
        "Apache could not be read and may restrict it",
        "not evaluated: <LocationMatch ^/(?!public)> (/etc/apache2/conf-enabled/zz-admin.conf:1) (a pattern shipshape's regex engine does not accept",
        "if it matches /phpmyadmin, its rules decide",
    ]);
}

#[test]
fn loopback_only_and_absent_services() {
    let v = Host::new("tcp 127.0.0.1 22 sshd\ntcp [::1] 22 sshd\n")
        .with(
            SSHD_PROBE,
            block("file", "/etc/ssh/sshd_config", "ListenAddress 127.0.0.1\n"),
        )
        .run("ssh", &[]);
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    assert_has(
        &v,
        &[
            "sshd on 127.0.0.1:22: bound to loopback",
            "sshd on [::1]:22: bound to loopback",
        ],
    );
    let v = Host::new("tcp 0.0.0.0 80 nginx\n").run("telnet", MGMT);
    assert_eq!(v.status, Status::Skip);
    assert_has(&v, &["no telnet service is listening"]);
}

#[test]
fn telnet_through_inetd_and_xinetd() {
    let h = Host::new("tcp 0.0.0.0 23 inetd\n").with(
        INETD_PROBE,
        block(
            "file",
            "/etc/inetd.conf",
            "telnet stream tcp nowait telnetd /usr/sbin/tcpd /usr/sbin/in.telnetd\n",
        ),
    );
    assert_eq!(h.run("telnet", MGMT).status, Status::Fail);
    let h = h.with(
        WRAPPERS_PROBE,
        block(
            "file",
            "/etc/hosts.allow",
            "in.telnetd: 10.203.0.0/255.255.255.0\n",
        ) + &block("file", "/etc/hosts.deny", "in.telnetd: ALL\n"),
    );
    let v = h.run("telnet", MGMT);
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    let v = Host::new("tcp [::] 23 xinetd\n")
        .with(
            INETD_PROBE,
            block(
                "file",
                "/etc/xinetd.d/telnet",
                "service telnet\n{\n  disable = no\n  only_from = 10.203.0.0/24 127.0.0.1\n}\n",
            ),
        )
        .run("telnet", MGMT);
    assert_eq!(v.status, Status::Pass, "{}", v.evidence);
    assert_has(
        &v,
        &["only_from = 10.203.0.0/24 127.0.0.1 (/etc/xinetd.d/telnet:4)"],
    );
}

#[test]
fn firewalld_permanent_configuration_without_root() {
    let fwd = |public: &str| {
        "@running yes\n".to_string()
            + &block(
                "file",
                "/etc/firewalld/firewalld.conf",
                &fixture("firewalld/firewalld.conf"),
            )
            + &block(
                "file",
                "/usr/lib/firewalld/zones/public.xml",
                &fixture(public),
            )
    };
    let h = legacy()
        .no_root()
        .with(FIREWALLD_PROBE, fwd("firewalld/usr-lib-public.xml"));
    let v = h.run("ssh", MGMT);
    assert_eq!(v.status, Status::Fail, "{}", v.evidence);
    assert_has(&v, &["zone public allows service ssh"]);
    let h = legacy().no_root().with(
        FIREWALLD_PROBE,
        fwd("firewalld/usr-lib-public.xml")
            + &block(
                "file",
                "/etc/firewalld/zones/public.xml",
                &fixture("firewalld/etc-public-restricted.xml"),
            ),
    );
    let v = h.run("ssh", MGMT);
    assert_eq!(
        v.status,
        Status::Skip,
        "restrictive config, runtime unread: {}",
        v.evidence
    );
}

#[test]
fn bad_management_networks_and_arguments() {
    let v = clean().run("ssh", &["10.0.0.0/33"]);
    assert_eq!(v.status, Status::Error);
    assert_has(&v, &["management_networks"]);
    let mut with = Params::new();
    assert!(IpRestriction.validate(&with).is_err());
    with.insert("service".into(), serde_json::json!("smtp"));
    assert!(IpRestriction
        .validate(&with)
        .unwrap_err()
        .contains("ssh, ftp"));
    with.insert("service".into(), serde_json::json!("ssh"));
    assert!(IpRestriction
        .probes(&with)
        .contains(&SSHD_PROBE.to_string()));
}

// Found by the fuzz targets (fuzz/): configurations that include themselves
// several times, and chains that jump several times into chains that do the
// same, once took time exponential in the nesting depth. A target's files
// must never be able to hang the audit.

/// A hang detector, not a speed test: the unbounded versions ran for hours,
/// the bounded ones take at most a few seconds of a debug build on a busy
/// machine (the cut-short fan-out below: 1 s idle, 2.4 s beside two fuzzers).
fn quickly<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = std::time::Instant::now();
    let out = f();
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_secs(30),
        "{what} took {took:?}"
    );
    out
}

#[test]
fn an_sshd_config_including_itself_is_read_in_bounded_time() {
    let text = "Include /etc/ssh/sshd_config\n".repeat(10) + "AllowUsers admin@10.203.0.0/24\n";
    let b = dump::parse(&block("file", "/etc/ssh/sshd_config", &text));
    let cfg = quickly("sshd_config", || sshd::parse(&b)).unwrap();
    assert!(!cfg.login_sources().sources.is_any());
}

#[test]
fn an_apache_config_including_itself_is_read_in_bounded_time() {
    let text = "Include /etc/apache2/apache2.conf\n".repeat(10)
        + "<Location /server-status>\nSetHandler server-status\n</Location>\n";
    let b = dump::parse(&block("file", "/etc/apache2/apache2.conf", &text));
    let cfg = quickly("apache2.conf", || apache::parse(&b)).unwrap();
    assert!(!cfg.admin.is_empty());
}

#[test]
fn a_mysql_config_including_itself_is_read_in_bounded_time() {
    let text = "!include /etc/my.cnf\n".repeat(10) + "[mysqld]\nbind-address = 127.0.0.1\n";
    let b = dump::parse(&block("file", "/etc/my.cnf", &text));
    let m = quickly("my.cnf", || daemons::mysql(&b)).unwrap();
    assert_eq!(m.bind_address.unwrap().value, "127.0.0.1");
}

/// iptables-save text of chains C1..C16 under INPUT (policy DROP), each
/// jumping four times into the next; `cond(level, j)` is the jump's match.
fn fan_out(cond: impl Fn(usize, usize) -> String) -> Vec<firewall::Ruleset> {
    let mut t = String::from("# shipshape: iptables-save\n*filter\n:INPUT DROP [0:0]\n");
    for i in 1..=16 {
        t.push_str(&format!(":C{i} - [0:0]\n"));
    }
    for j in 0..4 {
        t.push_str(&format!("-A INPUT {} -j C1\n", cond(0, j)));
    }
    for i in 1..16 {
        for j in 0..4 {
            t.push_str(&format!("-A C{i} {} -j C{}\n", cond(i, j), i + 1));
        }
    }
    // The last chain lets everything fall through, back to the jumps.
    t.push_str("-A C16 -p tcp --dport 23 -j ACCEPT\nCOMMIT\n");
    iptables::parse(&t).unwrap()
}

#[test]
fn chains_that_fan_out_through_jumps_are_evaluated_exactly_and_quickly() {
    // 4^16 paths, but every chain is entered with the same sources each
    // time, so each is walked once.
    let sets = fan_out(|_, _| String::new());
    let answer = quickly("iptables", || sets[0].answer(22));
    // iptables filters IPv4 only.
    assert_eq!(answer.passes(), Sources::any_v6());
    assert!(
        answer.chains[0].uncertain.is_empty(),
        "{:?}",
        answer.chains[0].uncertain
    );
    let telnet = quickly("iptables", || sets[0].answer(23));
    assert_eq!(telnet.passes(), Sources::any());
}

#[test]
fn chains_that_fan_out_with_ever_new_sources_are_cut_short() {
    // Each jump excludes its own network, so every path reaches the last
    // chain with different sources: 4^16 distinct walks.
    let sets = fan_out(|i, j| format!("! -s 10.{i}.{j}.0/24"));
    let answer = quickly("iptables", || sets[0].answer(22));
    // Cut short, the walk over-approximates and says why it is unsure.
    assert!(answer.passes().is_any());
    assert!(
        answer.chains[0]
            .uncertain
            .iter()
            .any(|u| u.contains("rule evaluations")),
        "{:?}",
        answer.chains[0].uncertain
    );
}

#[test]
fn the_services_of_one_host_share_one_reading_and_judge_as_alone() {
    use crate::analyze::derived::Derived;
    let services = ["ssh", "ftp", "telnet", "database", "admin-web"];
    for (name, host) in [
        ("legacy", legacy()),
        ("clean", clean()),
        ("clean, no root", clean().no_root()),
        ("no listeners", clean().with(LISTENERS_PROBE, "")),
    ] {
        let facts = host.facts();
        let params = testkit::params([(MGMT_PARAM, serde_json::json!(MGMT))]);
        let shared = Derived::default();
        for service in services {
            let with = testkit::params([("service", serde_json::json!(service))]);
            let together = IpRestriction.analyze(&Context {
                facts: &facts,
                derived: &shared,
                params: &params,
                with: &with,
                today: testkit::today(),
                eol: testkit::eol(),
            });
            let alone = host.run(service, MGMT);
            assert_eq!(together, alone, "{name}: {service}");
        }
        // The listeners and the packet filters, each read once.
        assert_eq!(format!("{shared:?}"), "Derived(2 values)", "{name}");
    }
    // A probe that needed root is remembered as such, not as empty.
    let mut facts = clean().facts();
    facts.probes.insert(
        LISTENERS_PROBE.into(),
        ProbeResult {
            outcome: ProbeOutcome::NeedsRoot,
            content: Vec::new(),
            truncated: false,
        },
    );
    let shared = Derived::default();
    for _ in 0..2 {
        let v = IpRestriction.analyze(&Context {
            facts: &facts,
            derived: &shared,
            params: &Params::new(),
            with: &testkit::params([("service", serde_json::json!("ssh"))]),
            today: testkit::today(),
            eol: testkit::eol(),
        });
        assert_eq!(v.status, Status::Skip, "{v:?}");
    }
}
