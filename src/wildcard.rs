//! Wildcard matching of a whole text, in the two flavours the tool needs:
//! OpenSSH's host patterns (`*` and `?` match anything) and glob(3) file
//! names (`*` and `?` never match `/`), as `Include` directives and
//! logrotate stanzas expand them on the target.
//!
//! Both run in time proportional to pattern × text at worst, whatever the
//! number of stars: the patterns come from the audited host's files.

/// `*` matches any run of characters, `?` exactly one; nothing else is
/// special (OpenSSH `Host` and known_hosts patterns).
pub fn text(pattern: &str, text: &str) -> bool {
    matches(pattern, text, false)
}

/// Like [`text`], but neither `*` nor `?` matches `/` (glob(3) on a
/// path, without bracket expressions).
pub fn path(pattern: &str, path: &str) -> bool {
    matches(pattern, path, true)
}

/// The classic greedy match with one backtracking point: the last `*`.
/// Backtracking to an earlier star never finds a match the last one missed,
/// because the last star can take any run the earlier one could have
/// pushed it past. With `/` excluded, a star that reaches a `/` can take no
/// more, and neither can any earlier star (it would have to cross the same
/// `/`), so the match fails there. Positions are byte offsets stepped one
/// character at a time: nothing is allocated (`Include` expansion calls
/// this for every file block and every pattern).
fn matches(pattern: &str, text: &str, slash_special: bool) -> bool {
    if !pattern.contains(['*', '?']) {
        return pattern == text;
    }
    let one = |c: char| !(slash_special && c == '/');
    let at = |s: &str, i: usize| s[i..].chars().next();
    let (mut pi, mut ti) = (0, 0);
    // The last star's offset in the pattern, and where its run ends.
    let mut star: Option<(usize, usize)> = None;
    while let Some(tc) = at(text, ti) {
        match at(pattern, pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
                continue;
            }
            Some(pc) if pc == tc || (pc == '?' && one(tc)) => {
                pi += pc.len_utf8();
                ti += tc.len_utf8();
                continue;
            }
            _ => {}
        }
        let Some((sp, st)) = star else {
            return false;
        };
        let taken = at(text, st).expect("the star's run ends inside the text");
        if !one(taken) {
            return false;
        }
        pi = sp + 1;
        ti = st + taken.len_utf8();
        star = Some((sp, ti));
    }
    pattern[pi..].chars().all(|c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, by exhaustive backtracking (exponential in stars).
    fn reference(p: &[char], t: &[char], slash_special: bool) -> bool {
        let one = |c: char| !(slash_special && c == '/');
        match (p.first(), t.first()) {
            (None, None) => true,
            (Some('*'), _) => {
                reference(&p[1..], t, slash_special)
                    || (!t.is_empty() && one(t[0]) && reference(p, &t[1..], slash_special))
            }
            (Some('?'), Some(&c)) if one(c) => reference(&p[1..], &t[1..], slash_special),
            (Some(a), Some(b)) if a == b => reference(&p[1..], &t[1..], slash_special),
            _ => false,
        }
    }

    /// Every string of up to `n` characters over `alphabet`.
    fn strings(alphabet: &[char], n: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..n {
            last = last
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    #[test]
    fn agrees_with_the_definition_on_every_short_pattern_and_text() {
        let patterns = strings(&['a', '/', '*', '?'], 5);
        let texts = strings(&['a', 'b', '/'], 5);
        let mut checked = 0;
        for p in &patterns {
            let pc: Vec<char> = p.chars().collect();
            for t in &texts {
                let tc: Vec<char> = t.chars().collect();
                for slash in [false, true] {
                    assert_eq!(
                        matches(p, t, slash),
                        reference(&pc, &tc, slash),
                        "pattern {p:?} text {t:?} slash_special {slash}"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 1365 * 364 * 2);
    }

    #[test]
    fn file_and_host_patterns() {
        assert!(path(
            "/etc/ssh/sshd_config.d/*.conf",
            "/etc/ssh/sshd_config.d/10-a.conf"
        ));
        assert!(!path(
            "/etc/ssh/sshd_config.d/*.conf",
            "/etc/ssh/sshd_config.d/x/a.conf"
        ));
        assert!(path(
            "/var/log/apache2/*.log",
            "/var/log/apache2/access.log"
        ));
        assert!(!path("/var/log/*.log", "/var/log/apache2/access.log"));
        assert!(!path("/var/log/?", "/var/log//"));
        assert!(text("*.example.jp", "web1.example.jp"));
        assert!(text("a*b*c", "axxbyyc"));
        assert!(!text("a*b*c", "axxbyy"));
        assert!(text("*", ""));
        assert!(text("web?", "web/"));
        assert!(path("/srv/?/x", "/srv/é/x"));
        assert!(text("h?st*", "hést-1"));
        assert!(!path("/srv/*", "/srv/é/x"));
        assert!(path("/etc/ssh/sshd_config", "/etc/ssh/sshd_config"));
    }

    /// A logrotate stanza or Include line with many stars, as a hostile or
    /// broken file may hold: the backtracking definition takes exponential
    /// time on it (found by the probe_outputs fuzz target).
    #[test]
    fn many_stars_do_not_backtrack_exponentially() {
        let pattern = format!("/var/log/{}x", "*".repeat(64));
        let long = format!("/var/log/{}", "a".repeat(4000));
        assert!(!path(&pattern, &long));
        assert!(!text(&pattern, &long));
        assert!(path(&pattern, &format!("{long}x")));
    }
}
