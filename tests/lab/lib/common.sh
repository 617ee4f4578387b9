# shellcheck shell=bash disable=SC2034
# Shared constants and helpers of the shipshape lab (sourced by lab.sh).

STATE=/var/tmp/shipshape-lab          # everything the lab makes on the machine
BASES="$STATE/bases"                  # cached read-only base rootfs trees
HOSTS_DIR="$STATE/hosts"              # per-host overlay upper/work/merged
LOGS="$STATE/logs"                    # launcher and sshd logs (outside every rootfs)
RUN="$STATE/run"                      # pid files
KEYS="$STATE/keys"                    # auditor key pairs
KNOWN_HOSTS="$STATE/known_hosts"
DEBCACHE="$STATE/debcache"            # downloaded .deb files, shared by builds

BRIDGE=ssbr0
BRIDGE_ADDR=10.203.0.1
LAB_NET=10.203.0.0
LAB_PREFIX=24
NETNS_PREFIX=ss-                      # ip netns name: ss-<host>
VETH_PREFIX=sv-                       # bridge side of a host's veth: sv-<host>

log() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

# All host names (one directory per host under scenarios/, with host.conf).
all_hosts() {
    local f
    for f in "$LAB_DIR"/scenarios/*/host.conf; do
        [ -e "$f" ] || continue
        basename "$(dirname "$f")"
    done
}

# host_conf HOST -> sets ADDR, BASE (and optional CRYPT) from scenarios/HOST/host.conf
host_conf() {
    local f="$LAB_DIR/scenarios/$1/host.conf"
    [ -f "$f" ] || die "unknown host '$1' (known: $(all_hosts | tr '\n' ' '))"
    ADDR='' BASE='' CRYPT=''
    # shellcheck source=/dev/null
    . "$f"
    if [ -z "$ADDR" ] || [ -z "$BASE" ]; then die "$f must set ADDR and BASE"; fi
}

ip2int() {
    local a b c d
    IFS=. read -r a b c d <<<"$1"
    echo $(((a << 24) | (b << 16) | (c << 8) | d))
}

# prefix_overlaps_lab NET/LEN -> true when it shares an address with the lab net
prefix_overlaps_lab() {
    local net=${1%/*} len=32 min mask
    [[ $1 == */* ]] && len=${1#*/}
    min=$((len < LAB_PREFIX ? len : LAB_PREFIX))
    [ "$min" -eq 0 ] && return 1          # a default route is not "routed elsewhere"
    mask=$(((0xffffffff << (32 - min)) & 0xffffffff))
    [ $(($(ip2int "$net") & mask)) -eq $(($(ip2int "$LAB_NET") & mask)) ]
}
