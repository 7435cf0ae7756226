"""Time the GTFS-Realtime layer (`lrtsim.io.gtfs_rt`) on the Astana day: building the live day
once, then each call at instants spread across the service window (the web serves these up to
200 times a second). Prints the machine. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from bench_support import machine, timed
from lrtsim.io.gtfs_rt import (
    live_day,
    posix_s,
    service_window_s,
    trip_updates_feed,
    vehicle_positions_feed,
    vehicles,
)
from lrtsim.model.load import load_scenario
from lrtsim.pipeline import configure, run_pipeline


def per_call_ms(instants: list[float], fn: Callable[[float], object]) -> list[float]:
    """Milliseconds of one call at each instant."""
    out = []
    for t_s in instants:
        t0 = time.perf_counter()
        fn(t_s)
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def main() -> None:
    """Print the benchmark table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=500, help="instants timed per function")
    parser.add_argument("--builds", type=int, default=3, help="live_day builds timed")
    args = parser.parse_args()
    run = run_pipeline(configure(load_scenario("astana"), []))
    live = live_day(run)  # warm-up
    print(machine())
    start_s, end_s = service_window_s(live)
    print(
        f"Astana {run.design.day_type}: {len(live.trip_id)} trips, {live.sample_t_s.size} samples"
    )
    instants = np.random.default_rng(0).uniform(start_s, end_s, args.calls).tolist()
    print(f"{'case':<32} {'median ms':>10} {'p99 ms':>8} {'max ms':>8}")
    rows: list[tuple[str, list[float]]] = [
        ("live_day (build)", timed(lambda: live_day(run), args.builds))
    ]
    rows += [
        ("vehicles", per_call_ms(instants, lambda t: vehicles(live, t))),
        (
            "vehicle_positions_feed",
            per_call_ms(instants, lambda t: vehicle_positions_feed(live, t, posix_s(live, t))),
        ),
        (
            "trip_updates_feed",
            per_call_ms(instants, lambda t: trip_updates_feed(live, t, posix_s(live, t))),
        ),
    ]
    for name, ms in rows:
        p99 = float(np.percentile(ms, 99))
        print(f"{name:<32} {statistics.median(ms):>10.2f} {p99:>8.2f} {max(ms):>8.2f}")


if __name__ == "__main__":
    main()
