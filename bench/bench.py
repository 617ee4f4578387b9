#!/usr/bin/env python3
"""shipshape fleet benchmark: see bench/README.md. Started by bench/run.sh,
which installs the tools and builds the binaries first.

Fleet: sshd instances on loopback (8 addresses 127.77.A.B per sshd, port 2222
= this machine read for real, port 2223 = replay of a recorded host). Tools
audit the same go-live probes; sshd logs (LogLevel DEBUG1) count connections
("Accepted publickey") and exec requests ("req exec").
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

PER_SSHD = 8  # addresses per sshd: 2 ports each, sshd listens on at most 16 sockets
LIVE_PORT, REPLAY_PORT = 2222, 2223


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def addr(i, net=77):
    return f"127.{net}.{1 + i // 250}.{1 + i % 250}"


class Bench:
    def __init__(self, a):
        self.a = a
        self.w = a.workdir
        self.repo = a.repo
        self.ship = os.path.join(self.repo, "target/release/shipshape")
        self.ex = os.path.join(self.repo, "target/release/examples")
        self.venv = os.path.join(self.w, "venv")
        self.key = os.path.join(self.w, "id_ed25519")
        self.kh = os.path.join(self.w, "known_hosts")
        self.sshd_pids = []
        self.proxy = None
        self.env = {k: v for k, v in os.environ.items() if k != "SSH_AUTH_SOCK"}
        self.env["HOME"] = os.path.join(self.w, "home")
        self.results = []

    # ---------- fleet ----------
    def setup(self):
        for d in ("home", "logs", "run", "out", "cp", "ansible"):
            os.makedirs(os.path.join(self.w, d), exist_ok=True)
        os.chmod(self.w, 0o700)
        if not os.path.exists(self.key):
            sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "shipshape-bench-auditor", "-f", self.key])
        hk = os.path.join(self.w, "hostkey")
        if not os.path.exists(hk):
            sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "shipshape-bench-host", "-f", hk])
        shutil.copy(self.key + ".pub", os.path.join(self.w, "authorized_keys"))
        sh([os.path.join(self.ex, "bench-probes"), os.path.join(self.w, "work")])
        self.cmds = sorted(
            os.path.join(self.w, "work/commands", f) for f in os.listdir(os.path.join(self.w, "work/commands"))
        )
        self.script = os.path.join(self.w, "work/script.sh")
        self.naddr = max(self.a.hosts + [64])
        pub = open(hk + ".pub").read().split()[:2]
        with open(self.kh, "w") as f:
            for i in range(self.naddr):
                for host, port in ((addr(i), LIVE_PORT), (addr(i), REPLAY_PORT), (addr(i, 78), LIVE_PORT)):
                    f.write(f"[{host}]:{port} {pub[0]} {pub[1]}\n")
        self.write_replay()
        nsshd = (self.naddr + PER_SSHD - 1) // PER_SSHD
        log(f"fleet: {nsshd} sshd for {self.naddr} loopback addresses")
        for j in range(nsshd):
            self.start_sshd(j, hk)
        self.wait_listening()

    def start_sshd(self, j, hk):
        cfg = os.path.join(self.w, "run", f"sshd-{j}.conf")
        lines = []
        for i in range(j * PER_SSHD, min(self.naddr, (j + 1) * PER_SSHD)):
            lines += [f"ListenAddress {addr(i)}:{LIVE_PORT}", f"ListenAddress {addr(i)}:{REPLAY_PORT}"]
        lines += [
            f"HostKey {hk}",
            f"PidFile {self.w}/run/sshd-{j}.pid",
            f"AuthorizedKeysFile {self.w}/authorized_keys",
            "StrictModes no", "UsePAM no", "PermitRootLogin prohibit-password",
            "PasswordAuthentication no", "KbdInteractiveAuthentication no",
            "UseDNS no", "PrintMotd no", "PrintLastLog no",
            "MaxStartups 4000", "MaxSessions 200", "LogLevel DEBUG1",
            "Subsystem sftp /usr/lib/openssh/sftp-server",
            f"Match LocalPort {REPLAY_PORT}",
            f"  ForceCommand sh {self.w}/replay.sh",
        ]
        open(cfg, "w").write("\n".join(lines) + "\n")
        os.makedirs("/run/sshd", exist_ok=True)
        sh(["/usr/sbin/sshd", "-f", cfg, "-E", os.path.join(self.w, "logs", f"sshd-{j}.log")])
        pidfile = f"{self.w}/run/sshd-{j}.pid"
        for _ in range(100):
            if os.path.exists(pidfile):
                self.sshd_pids.append(int(open(pidfile).read()))
                return
            time.sleep(0.05)
        raise SystemExit(f"sshd {j} did not start: see {self.w}/logs/sshd-{j}.log")

    def wait_listening(self):
        for i in range(self.naddr):
            for port in (LIVE_PORT, REPLAY_PORT):
                for _ in range(100):
                    try:
                        socket.create_connection((addr(i), port), 1).close()
                        break
                    except OSError:
                        time.sleep(0.05)
                else:
                    raise SystemExit(f"nothing listens on {addr(i)}:{port}")

    def start_proxy(self):
        m = os.path.join(self.w, "run", "proxy.map")
        with open(m, "w") as f:
            for i in range(self.naddr):
                f.write(f"{addr(i, 78)}:{LIVE_PORT} {addr(i)}:{LIVE_PORT}\n")
        self.proxy = subprocess.Popen(
            [os.path.join(self.ex, "delay-proxy"), "--delay-ms", str(self.a.delay_ms), "--lifetime", "7200", m],
            stderr=subprocess.PIPE, text=True)
        line = self.proxy.stderr.readline()
        if "ready" not in line:
            raise SystemExit(f"delay-proxy: {line}")

    def stop(self):
        if self.proxy:
            self.proxy.kill()
            self.proxy.wait()
            self.proxy = None
        for pid in self.sshd_pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        self.sshd_pids = []

    # ---------- replay targets (recorded output of this machine) ----------
    def write_replay(self):
        """Record one run of the script on this machine and make a replay
        responder: it reads the script shipshape sends, takes its boundary,
        and answers with the recorded frames, with the shadow probe's hash
        replaced by hash number (address index mod K) of hashes.txt."""
        b = "SHIPSHAPE-BENCHRECORD"
        text = open(self.script).read()
        text = re.sub(r"^ss_b=.*$", f"ss_b='{b}'", text, count=1, flags=re.M)
        out = subprocess.run(["sh", "-s"], input=text.encode(), capture_output=True).stdout.decode("utf-8", "replace")
        # The shadow probe: one synthetic account whose hash the responder sets.
        hashes = self.make_hashes(8)
        pat = re.compile(re.escape(f"\n{b} BEGIN password.shadow\n") + r"(.*?)" + re.escape(f"\n{b} END password.shadow ") + r"(\S+) (\S+)\n", re.S)
        content = "root:*:19000\nmaint:@@HASH@@:19000\n"
        length = len(content.replace("@@HASH@@", hashes[0]).encode())
        out, n = pat.subn(lambda m: f"\n{b} BEGIN password.shadow\n{content}\n{b} END password.shadow 0 {length}\n", out)
        if n != 1:
            raise SystemExit("recording: no password.shadow frame")
        rec = os.path.join(self.w, "replay.out")
        open(rec, "w").write(out.replace(b, "@@B@@"))
        os.chmod(rec, 0o600)
        open(os.path.join(self.w, "replay.sh"), "w").write(f"""# bench replay host: answer the probe script with recorded frames
b=$(sed -n "s/^ss_b='\\(SHIPSHAPE-[0-9a-f]*\\)'$/\\1/p")
set -- $SSH_CONNECTION
k=$(cat {self.w}/distinct 2>/dev/null || echo 1)
o=${{3##*.}}; t=${{3%.*}}; t=${{t##*.}}
n=$(( ((t - 1) * 250 + o - 1) % k + 1 ))
h=$(sed -n "${{n}}p" {self.w}/hashes.txt)
sed -e "s/@@B@@/$b/g" -e "s|@@HASH@@|$h|" {rec}
""")

    def make_hashes(self, k):
        """k yescrypt hashes of one password no candidate list has, each with
        its own salt: as many distinct hashes as accounts set separately."""
        f = os.path.join(self.w, "hashes.txt")
        if not os.path.exists(f):
            pw = "bench-" + os.urandom(12).hex()
            hs = [subprocess.run(["mkpasswd", "-m", "yescrypt", pw], capture_output=True, text=True, check=True).stdout.strip() for _ in range(k)]
            open(f, "w").write("\n".join(hs) + "\n")
        hs = open(f).read().split()
        assert len({len(h) for h in hs}) == 1, "hashes of one length"
        return hs

    # ---------- inputs per run ----------
    def hosts(self, n, mode, port=LIVE_PORT):
        net = 78 if mode == "proxy" else 77
        return [(f"h{i + 1:04d}", addr(i % self.naddr, net), port) for i in range(n)]

    def inventory(self, hosts, extra_vars=""):
        p = os.path.join(self.w, "run", "inventory.yml")
        with open(p, "w") as f:
            f.write(f"defaults: {{user: root, identity_file: {self.key}}}\n")
            if extra_vars:
                f.write(f"vars: {{{extra_vars}}}\n")
            f.write("hosts:\n")
            for name, a, port in hosts:
                f.write(f"  {name}: {{address: {a}, port: {port}}}\n")
        return p

    def ssh_config(self, hosts, control=False):
        p = os.path.join(self.w, "run", "ssh_config")
        with open(p, "w") as f:
            for name, a, port in hosts:
                f.write(f"Host {name}\n  HostName {a}\n  Port {port}\n")
            f.write(f"Host *\n  User root\n  IdentityFile {self.key}\n  IdentitiesOnly yes\n"
                    f"  UserKnownHostsFile {self.kh}\n  StrictHostKeyChecking yes\n  BatchMode yes\n"
                    f"  ConnectTimeout 60\n  ServerAliveInterval 0\n")
            if control:
                f.write(f"  ControlPath {self.w}/cp/%C\n")
        return p

    # ---------- measurement ----------
    def logs_reset(self):
        for f in os.listdir(os.path.join(self.w, "logs")):
            open(os.path.join(self.w, "logs", f), "w").close()

    def logs_count(self):
        conns = execs = 0
        for f in os.listdir(os.path.join(self.w, "logs")):
            t = open(os.path.join(self.w, "logs", f), errors="replace").read()
            conns += t.count("Accepted publickey")
            execs += t.count("req exec")
        return conns, execs

    def measure(self, cmd, cap, **kw):
        """Run cmd; wall time, peak of the summed RSS of its process tree
        (sampled every 0.1 s), and GNU time's max RSS of its largest process."""
        tfile = os.path.join(self.w, "run", "time.out")
        full = ["/usr/bin/time", "-o", tfile, "-f", "%M"] + cmd
        t0 = time.monotonic()
        p = subprocess.Popen(full, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.w, "run", "last.err"), "w"), **kw)
        peak = 0
        timed_out = False
        try:
            while p.poll() is None:
                peak = max(peak, tree_rss(p.pid))
                if time.monotonic() - t0 > cap:
                    timed_out = True
                    kill_tree(p.pid)
                    break
                time.sleep(0.1)
        except BaseException:
            kill_tree(p.pid)  # the benchmark itself was stopped
            raise
        p.wait()
        wall = time.monotonic() - t0
        try:
            maxrss = int(open(tfile).read().split()[-1]) * 1024
        except (ValueError, IndexError, OSError):
            maxrss = 0
        return wall, max(peak, maxrss), maxrss, timed_out, p.returncode

    def run_tool(self, tool, mode, n):
        hosts = self.hosts(n, mode)
        out = os.path.join(self.w, "out", f"{mode}-{n}-{tool}")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        names = os.path.join(self.w, "run", "hosts.txt")
        open(names, "w").write("".join(h[0] + "\n" for h in hosts))
        cfg = self.ssh_config(hosts, control=tool in ("testinfra",))
        kw = {}
        if tool in ("shipshape", "shipshape-nosearch"):
            # shipshape-nosearch: the same audit with the offline password
            # search off (password_budget_secs: 0), the peers' workload.
            inv = self.inventory(hosts, "password_budget_secs: 0" if tool == "shipshape-nosearch" else "")
            cmd = [self.ship, "audit", "-i", inv, "--known-hosts", self.kh, "--jobs", str(min(n, 1024)),
                   "--timeout", str(self.a.cap), "--format", "json", "-o", f"{out}/report.json"]
        elif tool == "batched":
            cmd = ["xargs", "-a", names, "-P", str(n), "-I{}", "sh", "-c",
                   f"ssh -F {cfg} {{}} sh -s < {self.script} > {out}/{{}}.out 2>&1"]
        elif tool == "naive":
            cmd = ["xargs", "-a", names, "-P", str(n), "-I{}", "sh", "-c",
                   f"for f in {self.w}/work/commands/*.sh; do ssh -n -F {cfg} {{}} \"$(cat \"$f\")\"; done > {out}/{{}}.out 2>&1"]
        elif tool == "testinfra":
            workers = min(n, self.a.testinfra_workers)
            cmd = [f"{self.venv}/bin/pytest", "-q", "-p", "no:cacheprovider", "--ssh-config", cfg,
                   "--hosts", ",".join(f"ssh://{h[0]}" for h in hosts), os.path.join(self.repo, "bench/test_probes.py")]
            if workers > 1:
                cmd += ["-n", str(workers)]
            self.env["SHIPSHAPE_BENCH_COMMANDS"] = os.path.join(self.w, "work/commands")
        elif tool == "ansible":
            inv = os.path.join(self.w, "run", "ansible.ini")
            with open(inv, "w") as f:
                for name, a, port in hosts:
                    f.write(f"{name} ansible_host={a} ansible_port={port}\n")
                f.write(f"\n[all:vars]\nansible_user=root\nansible_ssh_private_key_file={self.key}\n"
                        f"ansible_python_interpreter=/usr/bin/python3\n"
                        f"ansible_ssh_common_args='-o UserKnownHostsFile={self.kh} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes'\n"
                        f"ansible_remote_tmp={self.w}/ansible/remote-tmp\n")
            self.env.update({"ANSIBLE_HOME": f"{self.w}/ansible/home", "ANSIBLE_LOCAL_TEMP": f"{self.w}/ansible/local-tmp",
                             "ANSIBLE_SSH_CONTROL_PATH_DIR": f"{self.w}/cp", "ANSIBLE_NOCOLOR": "1",
                             "ANSIBLE_HOST_KEY_CHECKING": "True", "ANSIBLE_STDOUT_CALLBACK": "default"})
            cmd = [f"{self.venv}/bin/ansible-playbook", "-i", inv, "-f", str(n), self.playbook()]
        else:
            raise SystemExit(f"unknown tool {tool}")
        self.logs_reset()
        wall, peak, maxrss, timed_out, rc = self.measure(cmd, self.a.cap, **kw)
        self.close_masters()
        time.sleep(0.5)
        conns, execs = self.logs_count()
        ok = self.check_output(tool, out, n, rc)
        r = dict(mode=mode, hosts=n, tool=tool, wall=wall, peak_rss=peak, maxrss=maxrss,
                 conns=conns / n, execs=execs / n, timed_out=timed_out, ok=ok, rc=rc)
        log(f"  {mode:8} {n:4} {tool:10} {wall:8.2f} s  conn/host {r['conns']:.1f}  exec/host {r['execs']:.1f}  "
            f"peak {peak / 2**20:.0f} MB  {'CAPPED ' if timed_out else ''}{ok}  load {os.getloadavg()[0]:.1f}")
        self.results.append(r)
        self.save()
        return r

    def save(self, **extra):
        self.saved = getattr(self, "saved", {})
        self.saved.update(extra)
        data = dict(results=self.results, argv=sys.argv[1:], load0=LOAD0, started=STARTED.isoformat(), **self.saved)
        json.dump(data, open(os.path.join(self.w, "results.json"), "w"), indent=1)

    def check_output(self, tool, out, n, rc):
        if tool.startswith("shipshape"):
            try:
                rep = json.load(open(f"{out}/report.json"))
            except (OSError, ValueError):
                return "no report"
            bad = [h["name"] for h in rep["hosts"] if h["status"] != "audited"]
            return "ok" if not bad else f"{len(bad)} not audited"
        if tool in ("batched", "naive"):
            short = [f for f in os.listdir(out) if os.path.getsize(os.path.join(out, f)) < 1000]
            return "ok" if len(os.listdir(out)) == n and not short else f"{len(short)} short outputs"
        return "ok" if rc == 0 else f"exit {rc}"

    def close_masters(self):
        d = os.path.join(self.w, "cp")
        for s in os.listdir(d):
            subprocess.run(["ssh", "-o", f"ControlPath={d}/{s}", "-O", "exit", "x"], capture_output=True)
        for s in os.listdir(d):
            try:
                os.unlink(os.path.join(d, s))
            except OSError:
                pass

    def playbook(self):
        p = os.path.join(self.w, "run", "playbook.yml")
        with open(p, "w") as f:
            f.write("- hosts: all\n  gather_facts: false\n  tasks:\n")
            for c in self.cmds:
                code = open(c).read()
                f.write(f"    - name: {os.path.basename(c)}\n      ansible.builtin.shell:\n        cmd: !unsafe |\n")
                for line in code.splitlines():
                    f.write(f"          {line}\n")
                f.write("      changed_when: false\n      failed_when: false\n")
        return p

    # ---------- replay runs: RSS at 1,000 logical hosts, password phase ----------
    def replay_run(self, n, distinct, budget, jobs):
        open(os.path.join(self.w, "distinct"), "w").write(f"{distinct}\n")
        hosts = self.hosts(n, "loopback", REPLAY_PORT)
        inv = self.inventory(hosts, f"password_budget_secs: {budget}")
        out = os.path.join(self.w, "out", f"replay-{n}-{distinct}")
        os.makedirs(out, exist_ok=True)
        cmd = [self.ship, "audit", "-i", inv, "--known-hosts", self.kh, "--jobs", str(jobs),
               "--timeout", "600", "--format", "json", "-o", f"{out}/report.json"]
        self.logs_reset()
        wall, peak, maxrss, timed_out, rc = self.measure(cmd, 1800)
        time.sleep(0.5)
        conns, execs = self.logs_count()
        rep = json.load(open(f"{out}/report.json"))
        audited = sum(h["status"] == "audited" for h in rep["hosts"])
        r = dict(hosts=n, distinct=distinct, budget=budget, jobs=jobs, wall=wall, maxrss=maxrss,
                 conns=conns / n, execs=execs / n, audited=audited)
        log(f"  replay {n} hosts, {distinct} distinct hash(es), budget {budget}s, jobs {jobs}: {wall:.1f} s, "
            f"max RSS {maxrss / 2**20:.1f} MB, exec/host {r['execs']:.2f}, audited {audited}/{n}")
        return r

    # ---------- crypt: shipshape vs john ----------
    def crypt(self):
        res = []
        cores = os.cpu_count() or 1
        for name, hashcmd, count in (("sha512crypt", ["openssl", "passwd", "-6"], self.a.sha_candidates),
                                     ("yescrypt", ["mkpasswd", "-m", "yescrypt"], self.a.yes_candidates)):
            h = subprocess.run(hashcmd + ["not-in-the-list-" + os.urandom(6).hex()], capture_output=True, text=True, check=True).stdout.strip()
            hf = os.path.join(self.w, "run", f"{name}.hash")
            open(hf, "w").write(f"maint:{h}\n")
            cf = os.path.join(self.w, "run", f"{name}.words")
            open(cf, "w").write("".join(f"Candidate{i:06d}\n" for i in range(count)))
            for threads in (1, cores):
                o = subprocess.run([os.path.join(self.ex, "bench-crypt"), h, cf, str(threads)], capture_output=True, text=True, check=True)
                ours = float(re.search(r"\(([0-9.]+)/s", o.stdout).group(1))
                # Debian's john is built with OpenMP: OMP_NUM_THREADS sets its
                # threads. It keeps its pot in ~/.john (HOME is the bench's).
                shutil.rmtree(os.path.join(self.env["HOME"], ".john"), ignore_errors=True)
                env = dict(self.env, OMP_NUM_THREADS=str(threads))
                j = subprocess.run(["john", "--format=crypt", f"--wordlist={cf}", hf], capture_output=True, text=True, env=env)
                m = re.findall(r"([0-9.]+)c/s", j.stdout + j.stderr)
                john = float(m[-1]) if m else 0.0
                if not m:
                    log(f"john failed: {j.stdout} {j.stderr}")
                log(f"  {name} {threads} thread(s): shipshape {ours:.1f}/s, john {john:.1f}/s")
                res.append(dict(scheme=name, threads=threads, shipshape=ours, john=john))
        return res


def tree_rss(root):
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            total += int(open(f"/proc/{pid}/statm").read().split()[1]) * 4096
            for t in os.listdir(f"/proc/{pid}/task"):
                todo += [int(c) for c in open(f"/proc/{pid}/task/{t}/children").read().split()]
        except (OSError, ValueError):
            pass
    return total


def kill_tree(root):
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        try:
            for t in os.listdir(f"/proc/{pid}/task"):
                todo += [int(c) for c in open(f"/proc/{pid}/task/{t}/children").read().split()]
        except (OSError, ValueError):
            pass
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ---------- report ----------
def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) / 2**20
    kern = os.uname().release
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} × {cpu}, {mem:.0f} GiB RAM, Linux {kern}, {ssh_version()}, shipshape {commit} (release build)"


def ssh_version():
    return subprocess.run(["ssh", "-V"], capture_output=True, text=True).stderr.strip().split(",")[0]


def fmt_table(results, modes, hosts, tools):
    out = []
    for mode in modes:
        title = "plain loopback" if mode == "loopback" else f"through the delaying proxy ({ARGS.delay_ms} ms each way)"
        out.append(f"\n**{title}**\n")
        out.append("| hosts | tool | wall s | hosts/s | conn/host | exec/host | peak RSS MB | shipshape/tool | shipshape without search/tool |")
        out.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for n in hosts:
            ship = next((r for r in results if r["mode"] == mode and r["hosts"] == n and r["tool"] == "shipshape"), None)
            ns = next((r for r in results if r["mode"] == mode and r["hosts"] == n and r["tool"] == "shipshape-nosearch"), None)
            for t in tools:
                r = next((r for r in results if r["mode"] == mode and r["hosts"] == n and r["tool"] == t), None)
                if r is None:
                    continue
                capped = r["timed_out"]
                wall = f"> {r['wall']:.0f}" if capped else f"{r['wall']:.2f}"
                def ratio_of(base):
                    if base is None or t.startswith("shipshape"):
                        return ""
                    return f"< {base['wall'] / r['wall']:.3f}" if capped else f"{base['wall'] / r['wall']:.2f}"
                ratio, ratio_ns = ratio_of(ship), ratio_of(ns)
                note = "" if r["ok"] == "ok" or capped else f" ({r['ok']})"
                rate = "" if capped else f"{n / r['wall']:.2f}"
                out.append(f"| {n} | {t}{note} | {wall} | {rate} | "
                           f"{r['conns']:.1f} | {r['execs']:.1f} | {r['peak_rss'] / 2**20:.0f} | {ratio} | {ratio_ns} |")
    return "\n".join(out)


def write_readme(path, text):
    s = open(path).read()
    b, e = "<!-- bench:results:begin -->", "<!-- bench:results:end -->"
    if b not in s or e not in s:
        raise SystemExit(f"{path} has no {b} ... {e} markers")
    s = s[: s.index(b) + len(b)] + "\n" + text.strip() + "\n" + s[s.index(e):]
    open(path, "w").write(s)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--hosts", default="1,16,64,256")
    p.add_argument("--modes", default="loopback,proxy")
    p.add_argument("--tools", default="shipshape,shipshape-nosearch,batched,naive,testinfra,ansible")
    p.add_argument("--nosearch-max-hosts", type=int, default=16, help="shipshape-nosearch only up to this count (the search costs one budget per distinct hash, hidden behind SSH work at larger counts)")
    p.add_argument("--peer-max-hosts", type=int, default=256, help="per-check peers (naive, testinfra, ansible) only up to this count")
    p.add_argument("--delay-ms", type=int, default=25)
    p.add_argument("--cap", type=int, default=900, help="seconds one tool run may take; beyond, it is stopped and shown as > cap")
    p.add_argument("--testinfra-workers", type=int, default=16)
    p.add_argument("--rss-hosts", type=int, default=1000)
    p.add_argument("--rss-jobs", default="8,64", help="--jobs values for the RSS runs")
    p.add_argument("--no-replay", action="store_true")
    p.add_argument("--no-crypt", action="store_true")
    p.add_argument("--sha-candidates", type=int, default=6000)
    p.add_argument("--yes-candidates", type=int, default=200)
    p.add_argument("--workdir", default="/var/tmp/shipshape-bench")
    p.add_argument("--repo", default=os.getcwd())
    p.add_argument("--write-readme", action="store_true")
    p.add_argument("--from-json", metavar="FILE", help="no measuring: print (and --write-readme) the tables of a results.json")
    p.add_argument("--serve", type=int, metavar="SECS", help="only start the fleet and the proxy, for SECS seconds (experiments)")
    a = p.parse_args()
    # A stopped benchmark still stops its fleet (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    a.hosts = [int(x) for x in a.hosts.split(",")]
    a.modes = a.modes.split(",")
    if a.modes == ["none"]:
        a.hosts = []
    a.tools = a.tools.split(",")
    a.rss_jobs = [int(x) for x in a.rss_jobs.split(",")]
    ARGS = a
    global LOAD0, STARTED
    b = Bench(a)
    STARTED = datetime.now(timezone.utc)
    LOAD0 = os.getloadavg()
    replay, crypt = [], []
    if a.from_json:
        d = json.load(open(a.from_json))
        b.results, replay, crypt = d["results"], d.get("replay", []), d.get("crypt", [])
        STARTED, LOAD0 = datetime.fromisoformat(d["started"]), d["load0"]
        a.note = d.get("note")
        sys.argv[1:] = d["argv"]
        a.modes = sorted({r["mode"] for r in b.results}, key=["loopback", "proxy"].index)
        a.hosts = sorted({r["hosts"] for r in b.results})
        report(a, b, replay, crypt, partial=True)
        return
    try:
        b.setup()
        if a.serve:
            b.start_proxy()
            log(f"fleet up for {a.serve} s: inventories and ssh_config under {a.workdir}/run")
            b.ssh_config(b.hosts(max(a.hosts), "loopback"))
            time.sleep(a.serve)
            return
        if not a.no_replay:
            for jobs in a.rss_jobs:
                replay.append(b.replay_run(a.rss_hosts, 1, 5, jobs))
                b.save(replay=replay)
            for k in (1, 4):
                replay.append(b.replay_run(64, k, 3, 64))
                b.save(replay=replay)
        if not a.no_crypt:
            crypt = b.crypt()
            b.save(crypt=crypt)
        for mode in a.modes:
            if mode == "none":  # --modes none: only the replay and crypt parts
                continue
            if mode == "proxy":
                b.start_proxy()
            for n in a.hosts:
                for t in a.tools:
                    if t in ("naive", "testinfra", "ansible") and n > a.peer_max_hosts:
                        continue
                    if t == "shipshape-nosearch" and n > a.nosearch_max_hosts:
                        continue
                    b.run_tool(t, mode, n)
    finally:
        b.stop()
    report(a, b, replay, crypt)


def report(a, b, replay, crypt, partial=False):
    load1 = os.getloadavg()
    text = [f"Measured {STARTED:%Y-%m-%d %H:%M} UTC on {machine()}; load average before "
            f"{LOAD0[0]:.2f} {LOAD0[1]:.2f} {LOAD0[2]:.2f}, {'at report' if partial else 'after'} {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}. "
            + (getattr(a, "note", None) or f"Command: `bash bench/run.sh {' '.join(sys.argv[1:])}`.")]
    text.append(fmt_table(b.results, a.modes, a.hosts, a.tools))
    if replay:
        text.append("\n**Replay fleet** (recorded answers of this machine, see bench/README.md)\n")
        text.append("| hosts | distinct hashes | budget s | --jobs | wall s | shipshape max RSS MB | exec/host | audited |")
        text.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in replay:
            text.append(f"| {r['hosts']} | {r['distinct']} | {r['budget']} | {r['jobs']} | {r['wall']:.1f} | "
                        f"{r['maxrss'] / 2**20:.1f} | {r['execs']:.2f} | {r['audited']} |")
    if crypt:
        text.append("\n**Password verification** (candidates per second, one hash, no match)\n")
        text.append("| scheme | threads | shipshape | john --format=crypt | shipshape/john |")
        text.append("| --- | ---: | ---: | ---: | ---: |")
        for r in crypt:
            ratio = f"{r['shipshape'] / r['john']:.2f}" if r["john"] else "n/a"
            text.append(f"| {r['scheme']} | {r['threads']} | {r['shipshape']:.1f} | {r['john']:.1f} | {ratio} |")
    text = "\n".join(text)
    print(text)
    if a.write_readme:
        write_readme(os.path.join(a.repo, "README.md"), text)
        log("README.md results table rewritten")


if __name__ == "__main__":
    main()
