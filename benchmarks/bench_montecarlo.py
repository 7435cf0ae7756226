"""Time Monte Carlo days (`make bench`): N Astana weekdays on 1 and on 2 workers of the local
engine, the scaling efficiency between them, and what 1,000 days would take.

The plan is made once, outside the timings (as `lrtsim experiment montecarlo` does); each
`run_days` call starts its own pool, so the 2-worker figure includes the workers' start (each
imports lrtsim and loads numba's cached kernels). `--days N` sets N (default 200). Prints the
machine. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import time

from bench_support import machine
from lrtsim.experiments.days import prepare, run_days
from lrtsim.model.load import load_scenario


def main() -> None:
    """Print the benchmark table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=200)
    days = parser.parse_args().days
    prepared = prepare(load_scenario("astana"), None)
    run_days(prepared, 0, range(2), workers=1)  # warm-up: numba kernels
    print(machine())
    print(f"Astana weekday, {days} days, base seed 1")
    print(f"{'workers':<10} {'wall s':>8} {'days/s':>8} {'ms a day':>9}")
    walls = {}
    for workers in (1, 2):
        start = time.perf_counter()
        table = run_days(prepared, 1, range(days), workers=workers)
        walls[workers] = time.perf_counter() - start
        assert len(table) == days
        print(
            f"{workers:<10} {walls[workers]:>8.1f} {days / walls[workers]:>8.2f} "
            f"{1000 * walls[workers] / days:>9.1f}"
        )
    efficiency = walls[1] / (2 * walls[2])
    per_day_2 = walls[2] / days
    print(f"scaling 1 → 2 workers: {100 * efficiency:.0f} % efficient (pool start included)")
    print(f"1,000 days on 2 workers, projected: {1000 * per_day_2:.0f} s")


if __name__ == "__main__":
    main()
