//! SSH transport on the ssh2 crate (libssh2 built from the copy bundled in
//! libssh2-sys, with OpenSSL).
//!
//! One connection per host: resolve, TCP connect (TCP_NODELAY before the
//! handshake), SSH handshake, host key check against known_hosts BEFORE any
//! authentication, then agent / key file / password. [`SshTransport`] then
//! runs each script over ONE session channel with ONE `exec("sh -s")`, the
//! script on stdin and stderr merged into stdout, bounded by a deadline and an
//! output cap.
//!
//! Every phase has its own time limit: name resolution and each TCP connect
//! attempt and the handshake take at most `connect_timeout` each, all of
//! authentication `auth_timeout`, a script run `ExecLimits::deadline`.

use super::known_hosts::{self, HostKeyCheck, KnownHosts};
use super::relay::{self, Relays};
use super::{ExecLimits, ExecOutput, Transport, TransportError};
use crate::secret::Secret;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ssh2::{
    BlockDirections, Channel, ErrorCode, ExtendedData, HashType, KeyboardInteractivePrompt,
    MethodType, Prompt, Session,
};
use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::os::fd::AsRawFd;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Environment variable the CLI reads the SSH password from (the caller puts
/// it into [`SshOptions::password`]).
pub const PASSWORD_ENV: &str = "SHIPSHAPE_PASSWORD";
/// Environment variable holding the passphrase of encrypted key files; read
/// by [`connect`] when [`SshOptions::key_passphrase`] is `None`.
pub const KEY_PASSPHRASE_ENV: &str = "SHIPSHAPE_KEY_PASSPHRASE";

/// The remote command of every run: the script arrives on its stdin.
const REMOTE_COMMAND: &str = "sh -s";

// libssh2 error codes (LIBSSH2_ERROR_*) that change what we report.
const LIBSSH2_ERROR_SOCKET_DISCONNECT: i32 = -13;
const LIBSSH2_ERROR_BANNER_RECV: i32 = -2;
const LIBSSH2_ERROR_TIMEOUT: i32 = -9;
const LIBSSH2_ERROR_PASSWORD_EXPIRED: i32 = -15;
const LIBSSH2_ERROR_FILE: i32 = -16;
const LIBSSH2_ERROR_AUTHENTICATION_FAILED: i32 = -18;
const LIBSSH2_ERROR_SOCKET_TIMEOUT: i32 = -30;
const LIBSSH2_ERROR_EAGAIN: i32 = -37;

/// How to reach and authenticate to one host.
#[derive(Debug, Clone)]
pub struct SshOptions {
    pub user: String,
    pub port: u16,
    /// Explicit key file (`--identity`). When `None` and `identity_files`
    /// is empty, `~/.ssh/id_ed25519`, `~/.ssh/id_rsa` and `~/.ssh/id_ecdsa`
    /// are tried, those that exist.
    pub identity_file: Option<PathBuf>,
    /// Key files from ssh_config (`IdentityFile`), tried in order when
    /// `identity_file` is `None`.
    pub identity_files: Vec<PathBuf>,
    /// Password for `password` / `keyboard-interactive` auth, tried last.
    /// The CLI fills it from [`PASSWORD_ENV`].
    pub password: Option<Secret>,
    /// Passphrase for encrypted key files. When `None`, [`connect`] reads
    /// [`KEY_PASSPHRASE_ENV`].
    pub key_passphrase: Option<Secret>,
    pub known_hosts: PathBuf,
    /// Record the key of a host that known_hosts does not list (never
    /// overrides a listed host's key).
    pub accept_new_host_keys: bool,
    /// Bound on name resolution, on each TCP connect attempt and on the SSH
    /// handshake, each.
    pub connect_timeout: Duration,
    /// Bound on the whole authentication phase.
    pub auth_timeout: Duration,
    /// Try the ssh-agent at `SSH_AUTH_SOCK`, when that is set.
    pub use_agent: bool,
    /// Jump hosts (ProxyJump), first one first: the connection to the host
    /// goes through a `direct-tcpip` channel of the last one, whose own
    /// connection goes through the one before it.
    pub jumps: Vec<Jump>,
}

/// One jump host: where it is and how to log in to it. Its host key is
/// checked against its own `known_hosts` exactly like a target's.
#[derive(Debug, Clone)]
pub struct Jump {
    /// Name or address to connect to (and to look up in known_hosts).
    pub host: String,
    /// How the jump host is named in messages (e.g. its ssh_config alias).
    pub label: String,
    pub opts: SshOptions,
}

impl SshOptions {
    /// Defaults: port 22, `~/.ssh/known_hosts`, strict host key checking,
    /// 10 s connect, 30 s auth, agent on, default key files.
    pub fn new(user: impl Into<String>) -> Self {
        SshOptions {
            user: user.into(),
            port: 22,
            identity_file: None,
            identity_files: Vec::new(),
            password: None,
            key_passphrase: None,
            known_hosts: home_dir()
                .map(|h| h.join(".ssh").join("known_hosts"))
                .unwrap_or_else(|| PathBuf::from(".ssh/known_hosts")),
            accept_new_host_keys: false,
            connect_timeout: Duration::from_secs(10),
            auth_timeout: Duration::from_secs(30),
            use_agent: true,
            jumps: Vec::new(),
        }
    }
}

/// An authenticated SSH connection to one host.
pub struct SshTransport {
    session: Session,
    /// A second handle on the session's socket, used only to wait until it
    /// is readable while libssh2 runs non-blocking.
    socket: TcpStream,
    target: String,
    host_key: String,
    new_host_key_recorded: bool,
    known_hosts_warnings: Vec<String>,
    /// Reason sent in the SSH disconnect message on drop.
    goodbye: &'static str,
    /// The ProxyJump relays this connection runs over; last, so that they
    /// are dropped after the session (see `relay`).
    relays: Relays,
}

impl std::fmt::Debug for SshTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SshTransport")
            .field("target", &self.target)
            .field("host_key", &self.host_key)
            .finish_non_exhaustive()
    }
}

impl SshTransport {
    pub(super) fn session(&self) -> &Session {
        &self.session
    }

    pub(super) fn socket_fd(&self) -> i32 {
        self.socket.as_raw_fd()
    }

    /// `host:port` as used in messages.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The host key, as `ssh-ed25519 SHA256:…`.
    pub fn host_key(&self) -> &str {
        &self.host_key
    }

    /// True when this connection added the host's key to known_hosts.
    pub fn new_host_key_recorded(&self) -> bool {
        self.new_host_key_recorded
    }

    /// Lines of the known_hosts file that could not be used, as
    /// `line N: reason`.
    pub fn known_hosts_warnings(&self) -> &[String] {
        &self.known_hosts_warnings
    }

    /// The server's identification string, e.g. `SSH-2.0-OpenSSH_9.2p1 …`.
    pub fn server_banner(&self) -> Option<String> {
        self.session.banner().map(str::to_string)
    }

    /// Wait until the socket has data (or `limit` passes). libssh2 keeps the
    /// socket non-blocking; std has no poll, so block in a `peek` with a read
    /// timeout and switch back.
    fn wait_socket(&self, limit: Duration) {
        let limit = limit.max(Duration::from_millis(1));
        match self.session.block_directions() {
            BlockDirections::Inbound | BlockDirections::Both => {
                if self.socket.set_nonblocking(false).is_ok() {
                    let _ = self.socket.set_read_timeout(Some(limit));
                    let _ = self.socket.peek(&mut [0u8; 1]);
                    let _ = self.socket.set_nonblocking(true);
                } else {
                    thread::sleep(limit.min(Duration::from_millis(2)));
                }
            }
            // Kernel send buffer full, or a window adjust pending: short nap.
            _ => thread::sleep(limit.min(Duration::from_millis(1))),
        }
    }

    fn timeout_error(&self, limits: &ExecLimits, phase: &str) -> TransportError {
        TransportError::Timeout(format!(
            "script on {} did not finish within {} ({phase})",
            self.target,
            secs(limits.deadline)
        ))
    }

    /// Feed the script and collect output until EOF, the cap or the deadline.
    /// The session is non-blocking during this.
    fn pump(
        &self,
        channel: &mut Channel,
        script: &[u8],
        limits: &ExecLimits,
        deadline: Instant,
    ) -> Result<ExecOutput, TransportError> {
        let mut out = ExecOutput::default();
        let mut written = 0usize;
        let mut stdin_open = true;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let mut progress = false;
            if stdin_open {
                if written < script.len() {
                    match channel.write(&script[written..]) {
                        Ok(n) => {
                            written += n;
                            progress |= n > 0;
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                        // The remote closed its end (the script exited before
                        // reading everything): nothing more to send.
                        Err(_) => stdin_open = false,
                    }
                } else {
                    match channel.send_eof() {
                        Ok(()) => {
                            stdin_open = false;
                            progress = true;
                        }
                        Err(e) if e.code() == ErrorCode::Session(LIBSSH2_ERROR_EAGAIN) => {}
                        Err(_) => stdin_open = false,
                    }
                }
            }

            let room = limits.max_output_bytes.saturating_sub(out.bytes.len());
            // At the cap, read one byte more only to learn whether anything
            // is beyond it.
            let want = room.clamp(1, buf.len());
            match channel.read(&mut buf[..want]) {
                Ok(0) => {
                    if channel.eof() {
                        return Ok(out);
                    }
                }
                Ok(n) => {
                    if room == 0 {
                        out.truncated = true;
                        return Ok(out);
                    }
                    out.bytes.extend_from_slice(&buf[..n]);
                    progress = true;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => {
                    return Err(TransportError::Other(format!(
                        "the connection to {} was lost while the script ran ({e}): the host was not fully audited",
                        self.target
                    )))
                }
            }

            if !progress {
                let now = Instant::now();
                if now >= deadline {
                    return Err(self.timeout_error(limits, "still running"));
                }
                self.wait_socket((deadline - now).min(Duration::from_millis(50)));
            }
        }
    }

    fn run_on_channel(
        &self,
        channel: &mut Channel,
        script: &[u8],
        limits: &ExecLimits,
        deadline: Instant,
    ) -> Result<ExecOutput, TransportError> {
        let target = &self.target;
        // With --become, sudo's preamble (the password, if any) goes ahead
        // of the script on the same standard input.
        let (command, input) = match &limits.sudo {
            None => (REMOTE_COMMAND.to_string(), None),
            Some(sudo) => {
                let mut input = sudo.stdin_prefix().ok_or_else(|| {
                    TransportError::Other(format!(
                        "the sudo password for {target} holds a line break, which sudo cannot read"
                    ))
                })?;
                input.extend_from_slice(script);
                (sudo.command(), Some(input))
            }
        };
        let script = input.as_deref().unwrap_or(script);
        self.session.set_timeout(ms(remaining(deadline)));
        channel
            .handle_extended_data(ExtendedData::Merge)
            .map_err(|e| exec_error(target, "merging stderr into stdout", &e, limits))?;
        channel
            .exec(&command)
            .map_err(|e| exec_error(target, &format!("starting `{command}`"), &e, limits))?;

        self.session.set_blocking(false);
        let pumped = self.pump(channel, script, limits, deadline);
        self.session.set_blocking(true);
        let mut out = pumped?;

        if out.truncated {
            // Stop the flow: our close makes sshd close the script's pipes,
            // so it dies on its next write. Its exit status is not awaited.
            self.session
                .set_timeout(ms(remaining(deadline)
                    .clamp(Duration::from_millis(100), Duration::from_millis(500))));
            let _ = channel.close();
            return Ok(out);
        }

        // EOF seen: the exit status and close follow right behind.
        let Some(left) = nonzero_remaining(deadline) else {
            return Err(self.timeout_error(limits, "waiting for exit status"));
        };
        self.session.set_timeout(ms(left));
        match channel.wait_close() {
            Ok(()) => {
                let signalled = channel
                    .exit_signal()
                    .map(|s| s.exit_signal.is_some())
                    .unwrap_or(false);
                if !signalled {
                    out.exit_status = channel.exit_status().ok();
                }
                Ok(out)
            }
            Err(e) if is_timeout(&e) => {
                Err(self.timeout_error(limits, "output closed, not exited"))
            }
            Err(e) => Err(TransportError::Other(format!(
                "closing the channel on {target}: {}",
                e.message()
            ))),
        }
    }
}

impl Transport for SshTransport {
    fn run_script(
        &mut self,
        script: &[u8],
        limits: &ExecLimits,
    ) -> Result<ExecOutput, TransportError> {
        let deadline = Instant::now() + limits.deadline;
        self.session.set_blocking(true);
        self.session.set_timeout(ms(limits.deadline));
        let mut channel = self
            .session
            .channel_session()
            .map_err(|e| exec_error(&self.target, "opening a session channel", &e, limits))?;
        let result = self.run_on_channel(&mut channel, script, limits, deadline);
        // Freeing the channel sends a close if none was sent yet and waits
        // for the server's. After a failure, a script may still be running
        // (sshd answers the close only when it exits): do not wait for it.
        self.session.set_blocking(true);
        self.session
            .set_timeout(if result.is_ok() { 1000 } else { 100 });
        if result.is_err() {
            let _ = channel.close();
        }
        drop(channel);
        result
    }
}

impl Drop for SshTransport {
    fn drop(&mut self) {
        self.session.set_blocking(true);
        self.session.set_timeout(1000);
        let _ = self.session.disconnect(None, self.goodbye, None);
    }
}

/// Connect (through the jump hosts of `opts.jumps`, if any), verify the
/// host key against known_hosts, and authenticate.
pub fn connect(host: &str, opts: &SshOptions) -> Result<SshTransport, TransportError> {
    let mut relays = Relays::default();
    let mut stream = None;
    for (i, jump) in opts.jumps.iter().enumerate() {
        let hop = |e: TransportError| jump_error(jump, e);
        let mut via = open_verified(&jump.host, &jump.opts, stream.take()).map_err(hop)?;
        via.goodbye = "authentication failed";
        authenticate(&via, &jump.opts).map_err(hop)?;
        via.goodbye = "shipshape jump done";
        let (next, port) = match opts.jumps.get(i + 1) {
            Some(j) => (j.host.as_str(), j.opts.port),
            None => (host, opts.port),
        };
        let next = next.trim_start_matches('[').trim_end_matches(']');
        via.session.set_timeout(ms(jump.opts.connect_timeout));
        let channel = via
            .session
            .channel_direct_tcpip(next, port, None)
            .map_err(|e| {
                hop(if is_timeout(&e) {
                    TransportError::Timeout(format!(
                        "no tunnel to {} within {}",
                        display_target(next, port),
                        secs(jump.opts.connect_timeout)
                    ))
                } else {
                    TransportError::Unreachable(format!(
                        "cannot open a tunnel to {}: {} (is TCP forwarding allowed there, \
                     and does {} reach it?)",
                        display_target(next, port),
                        e.message(),
                        jump.label
                    ))
                })
            })?;
        let (near, far) = relay::loopback_pair().map_err(|e| {
            hop(TransportError::Other(format!(
                "cannot make a loopback socket pair for the tunnel: {e}"
            )))
        })?;
        let r = relay::spawn(via, channel, far).map_err(|e| {
            hop(TransportError::Other(format!(
                "cannot start the tunnel relay: {e}"
            )))
        })?;
        relays.0.push(r);
        stream = Some(near);
    }
    let mut transport = open_verified(host, opts, stream)?;
    transport.relays = relays;
    transport.goodbye = "authentication failed";
    authenticate(&transport, opts)?;
    transport.goodbye = "shipshape audit done";
    Ok(transport)
}

/// The same failure, said to be the jump host's.
fn jump_error(jump: &Jump, e: TransportError) -> TransportError {
    let at = format!("jump host {}: {}", jump.label, e.reason());
    match e {
        TransportError::Unreachable(_) => TransportError::Unreachable(at),
        TransportError::Timeout(_) => TransportError::Timeout(at),
        TransportError::AuthFailed(_) => TransportError::AuthFailed(at),
        TransportError::HostKeyMismatch(_) => TransportError::HostKeyMismatch(at),
        TransportError::HostKeyUnknown(_) => TransportError::HostKeyUnknown(at),
        TransportError::Other(_) => TransportError::Other(at),
    }
}

/// What the server said to one password (see [`try_password`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordCheck {
    /// The password logged the account in.
    Accepted,
    /// The server refused it.
    Rejected,
    /// The server does not take passwords for this account; nothing was
    /// sent. The text lists the methods it offers.
    NotOffered(String),
    /// The server let the account in before any password was sent.
    NoPasswordNeeded,
    /// The password was sent but no clear answer came back (time-out,
    /// disconnect, expired password).
    Unanswered(String),
}

/// One password login attempt for `user` on its own connection, with the
/// host key verified against known_hosts exactly as [`connect`] does it,
/// before anything else is sent. Only `port`, `known_hosts`,
/// `connect_timeout` and `auth_timeout` of `opts` are used; a host key that
/// known_hosts does not list is refused (never recorded), whatever
/// `accept_new_host_keys` says. No key, agent or other method is tried.
/// `Err` means the password was never sent.
pub fn try_password(
    host: &str,
    opts: &SshOptions,
    user: &str,
    password: &Secret,
) -> Result<PasswordCheck, TransportError> {
    let mut opts = opts.clone();
    opts.accept_new_host_keys = false;
    let mut transport = open_verified(host, &opts, None)?;
    transport.goodbye = "shipshape password check done";
    let session = &transport.session;
    let target = transport.target.clone();
    session.set_timeout(ms(opts.auth_timeout));
    // ssh2 panics on a non-UTF-8 method list: a hostile server must not
    // take the worker down with it.
    let offered = match panic::catch_unwind(AssertUnwindSafe(|| {
        session.auth_methods(user).map(str::to_string)
    })) {
        Ok(Ok(list)) => list,
        Ok(Err(e)) if is_timeout(&e) => {
            return Err(TransportError::Timeout(format!(
                "{target} did not answer the authentication request within {}",
                secs(opts.auth_timeout)
            )))
        }
        Ok(Err(e)) => {
            return Err(TransportError::Other(format!(
                "{target} refused the authentication request: {}",
                e.message()
            )))
        }
        Err(_) => String::new(),
    };
    if session.authenticated() {
        return Ok(PasswordCheck::NoPasswordNeeded);
    }
    if !offered.split(',').any(|m| m == "password") {
        return Ok(PasswordCheck::NotOffered(if offered.is_empty() {
            "(unknown)".into()
        } else {
            offered
        }));
    }
    Ok(match session.userauth_password(user, password.expose()) {
        Ok(()) if session.authenticated() => PasswordCheck::Accepted,
        Ok(()) => PasswordCheck::Rejected,
        Err(e) if e.code() == ErrorCode::Session(LIBSSH2_ERROR_AUTHENTICATION_FAILED) => {
            PasswordCheck::Rejected
        }
        Err(e) if e.code() == ErrorCode::Session(LIBSSH2_ERROR_PASSWORD_EXPIRED) => {
            PasswordCheck::Unanswered(
                "the server says the password has expired (it may be the right one)".into(),
            )
        }
        Err(e) if is_timeout(&e) => PasswordCheck::Unanswered(format!(
            "no answer to the password within {}",
            secs(opts.auth_timeout)
        )),
        Err(e) => PasswordCheck::Unanswered(format!("no clear answer: {}", e.message())),
    })
}

/// Resolve, connect, handshake and verify the host key: everything before
/// authentication. `tunnel` is the near end of a ProxyJump relay to use
/// instead of a TCP connection of our own.
fn open_verified(
    host: &str,
    opts: &SshOptions,
    tunnel: Option<TcpStream>,
) -> Result<SshTransport, TransportError> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let target = display_target(host, opts.port);

    let stream = match tunnel {
        Some(s) => s,
        None => {
            let addrs = resolve(host, opts.port, opts.connect_timeout)?;
            tcp_connect(&target, &addrs, opts.connect_timeout)?
        }
    };
    let sockerr = |what: &str, e: io::Error| {
        TransportError::Other(format!("{what} on the socket to {target}: {e}"))
    };
    // Nagle on both ends costs a round trip per small packet: off before
    // the first byte of the handshake.
    stream
        .set_nodelay(true)
        .map_err(|e| sockerr("setting TCP_NODELAY", e))?;
    stream
        .set_read_timeout(Some(opts.connect_timeout.max(Duration::from_millis(1))))
        .map_err(|e| sockerr("setting the read timeout", e))?;
    stream
        .set_write_timeout(Some(opts.connect_timeout.max(Duration::from_millis(1))))
        .map_err(|e| sockerr("setting the write timeout", e))?;
    let socket = stream
        .try_clone()
        .map_err(|e| sockerr("duplicating the handle", e))?;

    let known = KnownHosts::load(&opts.known_hosts).map_err(|e| {
        TransportError::Other(format!(
            "cannot read known_hosts file {}: {e}",
            opts.known_hosts.display()
        ))
    })?;

    let mut session = Session::new()
        .map_err(|e| TransportError::Other(format!("cannot create an SSH session: {e}")))?;
    session.set_tcp_stream(stream);
    session.set_blocking(true);
    let prefs = host_key_preferences(&session, &known.known_key_types(host, opts.port));
    if !prefs.is_empty() {
        // Best effort: libssh2 keeps its default order when this fails.
        let _ = session.method_pref(MethodType::HostKey, &prefs);
    }
    session.set_timeout(ms(opts.connect_timeout));
    if let Err(e) = session.handshake() {
        return Err(handshake_error(&target, &e, opts.connect_timeout));
    }

    let mut transport = SshTransport {
        session,
        socket,
        target: target.clone(),
        host_key: String::new(),
        new_host_key_recorded: false,
        known_hosts_warnings: known.warnings.clone(),
        goodbye: "host key not verified",
        relays: Relays::default(),
    };
    // Host key first: on any doubt nothing else is sent (the Drop of
    // `transport` only says goodbye).
    verify_host_key(&mut transport, host, opts, &known)?;
    Ok(transport)
}

fn verify_host_key(
    t: &mut SshTransport,
    host: &str,
    opts: &SshOptions,
    known: &KnownHosts,
) -> Result<(), TransportError> {
    let target = t.target.clone();
    let Some((key, _)) = t.session.host_key() else {
        return Err(TransportError::Other(format!(
            "{target} presented no host key"
        )));
    };
    let key = key.to_vec();
    let key_type = known_hosts::key_type_of(&key).unwrap_or_else(|| "unknown-key-type".into());
    let fingerprint = t
        .session
        .host_key_hash(HashType::Sha256)
        .map(known_hosts::fingerprint_sha256)
        .unwrap_or_else(|| "SHA256:(unavailable)".into());
    t.host_key = format!("{key_type} {fingerprint}");
    let what = format!("host key for {target} ({})", t.host_key);
    let file = opts.known_hosts.display();
    // A malformed line may be the one meant for this host: say so.
    let skipped = match known.warnings.first() {
        None => String::new(),
        Some(first) => format!(
            " (note: {} malformed line(s) in {file} were skipped, first {first})",
            known.warnings.len()
        ),
    };
    match known.check(host, opts.port, &key) {
        HostKeyCheck::Match { .. } => Ok(()),
        HostKeyCheck::Revoked { line } => Err(TransportError::HostKeyMismatch(format!(
            "{what} is marked @revoked in {file} line {line}"
        ))),
        HostKeyCheck::Mismatch { line } => Err(TransportError::HostKeyMismatch(format!(
            "{what} does not match {file} line {line}: the host key changed, or the \
             connection is intercepted"
        ))),
        HostKeyCheck::OtherTypesOnly { lines, key_types } => {
            let lines: Vec<String> = lines.iter().map(usize::to_string).collect();
            Err(TransportError::HostKeyMismatch(format!(
                "{what} is not in {file}, which knows this host only with {} (line {}){skipped}",
                key_types.join(", "),
                lines.join(", ")
            )))
        }
        HostKeyCheck::NotFound if opts.accept_new_host_keys => {
            known_hosts::append_entry(&opts.known_hosts, host, opts.port, &key).map_err(|e| {
                TransportError::Other(format!("cannot record {what} in {file}: {e}"))
            })?;
            t.new_host_key_recorded = true;
            Ok(())
        }
        HostKeyCheck::NotFound => Err(TransportError::HostKeyUnknown(format!(
            "{what} is not in {file}; check the fingerprint, then add it to known_hosts \
             or allow accepting new host keys{skipped}"
        ))),
    }
}

/// Host key algorithms in preference order: those matching key types the
/// known_hosts file already has for this host first (as OpenSSH does, so a
/// host known by its ed25519 key is not asked for its ECDSA key), then a
/// modern default order. Certificates and DSA are left out.
fn host_key_preferences(session: &Session, known_types: &[String]) -> String {
    const DEFAULT: [&str; 7] = [
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "rsa-sha2-512",
        "rsa-sha2-256",
        "ssh-rsa",
    ];
    let supported = session
        .supported_algs(MethodType::HostKey)
        .unwrap_or_default();
    let mut order: Vec<&str> = Vec::new();
    for t in known_types {
        let t = t.as_str();
        let algs: Vec<&str> = if t == "ssh-rsa" {
            vec!["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]
        } else {
            vec![t]
        };
        for a in &algs {
            if let Some(s) = supported.iter().find(|s| *s == a) {
                if !order.contains(s) {
                    order.push(s);
                }
            }
        }
    }
    for a in DEFAULT {
        if supported.contains(&a) && !order.contains(&a) {
            order.push(a);
        }
    }
    order.join(",")
}

/// What was tried during authentication, for the error message.
struct Attempts {
    tried: Vec<String>,
}

fn authenticate(t: &SshTransport, opts: &SshOptions) -> Result<(), TransportError> {
    let session = &t.session;
    let user = opts.user.as_str();
    let deadline = Instant::now() + opts.auth_timeout;
    let timed_out = || {
        TransportError::Timeout(format!(
            "authentication as {user} on {} did not finish within {}",
            t.target,
            secs(opts.auth_timeout)
        ))
    };
    // Give each blocking call what is left of the auth budget.
    let arm = || -> Result<(), TransportError> {
        let left = nonzero_remaining(deadline).ok_or_else(timed_out)?;
        session.set_timeout(ms(left));
        Ok(())
    };

    // The "none" method: learns what the server accepts (and sometimes
    // succeeds). ssh2 panics on a non-UTF-8 list; a hostile server must not
    // take the worker down with it.
    arm()?;
    let offered = match panic::catch_unwind(AssertUnwindSafe(|| {
        session.auth_methods(user).map(str::to_string)
    })) {
        Ok(Ok(list)) => list,
        Ok(Err(e)) if is_timeout(&e) => return Err(timed_out()),
        Ok(Err(_)) | Err(_) => String::new(),
    };
    if session.authenticated() {
        return Ok(());
    }
    let offers = |m: &str| offered.is_empty() || offered.split(',').any(|o| o == m);
    let mut log = Attempts { tried: Vec::new() };

    if offers("publickey") {
        if opts.use_agent && std::env::var_os("SSH_AUTH_SOCK").is_some_and(|s| !s.is_empty()) {
            arm()?;
            if try_agent(session, user, &mut log, &arm, &timed_out)? {
                return Ok(());
            }
        }
        let passphrase = opts.key_passphrase.clone().or_else(|| {
            std::env::var(KEY_PASSPHRASE_ENV)
                .ok()
                .filter(|p| !p.is_empty())
                .map(Secret::new)
        });
        for key in identity_files(opts) {
            arm()?;
            let pubkey = public_key_beside(&key);
            let result = session.userauth_pubkey_file(
                user,
                pubkey.as_deref(),
                &key,
                passphrase.as_ref().map(Secret::expose),
            );
            match result {
                Ok(()) if session.authenticated() => return Ok(()),
                Err(e) if is_timeout(&e) => return Err(timed_out()),
                // The key could not be read or decrypted: with a `.pub`
                // beside it libssh2 learns that only when signing.
                Err(e)
                    if e.code() == ErrorCode::Session(LIBSSH2_ERROR_FILE)
                        || e.message().contains("Callback returned error") =>
                {
                    log.tried.push(format!(
                        "publickey {} (could not load the key: {})",
                        key.display(),
                        key_load_hint(&key, passphrase.is_some())
                    ))
                }
                _ => log
                    .tried
                    .push(format!("publickey {} (rejected)", key.display())),
            }
        }
    }

    if let Some(password) = &opts.password {
        if offers("password") {
            arm()?;
            match session.userauth_password(user, password.expose()) {
                Ok(()) if session.authenticated() => return Ok(()),
                Err(e) if is_timeout(&e) => return Err(timed_out()),
                _ => log.tried.push("password (rejected)".into()),
            }
        }
        if offers("keyboard-interactive") {
            arm()?;
            let mut prompt = PasswordPrompt(password);
            match session.userauth_keyboard_interactive(user, &mut prompt) {
                Ok(()) if session.authenticated() => return Ok(()),
                Err(e) if is_timeout(&e) => return Err(timed_out()),
                _ => log
                    .tried
                    .push("keyboard-interactive with the password (rejected)".into()),
            }
        }
    }

    if log.tried.is_empty() {
        log.tried.push(
            "nothing (no agent, no key file found, no password given, or none of them \
             accepted by the server)"
                .into(),
        );
    }
    Err(TransportError::AuthFailed(format!(
        "{user}@{}: tried {}; server accepts {}",
        t.target,
        log.tried.join(", "),
        if offered.is_empty() {
            "(unknown)"
        } else {
            offered.as_str()
        }
    )))
}

fn try_agent(
    session: &Session,
    user: &str,
    log: &mut Attempts,
    arm: &dyn Fn() -> Result<(), TransportError>,
    timed_out: &dyn Fn() -> TransportError,
) -> Result<bool, TransportError> {
    let identities = session.agent().and_then(|mut agent| {
        agent.connect()?;
        agent.list_identities()?;
        let ids = agent.identities()?;
        Ok((agent, ids))
    });
    let (mut agent, ids) = match identities {
        Ok(x) => x,
        Err(e) => {
            log.tried
                .push(format!("ssh-agent (unavailable: {})", e.message()));
            return Ok(false);
        }
    };
    let mut rejected = 0;
    for id in &ids {
        arm()?;
        match agent.userauth(user, id) {
            Ok(()) if session.authenticated() => {
                let _ = agent.disconnect();
                return Ok(true);
            }
            Err(e) if is_timeout(&e) => {
                let _ = agent.disconnect();
                return Err(timed_out());
            }
            _ => rejected += 1,
        }
    }
    let _ = agent.disconnect();
    log.tried.push(if ids.is_empty() {
        "ssh-agent (no keys)".to_string()
    } else {
        format!("ssh-agent ({rejected} key(s) rejected)")
    });
    Ok(false)
}

struct PasswordPrompt<'a>(&'a Secret);

impl KeyboardInteractivePrompt for PasswordPrompt<'_> {
    fn prompt<'b>(
        &mut self,
        _username: &str,
        _instructions: &str,
        prompts: &[Prompt<'b>],
    ) -> Vec<String> {
        // Answer hidden prompts with the password; never echo it anywhere.
        prompts
            .iter()
            .map(|p| {
                if p.echo {
                    String::new()
                } else {
                    self.0.expose().to_string()
                }
            })
            .collect()
    }
}

fn identity_files(opts: &SshOptions) -> Vec<PathBuf> {
    if let Some(explicit) = &opts.identity_file {
        return vec![explicit.clone()];
    }
    if !opts.identity_files.is_empty() {
        return opts.identity_files.clone();
    }
    let Some(home) = home_dir() else {
        return Vec::new();
    };
    ["id_ed25519", "id_rsa", "id_ecdsa"]
        .iter()
        .map(|name| home.join(".ssh").join(name))
        .filter(|p| p.is_file())
        .collect()
}

fn public_key_beside(key: &Path) -> Option<PathBuf> {
    let mut name = key.as_os_str().to_owned();
    name.push(".pub");
    let p = PathBuf::from(name);
    p.is_file().then_some(p)
}

/// Why libssh2 could not load a key file, as far as we can tell.
fn key_load_hint(key: &Path, have_passphrase: bool) -> &'static str {
    let Ok(text) = std::fs::read_to_string(key) else {
        return "file not readable";
    };
    if key_is_encrypted(&text) {
        if have_passphrase {
            "wrong passphrase"
        } else {
            "the key is encrypted; set SHIPSHAPE_KEY_PASSPHRASE"
        }
    } else {
        "unsupported or damaged key format"
    }
}

/// PEM keys say so in their headers; OpenSSH keys name their cipher first.
fn key_is_encrypted(text: &str) -> bool {
    if text.contains("ENCRYPTED") {
        return true;
    }
    const BEGIN: &str = "-----BEGIN OPENSSH PRIVATE KEY-----";
    const END: &str = "-----END OPENSSH PRIVATE KEY-----";
    let Some(start) = text.find(BEGIN) else {
        return false;
    };
    let body = &text[start + BEGIN.len()..];
    let body = body.find(END).map_or(body, |end| &body[..end]);
    let b64: String = body.split_whitespace().collect();
    let Ok(raw) = STANDARD.decode(b64) else {
        return false;
    };
    let Some(rest) = raw.strip_prefix(b"openssh-key-v1\0") else {
        return false;
    };
    let Some(len) = rest.get(..4).and_then(|b| <[u8; 4]>::try_from(b).ok()) else {
        return false;
    };
    let len = u32::from_be_bytes(len) as usize;
    rest.get(4..4 + len).is_some_and(|cipher| cipher != b"none")
}

fn resolve(host: &str, port: u16, limit: Duration) -> Result<Vec<SocketAddr>, TransportError> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    if host.is_empty() {
        return Err(TransportError::Unreachable("empty host name".into()));
    }
    // getaddrinfo has no timeout of its own: ask in a thread, wait bounded.
    let (tx, rx) = mpsc::channel();
    let name = host.to_string();
    thread::spawn(move || {
        let _ = tx.send(
            (name.as_str(), port)
                .to_socket_addrs()
                .map(|a| a.collect::<Vec<_>>()),
        );
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(TransportError::Unreachable(format!(
            "host name '{host}' resolves to no address"
        ))),
        Ok(Err(e)) => Err(TransportError::Unreachable(format!(
            "cannot resolve host name '{host}': {e}"
        ))),
        Err(_) => Err(TransportError::Unreachable(format!(
            "resolving host name '{host}' took longer than {}",
            secs(limit)
        ))),
    }
}

/// Try each address with the full connect timeout. A TCP-level failure,
/// including no answer in time, means the host's sshd was not reached:
/// `Unreachable`. (`Timeout` is for a peer that answered and then stalled.)
fn tcp_connect(
    target: &str,
    addrs: &[SocketAddr],
    limit: Duration,
) -> Result<TcpStream, TransportError> {
    let limit = limit.max(Duration::from_millis(1));
    let mut errors = Vec::new();
    for addr in addrs {
        match TcpStream::connect_timeout(addr, limit) {
            Ok(s) => return Ok(s),
            Err(e) => {
                let why = match e.kind() {
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => format!(
                        "no answer within {} (host down or port filtered)",
                        secs(limit)
                    ),
                    io::ErrorKind::ConnectionRefused => {
                        "connection refused (nothing listens on that port)".to_string()
                    }
                    _ => e.to_string(),
                };
                errors.push(if addrs.len() > 1 {
                    format!("{addr}: {why}")
                } else {
                    why
                });
            }
        }
    }
    Err(TransportError::Unreachable(format!(
        "cannot connect to {target}: {}",
        errors.join("; ")
    )))
}

fn handshake_error(target: &str, e: &ssh2::Error, limit: Duration) -> TransportError {
    if is_timeout(e) {
        return TransportError::Timeout(format!(
            "no SSH handshake with {target} within {} (the port answers but does not \
             speak SSH in time)",
            secs(limit)
        ));
    }
    match e.code() {
        ErrorCode::Session(LIBSSH2_ERROR_SOCKET_DISCONNECT)
        | ErrorCode::Session(LIBSSH2_ERROR_BANNER_RECV) => TransportError::Unreachable(format!(
            "{target} closed the connection during the SSH handshake ({})",
            e.message()
        )),
        _ => TransportError::Other(format!(
            "SSH handshake with {target} failed: {}",
            e.message()
        )),
    }
}

fn exec_error(target: &str, what: &str, e: &ssh2::Error, limits: &ExecLimits) -> TransportError {
    if is_timeout(e) {
        TransportError::Timeout(format!(
            "{what} on {target} did not finish within {}",
            secs(limits.deadline)
        ))
    } else {
        TransportError::Other(format!("{what} on {target} failed: {}", e.message()))
    }
}

fn is_timeout(e: &ssh2::Error) -> bool {
    matches!(
        e.code(),
        ErrorCode::Session(LIBSSH2_ERROR_TIMEOUT)
            | ErrorCode::Session(LIBSSH2_ERROR_SOCKET_TIMEOUT)
    )
}

fn display_target(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

fn nonzero_remaining(deadline: Instant) -> Option<Duration> {
    let left = remaining(deadline);
    (!left.is_zero()).then_some(left)
}

/// libssh2 timeouts are u32 milliseconds where 0 means "none": never 0.
fn ms(d: Duration) -> u32 {
    d.as_millis().clamp(1, u128::from(u32::MAX)) as u32
}

fn secs(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_times() {
        assert_eq!(display_target("10.0.0.1", 22), "10.0.0.1:22");
        assert_eq!(display_target("::1", 2222), "[::1]:2222");
        assert_eq!(ms(Duration::ZERO), 1);
        assert_eq!(ms(Duration::from_secs(3)), 3000);
        assert_eq!(secs(Duration::from_millis(1500)), "1.5s");
        assert_eq!(secs(Duration::from_secs(10)), "10s");
    }

    #[test]
    fn unresolvable_name_is_unreachable() {
        let err = resolve("no-such-host.invalid", 22, Duration::from_secs(5))
            .expect_err("must not resolve");
        assert!(
            matches!(err, TransportError::Unreachable(ref m) if m.contains("no-such-host.invalid")),
            "{err:?}"
        );
    }

    #[test]
    fn encrypted_key_detection() {
        assert!(key_is_encrypted(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
        ));
        // openssh-key-v1, cipher "none" / "aes256-ctr".
        let mk = |cipher: &str| {
            let mut raw = b"openssh-key-v1\0".to_vec();
            raw.extend_from_slice(&(cipher.len() as u32).to_be_bytes());
            raw.extend_from_slice(cipher.as_bytes());
            format!(
                "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
                STANDARD.encode(raw)
            )
        };
        assert!(!key_is_encrypted(&mk("none")));
        assert!(key_is_encrypted(&mk("aes256-ctr")));
        assert!(!key_is_encrypted("garbage"));
    }

    #[test]
    fn options_defaults() {
        let o = SshOptions::new("auditor");
        assert_eq!(o.port, 22);
        assert!(!o.accept_new_host_keys);
        assert!(o.known_hosts.ends_with(".ssh/known_hosts"));
        assert!(format!("{o:?}").contains("auditor"));
    }
}
