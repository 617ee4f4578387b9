# shellcheck shell=bash
# Scenario "clean": a current, hardened Debian 12 web server.
# Appended to scenarios/common.sh; runs inside the host's chroot.
echo "provision: clean: apache2 + PHP, MariaDB on 127.0.0.1, nftables, unattended-upgrades, long log retention, remote syslog"

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

# --- The booking application's database: MariaDB on 127.0.0.1 only ---
# Its credentials are in /var/www/.env, beside the web root, not in it;
# readable by root and www-data only; a long random password made on every
# boot. Member passwords are stored as bcrypt hashes (PHP password_hash).
chmod 0644 /etc/mysql/mariadb.conf.d/60-lab.cnf
lab_start_mariadb /etc/mysql/my.cnf
db_pw=$(lab_random_password 32)
(umask 027 && cat >/var/www/.env <<ENV
APP_ENV=production
DB_CONNECTION=mysql
DB_HOST=127.0.0.1
DB_DATABASE=booking
DB_USERNAME=booking_app
DB_PASSWORD=$db_pw
ENV
)
chown root:www-data /var/www/.env
chmod 0640 /var/www/.env
hash() { php -r 'echo password_hash($argv[1], PASSWORD_BCRYPT), "\n";' "$1"; }
mariadb -u root <<SQL
CREATE DATABASE booking CHARACTER SET utf8mb4;
CREATE USER 'booking_app'@'localhost' IDENTIFIED BY '$db_pw';
CREATE USER 'booking_app'@'127.0.0.1' IDENTIFIED BY '$db_pw';
GRANT SELECT, INSERT, UPDATE, DELETE ON booking.* TO 'booking_app'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE ON booking.* TO 'booking_app'@'127.0.0.1';
USE booking;
CREATE TABLE members (id INT PRIMARY KEY AUTO_INCREMENT, email VARCHAR(128), password_hash VARCHAR(255));
INSERT INTO members (email, password_hash) VALUES
    ('tanaka@example.jp', '$(hash "$(lab_random_password 20)")'),
    ('suzuki@example.jp', '$(hash "$(lab_random_password 20)")');
SQL
unset db_pw

# --- Kernel: the running release, installed from a package, no newer one ---
lab_kernel_package "$LAB_KERNEL" "$LAB_KERNEL_VERSION-1"

# --- Start the services ---
/usr/sbin/rsyslogd -i /run/rsyslogd.pid
/usr/sbin/cron
/usr/sbin/apache2ctl start          # sources /etc/apache2/envvars itself
echo "provision: clean: done"
