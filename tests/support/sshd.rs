//! A real, throwaway OpenSSH server for integration tests.
//!
//! Each [`Sshd`] runs `/usr/sbin/sshd -D -E <log> -f <cfg> -p <port>` on 127.0.0.1
//! with its own host keys, config, `authorized_keys` and DEBUG1 log, all in a
//! temporary directory; the system's sshd service is never touched. Dropping
//! it kills the server. Needs root (as the tests here run): sshd switches to
//! the logged-in user.
#![allow(dead_code)]

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};
use tempfile::TempDir;

pub const SSHD: &str = "/usr/sbin/sshd";

/// What the server should look like.
#[derive(Debug, Clone)]
pub struct SshdConfig {
    /// Host key types to generate and serve: "ed25519", "rsa", "ecdsa".
    pub host_keys: Vec<&'static str>,
    pub password_auth: bool,
    /// Extra sshd_config lines, e.g. `HostKeyAlgorithms rsa-sha2-512`.
    pub extra: Vec<String>,
}

impl Default for SshdConfig {
    fn default() -> Self {
        SshdConfig {
            host_keys: vec!["ed25519", "rsa"],
            password_auth: false,
            extra: Vec::new(),
        }
    }
}

pub struct Sshd {
    pub port: u16,
    pub dir: TempDir,
    child: Child,
    log: PathBuf,
}

impl Sshd {
    pub fn start(cfg: SshdConfig) -> Sshd {
        ensure_openssh_server();
        assert_eq!(
            run("id", &["-u"]).trim(),
            "0",
            "the sshd test helper must run as root"
        );
        // sshd refuses to start without its privilege separation directory.
        fs::create_dir_all("/run/sshd").expect("create /run/sshd");

        let dir = tempfile::Builder::new()
            .prefix("shipshape-sshd-")
            .tempdir()
            .expect("tempdir");
        let mut config = format!(
            "ListenAddress 127.0.0.1\n\
             PidFile none\n\
             AuthorizedKeysFile {dir}/authorized_keys\n\
             StrictModes no\n\
             UsePAM no\n\
             PermitRootLogin yes\n\
             PubkeyAuthentication yes\n\
             PasswordAuthentication {pw}\n\
             KbdInteractiveAuthentication no\n\
             PermitEmptyPasswords no\n\
             UseDNS no\n\
             PrintMotd no\n\
             MaxStartups 100\n\
             LogLevel DEBUG1\n",
            dir = dir.path().display(),
            pw = if cfg.password_auth { "yes" } else { "no" },
        );
        for kind in &cfg.host_keys {
            let key = dir.path().join(format!("ssh_host_{kind}_key"));
            keygen(&key, kind, "");
            config.push_str(&format!("HostKey {}\n", key.display()));
        }
        for line in &cfg.extra {
            config.push_str(line);
            config.push('\n');
        }
        fs::write(dir.path().join("authorized_keys"), "").expect("authorized_keys");
        let cfg_path = dir.path().join("sshd_config");
        fs::write(&cfg_path, config).expect("sshd_config");
        let log = dir.path().join("sshd.log");

        // The port is free when we look; another test may take it before
        // sshd binds, so retry on a bind failure.
        for _ in 0..5 {
            let port = free_port();
            File::create(&log).expect("log file");
            let mut child = Command::new(SSHD)
                .arg("-D")
                // -E, not -e: with -e the session child's debug lines go to
                // its stderr, which is the channel, and pollute the output.
                .arg("-E")
                .arg(&log)
                .arg("-f")
                .arg(&cfg_path)
                .arg("-p")
                .arg(port.to_string())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn sshd");
            let listening = format!("Server listening on 127.0.0.1 port {port}.");
            let until = Instant::now() + Duration::from_secs(10);
            loop {
                let text = fs::read_to_string(&log).unwrap_or_default();
                if text.contains(&listening) {
                    return Sshd {
                        port,
                        dir,
                        child,
                        log,
                    };
                }
                if let Ok(Some(_)) = child.try_wait() {
                    if text.contains("Address already in use") {
                        break;
                    }
                    panic!("sshd exited at start:\n{text}");
                }
                if Instant::now() > until {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("sshd did not start listening in 10 s:\n{text}");
                }
                thread::sleep(Duration::from_millis(10));
            }
        }
        panic!("could not find a free port for sshd");
    }

    /// The PID of the listening sshd (session processes are its children).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Allow a user key (any user: one file for all).
    pub fn authorize(&self, public_key: &Path) {
        let key = fs::read_to_string(public_key).expect("public key");
        let mut f = OpenOptions::new()
            .append(true)
            .open(self.path("authorized_keys"))
            .expect("authorized_keys");
        f.write_all(key.as_bytes()).expect("append key");
    }

    /// `ssh-ed25519 AAAA…` of one of the server's host keys.
    pub fn host_public_key(&self, kind: &str) -> String {
        let text = fs::read_to_string(self.path(&format!("ssh_host_{kind}_key.pub")))
            .expect("host key .pub");
        let mut fields = text.split_whitespace();
        format!(
            "{} {}",
            fields.next().expect("key type"),
            fields.next().expect("key")
        )
    }

    /// OpenSSH's fingerprint of a host key, `SHA256:…`.
    pub fn host_fingerprint(&self, kind: &str) -> String {
        let pubkey = self.path(&format!("ssh_host_{kind}_key.pub"));
        fingerprint(&pubkey)
    }

    /// A known_hosts line for this server and one of its host keys.
    pub fn known_hosts_line(&self, kind: &str) -> String {
        format!("[127.0.0.1]:{} {}\n", self.port, self.host_public_key(kind))
    }

    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Wait until the log contains `needle` `count` times (or 5 s pass);
    /// returns how many times it does.
    pub fn wait_log(&self, needle: &str, count: usize) -> usize {
        let until = Instant::now() + Duration::from_secs(5);
        loop {
            let n = self.log().matches(needle).count();
            if n >= count || Instant::now() > until {
                return n;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Number of `exec` channel requests the server received.
    pub fn exec_requests(&self) -> usize {
        self.log().matches("req exec").count()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Install openssh-server once if the binary is missing (root, Debian).
pub fn ensure_openssh_server() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        if Path::new(SSHD).exists() {
            return;
        }
        let status = Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "openssh-server"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status();
        if !Path::new(SSHD).exists() {
            let _ = Command::new("apt-get").arg("update").status();
            let _ = Command::new("apt-get")
                .args(["install", "-y", "--no-install-recommends", "openssh-server"])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status();
        }
        assert!(
            Path::new(SSHD).exists(),
            "{SSHD} missing and `apt-get install openssh-server` failed: {status:?}"
        );
    });
}

/// Generate a key pair at `path` / `path.pub`.
pub fn keygen(path: &Path, kind: &str, passphrase: &str) {
    let mut args = vec!["-q", "-t", kind, "-N", passphrase, "-C", "shipshape-test"];
    if kind == "rsa" {
        args.extend(["-b", "2048"]);
    }
    let path_str = path.to_str().expect("utf-8 path");
    args.extend(["-f", path_str]);
    run("ssh-keygen", &args);
}

pub fn fingerprint(public_key: &Path) -> String {
    let out = run(
        "ssh-keygen",
        &["-l", "-E", "sha256", "-f", path_str(public_key)],
    );
    out.split_whitespace()
        .nth(1)
        .expect("fingerprint field")
        .to_string()
}

/// Create (once) a local user with a known password, for password auth.
/// `UsePAM no` makes sshd check the shadow hash itself.
pub fn ensure_password_user(name: &str, password: &str) {
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let exists = Command::new("id")
        .arg(name)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !exists {
        run("useradd", &["-m", "-s", "/bin/sh", name]);
    }
    let mut child = Command::new("chpasswd")
        .stdin(Stdio::piped())
        .spawn()
        .expect("chpasswd");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{name}:{password}\n").as_bytes())
        .expect("write chpasswd");
    assert!(child.wait().expect("chpasswd").success(), "chpasswd failed");
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn run(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
