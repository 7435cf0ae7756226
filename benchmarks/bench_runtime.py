"""Time the running-time engine and the headway analysis on Astana (run with `make bench`).

Times one full-line run per direction at 1 m resolution after a warm-up (numba compiled), the
energy-saving search for a 5 % allowance, and the whole headway analysis. Prints the machine so
figures can be recorded in docs/performance.md. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import platform
import statistics

import numba
import numpy as np

from bench_support import machine, timed
from lrtsim.capacity.analysis import analyse
from lrtsim.dynamics.energy_saving import eco_run
from lrtsim.dynamics.envelope import run
from lrtsim.dynamics.track import run_track
from lrtsim.dynamics.train import train_params
from lrtsim.io.outputs import plan_files
from lrtsim.model.load import load_scenario
from lrtsim.planning.day_types import make_day_plans
from lrtsim.planning.plan import make_plan


def main() -> None:
    """Print the benchmark table."""
    scenario = load_scenario("astana")
    train = train_params(scenario.rolling_stock, 0.5)
    print(machine())
    print(f"python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}")
    print(f"{'case':<44} {'median ms':>10} {'min ms':>8} {'points':>8}")
    for direction in ("up", "down"):
        track = run_track(scenario.line, direction)
        profile = run(track, train, max_step_m=1.0)  # warm-up: compiles the kernels
        times = timed(lambda track=track: run(track, train, max_step_m=1.0), 50)
        name = f"minimum-time run, {direction}, 1 m steps"
        print(
            f"{name:<44} {statistics.median(times):>10.2f} {min(times):>8.2f} "
            f"{len(profile.position_m):>8}"
        )
    for direction in ("up", "down"):
        track = run_track(scenario.line, direction)
        eco_run(track, train, 5.0)
        times = timed(lambda track=track: eco_run(track, train, 5.0), 5)
        name = f"energy-saving search, 5 % allowance, {direction}"
        print(f"{name:<44} {statistics.median(times):>10.2f} {min(times):>8.2f}")
    analyse(scenario)
    times = timed(lambda: analyse(scenario), 10)
    name = "headway analysis (both directions, terminals)"
    print(f"{name:<44} {statistics.median(times):>10.2f} {min(times):>8.2f}")
    plan = make_plan(scenario)
    times = timed(lambda: make_plan(scenario), 5)
    name = f"service plan, one day ({plan.trips} trips)"
    print(f"{name:<44} {statistics.median(times):>10.2f} {min(times):>8.2f}")
    days = make_day_plans(scenario)
    times = timed(lambda: make_day_plans(scenario), 5)
    name = f"service plans, {len(days)} day types ({sum(d.plan.trips for d in days)} trips)"
    print(f"{name:<44} {statistics.median(times):>10.2f} {min(times):>8.2f}")
    times = timed(lambda: plan_files(scenario, days), 5)
    name = "plan files: CSVs and the GTFS zip, in memory"
    print(f"{name:<44} {statistics.median(times):>10.2f} {min(times):>8.2f}")


if __name__ == "__main__":
    main()
