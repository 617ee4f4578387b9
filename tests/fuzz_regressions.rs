//! Replays every input saved under `fuzz/regressions/<target>/` (inputs that
//! once crashed a fuzz target, and the fixes' proof) through the same code
//! as the fuzz target, on the stable toolchain: a regression panics here.

use std::path::Path;

#[test]
fn saved_fuzz_inputs_do_not_crash() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    for dir in std::fs::read_dir(&root).expect("fuzz/regressions exists") {
        let dir = dir.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let run = shipshape::fuzzing::target(&name)
            .unwrap_or_else(|| panic!("fuzz/regressions/{name}: no such fuzz target"));
        for input in std::fs::read_dir(&dir).unwrap() {
            let input = input.unwrap().path();
            let data = std::fs::read(&input).unwrap();
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{} crashes {name}", input.display());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no saved input under {}", root.display());
}

/// Every fuzz target has a file in fuzz/fuzz_targets/ and the fuzz crate
/// builds it: the list in `shipshape::fuzzing::TARGETS` is the one CI runs.
#[test]
fn every_target_has_a_fuzz_binary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    for (name, _) in shipshape::fuzzing::TARGETS {
        let file = root.join(format!("fuzz_targets/{name}.rs"));
        assert!(file.is_file(), "{} is missing", file.display());
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "fuzz/Cargo.toml has no [[bin]] {name}"
        );
    }
    let files = std::fs::read_dir(root.join("fuzz_targets"))
        .unwrap()
        .count();
    assert_eq!(files, shipshape::fuzzing::TARGETS.len());
}
