#!/usr/bin/env bash
# Runs shipshape's whole test suite on a Debian 12 machine, as root:
# installs what the tests need with apt-get, builds and starts the lab
# (tests/lab/), runs every test including the lab ones, and stops the lab.
# xmllint (libxml2-utils) and headless chromium judge the report formats.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "tests/run.sh needs root (the lab uses namespaces, a bridge and chroot)" >&2
  exit 2
fi

packages=(build-essential pkg-config libssl-dev openssh-client openssh-server sshpass
  debootstrap iproute2 util-linux procps ca-certificates curl python3 python3-venv
  libxml2-utils chromium git)
# tests/shell.rs: syntax checks of the completions, and the man page rendered
packages+=(zsh fish groff-base man-db)
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

# tests/editor.rs: the README's editor setup, checked with yaml-language-server
# (node and npm come with the Rust image).
yls=target/yaml-language-server
if command -v npm >/dev/null 2>&1 && [ ! -x "$yls/node_modules/.bin/yaml-language-server" ]; then
  npm install --prefix "$yls" --no-audit --no-fund --loglevel=error yaml-language-server@1.25.0 >/dev/null ||
    echo "npm could not install yaml-language-server: tests/editor.rs will fail" >&2
fi
# ansible-core for the dynamic-inventory test (tests/lab_admin.rs), in a
# venv kept between runs; a few seconds when cached.
ansible_venv=/var/tmp/shipshape-ansible
if [ ! -x "$ansible_venv/bin/ansible-inventory" ]; then
  echo "installing ansible-core into $ansible_venv"
  rm -rf "$ansible_venv"
  /usr/bin/python3 -m venv "$ansible_venv"
  "$ansible_venv/bin/pip" install -q --disable-pip-version-check ansible-core
fi
# Dependency policy (deny.toml), then every fuzz target briefly (fuzz/).
bash tests/supply-chain.sh
bash fuzz/run-brief.sh

bash tests/lab/lab.sh build
bash tests/lab/lab.sh up
trap 'bash tests/lab/lab.sh down' EXIT

# tests/install.rs builds a release binary with `cargo install`; its target
# directory is kept here between runs (as the fuzz and lab caches are), so a
# fresh clone recompiles only shipshape itself, not every dependency.
export SHIPSHAPE_INSTALL_TARGET_DIR=${SHIPSHAPE_INSTALL_TARGET_DIR:-/var/tmp/shipshape-install-target}
cargo test --all-targets --no-fail-fast -- --include-ignored
