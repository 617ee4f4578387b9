//! Errors in checks, profiles and inventories: each names the file, line and
//! column, what is wrong, and what to do about it.

use std::fmt;
use std::path::PathBuf;

/// A place in an input file, 1-based. Line 0 means "the file as a whole".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLoc {
    pub file: PathBuf,
    pub line: u64,
    pub column: u64,
}

impl SourceLoc {
    pub fn file_only(file: impl Into<PathBuf>) -> Self {
        SourceLoc {
            file: file.into(),
            line: 0,
            column: 0,
        }
    }

    pub fn at(file: impl Into<PathBuf>, loc: &serde_saphyr::Location) -> Self {
        SourceLoc {
            file: file.into(),
            line: loc.line(),
            column: loc.column(),
        }
    }
}

impl fmt::Display for SourceLoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file.display())
        } else {
            write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
        }
    }
}

/// One problem in an input file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    pub loc: SourceLoc,
    pub message: String,
    pub hint: Option<String>,
}

impl InputError {
    pub fn new(loc: SourceLoc, message: impl Into<String>) -> Self {
        InputError {
            loc,
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Convert a YAML parser error, keeping its position.
    pub fn from_yaml(file: impl Into<PathBuf>, err: &serde_saphyr::Error) -> Self {
        let file = file.into();
        let loc = match err.location() {
            Some(l) => SourceLoc::at(&file, &l),
            None => SourceLoc::file_only(&file),
        };
        InputError::new(loc, yaml_message(err))
    }
}

/// The parser's message without its rendered snippet or its own position
/// (we print file:line:column ourselves), on one line.
fn yaml_message(err: &serde_saphyr::Error) -> String {
    // Rendering the snippet costs more than parsing the document.
    one_line(&err.without_snippet().to_string())
}

fn one_line(full: &str) -> String {
    let first = full
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid YAML");
    let mut msg = first.trim_start_matches("error:").trim();
    if let Some(rest) = msg.strip_prefix("line ") {
        // "line 4 column 35: ..."
        if let Some((_, after)) = rest.split_once(": ") {
            msg = after;
        }
    }
    if let Some(i) = msg.find(" at line ") {
        msg = &msg[..i];
    }
    if let Some((key, _)) = msg.split_once(", set DuplicateKeyPolicy") {
        return format!(
            "{key} (each key may appear once; a repeated key would silently replace the first)"
        );
    }
    msg.to_string()
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.loc, self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

/// Several input problems, reported together so one run shows them all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputErrors(pub Vec<InputError>);

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl From<InputError> for InputErrors {
    fn from(e: InputError) -> Self {
        InputErrors(vec![e])
    }
}
