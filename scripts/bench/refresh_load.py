#!/usr/bin/env python3
"""Refresh under load for scripts/bench/run: 50 device-flow profiles in the desktop app, all expiring
within the same minute. Measures what the app spends keeping them fresh: CPU time of all its
processes, wake-ups of its own process (context switches of all its threads), and the refresh
requests the test IdP received (the goal is one per profile).

Usage: bench_refresh_load.py LAKEKEY_BIN APP_BIN PROFILES
Needs the keyring D-Bus session and DISPLAY (scripts/bench/run provides both). Prints one JSON object.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TTL = 200  # access token lifetime; the app refreshes 120 s (its margin) before expiry
MARGIN = 120
CLK_TCK = os.sysconf("SC_CLK_TCK")


def main():
    lakekey, app_bin, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    idp = subprocess.Popen(["node", os.path.join(ROOT, "tests/idp/server.mjs"), "--interval", "1",
                            "--access-ttl", str(TTL), "--max-lifetime", "900"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    app = None
    try:
        ready = json.loads(idp.stdout.readline())
        config = tempfile.mkdtemp(prefix="lakekey-bench-load-")
        env = {**os.environ, "LAKEKEY_CONFIG_DIR": config}
        names = [f"load{i:02d}" for i in range(count)]
        for name in names:
            subprocess.run([lakekey, "profile", "add", name, "--base-url", ready["base_url"], "--org-id", "acme"],
                           env=env, check=True, capture_output=True)
        # Sign in 10 at a time: gnome-keyring is not fond of many simultaneous clients.
        first_due = time.time() + TTL - MARGIN
        for batch in range(0, count, 10):
            sign_in(lakekey, env, names[batch:batch + 10])
        if time.time() > first_due - 20:
            raise SystemExit("signing in took too long for the tokens to expire together")

        app = subprocess.Popen([app_bin], env={**env, "WEBKIT_DISABLE_COMPOSITING_MODE": "1",
                                              "NO_AT_BRIDGE": "1"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # An idle stretch first (nothing due), as the baseline for the same app with 50 profiles.
        time.sleep(8)
        idle_cpu0, idle_sw0, idle_t0 = cpu_ticks(app.pid), context_switches(app.pid), time.time()
        time.sleep(max(5.0, first_due - 10 - time.time()))
        idle_s = time.time() - idle_t0
        idle_cpu = (cpu_ticks(app.pid) - idle_cpu0) * 1000 // CLK_TCK
        idle_wakeups = wakeups(idle_sw0, context_switches(app.pid))
        before_refreshes = len(stats(ready["port"])["refreshes"])
        cpu0, switches0 = cpu_ticks(app.pid), context_switches(app.pid)
        window_start = time.time()
        # Until every profile has been refreshed (bounded), then 10 s more for stragglers.
        deadline = window_start + 120
        while time.time() < deadline and len(stats(ready["port"])["refreshes"]) - before_refreshes < count:
            time.sleep(1)
        time.sleep(10)
        window = time.time() - window_start
        cpu1, switches1 = cpu_ticks(app.pid), context_switches(app.pid)
        refreshes = stats(ready["port"])["refreshes"][before_refreshes:]
        per_profile = count_refreshes_per_profile(lakekey, env, names)
        print(json.dumps({
            "profiles": count,
            "refresh_requests": len(refreshes),
            "refresh_errors": sum(1 for r in refreshes if r["status"] != 200),
            "profiles_fresh_after": per_profile,
            "window_s": round(window, 1),
            "cpu_ms": (cpu1 - cpu0) * 1000 // CLK_TCK,
            "wakeups": wakeups(switches0, switches1),
            "idle_window_s": round(idle_s, 1),
            "idle_cpu_ms": idle_cpu,
            "idle_wakeups": idle_wakeups,
        }))
    finally:
        if app:
            for pid in reversed(descendants(app.pid)):
                try:
                    os.kill(pid, 15)
                except ProcessLookupError:
                    pass
        idp.stdin.close()
        idp.wait(timeout=10)


def sign_in(lakekey, env, names):
    logins = [subprocess.Popen([lakekey, "login", "--profile", n, "--json", "--no-browser"], env=env,
                               stdout=subprocess.PIPE, text=True) for n in names]
    for login in logins:
        for line in login.stdout:
            event = json.loads(line)
            if event["event"] == "code":
                subprocess.run(["node", os.path.join(ROOT, "tests/idp/approve.mjs"), "--url",
                                event["verification_uri_complete"]], check=True, capture_output=True)
                break
    for login in logins:
        login.stdout.read()
        if login.wait() != 0:
            raise SystemExit("a sign-in failed")


def count_refreshes_per_profile(lakekey, env, names):
    """How many profiles now hold a token valid past the app's margin (refreshed by the app)."""
    fresh = 0
    for name in names:
        out = subprocess.run([lakekey, "status", "--profile", name, "--json"], env=env, capture_output=True, text=True)
        if out.returncode == 0 and (json.loads(out.stdout).get("expires_in") or 0) > MARGIN:
            fresh += 1
    return fresh


def descendants(pid):
    out = [pid]
    for child in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split():
        out += descendants(int(child))
    return out


def cpu_ticks(pid):
    total = 0
    for p in descendants(pid):
        try:
            fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except FileNotFoundError:
            pass
    return total


def context_switches(pid):
    """Voluntary + involuntary switches of each thread of the app's own process, by thread id."""
    counts = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            lines = open(f"/proc/{pid}/task/{tid}/status").read().splitlines()
        except FileNotFoundError:  # the thread ended while we looked
            continue
        counts[tid] = sum(int(l.split()[1]) for l in lines if l.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")))
    return counts


def wakeups(before, after):
    """Switches between two snapshots: threads that started in between count in full. A thread
    that ended in between (a blocking-pool thread idling out) takes its count with it, so this
    is a lower bound; a plain difference of totals could even go negative."""
    return sum(max(0, n - before.get(tid, 0)) for tid, n in after.items())


def stats(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__test/stats") as r:
        return json.load(r)


if __name__ == "__main__":
    main()
