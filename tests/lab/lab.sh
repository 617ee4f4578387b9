#!/usr/bin/env bash
# shipshape test lab: throwaway hosts in Linux namespaces on a private bridge.
#
#   lab.sh build           build (or reuse) the cached base root filesystems
#   lab.sh up [HOST...]    start hosts (default: all; a running lab is taken down first)
#   lab.sh down            stop everything; leaves no process, mount, netns or link
#   lab.sh status          one line per host; exit 0 only if every host's sshd answers
#
# Must run as root on Debian 12.  See tests/lab/README.md.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
. "$LAB_DIR/lib/common.sh"

UP_TIMEOUT=${LAB_UP_TIMEOUT:-90}      # seconds to wait for every sshd after `up`

require_root() { [ "$(id -u)" -eq 0 ] || die "must run as root"; }

# Install on the machine itself whatever the lab needs and is missing.
ensure_tools() {
    local pair cmd pkg
    local -a need=()
    for pair in debootstrap:debootstrap ip:iproute2 ssh-keygen:openssh-client \
        ssh-keyscan:openssh-client unshare:util-linux setsid:util-linux \
        flock:util-linux findmnt:util-linux mountpoint:util-linux \
        chroot:coreutils sha256sum:coreutils pgrep:procps; do
        cmd=${pair%%:*} pkg=${pair#*:}
        command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
    done
    [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
    [ "${#need[@]}" -eq 0 ] && return 0
    mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
    log "installing on this machine: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1; then
        apt-get update -q >/dev/null
        apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
    fi
}

base_names() {
    local f
    for f in "$LAB_DIR"/bases/*.pkgs; do basename "$f" .pkgs; done
}
base_key() { cat "$LAB_DIR/bases/$1.pkgs" "$LAB_DIR/lib/build-base.sh" | sha256sum | cut -c1-12; }
base_dir() { echo "$BASES/$1-$(base_key "$1")"; }

ensure_keys() {
    install -d -m 0700 "$KEYS"
    [ -f "$KEYS/id_ed25519" ] ||
        ssh-keygen -q -t ed25519 -N '' -C shipshape-lab-auditor -f "$KEYS/id_ed25519"
    [ -f "$KEYS/id_rsa" ] ||
        ssh-keygen -q -t rsa -b 3072 -N '' -C shipshape-lab-auditor -f "$KEYS/id_rsa"
}

cmd_build() {
    require_root
    ensure_tools
    install -d "$STATE" "$BASES" "$DEBCACHE" "$LOGS" "$RUN"
    ensure_keys
    local name dest t0
    exec 8>"$STATE/.build.lock"
    flock 8
    # Leftovers of an interrupted build (we hold the lock: nobody else builds).
    rm -rf --one-file-system "$BASES"/.tmp-*
    for name in $(base_names); do
        dest=$(base_dir "$name")
        if [ -d "$dest" ]; then
            log "base $name: cached ($dest)"
            continue
        fi
        t0=$SECONDS
        log "base $name: building $dest (log: $LOGS/build-$name.log)"
        if ! unshare --mount --propagation private -- \
            bash "$LAB_DIR/lib/build-base.sh" "$name" "$LAB_DIR/bases/$name.pkgs" "$dest" "$DEBCACHE" \
            >"$LOGS/build-$name.log" 2>&1; then
            tail -n 30 "$LOGS/build-$name.log" >&2
            die "base $name: build failed (full log: $LOGS/build-$name.log)"
        fi
        log "base $name: built in $((SECONDS - t0)) s"
    done
    lab_anything_up || prune_bases
    exec 8>&-
}

# Drop superseded bases (call only while no host runs: a host may use one).
prune_bases() {
    local name dest old
    for name in $(base_names); do
        dest=$(base_dir "$name")
        for old in "$BASES/$name"-*; do
            [ -e "$old" ] || continue
            case $old in "$dest" | "$dest.packages") continue ;; esac
            log "removing superseded base $old"
            rm -rf --one-file-system "$old"
        done
    done
}

# ---------------------------------------------------------------- network

# Refuse to start if the lab's /24 is reachable through anything but our bridge.
check_subnet() {
    local line dst dev i
    local -a w
    while read -r line; do
        read -ra w <<<"$line"
        dst=${w[0]}
        case $dst in
        local | broadcast | unicast | unreachable | blackhole | prohibit | throw | anycast | multicast | nat)
            dst=${w[1]} ;;
        esac
        [ "$dst" = default ] && continue
        dev=''
        for ((i = 0; i + 1 < ${#w[@]}; i++)); do
            [ "${w[i]}" = dev ] && dev=${w[i + 1]}
        done
        [ "$dev" = "$BRIDGE" ] && continue
        if prefix_overlaps_lab "$dst"; then
            die "$LAB_NET/$LAB_PREFIX is already routed via ${dev:-a route without device} ($line); refusing to start"
        fi
    done < <(ip -4 -o route show table all)
    while read -r _ dev _ dst _; do
        [ "$dev" = "$BRIDGE" ] && continue
        if prefix_overlaps_lab "$dst"; then
            die "$dst on $dev overlaps $LAB_NET/$LAB_PREFIX; refusing to start"
        fi
    done < <(ip -4 -o addr show)
}

ensure_bridge() {
    ip link show dev "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
    ip addr replace "$BRIDGE_ADDR/$LAB_PREFIX" dev "$BRIDGE"
    ip link set "$BRIDGE" up
}

# True when ADDR is routed through our bridge (never probe an address that
# would leave the machine through another interface).
routed_via_bridge() {
    ip -4 route get "$1" 2>/dev/null | grep -q " dev $BRIDGE "
}

sshd_answers() {
    routed_via_bridge "$1" || return 1
    ssh-keyscan -T 2 -t ed25519 "$1" 2>/dev/null | grep -q ssh-ed25519
}

# ---------------------------------------------------------------- hosts

netns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }

lab_anything_up() {
    ip link show dev "$BRIDGE" >/dev/null 2>&1 && return 0
    ip netns list 2>/dev/null | awk '{print $1}' | grep -q "^$NETNS_PREFIX" && return 0
    compgen -G "$RUN/*.pid" >/dev/null && return 0
    return 1
}

# PID of the host's `unshare` process, if it is alive.
host_pid() {
    local pid
    [ -f "$RUN/$1.pid" ] || return 1
    pid=$(cat "$RUN/$1.pid")
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = unshare ] || return 1
    # a killed but not yet reaped unshare is not running
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
    echo "$pid"
}

check_host_name() {
    [[ $1 =~ ^[a-z][a-z0-9-]{0,11}$ ]] || die "host name '$1' must match [a-z][a-z0-9-]{0,11}"
}

# Close every descriptor above stderr in this (sub)shell.
close_inherited_fds() {
    local fd
    for fd in "/proc/$BASHPID/fd/"*; do
        fd=${fd##*/}
        [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
    done
    return 0
}

host_start() {
    local h=$1 base hd ns=$NETNS_PREFIX$1 veth=$VETH_PREFIX$1 pid child i
    host_conf "$h"
    base=$(base_dir "$BASE")
    [ -d "$base" ] || die "base $BASE is not built ($base)"
    hd="$HOSTS_DIR/$h"
    rm -rf --one-file-system "$hd"
    install -d "$hd/upper" "$hd/work" "$hd/merged"
    : >"$LOGS/$h-sshd.log"
    : >"$LOGS/$h-launcher.log"

    ip netns add "$ns"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    ip link set "$veth" master "$BRIDGE" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$ADDR/$LAB_PREFIX" dev eth0
    ip -n "$ns" link set eth0 up

    # New session so the host survives this shell; ip execs unshare, so $! is
    # unshare's PID.  --kill-child: killing unshare kills the namespace's init,
    # and with it every process of the pid namespace.
    # The host's daemons must not inherit this shell's descriptors: a lock
    # file held open (`flock tests.lock lab.sh up HOST`) would stay locked
    # for as long as the host runs.
    (
        close_inherited_fds
        exec setsid ip netns exec "$ns" \
            unshare --pid --uts --mount --ipc --fork --kill-child --propagation private -- \
            /bin/bash "$LAB_DIR/lib/launcher.sh" "$h" "$base" "$ADDR" \
            </dev/null >>"$LOGS/$h-launcher.log" 2>&1
    ) &
    pid=$!
    echo "$pid" >"$RUN/$h.pid"
    # Remember the pid namespace too, so `down` can find every member.
    for ((i = 0; i < 50; i++)); do
        child=$(pgrep -P "$pid" | head -n 1 || true)
        if [ -n "$child" ] && [ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink "/proc/$child/ns/pid" 2>/dev/null)" ]; then
            readlink "/proc/$child/ns/pid" >"$RUN/$h.pidns"
            break
        fi
        sleep 0.1
    done
}

wait_host() {
    local h=$1 deadline=$((SECONDS + UP_TIMEOUT))
    host_conf "$h"
    until sshd_answers "$ADDR"; do
        host_pid "$h" >/dev/null || return 1
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.5
    done
}

write_known_hosts() {
    local h t type key tmp
    local -a ours=()
    tmp=$(mktemp "$KNOWN_HOSTS.XXXXXX")
    # Keep the lines of hosts this checkout does not define (another
    # checkout's scenarios may run in the shared lab).
    for h in $(all_hosts); do host_conf "$h"; ours+=("$ADDR"); done
    if [ -f "$KNOWN_HOSTS" ]; then
        awk -v ours=" ${ours[*]} " 'index(ours, " " $1 " ") == 0' "$KNOWN_HOSTS" >>"$tmp"
    fi
    for h in $(all_hosts); do
        host_pid "$h" >/dev/null || continue
        host_conf "$h"
        for t in ed25519 rsa; do
            [ -f "$HOSTS_DIR/$h/upper/etc/ssh/ssh_host_${t}_key.pub" ] || continue
            read -r type key _ <"$HOSTS_DIR/$h/upper/etc/ssh/ssh_host_${t}_key.pub"
            echo "$ADDR $type $key" >>"$tmp"
        done
    done
    chmod 0644 "$tmp"
    mv -f "$tmp" "$KNOWN_HOSTS"
}

# Kill every process of pid namespace NSLINK (e.g. "pid:[4026532301]").
kill_pidns() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$1" ] && kill -KILL "${p#/proc/}" 2>/dev/null
    done
    return 0
}

pidns_empty() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$1" ] && return 1
    done
    return 0
}

host_stop() {
    local h=$1 ns=$NETNS_PREFIX$1 pid pidns='' i
    [ -f "$RUN/$h.pidns" ] && pidns=$(cat "$RUN/$h.pidns")
    if pid=$(host_pid "$h"); then
        pkill -KILL -P "$pid" 2>/dev/null || true
        kill -KILL "$pid" 2>/dev/null || true
    fi
    [ -n "$pidns" ] && kill_pidns "$pidns"
    for ((i = 0; i < 100; i++)); do
        local left=''
        if netns_exists "$ns"; then
            left=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
            # shellcheck disable=SC2086
            [ -n "$left" ] && kill -KILL $left 2>/dev/null
        fi
        if [ -n "$pidns" ] && ! pidns_empty "$pidns"; then
            kill_pidns "$pidns"
            left="$left pidns"
        fi
        [ -z "${left// /}" ] && break
        sleep 0.1
    done
    [ "$i" -lt 100 ] || log "warning: processes of $h still alive after 10 s"
    ip link del "$VETH_PREFIX$h" 2>/dev/null || true
    netns_exists "$ns" && ip netns del "$ns"
    rm -f "$RUN/$h.pid" "$RUN/$h.pidns"
}

host_status_line() {
    local h=$1 state pid
    host_conf "$h"
    if pid=$(host_pid "$h") && sshd_answers "$ADDR"; then
        state="up      sshd answers (pid $pid)"
    elif host_pid "$h" >/dev/null; then
        state="DOWN    running but sshd does not answer (see $LOGS/$h-launcher.log)"
    else
        state="DOWN    not running"
    fi
    printf '%-8s %-12s base=%-7s %s\n' "$h" "$ADDR" "$BASE" "$state"
}

cmd_up() {
    require_root
    local h t0=$SECONDS
    local -a hosts=("$@") failed=()
    [ "${#hosts[@]}" -gt 0 ] || mapfile -t hosts < <(all_hosts)
    for h in "${hosts[@]}"; do check_host_name "$h"; host_conf "$h"; done
    cmd_build
    if [ "$#" -eq 0 ]; then
        if lab_anything_up; then
            log "lab is (partly) up: taking it down first"
            cmd_down
        fi
        prune_bases
    else
        for h in "${hosts[@]}"; do host_stop "$h"; done
    fi
    check_subnet
    ensure_bridge
    install -d "$HOSTS_DIR" "$LOGS" "$RUN"
    for h in "${hosts[@]}"; do host_start "$h"; done
    for h in "${hosts[@]}"; do wait_host "$h" || failed+=("$h"); done
    write_known_hosts
    for h in "${hosts[@]}"; do host_status_line "$h"; done
    if [ "${#failed[@]}" -gt 0 ]; then
        for h in "${failed[@]}"; do
            log "--- $h: last lines of $LOGS/$h-launcher.log"
            tail -n 20 "$LOGS/$h-launcher.log" >&2 || true
        done
        die "host(s) not answering: ${failed[*]} (lab left as is; run '$0 down')"
    fi
    log "up in $((SECONDS - t0)) s; known_hosts: $KNOWN_HOSTS"
}

cmd_down() {
    require_root
    local h m
    local -a hosts
    mapfile -t hosts < <({
        all_hosts
        ip netns list 2>/dev/null | awk '{print $1}' | sed -n "s/^$NETNS_PREFIX//p"
        for m in "$RUN"/*.pid; do [ -e "$m" ] && basename "$m" .pid; done
    } | sort -u)
    for h in "${hosts[@]}"; do host_stop "$h"; done
    # stray bridge-side veths
    for m in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | sed -n "s/@.*//; /^$VETH_PREFIX/p"); do
        ip link del "$m" 2>/dev/null || true
    done
    if ip link show dev "$BRIDGE" >/dev/null 2>&1; then ip link del "$BRIDGE"; fi
    # `ip netns add` turned /run/netns into a mount point; drop it once no
    # named netns (ours or anyone's) is left in it.
    if mountpoint -q /run/netns && [ -z "$(ip netns list 2>/dev/null)" ]; then
        umount /run/netns 2>/dev/null || true
    fi
    # Mounts only ever live inside the hosts' mount namespaces; clean up
    # anyway should one have leaked into this namespace.
    findmnt -rn -o TARGET | { grep -F "$STATE/" || true; } | sort -r | while read -r m; do
        umount -l "$m" || true
    done
    log "down"
}

cmd_status() {
    local h rc=0
    for h in $(all_hosts); do
        host_status_line "$h"
        host_conf "$h"
        { host_pid "$h" >/dev/null && sshd_answers "$ADDR"; } || rc=1
    done
    return "$rc"
}

usage() {
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

case ${1:-} in
build) shift; [ "$#" -eq 0 ] || usage; cmd_build ;;
up) shift; cmd_up "$@" ;;
down) shift; [ "$#" -eq 0 ] || usage; cmd_down ;;
status) shift; [ "$#" -eq 0 ] || usage; cmd_status ;;
*) usage ;;
esac
