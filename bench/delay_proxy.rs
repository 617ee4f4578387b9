//! A delaying TCP proxy for the benchmark: every byte is forwarded
//! `--delay-ms` later in each direction (so a round trip costs twice that),
//! as to a server in another region. Kernel netem is not available on the
//! benchmark machines; this adds latency, not loss or a bandwidth limit.
//!
//! `delay-proxy --delay-ms 25 --lifetime 3600 MAPFILE`
//!
//! MAPFILE has one `LISTEN UPSTREAM` pair of `addr:port` per line (loopback
//! only: both must be 127.0.0.0/8 or ::1). Each connection gets two pumps
//! per direction: a reader that stamps each chunk with its arrival time and
//! a writer that sends it when `delay` has passed, so the delay does not
//! serialise chunks (a stream of chunks is shifted, not slowed). Sockets are
//! TCP_NODELAY. The proxy exits by itself after `--lifetime` seconds.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const STACK: usize = 128 * 1024;

fn main() -> ExitCode {
    let mut delay = Duration::from_millis(25);
    let mut lifetime = Duration::from_secs(3600);
    let mut map = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |what: &str| -> Option<u64> {
            let v = args.next().and_then(|v| v.parse().ok());
            if v.is_none() {
                eprintln!("delay-proxy: {what} needs a whole number");
            }
            v
        };
        match a.as_str() {
            "--delay-ms" => match num("--delay-ms") {
                Some(n) => delay = Duration::from_millis(n),
                None => return ExitCode::from(2),
            },
            "--lifetime" => match num("--lifetime") {
                Some(n) => lifetime = Duration::from_secs(n),
                None => return ExitCode::from(2),
            },
            _ => map = Some(a),
        }
    }
    let Some(map) = map else {
        eprintln!("usage: delay-proxy [--delay-ms N] [--lifetime SECS] MAPFILE");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&map) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("delay-proxy: {map}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut pairs = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed: Option<(SocketAddr, SocketAddr)> = line
            .split_once(char::is_whitespace)
            .and_then(|(l, u)| Some((l.trim().parse().ok()?, u.trim().parse().ok()?)));
        match parsed {
            Some((l, u)) if l.ip().is_loopback() && u.ip().is_loopback() => pairs.push((l, u)),
            _ => {
                eprintln!(
                    "delay-proxy: {map}:{}: want `LISTEN UPSTREAM` loopback addr:port pairs",
                    n + 1
                );
                return ExitCode::from(2);
            }
        }
    }
    for (listen, upstream) in pairs {
        let listener = match TcpListener::bind(listen) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("delay-proxy: cannot listen on {listen}: {e}");
                return ExitCode::from(1);
            }
        };
        spawn(move || {
            for conn in listener.incoming().flatten() {
                spawn(move || {
                    if let Err(e) = serve(conn, upstream, delay) {
                        eprintln!("delay-proxy: {upstream}: {e}");
                    }
                });
            }
        });
    }
    eprintln!("delay-proxy: ready ({} ms each way)", delay.as_millis());
    thread::sleep(lifetime);
    ExitCode::SUCCESS
}

fn spawn(f: impl FnOnce() + Send + 'static) {
    // Out of threads: drop this connection, keep the proxy.
    let _ = thread::Builder::new().stack_size(STACK).spawn(f);
}

fn serve(client: TcpStream, upstream: SocketAddr, delay: Duration) -> std::io::Result<()> {
    let server = TcpStream::connect(upstream)?;
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    pump(client.try_clone()?, server.try_clone()?, delay);
    pump(server, client, delay);
    Ok(())
}

/// Forward `from` to `to`, each chunk `delay` after it arrived.
fn pump(mut from: TcpStream, mut to: TcpStream, delay: Duration) {
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx
                        .send((Instant::now() + delay, buf[..n].to_vec()))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
        // Dropping `tx` tells the writer: end of stream, after the delay.
        let _ = from.shutdown(Shutdown::Read);
        let _ = tx.send((Instant::now() + delay, Vec::new()));
    });
    spawn(move || {
        while let Ok((due, chunk)) = rx.recv() {
            let now = Instant::now();
            if due > now {
                thread::sleep(due - now);
            }
            if chunk.is_empty() {
                break;
            }
            if to.write_all(&chunk).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}
