//! A minimal plain-FTP login client (RFC 959 control connection only):
//! greeting, `USER`, `PASS`, `QUIT`. Nothing else is sent: no data
//! connection, no command after the login. Every read and write is bounded
//! by a timeout, and a reply may not grow past [`MAX_REPLY`] bytes.

use crate::secret::Secret;
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// The longest reply (all its lines) we read before giving up.
pub const MAX_REPLY: usize = 8 * 1024;

/// One server reply: its code and the text of its last line (for
/// evidence: printable ASCII only, at most 120 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub text: String,
}

impl Reply {
    /// `530 Login incorrect.`
    pub fn line(&self) -> String {
        if self.text.is_empty() {
            self.code.to_string()
        } else {
            format!("{} {}", self.code, self.text)
        }
    }
}

/// Parse one complete reply at the start of `buf`: a single line
/// `ddd text` or a multi-line reply `ddd-text` … `ddd text` (RFC 959 4.2),
/// each line ending in CRLF (a bare LF is accepted). Returns the reply and
/// the bytes it took, `Ok(None)` when more bytes are needed, and `Err` when
/// the bytes are not an FTP reply.
pub fn parse_reply(buf: &[u8]) -> Result<Option<(Reply, usize)>, String> {
    let mut pos = 0usize;
    let mut code: Option<u16> = None;
    loop {
        let Some(nl) = buf[pos..].iter().position(|&b| b == b'\n') else {
            return Ok(None);
        };
        let raw = &buf[pos..pos + nl];
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        pos += nl + 1;
        let lead: Option<u16> = line
            .get(..3)
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|d| d.iter().fold(0u16, |n, b| n * 10 + u16::from(b - b'0')));
        match code {
            None => {
                let Some(c) = lead.filter(|c| (100..600).contains(c)) else {
                    return Err(format!("not an FTP reply: {:?}", printable(line, 40)));
                };
                match line.get(3) {
                    None | Some(b' ') => {
                        return Ok(Some((
                            Reply {
                                code: c,
                                text: printable(line.get(4..).unwrap_or_default(), 120),
                            },
                            pos,
                        )))
                    }
                    Some(b'-') => code = Some(c),
                    Some(_) => return Err(format!("not an FTP reply: {:?}", printable(line, 40))),
                }
            }
            // Inside a multi-line reply: only `ddd ` with the same code ends it.
            Some(c) => {
                if lead == Some(c) && matches!(line.get(3), None | Some(b' ')) {
                    return Ok(Some((
                        Reply {
                            code: c,
                            text: printable(line.get(4..).unwrap_or_default(), 120),
                        },
                        pos,
                    )));
                }
            }
        }
    }
}

/// Bytes as text for evidence: printable ASCII kept, anything else `?`,
/// at most `max` characters.
fn printable(bytes: &[u8], max: usize) -> String {
    bytes
        .iter()
        .take(max)
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '?'
            }
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// What one login attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// `230` (or `202`) after `PASS`: logged in.
    Accepted,
    /// `530` after `PASS`: wrong password.
    Rejected,
    /// `230` right after `USER`: logged in without a password.
    NoPasswordNeeded,
    /// The server refused the account before the password was sent (no
    /// password left the auditor): e.g. vsftpd's `530 Non-anonymous
    /// sessions must use encryption.` or a user list.
    UserRefused(Reply),
    /// The password was sent, but the reply was neither 230 nor 530.
    Unanswered(String),
}

/// Could not get as far as sending a password (nothing secret was sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FtpError(pub String);

impl std::fmt::Display for FtpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Time limits of one attempt.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Each TCP connect attempt.
    pub connect: Duration,
    /// Each read or write on the control connection.
    pub io: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            io: Duration::from_secs(10),
        }
    }
}

/// True for a reply that says the login needs TLS first (vsftpd:
/// `force_local_logins_ssl`; ProFTPD/Pure-FTPd word it differently).
pub fn needs_tls(reply: &Reply) -> bool {
    let t = reply.text.to_ascii_lowercase();
    ["encryption", "tls", "ssl", "auth first", "secure"]
        .iter()
        .any(|w| t.contains(w))
}

struct Control {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Control {
    fn read_reply(&mut self) -> Result<Reply, String> {
        let mut chunk = [0u8; 1024];
        loop {
            match parse_reply(&self.buf)? {
                Some((reply, used)) => {
                    self.buf.drain(..used);
                    return Ok(reply);
                }
                None if self.buf.len() > MAX_REPLY => {
                    return Err(format!("reply longer than {MAX_REPLY} bytes"))
                }
                None => {}
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err("the server closed the connection".into()),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err("no reply in time".into())
                }
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    fn send(&mut self, line: &[u8]) -> Result<(), String> {
        self.stream
            .write_all(line)
            .and_then(|()| self.stream.write_all(b"\r\n"))
            .map_err(|e| format!("cannot send: {e}"))
    }

    /// Best effort: say goodbye, read the answer briefly.
    fn quit(mut self) {
        let _ = self
            .stream
            .set_read_timeout(Some(Duration::from_millis(500)));
        if self.send(b"QUIT").is_ok() {
            let _ = self.read_reply();
        }
    }
}

fn addresses(host: &str, port: u16) -> Result<Vec<SocketAddr>, FtpError> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    (host, port)
        .to_socket_addrs()
        .map(|a| a.collect::<Vec<_>>())
        .map_err(|e| FtpError(format!("cannot resolve {host}: {e}")))
}

/// One login attempt as `user` with `password` on `host:port`, on a fresh
/// control connection that is closed (with `QUIT`) afterwards.
pub fn try_login(
    host: &str,
    port: u16,
    user: &str,
    password: &Secret,
    t: Timeouts,
) -> Result<Login, FtpError> {
    // A line break would let a value smuggle in another command.
    let unsafe_value = |s: &str| s.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0));
    if user.is_empty() || unsafe_value(user) || user.contains(' ') {
        return Err(FtpError(format!("account name {user:?} cannot be sent")));
    }
    if unsafe_value(password.expose()) {
        return Err(FtpError(
            "the candidate holds a line break or NUL and cannot be sent".into(),
        ));
    }
    let mut errors = Vec::new();
    let mut stream = None;
    for addr in addresses(host, port)? {
        match TcpStream::connect_timeout(&addr, t.connect.max(Duration::from_millis(1))) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => errors.push(match e.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    format!("{addr}: connection refused (nothing listens)")
                }
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                    format!("{addr}: no answer (filtered?)")
                }
                _ => format!("{addr}: {e}"),
            }),
        }
    }
    let Some(stream) = stream else {
        return Err(FtpError(format!(
            "cannot connect to FTP: {}",
            if errors.is_empty() {
                "no address".to_string()
            } else {
                errors.join("; ")
            }
        )));
    };
    let io = Some(t.io.max(Duration::from_millis(1)));
    let _ = stream.set_nodelay(true);
    stream
        .set_read_timeout(io)
        .and_then(|()| stream.set_write_timeout(io))
        .map_err(|e| FtpError(format!("socket setup: {e}")))?;
    let mut c = Control {
        stream,
        buf: Vec::new(),
    };
    let before = |what: &str, why: String| FtpError(format!("{what}: {why}"));

    let greeting = c.read_reply().map_err(|e| before("greeting", e))?;
    if greeting.code != 220 {
        c.quit();
        return Err(FtpError(format!(
            "the server refused the session: {}",
            greeting.line()
        )));
    }
    c.send(format!("USER {user}").as_bytes())
        .map_err(|e| before("USER", e))?;
    let r = c.read_reply().map_err(|e| before("reply to USER", e))?;
    match r.code {
        331 => {}
        230 => {
            c.quit();
            return Ok(Login::NoPasswordNeeded);
        }
        _ => {
            c.quit();
            return Ok(Login::UserRefused(r));
        }
    }
    let mut line = Vec::with_capacity(password.expose().len() + 5);
    line.extend_from_slice(b"PASS ");
    line.extend_from_slice(password.expose().as_bytes());
    let sent = c.send(&line);
    // Do not keep a copy of the candidate around longer than needed.
    line.iter_mut().for_each(|b| *b = 0);
    if let Err(e) = sent {
        return Ok(Login::Unanswered(format!("sending PASS: {e}")));
    }
    let outcome = match c.read_reply() {
        Ok(r) if r.code == 230 || r.code == 202 => Login::Accepted,
        Ok(r) if r.code == 530 => Login::Rejected,
        Ok(r) => Login::Unanswered(format!("unexpected reply to PASS: {}", r.line())),
        Err(e) => Login::Unanswered(format!("reply to PASS: {e}")),
    };
    c.quit();
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::net::TcpListener;

    #[test]
    fn single_and_multi_line_replies() {
        let (r, n) = parse_reply(b"220 (vsFTPd 3.0.3)\r\nrest").unwrap().unwrap();
        assert_eq!((r.code, r.text.as_str(), n), (220, "(vsFTPd 3.0.3)", 20));
        let multi = b"230-Welcome\r\n230-line two\r\n 230 not the end\r\n230 Login successful.\r\n";
        let (r, n) = parse_reply(multi).unwrap().unwrap();
        assert_eq!(r.code, 230);
        assert_eq!(r.text, "Login successful.");
        assert_eq!(n, multi.len());
        // Bare LF, and a code with no text.
        assert_eq!(
            parse_reply(b"530\n").unwrap().unwrap().0,
            Reply {
                code: 530,
                text: String::new()
            }
        );
        // Incomplete: more bytes needed.
        assert_eq!(parse_reply(b"220 hel").unwrap(), None);
        assert_eq!(parse_reply(b"220-first\r\n220-more\r\n").unwrap(), None);
        // Not FTP.
        assert!(parse_reply(b"SSH-2.0-OpenSSH_9.2\r\n").is_err());
        assert!(parse_reply(b"999 no\r\n").is_err());
        assert!(parse_reply(b"220x\r\n").is_err());
        // Control bytes never reach evidence.
        let (r, _) = parse_reply(b"530 bad\x1b[31m\r\n").unwrap().unwrap();
        assert_eq!(r.text, "bad?[31m");
    }

    #[test]
    fn tls_demands_are_recognised() {
        let r = |t: &str| Reply {
            code: 530,
            text: t.into(),
        };
        assert!(needs_tls(&r("Non-anonymous sessions must use encryption.")));
        assert!(needs_tls(&r("Policy requires SSL.")));
        assert!(!needs_tls(&r("Permission denied.")));
    }

    /// A scripted FTP server on 127.0.0.1 for one connection; returns the
    /// port and a handle yielding the lines it received.
    fn server(
        greeting: &'static str,
        user_reply: &'static str,
        good: &'static str,
    ) -> (u16, std::thread::JoinHandle<Vec<String>>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let h = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut seen = Vec::new();
            s.write_all(greeting.as_bytes()).unwrap();
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let line = line.trim_end().to_string();
                seen.push(line.clone());
                let answer = if line.starts_with("USER") {
                    user_reply.to_string()
                } else if let Some(pw) = line.strip_prefix("PASS ") {
                    if pw == good {
                        "230 Login successful.\r\n".into()
                    } else {
                        "530 Login incorrect.\r\n".into()
                    }
                } else if line == "QUIT" {
                    let _ = s.write_all(b"221 Goodbye.\r\n");
                    break;
                } else {
                    "500 Unknown command.\r\n".into()
                };
                s.write_all(answer.as_bytes()).unwrap();
            }
            seen
        });
        (port, h)
    }

    fn quick() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(5),
            io: Duration::from_secs(5),
        }
    }

    #[test]
    fn logs_in_with_the_right_password_only() {
        let (port, h) = server(
            "220-Welcome\r\n220 (vsFTPd 3.0.3)\r\n",
            "331 Please specify the password.\r\n",
            "Seaways2017",
        );
        let got = try_login(
            "127.0.0.1",
            port,
            "seaways",
            &Secret::new("Seaways2017"),
            quick(),
        );
        assert_eq!(got, Ok(Login::Accepted));
        assert_eq!(
            h.join().unwrap(),
            ["USER seaways", "PASS Seaways2017", "QUIT"]
        );

        let (port, h) = server("220 ok\r\n", "331 Password?\r\n", "right");
        let got = try_login("127.0.0.1", port, "seaways", &Secret::new("wrong"), quick());
        assert_eq!(got, Ok(Login::Rejected));
        assert_eq!(h.join().unwrap().len(), 3);
    }

    #[test]
    fn a_tls_only_server_gets_no_password() {
        let (port, h) = server(
            "220 (vsFTPd 3.0.3)\r\n",
            "530 Non-anonymous sessions must use encryption.\r\n",
            "x",
        );
        let got = try_login("127.0.0.1", port, "ftpuser", &Secret::new("x"), quick()).unwrap();
        match got {
            Login::UserRefused(r) => assert!(needs_tls(&r), "{r:?}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            h.join().unwrap(),
            ["USER ftpuser", "QUIT"],
            "PASS never sent"
        );
    }

    #[test]
    fn refused_sessions_and_unsafe_values_send_nothing_secret() {
        let (port, h) = server("421 Service not available.\r\n", "331 x\r\n", "x");
        let err = try_login("127.0.0.1", port, "a", &Secret::new("x"), quick()).unwrap_err();
        assert!(err.0.contains("421 Service not available."), "{err}");
        assert_eq!(h.join().unwrap(), ["QUIT"]);
        // No connection at all for values that could inject commands.
        assert!(try_login("127.0.0.1", 1, "a", &Secret::new("x\r\nDELE y"), quick()).is_err());
        assert!(try_login("127.0.0.1", 1, "a b", &Secret::new("x"), quick()).is_err());
        // Nothing listening.
        let free = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = free.local_addr().unwrap().port();
        drop(free);
        let err = try_login("127.0.0.1", port, "a", &Secret::new("x"), quick()).unwrap_err();
        assert!(err.0.contains("cannot connect"), "{err}");
    }
}
