"""Time the robust-design search (`make bench`): `lrtsim experiment design astana` with the
issue's targets and a wait target that binds, as a new process, on 1 and on 2 workers of one
pool for the whole search (`--no-cache`), then again on 2 workers from the cache of finished
days (what resuming or repeating a search costs: the planning of each point, no simulation).

`--days N` sets the days per point (default 10). Prints the machine. Not a test: nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_support import machine

TARGETS = ("excess_wait_s<=60@p90", "denied_boarding_pct<=1@p95", "mean_wait_s<=215@p90")


def design(folder: Path, days: int, workers: int, *, cache: bool) -> tuple[float, dict]:
    """Wall seconds of one search and its JSON."""
    args = [sys.executable, "-m", "lrtsim.cli", "experiment", "design", "astana"]
    for target in TARGETS:
        args += ["--target", target]
    args += ["--days", str(days), "--workers", str(workers), "--json", "--force"]
    args += ["--out", str(folder / "design"), "--db", str(folder / "cat.sqlite")]
    args += ["--cache", str(folder / "cache")] if cache else ["--no-cache"]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=True, cwd=folder)
    return time.perf_counter() - start, json.loads(done.stdout)


def main() -> None:
    """Print the benchmark table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=10)
    days = parser.parse_args().days
    print(machine())
    print(f"Astana weekday, design search, {days} days per point, base seed 0")
    print(f"{'run':<28} {'points':>6} {'days':>6} {'wall s':>8} {'answer':>8} {'fleet':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        walls = {}
        runs = [("1 worker", 1, False), ("2 workers", 2, False), ("2 workers, from cache", 2, True)]
        design(folder, days, 2, cache=True)  # fills the cache (and warms numba's kernels)
        for name, workers, cache in runs:
            wall, payload = design(folder, days, workers, cache=cache)
            walls[name] = wall
            answer = payload["answer"] or {}
            print(
                f"{name:<28} {len(payload['points']):>6} {len(payload['points']) * days:>6} "
                f"{wall:>8.1f} {answer.get('peak_headway_s', float('nan')):>7.0f}s "
                f"{answer.get('fleet', '—'):>6}"
            )
    print(f"speed-up 1 → 2 workers: {walls['1 worker'] / walls['2 workers']:.2f}×")


if __name__ == "__main__":
    main()
