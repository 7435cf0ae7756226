"""Headway of each period: policy, demand and capacity, and the error when demand is too high.

The expected headway is derived here: the largest divisor of 3600 (at least a minute) between
the capacity layer's minimum and min(policy, 3600 × capacity ÷ maximum hourly load); the
capacity is seats + standing area × the loading standard, worked out from the rolling stock.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from plan_support import Case, changed

from lrtsim.errors import LrtsimError
from lrtsim.model.schema import Scenario, clock_to_s
from lrtsim.planning.plan import make_plan
from lrtsim.planning.service import headway_at

CLOCK_FACE = [d for d in range(60, 3601) if 3600 % d == 0]


def train_capacity(scenario: Scenario) -> float:
    stock = scenario.rolling_stock
    return stock.seats + stock.standing_area_m2 * scenario.service.loading_standard_pax_per_m2


def hourly_max_load(case: Case) -> np.ndarray:
    loads = case.plan.loads
    return np.maximum(loads.link_in("up").max(axis=1), loads.link_in("down").max(axis=1))


def trip_s(case: Case) -> float:
    """Longest terminal-to-terminal trip: a period's trains run this long after it ends."""
    return max(run.total_time_s for run in case.plan.runs)


def period_hours(from_s: int, to_s: int, trip: float = 0.0) -> list[int]:
    """Hours of the day that overlap [from_s, to_s + trip): the hours the period's trains run in."""
    return [h for h in range(48) if h * 3600 < to_s + trip and (h + 1) * 3600 > from_s]


def expected_headway(policy: float, demand: float, minimum: float) -> float:
    wanted = max(min(policy, demand), minimum)
    fitting = [h for h in CLOCK_FACE if minimum - 1e-9 <= h <= wanted + 1e-9]
    if fitting:
        return float(max(fitting))
    # No clock-face value fits: whole seconds, down unless that breaks the minimum.
    down = math.floor(wanted + 1e-9)
    return float(down if down >= minimum - 1e-9 else math.ceil(minimum - 1e-9))


def test_periods_are_the_scenarios(case: Case) -> None:
    got = [(p.from_s, p.to_s, p.policy_headway_s) for p in case.plan.periods]
    want = [
        (clock_to_s(p.from_), clock_to_s(p.to), p.max_headway_s)
        for p in case.scenario.service.periods
    ]
    assert got == want


def test_headway_is_policy_or_demand_rounded_to_clock_face(case: Case) -> None:
    capacity = train_capacity(case.scenario)
    minimum = case.capacity.line_min_headway_s
    hourly = hourly_max_load(case)
    for p in case.plan.periods:
        max_load = max(hourly[h % 24] for h in period_hours(p.from_s, p.to_s, trip_s(case)))
        demand = 3600.0 * capacity / max_load
        assert p.max_load_pax_per_h == pytest.approx(max_load, rel=1e-9)
        assert p.demand_headway_s == pytest.approx(demand, rel=1e-9)
        assert p.train_capacity_pax == pytest.approx(capacity)
        assert p.headway_s == pytest.approx(
            expected_headway(p.policy_headway_s, demand, minimum), abs=1e-9
        ), p.label
        assert p.headway_s >= minimum - 1e-9
        assert p.headway_s <= p.policy_headway_s + 1e-9


def test_planned_load_never_above_the_standard(case: Case) -> None:
    capacity = train_capacity(case.scenario)
    hourly = hourly_max_load(case)
    for p in case.plan.periods:
        max_load = max(hourly[h % 24] for h in period_hours(p.from_s, p.to_s, trip_s(case)))
        per_train = max_load * p.headway_s / 3600.0
        assert per_train <= capacity * (1 + 1e-9), p.label
        assert p.max_load_per_train_pax == pytest.approx(per_train, rel=1e-9)
        assert p.load_factor == pytest.approx(per_train / capacity, rel=1e-9)
        assert 0.0 < p.load_factor <= 1.0 + 1e-9


def test_astana_runs_the_policy_headways(astana_case: Case) -> None:
    """Astana's demand (90 000 a day) is far below 480-place trains every 5 minutes."""
    plans = astana_case.plan.periods
    assert [p.headway_s for p in plans] == [600.0, 300.0, 600.0, 300.0, 600.0]
    assert all(p.demand_headway_s > p.policy_headway_s for p in plans)
    assert train_capacity(astana_case.scenario) == 480.0


def test_small_line_is_bound_by_demand_in_the_evening(small_case: Case) -> None:
    """09:00–22:00: policy 12 min, demand needs a bit over 6 min: 6 min is the clock-face value."""
    late = small_case.plan.periods[-1]
    assert late.policy_headway_s == 720.0
    assert 360.0 < late.demand_headway_s < 400.0
    assert late.headway_s == 360.0


def trip_link_loads(case: Case) -> list[tuple[float, str]]:
    """(passengers on board, where) for every trip and link, the planner's own load per train:
    the hourly link load of the hour the train runs the link × its period's headway."""
    plan = case.plan
    loads = plan.loads
    out: list[tuple[float, str]] = []
    table = plan.timetable.sort_values(["trip_id", "stop_sequence"])
    for trip_id, g in table.groupby("trip_id"):
        up = g["direction"].iloc[0] == "up"
        link = loads.link_in(g["direction"].iloc[0])
        headway = headway_at(list(plan.periods), float(g["departure_s"].iloc[0]))
        for row in g.iloc[:-1].itertuples():
            hour = int(row.departure_s // 3600) % 24
            k = row.station_index if up else row.station_index - 1
            out.append((link[hour, k] * headway / 3600.0, f"{trip_id} at {row.station}"))
    return out


def test_no_trip_is_planned_above_the_standard(case: Case) -> None:
    capacity = train_capacity(case.scenario)
    worst = max(trip_link_loads(case))
    assert worst[0] <= capacity * (1 + 1e-9), worst


def test_trip_running_into_the_peak_stays_within_the_standard(astana_case: Case) -> None:
    scenario = changed(
        astana_case.scenario,
        "service",
        periods=[
            {"from": "06:00", "to": "07:00", "max_headway_s": 1200.0},
            {"from": "07:00", "to": "23:00", "max_headway_s": 300.0},
        ],
    )
    case = Case("astana 20 min early", scenario, make_plan(scenario), astana_case.capacity)
    capacity = train_capacity(scenario)
    # The period-level rule holds...
    for p in case.plan.periods:
        assert p.max_load_per_train_pax <= capacity
    # ...but not for every train.
    worst = max(trip_link_loads(case))
    assert worst[0] <= capacity * (1 + 1e-9), worst


def test_zero_demand_rounds_the_policy_down_to_clock_face(small_case: Case) -> None:
    minimum = small_case.capacity.line_min_headway_s
    assert 120.0 < minimum < 140.0  # so that 140 s has no clock-face value above the minimum
    scenario = changed(
        small_case.scenario,
        "service",
        periods=[
            {"from": "06:00", "to": "07:00", "max_headway_s": 700.0},
            {"from": "07:00", "to": "08:00", "max_headway_s": 140.0},
            {"from": "08:00", "to": "09:00", "max_headway_s": 5000.0},
            {"from": "09:00", "to": "10:00", "max_headway_s": 250.0},
        ],
    )
    scenario = changed(scenario, "demand", daily_boardings=0.0)
    plan = make_plan(scenario)
    assert [p.headway_s for p in plan.periods] == [600.0, 140.0, 3600.0, 240.0]
    assert all(p.max_load_pax_per_h == 0.0 for p in plan.periods)
    assert all(p.demand_headway_s == float("inf") for p in plan.periods)


MESSAGE = re.compile(
    r"period (\d\d:\d\d)-(\d\d:\d\d): the maximum load of ([\d,]+) passengers/h needs "
    r"([\d.]+) trains/h of (\d+) places \(a headway of (\d+) s\), but the line's minimum "
    r"headway is (\d+) s \(([\d.]+) trains/h"
)


@pytest.mark.parametrize("name", ["astana_case", "small_case"])
def test_demand_above_capacity_fails_with_the_numbers(
    name: str, request: pytest.FixtureRequest
) -> None:
    case: Case = request.getfixturevalue(name)
    daily = 2_000_000.0
    scale = daily / case.scenario.demand.daily_boardings
    capacity = train_capacity(case.scenario)
    minimum = case.capacity.line_min_headway_s
    hourly = hourly_max_load(case) * scale  # the gravity model and Furness are linear in the total
    failing = []
    for p in case.plan.periods:
        load = max(hourly[h % 24] for h in period_hours(p.from_s, p.to_s, trip_s(case)))
        if 3600.0 * capacity / load < minimum:  # only demand beyond capacity fails
            failing.append((p.label, load))
    assert failing, "2 million a day must overload the line"
    label, load = failing[0]

    with pytest.raises(LrtsimError) as info:
        make_plan(changed(case.scenario, "demand", daily_boardings=daily))
    match = MESSAGE.search(str(info.value))
    assert match is not None, str(info.value)
    assert f"{match[1]}-{match[2]}" == label
    assert float(match[3].replace(",", "")) == pytest.approx(load, abs=0.51)
    assert float(match[4]) == pytest.approx(load / capacity, abs=0.051)
    assert float(match[5]) == pytest.approx(capacity, abs=0.5)
    assert float(match[6]) == pytest.approx(3600.0 * capacity / load, abs=0.51)
    assert float(match[7]) == pytest.approx(minimum, abs=0.51)
    assert float(match[8]) == pytest.approx(3600.0 / minimum, abs=0.051)
    assert "Traceback" not in str(info.value)


def test_policy_shorter_than_the_minimum_is_held_at_the_minimum(astana_case: Case) -> None:
    minimum = astana_case.capacity.line_min_headway_s
    assert minimum > 100.0
    scenario = changed(
        astana_case.scenario,
        "service",
        periods=[{"from": "06:00", "to": "23:00", "max_headway_s": 100.0}],
    )
    plan = make_plan(scenario)
    (period,) = plan.periods
    assert minimum - 1e-9 <= period.headway_s <= 120.0


def test_headway_without_a_clock_face_value_is_whole_seconds(small_case: Case) -> None:
    """Between the minimum (about 130 s) and the 140 s policy no value divides the hour: the
    policy is taken in whole seconds; a policy within a second of the minimum rounds up to it."""
    minimum = small_case.capacity.line_min_headway_s
    assert 120.0 < minimum < 139.0
    scenario = changed(
        small_case.scenario,
        "service",
        periods=[
            {"from": "06:00", "to": "07:00", "max_headway_s": 139.7},
            {"from": "07:00", "to": "08:00", "max_headway_s": minimum + 0.01},
        ],
    )
    scenario = changed(scenario, "demand", daily_boardings=0.0)
    plan = make_plan(scenario)
    assert [p.headway_s for p in plan.periods] == [139.0, float(math.ceil(minimum))]
    for p in plan.periods:
        assert p.headway_s >= minimum
        assert p.headway_s == int(p.headway_s)
