//! The framing that the ip-restriction probes use to return several files
//! and facts in one output: `@<kind> <arg>` opens a block, `|<line>` is a
//! line of its content (so file content can never open a block), anything
//! else (stray stderr) is ignored.

use std::collections::HashMap;

/// One block: a file (`@file /etc/ssh/sshd_config`), a command's output
/// (`@sshd-T /etc/ssh/sshd_config`) or a fact (`@libwrap /usr/sbin/sshd yes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: String,
    pub arg: String,
    pub lines: Vec<String>,
}

pub fn parse(text: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix('@') {
            let (kind, arg) = rest.split_once(' ').unwrap_or((rest, ""));
            out.push(Block {
                kind: kind.to_string(),
                arg: arg.trim().to_string(),
                lines: Vec::new(),
            });
        } else if let Some(content) = line.strip_prefix('|') {
            if let Some(b) = out.last_mut() {
                b.lines.push(content.to_string());
            }
        }
    }
    out
}

/// Lines that includes may add to one configuration, all files and levels
/// together. Real configurations include a few dozen small files; files
/// that include each other several times would otherwise expand
/// exponentially (an include bomb from a hostile target). Beyond the
/// budget, includes are not followed.
pub const INCLUDE_BUDGET_LINES: usize = 50_000;

/// The include walk of one configuration: the files being expanded (from
/// the main file down) and what is left of the line budget.
#[derive(Debug)]
pub struct Includes {
    budget: usize,
    open: Vec<String>,
    /// [`Includes::expand`]'s answers: indices into the walk's blocks, by pattern.
    expanded: HashMap<String, Vec<usize>>,
}

impl Includes {
    pub fn new(main: &str) -> Includes {
        Includes {
            budget: INCLUDE_BUDGET_LINES,
            open: vec![main.to_string()],
            expanded: HashMap::new(),
        }
    }

    /// Whether the included file `path` is expanded: not when it is already
    /// being expanded (an include loop, which sshd, Apache and MySQL refuse
    /// at start, so no running server reads it that way), nor once the
    /// budget is spent. A `true` must be matched by [`Includes::leave`].
    pub fn enter(&mut self, path: &str, lines: &[String]) -> bool {
        if self.open.iter().any(|o| o == path) {
            return false;
        }
        if !spend(&mut self.budget, lines) {
            return false;
        }
        self.open.push(path.to_string());
        true
    }

    pub fn leave(&mut self) {
        self.open.pop();
    }

    /// The files of `blocks` that `pattern` names, in the order a shell glob
    /// lists them (sorted), each pattern worked out once per walk (the walk
    /// reads one set of blocks):
    /// an include line read again, or one that names nothing (which spends
    /// no budget), costs no second pass over every block.
    pub fn expand<'a>(
        &mut self,
        blocks: &'a [Block],
        pattern: &str,
    ) -> Vec<(&'a str, &'a [String])> {
        let found = self.expanded.entry(pattern.to_string()).or_insert_with(|| {
            let mut v: Vec<usize> = (0..blocks.len())
                .filter(|&i| {
                    blocks[i].kind == "file" && crate::wildcard::path(pattern, &blocks[i].arg)
                })
                .collect();
            v.sort_by(|&a, &b| blocks[a].arg.cmp(&blocks[b].arg));
            v.dedup_by(|a, b| blocks[*a].arg == blocks[*b].arg);
            v
        });
        found
            .iter()
            .filter_map(|&i| blocks.get(i))
            .map(|b| (b.arg.as_str(), b.lines.as_slice()))
            .collect()
    }

    /// Start on another main file (MySQL reads several), keeping what is
    /// left of the budget.
    pub fn restart(&mut self, main: &str) {
        self.open.clear();
        self.open.push(main.to_string());
    }
}

/// Spend an included file's lines from `budget`; false once it is spent.
fn spend(budget: &mut usize, lines: &[String]) -> bool {
    let cost = lines.len() + 1;
    match budget.checked_sub(cost) {
        Some(left) => {
            *budget = left;
            true
        }
        None => {
            *budget = 0;
            false
        }
    }
}

/// The file blocks, by path.
pub fn files(blocks: &[Block]) -> Vec<(&str, &[String])> {
    blocks
        .iter()
        .filter(|b| b.kind == "file")
        .map(|b| (b.arg.as_str(), b.lines.as_slice()))
        .collect()
}

/// Paths the probe could not read (permissions).
pub fn unreadable(blocks: &[Block]) -> Vec<&str> {
    blocks
        .iter()
        .filter(|b| b.kind == "unreadable")
        .map(|b| b.arg.as_str())
        .collect()
}

/// The argument of the first block of `kind`.
pub fn fact<'a>(blocks: &'a [Block], kind: &str) -> Option<&'a str> {
    blocks
        .iter()
        .find(|b| b.kind == kind)
        .map(|b| b.arg.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(n: usize) -> Vec<String> {
        vec!["x".to_string(); n]
    }

    #[test]
    fn include_loops_are_not_followed_and_the_budget_ends_the_walk() {
        let mut inc = Includes::new("/etc/ssh/sshd_config");
        // The main file, or a file still open above, is a loop.
        assert!(!inc.enter("/etc/ssh/sshd_config", &lines(1)));
        assert!(inc.enter("/etc/ssh/sshd_config.d/a.conf", &lines(1)));
        assert!(!inc.enter("/etc/ssh/sshd_config.d/a.conf", &lines(1)));
        assert!(inc.enter("/etc/ssh/sshd_config.d/b.conf", &lines(1)));
        inc.leave();
        inc.leave();
        // Once closed, a file may be included again (sshd allows that).
        assert!(inc.enter("/etc/ssh/sshd_config.d/a.conf", &lines(1)));
        inc.leave();
        // 50,000 lines in all, whatever the files.
        assert!(inc.enter("/big", &lines(INCLUDE_BUDGET_LINES - 10)));
        inc.leave();
        assert!(!inc.enter("/more", &lines(10)));
        assert!(!inc.enter("/one", &lines(0)));
    }

    #[test]
    fn include_patterns_expand_to_sorted_files_once_per_pattern() {
        let b = parse("@file /etc/x/b.conf\n|1\n@file /etc/x/a.conf\n|2\n@file /etc/x/a.conf\n|dup\n@file /etc/x/sub/c.conf\n|3\n@sshd-T /etc/x/d.conf\n|4\n");
        let mut inc = Includes::new("/etc/main");
        let got = inc.expand(&b, "/etc/x/*.conf");
        let (one, two) = (["1".to_string()], ["2".to_string()]);
        assert_eq!(
            got,
            [("/etc/x/a.conf", &two[..]), ("/etc/x/b.conf", &one[..])]
        );
        assert_eq!(inc.expand(&b, "/etc/x/*.conf"), got);
        assert_eq!(inc.expanded.len(), 1);
        assert!(inc.expand(&b, "/etc/none/*").is_empty());
    }

    #[test]
    fn blocks_and_globs() {
        let b = parse("@file /etc/a\n|x\n|@file fake\nstray\n@libwrap /usr/sbin/sshd yes\n");
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].lines, ["x", "@file fake"]);
        assert_eq!(fact(&b, "libwrap"), Some("/usr/sbin/sshd yes"));
        assert!(crate::wildcard::path(
            "/etc/ssh/sshd_config.d/*.conf",
            "/etc/ssh/sshd_config.d/10-a.conf"
        ));
        assert!(!crate::wildcard::path(
            "/etc/ssh/sshd_config.d/*.conf",
            "/etc/ssh/sshd_config.d/x/a.conf"
        ));
        assert!(crate::wildcard::path(
            "/etc/mysql/conf.d/*",
            "/etc/mysql/conf.d/a.cnf"
        ));
    }
}
