//! Daemon settings that bind a service to an address or hand access to
//! tcp_wrappers: vsftpd.conf (`listen_address`, `listen_address6`,
//! `listen_port`, `tcp_wrappers`) and MySQL/MariaDB option files
//! (`bind-address`, `skip-networking`, `port`, with `!include` and
//! `!includedir` expanded in place; the last value read wins).

use super::dump::{self, Block};

/// A setting and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub at: String,
}

impl Setting {
    pub fn says(&self, key: &str) -> String {
        format!("{key}={} ({})", self.value, self.at)
    }
}

/// vsftpd's settings that matter here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vsftpd {
    pub path: String,
    pub listen_address: Option<Setting>,
    pub listen_address6: Option<Setting>,
    pub listen_port: Option<Setting>,
    pub tcp_wrappers: Option<Setting>,
}

impl Vsftpd {
    /// vsftpd's default is NO.
    pub fn tcp_wrappers(&self) -> bool {
        self.tcp_wrappers
            .as_ref()
            .is_some_and(|s| s.value.eq_ignore_ascii_case("YES"))
    }

    pub fn port(&self) -> u16 {
        self.listen_port
            .as_ref()
            .and_then(|s| s.value.parse().ok())
            .unwrap_or(21)
    }
}

/// The first vsftpd.conf in the probe output (the running daemon's, else
/// the distribution's default path).
pub fn vsftpd(blocks: &[Block]) -> Option<Vsftpd> {
    let (path, lines) = dump::files(blocks).into_iter().next()?;
    let mut v = Vsftpd {
        path: path.to_string(),
        ..Vsftpd::default()
    };
    for (i, raw) in lines.iter().enumerate() {
        let t = raw.trim();
        if t.starts_with('#') {
            continue;
        }
        let Some((k, val)) = t.split_once('=') else {
            continue;
        };
        let s = Setting {
            value: val.trim().to_string(),
            at: format!("{path}:{}", i + 1),
        };
        // A key repeated later wins.
        match k.trim() {
            "listen_address" => v.listen_address = Some(s),
            "listen_address6" => v.listen_address6 = Some(s),
            "listen_port" => v.listen_port = Some(s),
            "tcp_wrappers" => v.tcp_wrappers = Some(s),
            _ => {}
        }
    }
    Some(v)
}

/// MySQL/MariaDB server settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mysql {
    pub bind_address: Option<Setting>,
    pub skip_networking: Option<Setting>,
    pub port: Option<Setting>,
}

/// Sections the server reads.
fn server_section(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(n.as_str(), "mysqld" | "server" | "mariadb" | "mariadbd")
        || n.starts_with("mysqld-")
        || n.starts_with("mariadb-")
}

fn mysql_file(
    blocks: &[Block],
    path: &str,
    lines: &[String],
    depth: usize,
    inc: &mut dump::Includes,
    m: &mut Mysql,
) {
    let mut section = String::new();
    for (i, raw) in lines.iter().enumerate() {
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        if depth < 6 {
            if let Some(dir) = t.strip_prefix("!includedir") {
                let pat = format!("{}/*.cnf", dir.trim().trim_end_matches('/'));
                for (p, l) in inc.expand(blocks, &pat) {
                    if inc.enter(p, l) {
                        mysql_file(blocks, p, l, depth + 1, inc, m);
                        inc.leave();
                    }
                }
                continue;
            }
            if let Some(f) = t.strip_prefix("!include") {
                for (p, l) in inc.expand(blocks, f.trim()) {
                    if inc.enter(p, l) {
                        mysql_file(blocks, p, l, depth + 1, inc, m);
                        inc.leave();
                    }
                }
                continue;
            }
        }
        if let Some(s) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            section = s.trim().to_string();
            continue;
        }
        if !server_section(&section) {
            continue;
        }
        let (k, v) = match t.split_once('=') {
            Some((k, v)) => (k.trim(), v.trim()),
            None => (t, ""),
        };
        let v = v
            .split('#')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches(['"', '\'']);
        let s = Setting {
            value: v.to_string(),
            at: format!("{path}:{}", i + 1),
        };
        match k.replace('_', "-").as_str() {
            "bind-address" => m.bind_address = Some(s),
            "skip-networking" => m.skip_networking = Some(s),
            "port" => m.port = Some(s),
            _ => {}
        }
    }
}

/// The option files in the order the server reads them: each top-level
/// file the probe printed (`/etc/my.cnf`, `/etc/mysql/my.cnf`), includes
/// expanded where they stand.
pub fn mysql(blocks: &[Block]) -> Option<Mysql> {
    let tops: Vec<&Block> = blocks
        .iter()
        .filter(|b| {
            b.kind == "file" && matches!(b.arg.as_str(), "/etc/my.cnf" | "/etc/mysql/my.cnf")
        })
        .collect();
    if tops.is_empty() {
        return None;
    }
    let mut m = Mysql::default();
    let mut inc = dump::Includes::new("");
    for b in tops {
        inc.restart(&b.arg);
        mysql_file(blocks, &b.arg, &b.lines, 0, &mut inc, &mut m);
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(kind: &str, arg: &str, text: &str) -> String {
        let mut s = format!("@{kind} {arg}\n");
        for l in text.lines() {
            s.push('|');
            s.push_str(l);
            s.push('\n');
        }
        s
    }

    #[test]
    fn vsftpd_settings() {
        let t = block(
            "file",
            "/etc/vsftpd/vsftpd.conf",
            include_str!("../../../tests/lab/scenarios/legacy/rootfs/etc/vsftpd/vsftpd.conf"),
        );
        let v = vsftpd(&dump::parse(&t)).unwrap();
        assert_eq!(v.listen_address, None);
        assert!(!v.tcp_wrappers());
        assert_eq!(v.port(), 21);
        let t = block(
            "file",
            "/etc/vsftpd.conf",
            "listen=YES\nlisten_address=10.203.0.11\ntcp_wrappers=YES\n",
        );
        let v = vsftpd(&dump::parse(&t)).unwrap();
        assert_eq!(
            v.listen_address.as_ref().unwrap().says("listen_address"),
            "listen_address=10.203.0.11 (/etc/vsftpd.conf:2)"
        );
        assert!(v.tcp_wrappers());
    }

    #[test]
    fn mariadb_debian_layout() {
        let t = block(
            "file",
            "/etc/mysql/my.cnf",
            "[client-server]\nsocket = /run/mysqld/mysqld.sock\n!includedir /etc/mysql/conf.d/\n!includedir /etc/mysql/mariadb.conf.d/\n",
        ) + &block(
            "file",
            "/etc/mysql/mariadb.conf.d/50-server.cnf",
            include_str!("../../../tests/fixtures/ip-restriction/mariadb-50-server.cnf"),
        ) + &block("file", "/etc/mysql/mariadb.conf.d/60-lan.cnf", "[mysqld]\n# bind-address = 0.0.0.0\n");
        let m = mysql(&dump::parse(&t)).unwrap();
        let b = m.bind_address.unwrap();
        assert_eq!(b.value, "127.0.0.1");
        assert!(
            b.at.starts_with("/etc/mysql/mariadb.conf.d/50-server.cnf:"),
            "{b:?}"
        );

        let t2 = t + &block(
            "file",
            "/etc/mysql/mariadb.conf.d/90-open.cnf",
            "[mariadb]\nbind_address = 0.0.0.0\n",
        );
        let m = mysql(&dump::parse(&t2)).unwrap();
        assert_eq!(
            m.bind_address.unwrap().says("bind-address"),
            "bind-address=0.0.0.0 (/etc/mysql/mariadb.conf.d/90-open.cnf:2)"
        );
    }
}
