"""How the simulated day's cost grows with passengers and with trips, on Astana (`make bench`).

Times the core, `simulation.day.simulate_day(plan, scenario, seed)` (issue 9: a full Astana
weekday of ~90,000 passengers in at most 0.3 s), warm: every plan is made once, outside the
timings, and a first call per case compiles or loads numba's kernels. Each case gives the median
and minimum of `ROUNDS` calls, and beside them the median of drawing the day's passengers alone
(`draw_arrivals` with the arguments `simulate_day` gives it), so that the rest, trains and
boarding and the tables, is the difference. The calls are interleaved, one of every case a
round, after a garbage collection: this virtual machine has slower phases
(docs/performance.md), which would otherwise fall on some cases and not on others. The
benchmark calls only the public API, so the loop cannot be timed apart from the tables here;
docs/performance.md has that split (timed once through the private stages) and a profile.

The cases, each a variant of the scenario planned as the weekday (`make_day_plans`):

- passengers: `demand.daily_boardings` (the scenario gives a daily total, spread by the hourly
  profile and a gravity model) at 30,000, 90,000 (the scenario's own) and 300,000. The planner
  shortens the headways where the loads need it, so the trips grow too at 300,000; the same
  demands on the 90,000 plan's timetable (its OD matrix scaled, `dataclasses.replace`) show the
  passengers' cost alone.
- trips: every period's policy headway (`service.periods[].max_headway_s`) forced to 5 min and
  to 2 min, and the peaks' alone (the periods of the shortest policy headway) to 2 min. 2 min is
  above Astana's minimum headway (≈ 118 s, the Airport terminal); a policy below the minimum
  is held at the minimum by the planner, and the line printed says which was used.

Prints the machine and a table. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import gc
import platform
import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace

import numba
import numpy as np

from bench_support import machine, timed
from lrtsim.demand.od import OdMatrix
from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Scenario
from lrtsim.planning.day_types import make_day_plans
from lrtsim.planning.plan import ServicePlan
from lrtsim.simulation.arrivals import draw_arrivals, service_hours_s
from lrtsim.simulation.day import simulate_day
from lrtsim.simulation.seeds import stream

ROUNDS = 7
SEED = 1
DAILY_PASSENGERS = (30_000, 90_000, 300_000)


@dataclass(frozen=True)
class Case:
    """One plan to simulate, and the scenario it was made from."""

    group: str
    name: str
    plan: ServicePlan
    scenario: Scenario


@dataclass(frozen=True)
class Row:
    """The figures of one case: sizes of the simulated day and times in ms."""

    case: Case
    passengers: int
    stop_visits: int
    events: int
    median_ms: float
    min_ms: float
    arrivals_ms: float

    @property
    def rest_ms(self) -> float:
        """Median of the day − median of the arrivals draw: trains, boarding, tables."""
        return self.median_ms - self.arrivals_ms


def weekday_plan(scenario: Scenario) -> ServicePlan:
    """The weekday's service plan, made as `bench_day` makes it."""
    return {p.day_type: p.plan for p in make_day_plans(scenario)}["weekday"]


def with_daily_boardings(scenario: Scenario, daily: float) -> Scenario:
    """The scenario with `demand.daily_boardings` set to `daily`."""
    demand = scenario.demand.model_copy(update={"daily_boardings": float(daily)})
    return scenario.model_copy(update={"demand": demand})


def with_headway(scenario: Scenario, headway_s: float, *, peaks_only: bool) -> Scenario:
    """The scenario with the policy headway of every period, or of the peaks (the periods of
    the shortest policy headway), set to `headway_s`."""
    periods = scenario.service.periods
    peak_s = min(p.max_headway_s for p in periods)
    forced = [
        p.model_copy(update={"max_headway_s": float(headway_s)})
        if not peaks_only or p.max_headway_s == peak_s
        else p
        for p in periods
    ]
    service = scenario.service.model_copy(update={"periods": forced})
    return scenario.model_copy(update={"service": service})


def scaled_od(plan: ServicePlan, factor: float) -> ServicePlan:
    """The plan with its OD matrix × `factor`: the same trips, more or fewer passengers."""
    od = OdMatrix(stations=plan.od.stations, trips=plan.od.trips * factor, daily=plan.od.daily)
    return replace(plan, od=od)


def headways(plan: ServicePlan) -> str:
    """The planned headways of the day's periods, in minutes: '10/5/10/5/10'."""
    return "/".join(f"{p.headway_s / 60:g}" for p in plan.periods)


def cases(scenario: Scenario) -> list[Case]:
    """Every variant of the benchmark, its plan made once."""
    base = weekday_plan(scenario)
    out = []
    for daily in DAILY_PASSENGERS:
        variant = with_daily_boardings(scenario, daily)
        plan = base if daily == scenario.demand.daily_boardings else weekday_plan(variant)
        out.append(Case("passengers, re-planned", f"{daily:,} a day", plan, variant))
    for daily in DAILY_PASSENGERS:
        plan = scaled_od(base, daily / base.od.total)
        out.append(Case(f"passengers, {base.trips} trips", f"{daily:,} a day", plan, scenario))
    trip_variants = (
        ("policy (peaks 5 min, else 10)", scenario),
        ("every period 5 min", with_headway(scenario, 300.0, peaks_only=False)),
        ("peaks 2 min, else 10", with_headway(scenario, 120.0, peaks_only=True)),
        ("every period 2 min", with_headway(scenario, 120.0, peaks_only=False)),
    )
    for name, variant in trip_variants:
        plan = base if variant is scenario else weekday_plan(variant)
        out.append(Case("trips, 90,000 a day", name, plan, variant))
    return out


def day_call(case: Case) -> Callable[[], object]:
    """The core call of a case: one simulated day."""
    return lambda: simulate_day(case.plan, case.scenario, SEED)


def arrivals_call(case: Case) -> Callable[[], object]:
    """The passengers of the case's day drawn alone, as `simulate_day` draws them."""
    start_s, end_s = service_hours_s(case.scenario)
    od = case.plan.od
    return lambda: draw_arrivals(od, stream(SEED, "arrivals"), start_s=start_s, end_s=end_s)


def measure(all_cases: list[Case]) -> list[Row]:
    """Warm up on every case, then time `simulate_day` and the arrivals draw alone, one call of
    each case a round, each after a garbage collection."""
    days = [simulate_day(c.plan, c.scenario, SEED) for c in all_cases]  # warm-up, and sizes
    day_ms: list[list[float]] = [[] for _ in all_cases]
    arrivals_ms: list[list[float]] = [[] for _ in all_cases]
    for _ in range(ROUNDS):
        for k, case in enumerate(all_cases):
            gc.collect()
            day_ms[k] += timed(day_call(case), 1)
            gc.collect()
            arrivals_ms[k] += timed(arrivals_call(case), 1)
    return [
        Row(
            case=case,
            passengers=len(day.passengers),
            stop_visits=len(day.stop_visits),
            events=len(day.events),
            median_ms=statistics.median(day_t),
            min_ms=min(day_t),
            arrivals_ms=statistics.median(arrivals_t),
        )
        for case, day, day_t, arrivals_t in zip(all_cases, days, day_ms, arrivals_ms, strict=True)
    ]


def main() -> None:
    """Print the benchmark table."""
    scenario = load_scenario("astana")
    print(machine())
    print(f"python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}")
    all_cases = cases(scenario)
    minimum = all_cases[0].plan.capacity
    print(
        f"line minimum headway {minimum.line_min_headway_s:.1f} s "
        f"({minimum.bottleneck.where}); simulate_day median and min of {ROUNDS} warm calls, "
        "arrivals = draw_arrivals alone (median), rest = median − arrivals"
    )
    header = (
        f"{'case':<32} {'headways min':>14} {'trips':>5} {'visits':>6} {'passengers':>10} "
        f"{'events':>6} {'median ms':>9} {'min ms':>7} {'arrivals':>8} {'rest':>6}"
    )
    group = ""
    for r in measure(all_cases):
        case = r.case
        if case.group != group:
            group = case.group
            print(f"growth with {group}:")
            print(header)
        print(
            f"  {case.name:<30} {headways(case.plan):>14} {case.plan.trips:>5} "
            f"{r.stop_visits:>6} {r.passengers:>10,} {r.events:>6} {r.median_ms:>9.1f} "
            f"{r.min_ms:>7.1f} {r.arrivals_ms:>8.1f} {r.rest_ms:>6.1f}"
        )


if __name__ == "__main__":
    main()
