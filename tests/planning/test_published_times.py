"""Published whole-second times against the exact trip: never faster than the physics allows,
and within a second of it when there is an allowance (the rounding does not drift)."""

from __future__ import annotations

import pandas as pd
import pytest

from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Scenario
from lrtsim.planning.plan import ServicePlan, make_plan


def _plan(allowance_pct: float) -> tuple[Scenario, ServicePlan]:
    """Astana with no demand (every dwell is the station's own) and the given allowance."""
    s = load_scenario("astana")
    scenario = s.model_copy(
        update={
            "service": s.service.model_copy(
                update={"allowance_pct": allowance_pct, "day_types": []}
            ),
            "demand": s.demand.model_copy(update={"daily_boardings": 0.0}),
        }
    )
    return scenario, make_plan(scenario)


def _drift_s(scenario: Scenario, plan: ServicePlan) -> pd.Series:
    """Published terminal-to-terminal time of every full trip minus the exact one."""
    base = scenario.service.dwell.base_s
    own = [st.dwell_s if st.dwell_s is not None else base for st in scenario.line.stations]
    out = []
    for run in plan.runs:
        exact = sum(g.run_time_s for g in run.profile.segments) + sum(own[1:-1])
        tt = plan.timetable[plan.timetable["direction"] == run.direction]
        spans = tt.groupby("trip_id").agg(
            start=("departure_s", "first"), end=("arrival_s", "last"), stops=("station", "size")
        )
        full = spans[spans["stops"] == len(own)]
        out.append(full["end"] - full["start"] - exact)
    return pd.concat(out)


@pytest.mark.parametrize("allowance_pct", [5.0, 10.0])
def test_with_an_allowance_trips_stay_within_a_second(allowance_pct: float) -> None:
    drift = _drift_s(*_plan(allowance_pct))
    assert not drift.empty
    assert drift.abs().max() < 1.0


def test_without_allowance_no_trip_is_faster_than_flat_out() -> None:
    scenario, plan = _plan(0.0)
    drift = _drift_s(scenario, plan)
    segments = len(scenario.line.stations) - 1
    assert drift.min() >= -0.5
    assert drift.max() <= segments * 1.0
