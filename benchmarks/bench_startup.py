"""Time the command's start-up (run with `make bench`): `lrtsim --help` and a light command.

Each command is started as a new process 15 times after one warm-up start (so the operating
system's file cache holds the modules); the median and minimum wall times are printed with the
machine. Goal: `--help` under 0.3 s. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import time

from bench_support import machine

REPEATS = 15
COMMANDS = {
    "lrtsim --help": ["--help"],
    "lrtsim --version": ["--version"],
    "lrtsim scenario show astana": ["scenario", "show", "astana"],
    "lrtsim scenario export astana": ["scenario", "export", "astana"],
}


def wall_s(args: list[str]) -> float:
    """Wall time of one `python -m lrtsim.cli ARGS` run, output discarded."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "lrtsim.cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - start


def main() -> None:
    print(f"{machine()}; Python {platform.python_version()}")
    print(f"{'command':45s} {'median s':>9s} {'min s':>7s}")
    for name, args in COMMANDS.items():
        wall_s(args)
        times = [wall_s(args) for _ in range(REPEATS)]
        print(f"{name:45s} {statistics.median(times):9.3f} {min(times):7.3f}")


if __name__ == "__main__":
    main()
