# shellcheck shell=bash
# Scenario "clean": a current, hardened Debian 12 web server.
# Appended to scenarios/common.sh; runs inside the host's chroot.
echo "provision: clean: apache2 + PHP, nftables, unattended-upgrades, long log retention, remote syslog"

chmod 0644 /etc/nftables.conf /etc/apt/apt.conf.d/20auto-upgrades /etc/logrotate.conf \
    /etc/logrotate.d/apache2 /etc/logrotate.d/rsyslog /etc/rsyslog.d/90-remote.conf

# --- Web: Apache 2.4 with mod_php from Debian, hardened headers ---
a2enmod -q headers
a2enconf -q security servername
rm -f /var/www/html/index.html
chown root:root /var/www/html/index.php
chmod 0644 /var/www/html/index.php
for ini in /etc/php/*/apache2/php.ini /etc/php/*/cli/php.ini; do
    sed -i -e 's/^expose_php = .*/expose_php = Off/' \
        -e 's/^display_errors = .*/display_errors = Off/' \
        -e 's/^allow_url_fopen = .*/allow_url_fopen = Off/' "$ini"
done

# --- Firewall: only this host's network namespace is affected ---
nft -f /etc/nftables.conf

# --- Logging: rsyslog without the kernel log (the kernel is the lab machine's) ---
sed -i 's/^module(load="imklog")/#&/' /etc/rsyslog.conf

# --- Start the services ---
/usr/sbin/rsyslogd -i /run/rsyslogd.pid
/usr/sbin/cron
/usr/sbin/apache2ctl start          # sources /etc/apache2/envvars itself
echo "provision: clean: done"
