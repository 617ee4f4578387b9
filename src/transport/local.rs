//! Local transport: the probe script runs through `sh -s` on this machine
//! (`--local`), with the same contract as SSH: script on stdin, stdout and
//! stderr merged into one stream, a deadline and an output cap.

use super::{ExecLimits, ExecOutput, Transport, TransportError};
use std::io::{self, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Runs scripts with the local `sh`.
#[derive(Debug, Clone, Default)]
pub struct LocalTransport {
    _private: (),
}

impl LocalTransport {
    pub fn new() -> Self {
        LocalTransport { _private: () }
    }
}

enum Chunk {
    Data(Vec<u8>),
    Eof,
    Failed(io::Error),
}

impl Transport for LocalTransport {
    fn run_script(
        &mut self,
        script: &[u8],
        limits: &ExecLimits,
    ) -> Result<ExecOutput, TransportError> {
        let deadline = Instant::now() + limits.deadline;
        // With --become, sudo runs the shell, and its preamble goes ahead of
        // the script on standard input.
        let (command, script) = match &limits.sudo {
            None => ("sh -s".to_string(), script.to_vec()),
            Some(sudo) => {
                let mut input = sudo.stdin_prefix().ok_or_else(|| {
                    TransportError::Other(
                        "the sudo password holds a line break, which sudo cannot read".into(),
                    )
                })?;
                input.extend_from_slice(script);
                (sudo.command(), input)
            }
        };
        // `exec sh -s 2>&1` makes the script's stderr the very same pipe as
        // its stdout, so the two interleave in the order they were written
        // and neither can fill up while we wait on the other.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("exec {command} 2>&1"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            // Own process group, so a timeout kills whatever the script
            // started, not only the shell.
            .process_group(0)
            .spawn()
            .map_err(|e| TransportError::Other(format!("cannot start local sh: {e}")))?;

        let stdin = child.stdin.take();
        let writer = thread::spawn(move || {
            if let Some(mut stdin) = stdin {
                // The script may exit before reading all of its input: a
                // broken pipe here is not an error of the run.
                let _ = stdin.write_all(&script);
            }
        });

        let Some(mut stdout) = child.stdout.take() else {
            kill_group(&mut child);
            return Err(TransportError::Other("local sh has no stdout pipe".into()));
        };
        let (tx, rx) = mpsc::sync_channel::<Chunk>(16);
        thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let msg = match stdout.read(&mut buf) {
                    Ok(0) => Chunk::Eof,
                    Ok(n) => Chunk::Data(buf[..n].to_vec()),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => Chunk::Failed(e),
                };
                let last = !matches!(msg, Chunk::Data(_));
                if tx.send(msg).is_err() || last {
                    return;
                }
            }
        });

        let mut out = ExecOutput::default();
        loop {
            let now = Instant::now();
            if now >= deadline {
                kill_group(&mut child);
                return Err(timeout(limits.deadline));
            }
            match rx.recv_timeout(deadline - now) {
                Ok(Chunk::Data(data)) => {
                    let room = limits.max_output_bytes.saturating_sub(out.bytes.len());
                    if data.len() > room {
                        out.bytes.extend_from_slice(&data[..room]);
                        out.truncated = true;
                        // Stop reading: the script is killed rather than left
                        // to block on a full pipe.
                        kill_group(&mut child);
                        let _ = writer.join();
                        return Ok(out);
                    }
                    out.bytes.extend_from_slice(&data);
                }
                Ok(Chunk::Eof) => break,
                Ok(Chunk::Failed(e)) => {
                    kill_group(&mut child);
                    return Err(TransportError::Other(format!(
                        "reading local sh output: {e}"
                    )));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    kill_group(&mut child);
                    return Err(timeout(limits.deadline));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }

        // Output is closed; the shell normally exits at once.
        loop {
            match child.try_wait() {
                Ok(Some(status)) => {
                    let _ = writer.join();
                    // None when the shell died of a signal.
                    out.exit_status = status.code();
                    return Ok(out);
                }
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(2)),
                Ok(None) => {
                    kill_group(&mut child);
                    return Err(timeout(limits.deadline));
                }
                Err(e) => {
                    kill_group(&mut child);
                    return Err(TransportError::Other(format!("waiting for local sh: {e}")));
                }
            }
        }
    }
}

fn timeout(limit: Duration) -> TransportError {
    TransportError::Timeout(format!(
        "local script did not finish within {:.1}s; killed",
        limit.as_secs_f64()
    ))
}

/// Kill the shell and every process in its group, then reap the shell.
fn kill_group(child: &mut Child) {
    let pgid = child.id();
    // std has no killpg; the shell's `kill` builtin takes a negative pid.
    let _ = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -s KILL -- -{pgid} 2>/dev/null"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(secs: u64, cap: usize) -> ExecLimits {
        ExecLimits {
            deadline: Duration::from_secs(secs),
            max_output_bytes: cap,
            sudo: None,
        }
    }

    #[test]
    fn runs_script_merges_stderr_and_reports_status() {
        let mut t = LocalTransport::new();
        let out = t
            .run_script(b"echo out\necho err >&2\nexit 7\n", &limits(10, 1 << 20))
            .expect("run");
        assert_eq!(out.bytes, b"out\nerr\n");
        assert_eq!(out.exit_status, Some(7));
        assert!(!out.truncated);
    }

    #[test]
    fn large_stderr_then_stdout_does_not_deadlock() {
        let mut t = LocalTransport::new();
        let script = b"head -c 1048576 /dev/zero >&2\nhead -c 1048576 /dev/zero\n";
        let out = t.run_script(script, &limits(20, 4 << 20)).expect("run");
        assert_eq!(out.bytes.len(), 2 << 20);
        assert_eq!(out.exit_status, Some(0));
    }

    #[test]
    fn output_cap_truncates() {
        let mut t = LocalTransport::new();
        let out = t
            .run_script(b"yes shipshape\n", &limits(20, 10_000))
            .expect("run");
        assert!(out.truncated);
        assert_eq!(out.bytes.len(), 10_000);
        assert!(out.bytes.starts_with(b"shipshape\n"));
    }

    #[test]
    fn deadline_kills_the_whole_group() {
        let mut t = LocalTransport::new();
        let start = Instant::now();
        let err = t
            .run_script(b"sleep 30 &\nsleep 30\n", &limits(1, 1 << 20))
            .expect_err("must time out");
        assert!(matches!(err, TransportError::Timeout(_)), "{err:?}");
        assert!(start.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn large_script_on_stdin() {
        let mut t = LocalTransport::new();
        let mut script = Vec::new();
        for i in 0..20_000 {
            script.extend_from_slice(format!("echo line{i}\n").as_bytes());
        }
        let out = t.run_script(&script, &limits(30, 16 << 20)).expect("run");
        assert!(out.bytes.ends_with(b"line19999\n"));
        assert_eq!(out.exit_status, Some(0));
    }
}
