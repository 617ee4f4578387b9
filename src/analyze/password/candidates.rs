//! Candidate passwords from a host's context, most likely first.
//!
//! Words come from the organisation's domain (labels, with and without the
//! public suffix), its names (each word, joined, camel-cased, initials,
//! romanisation variants), the host name and the account name. Each word
//! goes through forms in phases, so that what people really choose is tried
//! before the budget runs out: bare and reversed, common suffixes and
//! prefixes, years, separators, leetspeak, then secondary words, the bundled
//! list of common passwords, and combinations. See the module documentation
//! of [`super`] for the rules in prose.

use super::PasswordContext;
use crate::secret::Secret;
use std::collections::HashSet;

/// One candidate and how it was made (for evidence: "derived from
/// \"seaways\" + year").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub value: Secret,
    pub how: String,
}

/// Where a word came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Account,
    Domain,
    Organization,
    Hostname,
}

/// A word from the context: lower-case parts (one for "seaways", two for
/// "Seaways Ferry") and how to name it in evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub parts: Vec<String>,
    pub source: Source,
    /// How evidence names the word, e.g. `"seaways"` or
    /// `"sf" (initials of "Seaways Ferry")`.
    pub label: String,
}

impl Source {
    /// How evidence names a word from this source when the password is the
    /// word itself (quoting the word would show the password).
    pub fn itself(self) -> &'static str {
        match self {
            Source::Account => "the account name itself",
            Source::Domain => "a label of the domain name itself",
            Source::Organization => "the organisation's name itself",
            Source::Hostname => "the host name itself",
        }
    }
}

impl Word {
    fn new(parts: Vec<String>, source: Source) -> Word {
        let label = format!("{:?}", parts.concat());
        Word {
            parts,
            source,
            label,
        }
    }

    fn labelled(parts: Vec<String>, source: Source, label: String) -> Word {
        Word {
            parts,
            source,
            label,
        }
    }

    pub fn joined(&self) -> String {
        self.parts.concat()
    }
}

/// Labels that name no organisation: top- and second-level domains, host
/// prefixes, and the names RFC 2606/6761 reserve for examples and tests.
const GENERIC_LABELS: &[&str] = &[
    "com",
    "net",
    "org",
    "info",
    "biz",
    "edu",
    "gov",
    "mil",
    "int",
    "co",
    "ne",
    "or",
    "ac",
    "go",
    "ed",
    "gr",
    "lg",
    "ad",
    "ltd",
    "plc",
    "gob",
    "nom",
    "www",
    "www2",
    "mail",
    "ftp",
    "web",
    "smtp",
    "example",
    "test",
    "local",
    "localhost",
    "localdomain",
    "invalid",
    "lan",
    "intra",
    "internal",
    "corp",
    "home",
];

/// The most common suffixes, most likely first. The first [`TOP_SUFFIXES`]
/// are tried early with every primary word.
const SUFFIXES: &[&str] = &[
    "1", "123", "!", "12", "1234", "01", "@", "#", "123!", "1!", "12345", "2", "!!", "0", "00",
    "11", "99", "321", "@123", "#1", "01!", "123456", "!@#", "1@", "$", "7", "69", "13", "007",
    "1234!", "!1", "@1", "a", "x",
];
const TOP_SUFFIXES: usize = 11;
const PREFIXES: &[&str] = &["123", "1", "!", "@", "#", "01"];
/// Between a word and a year, or between two words.
const SEPARATORS: &[&str] = &["@", "-", "_", ".", "#", "!", "+", " "];
/// How many of the newest years count as "recent" for expensive forms.
const RECENT_YEARS: usize = 10;
/// The oldest year tried.
pub const FIRST_YEAR: i32 = 1990;
/// No list grows past this.
pub const MAX_CANDIDATES: usize = 250_000;

/// The bundled list, most common first.
pub fn common_passwords() -> &'static [&'static str] {
    use std::sync::OnceLock;
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../../../checks/data/common-passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

fn split_parts(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| p.to_lowercase())
        .collect()
}

/// Hepburn ↔ Kunrei-shiki spellings and long-vowel spellings of a
/// romanised Japanese word: `kyushu` → `kyusyu`, `shosen` → `syosen`,
/// `tokyou` → `tokyo`. Each single swap and all swaps together.
pub fn romanisations(word: &str) -> Vec<String> {
    const SWAPS: &[(&str, &str)] = &[
        ("shi", "si"),
        ("sha", "sya"),
        ("shu", "syu"),
        ("sho", "syo"),
        ("chi", "ti"),
        ("cha", "tya"),
        ("chu", "tyu"),
        ("cho", "tyo"),
        ("tsu", "tu"),
        ("ji", "zi"),
        ("ja", "zya"),
        ("ju", "zyu"),
        ("jo", "zyo"),
        ("fu", "hu"),
        ("ou", "o"),
        ("oo", "o"),
        ("uu", "u"),
        ("oh", "o"),
    ];
    let mut out: Vec<String> = Vec::new();
    let add = |s: String, out: &mut Vec<String>| {
        if s != word && !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    let mut all_fwd = word.to_string();
    let mut all_back = word.to_string();
    for (a, b) in SWAPS {
        if word.contains(a) {
            add(word.replace(a, b), &mut out);
            all_fwd = all_fwd.replace(a, b);
        }
        // Kunrei → Hepburn only for the consonant swaps (never lengthen vowels).
        if b.len() > 1 && word.contains(b) && !a.starts_with('o') && !a.starts_with('u') {
            add(word.replace(b, a), &mut out);
            all_back = all_back.replace(b, a);
        }
    }
    add(all_fwd, &mut out);
    add(all_back, &mut out);
    out
}

/// The words of a context: primary ones get every form early; secondary
/// ones later and with fewer forms. `account` (when given) comes first.
pub fn context_words(ctx: &PasswordContext, account: Option<&str>) -> (Vec<Word>, Vec<Word>) {
    let mut primary: Vec<Word> = Vec::new();
    let mut secondary: Vec<Word> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let add = |list: &mut Vec<Word>, w: Word, seen: &mut HashSet<String>| {
        let j = w.joined();
        if j.chars().count() >= 2 && seen.insert(j) {
            list.push(w);
        }
    };
    // A word first met as secondary moves up when a primary source names it.
    let promote = |primary: &mut Vec<Word>,
                   secondary: &mut Vec<Word>,
                   w: Word,
                   seen: &mut HashSet<String>| {
        let j = w.joined();
        if let Some(i) = secondary.iter().position(|s| s.joined() == j) {
            secondary.remove(i);
            seen.remove(&j);
        }
        add(primary, w, seen);
    };
    if let Some(a) = account {
        add(
            &mut primary,
            Word::new(vec![a.to_lowercase()], Source::Account),
            &mut seen,
        );
    }
    // Domain: the organisation's labels are primary; the whole name and the
    // name without its suffix are secondary.
    if let Some(d) = ctx.domain.as_deref() {
        let labels: Vec<String> = d
            .trim()
            .trim_end_matches('.')
            .split('.')
            .filter(|l| !l.is_empty())
            .map(|l| l.to_lowercase())
            .collect();
        let n = labels.len();
        for (i, l) in labels.iter().enumerate() {
            if i + 1 == n && n > 1 {
                continue; // the top-level domain
            }
            if GENERIC_LABELS.contains(&l.as_str()) {
                continue;
            }
            add(
                &mut primary,
                Word::new(vec![l.clone()], Source::Domain),
                &mut seen,
            );
            for part in l.split('-').filter(|p| p.len() >= 3) {
                if part != l {
                    add(
                        &mut secondary,
                        Word::new(vec![part.to_string()], Source::Domain),
                        &mut seen,
                    );
                }
            }
        }
        if n > 1 {
            let full = labels.join(".");
            add(
                &mut secondary,
                Word::new(vec![full], Source::Domain),
                &mut seen,
            );
            let no_tld = labels[..n - 1].join(".");
            add(
                &mut secondary,
                Word::new(vec![no_tld], Source::Domain),
                &mut seen,
            );
            let meaningful: Vec<String> = labels[..n - 1]
                .iter()
                .filter(|l| !GENERIC_LABELS.contains(&l.as_str()))
                .cloned()
                .collect();
            if meaningful.len() > 1 {
                add(
                    &mut secondary,
                    Word::new(meaningful, Source::Domain),
                    &mut seen,
                );
            }
        }
    }
    // Organisation names: the joined name and its first word are primary;
    // other words, initials and romanisations secondary.
    for name in &ctx.organization {
        let parts = split_parts(name);
        if parts.is_empty() {
            continue;
        }
        promote(
            &mut primary,
            &mut secondary,
            Word::new(parts.clone(), Source::Organization),
            &mut seen,
        );
        promote(
            &mut primary,
            &mut secondary,
            Word::new(vec![parts[0].clone()], Source::Organization),
            &mut seen,
        );
        for p in parts.iter().skip(1) {
            if p.chars().count() >= 3 {
                add(
                    &mut secondary,
                    Word::new(vec![p.clone()], Source::Organization),
                    &mut seen,
                );
            }
        }
        if parts.len() > 1 {
            let initials: String = parts.iter().filter_map(|p| p.chars().next()).collect();
            let label = format!("{initials:?} (initials of {name:?})");
            add(
                &mut secondary,
                Word::labelled(vec![initials], Source::Organization, label),
                &mut seen,
            );
        }
        for p in &parts {
            for r in romanisations(p) {
                let label = format!("{r:?} (romanisation of {p:?})");
                add(
                    &mut secondary,
                    Word::labelled(vec![r], Source::Organization, label),
                    &mut seen,
                );
            }
        }
    }
    // Domain labels also get romanisations.
    let domain_words: Vec<String> = primary
        .iter()
        .filter(|w| w.source == Source::Domain)
        .map(|w| w.joined())
        .collect();
    for d in domain_words {
        for r in romanisations(&d) {
            let label = format!("{r:?} (romanisation of {d:?})");
            add(
                &mut secondary,
                Word::labelled(vec![r], Source::Domain, label),
                &mut seen,
            );
        }
    }
    // Host names: the short name is primary, without trailing digits secondary.
    for h in &ctx.hostnames {
        let short = h
            .trim()
            .split('.')
            .next()
            .unwrap_or_default()
            .to_lowercase();
        if short.is_empty() || short == "localhost" {
            continue;
        }
        add(
            &mut primary,
            Word::new(vec![short.clone()], Source::Hostname),
            &mut seen,
        );
        let stem = short.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-');
        if stem.len() >= 3 && stem != short {
            add(
                &mut secondary,
                Word::new(vec![stem.to_string()], Source::Hostname),
                &mut seen,
            );
        }
    }
    // Other accounts' names are secondary (the account's own name leads).
    for a in &ctx.accounts {
        if Some(a.as_str()) != account {
            add(
                &mut secondary,
                Word::new(vec![a.to_lowercase()], Source::Account),
                &mut seen,
            );
        }
    }
    (primary, secondary)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Case forms of a word, most likely first: Capitalised, lower, CamelCase
/// (several parts only), UPPER.
fn cases(w: &Word) -> Vec<String> {
    let lower = w.joined();
    if w.parts.len() == 1 && lower.chars().count() <= 3 {
        // Initials and acronyms ("SF", "NTT") are written in capitals.
        return vec![lower.to_uppercase(), lower.clone(), capitalise(&lower)];
    }
    let mut out = vec![capitalise(&lower), lower.clone()];
    if w.parts.len() > 1 {
        out.push(w.parts.iter().map(|p| capitalise(p)).collect());
    }
    out.push(lower.to_uppercase());
    out.dedup();
    out
}

/// Common leetspeak substitutions; a second table for the symbol forms.
const LEET: &[(char, char)] = &[
    ('a', '4'),
    ('e', '3'),
    ('i', '1'),
    ('o', '0'),
    ('s', '5'),
    ('t', '7'),
    ('l', '1'),
    ('g', '9'),
    ('b', '8'),
];
const LEET_SYMBOLS: &[(char, char)] = &[('a', '@'), ('s', '$'), ('i', '!'), ('o', '0'), ('e', '3')];

/// Leetspeak variants of `word` (lower case): every subset of up to eight
/// substitutable positions, fewest substitutions first, with digits and
/// then with symbols. `seaways` gives `s3aways`, `s3aw4ys`, `5eaway5`,
/// `$3@w@y$`...
pub fn leet_variants(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let positions: Vec<usize> = chars
        .iter()
        .enumerate()
        .filter(|(_, c)| LEET.iter().any(|(a, _)| a == *c))
        .map(|(i, _)| i)
        .take(8)
        .collect();
    let k = positions.len();
    let mut masks: Vec<u32> = (1..(1u32 << k)).collect();
    masks.sort_by_key(|m| (m.count_ones(), *m));
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for table in [LEET, LEET_SYMBOLS] {
        for m in &masks {
            let mut v = chars.clone();
            let mut changed = false;
            for (bit, &pos) in positions.iter().enumerate() {
                if m & (1 << bit) != 0 {
                    if let Some((_, to)) = table.iter().find(|(from, _)| *from == v[pos]) {
                        v[pos] = *to;
                        changed = true;
                    }
                }
            }
            let s: String = v.into_iter().collect();
            if changed && seen.insert(s.clone()) {
                out.push(s);
            }
        }
    }
    out
}

struct Gen {
    seen: HashSet<String>,
    out: Vec<Candidate>,
    limit: usize,
}

impl Gen {
    fn push(&mut self, value: String, how: impl FnOnce() -> String) {
        if self.out.len() < self.limit && !self.seen.contains(&value) {
            let mut how = how();
            // Evidence must never spell the password out, not even as the
            // word it was derived from.
            if !value.is_empty() && how.to_lowercase().contains(&value.to_lowercase()) {
                how = "a word of the context itself".into();
            }
            self.seen.insert(value.clone());
            self.out.push(Candidate {
                value: Secret::new(value),
                how,
            });
        }
    }

    fn full(&self) -> bool {
        self.out.len() >= self.limit
    }
}

/// The ordered, de-duplicated candidates for one account (or, with `None`,
/// for the context alone).
pub fn generate(ctx: &PasswordContext, account: Option<&str>) -> Vec<Candidate> {
    generate_limited(ctx, account, MAX_CANDIDATES)
}

pub fn generate_limited(
    ctx: &PasswordContext,
    account: Option<&str>,
    limit: usize,
) -> Vec<Candidate> {
    let (primary, secondary) = context_words(ctx, account);
    let this_year = chrono::Datelike::year(&ctx.today).max(FIRST_YEAR);
    let years: Vec<i32> = (FIRST_YEAR..=this_year).rev().collect();
    let recent: Vec<i32> = years.iter().copied().take(RECENT_YEARS).collect();
    let common = common_passwords();
    let mut g = Gen {
        seen: HashSet::new(),
        out: Vec::new(),
        limit,
    };
    let from = |w: &Word, rest: &str| format!("derived from {}{rest}", w.label);

    // Phase 1: nothing at all, bare words, reversed words, the top of the list.
    g.push(String::new(), || "the empty password".into());
    for w in &primary {
        for c in cases(w) {
            g.push(c, || w.source.itself().into());
        }
    }
    for w in &primary {
        let rev: String = w.joined().chars().rev().collect();
        g.push(capitalise(&rev), || from(w, ", reversed"));
        g.push(rev, || from(w, ", reversed"));
    }
    for (i, p) in common.iter().take(25).enumerate() {
        g.push(p.to_string(), || format!("common password #{}", i + 1));
    }

    // Phase 2: the commonest suffixes, then four-digit years (newest first),
    // in the two commonest cases: what people pick when told to add digits.
    for s in &SUFFIXES[..5] {
        for w in &primary {
            for c in cases(w).into_iter().take(2) {
                g.push(format!("{c}{s}"), || from(w, &format!(" + {s:?}")));
            }
        }
    }
    for y in &years {
        for w in &primary {
            for c in cases(w).into_iter().take(2) {
                g.push(format!("{c}{y}"), || from(w, " + year"));
            }
        }
    }

    // Phase 3: the other common suffixes, prefixes, the third case with
    // suffixes and years, and two-digit years.
    for s in &SUFFIXES[..TOP_SUFFIXES] {
        for w in &primary {
            for c in cases(w).into_iter().take(3) {
                g.push(format!("{c}{s}"), || from(w, &format!(" + {s:?}")));
            }
        }
    }
    for p in PREFIXES {
        for w in &primary {
            for c in cases(w).into_iter().take(2) {
                g.push(format!("{p}{c}"), || format!("{p:?} + {}", from(w, "")));
            }
        }
    }
    for y in &years {
        for w in &primary {
            for c in cases(w).into_iter().take(3) {
                g.push(format!("{c}{y}"), || from(w, " + year"));
            }
            for c in cases(w).into_iter().take(2) {
                g.push(format!("{c}{:02}", y % 100), || from(w, " + year"));
            }
        }
    }

    // Phase 4: separators (word-sep-year, multi-word names with separators),
    // "!" after the year, UPPER + year, year first.
    for y in &years {
        for w in &primary {
            let cs = cases(w);
            for c in cs.iter().take(3) {
                g.push(format!("{c}{y}!"), || from(w, " + year + \"!\""));
            }
            for sep in SEPARATORS {
                for c in cs.iter().take(2) {
                    g.push(format!("{c}{sep}{y}"), || {
                        from(w, &format!(" + {sep:?} + year"))
                    });
                }
            }
            if let Some(up) = cs.last() {
                g.push(format!("{up}{y}"), || from(w, " + year"));
            }
            g.push(format!("{y}{}", w.joined()), || {
                format!("year + {}", from(w, ""))
            });
        }
    }
    for w in primary.iter().filter(|w| w.parts.len() > 1) {
        for sep in SEPARATORS {
            let camel = w
                .parts
                .iter()
                .map(|p| capitalise(p))
                .collect::<Vec<_>>()
                .join(sep);
            let lower = w.parts.join(sep);
            for base in [camel, lower] {
                g.push(base.clone(), || {
                    format!("{}, words joined by {sep:?}", w.source.itself())
                });
                for s in &SUFFIXES[..TOP_SUFFIXES] {
                    g.push(format!("{base}{s}"), || {
                        from(w, &format!(", words joined by {sep:?}, + {s:?}"))
                    });
                }
                for y in &recent {
                    g.push(format!("{base}{y}"), || {
                        from(w, &format!(", words joined by {sep:?}, + year"))
                    });
                }
            }
        }
    }

    // Phase 5: leetspeak of primary words, bare, with top suffixes and recent years.
    for w in &primary {
        for v in leet_variants(&w.joined()) {
            for c in [capitalise(&v), v.clone()] {
                g.push(c.clone(), || from(w, ", leetspeak"));
                for s in &SUFFIXES[..6] {
                    g.push(format!("{c}{s}"), || {
                        from(w, &format!(", leetspeak + {s:?}"))
                    });
                }
                for y in &recent {
                    g.push(format!("{c}{y}"), || from(w, ", leetspeak + year"));
                }
            }
            if g.full() {
                return g.out;
            }
        }
    }

    // Phase 6: reversed words with suffixes and years.
    for w in &primary {
        let rev: String = w.joined().chars().rev().collect();
        for c in [capitalise(&rev), rev.clone()] {
            for s in &SUFFIXES[..TOP_SUFFIXES] {
                g.push(format!("{c}{s}"), || {
                    from(w, &format!(", reversed + {s:?}"))
                });
            }
            for y in &recent {
                g.push(format!("{c}{y}"), || from(w, ", reversed + year"));
            }
        }
    }

    // Phase 7: secondary words (domain forms, other words, initials,
    // romanisations, host name stems, other accounts).
    for w in &secondary {
        let cs = cases(w);
        for c in &cs {
            g.push(c.clone(), || w.source.itself().into());
        }
        for s in &SUFFIXES[..TOP_SUFFIXES] {
            for c in cs.iter().take(2) {
                g.push(format!("{c}{s}"), || from(w, &format!(" + {s:?}")));
            }
        }
    }
    for y in &years {
        for w in &secondary {
            for c in cases(w).into_iter().take(2) {
                g.push(format!("{c}{y}"), || from(w, " + year"));
                g.push(format!("{c}{:02}", y % 100), || from(w, " + year"));
                g.push(format!("{c}{y}!"), || from(w, " + year + \"!\""));
            }
        }
        if g.full() {
            return g.out;
        }
    }
    for w in &secondary {
        for v in leet_variants(&w.joined()).into_iter().take(16) {
            g.push(capitalise(&v), || from(w, ", leetspeak"));
            g.push(v, || from(w, ", leetspeak"));
        }
    }

    // Phase 8: the whole bundled list, with the commonest variations.
    for (i, p) in common.iter().enumerate() {
        let how = || format!("common password #{}", i + 1);
        g.push(p.to_string(), how);
        g.push(capitalise(p), how);
        for s in ["1", "!", "123"] {
            g.push(format!("{p}{s}"), how);
        }
    }

    // Phase 9: the rest: all suffixes, leetspeak with every year and
    // separators, pairs of primary words.
    for s in &SUFFIXES[TOP_SUFFIXES..] {
        for w in &primary {
            for c in cases(w).into_iter().take(2) {
                g.push(format!("{c}{s}"), || from(w, &format!(" + {s:?}")));
            }
        }
    }
    for w in &primary {
        for sep in SEPARATORS {
            for y in &years {
                for c in cases(w).into_iter().take(2) {
                    g.push(format!("{c}{sep}{:02}", y % 100), || {
                        from(w, &format!(" + {sep:?} + year"))
                    });
                }
            }
        }
    }
    for w in &primary {
        for v in leet_variants(&w.joined()) {
            for c in [capitalise(&v), v] {
                for y in &years {
                    g.push(format!("{c}{y}"), || from(w, ", leetspeak + year"));
                    g.push(format!("{c}{y}!"), || from(w, ", leetspeak + year + \"!\""));
                }
                for sep in SEPARATORS {
                    for y in &recent {
                        g.push(format!("{c}{sep}{y}"), || {
                            from(w, &format!(", leetspeak + {sep:?} + year"))
                        });
                    }
                }
            }
            if g.full() {
                return g.out;
            }
        }
    }
    for a in &primary {
        for b in &primary {
            if a == b || a.parts.iter().any(|p| b.parts.contains(p)) {
                continue;
            }
            for sep in ["", "-", "_", "@", "."] {
                let how = || format!("derived from {} + {}", a.label, b.label);
                let lower = format!("{}{sep}{}", a.joined(), b.joined());
                let cap = format!(
                    "{}{sep}{}",
                    capitalise(&a.joined()),
                    capitalise(&b.joined())
                );
                for base in [cap, lower] {
                    g.push(base.clone(), how);
                    for s in &SUFFIXES[..TOP_SUFFIXES] {
                        g.push(format!("{base}{s}"), how);
                    }
                    for y in &recent {
                        g.push(format!("{base}{y}"), how);
                    }
                }
            }
        }
    }
    g.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn seaways() -> PasswordContext {
        PasswordContext {
            domain: Some("seaways.example.jp".into()),
            organization: vec!["seaways".into(), "Seaways Ferry".into()],
            hostnames: vec!["legacy".into()],
            accounts: vec!["seaways".into(), "root".into()],
            today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        }
    }

    fn position(list: &[Candidate], pw: &str) -> Option<usize> {
        list.iter().position(|c| c.value.expose() == pw)
    }

    #[test]
    fn the_issue_examples_are_generated() {
        let list = generate(&seaways(), None);
        for pw in [
            "Seaways2017",
            "seaways!",
            "S3aw4ys",
            "syawaes",
            "seaways123",
            "@seaways",
            "#Seaways",
            "01seaways",
            "Seaways01",
            "SeawaysFerry",
            "Seaways-Ferry1",
            "seaways_ferry",
            "Seaways@2017",
            "seaways17",
            "seaways.example.jp",
            "seaways.example",
            "SF2017",
            "Seaways1990",
            "seaways2026",
            "Legacy2017",
            "P@ssw0rd",
            "password",
            "",
        ] {
            assert!(
                position(&list, pw).is_some(),
                "{:?} missing",
                Secret::new(pw)
            );
        }
        assert!(
            list.len() > 5_000 && list.len() <= MAX_CANDIDATES,
            "{}",
            list.len()
        );
        // No duplicates.
        let distinct: HashSet<&str> = list.iter().map(|c| c.value.expose()).collect();
        assert_eq!(distinct.len(), list.len());
    }

    #[test]
    fn the_most_likely_come_first() {
        let list = generate(&seaways(), Some("seaways"));
        let at = |pw: &str| position(&list, pw).unwrap_or(usize::MAX);
        // Within what yescrypt manages in a few seconds on two cores.
        assert!(
            at("Seaways2017") < 200,
            "Seaways2017 at {}",
            at("Seaways2017")
        );
        assert!(at("seaways") < 5);
        assert!(at("seaways!") < 100);
        assert!(at("Seaways2017") < at("Seaways-2017"));
        assert!(at("Seaways2017") < at("S3aw4ys"));
        assert!(at("S3aw4ys") < at("qazwsxedc"));
        let c = &list[at("Seaways2017")];
        assert_eq!(c.how, "derived from \"seaways\" + year");
        assert_eq!(
            list[at("syawaes")].how,
            "derived from \"seaways\", reversed"
        );
    }

    #[test]
    fn the_lab_auditor_password_is_not_a_candidate() {
        let mut ctx = seaways();
        ctx.hostnames = vec!["clean".into()];
        ctx.accounts = vec!["auditor".into()];
        let list = generate(&ctx, Some("auditor"));
        assert!(position(&list, "Lab-auditor-pw-7").is_none());
        assert!(position(&list, "Auditor2024").is_some());
    }

    #[test]
    fn domain_labels_skip_suffixes_and_reserved_names() {
        let ctx = PasswordContext {
            domain: Some("www.kyushu-shosen.co.jp".into()),
            organization: vec!["Kyushu Shosen".into()],
            ..Default::default()
        };
        let (primary, secondary) = context_words(&ctx, None);
        let p: Vec<String> = primary.iter().map(|w| w.joined()).collect();
        assert_eq!(p, ["kyushu-shosen", "kyushushosen", "kyushu"]);
        let s: Vec<String> = secondary.iter().map(|w| w.joined()).collect();
        for want in [
            "shosen",
            "ks",
            "kyusyu",
            "syosen",
            "www.kyushu-shosen.co.jp",
            "www.kyushu-shosen.co",
        ] {
            assert!(s.iter().any(|x| x == want), "{want} not in {s:?}");
        }
        assert!(!p
            .iter()
            .chain(&s)
            .any(|x| x == "co" || x == "jp" || x == "www"));
    }

    #[test]
    fn romanisation_and_leet_variants() {
        assert!(romanisations("kyushu").contains(&"kyusyu".to_string()));
        assert!(romanisations("syosen").contains(&"shosen".to_string()));
        assert!(romanisations("tokyou").contains(&"tokyo".to_string()));
        let l = leet_variants("seaways");
        assert!(l.contains(&"s3aw4ys".to_string()));
        assert!(l.contains(&"5e4w4y5".to_string()));
        assert!(l.contains(&"$e@w@y$".to_string()));
        assert_eq!(l[0], "5eaways", "one substitution first");
    }

    #[test]
    fn candidates_never_print_their_value() {
        let list = generate_limited(&seaways(), Some("seaways"), 500);
        let shown = format!("{list:?}");
        assert!(!shown.contains("Seaways2017") && !shown.contains("syawaes"));
    }
}
