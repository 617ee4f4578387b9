#!/usr/bin/env bash
# Supply chain (CI): cargo-deny checks every dependency's licence, bans
# (duplicates are warnings) and source (crates.io only) against deny.toml,
# offline. RustSec advisories are checked when the database can be had;
# it is a git repository on GitHub, which this project's machines cannot
# reach, so otherwise the run says so and why, and does not fail on it.
#
# cargo-deny is built once from crates.io (about 4 CPU-minutes) into
# /var/tmp/shipshape-tools and reused by later runs on the same machine.
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.20.2
root=/var/tmp/shipshape-tools/cargo-deny-$version
deny=$root/bin/cargo-deny
start=$(date +%s)
if [ ! -x "$deny" ]; then
  echo "supply-chain: building cargo-deny $version (once per machine)"
  cargo install cargo-deny --version "$version" --locked --quiet --root "$root"
  echo "supply-chain: cargo-deny built in $(($(date +%s) - start))s"
fi

# cargo-deny reads the metadata of every platform's dependencies, some of
# which a Linux build never downloads: fetch them all (crates.io is
# reachable) so that the check itself can run offline.
cargo fetch --locked --quiet
"$deny" --offline check licenses bans sources

if out=$("$deny" check advisories 2>&1); then
  echo "supply-chain: advisories ok"
else
  if grep -q 'failed to fetch advisory database' <<<"$out"; then
    reason=$(grep -m1 -E 'fatal:|error:' <<<"$out" || true)
    echo "supply-chain: advisories NOT CHECKED: the RustSec database (git, github.com) cannot be fetched here (${reason:-no reason given})"
  else
    echo "$out" >&2
    exit 1
  fi
fi
echo "supply-chain: finished in $(($(date +%s) - start))s"
