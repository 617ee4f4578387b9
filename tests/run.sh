#!/usr/bin/env bash
# Runs shipshape's whole test suite on a Debian 12 machine, as root:
# installs what the tests need with apt-get, builds and starts the lab
# (tests/lab/), runs every test including the lab ones, and stops the lab.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "tests/run.sh needs root (the lab uses namespaces, a bridge and chroot)" >&2
  exit 2
fi

packages=(build-essential pkg-config libssl-dev openssh-client openssh-server sshpass
  debootstrap iproute2 util-linux procps ca-certificates curl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is missing: install Rust (https://rustup.rs) and run again" >&2
  exit 2
fi

# Dependency policy (deny.toml), then every fuzz target briefly (fuzz/).
bash tests/supply-chain.sh
bash fuzz/run-brief.sh

bash tests/lab/lab.sh build
bash tests/lab/lab.sh up
trap 'bash tests/lab/lab.sh down' EXIT

cargo test --all-targets --no-fail-fast -- --include-ignored
