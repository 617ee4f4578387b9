//! Shell quoting. Every value from a profile, inventory or check parameter
//! enters a probe script through [`quote`] and nothing else.

/// Quote `value` as one POSIX shell word: single quotes, with each embedded
/// single quote written as `'\''`. The result never expands, splits or globs.
/// NUL bytes cannot be passed to a shell at all and are dropped.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\'' => out.push_str("'\\''"),
            '\0' => {}
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;
    use std::process::Command;

    fn echo_through_sh(value: &str) -> String {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("printf %s {}", quote(value)))
            .output()
            .expect("sh runs");
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn hostile_values_arrive_verbatim_and_run_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("pwned");
        let m = marker.display();
        let hostile = [
            format!("'; touch {m}; '"),
            format!("$(touch {m})"),
            format!("`touch {m}`"),
            format!("a\ntouch {m}\n"),
            format!("\"; touch {m}; \""),
            "*".to_string(),
            "$HOME ${PATH} \\ \\' '' '".to_string(),
            String::new(),
        ];
        for h in &hostile {
            assert_eq!(&echo_through_sh(h), h);
        }
        assert!(!marker.exists(), "a quoted value ran a command");
    }

    #[test]
    fn quote_shape() {
        assert_eq!(quote("abc"), "'abc'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote("a\0b"), "'ab'");
    }
}
