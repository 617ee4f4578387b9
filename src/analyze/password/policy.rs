//! Password-quality policy from PAM: which module checks new passwords
//! (pam_pwquality, pam_cracklib, pam_passwdqc, or pam_unix alone) in the
//! password stacks (`/etc/pam.d/common-password` on Debian,
//! `system-auth`/`password-auth` on RHEL), and the shortest password its
//! settings let through. pam_pwquality reads `/etc/security/pwquality.conf`
//! and `pwquality.conf.d/*.conf`; options on the PAM line override them.
//! Defaults differ between libpwquality versions (RHEL 7: minlen 9 with
//! credits 1; Debian 12: minlen 8 with credits 0), and each version's
//! pwquality.conf lists its own defaults in comments (`# minlen = 9`), so
//! those comments are read as the defaults.

use std::collections::BTreeMap;

/// The probe's output, split into files (`==> PATH <==` headers).
pub fn split_files(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(path) = line
            .strip_prefix("==> ")
            .and_then(|l| l.strip_suffix(" <=="))
        {
            out.push((path.to_string(), String::new()));
        } else if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

/// One `password` line of a PAM stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PamLine {
    pub control: String,
    pub module: String,
    pub args: Vec<String>,
}

impl PamLine {
    fn arg(&self, key: &str) -> Option<&str> {
        self.args.iter().rev().find_map(|a| {
            a.strip_prefix(key)
                .and_then(|r| r.strip_prefix('='))
                .or_else(|| (a == key).then_some(""))
        })
    }

    fn module_name(&self) -> &str {
        let base = self.module.rsplit('/').next().unwrap_or(&self.module);
        base.strip_suffix(".so").unwrap_or(base)
    }
}

/// The `password` lines of a PAM file, in order.
pub fn password_lines(pam: &str) -> Vec<PamLine> {
    let mut out = Vec::new();
    for raw in pam.lines() {
        let line = raw.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        let Some(kind) = words.next() else { continue };
        if kind.trim_start_matches('-') != "password" {
            continue;
        }
        let Some(mut control) = words.next().map(str::to_string) else {
            continue;
        };
        if control.starts_with('[') {
            while !control.ends_with(']') {
                match words.next() {
                    Some(w) => {
                        control.push(' ');
                        control.push_str(w);
                    }
                    None => break,
                }
            }
        }
        let Some(module) = words.next() else { continue };
        out.push(PamLine {
            control,
            module: module.to_string(),
            args: words.map(str::to_string).collect(),
        });
    }
    out
}

/// `key = value` settings of a pwquality.conf; with `defaults`, the
/// commented `# key = value` lines that document the built-in defaults.
fn conf_settings(text: &str, defaults: bool) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for raw in text.lines() {
        let line = raw.trim();
        let body = match (defaults, line.strip_prefix('#')) {
            (true, Some(rest)) => rest.trim(),
            (false, None) => line,
            _ => continue,
        };
        if let Some((k, v)) = body.split_once('=') {
            let k = k.trim();
            if !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                m.insert(k.to_string(), v.trim().to_string());
            } else {
                continue;
            }
        } else if !defaults
            && !body.is_empty()
            && body.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        {
            m.insert(body.to_string(), String::new()); // a flag, e.g. enforce_for_root
        }
    }
    m
}

/// What one stack file enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackPolicy {
    pub file: String,
    /// pam_pwquality, pam_cracklib, pam_passwdqc, or pam_unix (none of them).
    pub module: String,
    /// The shortest password the settings accept.
    pub shortest: u32,
    /// How `shortest` was reached, for evidence.
    pub explain: String,
    /// Weaknesses besides length (dictionary check off, warn only).
    pub problems: Vec<String>,
}

/// The settings that decide what passes; other options (`retry`,
/// `authtok_type`) say nothing about quality.
const QUALITY_KEYS: &[&str] = &[
    "minlen",
    "dcredit",
    "ucredit",
    "lcredit",
    "ocredit",
    "minclass",
    "dictcheck",
    "usercheck",
    "enforcing",
];

fn num(m: &BTreeMap<String, String>, k: &str) -> Option<i64> {
    m.get(k).and_then(|v| v.trim().parse().ok())
}

/// The policy of each password stack in `files` (probe output split by
/// [`split_files`]).
pub fn stack_policies(files: &[(String, String)]) -> Vec<StackPolicy> {
    let file = |suffix: &str| {
        files
            .iter()
            .find(|(p, _)| p == suffix)
            .map(|(_, t)| t.as_str())
    };
    // pwquality settings: documented defaults, then the file, then conf.d.
    let mut pwq: BTreeMap<String, String> = [
        ("minlen", "8"),
        ("dcredit", "0"),
        ("ucredit", "0"),
        ("lcredit", "0"),
        ("ocredit", "0"),
        ("minclass", "0"),
        ("dictcheck", "1"),
        ("usercheck", "1"),
        ("enforcing", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let mut pwq_source = "libpwquality defaults".to_string();
    if let Some(conf) = file("/etc/security/pwquality.conf") {
        pwq.extend(conf_settings(conf, true));
        let set = conf_settings(conf, false);
        if !set.is_empty() {
            pwq_source = "/etc/security/pwquality.conf".into();
        }
        pwq.extend(set);
    }
    for (p, t) in files {
        if p.starts_with("/etc/security/pwquality.conf.d/") {
            let set = conf_settings(t, false);
            if !set.is_empty() {
                pwq_source = p.clone();
            }
            pwq.extend(set);
        }
    }

    let mut out = Vec::new();
    for stack in [
        "/etc/pam.d/common-password",
        "/etc/pam.d/system-auth",
        "/etc/pam.d/password-auth",
    ] {
        let Some(text) = file(stack) else { continue };
        let lines = password_lines(text);
        if lines.is_empty() {
            continue;
        }
        let quality = lines.iter().find(|l| {
            matches!(
                l.module_name(),
                "pam_pwquality" | "pam_cracklib" | "pam_passwdqc"
            )
        });
        let policy = match quality {
            Some(l) if l.module_name() == "pam_passwdqc" => {
                // min=N0,N1,N2,N3,N4 (default disabled,24,11,8,7).
                let mins = l.arg("min").unwrap_or("disabled,24,11,8,7");
                let shortest = mins
                    .split(',')
                    .filter_map(|v| v.trim().parse::<u32>().ok())
                    .min()
                    .unwrap_or(7);
                StackPolicy {
                    file: stack.into(),
                    module: "pam_passwdqc".into(),
                    shortest,
                    explain: format!("min={mins}"),
                    problems: Vec::new(),
                }
            }
            Some(l) => {
                let name = l.module_name().to_string();
                let mut s = if name == "pam_pwquality" {
                    pwq.clone()
                } else {
                    // pam_cracklib reads no file: its built-in defaults.
                    [
                        ("minlen", "9"),
                        ("dcredit", "1"),
                        ("ucredit", "1"),
                        ("lcredit", "1"),
                        ("ocredit", "1"),
                    ]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
                };
                let mut from = if name == "pam_pwquality" {
                    pwq_source.clone()
                } else {
                    "pam_cracklib defaults".into()
                };
                let mut on_line = false;
                for a in &l.args {
                    if let Some((k, v)) = a.split_once('=') {
                        if QUALITY_KEYS.contains(&k) {
                            s.insert(k.to_string(), v.to_string());
                            on_line = true;
                        }
                    }
                }
                if on_line {
                    from = format!("options in {stack}");
                }
                let minlen = num(&s, "minlen").unwrap_or(8).max(6);
                let credits: i64 = ["dcredit", "ucredit", "lcredit", "ocredit"]
                    .iter()
                    .map(|k| num(&s, k).unwrap_or(0).max(0))
                    .sum();
                let shortest = (minlen - credits).max(1) as u32;
                let explain = if credits > 0 {
                    format!(
                        "minlen {minlen} less up to {credits} for character classes, from {from}"
                    )
                } else {
                    format!("minlen {minlen}, from {from}")
                };
                let mut problems = Vec::new();
                if num(&s, "dictcheck") == Some(0) {
                    problems.push(format!("{name} has the dictionary check off (dictcheck=0)"));
                }
                if num(&s, "enforcing") == Some(0) {
                    problems.push(format!("{name} only warns (enforcing=0)"));
                }
                StackPolicy {
                    file: stack.into(),
                    module: name,
                    shortest,
                    explain,
                    problems,
                }
            }
            None => {
                let unix = lines.iter().find(|l| l.module_name() == "pam_unix");
                let minlen = unix
                    .and_then(|l| l.arg("minlen"))
                    .and_then(|v| v.parse::<u32>().ok())
                    .unwrap_or(6);
                StackPolicy {
                    file: stack.into(),
                    module: "pam_unix".into(),
                    shortest: minlen,
                    explain: format!(
                        "no pam_pwquality or pam_cracklib; pam_unix{} accepts {minlen} characters",
                        if unix.is_some_and(|l| l.arg("obscure").is_some()) {
                            " with obscure (simple checks only)"
                        } else {
                            ""
                        }
                    ),
                    problems: vec!["no password-quality module in the stack".into()],
                }
            }
        };
        out.push(policy);
    }
    out
}

/// The hash pam_unix gives new passwords in any stack (`yescrypt`,
/// `sha512`, `md5`...), and login.defs' ENCRYPT_METHOD: (where, method).
pub fn new_password_schemes(files: &[(String, String)]) -> Vec<(String, String)> {
    const METHODS: &[&str] = &[
        "yescrypt",
        "gost_yescrypt",
        "sha512",
        "sha256",
        "blowfish",
        "md5",
        "bigcrypt",
        "descrypt",
    ];
    let mut out = Vec::new();
    for (path, text) in files {
        if path.starts_with("/etc/pam.d/") {
            for l in password_lines(text) {
                if l.module_name() == "pam_unix" {
                    if let Some(m) = l.args.iter().find(|a| METHODS.contains(&a.as_str())) {
                        out.push((format!("pam_unix in {path}"), m.clone()));
                    }
                }
            }
        } else if path == "/etc/login.defs" {
            for line in text.lines() {
                let mut w = line.split_whitespace();
                if w.next() == Some("ENCRYPT_METHOD") {
                    if let Some(m) = w.next() {
                        out.push(("ENCRYPT_METHOD in /etc/login.defs".into(), m.to_lowercase()));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEB_STOCK: &str =
        include_str!("../../../tests/fixtures/password/debian12-common-password");
    const DEB_PWQ: &str =
        include_str!("../../../tests/fixtures/password/debian12-common-password-pwquality");
    const DEB_CONF: &str = include_str!("../../../tests/fixtures/password/debian12-pwquality.conf");
    const RHEL_AUTH: &str = include_str!("../../../tests/fixtures/password/rhel7-system-auth");
    const RHEL_CONF: &str = include_str!("../../../tests/fixtures/password/rhel7-pwquality.conf");

    fn files(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn probe_output_splits_into_files() {
        let text = format!("==> /etc/pam.d/common-password <==\n{DEB_STOCK}==> /etc/login.defs <==\nENCRYPT_METHOD SHA512\n");
        let f = split_files(&text);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].1, DEB_STOCK);
        assert_eq!(
            new_password_schemes(&f),
            [
                (
                    "pam_unix in /etc/pam.d/common-password".to_string(),
                    "yescrypt".to_string()
                ),
                (
                    "ENCRYPT_METHOD in /etc/login.defs".to_string(),
                    "sha512".to_string()
                ),
            ]
        );
    }

    #[test]
    fn stock_debian_has_pam_unix_alone() {
        let p = stack_policies(&files(&[("/etc/pam.d/common-password", DEB_STOCK)]));
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].module, "pam_unix");
        assert_eq!(p[0].shortest, 6);
        assert!(p[0].explain.contains("obscure"), "{}", p[0].explain);
        assert!(!p[0].problems.is_empty());
    }

    #[test]
    fn debian_pwquality_defaults_accept_eight_characters() {
        let p = stack_policies(&files(&[
            ("/etc/pam.d/common-password", DEB_PWQ),
            ("/etc/security/pwquality.conf", DEB_CONF),
        ]));
        assert_eq!(p[0].module, "pam_pwquality");
        assert_eq!(p[0].shortest, 8, "{p:?}");
        assert!(p[0].problems.is_empty());
        // A drop-in raises it; options on the PAM line win over files.
        let p = stack_policies(&files(&[
            ("/etc/pam.d/common-password", DEB_PWQ),
            ("/etc/security/pwquality.conf", DEB_CONF),
            (
                "/etc/security/pwquality.conf.d/50-site.conf",
                "minlen = 14\n",
            ),
        ]));
        assert_eq!(p[0].shortest, 14);
        assert!(p[0].explain.contains("50-site.conf"), "{}", p[0].explain);
        let line = DEB_PWQ.replace(
            "pam_pwquality.so retry=3",
            "pam_pwquality.so retry=3 minlen=10 dictcheck=0",
        );
        let p = stack_policies(&files(&[
            ("/etc/pam.d/common-password", &line),
            (
                "/etc/security/pwquality.conf.d/50-site.conf",
                "minlen = 14\n",
            ),
        ]));
        assert_eq!(p[0].shortest, 10);
        assert_eq!(p[0].problems.len(), 1, "{p:?}");
    }

    #[test]
    fn rhel7_defaults_from_the_conf_comments_accept_five_characters() {
        let p = stack_policies(&files(&[
            ("/etc/pam.d/system-auth", RHEL_AUTH),
            ("/etc/security/pwquality.conf", RHEL_CONF),
        ]));
        assert_eq!(p[0].module, "pam_pwquality");
        // minlen 9, less one credit for each of four character classes.
        assert_eq!(p[0].shortest, 5, "{p:?}");
        assert!(p[0].explain.contains("credits") || p[0].explain.contains("character classes"));
        let schemes = new_password_schemes(&files(&[("/etc/pam.d/system-auth", RHEL_AUTH)]));
        assert_eq!(schemes[0].1, "sha512");
    }

    #[test]
    fn cracklib_and_passwdqc() {
        let cracklib = "password requisite pam_cracklib.so retry=3 minlen=14 dcredit=-1 ucredit=-1\npassword sufficient pam_unix.so md5 shadow\n";
        let p = stack_policies(&files(&[("/etc/pam.d/system-auth", cracklib)]));
        assert_eq!(p[0].module, "pam_cracklib");
        assert_eq!(p[0].shortest, 12, "lcredit and ocredit default to 1: {p:?}");
        let schemes = new_password_schemes(&files(&[("/etc/pam.d/system-auth", cracklib)]));
        assert_eq!(schemes[0].1, "md5");
        let qc = "password requisite pam_passwdqc.so min=disabled,disabled,16,12,12\n";
        let p = stack_policies(&files(&[("/etc/pam.d/common-password", qc)]));
        assert_eq!((p[0].module.as_str(), p[0].shortest), ("pam_passwdqc", 12));
    }
}
