# shellcheck shell=bash
# First half of every host's provisioning script; the scenario's provision.sh
# is appended to it.  Runs inside the host's chroot (PID namespace of its own)
# with LAB_HOST, LAB_ADDR, LAB_DOMAIN, LAB_NET and LAB_BRIDGE_ADDR set.
set -euo pipefail
: "${LAB_HOST:?}" "${LAB_ADDR:?}" "${LAB_DOMAIN:?}"
echo "provision: $LAB_HOST: common part"

# Password hashing scheme for accounts created here: the host sets it
# in host.conf as CRYPT (RHEL 7 uses SHA-512 crypt, Debian 12 yescrypt).
LAB_CRYPT=${LAB_CRYPT:-YESCRYPT}

lab_set_password() { # USER PASSWORD
    echo "$1:$2" | chpasswd -c "$LAB_CRYPT"
}

# Print a random password of LENGTH letters and digits; fail (stopping the
# provisioning) if fewer come out.
lab_random_password() { # LENGTH
    local pw
    pw=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c "$1" || true)
    [ "${#pw}" -eq "$1" ] || { echo "provision: $LAB_HOST: could not make a password" >&2; return 1; }
    printf '%s\n' "$pw"
}

echo "$LAB_HOST" >/etc/hostname
cat >/etc/hosts <<EOF
127.0.0.1	localhost
$LAB_ADDR	$LAB_HOST.$LAB_DOMAIN $LAB_HOST
::1	localhost ip6-localhost ip6-loopback
EOF

# The auditor's unprivileged account (password-authentication tests).
if ! id auditor >/dev/null 2>&1; then
    useradd -m -s /bin/bash -c 'shipshape lab auditor' auditor
fi
lab_set_password auditor 'Lab-auditor-pw-7'
install -d -m 0700 -o auditor -g auditor /home/auditor/.ssh
install -m 0600 -o auditor -g auditor /root/.ssh/authorized_keys /home/auditor/.ssh/authorized_keys

# Fresh host keys on every boot: ed25519 and RSA only, so that every key the
# server can offer is in the lab's known_hosts.
rm -f /etc/ssh/ssh_host_*
ssh-keygen -q -t ed25519 -N '' -C "root@$LAB_HOST" -f /etc/ssh/ssh_host_ed25519_key
ssh-keygen -q -t rsa -b 3072 -N '' -C "root@$LAB_HOST" -f /etc/ssh/ssh_host_rsa_key
install -d -m 0755 /run/sshd
chmod 0644 /etc/ssh/sshd_config

# Start MariaDB with option file CONF (datadir, socket, pid and log under
# /run/mariadb, a tmpfs of this host's own) and wait until it answers.
lab_start_mariadb() { # CONF
    local conf=$1 i
    install -d -m 0755 -o mysql -g mysql /run/mariadb
    mount -t tmpfs -o mode=0750,size=192m,uid="$(id -u mysql)",gid="$(id -g mysql)" mariadb-data /run/mariadb
    install -d -m 0750 -o mysql -g mysql /run/mariadb/data
    mariadb-install-db --defaults-file="$conf" --user=mysql --skip-test-db \
        --auth-root-authentication-method=socket >/run/mariadb/install.log 2>&1 ||
        { cat /run/mariadb/install.log >&2; return 1; }
    setsid /usr/sbin/mariadbd --defaults-file="$conf" --user=mysql </dev/null >/dev/null 2>&1 &
    for ((i = 0; i < 120; i++)); do
        mariadb --defaults-file="$conf" -u root -e 'SELECT 1' >/dev/null 2>&1 && return 0
        sleep 0.25
    done
    echo "provision: MariaDB did not start:" >&2
    cat /run/mariadb/mariadb.log >&2 || true
    return 1
}

# Install a Debian kernel image package for kernel release RELEASE, version
# VERSION, made here with dpkg-deb. Every lab host runs the lab machine's
# kernel, which no chroot can boot or replace, so the package owns only
# /boot/vmlinuz-RELEASE (a text stand-in); what the kernel check reads, dpkg's
# database and the files it names, is then what a Debian host has.
lab_kernel_package() { # RELEASE VERSION
    local rel=$1 ver=$2 d
    d=$(mktemp -d)
    install -d "$d/pkg/DEBIAN" "$d/pkg/boot"
    printf 'shipshape lab: stand-in for the image of Linux %s\n' "$rel" >"$d/pkg/boot/vmlinuz-$rel"
    cat >"$d/pkg/DEBIAN/control" <<CONTROL
Package: linux-image-$rel
Version: $ver
Architecture: $(dpkg --print-architecture)
Maintainer: shipshape lab <lab@shipshape.invalid>
Section: kernel
Priority: optional
Description: Linux $rel (shipshape lab stand-in)
 Owns /boot/vmlinuz-$rel so that the host looks like a Debian install of it.
CONTROL
    dpkg-deb -Zgzip -b "$d/pkg" "$d/k.deb" >/dev/null
    dpkg -i "$d/k.deb" >/dev/null
    rm -rf "$d"
}

# The running kernel's release and its upstream version (6.18.44-fc-v595 → 6.18.44).
LAB_KERNEL=$(uname -r)
LAB_KERNEL_VERSION=${LAB_KERNEL%%-*}
