#!/usr/bin/env bash
# The long fuzzing campaign (run by hand, not in CI): each target until it
# has executed RUNS inputs (default 10 million), one target after another,
# on a corpus kept under /var/tmp/shipshape-fuzz/corpus/<target> so that a
# later campaign starts where this one stopped.
#
#   bash fuzz/run-long.sh [RUNS] [TARGET...]      (default: every target)
#
# Prints one line per target: executions, seconds, executions per second,
# coverage and corpus size; the libFuzzer log stays in
# /var/tmp/shipshape-fuzz/logs/<target>.log. A crash stops that target; its
# input is under fuzz/artifacts/<target>/ (keep it in fuzz/regressions/).
set -euo pipefail
cd "$(dirname "$0")"
runs=${1:-10000000}
shift || true
. ./build.sh
state=/var/tmp/shipshape-fuzz
mkdir -p "$state/logs" "$state/corpus"
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
bash seed.sh "$seeds" >/dev/null

if [ $# -gt 0 ]; then targets=("$@"); else
  targets=()
  for f in fuzz_targets/*.rs; do targets+=("$(basename "$f" .rs)"); done
fi
failed=0
for t in "${targets[@]}"; do
  corpus=$state/corpus/$t
  mkdir -p "$corpus" "artifacts/$t"
  cp -n "$seeds/$t"/* "$corpus/" 2>/dev/null || true
  log=$state/logs/$t.log
  start=$(date +%s)
  if "$bin/$t" -runs="$runs" -max_len=4096 -rss_limit_mb=1024 -timeout=30 \
    -artifact_prefix="artifacts/$t/" -print_final_stats=1 "$corpus" >"$log" 2>&1; then
    verdict=ok
  else
    verdict=CRASH
    failed=$((failed + 1))
  fi
  secs=$(( $(date +%s) - start ))
  n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -o 'cov: [0-9]*' || true)
  echo "fuzz-long: $t $verdict, ${n:-?} executions in ${secs}s ($(( ${n:-0} / (secs > 0 ? secs : 1) ))/s), $cov, corpus $(ls "$corpus" | wc -l) files"
done
[ "$failed" -eq 0 ]
