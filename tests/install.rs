//! `cargo install --path .` gives a binary that works from anywhere: the
//! checks, profiles and EOL table are built in, nothing is read from the
//! source tree.

mod common;

use common::*;
use std::process::Command;

#[test]
#[ignore = "slow: a release build with `cargo install` (tests/run.sh runs it)"]
fn cargo_install_gives_a_working_binary_with_the_built_in_checks() {
    let root = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Its own target directory: the one `cargo test` uses is locked while
    // tests run. Kept between runs, so a second run only rebuilds what
    // changed; SHIPSHAPE_INSTALL_TARGET_DIR puts it outside the checkout
    // (tests/run.sh does, so that a fresh clone reuses the built crates).
    let target = std::env::var_os("SHIPSHAPE_INSTALL_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| repo().join("target/install-test"));
    let out = Command::new("nice")
        .args(["-n", "19"])
        .arg(&cargo)
        .args(["install", "--locked", "--quiet", "--path"])
        .arg(repo())
        .arg("--root")
        .arg(root.path())
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo install failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bin = root.path().join("bin/shipshape");
    let installed = || {
        let mut c = Command::new(&bin);
        c.current_dir(elsewhere.path())
            .env("HOME", elsewhere.path())
            .env("NO_COLOR", "1")
            .env_remove("SSH_AUTH_SOCK");
        c
    };

    let out = run(installed().arg("--version"));
    let catalog = shipshape::catalog::Catalog::builtin().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!(
            "shipshape {} (check data of {})",
            env!("CARGO_PKG_VERSION"),
            catalog.eol.written
        )
    );

    let out = run(installed().arg("list-checks"));
    assert_eq!(out.status.code(), Some(0));
    let listed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(listed.lines().count(), catalog.checks.len(), "{listed}");
    assert!(listed.contains("apache-version"), "{listed}");

    let out = run(installed().args(["audit", "--local", "--format", "json"]));
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let report = json(&out);
    assert_eq!(report["profile"], "go-live");
    assert_eq!(report["hosts"][0]["status"], "audited");
    assert_eq!(
        report["hosts"][0]["findings"].as_array().unwrap().len(),
        catalog.checks.len()
    );
}
