"""The passenger layer and the KPIs meet on the planned Astana day: every passenger served by
the trains of the timetable on time, their records read by `metrics` through its table contract.

With room for everyone, each passenger's actual wait is their scheduled wait, exactly (the two
layers agree on when a wait ends: the doors opening at the origin). At the planner's loading
standard some are left behind, and then the excess wait is what the denied boardings cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lrtsim.metrics.tables import PASSENGER_COLUMNS, stop_times_from_timetable
from lrtsim.metrics.waits import passenger_waits, waits
from lrtsim.model.load import load_scenario
from lrtsim.planning.plan import ServicePlan, make_plan
from lrtsim.simulation.arrivals import draw_arrivals, service_hours_s
from lrtsim.simulation.passenger_day import serve_day
from lrtsim.simulation.seeds import stream


@pytest.fixture(scope="module")
def plan() -> ServicePlan:
    return make_plan(load_scenario("astana"))


def _metrics_passengers(records: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The simulation's records in the metrics contract: stations by name."""
    out = records.assign(
        origin=[names[i] for i in records["origin"]],
        destination=[names[i] for i in records["destination"]],
        trip_id=records["trip_id"].astype(str),
        direction=records["direction"].astype(str),
    )
    return out[list(PASSENGER_COLUMNS)]


def _day(plan: ServicePlan, capacity: float) -> pd.DataFrame:
    scenario = load_scenario("astana")
    start, end = service_hours_s(scenario)
    arrivals = draw_arrivals(plan.od, stream(7, "arrivals"), start_s=start, end_s=end)
    day = serve_day(plan.timetable, arrivals, capacity)
    names = [s.name for s in scenario.line.stations]
    return _metrics_passengers(day.passengers, names)


def test_with_room_for_all_every_wait_is_the_scheduled_one(plan: ServicePlan) -> None:
    riders = _day(plan, 1e9)
    stop_times = stop_times_from_timetable(plan.timetable)
    each = passenger_waits(riders, stop_times)
    boarded = each[each["boarded"]]
    assert len(boarded) > 80_000
    np.testing.assert_array_equal(
        boarded["actual_wait_s"].to_numpy(), boarded["scheduled_wait_s"].to_numpy()
    )
    w = waits(riders, stop_times)
    assert w.excess_wait_s == 0.0
    assert 0.0 < w.mean_wait_s < 600.0  # headways of 5 and 10 minutes: under half of 10 on average


def test_at_a_binding_capacity_the_excess_wait_is_the_denied_boardings(plan: ServicePlan) -> None:
    riders = _day(plan, 120.0)
    stop_times = stop_times_from_timetable(plan.timetable)
    each = passenger_waits(riders, stop_times).set_index("passenger_id")
    denied = riders.set_index("passenger_id")["denied_boardings"]
    boarded = each[each["boarded"]]
    assert (denied > 0).any()
    excess = boarded["excess_wait_s"]
    assert (excess >= 0).all()
    # Nobody waits beyond their scheduled train without having been refused by a full one.
    assert (excess[denied.loc[boarded.index] == 0] == 0).all()
    assert (excess[denied.loc[boarded.index] > 0] > 0).all()
