//! Version ordering: Debian (dpkg) and RPM package versions through their
//! own rules, upstream release numbers through `semver` with a lenient
//! reader for banners such as `2.2.21`, `9.2p1` or `5.3.29-nmm1`.

use std::cmp::Ordering;

/// Compare two dpkg versions (`1:9.2p1-2+deb12u3`); None if either is invalid.
pub fn dpkg_cmp(a: &str, b: &str) -> Option<Ordering> {
    let a: debversion::Version = a.trim().parse().ok()?;
    let b: debversion::Version = b.trim().parse().ok()?;
    Some(a.cmp(&b))
}

/// Compare two RPM EVRs (`1:2.4.6-97.el7`).
pub fn rpm_cmp(a: &str, b: &str) -> Ordering {
    rpm_version::Evr::parse(a.trim()).cmp(&rpm_version::Evr::parse(b.trim()))
}

/// Read an upstream version leniently: the first `N(.N){0,2}` in `text`,
/// with OpenSSH's portable suffix `pN` taken as the patch number when only
/// two components are given (`9.2p1` → 9.2.1). Anything after is ignored.
pub fn upstream(text: &str) -> Option<semver::Version> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = &text[start..];
    let mut parts: Vec<u64> = Vec::with_capacity(3);
    let mut chars = rest.char_indices().peekable();
    let mut current = String::new();
    let mut end = rest.len();
    while let Some((i, c)) = chars.next() {
        if c.is_ascii_digit() {
            current.push(c);
        } else if c == '.' && !current.is_empty() && parts.len() < 2 {
            if !chars.peek().is_some_and(|(_, n)| n.is_ascii_digit()) {
                end = i;
                break;
            }
            parts.push(current.parse().ok()?);
            current.clear();
        } else {
            end = i;
            break;
        }
    }
    if current.is_empty() {
        return None;
    }
    parts.push(current.parse().ok()?);
    let tail = &rest[end.min(rest.len())..];
    if parts.len() == 2 {
        if let Some(p) = tail.strip_prefix('p') {
            let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(n) = digits.parse() {
                parts.push(n);
            }
        }
    }
    while parts.len() < 3 {
        parts.push(0);
    }
    Some(semver::Version::new(parts[0], parts[1], parts[2]))
}

/// The version as the banner writes it (`9.2p1`, `2.2.21`), for evidence.
pub fn upstream_token(text: &str) -> Option<&str> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .unwrap_or(rest.len());
    Some(rest[..end].trim_end_matches('.'))
}

/// `major.minor` of an upstream version: the release branch.
pub fn branch(v: &semver::Version) -> String {
    format!("{}.{}", v.major, v.minor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::*;

    #[test]
    fn dpkg_rules() {
        assert_eq!(dpkg_cmp("1:9.2p1-2+deb12u3", "9.9p1-1"), Some(Greater)); // epoch wins
        assert_eq!(dpkg_cmp("2.4.62-1~deb12u2", "2.4.62-1"), Some(Less)); // ~ sorts first
        assert_eq!(
            dpkg_cmp("2.4.62-1~deb12u2", "2.4.62-1~deb12u1"),
            Some(Greater)
        );
        assert_eq!(dpkg_cmp("3.0.3-13+b2", "3.0.3-13"), Some(Greater));
        assert_eq!(dpkg_cmp("not a version!", "1"), None);
    }

    #[test]
    fn rpm_rules() {
        assert_eq!(rpm_cmp("2.4.6-97.el7", "2.4.6-99.el7_9"), Less);
        assert_eq!(rpm_cmp("1:1.0-1", "2.0-1"), Greater);
        assert_eq!(rpm_cmp("7.4p1-21.el7", "7.4p1-22.el7_9"), Less);
    }

    #[test]
    fn upstream_banners() {
        assert_eq!(
            upstream("Apache/2.2.21 (Unix)"),
            Some(semver::Version::new(2, 2, 21))
        );
        assert_eq!(
            upstream("PHP 5.3.29 (cli)"),
            Some(semver::Version::new(5, 3, 29))
        );
        assert_eq!(
            upstream("OpenSSH_9.2p1 Debian-2"),
            Some(semver::Version::new(9, 2, 1))
        );
        assert_eq!(
            upstream("vsftpd: version 3.0.3"),
            Some(semver::Version::new(3, 0, 3))
        );
        assert_eq!(upstream("8.2"), Some(semver::Version::new(8, 2, 0)));
        assert_eq!(
            upstream("2.4.62-1~deb12u2"),
            Some(semver::Version::new(2, 4, 62))
        );
        assert_eq!(upstream("release 7."), Some(semver::Version::new(7, 0, 0)));
        assert_eq!(upstream("no digits"), None);
        assert!(upstream("OpenSSH_9.2p1").unwrap() < upstream("OpenSSH_9.8p1").unwrap());
        assert_eq!(branch(&upstream("2.2.21").unwrap()), "2.2");
        assert_eq!(upstream_token("OpenSSH_9.2p1 Debian-2"), Some("9.2p1"));
        assert_eq!(
            upstream_token("Server version: Apache/2.2.21 (Unix)"),
            Some("2.2.21")
        );
    }
}
