#!/usr/bin/env bash
# Checks that the lab is what tests/lab/README.md says it is.
#
#   selftest.sh          lab must be up: checks every host (about 45 s)
#   selftest.sh --slow   also waits for cron to restart the killed "miner" (+ up to 75 s)
#   selftest.sh down     lab must be down: checks nothing is left behind
#
# Ends with "N passed, M failed"; exit 0 only if nothing failed.
# Remote commands are single-quoted on purpose: they expand on the lab host.
# shellcheck disable=SC2016
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
. "$LAB_DIR/lib/common.sh"

pass=0 fail=0
ok() { pass=$((pass + 1)); printf 'ok    %s\n' "$1"; }
bad() { fail=$((fail + 1)); printf 'FAIL  %s\n' "$1"; [ -z "${2:-}" ] || printf '      %s\n' "$2"; }
# check NAME CMD... : passes when CMD succeeds
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"; fi
}
finish() {
    echo "selftest: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}

SSH_OPTS=(-o UserKnownHostsFile="$KNOWN_HOSTS" -o StrictHostKeyChecking=yes -o BatchMode=yes
    -o ConnectTimeout=5 -o LogLevel=ERROR)
on() { # on ADDR CMD  (as root, ed25519 key)
    local addr=$1
    shift
    ssh "${SSH_OPTS[@]}" -i "$KEYS/id_ed25519" "root@$addr" "$@"
}

if [ "${1:-}" = down ]; then
    check "no bridge $BRIDGE" bash -c "! ip link show dev $BRIDGE"
    check "no veth ${VETH_PREFIX}*" bash -c "! ip -o link show | grep -q ' $VETH_PREFIX'"
    check "no netns ${NETNS_PREFIX}*" bash -c "! ip netns list | grep -q '^$NETNS_PREFIX'"
    check "no mount under $STATE" bash -c "! findmnt -rn -o TARGET,SOURCE | grep -q shipshape"
    check "no netns mount" bash -c "! findmnt -rn -o TARGET | grep -q '^/run/netns/$NETNS_PREFIX'"
    # shellcheck disable=SC2317  # called through check
    not() { ! "$@"; }
    check "no lab process" not pgrep -af 'launcher\.sh|sshd -D -e -E /run/sshd-debug|stratum\+tcp|vsftpd /etc/vsftpd|unshare --pid --uts|mariadbd --defaults-file=/etc/(my|mysql/my)\.cnf|lab-listener\.pl'
    check "no pid file" bash -c "! compgen -G '$RUN/*.pid'"
    finish
    exit
fi

slow=0
[ "${1:-}" = --slow ] && slow=1
for tool in sshpass:sshpass curl:curl openssl:openssl; do
    command -v "${tool%%:*}" >/dev/null || {
        apt-get install -y -q "${tool#*:}" >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null && apt-get install -y -q "${tool#*:}" >/dev/null; }
    }
done

L=10.203.0.11 C=10.203.0.12 F=10.203.0.13

check "lab.sh status exits 0" bash "$LAB_DIR/lab.sh" status
check "known_hosts has ed25519 and RSA keys of every host" bash -c "for a in $L $C $F; do for t in ssh-ed25519 ssh-rsa; do grep -q \"^\$a \$t \" $KNOWN_HOSTS || exit 1; done; done"
for addr in $L $C $F; do
    for key in id_ed25519 id_rsa; do
        check "$addr: root login, $key, strict known_hosts" \
            ssh "${SSH_OPTS[@]}" -i "$KEYS/$key" "root@$addr" true
    done
    check "$addr: auditor password login" sshpass -p Lab-auditor-pw-7 ssh "${SSH_OPTS[@]/BatchMode=yes/BatchMode=no}" \
        -o PubkeyAuthentication=no -o PreferredAuthentications=password "auditor@$addr" 'test "$(id -un)" = auditor'
    check "$addr: wrong auditor password refused" bash -c "! sshpass -p wrong ssh ${SSH_OPTS[*]/BatchMode=yes/BatchMode=no} \
        -o PubkeyAuthentication=no -o PreferredAuthentications=password auditor@$addr true"
    check "$addr: command stderr carries no sshd debug lines" \
        bash -c "[ -z \"\$(ssh ${SSH_OPTS[*]} -i $KEYS/id_ed25519 root@$addr true 2>&1)\" ]"
done

# sshd DEBUG1 log: one exec request per command
for h in legacy clean ftp2; do
    host_conf "$h"
    log_file="$LOGS/$h-sshd.log"
    before=$(grep -c 'session_input_channel_req: session 0 req exec' "$log_file" || true)
    on "$ADDR" true
    on "$ADDR" true
    sleep 0.5
    after=$(grep -c 'session_input_channel_req: session 0 req exec' "$log_file" || true)
    check "$h: sshd log counts exec requests (+2 for 2 commands)" test "$((after - before))" -eq 2
done

# ---- legacy
check "legacy: redhat-release" bash -c "[ \"\$(ssh ${SSH_OPTS[*]} -i $KEYS/id_ed25519 root@$L cat /etc/redhat-release)\" = 'Red Hat Enterprise Linux Server release 7.2 (Maipo)' ]"
check "legacy: os-release ID=rhel VERSION_ID=7.2" on $L '. /etc/os-release && [ "$ID" = rhel ] && [ "$VERSION_ID" = 7.2 ] && [ ! -e /etc/debian_version ]'
check "legacy: httpd -v is Apache/2.2.21 (Unix)" on $L '/usr/local/apache2/bin/httpd -v | grep -qx "Server version: Apache/2.2.21 (Unix)"'
check "legacy: httpd.conf DocumentRoot/User/Listen" on $L 'c=/usr/local/apache2/conf/httpd.conf; grep -qx "DocumentRoot \"/usr/local/apache2/htdocs\"" $c && grep -qx "User nobody" $c && grep -qx "Listen 80" $c'
check "legacy: php -v is PHP 5.3.29 (cli)" on $L '/usr/local/php/bin/php -v | head -n 1 | grep -q "^PHP 5.3.29 (cli) (built: " && test -f /usr/local/php/lib/php.ini'
check "legacy: vsftpd listens on 0.0.0.0:21, sshd on :22" on $L 'ss -ltnH | grep -q "0.0.0.0:21 " && ss -ltnH | grep -q ":22 "'
check "legacy: vsftpd.conf local+write, no chroot, no TLS, xferlog" on $L 'c=/etc/vsftpd/vsftpd.conf; for k in local_enable=YES write_enable=YES chroot_local_user=NO ssl_enable=NO xferlog_enable=YES; do grep -qx "$k" $c || exit 1; done; [ "$(readlink -f /etc/vsftpd.conf)" = $c ]'
check "legacy: FTP login seaways/Seaways2017 (real vsftpd)" curl -fsS --max-time 10 --list-only "ftp://seaways:Seaways2017@$L/"
check "legacy: FTP login with a wrong password refused" bash -c "! curl -fsS --max-time 10 --list-only ftp://seaways:wrong@$L/"
check "legacy: seaways password hash is SHA-512 crypt" on $L '[ "$(getent shadow seaways | cut -d: -f2 | cut -c1-3)" = "\$6\$" ]'
check "legacy: crontabs for nobody (Debian and RHEL paths)" on $L 'for f in /var/spool/cron/crontabs/nobody /var/spool/cron/nobody; do grep -qx "\* \* \* \* \* /usr/local/share/man/.cache/.x/upd >/dev/null 2>&1" $f && [ "$(stat -c %U:%a $f)" = nobody:600 ] || exit 1; done'
check "legacy: world-writable .cache with hidden kit" on $L '[ "$(stat -c %a /usr/local/share/man/.cache)" = 777 ] && for f in p upd a f g m r s; do [ -x /usr/local/share/man/.cache/.x/$f ] || exit 1; done'
check "legacy: miner runs as nobody from the kit, stratum in cmdline" on $L 'for p in $(pgrep -f "stratum\+tcp://pool.example.invalid:3333"); do [ "$(stat -c %U /proc/$p)" = nobody ] && [ "$(readlink /proc/$p/exe)" = /usr/local/share/man/.cache/.x/p ] && exit 0; done; exit 1'
check "legacy: web root files, config.php 0644 with DB_PASSWORD" on $L 'cd /usr/local/apache2/htdocs && ls index.php config.php wp-cron.php wp-session.php cron.php >/dev/null && [ "$(stat -c %a config.php)" = 644 ] && grep -qF "define('"'"'DB_PASSWORD'"'"', '"'"'Seaways2017db'"'"');" config.php'
check "legacy: wp-cron.php has eval(base64_decode(" on $L 'grep -qF "eval(base64_decode(" /usr/local/apache2/htdocs/wp-cron.php'
check "legacy: xferlog uploads of php files from 2 addresses in 203.0.113.0/24" on $L '[ "$(awk '"'"'$12=="i" && $9 ~ /\.php$/ && $7 ~ /^203\.0\.113\./ {print $7}'"'"' /var/log/xferlog | sort -u | wc -l)" -eq 2 ]'
check "legacy: logrotate keeps 4 weeks" on $L 'grep -qx "rotate 4" /etc/logrotate.conf && ! grep -rqE "^\s*rotate\s+([5-9]|[1-9][0-9]+)" /etc/logrotate.conf /etc/logrotate.d'
check "legacy: no remote syslog" on $L '! grep -rqE "^[^#]*@" /etc/rsyslog.conf /etc/rsyslog.d'
legacy_status_page() {
    on $L 'ss -ltnpH | grep -q "0.0.0.0:80 .*\"httpd\""' &&
        curl -fsS --max-time 5 "http://$L/server-status" | grep -q 'Apache Server Status'
}
check "legacy: :80 is the httpd stand-in; /server-status answers the bridge" legacy_status_page
check "legacy: httpd.conf opens /server-status to all (Order allow,deny; Allow from all)" on $L 'sed -n "/<Location \/server-status>/,/<\/Location>/p" /usr/local/apache2/conf/httpd.conf | grep -qx "    Allow from all"'
check "legacy: web root bulk dated Nov 2016, the planted scripts Dec 2017" on $L 'cd /usr/local/apache2/htdocs && [ "$(find . -type f ! -newermt 2016-12-01 | wc -l)" -ge 10 ] && for f in wp-cron.php wp-session.php cron.php; do [ "$(stat -c %Y $f)" -gt "$(date -d 2017-12-01 +%s)" ] || exit 1; done'
check "legacy: telnet on 0.0.0.0:23 from inetd without tcpd" on $L 'ss -ltnpH | grep -q "0.0.0.0:23 .*inetd" && grep -qE "^telnet[[:space:]].*[[:space:]]/usr/sbin/telnetd[[:space:]]" /etc/inetd.conf && ! grep -v "^#" /etc/inetd.conf | grep -q tcpd'
check "legacy: telnetd answers the bridge (telnet negotiation bytes)" bash -c "timeout 3 bash -c 'exec 3<>/dev/tcp/$L/23; head -c 3 <&3' | od -An -tx1 | grep -q '^ ff'"
check "legacy: MariaDB on 0.0.0.0:3306 (no bind-address in /etc/my.cnf), no /etc/mysql" on $L 'ss -ltnpH | grep -q "0.0.0.0:3306 .*mariadbd" && ! grep -q "^bind-address" /etc/my.cnf && [ ! -e /etc/mysql ]'
check "legacy: booking.members holds 3 plaintext passwords, staff 2 bcrypt hashes" on $L '[ "$(mariadb -u root -N -e "SELECT COUNT(*) FROM booking.members WHERE LEFT(password, 1) <> CHAR(36)")" = 3 ] && [ "$(mariadb -u root -N -e "SELECT COUNT(*) FROM booking.staff WHERE LEFT(pass_hash, 4) = CONCAT(CHAR(36), 0x3279, CHAR(36))")" = 2 ]'
check "legacy: db.seaways.example.jp resolves to this host; booking@% logs in over TCP" on $L 'getent hosts db.seaways.example.jp | grep -q "^10.203.0.11 " && MYSQL_PWD=Seaways2017db mariadb -h db.seaways.example.jp -u booking -N -e "SELECT COUNT(*) FROM booking.members" | grep -qx 3'
check "legacy: logrotate.d/syslog lists the 5 RHEL syslog files, missingok, sharedscripts, HUP rsyslog" on $L 'f=/etc/logrotate.d/syslog; for l in /var/log/cron /var/log/maillog /var/log/messages /var/log/secure /var/log/spooler missingok sharedscripts; do grep -qx "\s*$l" $f || exit 1; done; sed -n "/postrotate/,/endscript/p" $f | grep -q "kill -HUP .*rsyslogd.pid"'
check "legacy: logrotate.d/syslog and vsftpd set no rotate count or period of their own" on $L '! grep -qE "^\s*(rotate|daily|weekly|monthly|yearly|maxage)\b" /etc/logrotate.d/syslog /etc/logrotate.d/vsftpd'
check "legacy: logrotate.d/vsftpd: /var/log/xferlog, missingok, notifempty" on $L 'f=/etc/logrotate.d/vsftpd; grep -q "^/var/log/xferlog {" $f && grep -qx "\s*missingok" $f && grep -qx "\s*notifempty" $f'
check "legacy: logrotate applies weekly + 4 rotations to messages and xferlog" on $L 'out=$(logrotate -d /etc/logrotate.conf 2>&1 | tr "\n" " " | grep -oE "rotating pattern: [^(]*\([0-9]+ rotations\)"); for p in /var/log/messages /var/log/xferlog; do printf "%s\n" "$out" | grep -F "$p " | grep -qF "weekly (4 rotations)" || exit 1; done'
check "legacy: apache uid 48 gid 48 (group apache), /usr/share/httpd, /bin/bash" on $L '[ "$(getent passwd apache | cut -d: -f3,4,6,7)" = "48:48:/usr/share/httpd:/bin/bash" ] && [ "$(getent group apache | cut -d: -f3)" = 48 ]'
check "legacy: apache authorized_keys: one ed25519 key root@kali, 0600, owned by apache" on $L 'f=/usr/share/httpd/.ssh/authorized_keys; [ "$(stat -c %U:%a $f)" = apache:600 ] && [ "$(grep -c . $f)" = 1 ] && ssh-keygen -lf $f | grep -q "^256 SHA256:.* root@kali (ED25519)$"'
check "legacy: sysbackup is a second UID 0 account (gid 0, /root, /bin/bash), password locked" on $L '[ "$(getent passwd sysbackup | cut -d: -f3,4,6,7)" = "0:0:/root:/bin/bash" ] && [ "$(getent shadow sysbackup | cut -d: -f2)" = "!" ] && [ "$(awk -F: '"'"'$3==0'"'"' /etc/passwd | wc -l)" = 2 ]'

# ---- clean
check "clean: os-release is Debian 12" on $C '. /etc/os-release && [ "$ID" = debian ] && [ "$VERSION_ID" = 12 ]'
check "clean: apache2 2.4 and PHP 8 from Debian" on $C 'apache2 -v | grep -q "Apache/2\.4\." && php -v | grep -q "^PHP 8\." && dpkg -s libapache2-mod-php >/dev/null'
check "clean: HTTP 200 from the bridge, no version in Server header" bash -c "curl -fsS -D - -o /dev/null --max-time 5 http://$C/ | grep -qx \$'Server: Apache\r'"
check "clean: PHP runs under apache" bash -c "curl -fsS --max-time 5 http://$C/ | grep -q 'Seaways Ferry'"
check "clean: no FTP server package" on $C '! dpkg-query -W -f "\${Package}\n" | grep -E "ftpd|proftpd|pure-ftpd"'
check "clean: nothing listens on :21" on $C '! ss -ltnH | grep -q ":21 "'
check "clean: sshd LogLevel VERBOSE in config" on $C 'sshd -T | grep -qx "loglevel VERBOSE"'
check "clean: nftables ruleset loaded" on $C 'nft list ruleset | grep -q "ip saddr 10.203.0.0/24 tcp dport 22 accept"'
check "clean: unattended-upgrades enabled" on $C 'f=/etc/apt/apt.conf.d/20auto-upgrades; grep -qx "APT::Periodic::Update-Package-Lists \"1\";" $f && grep -qx "APT::Periodic::Unattended-Upgrade \"1\";" $f && dpkg -s unattended-upgrades >/dev/null'
check "clean: logrotate 52 weeks for apache and auth logs" on $C 'grep -q "rotate 52" /etc/logrotate.d/apache2 && grep -q "rotate 52" /etc/logrotate.d/rsyslog && grep -q "^/var/log/auth.log" /etc/logrotate.d/rsyslog'
check "clean: rsyslog forwards to 10.203.0.1:514" on $C 'grep -rqx "\*\.\* @@10\.203\.0\.1:514" /etc/rsyslog.d'
check "clean: logwatch installed, daily cron job in place" on $C 'dpkg -s logwatch 2>/dev/null | grep -qx "Status: install ok installed" && [ -x /etc/cron.daily/00logwatch ] && grep -q logwatch /etc/cron.daily/00logwatch'

# ---- ftp2
FTP2_PW=$(on $F cat /run/lab/ftpuser.password 2>/dev/null || true)
# curl reads the credentials from stdin (-K -): the password never is in a command line.
ftp2_curl() { printf 'user = "ftpuser:%s"\n' "$FTP2_PW" | curl -sS --max-time 10 -K - "$@"; }
ftps_ok() { ftp2_curl --ssl-reqd -k -f "$@"; }
ftp2_pw_unrecorded() {
    [ "${#FTP2_PW}" -ge 32 ] || return 1
    ! grep -rqF -- "$FTP2_PW" "$LOGS" "$HOSTS_DIR/ftp2/upper" "$LAB_DIR" "$KEYS" "$KNOWN_HOSTS" 2>/dev/null
}
ftp2_plain_refused() {
    local out
    out=$(ftp2_curl -v --list-only "ftp://$F/" 2>&1) && return 1
    printf '%s\n' "$out" | grep -q '^< 530 Non-anonymous sessions must use encryption'
}
ftp2_tls_list() { [ "$(ftps_ok --list-only "ftp://$F/")" = files ]; }
ftp2_no_etc_passwd() { ! ftps_ok -o /dev/null "ftp://$F/etc/passwd"; }
ftp2_tls_version() { ftps_ok -v --list-only "ftp://$F/" 2>&1 >/dev/null | grep -qE 'SSL connection using TLSv1\.[23] '; }
# vsftpd 3.0.3 has no ssl_tlsv1_2 option: check the protocols the server accepts.
ftp2_tls_handshake() { # -tls1_2 ...; the client allows anything (SECLEVEL=0)
    echo | timeout 5 openssl s_client -starttls ftp -connect "$F:21" "$1" -cipher 'DEFAULT:@SECLEVEL=0' 2>&1 |
        grep -qE '^New, TLSv1(\.[0-9])?, Cipher is [A-Z]'
}
ftp2_tls_min_12() {
    ftp2_tls_handshake -tls1_2 && ftp2_tls_handshake -tls1_3 &&
        ! ftp2_tls_handshake -tls1 && ! ftp2_tls_handshake -tls1_1
}
ftp2_tls_upload_refused() { # (curl's stdin carries the credentials: upload from a file)
    local f rc=0
    f=$(mktemp)
    echo "selftest $$" >"$f"
    ftps_ok -T "$f" "ftp://$F/files/selftest-$$.txt" && rc=1
    rm -f "$f"
    return "$rc"
}
check "ftp2: os-release is Debian 12 (no RHEL identity)" on $F '. /etc/os-release && [ "$ID" = debian ] && [ "$VERSION_ID" = 12 ] && [ -f /etc/debian_version ] && [ ! -e /etc/redhat-release ]'
check "ftp2: vsftpd listens on 0.0.0.0:21 with /etc/vsftpd.conf, nothing on :80/:443" on $F 'ss -ltnH | grep -q "0.0.0.0:21 " && ! ss -ltnH | grep -qE ":(80|443) " && for p in $(pgrep -x vsftpd); do [ "$(tr "\0" " " </proc/$p/cmdline)" = "/usr/sbin/vsftpd /etc/vsftpd.conf " ] && exit 0; done; exit 1'
check "ftp2: no web server installed" on $F '! dpkg-query -W -f "\${Package}\n" | grep -qE "^(apache2|nginx|lighttpd|httpd)" && [ ! -e /usr/local/apache2 ]'
check "ftp2: vsftpd.conf hardened keys" on $F 'for k in local_enable=YES write_enable=NO chroot_local_user=YES ssl_enable=YES force_local_logins_ssl=YES force_local_data_ssl=YES ssl_sslv3=NO ssl_tlsv1=NO; do grep -qx "$k" /etc/vsftpd.conf || exit 1; done; [ ! -e /etc/vsftpd ]'
check "ftp2: vsftpd.conf weak keys: anonymous_enable=YES (read-only), xferlog_enable=NO" on $F 'for k in anonymous_enable=YES anon_upload_enable=NO anon_mkdir_write_enable=NO anon_root=/srv/ftp/pub xferlog_enable=NO; do grep -qx "$k" /etc/vsftpd.conf || exit 1; done'
check "ftp2: self-signed certificate made at boot" on $F 'c=/etc/ssl/certs/vsftpd.pem; [ "$(openssl x509 -in $c -noout -subject)" = "subject=CN = ftp2.seaways.example.jp" ] && [ "$(openssl x509 -in $c -noout -issuer)" = "issuer=CN = ftp2.seaways.example.jp" ] && [ "$(stat -c %a /etc/ssl/private/vsftpd.key)" = 600 ] && [ $c -nt /etc/ssh/ssh_host_ed25519_key ]'
check "ftp2: ftpuser: home /srv/ftp/ftpuser (root-owned chroot), yescrypt password" on $F '[ "$(getent passwd ftpuser | cut -d: -f6)" = /srv/ftp/ftpuser ] && [ "$(stat -c %U /srv/ftp/ftpuser)" = root ] && [ "$(stat -c %U /srv/ftp/ftpuser/files)" = ftpuser ] && [ "$(getent shadow ftpuser | cut -d: -f2 | cut -c1-3)" = "\$y\$" ]'
check "ftp2: ftpuser password is recorded nowhere outside the host" ftp2_pw_unrecorded
check "ftp2: TLS login (curl --ssl-reqd -k) lists the chroot" ftp2_tls_list
check "ftp2: TLS session is TLS 1.2 or 1.3" ftp2_tls_version
check "ftp2: server accepts TLS 1.2 and 1.3, refuses TLS 1.0 and 1.1" ftp2_tls_min_12
check "ftp2: chroot: /etc/passwd is out of reach over TLS" ftp2_no_etc_passwd
check "ftp2: TLS login works but uploads are refused (write_enable=NO)" ftp2_tls_upload_refused
check "ftp2: plain FTP login refused (530, right password)" ftp2_plain_refused
check "ftp2: anonymous read of /README (plain FTP)" bash -c "curl -fsS --max-time 10 ftp://$F/README | grep -q 'Seaways Ferry'"
check "ftp2: anonymous upload refused" bash -c "! echo x | curl -fsS --max-time 10 -T - ftp://$F/x.txt"
check "ftp2: /etc/inetd.conf has a telnet line" on $F 'grep -qE "^telnet[[:space:]]" /etc/inetd.conf'
check "ftp2: inetd runs telnetd through tcpd; hosts.allow/deny limit telnetd to the lab network" on $F 'ss -ltnpH | grep -q "0.0.0.0:23 .*inetd" && grep -qE "^telnet[[:space:]].*/usr/sbin/tcpd[[:space:]]+/usr/sbin/telnetd" /etc/inetd.conf && grep -qx "telnetd: 10.203.0.0/255.255.255.0" /etc/hosts.allow && grep -qx "telnetd: ALL" /etc/hosts.deny'
ftp2_db_loopback() {
    on $F 'ss -ltnpH | grep -q "127.0.0.1:3306 .*mariadbd" && ! ss -ltnH | grep -qE "(0\.0\.0\.0|\*|\[::\]):3306 "' &&
        ! timeout 3 bash -c "exec 3<>/dev/tcp/$F/3306" 2>/dev/null
}
check "ftp2: MariaDB on 127.0.0.1:3306 only (Debian bind-address), closed to the bridge" ftp2_db_loopback
check "clean: pam_pwquality in common-password, minlen 14" on $C 'grep -q pam_pwquality.so /etc/pam.d/common-password && grep -qx "minlen = 14" /etc/security/pwquality.conf'
check "legacy: root history holds a -p password" on $L 'grep -q -- "-pSeaways2017db" /root/.bash_history'
check "ftp2: guest has an empty password field, olduser an MD5-crypt hash" on $F '[ -z "$(getent shadow guest | cut -d: -f2)" ] && [ "$(getent shadow olduser | cut -d: -f2 | cut -c1-3)" = "\$1\$" ]'
check "ftp2: vsftpd tcp_wrappers=YES with hosts.allow for the lab network only" on $F 'grep -qx tcp_wrappers=YES /etc/vsftpd.conf && grep -qx "vsftpd: 10.203.0.0/255.255.255.0" /etc/hosts.allow && grep -qx "vsftpd: ALL" /etc/hosts.deny'
check "ftp2: anonymous mkdir refused" bash -c "! curl -fsS --max-time 10 -o /dev/null -Q 'MKD newdir' ftp://$F/"
check "ftp2: no transfer log written" on $F '[ ! -s /var/log/xferlog ] && [ ! -s /var/log/vsftpd.log ]'

# Firewall proof without leaving the lab: the same packets to clean's port 22
# sent from an address outside 10.203.0.0/24 -- the IPv6 link-local address
# of our own bridge -- are dropped, while port 80 answers and the
# unfirewalled legacy host answers on 22 over the very same path.
ll() { ip -n "$NETNS_PREFIX$1" -6 -o addr show dev eth0 scope link | awk '{print $4}' | cut -d/ -f1; }
tcp_open() { timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
c6="$(ll clean)%$BRIDGE" l6="$(ll legacy)%$BRIDGE"
drops_before=$(ip netns exec "${NETNS_PREFIX}clean" nft list chain inet filter input | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
check "clean: 22/tcp open from 10.203.0.1 (management network)" tcp_open $C 22
check "clean: 22/tcp dropped from outside the management network ([$c6])" bash -c "! timeout 3 bash -c 'exec 3<>/dev/tcp/$c6/22' 2>/dev/null"
check "clean: 80/tcp open from outside the management network ([$c6])" tcp_open "$c6" 80
check "legacy (no firewall): 22/tcp open over the same IPv6 path" tcp_open "$l6" 22
f6="$(ll ftp2)%$BRIDGE"
telnet_bytes() { timeout 3 bash -c "exec 3<>/dev/tcp/$1/23; head -c 3 <&3" 2>/dev/null | od -An -tx1 | grep -q '^ ff'; }
check "ftp2: tcpd lets telnet answer 10.203.0.1" telnet_bytes $F
check "ftp2: tcpd closes telnet from outside the lab network ([$f6])" bash -c "! timeout 3 bash -c 'exec 3<>/dev/tcp/$f6/23; head -c 3 <&3' 2>/dev/null | grep -q ."
drops_after=$(ip netns exec "${NETNS_PREFIX}clean" nft list chain inet filter input | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
check "clean: the nft drop counter grew ($drops_before -> $drops_after)" test "$drops_after" -gt "$drops_before"

if [ "$slow" -eq 1 ]; then
    on $L 'pkill -KILL -f "stratum\+tcp://pool.example.invalid" || true'
    restarted=1
    for ((i = 0; i < 15; i++)); do
        sleep 5
        if on $L 'pgrep -u nobody -f "stratum\+tcp://pool.example.invalid" >/dev/null'; then restarted=0; break; fi
    done
    check "legacy: cron restarts the killed miner within 75 s (after $(( (i + 1) * 5 )) s)" test "$restarted" -eq 0
fi
finish
