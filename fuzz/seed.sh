#!/usr/bin/env bash
# Fills DIR/<target>/ (default fuzz/corpus/) with seeds taken from the
# repository's own inputs: checks and profiles, tests/fixtures and the lab's
# config files. Idempotent; fuzz/corpus/ is not committed (.gitignore).
#
#   bash fuzz/seed.sh [DIR]
set -euo pipefail
c=$(realpath -m "${1:-$(dirname "$0")/corpus}")
cd "$(dirname "$0")/.."
fx=tests/fixtures
ip=$fx/ip-restriction
lab=tests/lab/scenarios

seed() { # seed TARGET NAME < content
  mkdir -p "$c/$1"
  cat >"$c/$1/$2"
}
copy() { # copy TARGET FILE...
  local t=$1
  shift
  mkdir -p "$c/$t"
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$c/$t/$(echo "$f" | tr / _)"; done
  return 0
}
block() { # block KIND ARG FILE: one block of the ip-restriction dump format
  printf '@%s %s\n' "$1" "$2"
  sed 's/^/|/' "$3"
}

copy check_file checks/*.yml checks/data/eol.yml
copy profile profiles/*.yml $fx/profiles/*.yml
copy inventory tests/lab/inventory.yml
printf 'defaults: {user: root, port: 22}\nvars: {domain: example.co.jp}\nhosts:\n  web1: {address: 192.0.2.10, port: 2222, vars: {domain: example.com}}\n' |
  seed inventory readme.yml

printf 'junk\n\nB7 BEGIN a\nhello\nB7 END a 0 5\n\nB7 BEGIN b\n\xff\xfe\nB7 END b 124 2\n\nB7 BEGIN c\nx\nB7 END c noroot 0\n\nB7 DONE\n' |
  seed frames framed.bin
printf '\nB7 BEGIN a\nB7 END b 0 0\n\nB7 BEGIN c\ncut' | seed frames cut.bin

copy sshd_config $ip/sshd_config-restricted $lab/*/rootfs/etc/ssh/sshd_config
{ block file /etc/ssh/sshd_config $ip/sshd_config-restricted
  block sshd-T /etc/ssh/sshd_config $ip/sshd-T-restricted.txt
  echo '@libwrap /usr/sbin/sshd yes'; } | seed sshd_config dump-restricted
{ printf '@file /etc/ssh/sshd_config\n|Include /etc/ssh/sshd_config.d/*.conf\n|Match Address 10.0.0.0/8,!10.1.0.0/16\n|  AllowUsers admin@192.0.2.*\n'
  printf '@file /etc/ssh/sshd_config.d/a.conf\n|ListenAddress [::1]:22\n|DenyUsers *@203.0.113.0/24\n@unreadable /etc/ssh/sshd_config.d/b.conf\n'; } |
  seed sshd_config dump-include

copy vsftpd_conf $fx/ftp/*vsftpd.conf* $lab/*/rootfs/etc/vsftpd.conf $lab/*/rootfs/etc/vsftpd/vsftpd.conf
{ echo '== /etc/vsftpd.conf'; cat $fx/ftp/legacy-vsftpd.conf.txt; echo 'webroot www-data 755 /var/www/html'; } |
  seed vsftpd_conf probe-format

copy httpd_conf $ip/apache2.conf $lab/legacy/rootfs/usr/local/apache2/conf/httpd.conf
{ block file /etc/apache2/apache2.conf $ip/apache2.conf
  block file /etc/apache2/ports.conf $ip/apache-ports.conf
  block file /etc/apache2/mods-enabled/status.conf $ip/apache-status.conf
  block file /etc/apache2/conf-enabled/phpmyadmin.conf $ip/apache-phpmyadmin.conf
  echo '@admin-dir /var/www/html/adminer'; } | seed httpd_conf dump-debian
{ block file /usr/local/apache2/conf/httpd.conf $lab/legacy/rootfs/usr/local/apache2/conf/httpd.conf; } |
  seed httpd_conf dump-legacy

for n in clean complex ipfamily iptables-nft; do
  { cat $ip/nft-$n.json; printf '\0'; cat $ip/nft-$n.txt; } | seed nft_ruleset "nft-$n"
done
copy nft_ruleset $ip/ruleset-*.nft $lab/clean/rootfs/etc/nftables.conf
copy iptables_ruleset $ip/iptables-save-*.txt $ip/*.rules

fw=$ip/firewalld
{ block file /etc/firewalld/firewalld.conf $fw/firewalld.conf
  block file /etc/firewalld/zones/public.xml $fw/etc-public-restricted.xml
  block file /etc/firewalld/zones/internal.xml $fw/etc-internal-mgmt.xml
  block file /usr/lib/firewalld/zones/public.xml $fw/usr-lib-public.xml
  block file /usr/lib/firewalld/zones/internal.xml $fw/usr-lib-internal.xml; } | seed firewalld zones
copy firewalld $fw/*.xml

printf 'crontab nobody /var/spool/cron/crontabs/nobody: * * * * * /usr/local/share/man/.cache/.x/upd >/dev/null 2>&1\ncrontab root /var/spool/cron/crontabs/root: 0 3 * * * mysqldump -u root -pSecret1 db > /b.sql\ncrontab www-data /etc/crontab: @reboot curl -u ftp:pass ftp://x/\n' |
  seed crontab ioc-lines
printf '# m h dom mon dow command\n*/5 * * * * sshpass -p Hunter2 ssh backup@10.0.0.1 true\n0 1 * * * mysql --password=abc\n' |
  seed crontab crontab-file

copy passwd_shadow $fx/password/* $fx/ftp/legacy-passwd.txt
copy os_release $fx/os-release/* $lab/legacy/rootfs/etc/redhat-release
printf 'redhat_release=CentOS release 6.10 (Final)\nextended=yes\n' | seed os_release redhat-release

printf '1:9.2p1-2+deb12u3\n9.2p1-2\n1:9.2p1-2~bpo1' | seed version_order dpkg
printf '2.4.6-97.el7_9\n0:2.4.6-99.el7\n2.4.6-97.el7' | seed version_order rpm
printf 'Apache/2.2.21 (Unix)\nOpenSSH_9.2p1 Debian-2+deb12u3\nPHP 5.3.29-nmm1' | seed version_order upstream

copy php_ini $fx/php/*.txt $lab/legacy/rootfs/usr/local/php/lib/php.ini
printf '@config /etc/php.ini\n@file /etc/php.ini\n|[Session]\n|session.save_path = "tcp://127.0.0.1:6379?auth=x&weight=1"\n|x = "a\\"b" ${E} \x27c\x27 ; d\n|[PATH=/srv]\n|mysqli.default_pw = ${P}\n@unreadable /etc/php.d/b.ini\n' |
  seed php_ini syntax
printf '@config /etc/php.ini
@file /etc/php.ini
|engine = On
@directives /etc/apache2/sites-enabled/a.conf
|
| php_admin_value mysql.default_password "a \\"b"
|PHP_VALUE odbc.default_pw ${P}
@user-ini /var/www/.user.ini
|mysqli.default_pw = x
' |
  seed php_ini per-directory

copy probe_outputs $fx/logs/* $fx/ioc/* $fx/software/* $fx/credentials/* $ip/listeners-mixed.txt \
  $ip/mariadb-50-server.cnf $lab/legacy/rootfs/usr/local/php/lib/php.ini
printf 'sshd: 10.203.0.0/255.255.255.0, [2001:db8::]/32 EXCEPT 10.203.0.9\nALL: LOCAL\nvsftpd: .example.com\nALL: ALL\n' |
  seed probe_outputs hosts-allow-deny

{ echo '%% net.listeners'; cat $ip/listeners-mixed.txt
  echo '%% access.sshd'; block file /etc/ssh/sshd_config $ip/sshd_config-restricted
  echo '%% access.iptables'; cat $ip/iptables-save-drop-policy.txt
  echo '%% os.release'; cat $fx/os-release/rhel-7.2.txt
  echo '%% software.instances'; cat $fx/software/legacy-instances.txt
  echo '%% system.passwd'; cat $fx/password/rhel7-passwd
  echo '%% password.shadow'; cat $fx/password/rhel7-shadow
  echo '%% ftp.vsftpd.conf'; echo '== /etc/vsftpd/vsftpd.conf'; cat $fx/ftp/legacy-vsftpd.conf.txt
  echo '%% creds.files'; cat $fx/credentials/legacy-files.txt
  echo '%% php.ini'; cat $fx/php/legacy.txt
  echo '%% logs.rotation'; cat $fx/logs/rhel7-logrotate.txt
  echo '%% ioc.xferlog'; cat $fx/ioc/legacy-xferlog.txt; } | seed analyzers legacy
