//! Shell integration: completion scripts that the shells themselves accept,
//! a manual page that groff renders without warnings, and `--version`.

mod common;

use common::*;
use std::process::{Command, Stdio};

fn stdout_of(args: &[&str]) -> String {
    let out = run(shipshape().args(args));
    assert_eq!(out.status.code(), Some(0), "shipshape {args:?}");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Run `program args... FILE` on `text` written to a file; returns stderr.
fn check_with(program: &str, args: &[&str], text: &str, file_name: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file_name);
    std::fs::write(&path, text).unwrap();
    let out = Command::new(program)
        .args(args)
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is needed for this test ({e}); tests/run.sh installs it")
        });
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{program} rejected it: {stderr}");
    stderr
}

#[test]
fn bash_completion_parses_and_completes_subcommands() {
    let script = stdout_of(&["completions", "bash"]);
    check_with("bash", &["-n"], &script, "shipshape.bash");
    // Load it and ask for completions of `shipshape ex`, as bash would.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shipshape.bash");
    std::fs::write(&path, &script).unwrap();
    let probe = format!(
        "source {}; COMP_WORDS=(shipshape ex); COMP_CWORD=1; COMP_LINE='shipshape ex'; COMP_POINT=12; \
         _shipshape shipshape ex shipshape; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display()
    );
    let out = Command::new("bash").args(["-c", &probe]).output().unwrap();
    let words = String::from_utf8_lossy(&out.stdout);
    assert!(words.lines().any(|w| w == "explain"), "{words}");
    let script_has = |w: &str| script.contains(w);
    for w in [
        "validate",
        "schema",
        "--category",
        "weak-password",
        "inventory",
    ] {
        assert!(script_has(w), "bash completion lacks {w}");
    }
}

#[test]
fn zsh_and_fish_completions_parse() {
    let zsh = stdout_of(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef shipshape"), "{}", &zsh[..40]);
    check_with("zsh", &["-n"], &zsh, "_shipshape");
    let fish = stdout_of(&["completions", "fish"]);
    assert!(fish.contains("complete -c shipshape"), "{fish}");
    check_with("fish", &["--no-execute"], &fish, "shipshape.fish");
}

#[test]
fn man_pages_render_without_warnings() {
    for page in [vec!["man"], vec!["man", "audit"], vec!["man", "validate"]] {
        let roff = stdout_of(&page);
        assert!(roff.contains(".TH"), "not roff: {roff}");
        let warnings = check_with("groff", &["-man", "-Tutf8", "-ww", "-z"], &roff, "page.1");
        assert!(
            warnings.trim().is_empty(),
            "groff warns about {page:?}: {warnings}"
        );
    }
    let roff = stdout_of(&["man"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shipshape.1");
    std::fs::write(&path, &roff).unwrap();
    let out = Command::new("man")
        .arg("-l")
        .arg(&path)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
        .expect("man runs (tests/run.sh installs man-db)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for part in [
        "EXIT STATUS",
        "SHIPSHAPE_PASSWORD",
        "shipshape-explain(1)",
        "check data of",
    ] {
        assert!(text.contains(part), "man page lacks {part:?}:\n{text}");
    }
    let out = run(shipshape().args(["man", "nope"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("one of audit, list-checks"));
}

#[test]
fn version_names_the_check_data_date() {
    let version = stdout_of(&["--version"]);
    let catalog = shipshape::catalog::Catalog::builtin().unwrap();
    assert_eq!(
        version.trim(),
        format!(
            "shipshape {} (check data of {})",
            env!("CARGO_PKG_VERSION"),
            catalog.eol.written
        )
    );
}
