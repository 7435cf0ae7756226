"""Simulated days the invariant, determinism and property tests share, each built once per
process: the Astana weekday (seeds 1 and 2) and small synthetic lines that cost a few tens of
milliseconds a day.

The small line is five stations A–E over 3.5 km, run by the test tram (`support.scenarios`)
from 06:00 to 10:00 with a 5-minute peak; its variants change one thing each: trains too small
for the demand (passengers left behind), large variability with no depot (trains start from
sidings at A), nothing varying at all. `disrupted_case` adds incidents (and whatever the scenario
it is given changes: control, random failures) to either line, a day per process too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lrtsim.model import checks
from lrtsim.model.incidents import with_incidents
from lrtsim.model.schema import Scenario
from lrtsim.planning.plan import ServicePlan, make_plan
from lrtsim.simulation.day import DayResult, simulate_day
from support.scenarios import TEST_TRAM, build_line

SMALL_KM = (0.0, 0.9, 1.8, 2.6, 3.5)
SMALL_NAMES = "ABCDE"


def small_data(*, depot: bool = True) -> dict[str, Any]:
    """The small line's scenario as plain data (the keys a scenario file has)."""
    line = build_line(SMALL_KM, 70.0, name="small line", names=SMALL_NAMES).model_dump(
        by_alias=True, exclude_none=True
    )
    line["tail_tracks_m"] = {"start": 150.0, "end": 200.0}
    if depot:
        line["depot"] = {"name": "Yard", "km": 3.6, "access_m": 500.0, "access_time_s": 120.0}
    weights = (("A", 4.0, 1.0), ("B", 1.0, 1.0), ("C", 2.0, 2.0), ("D", 1.0, 1.0), ("E", 1.0, 4.0))
    return {
        "name": "small" if depot else "small without depot",
        "line": line,
        "rolling_stock": dict(TEST_TRAM),
        "demand": {
            "daily_boardings": 20_000.0,
            "hourly_profile": "weekday_two_peaks",
            "weights": [{"station": s, "production": p, "attraction": a} for s, p, a in weights],
        },
        "service": {
            "start": "06:00",
            "end": "10:00",
            "layover_s": 60.0,
            "periods": [
                {"from": "06:00", "to": "07:00", "max_headway_s": 600.0},
                {"from": "07:00", "to": "09:00", "max_headway_s": 300.0},
                {"from": "09:00", "to": "10:00", "max_headway_s": 600.0},
            ],
        },
    }


def build(data: dict[str, Any]) -> Scenario:
    """A scenario from plain data, checked by the rules a scenario file is."""
    scenario = Scenario.model_validate(data)
    problems = checks.check_scenario(scenario)
    assert not problems, problems
    return scenario


def with_operations(scenario: Scenario, **values: Any) -> Scenario:
    """`scenario` with some `[operations]` keys replaced."""
    ops = scenario.operations.model_copy(update=values)
    return scenario.model_copy(update={"operations": ops})


def with_service(scenario: Scenario, **values: Any) -> Scenario:
    """`scenario` with some `[service]` keys replaced."""
    svc = scenario.service.model_copy(update=values)
    return scenario.model_copy(update={"service": svc})


def with_control(scenario: Scenario, **values: Any) -> Scenario:
    """`scenario` with some `[operations.control]` keys replaced."""
    control = scenario.operations.control.model_copy(update=values)
    return with_operations(scenario, control=control)


def calm(scenario: Scenario) -> Scenario:
    """Nothing varies: no dwell or running-time variability, no incidents, and dwells that do
    not grow with passengers (so no dwell outgrows the published one)."""
    no_growth = {"per_boarding_s": 0.0, "per_alighting_s": 0.0}
    dwell = scenario.service.dwell.model_copy(update=no_growth)
    return with_service(
        with_operations(scenario, dwell_cv=0.0, run_time_cv=0.0, incidents=[]), dwell=dwell
    )


@dataclass(frozen=True, eq=False, repr=False)
class DayCase:
    """A simulated day and what it was made from (`scenario` is the one the day ran with)."""

    name: str
    scenario: Scenario
    plan: ServicePlan
    day: DayResult

    def __repr__(self) -> str:
        """Its name alone: a failing assertion's message stays short (and quick to make)."""
        return f"DayCase({self.name!r})"


SMALL_CASES = ("small", "small, full trains", "small, jittery, no depot", "small, calm")
ASTANA_CASES = ("astana weekday, seed 1", "astana weekday, seed 2")

_PLANS: dict[str, tuple[Scenario, ServicePlan]] = {}
_DAYS: dict[str, DayCase] = {}


def small_plan(*, depot: bool = True, nothing_varies: bool = False) -> tuple[Scenario, ServicePlan]:
    """The small line (with or without its depot, calm or not) and its plan, made once."""
    key = f"depot={depot}, calm={nothing_varies}"
    if key not in _PLANS:
        scenario = build(small_data(depot=depot))
        if nothing_varies:
            scenario = calm(scenario)
        _PLANS[key] = (scenario, make_plan(scenario))
    return _PLANS[key]


def small_case(name: str) -> DayCase:
    """One of `SMALL_CASES`, simulated once."""
    if name not in _DAYS:
        if name == "small":
            scenario, plan = small_plan()
            day_scenario, seed = scenario, 1
        elif name == "small, full trains":
            # Planned for 4 passengers/m² standing, run boarding up to 0.5/m²: 80 a train.
            scenario, plan = small_plan()
            day_scenario, seed = with_service(scenario, loading_standard_pax_per_m2=0.5), 2
        elif name == "small, jittery, no depot":
            scenario, plan = small_plan(depot=False)
            day_scenario, seed = with_operations(scenario, dwell_cv=1.0, run_time_cv=0.2), 3
        elif name == "small, calm":
            scenario, plan = small_plan(nothing_varies=True)
            day_scenario, seed = scenario, 4
        else:
            raise KeyError(name)
        _DAYS[name] = DayCase(name, day_scenario, plan, simulate_day(plan, day_scenario, seed))
    return _DAYS[name]


def astana_case(name: str, scenario: Scenario, plan: ServicePlan) -> DayCase:
    """One of `ASTANA_CASES` on the Astana weekday plan, simulated once."""
    if name not in _DAYS:
        seed = {"astana weekday, seed 1": 1, "astana weekday, seed 2": 2}[name]
        _DAYS[name] = DayCase(name, scenario, plan, simulate_day(plan, scenario, seed))
    return _DAYS[name]


def disrupted_case(
    name: str, scenario: Scenario, plan: ServicePlan, incidents: Sequence[str], seed: int
) -> DayCase:
    """`scenario` with `incidents` (as `--incident` texts) added, simulated once per process
    for each scenario, plan and seed (files that ask for the same day share it)."""
    day_scenario = with_incidents(scenario, list(incidents))
    key = f"{id(plan)} {day_scenario.name} {day_scenario.operations!r} seed {seed}"
    if key not in _DAYS:
        _DAYS[key] = DayCase(name, day_scenario, plan, simulate_day(plan, day_scenario, seed))
    return _DAYS[key]
