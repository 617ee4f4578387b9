//! crypt(3) hash strings: which scheme a hash uses, whether that scheme is
//! weak, and verification of a candidate password against it. Pure Rust:
//! `yescrypt` and `sha-crypt` (RustCrypto), `bcrypt`, and md5crypt written
//! here on top of `md-5` (the algorithm is 40 lines; no maintained crate
//! offers it alone). On Linux with glibc, yescrypt and sha-crypt hashes are
//! verified by the system's libxcrypt when it takes them (faster; see
//! [`super::libxcrypt`]).

use crate::secret::Secret;
use md5::{Digest, Md5};
use sha_crypt::{PasswordVerifier, ShaCrypt};

/// The hashing scheme of a crypt(3) string, from its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Traditional DES crypt: 13 characters, passwords cut to 8.
    Des,
    /// BSDi extended DES (`_` + 19 characters).
    BsdiDes,
    /// `$1$` md5crypt.
    Md5,
    /// `$apr1$` Apache's md5crypt variant (htpasswd files).
    Apr1,
    /// `$md5` Sun MD5.
    SunMd5,
    /// `$3$` NT hash.
    Nt,
    /// `$5$` sha256crypt.
    Sha256,
    /// `$6$` sha512crypt.
    Sha512,
    /// `$2a$`, `$2b$`, `$2x$`, `$2y$` bcrypt.
    Bcrypt,
    /// `$y$` yescrypt (Debian 11+, Fedora 35+ default).
    Yescrypt,
    /// `$gy$` GOST yescrypt.
    GostYescrypt,
    /// `$7$` scrypt.
    Scrypt,
    /// `$sha1$` NetBSD sha1crypt.
    Sha1,
    Unknown,
}

const CRYPT64: &[u8; 64] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

impl Scheme {
    /// The scheme of `hash` (the second field of a shadow line, with any
    /// lock prefix `!` already removed).
    pub fn of(hash: &str) -> Scheme {
        let prefixed = |p: &str| hash.starts_with(p);
        if prefixed("$y$") {
            Scheme::Yescrypt
        } else if prefixed("$6$") {
            Scheme::Sha512
        } else if prefixed("$5$") {
            Scheme::Sha256
        } else if prefixed("$2a$") || prefixed("$2b$") || prefixed("$2x$") || prefixed("$2y$") {
            Scheme::Bcrypt
        } else if prefixed("$1$") {
            Scheme::Md5
        } else if prefixed("$apr1$") {
            Scheme::Apr1
        } else if prefixed("$md5") {
            Scheme::SunMd5
        } else if prefixed("$3$") {
            Scheme::Nt
        } else if prefixed("$gy$") {
            Scheme::GostYescrypt
        } else if prefixed("$7$") {
            Scheme::Scrypt
        } else if prefixed("$sha1$") {
            Scheme::Sha1
        } else if hash.len() == 20
            && prefixed("_")
            && hash[1..].bytes().all(|b| CRYPT64.contains(&b))
        {
            Scheme::BsdiDes
        } else if hash.len() == 13 && hash.bytes().all(|b| CRYPT64.contains(&b)) {
            Scheme::Des
        } else {
            Scheme::Unknown
        }
    }

    /// The name used in evidence.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Des => "DES crypt",
            Scheme::BsdiDes => "BSDi DES crypt",
            Scheme::Md5 => "md5crypt",
            Scheme::Apr1 => "apr1 md5crypt",
            Scheme::SunMd5 => "Sun md5crypt",
            Scheme::Nt => "NT hash",
            Scheme::Sha256 => "sha256crypt",
            Scheme::Sha512 => "sha512crypt",
            Scheme::Bcrypt => "bcrypt",
            Scheme::Yescrypt => "yescrypt",
            Scheme::GostYescrypt => "gost-yescrypt",
            Scheme::Scrypt => "scrypt",
            Scheme::Sha1 => "sha1crypt",
            Scheme::Unknown => "unknown scheme",
        }
    }

    /// Schemes that fall to commodity hardware in hours or less, or cut the
    /// password short: DES (8 characters, 12-bit salt), BSDi DES, every MD5
    /// variant (1,000 MD5 rounds) and the unsalted NT hash.
    pub fn is_weak(self) -> bool {
        matches!(
            self,
            Scheme::Des
                | Scheme::BsdiDes
                | Scheme::Md5
                | Scheme::Apr1
                | Scheme::SunMd5
                | Scheme::Nt
        )
    }

    /// Whether [`Verifier`] can check candidates against this scheme.
    pub fn verifiable(self) -> bool {
        matches!(
            self,
            Scheme::Md5
                | Scheme::Apr1
                | Scheme::Sha256
                | Scheme::Sha512
                | Scheme::Bcrypt
                | Scheme::Yescrypt
        )
    }
}

/// A hash ready to check candidates against.
#[derive(Debug, Clone)]
pub struct Verifier {
    scheme: Scheme,
    hash: String,
    /// md5crypt: (magic, salt, expected 22-character digest).
    md5: Option<(&'static str, String, String)>,
    /// The hash as libxcrypt's setting, when that library verifies it.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    system: Option<std::ffi::CString>,
}

/// Why a hash cannot be verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

impl Verifier {
    /// Parse `hash`; an error says why it cannot be verified (a scheme this
    /// build does not implement, or a malformed string).
    pub fn new(hash: &str) -> Result<Verifier, Unsupported> {
        let scheme = Scheme::of(hash);
        if !scheme.verifiable() {
            return Err(Unsupported(format!(
                "{} hashes are not verified by shipshape",
                scheme.name()
            )));
        }
        let md5 = match scheme {
            Scheme::Md5 | Scheme::Apr1 => {
                let magic = if scheme == Scheme::Md5 {
                    "$1$"
                } else {
                    "$apr1$"
                };
                let rest = &hash[magic.len()..];
                let (salt, digest) = rest
                    .split_once('$')
                    .ok_or_else(|| Unsupported(format!("malformed {} hash", scheme.name())))?;
                if digest.len() != 22 || salt.len() > 8 {
                    return Err(Unsupported(format!("malformed {} hash", scheme.name())));
                }
                Some((magic, salt.to_string(), digest.to_string()))
            }
            _ => None,
        };
        // The digest is the last field; its length is fixed per scheme (the
        // libraries compare only what they decode, so check it here).
        let digest_len = hash.rsplit('$').next().map_or(0, str::len);
        let want = match scheme {
            Scheme::Sha512 => 86,
            Scheme::Sha256 | Scheme::Yescrypt => 43,
            Scheme::Bcrypt => 53,
            _ => digest_len,
        };
        if digest_len != want {
            return Err(Unsupported(format!(
                "malformed {} hash ({digest_len}-character digest, not {want})",
                scheme.name()
            )));
        }
        #[allow(unused_mut)]
        let mut v = Verifier {
            scheme,
            hash: hash.to_string(),
            md5,
            #[cfg(all(target_os = "linux", target_env = "gnu"))]
            system: None,
        };
        // One verification with a password nobody sets tells a malformed
        // hash (an error) from a wrong password (false).
        if let Err(why) = v.check(b"\x00shipshape-parse-check") {
            return Err(Unsupported(format!(
                "cannot parse the {} hash: {why}",
                scheme.name()
            )));
        }
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        if matches!(scheme, Scheme::Yescrypt | Scheme::Sha256 | Scheme::Sha512) {
            v.system = super::libxcrypt::setting_for(hash);
        }
        Ok(v)
    }

    /// Which code verifies this hash: `libxcrypt` or `rust`.
    pub fn backend(&self) -> &'static str {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        if self.system.is_some() {
            return "libxcrypt";
        }
        "rust"
    }

    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Does `candidate` produce this hash?
    pub fn verify(&self, candidate: &Secret) -> bool {
        self.check(candidate.expose().as_bytes()).unwrap_or(false)
    }

    fn check(&self, pw: &[u8]) -> Result<bool, String> {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        if let Some(setting) = &self.system {
            return Ok(
                super::libxcrypt::crypt(pw, setting).is_some_and(|out| out == self.hash.as_bytes())
            );
        }
        self.check_rust(pw)
    }

    fn check_rust(&self, pw: &[u8]) -> Result<bool, String> {
        match self.scheme {
            Scheme::Yescrypt => {
                match PasswordVerifier::<str>::verify_password(
                    &yescrypt::Yescrypt::default(),
                    pw,
                    &self.hash,
                ) {
                    Ok(()) => Ok(true),
                    Err(yescrypt::password_hash::Error::PasswordInvalid) => Ok(false),
                    Err(e) => Err(e.to_string()),
                }
            }
            Scheme::Sha256 | Scheme::Sha512 => {
                match ShaCrypt::default().verify_password(pw, self.hash.as_str()) {
                    Ok(()) => Ok(true),
                    Err(sha_crypt::password_hash::Error::PasswordInvalid) => Ok(false),
                    Err(e) => Err(e.to_string()),
                }
            }
            Scheme::Bcrypt => bcrypt::verify(pw, &self.hash).map_err(|e| e.to_string()),
            Scheme::Md5 | Scheme::Apr1 => {
                let (magic, salt, digest) = self.md5.as_ref().ok_or("no md5 parts")?;
                Ok(md5_crypt_digest(pw, magic.as_bytes(), salt.as_bytes()) == *digest)
            }
            _ => Err(format!("{} is not implemented", self.scheme.name())),
        }
    }
}

/// md5crypt (Poul-Henning Kamp, FreeBSD 1994; `$1$` in glibc, `$apr1$` in
/// Apache): the 22-character digest for `pw` and `salt` (at most 8 bytes).
pub fn md5_crypt_digest(pw: &[u8], magic: &[u8], salt: &[u8]) -> String {
    let salt = &salt[..salt.len().min(8)];
    let mut alt = Md5::new();
    alt.update(pw);
    alt.update(salt);
    alt.update(pw);
    let alt = alt.finalize();

    let mut ctx = Md5::new();
    ctx.update(pw);
    ctx.update(magic);
    ctx.update(salt);
    let mut left = pw.len();
    while left > 0 {
        let n = left.min(16);
        ctx.update(&alt[..n]);
        left -= n;
    }
    let mut i = pw.len();
    while i > 0 {
        if i & 1 == 1 {
            ctx.update([0u8]);
        } else {
            ctx.update(&pw[..1]);
        }
        i >>= 1;
    }
    let mut fin = ctx.finalize();
    for round in 0..1000 {
        let mut c = Md5::new();
        if round & 1 == 1 {
            c.update(pw);
        } else {
            c.update(fin);
        }
        if round % 3 != 0 {
            c.update(salt);
        }
        if round % 7 != 0 {
            c.update(pw);
        }
        if round & 1 == 1 {
            c.update(fin);
        } else {
            c.update(pw);
        }
        fin = c.finalize();
    }
    let f = fin;
    let mut out = String::with_capacity(22);
    let mut put = |v: u32, n: usize| {
        let mut v = v;
        for _ in 0..n {
            out.push(CRYPT64[(v & 0x3f) as usize] as char);
            v >>= 6;
        }
    };
    for (a, b, c) in [(0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)] {
        put(
            (u32::from(f[a]) << 16) | (u32::from(f[b]) << 8) | u32::from(f[c]),
            4,
        );
    }
    put(u32::from(f[11]), 2);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real hashes of "Seaways2017" (mkpasswd from Debian 12's whois 5.5.17,
    /// and openssl 3.0 `passwd`); see tests/fixtures/password/README.md.
    const HASHES: &[(&str, Scheme)] = &[
        ("$y$j9T$rC7XNIIiqaMX0yqywj9aM/$eY.n29sWTlmslJhhBrOsFLb6dqojHY3TZz4GChd/3S6", Scheme::Yescrypt),
        ("$6$lbG09pIkybQ5P2oj$2jRxv0m.yn5dLGtKiV/6SGACrp5/2Rl297wSHkozIz8pJKe3PxkQNO2gUzi.KHRKVyFWpLjNxPNA7JtBlxRRi/", Scheme::Sha512),
        ("$5$fSSJ6tjRNQUWhfmK$ORIIOUCApCCvqxCPT7qL/Fc3nc7r07O4xyn.CaMzfFC", Scheme::Sha256),
        ("$5$abcd$KmVDuyGYlGaS10j43K8Y5oCPE8NoP.wxPdkyP4x54xC", Scheme::Sha256),
        ("$1$DZxeKO6l$FxORWJZ.dfYHf5PIkxMsv.", Scheme::Md5),
        ("$1$XaIdWSoo$L6S96XC0GOToRAn4KeKV91", Scheme::Md5),
        ("$2b$05$Ng8TxS4z3ZPErOci0IJzBOECql/ePJxOorYmCrL3U59dPpLsOwPsi", Scheme::Bcrypt),
    ];

    #[test]
    fn every_supported_scheme_verifies_the_right_password_and_rejects_a_wrong_one() {
        let right = Secret::new("Seaways2017");
        let wrong = Secret::new("Seaways2016");
        for (hash, scheme) in HASHES {
            assert_eq!(Scheme::of(hash), *scheme, "{hash}");
            let v = Verifier::new(hash).unwrap_or_else(|e| panic!("{hash}: {e:?}"));
            assert!(v.verify(&right), "{} should verify", scheme.name());
            assert!(!v.verify(&wrong), "{} should reject", scheme.name());
        }
    }

    #[test]
    fn libxcrypt_and_the_rust_code_agree() {
        let right = Secret::new("Seaways2017");
        for (hash, scheme) in HASHES {
            let v = Verifier::new(hash).unwrap();
            // The pure-Rust code alone, whatever the backend.
            assert_eq!(v.check_rust(b"Seaways2017"), Ok(true), "{hash}");
            assert_eq!(v.check_rust(b"Seaways2016"), Ok(false), "{hash}");
            #[cfg(all(target_os = "linux", target_env = "gnu"))]
            if matches!(scheme, Scheme::Yescrypt | Scheme::Sha256 | Scheme::Sha512) {
                assert_eq!(v.backend(), "libxcrypt", "{hash}");
                assert!(v.verify(&right));
                // A NUL byte cannot reach crypt(3): never a match.
                assert_eq!(v.check(b"Seaways2017\0x"), Ok(false));
            } else {
                assert_eq!(v.backend(), "rust", "{hash}");
            }
            let _ = (scheme, &right);
        }
    }

    #[test]
    fn bcrypt_2y_and_apr1_verify() {
        // `mkpasswd -m bcrypt` writes $2b$; PHP and htpasswd write $2y$, which
        // is the same algorithm.
        let y = "$2y$05$Ng8TxS4z3ZPErOci0IJzBOECql/ePJxOorYmCrL3U59dPpLsOwPsi";
        assert!(Verifier::new(y)
            .unwrap()
            .verify(&Secret::new("Seaways2017")));
        // `openssl passwd -apr1 -salt saltsalt Seaways2017`
        let apr1 = "$apr1$saltsalt$bOQeURt8pf2C6.2x3pVy.0";
        let v = Verifier::new(apr1).unwrap();
        assert_eq!(v.scheme(), Scheme::Apr1);
        assert!(v.verify(&Secret::new("Seaways2017")));
        assert!(!v.verify(&Secret::new("seaways2017")));
    }

    #[test]
    fn weak_and_unsupported_schemes_are_named() {
        assert_eq!(Scheme::of("G392RDQAsKjJs"), Scheme::Des);
        assert!(Scheme::Des.is_weak() && Scheme::Md5.is_weak() && Scheme::Nt.is_weak());
        assert!(!Scheme::Yescrypt.is_weak() && !Scheme::Sha512.is_weak());
        assert_eq!(Scheme::of("_J9..2Sd/V6VvdqBXXfY"), Scheme::BsdiDes);
        let e = Verifier::new("G392RDQAsKjJs").unwrap_err();
        assert!(e.0.contains("DES crypt"), "{e:?}");
        let e = Verifier::new("$gy$j9T$abc$def").unwrap_err();
        assert!(e.0.contains("gost-yescrypt"), "{e:?}");
        assert_eq!(Scheme::of("x"), Scheme::Unknown);
        // A malformed hash of a known scheme is unsupported, never "not guessed".
        assert!(Verifier::new("$6$salt$tooshort").is_err());
        assert!(Verifier::new("$y$j9T$$").is_err());
        assert!(Verifier::new("$1$12345678$short").is_err());
    }

    #[test]
    fn md5crypt_matches_openssl() {
        assert_eq!(
            md5_crypt_digest(b"Seaways2017", b"$1$", b"XaIdWSoo"),
            "L6S96XC0GOToRAn4KeKV91"
        );
    }
}
