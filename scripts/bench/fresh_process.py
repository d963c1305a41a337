#!/usr/bin/env python3
"""A token in a fresh process, LakeKey against teradataml, run alternately so machine drift hits
both alike. Prints one JSON object: medians (ms), peak RSS (MiB) and the ratios.

usage: bench_fresh_process.py RUNS -- LABEL=CMD... (each CMD a shell-free argv joined by \x1f)
"""
import json
import os
import statistics
import sys
import time


def run(argv):
    """Wall time (ms) and peak RSS (MiB) of one run, from wait4's rusage."""
    start = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, dict(os.environ), file_actions=[
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ])
    _, status, usage = os.wait4(pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{argv[0]} failed with {os.waitstatus_to_exitcode(status)}")
    return elapsed, usage.ru_maxrss / 1024


def main():
    runs = int(sys.argv[1])
    commands = {}
    for spec in sys.argv[3:]:
        label, cmd = spec.split("=", 1)
        commands[label] = cmd.split("\x1f")
    times = {label: [] for label in commands}
    rss = {label: [] for label in commands}
    for label, argv in commands.items():  # one warm-up each
        run(argv)
    for _ in range(runs):
        for label, argv in commands.items():
            t, m = run(argv)
            times[label].append(t)
            rss[label].append(m)
    print(json.dumps({
        label: {"median_ms": statistics.median(times[label]), "peak_rss_mib": max(rss[label])}
        for label in commands
    }))


if __name__ == "__main__":
    main()
