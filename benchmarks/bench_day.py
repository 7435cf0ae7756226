"""Time one simulated service day (`simulation.day.simulate_day`) on Astana (`make bench`).

The weekday plan is made once, outside the timings; a first call compiles or loads numba's
kernels. Timed: the whole day (passengers drawn, every stop visit as an event, tables built) at
the scenario's own variability, and, for scale, drawing the passengers alone. Prints the
machine. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

from bench_support import machine, timed
from lrtsim.model.load import load_scenario
from lrtsim.planning.day_types import make_day_plans
from lrtsim.simulation.arrivals import draw_arrivals, service_hours_s
from lrtsim.simulation.day import simulate_day
from lrtsim.simulation.seeds import stream

REPEATS = 10


def main() -> None:
    """Print the benchmark table."""
    scenario = load_scenario("astana")
    plan = {p.day_type: p.plan for p in make_day_plans(scenario)}["weekday"]
    start_s, end_s = service_hours_s(scenario)
    day = simulate_day(plan, scenario, 0)  # warm-up: numba kernels
    print(machine())
    print(
        f"Astana weekday: {plan.trips} trips, {len(day.stop_times)} stop visits, "
        f"{len(day.passengers)} passengers, {len(day.events)} events"
    )
    print(f"{'case':<44} {'median ms':>10} {'min ms':>8}")
    cases: list[tuple[str, Callable[[], object]]] = [
        ("simulate_day (whole day, tables)", lambda: simulate_day(plan, scenario, 1)),
        (
            "draw_arrivals alone",
            lambda: draw_arrivals(plan.od, stream(1, "arrivals"), start_s=start_s, end_s=end_s),
        ),
    ]
    for name, fn in cases:
        ms = timed(fn, REPEATS)
        print(f"{name:<44} {statistics.median(ms):>10.1f} {min(ms):>8.1f}")


if __name__ == "__main__":
    main()
