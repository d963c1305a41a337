"""Sign-in methods compared: wall time and user steps from "Sign in" to a stored token, the browser
sign-in (authorization code with PKCE, loopback redirect) against the device flow, both against
the test IdP (tests/idp/server.mjs) with the stand-in browser (tests/idp/browser.mjs) doing what
the user does. The device flow's approval starts as soon as the code is shown, as fast as a
person could; its polls wait the IdP's interval.

Usage: python3 scripts/bench/sign_in.py LAKEKEY RUNS INTERVAL
Prints one JSON object: per method, the median and max wall time (ms) and the user's steps.
Run inside a keychain session (scripts/bench/run does; or dbus-run-session -- scripts/with-keyring).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# What the user does, step by step, in each method (the stand-in browser does the same pages).
STEPS = {
    "browser": ["click Sign in", "sign in at the identity provider", "consent"],
    "device": ["click Sign in", "open the page", "compare and enter the code", "sign in at the identity provider", "consent", "confirm the device"],
}


def main() -> None:
    lakekey, runs, interval = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    idp = subprocess.Popen(["node", os.path.join(ROOT, "tests/idp/server.mjs"), "--interval", interval], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    ready = json.loads(idp.stdout.readline())
    results = {}
    with tempfile.TemporaryDirectory() as work:
        shim = os.path.join(work, "xdg-open")
        with open(shim, "w") as f:
            f.write(f"#!/bin/sh\nnode '{ROOT}/tests/idp/browser.mjs' \"$1\" >/dev/null 2>&1 &\n")
        os.chmod(shim, 0o755)
        env = {**os.environ, "LAKEKEY_CONFIG_DIR": os.path.join(work, "config"), "PATH": f"{work}:{os.environ['PATH']}", "DISPLAY": os.environ.get("DISPLAY", ":0")}
        for method in ("browser", "device"):
            times = []
            for run in range(runs):
                name = f"{method}{run}"
                extra = ["--idp", "custom", "--issuer", ready["issuer"]] + (["--client-id", "lakekey-browser", "--method", "browser"] if method == "browser" else [])
                subprocess.run([lakekey, "profile", "add", name, "--base-url", ready["base_url"], "--org-id", "acme", *extra], env=env, check=True, capture_output=True)
                started = time.monotonic()
                login = subprocess.Popen([lakekey, "login", "--profile", name, "--json"] + (["--no-browser"] if method == "device" else []), env=env, stdout=subprocess.PIPE, text=True)
                for line in login.stdout:
                    event = json.loads(line)
                    if event["event"] == "code":
                        subprocess.run(["node", os.path.join(ROOT, "tests/idp/approve.mjs"), "--url", event["verification_uri_complete"]], check=True, capture_output=True)
                if login.wait() != 0:
                    raise SystemExit(f"{method} sign-in {run} failed")
                times.append((time.monotonic() - started) * 1000)
                subprocess.run([lakekey, "logout", "--profile", name, "--local-only"], env=env, check=True, capture_output=True)
            results[method] = {"median_ms": statistics.median(times), "max_ms": max(times), "runs": runs, "steps": len(STEPS[method]), "what": STEPS[method]}
    idp.kill()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
