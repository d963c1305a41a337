"""Runs each Windows test binary of the workspace under Wine, skipping the tests listed in
scripts/windows/skipped-tests (each with its reason), and fails if any other test fails or a
binary does not run. Called by scripts/test-windows with the JSON cargo printed for the build.
Usage: python3 run-tests.py CARGO_JSON SKIP_LIST"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

cargo_json, skip_list = Path(sys.argv[1]), Path(sys.argv[2])

skips = {}
for line in skip_list.read_text().splitlines():
    if not line.strip() or line.startswith("#"):
        continue
    name, reason = line.split(None, 1)
    binary, test = name.split("::", 1)
    skips.setdefault(binary, {})[test] = reason.strip()

binaries = []
for line in cargo_json.read_text().splitlines():
    message = json.loads(line)
    if message.get("reason") == "compiler-artifact" and message.get("executable") and message["profile"]["test"]:
        target = message["target"]
        # Integration tests by their name; unit tests by crate and kind (lakekey@lib, lakekey@bin).
        name = target["name"] if target["kind"] == ["test"] else f"{target['name']}@{target['kind'][0]}"
        binaries.append((name, message["executable"]))

# A test binary that runs longer than this is hung: the longest (device_flow) takes about 80 s.
TIME_LIMIT_S = 600


def run(args, env=None):
    """Runs a Windows program under Wine; past TIME_LIMIT_S it ends every process of this run's
    Wine prefix (all started by this script) and returns what the program had printed, with
    returncode None. A crash inside Wine's heap code keeps the heap lock while Wine starts its
    debugger, which then waits for that lock for ever: without a limit, CI ran out of time."""
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               errors="replace", env={**os.environ, **(env or {})})
    try:
        stdout, stderr = process.communicate(timeout=TIME_LIMIT_S)
        return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)
    except subprocess.TimeoutExpired:
        # The hung program's children hold its pipes open: end them all, then read what is left.
        subprocess.run(["wineserver", "-k"], check=False)
        process.kill()
        stdout, stderr = process.communicate()
        return subprocess.CompletedProcess(args, None, stdout, stderr)


def started_tests(done):
    return any(l.startswith("running ") for l in done.stdout.splitlines())


def wine_status(code):
    if code is None:
        return f"hung: still running after {TIME_LIMIT_S} s, ended"
    # A process Wine cannot start ends with the low byte of its NTSTATUS: 53 is 0xC0000135 (a DLL
    # not found), 66 is 0xC0000142 (a DLL's initialisation failed).
    known = {53: "0xC0000135, a DLL not found", 66: "0xC0000142, a DLL failed to initialise"}
    return f"exit {code}" + (f" (NTSTATUS {known[code]})" if code in known else "")


failed = []
unused = {b: set(t) for b, t in skips.items()}
for name, exe in sorted(binaries):
    listed = skips.get(name, {})
    if "*" in listed:
        print(f"== {name}: skipped under Wine: {listed['*']}", flush=True)
        unused[name].discard("*")
        continue
    # One test at a time: Wine keeps Credential Manager in its registry, and its CredEnumerateW
    # reads the credentials twice, first to size its buffer, then to fill it; a credential that
    # another process writes in between overflows that buffer (heap corruption: a page fault in
    # RtlAllocateHeap and a hang) or vanishes mid-list (ERROR_KEY_DELETED, 1018). Tests running
    # side by side write credentials while others list them (the store's chunk sweep, the tests'
    # own checks). On Windows, Credential Manager is a service that answers each call whole (not
    # provable here).
    args = ["wine", exe, "--exact", "--color", "never", "--test-threads", "1"]
    if listed:
        # A skip entry must name a test this binary has: a renamed test is not skipped silently.
        listing = run(["wine", exe, "--list", "--format", "terse"])
        if not listing.stdout.strip():
            listing = run(["wine", exe, "--list", "--format", "terse"])  # Wine's rare failed start
        names = {line.rsplit(": ", 1)[0] for line in listing.stdout.splitlines() if line.endswith(": test")}
    for test, reason in listed.items():
        args += ["--skip", test]
        print(f"   skipped under Wine: {name}::{test}: {reason}")
        if test in names:
            unused[name].discard(test)
    started = time.monotonic()
    done = run(args)
    if not started_tests(done):
        # Wine did not get as far as the test harness (no "running N tests"): a CI run saw a binary
        # end at once with status 66 (NTSTATUS 0xC0000142, a DLL failed to initialise), the
        # address clash test-windows now prevents with setarch -R. Should a start fail anyway, say
        # so, with Wine's own errors, and start it once more; a test that ran and failed is never
        # run again.
        print(f"   {name}: Wine did not start it ({wine_status(done.returncode)}); once more, with Wine's errors:", flush=True)
        done = run(args, {"WINEDEBUG": "err+all"})
        if not started_tests(done):
            print(done.stderr[-5000:])
    summary = [l for l in done.stdout.splitlines() if l.startswith("test result:")]
    print(f"== {name} ({time.monotonic() - started:.1f} s): {summary[-1] if summary else wine_status(done.returncode)}", flush=True)
    if done.returncode != 0 or not summary:
        failed.append(name)
        print(done.stdout[-20000:])
        print(done.stderr[-5000:])

stale = [f"{b}::{t}" for b, tests in unused.items() for t in tests]
if stale:
    print(f"skip list names tests that do not exist: {stale}")
    failed.append("skipped-tests")
if failed:
    sys.exit(f"failed under Wine: {', '.join(failed)}")
print("every Windows test binary passed under Wine (the listed tests skipped)")
