//! Embeds `checks/` (with `checks/data/`) and `profiles/` in the binary so
//! that an installed shipshape works from any directory.

use std::fs;
use std::path::Path;

fn collect(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(&p, out);
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml")) {
            out.push(p.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The EOL table's `written:` date, for `--version` (a test compares it
/// with what the catalog parses).
fn check_data_date(eol: &Path) -> String {
    fs::read_to_string(eol)
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("written:"))
                .map(|d| d.trim().trim_matches(['"', '\'']).to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&root);
    let mut code = String::from("/// Built-in files: (path relative to the repository, contents).\npub static BUILTIN_FILES: &[(&str, &str)] = &[\n");
    for top in ["checks", "profiles"] {
        println!("cargo:rerun-if-changed={top}");
        let mut files = Vec::new();
        collect(&root.join(top), &mut files);
        for f in files {
            let rel = Path::new(&f)
                .strip_prefix(root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|_| f.clone());
            println!("cargo:rerun-if-changed={f}");
            code.push_str(&format!("    ({rel:?}, include_str!({f:?})),\n"));
        }
    }
    code.push_str("];\n");
    println!(
        "cargo:rustc-env=SHIPSHAPE_CHECK_DATA_DATE={}",
        check_data_date(&root.join("checks/data/eol.yml"))
    );
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
