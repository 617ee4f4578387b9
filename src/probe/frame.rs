//! Parses the framed output of a probe script back into one result per probe.
//!
//! Only lines that start with the run's random boundary are frame lines, so
//! nothing a probe prints can open, close or fake a frame. Anything the
//! parser does not understand is kept as `stray` output for diagnostics
//! rather than guessed at.

use super::script::ScriptProbe;
use std::collections::BTreeMap;

/// How a probe ended on the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "code")]
pub enum ProbeOutcome {
    /// The probe's shell exited with this code.
    Exited(i32),
    /// The target's `timeout` stopped the probe.
    TimedOut,
    /// The probe needs root and the script did not run as root.
    NeedsRoot,
    /// The frame never closed: the script was cut off (deadline, lost
    /// connection, output cap) while this probe ran.
    Incomplete,
}

/// One probe's collected output.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProbeResult {
    pub outcome: ProbeOutcome,
    /// Raw bytes the probe printed (stdout and stderr), at most its cap.
    #[serde(with = "lossy_bytes")]
    pub content: Vec<u8>,
    /// True when the probe printed more than its cap and was cut.
    pub truncated: bool,
}

impl ProbeResult {
    /// Content as text; invalid UTF-8 is replaced, never fatal.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.content)
    }
}

/// Everything parsed from one run of a probe script.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOutput {
    pub probes: BTreeMap<String, ProbeResult>,
    /// True when the script printed its final DONE frame.
    pub complete: bool,
    /// Problems noticed while parsing (length mismatch, unknown ids).
    pub anomalies: Vec<String>,
    /// Bytes outside any frame (shell errors before the first probe, ...),
    /// capped at 4 KiB.
    pub stray: Vec<u8>,
}

const STRAY_CAP: usize = 4096;

/// Parse `bytes` produced by a script built from `probes` with `boundary`.
pub fn parse_frames(bytes: &[u8], boundary: &str, probes: &[ScriptProbe]) -> RunOutput {
    let caps: BTreeMap<&str, usize> = probes
        .iter()
        .map(|p| (p.id.as_str(), p.max_bytes))
        .collect();
    let mut needle = Vec::with_capacity(boundary.len() + 2);
    needle.push(b'\n');
    needle.extend_from_slice(boundary.as_bytes());
    needle.push(b' ');

    let mut out = RunOutput::default();
    let mut open: Option<(String, usize)> = None; // (id, content start)
    let mut cursor = 0usize; // start of bytes not yet accounted for
    let mut search_from = 0usize;

    while let Some(pos) = find(bytes, &needle, search_from) {
        let line_start = pos + needle.len();
        let line_end = match bytes[line_start..].iter().position(|&b| b == b'\n') {
            Some(n) => line_start + n,
            None => bytes.len(), // a frame line cut off at the very end
        };
        let line = String::from_utf8_lossy(&bytes[line_start..line_end]).into_owned();
        let mut words = line.split(' ');
        match (words.next(), open.take()) {
            (Some("BEGIN"), previous) => {
                if let Some((id, start)) = previous {
                    close_incomplete(&mut out, &caps, id, span(bytes, start, pos));
                } else {
                    push_stray(&mut out.stray, span(bytes, cursor, pos));
                }
                let id = words.next().unwrap_or_default().to_string();
                open = Some((id, (line_end + 1).min(bytes.len())));
            }
            (Some("END"), Some((id, start))) => {
                let end_id = words.next().unwrap_or_default();
                let status = words.next().unwrap_or_default();
                let length = words.next().unwrap_or("-");
                let content = span(bytes, start, pos);
                if end_id != id {
                    out.anomalies
                        .push(format!("probe {id:?} was closed by a frame for {end_id:?}"));
                    close_incomplete(&mut out, &caps, id, content);
                } else {
                    if let Ok(n) = length.parse::<usize>() {
                        if n != content.len() {
                            out.anomalies.push(format!(
                                "probe {id:?}: the target counted {n} bytes, {} arrived",
                                content.len()
                            ));
                        }
                    }
                    let outcome = match status {
                        "noroot" => ProbeOutcome::NeedsRoot,
                        // `timeout` exits 124, or 137 when its -k had to kill.
                        "124" | "137" => ProbeOutcome::TimedOut,
                        s => match s.parse::<i32>() {
                            Ok(code) => ProbeOutcome::Exited(code),
                            Err(_) => {
                                out.anomalies
                                    .push(format!("probe {id:?}: unreadable status {s:?}"));
                                ProbeOutcome::Incomplete
                            }
                        },
                    };
                    insert(&mut out, &caps, id, content, outcome);
                }
                cursor = (line_end + 1).min(bytes.len());
            }
            (Some("DONE"), previous) => {
                if let Some((id, start)) = previous {
                    close_incomplete(&mut out, &caps, id, span(bytes, start, pos));
                }
                out.complete = true;
                cursor = (line_end + 1).min(bytes.len());
            }
            (other, previous) => {
                // An END without BEGIN, or a word we never write: keep what
                // was open, note the oddity.
                out.anomalies
                    .push(format!("unexpected frame line {:?}", other.unwrap_or("")));
                open = previous;
            }
        }
        search_from = line_end;
    }
    if let Some((id, start)) = open {
        close_incomplete(&mut out, &caps, id, &bytes[start.min(bytes.len())..]);
    } else if cursor < bytes.len() && !out.complete {
        push_stray(&mut out.stray, &bytes[cursor..]);
    }
    out
}

fn insert(
    out: &mut RunOutput,
    caps: &BTreeMap<&str, usize>,
    id: String,
    content: &[u8],
    outcome: ProbeOutcome,
) {
    let Some(&cap) = caps.get(id.as_str()) else {
        out.anomalies
            .push(format!("output for a probe that was not sent: {id:?}"));
        return;
    };
    let truncated = content.len() > cap;
    let content = content[..content.len().min(cap)].to_vec();
    out.probes.insert(
        id,
        ProbeResult {
            outcome,
            content,
            truncated,
        },
    );
}

fn close_incomplete(out: &mut RunOutput, caps: &BTreeMap<&str, usize>, id: String, content: &[u8]) {
    insert(out, caps, id, content, ProbeOutcome::Incomplete);
}

fn push_stray(stray: &mut Vec<u8>, bytes: &[u8]) {
    let room = STRAY_CAP.saturating_sub(stray.len());
    stray.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// `bytes[from..to]`, empty when `from` is past `to`: a frame line may
/// follow the previous one's newline directly, so the newline that ends one
/// frame line is also the one that starts the next.
fn span(bytes: &[u8], from: usize, to: usize) -> &[u8] {
    &bytes[from.min(to)..to]
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from >= haystack.len() || needle.is_empty() {
        return None;
    }
    // Linear time on any input: the output may be megabytes of hostile bytes.
    memchr::memmem::find(&haystack[from..], needle).map(|p| p + from)
}

/// Serde helper: probe content is bytes; saved facts keep it as lossless
/// base-free arrays would be bulky, so it is stored as (lossy) text.
mod lossy_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(String::deserialize(d)?.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::script::ProbeScript;
    use std::io::Write;
    use std::process::{Command, Stdio};

    fn probe(id: &str, code: &str, max: usize) -> ScriptProbe {
        ScriptProbe {
            id: id.into(),
            code: code.into(),
            needs_root: false,
            timeout_secs: 5,
            max_bytes: max,
        }
    }

    fn run_local(probes: &[ScriptProbe]) -> RunOutput {
        let script = ProbeScript::build(probes);
        let mut child = Command::new("sh")
            .arg("-s")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.text.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        parse_frames(&out.stdout, &script.boundary, probes)
    }

    #[test]
    fn round_trip_through_real_sh() {
        let probes = [
            probe("a", "printf 'one\\ntwo\\n'", 100),
            probe("b", "printf 'no newline'; exit 3", 100),
            probe("c", "printf 'x\\000y'; echo oops >&2", 100),
            probe("d", "head -c 5000 /dev/zero", 100),
            probe("e", "", 100),
        ];
        let out = run_local(&probes);
        assert!(out.complete, "{out:?}");
        assert!(out.anomalies.is_empty(), "{:?}", out.anomalies);
        assert_eq!(out.probes["a"].content, b"one\ntwo\n");
        assert_eq!(out.probes["a"].outcome, ProbeOutcome::Exited(0));
        assert_eq!(out.probes["b"].content, b"no newline");
        assert_eq!(out.probes["b"].outcome, ProbeOutcome::Exited(3));
        assert_eq!(out.probes["c"].content, b"x\0yoops\n");
        assert_eq!(out.probes["d"].content.len(), 100);
        assert!(out.probes["d"].truncated);
        assert!(!out.probes["a"].truncated);
        assert_eq!(out.probes["e"].content, b"");
    }

    #[test]
    fn content_cannot_forge_frames() {
        // A probe that prints lines shaped like frames, with a guessed boundary.
        let probes = [
            probe(
                "evil",
                "printf '\\nSHIPSHAPE-00000000000000000000000000000000 END evil 0 0\\n'; printf 'DONE\\n'",
                1000,
            ),
            probe("next", "echo fine", 100),
        ];
        let out = run_local(&probes);
        assert!(out.complete);
        assert!(out.probes["evil"].text().contains("END evil 0 0"));
        assert_eq!(out.probes["next"].text(), "fine\n");
    }

    #[test]
    fn timeouts_and_cut_off_runs() {
        let probes = [probe("slow", "sleep 30", 100)];
        let mut p = probes.clone();
        p[0].timeout_secs = 1;
        let started = std::time::Instant::now();
        let out = run_local(&p);
        assert!(started.elapsed().as_secs() < 10);
        assert_eq!(out.probes["slow"].outcome, ProbeOutcome::TimedOut);

        // A run cut in the middle of a probe: the probe is incomplete.
        let text = b"\nB BEGIN slow\npartial";
        let out = parse_frames(text, "B", &probes);
        assert!(!out.complete);
        assert_eq!(out.probes["slow"].outcome, ProbeOutcome::Incomplete);
        assert_eq!(out.probes["slow"].content, b"partial");
    }

    #[test]
    fn needs_root_is_reported_not_run() {
        let mut p = probe("root-only", "echo ran", 100);
        p.needs_root = true;
        let out = run_local(&[p]);
        let is_root = running_as_root();
        if is_root {
            assert_eq!(out.probes["root-only"].text(), "ran\n");
        } else {
            assert_eq!(out.probes["root-only"].outcome, ProbeOutcome::NeedsRoot);
        }
    }

    fn running_as_root() -> bool {
        Command::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout.trim_ascii() == b"0")
            .unwrap_or(false)
    }

    #[test]
    fn garbage_is_survived() {
        let probes = [probe("a", "", 10)];
        for input in [
            &b""[..],
            b"\nB END a 0 0\n",
            b"\nB BEGIN a\n\nB BEGIN a\n",
            b"\nB BEGIN zzz\nhello\nB END zzz 0 5\n",
            b"\nB BEGIN a\nxx\nB END a notanumber 2\n\nB DONE\n",
            b"\nB ",
        ] {
            let _ = parse_frames(input, "B", &probes);
        }
        let out = parse_frames(b"\nB BEGIN a\nxx\nB END a 0 7\n\nB DONE\n", "B", &probes);
        assert_eq!(out.anomalies.len(), 1, "{:?}", out.anomalies);
    }

    /// Found by the `frames` fuzz target: a frame line right after another
    /// one's newline (no blank line between) once made the parser slice
    /// backwards and panic.
    #[test]
    fn frame_lines_back_to_back_do_not_panic() {
        let probes = [probe("a", "", 10), probe("b", "", 10)];
        let out = parse_frames(b"\nB BEGIN a\nB BEGIN b\nB DONE\n", "B", &probes);
        assert!(out.complete);
        assert_eq!(out.probes["a"].outcome, ProbeOutcome::Incomplete);
        assert!(out.probes["a"].content.is_empty());
        assert_eq!(out.probes["b"].outcome, ProbeOutcome::Incomplete);
        let out = parse_frames(
            b"\nB BEGIN a\nx\nB END a 0 1\nB BEGIN b\nyy\nB END b 0 2\n",
            "B",
            &probes,
        );
        assert_eq!(out.probes["a"].content, b"x");
        assert_eq!(out.probes["b"].content, b"yy");
        assert!(out.anomalies.is_empty(), "{:?}", out.anomalies);
    }
}
