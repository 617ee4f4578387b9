//! `--become`: the probe script runs as root through `sudo`, in the same
//! single command execution as without it.
//!
//! A login that already is root runs the script directly (a host without
//! sudo can still be audited in a `--become` run). Otherwise, without a
//! password the script runs under `sudo -n -- sh -s`: sudo never prompts,
//! and a host that wants a password fails with sudo's own message. With a
//! password (from the environment, never the command line) sudo reads it
//! from standard input (`-S`, empty prompt `-p ''`), ahead of the script.
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
            None => "sh -c '[ \"$(id -u)\" = 0 ] && exec sh -s; exec sudo -n -- sh -s'".into(),
            Some(_) => {
                // Skip the password line if it is still there, then the marker.
                let skip = format!(
                    "IFS= read -r l; [ \"$l\" = {MARKER} ] || IFS= read -r l; [ \"$l\" = {MARKER} ]"
                );
                let skip_quoted = skip.replace('"', "\\\"").replace('$', "\\$");
                format!(
                    "sh -c 'if [ \"$(id -u)\" = 0 ]; then {skip} && exec sh -s; exit 1; fi; \
                     exec sudo -S -p \"\" -- sh -c \"{skip_quoted} && exec sh -s\"'"
                )
            }
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

    /// Run `sudo`'s command through a local `sh` with stand-ins for `id`
    /// (printing `uid`) and `sudo` (dropping its options, consuming the
    /// first input line first when `consumes`), the same as a host would.
    fn through(sudo: &Sudo, uid: u32, consumes: bool, script: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let stand_in = |name: &str, body: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        stand_in("id", &format!("echo {uid}"));
        let eat = if consumes { "IFS= read -r pw" } else { ":" };
        stand_in(
            "sudo",
            &format!("{eat}\nwhile [ \"$1\" != -- ]; do shift; done; shift; exec \"$@\""),
        );
        let path = format!("{}:/usr/bin:/bin", dir.path().display());
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(sudo.command())
            .env("PATH", path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = sudo.stdin_prefix().unwrap();
        input.extend_from_slice(script.as_bytes());
        child.stdin.take().unwrap().write_all(&input).unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    }

    #[test]
    fn the_password_is_never_run_as_a_command() {
        let sudo = Sudo {
            password: Some(Secret::new("pw'\"; echo LEAKED $x")),
        };
        let script = "echo script ran\n";
        // sudo asked for the password / needed none / the login is root.
        for (uid, consumes) in [(1000, true), (1000, false), (0, false)] {
            let out = through(&sudo, uid, consumes, script);
            assert_eq!(out, "script ran\n", "uid {uid}, consumes {consumes}");
        }
    }

    #[test]
    fn without_a_password() {
        let sudo = Sudo::default();
        assert_eq!(through(&sudo, 1000, false, "echo ran\n"), "ran\n");
        assert_eq!(through(&sudo, 0, false, "echo ran\n"), "ran\n");
        assert!(sudo.command().contains("sudo -n -- sh -s"));
        assert_eq!(sudo.stdin_prefix(), Some(Vec::new()));
    }

    #[test]
    fn the_password_stays_out_of_the_command() {
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
