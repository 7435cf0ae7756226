"""Time the passenger part of the day simulation on Astana (run with `make bench`).

A full weekday: the passengers drawn from the OD matrix over the service hours (≈ 88,000), then
served on the planned timetable (301 trips, 5,418 stop visits) at the planner's loading standard
and at a capacity that leaves people behind in the peaks. Then how the cost grows with
passengers (the demand × 1/3, 1, 3.3) and with trips (every trip twice, 150 s apart). The plan is
made once, outside the timings; numba's kernels are compiled (or loaded from the disk cache) by
a first call. Prints the machine. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import platform
import statistics
import time

import numba
import numpy as np
import pandas as pd

from bench_support import machine, timed
from lrtsim.demand.od import OdMatrix
from lrtsim.model.load import load_scenario
from lrtsim.planning.day_types import make_day_plans
from lrtsim.simulation.arrivals import Arrivals, draw_arrivals, service_hours_s
from lrtsim.simulation.passenger_day import serve_day
from lrtsim.simulation.seeds import stream

REPEATS = 20


def row(name: str, times: list[float], note: str = "") -> None:
    print(f"{name:<52} {statistics.median(times):>9.2f} {min(times):>8.2f}  {note}")


def doubled(timetable: pd.DataFrame, shift_s: float) -> pd.DataFrame:
    """Every trip twice: the copy `shift_s` later, with its own trip id."""
    copy = timetable.assign(
        trip_id=timetable["trip_id"] + "-b",
        arrival_s=timetable["arrival_s"] + shift_s,
        departure_s=timetable["departure_s"] + shift_s,
    )
    return pd.concat([timetable, copy], ignore_index=True)


def main() -> None:
    """Print the benchmark table."""
    scenario = load_scenario("astana")
    plan = {p.day_type: p.plan for p in make_day_plans(scenario)}["weekday"]
    start_s, end_s = service_hours_s(scenario)
    stock = scenario.rolling_stock
    standard = stock.capacity_at(scenario.service.loading_standard_pax_per_m2)
    seed = stream(2026, "arrivals")
    print(machine())
    print(f"python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}")
    timetable = plan.timetable

    def arrivals(od: OdMatrix = plan.od) -> Arrivals:
        return draw_arrivals(od, seed, start_s=start_s, end_s=end_s)

    day = draw_arrivals(plan.od, seed, start_s=start_s, end_s=end_s)
    t0 = time.perf_counter()
    serve_day(timetable, day, standard)
    first_ms = (time.perf_counter() - t0) * 1000.0
    print(f"first call (compiles or loads the numba kernels): {first_ms:.0f} ms")
    print(f"{'case':<52} {'median ms':>9} {'min ms':>8}")
    trips = timetable["trip_id"].nunique()
    row(f"arrivals, Astana weekday ({len(day)} passengers)", timed(arrivals, REPEATS))
    for name, capacity in (("loading standard", standard), ("capacity 180", 180.0)):
        result = serve_day(timetable, day, capacity)
        left = int(result.stop_visits["left_behind"].sum())
        row(
            f"passenger day, {name} ({trips} trips)",
            timed(lambda c=capacity: serve_day(timetable, day, c), REPEATS),
            f"left behind {left}",
        )
    row(
        "arrivals + passenger day, loading standard",
        timed(lambda: serve_day(timetable, arrivals(), standard), REPEATS),
    )
    print("growth with passengers (demand scaled; arrivals + passenger day, standard):")
    for factor in (1 / 3, 1.0, 10 / 3):
        od = OdMatrix(stations=plan.od.stations, trips=plan.od.trips * factor, daily=plan.od.daily)
        scaled = draw_arrivals(od, seed, start_s=start_s, end_s=end_s)
        row(
            f"  {len(scaled)} passengers",
            timed(lambda od=od: serve_day(timetable, arrivals(od), standard), 10),
        )
    print("growth with trips (passenger day, standard):")
    dense = doubled(timetable, 150.0)
    for name, table in ((f"{trips} trips", timetable), (f"{2 * trips} trips", dense)):
        row(f"  {name}", timed(lambda t=table: serve_day(t, day, standard), REPEATS))


if __name__ == "__main__":
    main()
