#!/usr/bin/env bash
# Supply chain (CI): cargo-deny checks every dependency's licence, bans
# (duplicates are warnings) and source (crates.io only) against deny.toml,
# offline. RustSec advisories are checked when the database can be had;
# it is a git repository on GitHub, which this project's machines cannot
# reach, so otherwise the run says so and why, and does not fail on it.
# Either way a self-test runs the advisories check on a synthetic database
# made here, so the policy's effect on advisories is always checked.
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

# The advisories check itself, on a database made here, so that the policy
# is proved to act even where the real database cannot be fetched: an
# advisory against the semver in Cargo.lock must fail the check (naming it),
# and the same advisory marked patched in that version must let it pass.
# The configuration is deny.toml with only the database's place changed.
selftest_dir=$(mktemp -d)
trap 'rm -rf "$selftest_dir"' EXIT
advisories_selftest() {
  local dir=$selftest_dir cfg dest out
  mkdir -p "$dir/src/crates/semver"
  sed -e "s|^db-path = .*|db-path = \"$dir/dbs\"|" \
    -e 's|^db-urls = .*|db-urls = ["https://advisories.shipshape.invalid/rustsec-db"]|' \
    deny.toml >"$dir/deny.toml"
  cfg=$dir/deny.toml
  grep -q 'shipshape.invalid' "$cfg" || { echo "supply-chain: deny.toml has no db-urls line to replace" >&2; return 1; }
  advisory() { # $1: the versions that are patched
    cat >"$dir/src/crates/semver/RUSTSEC-2099-0001.md" <<ADVISORY
\`\`\`toml
[advisory]
id = "RUSTSEC-2099-0001"
package = "semver"
date = "2099-01-01"
url = "https://advisories.shipshape.invalid/RUSTSEC-2099-0001"
categories = []
keywords = []

[versions]
patched = ["$1"]
\`\`\`

# Synthetic advisory of shipshape's supply-chain self-test

Not a real advisory.
ADVISORY
  }
  advisory ">= 99.0.0"
  git -C "$dir/src" init -q
  git -C "$dir/src" add -A
  git -C "$dir/src" -c user.name=selftest -c user.email=selftest@shipshape.invalid commit -q -m db
  # cargo-deny keeps each database in a directory named after its URL; the
  # first (offline) run names it in its complaint that it is missing.
  out=$("$deny" --offline --config "$cfg" check advisories 2>&1) || true
  dest=$(grep -o "cannot change to '[^']*'" <<<"$out" | head -n 1 | sed "s/^cannot change to '//; s/'\$//")
  if [ -z "$dest" ] || [ "${dest#"$dir"/dbs/}" = "$dest" ]; then
    echo "supply-chain: advisories self-test: cargo-deny did not say where it keeps the database:" >&2
    echo "$out" >&2
    return 1
  fi
  git clone -q "$dir/src" "$dest"
  if out=$("$deny" --offline --config "$cfg" check advisories 2>&1); then
    echo "supply-chain: advisories self-test: an advisory against semver did not fail the check" >&2
    echo "$out" >&2
    return 1
  fi
  grep -q 'RUSTSEC-2099-0001' <<<"$out" || { echo "$out" >&2; return 1; }
  advisory ">= 1.0.0"
  cp "$dir/src/crates/semver/RUSTSEC-2099-0001.md" "$dest/crates/semver/"
  git -C "$dest" -c user.name=selftest -c user.email=selftest@shipshape.invalid commit -q -a -m patched
  if ! out=$("$deny" --offline --config "$cfg" check advisories 2>&1); then
    echo "supply-chain: advisories self-test: the check failed with the advisory patched in the locked version" >&2
    echo "$out" >&2
    return 1
  fi
  echo "supply-chain: advisories self-test ok (a synthetic advisory against semver fails the check; patched, it passes)"
}
advisories_selftest

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
