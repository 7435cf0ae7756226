"""Time the command's start-up (run with `make bench`): `lrtsim --help`, light commands, and a
whole simulated day (`lrtsim simulate astana`, into a temporary folder).

Each command is started as a new process; after one warm-up start of each (so that the operating
system's file cache holds the modules and numba's disk cache is written), the commands take
turns for `--rounds` rounds (15 by default), so that a slow phase of a shared or virtual machine
falls on all of them alike. Printed: the machine, whether Python writes bytecode caches (with
`PYTHONDONTWRITEBYTECODE` set and no `__pycache__` beside the code, every start compiles
lrtsim's modules again, about 0.1 s more), then the median and minimum wall time and the median
CPU time (user + system, all threads) of each command.

`--src NAME=FOLDER` (repeatable) times the same commands from other source trees too, each
started with `PYTHONPATH=FOLDER`, in the same rounds: before/after figures of a change, taken
side by side (`git worktree add /tmp/before <commit>`, then `--src before=/tmp/before/src
--src after=src`). Goals: `--help` under 0.3 s, `simulate astana` under 1.5 s. Not a test:
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
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


def timed(args: list[str], src: str | None) -> tuple[float, float]:
    """Wall and CPU seconds of one `python -m lrtsim.cli ARGS` run, output discarded."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "lrtsim.cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        check=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=REPEATS, help="timed starts per command")
    parser.add_argument(
        "--src",
        action="append",
        default=[],
        metavar="NAME=FOLDER",
        help="also time the lrtsim of FOLDER (a source tree's src/), side by side",
    )
    options = parser.parse_args()
    trees: list[tuple[str, str | None]] = [("", None)] if not options.src else []
    for item in options.src:
        name, _, folder = item.partition("=")
        trees.append((name, str(Path(folder).resolve())))

    print(f"{machine()}; Python {platform.python_version()}")
    print(f"bytecode caches written: {'no' if sys.flags.dont_write_bytecode else 'yes'}")
    scratch = Path(tempfile.mkdtemp(prefix="lrtsim-bench-"))
    commands = {**COMMANDS, SIMULATE: ["simulate", "astana", "--out", str(scratch / "day")]}
    cases = [
        (f"{name}: {command}" if name else command, args, src)
        for name, src in trees
        for command, args in commands.items()
    ]
    walls: dict[str, list[float]] = {label: [] for label, _, _ in cases}
    cpus: dict[str, list[float]] = {label: [] for label, _, _ in cases}
    try:
        for _, args, src in cases:
            timed(args, src)
        for _ in range(options.rounds):
            for label, args, src in cases:
                wall, cpu = timed(args, src)
                walls[label].append(wall)
                cpus[label].append(cpu)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    width = max(45, *(len(label) for label in walls))
    print(f"{'command':{width}s} {'median s':>9s} {'min s':>7s} {'CPU s':>7s}")
    for label, times in walls.items():
        print(
            f"{label:{width}s} {statistics.median(times):9.3f} {min(times):7.3f} "
            f"{statistics.median(cpus[label]):7.3f}"
        )
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
