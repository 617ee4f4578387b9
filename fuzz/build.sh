# shellcheck shell=bash
# Sourced by run-brief.sh and run-long.sh (from fuzz/): builds every fuzz
# target with plain cargo and the coverage flags cargo-fuzz would pass, into
# a target directory under /var/tmp that later runs reuse, and sets $bin to
# the directory of the binaries. No sanitizer, so no nightly compiler.
triple=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR=${SHIPSHAPE_FUZZ_TARGET_DIR:-/var/tmp/shipshape-fuzz/target}
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cllvm-args=-sanitizer-coverage-stack-depth \
--cfg fuzzing -Cdebug-assertions"
# --target keeps RUSTFLAGS away from build scripts, as cargo-fuzz does.
cargo build --release --locked --quiet --target "$triple" --bins
bin=$CARGO_TARGET_DIR/$triple/release
