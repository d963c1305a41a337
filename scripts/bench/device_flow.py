#!/usr/bin/env python3
"""Device-flow latency for scripts/bench/run: from the moment the user's approval completes at the
test IdP (oidc-provider, tests/idp/server.mjs) to the moment `lakekey login` has stored the token,
set against the polling interval the IdP advertised. Also counts the polls and checks that none
came sooner than the interval after the one before.

Usage: bench_device_flow.py LAKEKEY_BIN RUNS INTERVAL_SECONDS
Prints one JSON object. Needs the keyring D-Bus session (scripts/bench/run runs it inside one).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    lakekey, runs, interval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    idp = subprocess.Popen(
        ["node", os.path.join(ROOT, "tests/idp/server.mjs"), "--interval", str(interval)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        ready = json.loads(idp.stdout.readline())
        config = tempfile.mkdtemp(prefix="lakekey-bench-df-")
        env = {**os.environ, "LAKEKEY_CONFIG_DIR": config}
        latencies, polls, spacings = [], [], []
        for run in range(runs):
            name = f"df{run}"
            subprocess.run([lakekey, "profile", "add", name, "--base-url", ready["base_url"], "--org-id", "acme"],
                           env=env, check=True, capture_output=True)
            before = len(stats(ready["port"])["polls"])
            login = subprocess.Popen([lakekey, "login", "--profile", name, "--json", "--no-browser"],
                                     env=env, stdout=subprocess.PIPE, text=True)
            approved_at = signed_in_at = None
            for line in login.stdout:
                event = json.loads(line)
                if event["event"] == "code":
                    # Approve a little after the code appears, at different points across the
                    # first polls, as a person would; the approval completes when approve.mjs prints.
                    time.sleep(0.3 + (run % 4) * interval * 0.75)
                    out = subprocess.run(["node", os.path.join(ROOT, "tests/idp/approve.mjs"), "--url",
                                          event["verification_uri_complete"]], capture_output=True, text=True)
                    approved_at = time.monotonic()
                    if "approved" not in out.stdout:
                        raise SystemExit(f"approval failed: {out.stdout} {out.stderr}")
                elif event["event"] == "signed_in":
                    signed_in_at = time.monotonic()
            login.wait()
            if login.returncode != 0 or signed_in_at is None:
                raise SystemExit(f"login failed with exit code {login.returncode}")
            latencies.append((signed_in_at - approved_at) * 1000)
            run_polls = [p["at"] for p in stats(ready["port"])["polls"][before:]]
            polls.append(len(run_polls))
            spacings += [b - a for a, b in zip(run_polls, run_polls[1:])]
            subprocess.run([lakekey, "logout", "--profile", name, "--local-only"], env=env, capture_output=True)
        print(json.dumps({
            "interval_ms": interval * 1000,
            "runs": runs,
            "median_latency_ms": statistics.median(latencies),
            "max_latency_ms": max(latencies),
            "median_polls": statistics.median(polls),
            "min_poll_spacing_ms": min(spacings) if spacings else None,
        }))
    finally:
        idp.stdin.close()
        idp.wait(timeout=10)


def stats(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__test/stats") as r:
        return json.load(r)


if __name__ == "__main__":
    main()
