#!/usr/bin/env bash
# shipshape fleet benchmark, one command from a clean clone (Debian 12, root):
#   bash bench/run.sh [--hosts 1,16,64,256] [--quick] [--write-readme] [bench.py options]
# Installs what it needs (apt: OpenSSH, john, time, whois for mkpasswd,
# python3-venv; PyPI in a venv under /var/tmp/shipshape-bench: pytest,
# pytest-testinfra, pytest-xdist, ansible-core), builds shipshape and the
# bench helpers in release mode, starts a loopback sshd fleet, measures,
# prints the results table and (--write-readme) rewrites README.md's.
# See bench/README.md for what is measured and how.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=/var/tmp/shipshape-bench

if [ "$(id -u)" != 0 ]; then
  echo "bench/run.sh needs root (sshd instances, and the go-live probes read root-only files)" >&2
  exit 2
fi

args=()
for a in "$@"; do
  case $a in
    # Small and fast: for trying the script, not for numbers.
    --quick) args+=(--hosts 1,4 --rss-hosts 50 --cap 300 --sha-candidates 1000 --yes-candidates 40) ;;
    *) args+=("$a") ;;
  esac
done

packages=(openssh-server openssh-client john time whois python3 python3-venv findutils build-essential pkg-config libssl-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
mkdir -p "$work"
chmod 700 "$work"
if [ ! -x "$work/venv/bin/ansible-playbook" ] || [ ! -x "$work/venv/bin/pytest" ]; then
  echo "making the peers' venv in $work/venv" >&2
  /usr/bin/python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install -q pytest pytest-testinfra pytest-xdist ansible-core
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is missing: install Rust (https://rustup.rs) and run again" >&2
  exit 2
fi
cargo build -q --release --bin shipshape --example bench-probes --example delay-proxy --example bench-crypt

exec /usr/bin/python3 "$repo/bench/bench.py" --repo "$repo" --workdir "$work" "${args[@]}"
