//! Secrets: values that must never be shown in full anywhere — passwords
//! found on targets, cracked candidates, SSH passwords and passphrases.

use std::fmt;

/// A secret string. `Debug` and `Display` print only a masked form; the value
/// is reachable only through [`Secret::expose`], which callers use to compare
/// or to hand to a library, never to print.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The raw value. Never format it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Number of characters (not bytes).
    pub fn char_len(&self) -> usize {
        self.0.chars().count()
    }

    /// First and last character with the rest starred, e.g. `k********7`.
    /// Values of four characters or fewer are fully starred: showing two of
    /// them would give half the secret away.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        match chars.len() {
            0 => "(empty)".to_string(),
            n if n <= 4 => "*".repeat(n),
            n => {
                let mut s = String::with_capacity(n);
                s.push(chars[0]);
                s.push_str(&"*".repeat(n - 2));
                s.push(chars[n - 1]);
                s
            }
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.masked())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_formats_in_full() {
        let s = Secret::new("kyusho2017");
        assert_eq!(s.masked(), "k********7");
        assert_eq!(format!("{s}"), "k********7");
        assert!(!format!("{s:?}").contains("kyusho"));
        assert_eq!(Secret::new("abcd").masked(), "****");
        assert_eq!(Secret::new("").masked(), "(empty)");
        assert_eq!(Secret::new("pässwörd1").char_len(), 9);
    }
}
