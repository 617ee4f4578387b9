//! OpenSSH `known_hosts` files, parsed line by line.
//!
//! libssh2's own reader gives up on the whole file at the first line it does
//! not understand; a real file collected over years has such lines. Here every
//! line stands alone: a malformed one becomes a warning with its line number
//! and the rest of the file still counts.
//!
//! Supported: plain host names and addresses, comma-separated lists,
//! `[host]:port`, `*`/`?` wildcards and `!negation`, hashed `|1|salt|hash`
//! entries (HMAC-SHA1), `@revoked` (a listed key is refused) and
//! `@cert-authority` (ignored: this transport does not use host certificates),
//! comments and blank lines.

use crate::wildcard;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

/// The marker that may start a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    None,
    Revoked,
    CertAuthority,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Hosts {
    /// Comma-separated patterns, lowercased, possibly negated with `!`.
    Patterns(Vec<String>),
    /// `|1|salt|hash`: HMAC-SHA1 keyed with salt over the host token.
    Hashed { salt: Vec<u8>, hash: Vec<u8> },
}

/// One usable line of a known_hosts file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line number in the file.
    pub line: usize,
    pub marker: Marker,
    hosts: Hosts,
    /// Key type as named inside the key blob (`ssh-ed25519`, `ssh-rsa`, …).
    pub key_type: String,
    /// The decoded public key blob.
    pub key: Vec<u8>,
}

impl Entry {
    /// Does this line apply to `token` (see [`host_token`])?
    pub fn matches(&self, token: &str) -> bool {
        let token = token.to_ascii_lowercase();
        match &self.hosts {
            Hosts::Hashed { salt, hash } => hashed_matches(salt, hash, &token),
            Hosts::Patterns(patterns) => {
                let mut matched = false;
                for p in patterns {
                    if let Some(neg) = p.strip_prefix('!') {
                        if wildcard::text(neg, &token) {
                            return false;
                        }
                    } else if wildcard::text(p, &token) {
                        matched = true;
                    }
                }
                matched
            }
        }
    }
}

/// A parsed known_hosts file: the usable entries and one warning per line
/// that could not be used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownHosts {
    pub entries: Vec<Entry>,
    /// `line N: reason`, in file order. Never fatal.
    pub warnings: Vec<String>,
}

/// What a known_hosts file says about a host's presented key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKeyCheck {
    /// A line for this host lists exactly this key.
    Match { line: usize },
    /// The key is listed in an `@revoked` line that applies to this host.
    Revoked { line: usize },
    /// The host is known with a different key of the same type.
    Mismatch { line: usize },
    /// The host is known, but only with keys of other types.
    OtherTypesOnly {
        lines: Vec<usize>,
        key_types: Vec<String>,
    },
    /// No line applies to this host.
    NotFound,
}

impl KnownHosts {
    /// Parse a whole file. Never fails: unusable lines become warnings.
    pub fn parse(text: &str) -> KnownHosts {
        let mut kh = KnownHosts::default();
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            match parse_line(raw, line_no) {
                Ok(Some(entry)) => kh.entries.push(entry),
                Ok(None) => {}
                Err(why) => kh.warnings.push(format!("line {line_no}: {why}")),
            }
        }
        kh
    }

    /// Read and parse `path`. A missing file is an empty one; bytes that are
    /// not UTF-8 are replaced (and then the line is reported if it matters).
    pub fn load(path: &Path) -> io::Result<KnownHosts> {
        match fs::read(path) {
            Ok(bytes) => Ok(KnownHosts::parse(&String::from_utf8_lossy(&bytes))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(KnownHosts::default()),
            Err(e) => Err(e),
        }
    }

    /// Lines (not `@cert-authority`, not `@revoked`) that apply to the host.
    fn host_entries<'a>(&'a self, token: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries
            .iter()
            .filter(move |e| e.marker == Marker::None && e.matches(token))
    }

    /// Key types this file knows for `host`:`port`, in file order, without
    /// duplicates. Used to prefer those algorithms in the key exchange.
    pub fn known_key_types(&self, host: &str, port: u16) -> Vec<String> {
        let token = host_token(host, port);
        let mut types: Vec<String> = Vec::new();
        for e in self.host_entries(&token) {
            if !types.contains(&e.key_type) {
                types.push(e.key_type.clone());
            }
        }
        types
    }

    /// Check the key blob `key` presented by `host`:`port`.
    pub fn check(&self, host: &str, port: u16, key: &[u8]) -> HostKeyCheck {
        let token = host_token(host, port);
        if let Some(e) = self
            .entries
            .iter()
            .find(|e| e.marker == Marker::Revoked && e.key == key && e.matches(&token))
        {
            return HostKeyCheck::Revoked { line: e.line };
        }
        let presented_type = key_type_of(key).unwrap_or_default();
        let mut same_type_line = None;
        let mut lines = Vec::new();
        let mut key_types: Vec<String> = Vec::new();
        for e in self.host_entries(&token) {
            if e.key == key {
                return HostKeyCheck::Match { line: e.line };
            }
            if e.key_type == presented_type && same_type_line.is_none() {
                same_type_line = Some(e.line);
            }
            lines.push(e.line);
            if !key_types.contains(&e.key_type) {
                key_types.push(e.key_type.clone());
            }
        }
        match same_type_line {
            Some(line) => HostKeyCheck::Mismatch { line },
            None if lines.is_empty() => HostKeyCheck::NotFound,
            None => HostKeyCheck::OtherTypesOnly { lines, key_types },
        }
    }
}

/// Parse one line: `Ok(None)` for blank lines and comments.
fn parse_line(raw: &str, line: usize) -> Result<Option<Entry>, String> {
    let text = raw.trim();
    if text.is_empty() || text.starts_with('#') {
        return Ok(None);
    }
    let mut fields = text.split_ascii_whitespace();
    let mut first = fields.next().unwrap_or_default();
    let marker = if let Some(m) = first.strip_prefix('@') {
        let marker = match m {
            "revoked" => Marker::Revoked,
            "cert-authority" => Marker::CertAuthority,
            other => return Err(format!("unknown marker @{other}")),
        };
        first = fields.next().ok_or("marker without host patterns")?;
        marker
    } else {
        Marker::None
    };
    let hosts = parse_hosts(first)?;
    let field_type = fields
        .next()
        .ok_or("missing key type and key (expected: hosts keytype base64-key)")?;
    if field_type.bytes().all(|b| b.is_ascii_digit()) {
        return Err("SSH-1 style key (bits exponent modulus) is not supported".into());
    }
    let key_b64 = fields
        .next()
        .ok_or_else(|| format!("missing key after key type {field_type}"))?;
    let key = STANDARD
        .decode(key_b64)
        .map_err(|e| format!("key is not valid base64: {e}"))?;
    let key_type = key_type_of(&key).ok_or("key blob is malformed (no key type inside)")?;
    if key_type != field_type && marker != Marker::CertAuthority {
        return Err(format!(
            "key type field says {field_type} but the key is {key_type}"
        ));
    }
    Ok(Some(Entry {
        line,
        marker,
        hosts,
        key_type,
        key,
    }))
}

fn parse_hosts(field: &str) -> Result<Hosts, String> {
    if let Some(rest) = field.strip_prefix('|') {
        let mut parts = rest.split('|');
        let (kind, salt, hash) = (parts.next(), parts.next(), parts.next());
        if kind != Some("1") {
            return Err("hashed host entry of unknown kind (expected |1|salt|hash)".into());
        }
        let (Some(salt), Some(hash), None) = (salt, hash, parts.next()) else {
            return Err("hashed host entry is not |1|salt|hash".into());
        };
        let salt = STANDARD
            .decode(salt)
            .map_err(|e| format!("hashed host salt is not valid base64: {e}"))?;
        let hash = STANDARD
            .decode(hash)
            .map_err(|e| format!("hashed host hash is not valid base64: {e}"))?;
        if hash.len() != 20 {
            return Err(format!(
                "hashed host hash has {} bytes, HMAC-SHA1 gives 20",
                hash.len()
            ));
        }
        return Ok(Hosts::Hashed { salt, hash });
    }
    let patterns: Vec<String> = field
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| p.to_ascii_lowercase())
        .collect();
    if patterns.is_empty() {
        return Err("empty host pattern list".into());
    }
    Ok(Hosts::Patterns(patterns))
}

fn hashed_matches(salt: &[u8], hash: &[u8], token: &str) -> bool {
    let Ok(mut mac) = <Hmac<Sha1> as KeyInit>::new_from_slice(salt) else {
        return false;
    };
    mac.update(token.as_bytes());
    mac.verify_slice(hash).is_ok()
}

/// The name under which OpenSSH files a host: `host` on port 22,
/// `[host]:port` otherwise. Lowercased, as OpenSSH does.
pub fn host_token(host: &str, port: u16) -> String {
    let host = host.to_ascii_lowercase();
    if port == 22 {
        host
    } else {
        format!("[{host}]:{port}")
    }
}

/// The key type named at the start of an SSH public key blob
/// (`string keytype` = u32 big-endian length + bytes).
pub fn key_type_of(blob: &[u8]) -> Option<String> {
    let len_bytes: [u8; 4] = blob.get(..4)?.try_into().ok()?;
    let len = u32::from_be_bytes(len_bytes) as usize;
    let name = blob.get(4..4usize.checked_add(len)?)?;
    if name.is_empty() || !name.iter().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    String::from_utf8(name.to_vec()).ok()
}

/// OpenSSH's fingerprint notation for a SHA-256 digest: `SHA256:` followed by
/// base64 without padding.
pub fn fingerprint_sha256(digest: &[u8]) -> String {
    format!("SHA256:{}", STANDARD_NO_PAD.encode(digest))
}

/// The line [`append_entry`] writes (without newline).
pub fn format_entry(host: &str, port: u16, key: &[u8]) -> String {
    let key_type = key_type_of(key).unwrap_or_else(|| "unknown".to_string());
    format!(
        "{} {key_type} {}",
        host_token(host, port),
        STANDARD.encode(key)
    )
}

/// Append a plain (unhashed) line for `host`:`port` to `path`, creating the
/// file (mode 0600) and its directory (mode 0700) when missing. The line goes
/// out in one `write` on an `O_APPEND` file, so parallel appends do not mix.
pub fn append_entry(path: &Path, host: &str, port: u16, key: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() && !dir.exists() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
        }
    }
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)?;
    let mut line = String::new();
    let len = file.seek(SeekFrom::End(0))?;
    if len > 0 {
        let mut last = [0u8; 1];
        file.seek(SeekFrom::End(-1))?;
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            line.push('\n');
        }
    }
    line.push_str(&format_entry(host, port, key));
    line.push('\n');
    file.write_all(line.as_bytes())?;
    file.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIG+3+WUBN/LY+9acKdWLrlLULsbOlWLy/aCYvbuTUsIY";
    const K2: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIBH2Gn4sVbnQ9CRdx2/tts8FP4glkHchiuIFBf4RXiJk";
    const K3: &str = "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBMPmewXbZNmiMQhWqKGkrJjbgknacJlv0u7muOHDzDF2g6rquITQ9lkwEk/D/xFzbnjth07k09xVlr1doW58V0I=";

    fn blob(b64: &str) -> Vec<u8> {
        STANDARD.decode(b64).expect("test key")
    }

    #[test]
    fn key_type_from_blob() {
        assert_eq!(key_type_of(&blob(K1)).as_deref(), Some("ssh-ed25519"));
        assert_eq!(
            key_type_of(&blob(K3)).as_deref(),
            Some("ecdsa-sha2-nistp256")
        );
        assert_eq!(key_type_of(&[0, 0, 0, 9, b'a']), None);
        assert_eq!(key_type_of(&[]), None);
    }

    #[test]
    fn fingerprint_matches_ssh_keygen() {
        // `ssh-keygen -lf` of K1 prints this fingerprint.
        let fp = "WzmEEJk7W5lwcOaek6PKTvj6hmWNd2EBstC9K9ECt0A";
        let digest = STANDARD_NO_PAD.decode(fp).expect("digest");
        assert_eq!(digest.len(), 32);
        assert_eq!(fingerprint_sha256(&digest), format!("SHA256:{fp}"));
    }

    #[test]
    fn plain_lists_ports_and_case() {
        let text = format!(
            "# comment\n\n  Web1.Example.COM,10.0.0.5 ssh-ed25519 {K1} root@web1\n[10.0.0.6]:2222 ssh-ed25519 {K2}\n"
        );
        let kh = KnownHosts::parse(&text);
        assert!(kh.warnings.is_empty(), "{:?}", kh.warnings);
        assert_eq!(kh.entries.len(), 2);
        let k1 = blob(K1);
        assert_eq!(
            kh.check("web1.example.com", 22, &k1),
            HostKeyCheck::Match { line: 3 }
        );
        assert_eq!(
            kh.check("10.0.0.5", 22, &k1),
            HostKeyCheck::Match { line: 3 }
        );
        // Port 22 entries do not cover other ports and vice versa.
        assert_eq!(kh.check("10.0.0.5", 2222, &k1), HostKeyCheck::NotFound);
        assert_eq!(
            kh.check("10.0.0.6", 2222, &blob(K2)),
            HostKeyCheck::Match { line: 4 }
        );
        assert_eq!(kh.check("10.0.0.6", 22, &blob(K2)), HostKeyCheck::NotFound);
    }

    #[test]
    fn hashed_entries() {
        // Produced by `ssh-keygen -H` for example.com and [127.0.0.1]:2222.
        let text = format!(
            "|1|OLBBieugnPy0UieOME8vbW+0vRo=|W68ZulJk1tuiPQAbA0IPcbbveEE= ssh-ed25519 {K1}\n\
             |1|zKN4mbz+i7ylldhG/97/u1rU9Ok=|80ZanS6NqShlXEBCgHNH5jdxB2s= ssh-ed25519 {K1}\n"
        );
        let kh = KnownHosts::parse(&text);
        assert!(kh.warnings.is_empty(), "{:?}", kh.warnings);
        let k1 = blob(K1);
        assert_eq!(
            kh.check("example.com", 22, &k1),
            HostKeyCheck::Match { line: 1 }
        );
        assert_eq!(
            kh.check("EXAMPLE.com", 22, &k1),
            HostKeyCheck::Match { line: 1 }
        );
        assert_eq!(
            kh.check("127.0.0.1", 2222, &k1),
            HostKeyCheck::Match { line: 2 }
        );
        assert_eq!(kh.check("example.org", 22, &k1), HostKeyCheck::NotFound);
        assert_eq!(
            kh.check("example.com", 22, &blob(K2)),
            HostKeyCheck::Mismatch { line: 1 }
        );
    }

    #[test]
    fn mismatch_and_other_types() {
        let text = format!("h1 ssh-ed25519 {K1}\nh2 ecdsa-sha2-nistp256 {K3}\n");
        let kh = KnownHosts::parse(&text);
        assert_eq!(
            kh.check("h1", 22, &blob(K2)),
            HostKeyCheck::Mismatch { line: 1 }
        );
        assert_eq!(
            kh.check("h2", 22, &blob(K2)),
            HostKeyCheck::OtherTypesOnly {
                lines: vec![2],
                key_types: vec!["ecdsa-sha2-nistp256".into()]
            }
        );
        assert_eq!(kh.known_key_types("h2", 22), vec!["ecdsa-sha2-nistp256"]);
        assert!(kh.known_key_types("h3", 22).is_empty());
    }

    #[test]
    fn rotated_key_any_matching_line_wins() {
        let text = format!("h1 ssh-ed25519 {K2}\nh1 ssh-ed25519 {K1}\n");
        let kh = KnownHosts::parse(&text);
        assert_eq!(
            kh.check("h1", 22, &blob(K1)),
            HostKeyCheck::Match { line: 2 }
        );
    }

    #[test]
    fn markers() {
        let text = format!(
            "@cert-authority *.example.com ssh-ed25519 {K2}\n\
             @revoked * ssh-ed25519 {K1}\n\
             a.example.com ssh-ed25519 {K1}\n\
             @bogus a ssh-ed25519 {K1}\n"
        );
        let kh = KnownHosts::parse(&text);
        assert_eq!(
            kh.warnings,
            vec!["line 4: unknown marker @bogus".to_string()]
        );
        // Revoked wins over the matching plain line.
        assert_eq!(
            kh.check("a.example.com", 22, &blob(K1)),
            HostKeyCheck::Revoked { line: 2 }
        );
        // A CA line is not a host key for the host.
        assert_eq!(
            kh.check("b.example.com", 22, &blob(K2)),
            HostKeyCheck::NotFound
        );
    }

    #[test]
    fn wildcards_and_negation() {
        let text = format!("*.lab,!bad.lab,10.0.0.? ssh-ed25519 {K1}\n");
        let kh = KnownHosts::parse(&text);
        let k1 = blob(K1);
        assert_eq!(kh.check("a.lab", 22, &k1), HostKeyCheck::Match { line: 1 });
        assert_eq!(kh.check("bad.lab", 22, &k1), HostKeyCheck::NotFound);
        assert_eq!(
            kh.check("10.0.0.7", 22, &k1),
            HostKeyCheck::Match { line: 1 }
        );
        assert_eq!(kh.check("10.0.0.17", 22, &k1), HostKeyCheck::NotFound);
        assert!(wildcard::text("a*b*c", "axxbyyc"));
        assert!(!wildcard::text("a*b*c", "axxbyy"));
        assert!(wildcard::text("*", ""));
    }

    #[test]
    fn malformed_lines_are_warnings_not_fatal() {
        let text = format!(
            "onlyhost\n\
             h1 ssh-ed25519\n\
             h1 ssh-ed25519 !!notbase64!!\n\
             h1 1024 35 12345\n\
             |2|abc|def ssh-ed25519 {K1}\n\
             |1|abc ssh-ed25519 {K1}\n\
             h1 ssh-rsa {K1}\n\
             h9 ssh-ed25519 {K1}\r\n"
        );
        let kh = KnownHosts::parse(&text);
        assert_eq!(kh.warnings.len(), 7, "{:#?}", kh.warnings);
        for (i, w) in kh.warnings.iter().enumerate() {
            assert!(w.starts_with(&format!("line {}: ", i + 1)), "{w}");
        }
        assert!(kh.warnings[6].contains("says ssh-rsa but the key is ssh-ed25519"));
        assert_eq!(
            kh.check("h9", 22, &blob(K1)),
            HostKeyCheck::Match { line: 8 }
        );
    }

    #[test]
    fn append_creates_file_and_dir_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/known_hosts");
        append_entry(&path, "10.1.1.1", 2200, &blob(K1)).expect("append");
        let meta = fs::metadata(&path).expect("meta");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let dmeta = fs::metadata(dir.path().join("sub")).expect("meta");
        assert_eq!(dmeta.permissions().mode() & 0o777, 0o700);
        // A file without a trailing newline gets one before the new line.
        fs::write(&path, format!("h1 ssh-ed25519 {K2}")).expect("write");
        append_entry(&path, "Host2", 22, &blob(K1)).expect("append");
        let text = fs::read_to_string(&path).expect("read");
        assert_eq!(
            text,
            format!("h1 ssh-ed25519 {K2}\nhost2 ssh-ed25519 {K1}\n")
        );
        let kh = KnownHosts::load(&path).expect("load");
        assert_eq!(
            kh.check("host2", 22, &blob(K1)),
            HostKeyCheck::Match { line: 2 }
        );
        let missing = KnownHosts::load(&dir.path().join("nope")).expect("missing is empty");
        assert!(missing.entries.is_empty());
    }
}
