# shellcheck shell=bash
# Scenario "ftp3": a Debian 12 ProFTPD download server for the web agency,
# hardened: TLS required, every account jailed, nobody writes, transfers
# logged, FTP and SSH reachable only from the management network.
# Appended to scenarios/common.sh; runs inside the host's chroot.
echo "provision: ftp3: Debian 12, ProFTPD with TLS required + DefaultRoot, read-only, transfer log, nftables"

chmod 0644 /etc/ssh/sshd_config /etc/nftables.conf /etc/proftpd/conf.d/*.conf

# --- The agency's account: downloads only, a long random password ---
if ! id agency >/dev/null 2>&1; then
    useradd -M -d /srv/ftp/agency -s /bin/bash -c 'web agency downloads (ftp)' agency
fi
agency_pw=$(lab_random_password 32)
lab_set_password agency "$agency_pw"
install -d -m 0700 /run/lab
(umask 077 && printf '%s\n' "$agency_pw" >/run/lab/agency.password)
unset agency_pw
install -d -m 0755 -o root -g root /srv/ftp
install -d -m 0750 -o agency -g agency /srv/ftp/agency /srv/ftp/agency/releases
chown agency:agency /srv/ftp/agency/README
chmod 0640 /srv/ftp/agency/README
for m in 09 10 11; do
    f=/srv/ftp/agency/releases/site-2025-$m.tar.gz
    [ -f "$f" ] || tar -C /srv/ftp/agency -czf "$f" README
    chown agency:agency "$f"
    chmod 0640 "$f"
    touch -d "2025-$m-01 08:00:00" "$f"
done

# --- TLS: mod_tls loaded (Debian ships the line commented out), and a
# self-signed certificate made on every boot ---
sed -i 's/^#[[:space:]]*\(LoadModule mod_tls\.c\)[[:space:]]*$/\1/' /etc/proftpd/modules.conf
grep -q '^LoadModule mod_tls\.c' /etc/proftpd/modules.conf ||
    { echo "provision: ftp3: no mod_tls line in modules.conf" >&2; exit 1; }
(umask 077 && openssl req -x509 -newkey rsa:2048 -sha256 -days 825 -nodes \
    -subj "/CN=$LAB_HOST.$LAB_DOMAIN" -addext "subjectAltName=DNS:$LAB_HOST.$LAB_DOMAIN,IP:$LAB_ADDR" \
    -keyout /etc/ssl/private/proftpd.key -out /etc/ssl/certs/proftpd.pem 2>/dev/null)
chmod 0600 /etc/ssl/private/proftpd.key
chmod 0644 /etc/ssl/certs/proftpd.pem

# --- Logs: the agency's downloads since September 2025 (Debian: root:adm 0640) ---
chown root:adm /var/log/proftpd/xferlog
chmod 0640 /var/log/proftpd/xferlog
touch -d '2025-11-03 09:31:05' /var/log/proftpd/xferlog
sed -i 's/^module(load="imklog")/#&/' /etc/rsyslog.conf

# --- Firewall: only this host's network namespace is affected ---
nft -f /etc/nftables.conf

# --- Start the services ---
/usr/sbin/rsyslogd -i /run/rsyslogd.pid
/usr/sbin/cron
install -d -m 0755 /run/proftpd
proftpd --configtest >/dev/null 2>&1 || { proftpd --configtest >&2; exit 1; }
/usr/sbin/proftpd
echo "provision: ftp3: done"
