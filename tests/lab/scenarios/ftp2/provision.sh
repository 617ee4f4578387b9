# shellcheck shell=bash
# Scenario "ftp2": a plain Debian 12 FTP server (base "legacy" = Debian 12 +
# vsftpd, without the RHEL identity of host "legacy").  vsftpd is hardened
# except for two things: anonymous (read-only) logins and no transfer log.
# Appended to scenarios/common.sh; runs inside the host's chroot.
echo "provision: ftp2: Debian 12, vsftpd with TLS + chroot, anonymous read-only, no xferlog (an old one from 2025), a newer kernel not booted, telnet and MariaDB restricted"

chmod 0644 /etc/vsftpd.conf /etc/ssh/sshd_config

# --- Anonymous download area (vsftpd refuses a chroot root the user can write) ---
chown -R root:root /srv/ftp/pub
chmod 0755 /srv/ftp /srv/ftp/pub
chmod 0644 /srv/ftp/pub/README
touch -d '2017-06-01 09:00:00' /srv/ftp/pub/README

# --- Local FTP account: long random password, known only inside this host ---
# Its home is the chroot root, so it belongs to root; the account writes in files/.
if ! id ftpuser >/dev/null 2>&1; then
    useradd -M -d /srv/ftp/ftpuser -s /bin/bash -c 'web agency uploads (ftp)' ftpuser
fi
install -d -m 0755 -o root -g root /srv/ftp/ftpuser
install -d -m 0750 -o ftpuser -g ftpuser /srv/ftp/ftpuser/files
ftp_pw=$(lab_random_password 32)
lab_set_password ftpuser "$ftp_pw"
# For the lab's own tests only: a tmpfs of this host's mount namespace (not in
# the overlay, not in any log), root-only.
install -d -m 0700 /run/lab
(umask 077 && printf '%s\n' "$ftp_pw" >/run/lab/ftpuser.password)
unset ftp_pw

# --- TLS: self-signed certificate made on every boot ---
install -d -m 0755 /etc/ssl/certs
install -d -m 0700 /etc/ssl/private
(umask 077 && openssl req -x509 -newkey rsa:2048 -sha256 -days 825 -nodes \
    -subj "/CN=$LAB_HOST.$LAB_DOMAIN" -addext "subjectAltName=DNS:$LAB_HOST.$LAB_DOMAIN,IP:$LAB_ADDR" \
    -keyout /etc/ssl/private/vsftpd.key -out /etc/ssl/certs/vsftpd.pem 2>/dev/null)
chmod 0600 /etc/ssl/private/vsftpd.key
chmod 0644 /etc/ssl/certs/vsftpd.pem

# --- Accounts an old setup left behind ---
# "guest": an empty password field (anyone can log in with no password where
# PAM allows it); "olduser": a password hashed with MD5-crypt ($1$), a scheme
# that GPUs crack at billions of guesses per second.
id guest >/dev/null 2>&1 || useradd -m -s /bin/bash -c 'guest (old)' guest
usermod -p '' guest
id olduser >/dev/null 2>&1 || useradd -m -s /bin/bash -c 'old maintenance' olduser
old_pw=$(lab_random_password 24)
usermod -p "$(openssl passwd -1 "$old_pw")" olduser
unset old_pw

# --- vsftpd honours tcp_wrappers: FTP only from the management network ---
# The same for telnet, which inetd starts through tcpd.
cat >/etc/hosts.allow <<HOSTS
vsftpd: ${LAB_NET%/*}/255.255.255.0
telnetd: ${LAB_NET%/*}/255.255.255.0
HOSTS
cat >/etc/hosts.deny <<'HOSTS'
vsftpd: ALL
telnetd: ALL
HOSTS

# --- Logging: Debian's rsyslog without the kernel log (the kernel is the lab machine's) ---
sed -i 's/^module(load="imklog")/#&/' /etc/rsyslog.conf
# No transfer log now; /var/log/xferlog.1 is what vsftpd logged in 2025,
# before someone turned xferlog_enable off: agency uploads (CSV, PDF) and
# anonymous downloads, all from the management network.
rm -f /var/log/xferlog /var/log/vsftpd.log
chown root:root /var/log/xferlog.1
chmod 0600 /var/log/xferlog.1
touch -d '2025-05-31 23:59:00' /var/log/xferlog.1

# --- Kernel: an update installed months ago, the host never rebooted into it ---
newer=$(echo "$LAB_KERNEL_VERSION" | awk -F. '{ printf "%d.%d.%d", $1, $2, $3 + 6 }')
case $LAB_KERNEL in
    *-*) newer_release=$newer-${LAB_KERNEL#*-} ;;
    *) newer_release=$newer ;;
esac
lab_kernel_package "$LAB_KERNEL" "$LAB_KERNEL_VERSION-1"
lab_kernel_package "$newer_release" "$newer-1"
# What Debian's kernel postinst (via /etc/kernel/postinst.d) leaves behind.
echo '*** System restart required ***' >/run/reboot-required
echo "linux-image-$newer_release" >/run/reboot-required.pkgs
unset newer newer_release

# --- Start the services ---
install -d -m 0755 /var/run/vsftpd/empty
/usr/sbin/rsyslogd -i /run/rsyslogd.pid
/usr/sbin/cron
/usr/sbin/vsftpd /etc/vsftpd.conf
chmod 0644 /etc/inetd.conf /etc/mysql/mariadb.conf.d/60-lab.cnf
/usr/sbin/inetd
# MariaDB with Debian's bind-address = 127.0.0.1 (the upload statistics of a web agency)
lab_start_mariadb /etc/mysql/my.cnf
echo "provision: ftp2: done"
