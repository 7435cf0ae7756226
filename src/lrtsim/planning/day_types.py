"""Service by day type: one service plan for each kind of day (weekday, weekend, …).

A scenario may list `[[service.day_types]]`, each with the days of the week it runs and what
differs from `[service]` and `[demand]`: operating hours (`start`, `end`), `periods`, a
`demand_factor` on the day's boardings and an `hourly_profile`. Every day type is planned on
its own (`make_plan` on a copy of the scenario with those values), so it gets its own
headways, timetable, circulation and fleet.

Without day types there is one plan, named `EVERY_DAY`, that runs on all seven days: the same
service every day. `service_days_note` says so in words, for the CLI to print.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.capacity.analysis import HeadwayAnalysis
from lrtsim.dynamics.line_runs import LineRuns, line_runs
from lrtsim.errors import LrtsimError
from lrtsim.model.schema import WEEKDAYS, DayType, Scenario
from lrtsim.planning.plan import ServicePlan, make_plan

EVERY_DAY = "daily"
"""Name of the one day type of a scenario without `service.day_types`: all seven days."""

DAY_TYPE_COLUMN = "day_type"
"""Column that `combined_tables` puts first in both tables."""


@dataclass(frozen=True, eq=False)
class DayPlan:
    """The plan of one day type and the days of the week it runs on (in week order)."""

    day_type: str
    days: tuple[str, ...]
    plan: ServicePlan


def day_types(scenario: Scenario) -> tuple[DayType, ...]:
    """The scenario's day types; without any, one `EVERY_DAY` day type of all seven days."""
    if scenario.service.day_types:
        return tuple(scenario.service.day_types)
    return (DayType(name=EVERY_DAY, days=list(WEEKDAYS)),)


def day_scenario(scenario: Scenario, day_type: DayType) -> Scenario:
    """The scenario as it is on the days of `day_type`: its hours, periods and demand in
    `[service]` and `[demand]`, and no day types of its own."""
    service = scenario.service
    demand = scenario.demand
    service_update: dict[str, object] = {"day_types": []}
    if day_type.start is not None:
        service_update["start"] = day_type.start
    if day_type.end is not None:
        service_update["end"] = day_type.end
    if day_type.periods is not None:
        service_update["periods"] = list(day_type.periods)
    demand_update: dict[str, object] = {
        "daily_boardings": demand.daily_boardings * day_type.demand_factor
    }
    if day_type.hourly_profile is not None:
        demand_update["hourly_profile"] = day_type.hourly_profile
    return scenario.model_copy(
        update={
            "service": service.model_copy(update=service_update),
            "demand": demand.model_copy(update=demand_update),
        }
    )


def make_day_plans(
    scenario: Scenario,
    daily_matrix: npt.NDArray[np.float64] | None = None,
    *,
    runs: LineRuns | None = None,
    capacity: HeadwayAnalysis | None = None,
) -> tuple[DayPlan, ...]:
    """A service plan per day type, in the order of `service.day_types`.

    `daily_matrix` (trips per day between stations, as for `make_plan`) is the matrix of a day
    with `demand_factor` 1: when `demand.daily_boardings` is above 0 the planner scales it to
    each day's boardings anyway; when it is 0 the matrix is multiplied by the factor here.
    A planning error names the day type it happened on. The runs of the line are computed once
    for all day types (`LineRuns`; `runs` when given), and so are the headways (`capacity` when
    given): a day type changes neither line, train, signalling, allowance nor dwells.
    """
    runs = line_runs(scenario, runs)
    plans = []
    for day_type in day_types(scenario):
        matrix = daily_matrix
        if matrix is not None and scenario.demand.daily_boardings <= 0:
            matrix = np.asarray(matrix, dtype=np.float64) * day_type.demand_factor
        try:
            plan = make_plan(day_scenario(scenario, day_type), matrix, runs=runs, capacity=capacity)
        except LrtsimError as exc:
            if not scenario.service.day_types:
                raise
            raise LrtsimError(f"day type '{day_type.name}': {exc}") from exc
        days = tuple(d for d in WEEKDAYS if d in day_type.days)
        plans.append(DayPlan(day_type=day_type.name, days=days, plan=plan))
    return tuple(plans)


def design_day_label(day_type: str) -> str:
    """How the design day reads in a title: 'weekday design day', or 'service day (every day)'
    for a scenario without day types, whose one day type is `EVERY_DAY`."""
    return "service day (every day)" if day_type == EVERY_DAY else f"{day_type} design day"


def design_day(day_plans: Sequence[DayPlan]) -> DayPlan:
    """The day type that needs the most trains: it sets the fleet to own (the first on a tie)."""
    if not day_plans:
        raise ValueError("no day plans")
    return max(day_plans, key=lambda d: d.plan.circulation.fleet_required)


def combined_tables(day_plans: Sequence[DayPlan]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The timetable and the blocks of all day types, one after the other, each with a first
    column `day_type`.

    With more than one day type, every `trip_id` and `block_id` is prefixed with its day type
    and a hyphen (`weekday-U001`), so that ids are unique across the tables (a train's block
    on Saturday is not its block on Monday). With one day type the ids stay as planned.
    """
    if not day_plans:
        raise ValueError("no day plans")
    names = [p.day_type for p in day_plans]
    if len(set(names)) != len(names):
        raise ValueError(f"day types repeat: {names}")
    prefix = len(day_plans) > 1
    timetables, blocks = [], []
    for day in day_plans:
        tt = day.plan.timetable.copy()
        bl = day.plan.blocks.copy()
        if prefix:
            tt["trip_id"] = _prefixed(day.day_type, tt["trip_id"])
            tt["block_id"] = _prefixed(day.day_type, tt["block_id"])
            bl["block_id"] = _prefixed(day.day_type, bl["block_id"])
            bl["trip_id"] = _prefixed(day.day_type, bl["trip_id"])
        tt.insert(0, DAY_TYPE_COLUMN, day.day_type)
        bl.insert(0, DAY_TYPE_COLUMN, day.day_type)
        timetables.append(tt)
        blocks.append(bl)
    return (
        pd.concat(timetables, ignore_index=True),
        pd.concat(blocks, ignore_index=True),
    )


def _prefixed(day_type: str, ids: pd.Series) -> pd.Series:
    """`<day_type>-<id>` where there is an id; empty or missing ids stay empty."""
    text = ids.fillna("").astype(str)
    return text.where(text == "", day_type + "-" + text)


def service_days_note(scenario: Scenario) -> str | None:
    """What a reader of the plan must know about the days it runs, in words; None if nothing.

    Without day types: the one plan runs every day (weekday demand on a Sunday, say). With day
    types that leave some days out: there is no service on those days.
    """
    if not scenario.service.day_types:
        return (
            "the same service every day: the scenario has no [[service.day_types]], so the one "
            "service day planned (and published in GTFS) runs on all seven days of the week"
        )
    covered = {d for t in scenario.service.day_types for d in t.days}
    missing = [d for d in WEEKDAYS if d not in covered]
    if missing:
        return f"no service on {', '.join(missing)}: no service.day_types entry lists them"
    return None
