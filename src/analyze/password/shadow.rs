//! `/etc/shadow` and `/etc/passwd`: accounts, the state of each password
//! field, and accounts that share UID 0.

use super::crypt::Scheme;

/// What the password field of an account says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordField {
    /// Empty: no password at all (logins succeed where PAM has `nullok`).
    Empty,
    /// `*`, `!!`, `x` or another value that no password hashes to: no
    /// password login (keys, su or nothing).
    NoLogin(String),
    /// Locked with `!` in front of a hash: unusable until unlocked, but the
    /// hash is kept (and returns with `passwd -u`).
    Locked(String),
    /// A crypt(3) hash.
    Hash(String),
}

impl PasswordField {
    pub fn parse(field: &str) -> PasswordField {
        if field.is_empty() {
            return PasswordField::Empty;
        }
        if let Some(rest) = field.strip_prefix('!') {
            let rest = rest.trim_start_matches('!');
            return if rest.is_empty() || rest.starts_with('*') {
                PasswordField::NoLogin(field.to_string())
            } else {
                PasswordField::Locked(rest.to_string())
            };
        }
        match Scheme::of(field) {
            Scheme::Unknown if !field.starts_with('$') => PasswordField::NoLogin(field.to_string()),
            _ => PasswordField::Hash(field.to_string()),
        }
    }

    /// The hash, locked or not.
    pub fn hash(&self) -> Option<&str> {
        match self {
            PasswordField::Locked(h) | PasswordField::Hash(h) => Some(h),
            _ => None,
        }
    }
}

/// One account's password, from /etc/shadow (or /etc/passwd on systems
/// without shadow passwords).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user: String,
    pub password: PasswordField,
    /// Where the password field came from, for evidence.
    pub source: &'static str,
}

/// One line of /etc/passwd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdEntry {
    pub user: String,
    /// The second field: `x` when the password is in /etc/shadow.
    pub password: String,
    pub uid: u32,
    pub gid: u32,
    pub gecos: String,
    pub home: String,
    pub shell: String,
    pub line: usize,
}

fn valid_user(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('-')
        && !name.starts_with('+')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'$' | b'@'))
}

/// Parse /etc/shadow text (full lines, or the `user:hash[:lastchg]` the
/// probe sends). Lines that are not `user:field` are skipped.
pub fn parse_shadow(text: &str) -> Vec<Account> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split(':');
            let user = f.next()?.trim();
            let field = f.next()?;
            // The third field (last change, in days) is empty or a number;
            // this keeps error messages ("cat: /etc/shadow: ...") out.
            let lastchg = f.next()?;
            if !valid_user(user) || !lastchg.trim().bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some(Account {
                user: user.to_string(),
                password: PasswordField::parse(field.trim()),
                source: "/etc/shadow",
            })
        })
        .collect()
}

/// Parse /etc/passwd text. NIS/compat lines (`+`, `-`) and malformed
/// lines are skipped.
pub fn parse_passwd(text: &str) -> Vec<PasswdEntry> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() < 7 || !valid_user(f[0]) {
                return None;
            }
            Some(PasswdEntry {
                user: f[0].to_string(),
                password: f[1].to_string(),
                uid: f[2].trim().parse().ok()?,
                gid: f[3].trim().parse().ok()?,
                gecos: f[4].to_string(),
                home: f[5].to_string(),
                shell: f[6].trim().to_string(),
                line: i + 1,
            })
        })
        .collect()
}

/// Every account's password field: /etc/shadow's where it has the account,
/// else the second field of /etc/passwd when that is not `x` (systems
/// without shadow passwords keep the hash there). An empty field in
/// /etc/passwd means no password even on shadow systems.
pub fn accounts(shadow: &[Account], passwd: &[PasswdEntry]) -> Vec<Account> {
    let mut out: Vec<Account> = shadow.to_vec();
    for p in passwd {
        if p.password == "x" {
            continue;
        }
        let from_passwd = Account {
            user: p.user.clone(),
            password: PasswordField::parse(&p.password),
            source: "/etc/passwd",
        };
        match out.iter_mut().find(|a| a.user == p.user) {
            // An empty passwd field wins: pam_unix never looks at shadow then.
            Some(a) if p.password.is_empty() => *a = from_passwd,
            Some(_) => {}
            None => out.push(from_passwd),
        }
    }
    out
}

/// Accounts other than `root` with UID 0.
pub fn uid0_duplicates(passwd: &[PasswdEntry]) -> Vec<&PasswdEntry> {
    passwd
        .iter()
        .filter(|p| p.uid == 0 && p.user != "root")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEBIAN_SHADOW: &str = include_str!("../../../tests/fixtures/password/debian12-shadow");
    const DEBIAN_PASSWD: &str = include_str!("../../../tests/fixtures/password/debian12-passwd");
    const WEAK_SHADOW: &str = include_str!("../../../tests/fixtures/password/debian12-weak-shadow");
    const WEAK_PASSWD: &str = include_str!("../../../tests/fixtures/password/debian12-weak-passwd");
    const RHEL_SHADOW: &str = include_str!("../../../tests/fixtures/password/rhel7-shadow");

    #[test]
    fn debian_shadow_has_three_yescrypt_accounts_and_locked_system_accounts() {
        let acc = parse_shadow(DEBIAN_SHADOW);
        assert_eq!(acc.len(), 23);
        let hashed: Vec<&str> = acc
            .iter()
            .filter(|a| matches!(a.password, PasswordField::Hash(_)))
            .map(|a| a.user.as_str())
            .collect();
        assert_eq!(hashed, ["auditor", "seaways", "taro"]);
        for a in &acc {
            if let Some(h) = a.password.hash() {
                assert_eq!(Scheme::of(h), Scheme::Yescrypt);
            }
        }
        let root = acc.iter().find(|a| a.user == "root").unwrap();
        assert_eq!(root.password, PasswordField::NoLogin("*".into()));
        let sshd = acc.iter().find(|a| a.user == "sshd").unwrap();
        assert_eq!(sshd.password, PasswordField::NoLogin("!".into()));
        let passwd = parse_passwd(DEBIAN_PASSWD);
        assert_eq!(passwd.len(), 23);
        assert!(uid0_duplicates(&passwd).is_empty());
    }

    #[test]
    fn rhel_shadow_has_sha512_md5_and_never_set_accounts() {
        let acc = parse_shadow(RHEL_SHADOW);
        let scheme = |u: &str| {
            acc.iter()
                .find(|a| a.user == u)
                .and_then(|a| a.password.hash())
                .map(Scheme::of)
        };
        assert_eq!(scheme("root"), Some(Scheme::Sha512));
        assert_eq!(scheme("seaways"), Some(Scheme::Sha512));
        assert_eq!(scheme("ftpadmin"), Some(Scheme::Md5));
        let sshd = acc.iter().find(|a| a.user == "sshd").unwrap();
        assert_eq!(sshd.password, PasswordField::NoLogin("!!".into()));
    }

    #[test]
    fn weak_fixture_has_empty_locked_des_and_a_second_root() {
        let passwd = parse_passwd(WEAK_PASSWD);
        let all = accounts(&parse_shadow(WEAK_SHADOW), &passwd);
        let field = |u: &str| all.iter().find(|a| a.user == u).unwrap().password.clone();
        assert_eq!(field("guest"), PasswordField::Empty);
        assert!(matches!(field("olduser"), PasswordField::Locked(h) if h.starts_with("$y$")));
        assert!(
            matches!(field("legacyftp"), PasswordField::Hash(h) if Scheme::of(&h) == Scheme::Des)
        );
        let dups: Vec<&str> = uid0_duplicates(&passwd)
            .iter()
            .map(|p| p.user.as_str())
            .collect();
        assert_eq!(dups, ["toor"]);
    }

    #[test]
    fn passwd_hashes_and_empty_fields_count_without_shadow() {
        let passwd = parse_passwd(
            "root:x:0:0:root:/root:/bin/bash\nold:$1$DZxeKO6l$FxORWJZ.dfYHf5PIkxMsv.:500:500::/home/old:/bin/sh\nkiosk::501:501::/home/kiosk:/bin/sh\n+::::::\n",
        );
        let shadow = parse_shadow(
            "root:*:1:0:99999:7:::\nkiosk:$6$x$y:1::::::\ncat: /etc/shadow: Permission denied\n",
        );
        let all = accounts(&shadow, &passwd);
        assert_eq!(all.len(), 3, "{all:?}");
        let old = all.iter().find(|a| a.user == "old").unwrap();
        assert_eq!(old.source, "/etc/passwd");
        assert!(matches!(&old.password, PasswordField::Hash(h) if h.starts_with("$1$")));
        let kiosk = all.iter().find(|a| a.user == "kiosk").unwrap();
        assert_eq!(kiosk.password, PasswordField::Empty);
    }
}
