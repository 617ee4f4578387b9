# shellcheck shell=bash
# Scenario "bastion": the lab's jump host (TCP forwarding for ProxyJump) and
# the host of the sudo tests.  Appended to scenarios/common.sh.
echo "provision: bastion: jump user, sudo users"
chmod 0644 /etc/ssh/sshd_config
chmod 0440 /etc/sudoers.d/lab
chown root:root /etc/sudoers.d/lab

# jumper: only ever a hop.  sudoer: sudo without a password.  sudopw: sudo
# with its login password (Lab-sudo-pw-5).  All log in with the lab keys.
for u in jumper sudoer sudopw; do
    id "$u" >/dev/null 2>&1 || useradd -m -s /bin/bash -c "lab $u" "$u"
    install -d -m 0700 -o "$u" -g "$u" "/home/$u/.ssh"
    install -m 0600 -o "$u" -g "$u" /root/.ssh/authorized_keys "/home/$u/.ssh/authorized_keys"
done
lab_set_password sudopw 'Lab-sudo-pw-5'
visudo -cq
echo "provision: bastion: done"
