//! Compiles probes into ONE POSIX `sh` script for one host.
//!
//! The script only reads: each probe runs in its own `sh -c` with standard
//! input from /dev/null, under `timeout` when the target has it, with its
//! output capped by `head -c`. Output is framed by a random per-run boundary
//! that no file or command on the target can know, so content cannot forge a
//! frame. Frame layout (see `frame.rs` for the parser):
//!
//! ```text
//! \n<B> BEGIN <id>\n<content>\n<B> END <id> <status> <length>\n
//! ...
//! \n<B> DONE\n
//! ```
//!
//! `<status>` is the probe's exit code, or `noroot` when it needs root and the
//! script does not run as root; `<length>` is the byte count of `<content>`
//! (or `-` where the target cannot count without writing a file).

use super::quote::quote;
use std::fmt::Write as _;

/// One probe, ready to be compiled: its code has parameters already quoted in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptProbe {
    pub id: String,
    pub code: String,
    pub needs_root: bool,
    pub timeout_secs: u32,
    pub max_bytes: usize,
}

/// The compiled script and the boundary its frames use.
#[derive(Debug, Clone)]
pub struct ProbeScript {
    pub boundary: String,
    pub text: String,
}

/// A fresh random boundary: 128 bits from the OS, hex-encoded, prefixed so
/// that it is recognisable in a capture.
pub fn random_boundary() -> String {
    let mut bytes = [0u8; 16];
    // getrandom only fails where the OS has no entropy source at all.
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    let mut s = String::from("SHIPSHAPE-");
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

const PRELUDE: &str = r#"# shipshape probe script: reads only, writes nothing on this host.
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LC_ALL=C
export PATH LC_ALL
renice -n 10 -p $$ >/dev/null 2>&1
ionice -c 3 -p $$ >/dev/null 2>&1
ss_uid=$(id -u 2>/dev/null)
ss_to=0
command -v timeout >/dev/null 2>&1 && ss_to=1
ss_tee=0
{ printf '' | tee /dev/fd/5; } 5>&1 2>/dev/null && ss_tee=1
ss_exec() {
  if [ "$ss_to" = 1 ]; then timeout -k 2 "$1" sh -c "$2"; else sh -c "$2"; fi
}
ss_probe() {
  printf '\n%s BEGIN %s\n' "$ss_b" "$1"
  if [ "$4" = 1 ] && [ "$ss_uid" != 0 ]; then
    printf '\n%s END %s noroot 0\n' "$ss_b" "$1"
    return 0
  fi
  if [ "$ss_tee" = 1 ]; then
    { ss_r=$( { { ss_exec "$3" "$5" </dev/null 2>&1 3>&- 5>&-; echo "st=$?" >&3; } | head -c "$2" | tee /dev/fd/5 | wc -c; } 3>&1 ); } 5>&1
  else
    { ss_r=$( { { ss_exec "$3" "$5" </dev/null 2>&1 3>&- 5>&-; echo "st=$?" >&3; } | head -c "$2" >&5; } 3>&1 ); } 5>&1
  fi
  ss_st=-1
  ss_len=-
  for ss_w in $ss_r; do
    case $ss_w in
      st=*) ss_st=${ss_w#st=} ;;
      *[!0-9]*) ;;
      *) ss_len=$ss_w ;;
    esac
  done
  printf '\n%s END %s %s %s\n' "$ss_b" "$1" "$ss_st" "$ss_len"
}
"#;

impl ProbeScript {
    /// Compile `probes` (in the given order) with a fresh random boundary.
    pub fn build(probes: &[ScriptProbe]) -> ProbeScript {
        Self::build_with_boundary(probes, random_boundary())
    }

    /// Compile with a caller-chosen boundary (tests, replay).
    pub fn build_with_boundary(probes: &[ScriptProbe], boundary: String) -> ProbeScript {
        let mut text = String::with_capacity(PRELUDE.len() + probes.len() * 256);
        text.push_str(PRELUDE);
        let _ = writeln!(text, "ss_b={}", quote(&boundary));
        for p in probes {
            // One byte over the cap lets the parser tell "exactly at the cap"
            // from "cut at the cap".
            let _ = writeln!(
                text,
                "ss_probe {} {} {} {} {}",
                quote(&p.id),
                p.max_bytes.saturating_add(1),
                p.timeout_secs.max(1),
                u8::from(p.needs_root),
                quote(&p.code)
            );
        }
        text.push_str("printf '\\n%s DONE\\n' \"$ss_b\"\n");
        ProbeScript { boundary, text }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_are_random_and_long() {
        let a = random_boundary();
        let b = random_boundary();
        assert_ne!(a, b);
        assert_eq!(a.len(), "SHIPSHAPE-".len() + 32);
    }

    #[test]
    fn probe_code_is_quoted_as_one_word() {
        let p = ScriptProbe {
            id: "x".into(),
            code: "echo 'hi'; echo $HOME".into(),
            needs_root: false,
            timeout_secs: 5,
            max_bytes: 10,
        };
        let s = ProbeScript::build_with_boundary(&[p], "B".into());
        assert!(s
            .text
            .contains("ss_probe 'x' 11 5 0 'echo '\\''hi'\\''; echo $HOME'"));
    }
}
