//! ProxyJump in the SSH transport, against throwaway OpenSSH servers on
//! 127.0.0.1 (see support/sshd.rs): a jump server and a target server; the
//! target's session runs through a direct-tcpip channel of the jump
//! server's, relayed over a loopback socket pair.

#[path = "support/sshd.rs"]
mod sshd;

use shipshape::transport::ssh::{connect, Jump, SshOptions};
use shipshape::transport::{ExecLimits, Transport, TransportError};
use sshd::{keygen, Sshd, SshdConfig};
use std::fs;
use std::path::Path;
use std::time::Duration;

struct Rig {
    jump: Sshd,
    target: Sshd,
    key: std::path::PathBuf,
    known_hosts: std::path::PathBuf,
}

fn rig(jump_extra: &[&str]) -> Rig {
    let jump = Sshd::start(SshdConfig {
        extra: jump_extra.iter().map(|s| s.to_string()).collect(),
        ..SshdConfig::default()
    });
    let target = Sshd::start(SshdConfig::default());
    let key = jump.path("user_ed25519");
    keygen(&key, "ed25519", "");
    jump.authorize(&key.with_extension("pub"));
    target.authorize(&key.with_extension("pub"));
    let known_hosts = jump.path("known_hosts");
    fs::write(
        &known_hosts,
        jump.known_hosts_line("ed25519") + &target.known_hosts_line("ed25519"),
    )
    .unwrap();
    Rig {
        jump,
        target,
        key,
        known_hosts,
    }
}

fn opts(port: u16, key: &Path, kh: &Path) -> SshOptions {
    let mut o = SshOptions::new("root");
    o.port = port;
    o.identity_file = Some(key.to_path_buf());
    o.known_hosts = kh.to_path_buf();
    o.use_agent = false;
    o.connect_timeout = Duration::from_secs(5);
    o.auth_timeout = Duration::from_secs(10);
    o
}

fn via_jump(r: &Rig, hops: usize) -> SshOptions {
    let mut o = opts(r.target.port, &r.key, &r.known_hosts);
    for i in 0..hops {
        o.jumps.push(Jump {
            host: "127.0.0.1".into(),
            label: format!("hop{i}"),
            opts: opts(r.jump.port, &r.key, &r.known_hosts),
        });
    }
    o
}

fn limits() -> ExecLimits {
    ExecLimits {
        deadline: Duration::from_secs(60),
        max_output_bytes: 64 * 1024 * 1024,
        sudo: None,
    }
}

#[test]
fn a_script_runs_through_one_and_two_hops_with_large_input_and_output() {
    let r = rig(&[]);
    for hops in [1, 2] {
        let before = (r.target.exec_requests(), r.jump.exec_requests());
        let mut t = connect("127.0.0.1", &via_jump(&r, hops))
            .unwrap_or_else(|e| panic!("{hops} hop(s): {e}"));
        // 1 MiB of script in, 4 MiB of output back: flow control both ways.
        let mut script = String::from("cat >/dev/null <<'PAD'\n");
        for _ in 0..16384 {
            script.push_str(&"x".repeat(63));
            script.push('\n');
        }
        script.push_str("PAD\nhead -c 4194304 /dev/zero | tr '\\0' a\necho; echo done; exit 3\n");
        let out = t.run_script(script.as_bytes(), &limits()).unwrap();
        assert_eq!(out.exit_status, Some(3));
        assert_eq!(out.bytes.len(), 4 * 1024 * 1024 + 6);
        assert!(out.bytes.ends_with(b"a\ndone\n"));
        drop(t);
        // One exec on the target, none on the jump server.
        assert_eq!(
            (r.target.exec_requests(), r.jump.exec_requests()),
            (before.0 + 1, before.1)
        );
    }
    // Dropping the transport closed every hop's session.
    assert!(
        r.jump.wait_log("Disconnected from user root", 3) >= 3,
        "{}",
        r.jump.log()
    );
}

#[test]
fn a_jump_hosts_key_is_checked_and_errors_name_the_hop() {
    let r = rig(&[]);
    // Only the target's key is known: the jump server's is unknown.
    let kh = r.jump.path("known_hosts_target_only");
    fs::write(&kh, r.target.known_hosts_line("ed25519")).unwrap();
    let mut o = via_jump(&r, 1);
    o.jumps[0].opts.known_hosts = kh.clone();
    let err = connect("127.0.0.1", &o).unwrap_err();
    assert!(
        matches!(&err, TransportError::HostKeyUnknown(m) if m.starts_with("jump host hop0: ")),
        "{err:?}"
    );
    // A changed key of the jump server: mismatch, nothing sent to it.
    let other = Sshd::start(SshdConfig::default());
    let line = format!(
        "[127.0.0.1]:{} {}\n",
        r.jump.port,
        other.host_public_key("ed25519")
    );
    fs::write(&kh, line).unwrap();
    let err = connect("127.0.0.1", &o).unwrap_err();
    assert!(
        matches!(&err, TransportError::HostKeyMismatch(m) if m.starts_with("jump host hop0: ")),
        "{err:?}"
    );
    assert_eq!(r.target.exec_requests(), 0);
}

#[test]
fn a_jump_host_that_refuses_forwarding_is_named() {
    let r = rig(&["AllowTcpForwarding no"]);
    let err = connect("127.0.0.1", &via_jump(&r, 1)).unwrap_err();
    match &err {
        TransportError::Unreachable(m) => {
            assert!(
                m.starts_with("jump host hop0: cannot open a tunnel to 127.0.0.1:"),
                "{m}"
            );
        }
        other => panic!("{other:?}"),
    }
    // A target port where nothing listens, behind a working jump host.
    let r = rig(&[]);
    let mut o = via_jump(&r, 1);
    o.port = sshd::free_port();
    let err = connect("127.0.0.1", &o).unwrap_err();
    assert!(
        matches!(&err, TransportError::Unreachable(m) if m.contains("jump host hop0")),
        "{err:?}"
    );
}
