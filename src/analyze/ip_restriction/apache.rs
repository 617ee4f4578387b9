//! Apache httpd: which admin URLs it serves (server-status, server-info,
//! balancer-manager, phpMyAdmin, Adminer, phpPgAdmin) and from which
//! sources, by `Require` (2.4, with RequireAll/Any/None) or
//! `Order`/`Allow from`/`Deny from` (2.2). Includes are expanded in place;
//! `<IfModule>`, `<IfDefine>` and `<VirtualHost>` are read as if they
//! applied. Host-name and credential requirements may admit anyone.

use super::dump::{self, Block};
use super::sources::Sources;
use regex_lite::{Regex, RegexBuilder};
use std::cell::RefCell;
use std::collections::HashMap;

#[derive(Debug, Clone)]
enum Node {
    Directive {
        name: String,
        args: Vec<String>,
        at: String,
    },
    Section {
        kind: String,
        arg: String,
        at: String,
        children: Vec<Node>,
    },
}

/// An admin URL the server exposes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminPath {
    pub url: String,
    pub dir: Option<String>,
    /// What it is and where it was configured.
    pub what: String,
}

/// Who may reach an admin URL, as far as Apache itself decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub sources: Sources,
    /// The section and directives that decide, or that none do.
    pub by: String,
    /// `<LocationMatch>` sections with access rules whose pattern could
    /// not be compiled (PCRE-only syntax such as look-around, or over
    /// [`PATTERN_SIZE_LIMIT`]): if one matches the path, its rules decide.
    pub unread: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ApacheConfig {
    nodes: Vec<Node>,
    /// `Listen` ports.
    pub ports: Vec<u16>,
    pub admin: Vec<AdminPath>,
    pub main: String,
    /// `<LocationMatch>` patterns, compiled when first needed and then
    /// kept (`None`: not a pattern this regex engine accepts within
    /// [`PATTERN_SIZE_LIMIT`]).
    location_patterns: RefCell<HashMap<String, Option<Regex>>>,
}

/// The most memory one `<LocationMatch>` pattern may compile to. Real
/// patterns need a few KiB; a config is read from the target, so a hostile
/// one must not make the analysis slow.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

fn compile_pattern(p: &str) -> Option<Regex> {
    RegexBuilder::new(p)
        .size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .ok()
}

fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut q = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                q = !q;
                any = true;
            }
            c if c.is_whitespace() && !q => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

struct Reader<'a> {
    blocks: &'a [Block],
    root: String,
    inc: dump::Includes,
}

impl Reader<'_> {
    /// Lines of a file (and its includes) as (text, at).
    fn lines(
        &mut self,
        path: &str,
        lines: &[String],
        depth: usize,
        out: &mut Vec<(String, String)>,
    ) {
        let mut cont = String::new();
        for (i, raw) in lines.iter().enumerate() {
            let l = raw.trim();
            if let Some(s) = l.strip_suffix('\\') {
                cont.push_str(s);
                cont.push(' ');
                continue;
            }
            let full = format!("{cont}{l}");
            cont.clear();
            let t = full.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let w = words(t);
            let key = w[0].to_ascii_lowercase();
            if key == "serverroot" {
                if let Some(r) = w.get(1) {
                    self.root = r.trim_end_matches('/').to_string();
                }
            }
            if (key == "include" || key == "includeoptional") && depth < 8 {
                for pat in &w[1..] {
                    let pat = if pat.starts_with('/') {
                        pat.clone()
                    } else {
                        format!("{}/{pat}", self.root)
                    };
                    let pat = if pat.ends_with('/') {
                        format!("{pat}*")
                    } else {
                        pat
                    };
                    let mut found = self.inc.expand(self.blocks, &pat);
                    if found.is_empty() {
                        // `Include conf.d` names a directory.
                        found = self.inc.expand(self.blocks, &format!("{pat}/*"));
                    }
                    for (p, l) in found {
                        if self.inc.enter(p, l) {
                            self.lines(p, l, depth + 1, out);
                            self.inc.leave();
                        }
                    }
                }
                continue;
            }
            out.push((t.to_string(), format!("{path}:{}", i + 1)));
        }
    }
}

fn tree(lines: &[(String, String)], i: &mut usize) -> Vec<Node> {
    let mut out = Vec::new();
    while *i < lines.len() {
        let (t, at) = &lines[*i];
        *i += 1;
        if t.starts_with("</") {
            return out;
        }
        if let Some(inner) = t.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
            let w = words(inner);
            let kind = w.first().cloned().unwrap_or_default().to_ascii_lowercase();
            let arg = w[1.min(w.len())..].join(" ");
            let children = tree(lines, i);
            out.push(Node::Section {
                kind,
                arg,
                at: at.clone(),
                children,
            });
            continue;
        }
        let w = words(t);
        out.push(Node::Directive {
            name: w[0].to_ascii_lowercase(),
            args: w[1..].to_vec(),
            at: at.clone(),
        });
    }
    out
}

const ADMIN_HANDLERS: &[&str] = &[
    "server-status",
    "server-info",
    "balancer-manager",
    "jkstatus",
];
const ADMIN_APPS: &[&str] = &["phpmyadmin", "adminer", "phppgadmin", "myadmin", "pma"];

fn admin_app(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    let last = l
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string();
    ADMIN_APPS
        .iter()
        .any(|a| last == *a || (last.starts_with(a) && *a != "pma"))
}

/// Parse the probe: the main config first, its includes, `@admin-dir` facts.
pub fn parse(blocks: &[Block]) -> Option<ApacheConfig> {
    let (main, lines) = dump::files(blocks).into_iter().next()?;
    let default_root = match main.strip_suffix("/conf/httpd.conf") {
        Some(r) => r.to_string(),
        None => main
            .rsplit_once('/')
            .map(|(d, _)| d.to_string())
            .unwrap_or_default(),
    };
    let mut r = Reader {
        blocks,
        root: default_root,
        inc: dump::Includes::new(main),
    };
    let mut flat = Vec::new();
    r.lines(main, lines, 0, &mut flat);
    let mut i = 0;
    let nodes = tree(&flat, &mut i);
    let mut cfg = ApacheConfig {
        nodes,
        main: main.to_string(),
        ..ApacheConfig::default()
    };
    let mut docroots = Vec::new();
    walk(&cfg.nodes, &mut |n| {
        if let Node::Directive { name, args, at } = n {
            match name.as_str() {
                "listen" => {
                    if let Some(p) = args
                        .first()
                        .and_then(|a| a.rsplit(':').next())
                        .and_then(|p| p.parse().ok())
                    {
                        if !cfg.ports.contains(&p) {
                            cfg.ports.push(p);
                        }
                    }
                }
                "documentroot" => docroots.extend(args.first().cloned()),
                "alias" | "aliasmatch" | "scriptalias"
                    if args.len() >= 2 && (admin_app(&args[0]) || admin_app(&args[1])) =>
                {
                    cfg.admin.push(AdminPath {
                        url: args[0].clone(),
                        dir: Some(args[1].trim_end_matches('/').to_string()),
                        what: format!("{} {} {} ({at})", cap(name), args[0], args[1]),
                    });
                }
                _ => {}
            }
        }
    });
    walk(&cfg.nodes, &mut |n| {
        if let Node::Section {
            kind,
            arg,
            at,
            children,
        } = n
        {
            if kind == "location" || kind == "locationmatch" {
                let handler = children.iter().find_map(|c| match c {
                    Node::Directive { name, args, .. } if name == "sethandler" => {
                        args.first().cloned()
                    }
                    _ => None,
                });
                let is_admin = handler
                    .as_deref()
                    .is_some_and(|h| ADMIN_HANDLERS.contains(&h))
                    || ADMIN_HANDLERS
                        .iter()
                        .any(|h| arg.trim_start_matches('/') == *h);
                if is_admin {
                    cfg.admin.push(AdminPath {
                        url: arg.clone(),
                        dir: None,
                        what: format!("<{} {arg}> ({at})", section_name(kind)),
                    });
                }
            }
        }
    });
    for b in blocks.iter().filter(|b| b.kind == "admin-dir") {
        let dir = b.arg.trim_end_matches('/').to_string();
        let url = docroots
            .iter()
            .filter_map(|d| dir.strip_prefix(d.trim_end_matches('/')))
            .next()
            .map(str::to_string)
            .unwrap_or_else(|| format!("/{}", dir.rsplit('/').next().unwrap_or("")));
        if !cfg
            .admin
            .iter()
            .any(|a| a.dir.as_deref() == Some(dir.as_str()))
        {
            cfg.admin.push(AdminPath {
                url,
                what: format!("{dir} in the document root"),
                dir: Some(dir),
            });
        }
    }
    Some(cfg)
}

fn cap(name: &str) -> &'static str {
    match name {
        "alias" => "Alias",
        "aliasmatch" => "AliasMatch",
        _ => "ScriptAlias",
    }
}

fn walk<'a>(nodes: &'a [Node], f: &mut impl FnMut(&'a Node)) {
    for n in nodes {
        f(n);
        if let Node::Section { children, .. } = n {
            walk(children, f);
        }
    }
}

/// (certainly granted, possibly granted).
type Pair = (Sources, Sources);

fn both(s: Sources) -> Pair {
    (s.clone(), s)
}

fn has_access(children: &[Node]) -> bool {
    children.iter().any(|c| match c {
        Node::Directive { name, .. } => {
            matches!(name.as_str(), "require" | "allow" | "deny" | "order")
        }
        Node::Section { kind, .. } => kind.starts_with("require"),
    })
}

fn require(args: &[String]) -> Pair {
    let (neg, args) = match args.first().map(String::as_str) {
        Some("not") => (true, &args[1..]),
        _ => (false, args),
    };
    let p = match args.first().map(String::as_str) {
        Some("all") => match args.get(1).map(String::as_str) {
            Some("granted") => both(Sources::any()),
            _ => both(Sources::none()),
        },
        Some("ip") => {
            let mut c = Sources::none();
            let mut m = Sources::none();
            for a in &args[1..] {
                let (x, y) = from_pattern(a);
                c = c.union(&x);
                m = m.union(&y);
            }
            (c, m)
        }
        Some("local") => both(Sources::loopback()),
        // host, forward-dns, valid-user, user, group, env, expr, method…:
        // not a source restriction that can be relied on.
        _ => (Sources::none(), Sources::any()),
    };
    if neg {
        (p.1.complement(), p.0.complement())
    } else {
        p
    }
}

/// `10.1.2.3`, `10.1`, `10.1.0.0/16`, `10.1.0.0/255.255.0.0`, `2001:db8::/32`;
/// host names may be anyone.
fn from_pattern(p: &str) -> Pair {
    if p.eq_ignore_ascii_case("all") {
        return both(Sources::any());
    }
    if let Some(s) = Sources::parse(p) {
        return both(s);
    }
    let octets: Vec<&str> = p.trim_end_matches('.').split('.').collect();
    if octets.len() < 4 && octets.iter().all(|o| o.parse::<u8>().is_ok()) {
        let mut full = octets.clone();
        while full.len() < 4 {
            full.push("0");
        }
        if let Some(s) = Sources::parse(&format!("{}/{}", full.join("."), octets.len() * 8)) {
            return both(s);
        }
    }
    (Sources::none(), Sources::any())
}

/// Evaluate the authorization of one section's children.
fn authz(children: &[Node], combine_all: bool) -> Pair {
    let mut parts: Vec<Pair> = Vec::new();
    for c in children {
        match c {
            Node::Directive { name, args, .. } if name == "require" => parts.push(require(args)),
            Node::Section { kind, children, .. } => match kind.as_str() {
                "requireany" => parts.push(authz(children, false)),
                "requireall" => parts.push(authz(children, true)),
                "requirenone" => {
                    let p = authz(children, false);
                    parts.push((p.1.complement(), p.0.complement()));
                }
                _ => {}
            },
            _ => {}
        }
    }
    if parts.is_empty() {
        return both(Sources::any());
    }
    let start = if combine_all {
        both(Sources::any())
    } else {
        both(Sources::none())
    };
    parts.into_iter().fold(start, |a, p| {
        if combine_all {
            (a.0.intersect(&p.0), a.1.intersect(&p.1))
        } else {
            (a.0.union(&p.0), a.1.union(&p.1))
        }
    })
}

/// Apache 2.2 `Order`, `Allow from`, `Deny from`, `Satisfy`.
fn access_compat(children: &[Node]) -> Sources {
    let mut deny_first = true;
    let mut allow = both(Sources::none());
    let mut deny = both(Sources::none());
    for c in children {
        let Node::Directive { name, args, .. } = c else {
            continue;
        };
        match name.as_str() {
            "order" => deny_first = args.join("").to_ascii_lowercase().starts_with("deny"),
            "allow" | "deny" => {
                let pats = args.iter().skip_while(|a| a.eq_ignore_ascii_case("from"));
                let target = if name == "allow" {
                    &mut allow
                } else {
                    &mut deny
                };
                for p in pats {
                    let (x, y) = if p.starts_with("env=") {
                        (Sources::none(), Sources::any())
                    } else {
                        from_pattern(p)
                    };
                    target.0 = target.0.union(&x);
                    target.1 = target.1.union(&y);
                }
            }
            "satisfy" if args.first().is_some_and(|a| a.eq_ignore_ascii_case("any")) => {
                return Sources::any(); // a password from anywhere is enough
            }
            _ => {}
        }
    }
    if deny_first {
        // Deny first, then Allow overrides; default allow.
        deny.0.complement().union(&allow.1)
    } else {
        // Allow first, then Deny overrides; default deny.
        allow.1.minus(&deny.0)
    }
}

impl ApacheConfig {
    /// Who Apache lets reach `path`: the last matching `<Location>` with
    /// access rules, else the most specific `<Directory>`, else anyone.
    pub fn access(&self, path: &AdminPath) -> Access {
        let mut location: Option<(String, &[Node])> = None;
        let mut directory: Option<(usize, String, &[Node])> = None;
        let mut unread: Vec<String> = Vec::new();
        walk(&self.nodes, &mut |n| {
            let Node::Section {
                kind,
                arg,
                at,
                children,
            } = n
            else {
                return;
            };
            if !has_access(children) {
                return;
            }
            let label = format!("<{} {arg}> ({at})", section_name(kind));
            match kind.as_str() {
                "location" if path.url.starts_with(arg.as_str()) || *arg == path.url => {
                    location = Some((label, children));
                }
                "locationmatch" => {
                    let mut patterns = self.location_patterns.borrow_mut();
                    match patterns
                        .entry(arg.clone())
                        .or_insert_with(|| compile_pattern(arg))
                    {
                        Some(re) if re.is_match(&path.url) => location = Some((label, children)),
                        Some(_) => {}
                        None => unread.push(label),
                    }
                }
                "directory" => {
                    let d = arg.trim_end_matches('/');
                    if let Some(dir) = &path.dir {
                        let inside = d.is_empty() || dir == d || dir.starts_with(&format!("{d}/"));
                        let len = d.len();
                        if inside && directory.as_ref().is_none_or(|(l, _, _)| len >= *l) {
                            directory = Some((len, label, children));
                        }
                    }
                }
                _ => {}
            }
        });
        let (label, children) = match (location, directory) {
            (Some((l, c)), _) => (l, c),
            (None, Some((_, l, c))) => (l, c),
            (None, None) => {
                return Access {
                    sources: Sources::any(),
                    by: "no Require or Allow applies to it".into(),
                    unread,
                }
            }
        };
        let uses_require = children.iter().any(|c| match c {
            Node::Directive { name, .. } => name == "require",
            Node::Section { kind, .. } => kind.starts_with("require"),
        });
        let sources = if uses_require {
            authz(children, false).1
        } else {
            access_compat(children)
        };
        let rules: Vec<String> = children
            .iter()
            .filter_map(|c| match c {
                Node::Directive { name, args, .. }
                    if matches!(name.as_str(), "require" | "allow" | "deny" | "order") =>
                {
                    Some(format!("{} {}", title(name), args.join(" ")))
                }
                Node::Section { kind, .. } if kind.starts_with("require") => {
                    Some(format!("<{kind}>"))
                }
                _ => None,
            })
            .collect();
        Access {
            sources,
            by: format!("{label}: {}", rules.join("; ")),
            unread,
        }
    }
}

/// A section's name as Apache's documentation writes it.
fn section_name(kind: &str) -> &str {
    match kind {
        "location" => "Location",
        "locationmatch" => "LocationMatch",
        "directory" => "Directory",
        "directorymatch" => "DirectoryMatch",
        other => other,
    }
}

fn title(name: &str) -> String {
    let mut c = name.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let p = format!(
            "{}/tests/fixtures/ip-restriction/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    fn block(arg: &str, text: &str) -> String {
        let mut s = format!("@file {arg}\n");
        for l in text.lines() {
            s.push('|');
            s.push_str(l);
            s.push('\n');
        }
        s
    }

    fn debian(extra: &str) -> ApacheConfig {
        let t = block("/etc/apache2/apache2.conf", &fixture("apache2.conf"))
            + &block("/etc/apache2/ports.conf", &fixture("apache-ports.conf"))
            + &block(
                "/etc/apache2/mods-enabled/status.conf",
                &fixture("apache-status.conf"),
            )
            + &block(
                "/etc/apache2/conf-enabled/phpmyadmin.conf",
                &fixture("apache-phpmyadmin.conf"),
            )
            + extra;
        parse(&dump::parse(&t)).unwrap()
    }

    fn s(t: &str) -> Sources {
        Sources::parse(t).unwrap()
    }

    #[test]
    fn debian_defaults_status_is_local_phpmyadmin_is_open() {
        let cfg = debian("");
        assert_eq!(cfg.ports, [80, 443]);
        let urls: Vec<&str> = cfg.admin.iter().map(|a| a.url.as_str()).collect();
        assert_eq!(urls, ["/phpmyadmin", "/server-status"]);
        let status = cfg.access(&cfg.admin[1]);
        assert_eq!(status.sources, Sources::loopback());
        assert!(status.by.contains("Require local"), "{}", status.by);
        let pma = cfg.access(&cfg.admin[0]);
        assert!(pma.sources.is_any(), "{pma:?}");
        assert!(pma.by.starts_with("<Directory /usr/share>"), "{}", pma.by);
    }

    #[test]
    fn require_ip_restricts_and_a_later_location_overrides() {
        let cfg = debian(&block(
            "/etc/apache2/conf-enabled/zz-admin.conf",
            "<Directory /usr/share/phpmyadmin>\n  <RequireAll>\n    Require ip 10.203.0.0/24 2001:db8:1::/48\n    Require valid-user\n  </RequireAll>\n</Directory>\n<Location /server-status>\n  Require ip 10.203.0\n</Location>\n",
        ));
        let pma = cfg.access(&cfg.admin[0]);
        assert_eq!(pma.sources, s("10.203.0.0/24").union(&s("2001:db8:1::/48")));
        let st = cfg.access(&cfg.admin[1]);
        assert_eq!(st.sources, s("10.203.0.0/24"));
        assert!(st.by.contains("zz-admin.conf:7"), "{}", st.by);
    }

    #[test]
    fn apache_2_2_order_allow_deny() {
        let t = block(
            "/usr/local/apache2/conf/httpd.conf",
            "ServerRoot \"/usr/local/apache2\"\nListen 80\nDocumentRoot \"/usr/local/apache2/htdocs\"\nInclude conf/extra/*.conf\n",
        ) + &block(
            "/usr/local/apache2/conf/extra/httpd-info.conf",
            "<Location /server-status>\n    SetHandler server-status\n    Order deny,allow\n    Deny from all\n    Allow from 127.0.0.1 10.203.0.0/24\n</Location>\n<Location /server-info>\n    SetHandler server-info\n    Order allow,deny\n    Allow from all\n</Location>\n",
        ) + "@admin-dir /usr/local/apache2/htdocs/phpMyAdmin\n";
        let cfg = parse(&dump::parse(&t)).unwrap();
        assert_eq!(cfg.admin.len(), 3, "{:?}", cfg.admin);
        let st = cfg.access(&cfg.admin[0]);
        assert_eq!(st.sources, s("127.0.0.1").union(&s("10.203.0.0/24")));
        assert!(cfg.access(&cfg.admin[1]).sources.is_any());
        assert_eq!(cfg.admin[2].url, "/phpMyAdmin");
        let pma = cfg.access(&cfg.admin[2]);
        assert!(pma.sources.is_any());
        assert_eq!(pma.by, "no Require or Allow applies to it");
    }

    #[test]
    fn location_match_patterns_are_compiled_once_and_bounded() {
        let huge = "x{150000}";
        let cfg = debian(&block(
            "/etc/apache2/conf-enabled/zz-admin.conf",
            &format!(
                "<LocationMatch \"^/server-(status|info)\">\n  Require ip 10.203.0.0/24\n</LocationMatch>\n\
                 <LocationMatch \"^/server-(status|info)\">\n  Require ip 10.203.0.0/24\n</LocationMatch>\n\
                 <LocationMatch \"{huge}\">\n  Require all granted\n</LocationMatch>\n\
                 <LocationMatch \"^/(?!x)\">\n  Require all granted\n</LocationMatch>\n"
            ),
        ));
        assert!(
            cfg.location_patterns.borrow().is_empty(),
            "compiled when needed"
        );
        let st = cfg.access(&cfg.admin[1]);
        // The same pattern twice is compiled once. A pattern over the size
        // limit and one this engine does not accept (PCRE look-ahead) are
        // kept as `None`: they match nothing.
        let pats = cfg.location_patterns.borrow();
        assert_eq!(pats.len(), 3, "{:?}", pats.keys());
        assert!(pats["^/server-(status|info)"].is_some());
        assert!(pats[huge].is_none());
        assert!(pats["^/(?!x)"].is_none());
        assert_eq!(st.sources, s("10.203.0.0/24"));
        assert!(st.by.starts_with("<LocationMatch ^/server-(status|info)> (/etc/apache2/conf-enabled/zz-admin.conf:4)"), "{}", st.by);
        // Both are named: if one matched, its rules would decide.
        assert_eq!(st.unread.len(), 2, "{:?}", st.unread);
        assert!(
            st.unread[1].starts_with(
                "<LocationMatch ^/(?!x)> (/etc/apache2/conf-enabled/zz-admin.conf:10)"
            ),
            "{:?}",
            st.unread
        );
        assert!(compile_pattern(huge).is_none());
        assert!(Regex::new(huge).is_ok(), "the default limit would take it");
    }
}
