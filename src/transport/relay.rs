//! ProxyJump plumbing: libssh2 runs a session over a socket file descriptor,
//! and a jump host gives a `direct-tcpip` channel, not a socket. A relay
//! thread copies bytes between the channel (on the jump host's session) and
//! one end of a loopback TCP pair; the next session runs over the other end.
//!
//! The relay owns the jump host's session. It ends when the next session
//! closes its end (or when its owner is dropped), closing the channel and
//! disconnecting the jump host on its way out.

use ssh2::{BlockDirections, Channel, ErrorCode};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::ssh::SshTransport;

const LIBSSH2_ERROR_EAGAIN: i32 = -37;
/// Bytes buffered per direction before reading from that side pauses.
const BUFFERED: usize = 256 * 1024;
/// How long a relay may still flush after its owner let go.
const DRAIN: Duration = Duration::from_secs(1);

/// A connected pair of loopback TCP sockets. The listener accepts only the
/// connection this function made (checked by address), then closes.
pub fn loopback_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    let near = TcpStream::connect(listener.local_addr()?)?;
    let mine = near.local_addr()?;
    listener.set_nonblocking(true)?;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match listener.accept() {
            Ok((far, peer)) if peer == mine => {
                far.set_nonblocking(false)?;
                near.set_nodelay(true)?;
                far.set_nodelay(true)?;
                return Ok((near, far));
            }
            // Someone else on this machine raced to the port: drop them.
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(1))
            }
            Err(e) => return Err(e),
        }
    }
}

/// A running relay; dropping it waits for its thread (at most [`DRAIN`]
/// after the next session has closed).
pub struct Relay {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Relays of one connection, dropped innermost first: each one's jump
/// session travels through the one before it.
#[derive(Default)]
pub struct Relays(pub Vec<Relay>);

impl Drop for Relays {
    fn drop(&mut self) {
        while let Some(r) = self.0.pop() {
            drop(r);
        }
    }
}

/// Start copying between `channel` (opened on `jump`'s session) and `far`.
pub fn spawn(jump: SshTransport, channel: Channel, far: TcpStream) -> io::Result<Relay> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    far.set_nonblocking(true)?;
    let thread = thread::Builder::new()
        .name("shipshape-proxyjump".into())
        .spawn(move || run(jump, channel, far, &flag))?;
    Ok(Relay {
        stop,
        thread: Some(thread),
    })
}

fn run(jump: SshTransport, mut channel: Channel, mut local: TcpStream, stop: &AtomicBool) {
    let session = jump.session().clone();
    session.set_blocking(false);
    let mut buf = vec![0u8; 32 * 1024];
    let mut to_local: Vec<u8> = Vec::new();
    let mut to_remote: Vec<u8> = Vec::new();
    let (mut remote_eof, mut local_eof, mut local_shut, mut eof_sent) =
        (false, false, false, false);
    let mut stop_at: Option<Instant> = None;
    loop {
        let mut progress = false;
        if !remote_eof && to_local.len() < BUFFERED {
            match channel.read(&mut buf) {
                Ok(0) if channel.eof() => remote_eof = true,
                Ok(0) => {}
                Ok(n) => {
                    to_local.extend_from_slice(&buf[..n]);
                    progress = true;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => remote_eof = true,
            }
        }
        if !to_local.is_empty() {
            match local.write(&to_local) {
                Ok(n) => {
                    to_local.drain(..n);
                    progress |= n > 0;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
        if remote_eof && to_local.is_empty() && !local_shut {
            let _ = local.shutdown(Shutdown::Write);
            local_shut = true;
        }
        if !local_eof && to_remote.len() < BUFFERED {
            match local.read(&mut buf) {
                Ok(0) => local_eof = true,
                Ok(n) => {
                    to_remote.extend_from_slice(&buf[..n]);
                    progress = true;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => local_eof = true,
            }
        }
        if !to_remote.is_empty() {
            match channel.write(&to_remote) {
                Ok(n) => {
                    to_remote.drain(..n);
                    progress |= n > 0;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
        if local_eof && to_remote.is_empty() && !eof_sent {
            match channel.send_eof() {
                Ok(()) => eof_sent = true,
                Err(e) if e.code() == ErrorCode::Session(LIBSSH2_ERROR_EAGAIN) => {}
                Err(_) => eof_sent = true,
            }
        }
        // The next session is gone and all it said was passed on: done.
        if eof_sent || (remote_eof && local_shut && local_eof) {
            break;
        }
        if stop.load(Ordering::SeqCst) {
            let at = *stop_at.get_or_insert_with(|| Instant::now() + DRAIN);
            if Instant::now() >= at {
                break;
            }
        }
        if !progress {
            let jump_out = matches!(
                session.block_directions(),
                BlockDirections::Outbound | BlockDirections::Both
            );
            wait(
                jump.socket_fd(),
                jump_out,
                local.as_raw_fd(),
                !to_local.is_empty(),
                !local_eof && to_remote.len() < BUFFERED,
            );
        }
    }
    session.set_blocking(true);
    session.set_timeout(500);
    let _ = channel.close();
    drop(channel);
    drop(local);
    drop(jump); // says goodbye to the jump host
}

/// Sleep until one of the two sockets is ready (20 ms at most).
fn wait(jump_fd: i32, jump_out: bool, local_fd: i32, local_out: bool, local_in: bool) {
    let mut fds = [
        libc::pollfd {
            fd: jump_fd,
            events: libc::POLLIN | if jump_out { libc::POLLOUT } else { 0 },
            revents: 0,
        },
        libc::pollfd {
            fd: local_fd,
            events: (if local_in { libc::POLLIN } else { 0 })
                | if local_out { libc::POLLOUT } else { 0 },
            revents: 0,
        },
    ];
    // SAFETY: `fds` is a valid array of two pollfd for the whole call; both
    // descriptors stay open while the relay runs (it owns their sockets).
    unsafe {
        libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 20);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_pair_is_connected_both_ways() {
        let (mut a, mut b) = loopback_pair().unwrap();
        a.write_all(b"ping").unwrap();
        let mut got = [0u8; 4];
        b.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"ping");
        b.write_all(b"pong").unwrap();
        a.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"pong");
    }
}
