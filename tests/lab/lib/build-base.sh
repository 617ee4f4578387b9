#!/usr/bin/env bash
# Build one base root filesystem for the shipshape lab.
#
#   build-base.sh NAME PKGFILE DEST DEBCACHE
#
# lab.sh runs this inside a private mount namespace (unshare --mount), so the
# /proc mounted below disappears with the process however it ends.  The tree
# is built in a temporary sibling of DEST and renamed onto DEST only when it is
# complete: an interrupted build never leaves a half-built cache behind.
# The cache key of a base is the hash of PKGFILE and of this file.
set -euo pipefail

name=$1 pkgfile=$2 dest=$3 debcache=$4
mirror=${LAB_MIRROR:-http://deb.debian.org/debian}
security=${LAB_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
suite=bookworm
tmp="$(dirname "$dest")/.tmp-$(basename "$dest")-$$"

cleanup() {
    if mountpoint -q "$tmp/proc" 2>/dev/null; then umount -l "$tmp/proc"; fi
    if [ -d "$tmp" ]; then rm -rf --one-file-system "$tmp"; fi
}
trap cleanup EXIT

mapfile -t pkgs < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$pkgfile" | grep -v '^$')
[ "${#pkgs[@]}" -gt 0 ] || { echo "build-base: $pkgfile lists no package" >&2; exit 1; }

in_root() {
    chroot "$tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

echo "build-base: $name: debootstrap $suite (minbase) from $mirror"
mkdir -p "$debcache"
debootstrap --variant=minbase --cache-dir="$debcache" "$suite" "$tmp" "$mirror"

# Nothing may start while packages are installed (and later in the lab the
# scenario starts each service itself).
printf '#!/bin/sh\n# shipshape lab: package scripts never start services here\nexit 101\n' \
    >"$tmp/usr/sbin/policy-rc.d"
chmod 0755 "$tmp/usr/sbin/policy-rc.d"

cat >"$tmp/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
EOF
cp /etc/resolv.conf "$tmp/etc/resolv.conf"
mount -t proc proc "$tmp/proc"

# Reuse the .deb files of earlier builds (debootstrap keeps its own in $debcache).
find "$debcache" -maxdepth 1 -name '*.deb' -exec cp -n -t "$tmp/var/cache/apt/archives/" {} +

echo "build-base: $name: apt-get install ${pkgs[*]}"
in_root apt-get -q update
in_root apt-get -q -y -o Dpkg::Options::=--force-confold upgrade
in_root apt-get -q -y -o Dpkg::Options::=--force-confold --no-install-recommends install "${pkgs[@]}"

find "$tmp/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -n -t "$debcache/" {} +
in_root apt-get clean
umount "$tmp/proc"

# Host keys are made per host on every `up`; a base carries none.
rm -f "$tmp"/etc/ssh/ssh_host_*
# The lab hosts have no route out and no resolver.
printf '# shipshape lab: no DNS inside the lab\n' >"$tmp/etc/resolv.conf"
# shellcheck disable=SC2016  # dpkg-query's own format
in_root dpkg-query -W -f '${Package} ${Version}\n' >"$dest.packages.tmp"

mv -T "$tmp" "$dest"
mv -f "$dest.packages.tmp" "$dest.packages"
echo "build-base: $name: done -> $dest"
