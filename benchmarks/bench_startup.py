"""Time the command's start-up (run with `make bench`): `lrtsim --help`, light commands, and a
whole simulated day (`lrtsim simulate astana`, into a temporary folder).

Each command is started as a new process 15 times after one warm-up start (so the operating
system's file cache holds the modules); the median and minimum wall times are printed with the
machine. Goals: `--help` under 0.3 s, `simulate astana` under 1.5 s. Not a test: nothing here
asserts a time.
"""

from __future__ import annotations

import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_support import machine

REPEATS = 15
COMMANDS = {
    "lrtsim --help": ["--help"],
    "lrtsim --version": ["--version"],
    "lrtsim scenario show astana": ["scenario", "show", "astana"],
    "lrtsim scenario export astana": ["scenario", "export", "astana"],
}
SIMULATE = "lrtsim simulate astana"
"""Timed with `--out` in a temporary folder, removed afterwards."""


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
    scratch = Path(tempfile.mkdtemp(prefix="lrtsim-bench-"))
    commands = {**COMMANDS, SIMULATE: ["simulate", "astana", "--out", str(scratch / "day")]}
    try:
        for name, args in commands.items():
            wall_s(args)
            times = [wall_s(args) for _ in range(REPEATS)]
            print(f"{name:45s} {statistics.median(times):9.3f} {min(times):7.3f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
