#!/usr/bin/env bash
# Builds every fuzz target and runs each briefly on its seed corpus (CI).
#
#   bash fuzz/run-brief.sh [SECONDS_PER_TARGET]     (default 5)
#
# The targets are libFuzzer binaries (libfuzzer-sys) built with plain cargo
# and the coverage flags cargo-fuzz would pass. Without a sanitizer none of
# them needs a nightly compiler, so CI needs neither cargo-fuzz nor nightly.
# The build goes to a target directory under /var/tmp that later runs on
# the same machine reuse. A crash fails the run; its input is kept under
# fuzz/artifacts/<target>/ (move it to fuzz/regressions/<target>/ with the fix).
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-5}
start=$(date +%s)
. ./build.sh
built=$(date +%s)
echo "fuzz: built the targets in $((built - start))s"

# Fresh seeds in a scratch directory: a corpus under fuzz/corpus/ that a
# longer run is growing is left alone.
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
bash seed.sh "$seeds"
failed=()
for f in fuzz_targets/*.rs; do
  t=$(basename "$f" .rs)
  mkdir -p "artifacts/$t"
  work=$seeds/$t
  if "$bin/$t" -max_total_time="$secs" -max_len=4096 -rss_limit_mb=1024 -timeout=30 \
    -artifact_prefix="artifacts/$t/" -print_final_stats=1 "$work" >"$work.log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work.log")
    cov=$(grep -E '^#[0-9]+' "$work.log" | tail -1 | grep -o 'cov: [0-9]*' || true)
    echo "fuzz: $t ok, $runs runs in ${secs}s, $cov"
  else
    echo "fuzz: $t FAILED" >&2
    grep -v '^#' "$work.log" | tail -40 >&2
    failed+=("$t")
  fi
done
echo "fuzz: ${#failed[@]} failed, $(ls fuzz_targets | wc -l) targets, $(($(date +%s) - start))s in all"
[ ${#failed[@]} -eq 0 ]
