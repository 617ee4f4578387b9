#!/usr/bin/env bash
# Boots one lab host.  lab.sh runs it as PID 1 of fresh pid, uts, mount and ipc
# namespaces inside the host's network namespace:
#
#   ip netns exec ss-HOST unshare --pid --uts --mount --ipc --fork ... launcher.sh HOST BASE ADDR
#
# Every mount below is made in this private mount namespace only and goes away
# with it.  The script provisions the scenario inside the chroot, starts its
# services and finally becomes the host's sshd (still PID 1), whose stderr is
# a log file outside the root filesystem.
set -euo pipefail

# Close every descriptor but stdin/out/err before anything is started: the
# host's daemons live on, and must not keep a caller's open files, such as a
# `flock` on the lab's test lock (which would then never be released).
for fd in /proc/self/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
done

name=$1 base=$2 addr=$3
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$LAB_DIR/lib/common.sh"

hd="$HOSTS_DIR/$name"
root="$hd/merged"
scen="$LAB_DIR/scenarios/$name"
host_conf "$name"
echo "launcher: $name ($addr) starting as pid $$ at $(date -u +%FT%TZ)"
[ "$$" -eq 1 ] || die "launcher must be PID 1 of its own pid namespace"

mount --make-rprivate /
mount -t overlay "shipshape-$name" \
    -o "lowerdir=$base,upperdir=$hd/upper,workdir=$hd/work" "$root"
hostname "$name"

mount -t proc -o nosuid,nodev,noexec proc "$root/proc"

# minimal /dev
mount -t tmpfs -o mode=0755,nosuid,size=1024k dev "$root/dev"
for spec in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    IFS=: read -r node major minor <<<"$spec"
    mknod -m 0666 "$root/dev/$node" c "$major" "$minor"
done
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mkdir -m 0755 "$root/dev/pts"
mkdir -m 1777 "$root/dev/shm"
# A private devpts lets `ssh -t` work; the lab does not depend on it.
if mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$root/dev/pts" 2>/dev/null; then
    ln -s pts/ptmx "$root/dev/ptmx"
fi

mount -t tmpfs -o mode=0755,nosuid,nodev,size=16m run "$root/run"
install -d -m 1777 "$root/run/lock"

# Scenario files over the base (owners and modes are fixed by the scenario).
if [ -d "$scen/rootfs" ]; then
    cp -a --no-preserve=ownership "$scen/rootfs/." "$root/"
fi

# Auditor public keys for root (and for the unprivileged auditor account).
install -d -m 0700 "$root/root/.ssh"
cat "$KEYS/id_ed25519.pub" "$KEYS/id_rsa.pub" >"$root/root/.ssh/authorized_keys"
chmod 0600 "$root/root/.ssh/authorized_keys"

# Provision inside the chroot.  The script is a file (not stdin), so daemons
# started by it cannot swallow the rest of it.
cat "$LAB_DIR/scenarios/common.sh" "$scen/provision.sh" >"$root/run/.lab-provision"
chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LC_ALL=C.UTF-8 LAB_HOST="$name" LAB_ADDR="$addr" \
    LAB_CRYPT="${CRYPT:-YESCRYPT}" LAB_DOMAIN=seaways.example.jp LAB_NET="$LAB_NET/$LAB_PREFIX" LAB_BRIDGE_ADDR="$BRIDGE_ADDR" \
    /bin/bash /run/.lab-provision </dev/null
rm -f "$root/run/.lab-provision"

chroot "$root" /usr/sbin/sshd -t

# sshd's debug log.  With plain -e, the session process logs the last steps
# before running a command (PAM setcred, setuid) to its stderr, which by then
# is the SSH channel: every command's stderr would start with debug1 lines.
# -E keeps those in the log file too; the file lives outside the root
# filesystem and is bind-mounted (in this mount namespace only) where sshd,
# chrooted, can open it.
sshd_log_inside=/run/sshd-debug.log
touch "$LOGS/$name-sshd.log" "$root$sshd_log_inside"
mount --bind "$LOGS/$name-sshd.log" "$root$sshd_log_inside"
echo "launcher: $name provisioned; exec sshd (log: $LOGS/$name-sshd.log)"
exec chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LC_ALL=C.UTF-8 /usr/sbin/sshd -D -e -E "$sshd_log_inside" -o LogLevel=DEBUG1 \
    2>>"$LOGS/$name-sshd.log"
