#!/usr/bin/env bash
# The long fuzzing campaign (run by hand, not in CI): each target until it
# has executed RUNS inputs (default 10 million), on a corpus kept under
# /var/tmp/shipshape-fuzz/corpus/<target> so that a later campaign starts
# where this one stopped.
#
#   bash fuzz/run-long.sh [-j JOBS] [-f FORKS] [RUNS] [TARGET...]
#                         (default: 1 job, no fork, every target)
#
# With -j, JOBS workers take the targets one at a time from a shared queue
# (one libFuzzer process per core is the most a machine gives). With -f,
# each target runs in libFuzzer's fork mode: FORKS processes on one corpus,
# RUNS executions counted over all of them (for a slow target on a machine
# with cores to spare: -j 1 -f 2 on two cores). The targets
# run from a copy of the binaries, so building again (CI's brief run, say)
# does not disturb a campaign in progress.
#
# Prints one line per target: executions, seconds, executions per second,
# coverage, corpus size and the commit it was built from; the libFuzzer log
# stays in /var/tmp/shipshape-fuzz/logs/<target>.log. A crash stops that
# target; its input is under fuzz/artifacts/<target>/ (keep it in
# fuzz/regressions/ with the fix).
set -euo pipefail
cd "$(dirname "$0")"
jobs=1
fork=()
while [ "${1:-}" = -j ] || [ "${1:-}" = -f ]; do
  case $1 in
  -j) jobs=$2 ;;
  -f) fork=(-fork="$2") ;;
  esac
  shift 2
done
runs=${1:-10000000}
shift || true
. ./build.sh
state=/var/tmp/shipshape-fuzz
mkdir -p "$state/logs" "$state/corpus"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- .. 2>/dev/null || commit="$commit+changes"
bash seed.sh "$work/seeds" >/dev/null
if [ $# -gt 0 ]; then printf '%s\n' "$@" >"$work/queue"; else
  for f in fuzz_targets/*.rs; do basename "$f" .rs; done >"$work/queue"
fi
mkdir "$work/bin"
while read -r t; do cp "$bin/$t" "$work/bin/"; done <"$work/queue"

worker() {
  local t corpus log start verdict secs n cov failed=0
  while :; do
    t=$(flock "$work/queue" sh -c 'head -n 1 "$0"; sed -i 1d "$0"' "$work/queue")
    [ -n "$t" ] || break
    corpus=$state/corpus/$t
    mkdir -p "$corpus" "artifacts/$t"
    cp -n "$work/seeds/$t"/* "$corpus/" 2>/dev/null || true
    log=$state/logs/$t.log
    start=$(date +%s)
    if "$work/bin/$t" "${fork[@]}" -runs="$runs" -max_len=4096 -rss_limit_mb=1024 -timeout=30 \
      -artifact_prefix="artifacts/$t/" -print_final_stats=1 "$corpus" >"$log" 2>&1; then
      verdict=ok
    else
      verdict=CRASH
      failed=1
    fi
    secs=$(( $(date +%s) - start ))
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    # Fork mode prints no final stats: its own count of the children's runs.
    [ -n "$n" ] || n=$(sed -n 's/^INFO: fuzzed for \([0-9]*\) iterations.*/\1/p' "$log" | tail -n 1)
    cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -o 'cov: [0-9]*' || true)
    echo "fuzz-long: $t $verdict, ${n:-?} executions in ${secs}s ($(( ${n:-0} / (secs > 0 ? secs : 1) ))/s), $cov, corpus $(ls "$corpus" | wc -l) files, built from $commit"
  done
  return "$failed"
}

pids=()
for _ in $(seq "$jobs"); do
  worker &
  pids+=("$!")
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=1; done
[ "$failed" -eq 0 ]
