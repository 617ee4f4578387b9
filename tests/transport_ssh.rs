//! The SSH transport against a real OpenSSH server (see support/sshd.rs).
//! Every test starts its own throwaway sshd on 127.0.0.1.

#[path = "support/sshd.rs"]
mod sshd;

use shipshape::secret::Secret;
use shipshape::transport::ssh::{connect, SshOptions, SshTransport};
use shipshape::transport::{ExecLimits, Transport, TransportError};
use sshd::{keygen, Sshd, SshdConfig};
use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

/// The tests run one at a time. Each SSH session starts the user's shell,
/// and on a machine where root's ~/.bashrc runs `pyenv init` (as on this
/// project's CI machine), two sessions starting at once race in `pyenv
/// rehash`, which then prints "cannot rehash" before the script's own
/// output. These tests compare the script's output byte for byte, so they
/// must not start sessions concurrently. (Audits are not affected: the
/// framed output keeps such lines out of every probe.)
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

const PW_USER: &str = "shipshape-pw";
const PW: &str = "Correct-Horse-7-shipshape";

fn limits(secs: u64, cap: usize) -> ExecLimits {
    ExecLimits {
        deadline: Duration::from_secs(secs),
        max_output_bytes: cap,
        sudo: None,
    }
}

/// Options for root on `sshd`, with `known_hosts` at `kh` and nothing from
/// the environment (no agent, no default keys unless `key` is None).
fn opts(sshd: &Sshd, kh: &Path, key: Option<&Path>) -> SshOptions {
    let mut o = SshOptions::new("root");
    o.port = sshd.port;
    o.known_hosts = kh.to_path_buf();
    o.identity_file = key.map(Path::to_path_buf);
    o.use_agent = false;
    o.connect_timeout = Duration::from_secs(5);
    o.auth_timeout = Duration::from_secs(10);
    o
}

/// An sshd, a user key of `key_kind` it accepts, and a known_hosts file
/// listing its host key of `host_kind`.
fn server_with_key(cfg: SshdConfig, key_kind: &str, host_kind: &str) -> (Sshd, PathBuf, PathBuf) {
    let sshd = Sshd::start(cfg);
    let key = sshd.path(&format!("user_{key_kind}"));
    keygen(&key, key_kind, "");
    sshd.authorize(&key.with_extension("pub"));
    let kh = sshd.path("known_hosts");
    fs::write(&kh, sshd.known_hosts_line(host_kind)).expect("known_hosts");
    (sshd, key, kh)
}

fn connect_ok(host: &str, o: &SshOptions) -> SshTransport {
    connect(host, o).unwrap_or_else(|e| panic!("connect failed: {e}"))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn transports_can_move_to_worker_threads() {
    let _serial = serial();
    fn assert_send<T: Send>() {}
    assert_send::<SshTransport>();
    assert_send::<shipshape::transport::local::LocalTransport>();
}

#[test]
fn ed25519_key_runs_script_with_output_and_status() {
    let _serial = serial();
    let (sshd, key, kh) = server_with_key(SshdConfig::default(), "ed25519", "ed25519");
    let mut t = connect_ok("127.0.0.1", &opts(&sshd, &kh, Some(&key)));
    assert_eq!(
        t.host_key(),
        format!("ssh-ed25519 {}", sshd.host_fingerprint("ed25519"))
    );
    assert!(!t.new_host_key_recorded());

    let out = t
        .run_script(
            b"echo hello\necho oops >&2\nprintf 'x=%s\\n' \"$((6 * 7))\"\nexit 3\n",
            &limits(10, 1 << 20),
        )
        .expect("run");
    // stdout and stderr travel separately until merged: order may differ.
    assert_eq!(
        out.bytes.len(),
        "hello\noops\nx=42\n".len(),
        "{:?}",
        String::from_utf8_lossy(&out.bytes)
    );
    assert!(contains(&out.bytes, b"hello\n"));
    assert!(contains(&out.bytes, b"oops\n"));
    assert!(contains(&out.bytes, b"x=42\n"));
    assert_eq!(out.exit_status, Some(3));
    assert!(!out.truncated);

    // The connection serves further runs.
    let out = t
        .run_script(b"id -un\n", &limits(10, 1 << 20))
        .expect("run");
    assert_eq!(out.bytes, b"root\n");
    assert_eq!(out.exit_status, Some(0));

    // The client that reached sshd is the bundled libssh2 1.11, not the
    // system's 1.10.
    assert_eq!(
        sshd.wait_log("remote software version libssh2_1.11", 1),
        1,
        "{}",
        sshd.log()
    );
}

#[test]
fn rsa_user_key_and_rsa_only_host_key() {
    let _serial = serial();
    let cfg = SshdConfig {
        host_keys: vec!["rsa"],
        extra: vec!["HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256".into()],
        ..SshdConfig::default()
    };
    let (sshd, key, kh) = server_with_key(cfg, "rsa", "rsa");
    let mut t = connect_ok("127.0.0.1", &opts(&sshd, &kh, Some(&key)));
    assert_eq!(
        t.host_key(),
        format!("ssh-rsa {}", sshd.host_fingerprint("rsa"))
    );
    let out = t
        .run_script(b"echo rsa ok\n", &limits(10, 1 << 20))
        .expect("run");
    assert_eq!(out.bytes, b"rsa ok\n");
    assert_eq!(out.exit_status, Some(0));
    assert_eq!(sshd.wait_log("Accepted publickey for root", 1), 1);
}

#[test]
fn known_rsa_host_key_is_preferred_over_ed25519() {
    let _serial = serial();
    // The server has both; known_hosts lists only the RSA key. The key
    // exchange must ask for the RSA key rather than fail on ed25519.
    let (sshd, key, kh) = server_with_key(SshdConfig::default(), "ed25519", "rsa");
    let t = connect_ok("127.0.0.1", &opts(&sshd, &kh, Some(&key)));
    assert!(
        t.host_key().starts_with("ssh-rsa SHA256:"),
        "{}",
        t.host_key()
    );
}

#[test]
fn unknown_host_is_refused_before_auth() {
    let _serial = serial();
    let sshd = Sshd::start(SshdConfig::default());
    let key = sshd.path("user_ed25519");
    keygen(&key, "ed25519", "");
    sshd.authorize(&key.with_extension("pub"));
    let kh = sshd.path("none/known_hosts");

    let err = connect("127.0.0.1", &opts(&sshd, &kh, Some(&key))).expect_err("unknown host");
    let TransportError::HostKeyUnknown(msg) = &err else {
        panic!("expected HostKeyUnknown, got {err:?}");
    };
    let fp = sshd.host_fingerprint("ed25519");
    assert!(msg.contains(&format!("ssh-ed25519 {fp}")), "{msg}");
    assert!(msg.contains(&format!("127.0.0.1:{}", sshd.port)), "{msg}");
    assert!(!kh.exists(), "strict checking must not create known_hosts");

    // A known_hosts file with only junk: still unknown, and the junk is named.
    let kh = sshd.path("junk_known_hosts");
    fs::write(&kh, "# header\nlonely-hostname\n").expect("write");
    let err = connect("127.0.0.1", &opts(&sshd, &kh, Some(&key))).expect_err("unknown host");
    assert!(
        matches!(&err, TransportError::HostKeyUnknown(m) if m.contains("line 2: missing key type")),
        "{err:?}"
    );

    // The server saw the connection end without any authentication request.
    sshd.wait_log("Disconnected from", 2);
    let log = sshd.log();
    assert!(!log.contains("userauth-request"), "{log}");
    assert_eq!(sshd.exec_requests(), 0);
}

#[test]
fn accept_new_records_key_then_strict_connect_succeeds() {
    let _serial = serial();
    let sshd = Sshd::start(SshdConfig::default());
    let key = sshd.path("user_ed25519");
    keygen(&key, "ed25519", "");
    sshd.authorize(&key.with_extension("pub"));
    let kh = sshd.path("fresh/dir/known_hosts");

    let mut o = opts(&sshd, &kh, Some(&key));
    o.accept_new_host_keys = true;
    let t = connect_ok("127.0.0.1", &o);
    assert!(t.new_host_key_recorded());
    drop(t);

    let text = fs::read_to_string(&kh).expect("known_hosts written");
    assert_eq!(text, sshd.known_hosts_line("ed25519"));
    let mode = fs::metadata(&kh).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    o.accept_new_host_keys = false;
    let mut t = connect_ok("127.0.0.1", &o);
    assert!(!t.new_host_key_recorded());
    let out = t
        .run_script(b"echo again\n", &limits(10, 1024))
        .expect("run");
    assert_eq!(out.bytes, b"again\n");
    assert_eq!(
        fs::read_to_string(&kh).expect("read"),
        text,
        "no second line"
    );
}

#[test]
fn changed_host_key_is_a_mismatch_even_with_accept_new() {
    let _serial = serial();
    let sshd = Sshd::start(SshdConfig::default());
    let key = sshd.path("user_ed25519");
    keygen(&key, "ed25519", "");
    sshd.authorize(&key.with_extension("pub"));

    // A different ed25519 key on line 3 for this host.
    let other = sshd.path("other_host_key");
    keygen(&other, "ed25519", "");
    let other_pub = fs::read_to_string(other.with_extension("pub")).expect("pub");
    let other_pub: Vec<&str> = other_pub.split_whitespace().take(2).collect();
    let kh = sshd.path("known_hosts");
    let line = format!("[127.0.0.1]:{} {}\n", sshd.port, other_pub.join(" "));
    fs::write(&kh, format!("# mine\nbroken line\n{line}")).expect("known_hosts");

    for accept_new in [false, true] {
        let mut o = opts(&sshd, &kh, Some(&key));
        o.accept_new_host_keys = accept_new;
        let err = connect("127.0.0.1", &o).expect_err("changed key");
        let TransportError::HostKeyMismatch(msg) = &err else {
            panic!("expected HostKeyMismatch, got {err:?}");
        };
        let want = format!(
            "host key for 127.0.0.1:{} (ssh-ed25519 {}) does not match {} line 3",
            sshd.port,
            sshd.host_fingerprint("ed25519"),
            kh.display()
        );
        assert!(msg.contains(&want), "{msg}\nwanted: {want}");
    }

    // Known only with another key type (ecdsa): also a mismatch.
    let ecdsa = sshd.path("other_ecdsa");
    keygen(&ecdsa, "ecdsa", "");
    let ecdsa_pub = fs::read_to_string(ecdsa.with_extension("pub")).expect("pub");
    let ecdsa_pub: Vec<&str> = ecdsa_pub.split_whitespace().take(2).collect();
    fs::write(
        &kh,
        format!("[127.0.0.1]:{} {}\n", sshd.port, ecdsa_pub.join(" ")),
    )
    .expect("known_hosts");
    let err = connect("127.0.0.1", &opts(&sshd, &kh, Some(&key))).expect_err("other type");
    assert!(
        matches!(&err, TransportError::HostKeyMismatch(m) if m.contains("only with ecdsa-sha2-nistp256")),
        "{err:?}"
    );

    sshd.wait_log("Disconnected from", 3);
    assert!(!sshd.log().contains("userauth-request"), "{}", sshd.log());
    assert_eq!(sshd.exec_requests(), 0);
}

#[test]
fn wrong_key_is_auth_failed() {
    let _serial = serial();
    let (sshd, _key, kh) = server_with_key(SshdConfig::default(), "ed25519", "ed25519");
    let wrong = sshd.path("wrong_key");
    keygen(&wrong, "ed25519", "");
    let err = connect("127.0.0.1", &opts(&sshd, &kh, Some(&wrong))).expect_err("wrong key");
    let TransportError::AuthFailed(msg) = &err else {
        panic!("expected AuthFailed, got {err:?}");
    };
    assert!(
        msg.contains(&format!("publickey {} (rejected)", wrong.display())),
        "{msg}"
    );
    assert!(msg.contains("server accepts publickey"), "{msg}");
}

#[test]
fn encrypted_key_needs_its_passphrase() {
    let _serial = serial();
    let sshd = Sshd::start(SshdConfig::default());
    let key = sshd.path("user_locked");
    keygen(&key, "ed25519", "s3cret-pass");
    sshd.authorize(&key.with_extension("pub"));
    let kh = sshd.path("known_hosts");
    fs::write(&kh, sshd.known_hosts_line("ed25519")).expect("known_hosts");

    let mut o = opts(&sshd, &kh, Some(&key));
    o.key_passphrase = Some(Secret::new("s3cret-pass"));
    let mut t = connect_ok("127.0.0.1", &o);
    let out = t
        .run_script(b"echo unlocked\n", &limits(10, 1024))
        .expect("run");
    assert_eq!(out.bytes, b"unlocked\n");

    o.key_passphrase = Some(Secret::new("not-it"));
    let err = connect("127.0.0.1", &o).expect_err("wrong passphrase");
    assert!(
        matches!(&err, TransportError::AuthFailed(m) if m.contains("wrong passphrase") && !m.contains("not-it")),
        "{err:?}"
    );
}

#[test]
fn password_auth_from_options() {
    let _serial = serial();
    sshd::ensure_password_user(PW_USER, PW);
    let sshd = Sshd::start(SshdConfig {
        password_auth: true,
        ..SshdConfig::default()
    });
    let kh = sshd.path("known_hosts");
    fs::write(&kh, sshd.known_hosts_line("ed25519")).expect("known_hosts");

    let mut o = opts(&sshd, &kh, None);
    o.user = PW_USER.into();
    o.password = Some(Secret::new(PW));
    let mut t = connect_ok("127.0.0.1", &o);
    let out = t.run_script(b"id -un\n", &limits(10, 1024)).expect("run");
    assert_eq!(out.bytes, format!("{PW_USER}\n").as_bytes());
    assert_eq!(out.exit_status, Some(0));

    o.password = Some(Secret::new("Wrong-Password-123"));
    let err = connect("127.0.0.1", &o).expect_err("wrong password");
    let TransportError::AuthFailed(msg) = &err else {
        panic!("expected AuthFailed, got {err:?}");
    };
    assert!(msg.contains("password (rejected)"), "{msg}");
    assert!(
        !msg.contains("Wrong-Password"),
        "the password leaked: {msg}"
    );
    assert!(!format!("{o:?}").contains("Wrong-Password"));
}

#[test]
fn stderr_flood_then_stdout_arrives_whole() {
    let _serial = serial();
    let (sshd, key, kh) = server_with_key(SshdConfig::default(), "ed25519", "ed25519");
    let mut t = connect_ok("127.0.0.1", &opts(&sshd, &kh, Some(&key)));
    let script = b"head -c 1048576 /dev/zero | tr '\\0' e >&2\n\
                   head -c 1048576 /dev/zero | tr '\\0' o\n";
    let start = Instant::now();
    let out = t.run_script(script, &limits(30, 8 << 20)).expect("run");
    assert!(start.elapsed() < Duration::from_secs(15));
    assert_eq!(out.bytes.len(), 2 << 20);
    assert_eq!(out.bytes.iter().filter(|&&b| b == b'e').count(), 1 << 20);
    assert_eq!(out.bytes.iter().filter(|&&b| b == b'o').count(), 1 << 20);
    assert_eq!(out.exit_status, Some(0));
    assert!(!out.truncated);
}

#[test]
fn large_script_is_fed_while_output_flows() {
    let _serial = serial();
    // 3 MB of script that prints as it goes: more than either SSH window,
    // so stdin and stdout must be serviced together.
    let (sshd, key, kh) = server_with_key(SshdConfig::default(), "ed25519", "ed25519");
    let mut t = connect_ok("127.0.0.1", &opts(&sshd, &kh, Some(&key)));
    let mut script = Vec::new();
    let filler = "x".repeat(200);
    for i in 0..12_000 {
        script.extend_from_slice(format!("echo line{i} {filler}\n").as_bytes());
        script.extend_from_slice(format!("# {filler}\n").as_bytes());
    }
    assert!(script.len() > 2 << 20);
    let out = t.run_script(&script, &limits(60, 16 << 20)).expect("run");
    assert!(out
        .bytes
        .ends_with(format!("line11999 {filler}\n").as_bytes()));
    assert_eq!(out.exit_status, Some(0));
}

#[test]
fn output_cap_truncates() {
    let _serial = serial();
    let (sshd, key, kh) = server_with_key(SshdConfig::default(), "ed25519", "ed25519");
    let mut t = connect_ok("127.0.0.1", &opts(&sshd, &kh, Some(&key)));
    let out = t
        .run_script(b"yes shipshape | head -c 5000000\n", &limits(20, 10_000))
        .expect("run");
    assert!(out.truncated);
    assert_eq!(out.bytes.len(), 10_000);
    assert!(out.bytes.starts_with(b"shipshape\nshipshape\n"));

    // Exactly at the cap is not truncated.
    let out = t
        .run_script(b"printf 12345\n", &limits(10, 5))
        .expect("run");
    assert!(!out.truncated);
    assert_eq!(out.bytes, b"12345");
    assert_eq!(out.exit_status, Some(0));
}

#[test]
fn script_past_deadline_times_out() {
    let _serial = serial();
    let (sshd, key, kh) = server_with_key(SshdConfig::default(), "ed25519", "ed25519");
    let mut t = connect_ok("127.0.0.1", &opts(&sshd, &kh, Some(&key)));
    let start = Instant::now();
    let err = t
        .run_script(b"echo started\nsleep 5\n", &limits(1, 1024))
        .expect_err("deadline");
    let took = start.elapsed();
    assert!(matches!(err, TransportError::Timeout(_)), "{err:?}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[test]
fn silent_listener_times_out_in_handshake() {
    let _serial = serial();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    // Accept and never say a word.
    thread::spawn(move || {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept() {
            held.push(s);
        }
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let mut o = SshOptions::new("root");
    o.port = port;
    o.known_hosts = dir.path().join("known_hosts");
    o.use_agent = false;
    o.connect_timeout = Duration::from_secs(1);
    let start = Instant::now();
    let err = connect("127.0.0.1", &o).expect_err("silent peer");
    let took = start.elapsed();
    assert!(matches!(err, TransportError::Timeout(_)), "{err:?}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[test]
fn closed_port_and_unknown_name_are_unreachable() {
    let _serial = serial();
    let port = sshd::free_port();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut o = SshOptions::new("root");
    o.port = port;
    o.known_hosts = dir.path().join("known_hosts");
    o.use_agent = false;
    let err = connect("127.0.0.1", &o).expect_err("closed port");
    assert!(
        matches!(&err, TransportError::Unreachable(m) if m.contains("refused")),
        "{err:?}"
    );
    let err = connect("no-such-host.invalid", &o).expect_err("bad name");
    assert!(
        matches!(&err, TransportError::Unreachable(m) if m.contains("no-such-host.invalid")),
        "{err:?}"
    );
}

#[test]
fn exactly_one_exec_per_run_script() {
    let _serial = serial();
    let (sshd, key, kh) = server_with_key(SshdConfig::default(), "ed25519", "ed25519");
    let mut t = connect_ok("127.0.0.1", &opts(&sshd, &kh, Some(&key)));
    let mut script = String::new();
    for i in 0..50 {
        script.push_str(&format!("echo probe{i}; uname -s >/dev/null\n"));
    }
    let out = t
        .run_script(script.as_bytes(), &limits(10, 1 << 20))
        .expect("run");
    assert!(contains(&out.bytes, b"probe49\n"));
    assert_eq!(sshd.wait_log("req exec", 1), 1, "{}", sshd.log());
    t.run_script(b"true\n", &limits(10, 1024)).expect("run");
    assert_eq!(sshd.wait_log("req exec", 2), 2);
    drop(t);
    thread::sleep(Duration::from_millis(200));
    assert_eq!(sshd.exec_requests(), 2, "{}", sshd.log());
    assert!(sshd.log().contains("req exec"));
}
