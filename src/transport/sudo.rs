//! `--become`: the probe script runs as root through `sudo`, in the same
//! single command execution as without it.
//!
//! Without a password the remote command is `sudo -n -- sh -s`: sudo never
//! prompts, and a host that wants a password fails with sudo's own message.
//! With a password (from the environment, never the command line) sudo reads
//! it from standard input (`-S`, empty prompt `-p ''`), ahead of the script.
//! Whether sudo asks for it depends on the host (NOPASSWD, cached
//! credentials), so a marker line follows the password, and a small `sh`
//! between sudo and the script skips input up to the marker: the password is
//! never run or echoed as a command, whether sudo consumed it or not.

use crate::secret::Secret;

/// Environment variable the CLI reads the sudo password from.
pub const PASSWORD_ENV: &str = "SHIPSHAPE_BECOME_PASSWORD";

/// The line after the password. Not secret: it only ends the preamble.
const MARKER: &str = "SHIPSHAPE-BECOME-END";

/// How to become root with sudo.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Sudo {
    /// The sudo password, when the host needs one.
    pub password: Option<Secret>,
}

impl std::fmt::Debug for Sudo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sudo")
            .field("password", &self.password.as_ref().map(|_| "(set)"))
            .finish()
    }
}

impl Sudo {
    /// The one remote command the transport executes.
    pub fn command(&self) -> String {
        match self.password {
            None => "sudo -n -- sh -s".to_string(),
            Some(_) => format!(
                "sudo -S -p '' -- sh -c 'IFS= read -r l; [ \"$l\" = {MARKER} ] || \
                 IFS= read -r l; [ \"$l\" = {MARKER} ] && exec sh -s'"
            ),
        }
    }

    /// What the transport writes on standard input before the script: the
    /// password line and the marker (nothing without a password). A password
    /// with a line break cannot be given to `sudo -S`: `None`.
    pub fn stdin_prefix(&self) -> Option<Vec<u8>> {
        match &self.password {
            None => Some(Vec::new()),
            Some(p) if p.expose().contains(['\n', '\r']) => None,
            Some(p) => Some(format!("{}\n{MARKER}\n", p.expose()).into_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::process::{Command, Stdio};

    /// The preamble through a local `sh`, with `cat` standing in for sudo
    /// (which consumes nothing when it needs no password) and with `read`
    /// standing in for a sudo that consumes the password line.
    fn through(sudo_stand_in: &str, input: &[u8]) -> String {
        let cmd = Sudo {
            password: Some(Secret::new("x")),
        }
        .command();
        let inner = cmd.strip_prefix("sudo -S -p '' -- ").expect("sudo command");
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("{sudo_stand_in} {inner}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    }

    #[test]
    fn the_password_is_never_run_as_a_command() {
        let sudo = Sudo {
            password: Some(Secret::new("pw; echo LEAKED")),
        };
        let mut input = sudo.stdin_prefix().unwrap();
        input.extend_from_slice(b"echo script ran\n");
        // sudo needed no password: the preamble skips it.
        let out = through("", &input);
        assert_eq!(out, "script ran\n");
        // sudo consumed the password line: the preamble sees the marker first.
        let out = through("IFS= read -r pw;", &input);
        assert_eq!(out, "script ran\n");
        assert!(!out.contains("LEAKED"));
    }

    #[test]
    fn commands_and_prefixes() {
        let none = Sudo::default();
        assert_eq!(none.command(), "sudo -n -- sh -s");
        assert_eq!(none.stdin_prefix(), Some(Vec::new()));
        let pw = Sudo {
            password: Some(Secret::new("Lab-pw")),
        };
        assert!(!pw.command().contains("Lab-pw"));
        assert!(!format!("{pw:?}").contains("Lab-pw"));
        let multi = Sudo {
            password: Some(Secret::new("a\nb")),
        };
        assert_eq!(multi.stdin_prefix(), None);
    }
}
