"""The timetable: departures on each period's grid, stop times from the dynamics layer.

Segment running times are taken from a fresh `running_times` call with the scenario's allowance
(the planning load of half-full trains), not from the plan's own runs.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from plan_support import Case, changed, trip_spans

from lrtsim.dynamics.runtime import running_times
from lrtsim.model.schema import clock_to_s
from lrtsim.planning.plan import make_plan
from lrtsim.planning.tables import TIMETABLE_COLUMNS


def departures(timetable: pd.DataFrame, direction: str) -> np.ndarray:
    spans = trip_spans(timetable)
    return np.sort(spans[spans["direction"] == direction]["start"].to_numpy())


def period_of(case: Case, t: float) -> tuple[int, int, float]:
    for p in case.plan.periods:
        if p.from_s <= t < p.to_s:
            return p.from_s, p.to_s, p.headway_s
    raise AssertionError(f"departure {t} lies in no period")


def test_columns_and_stop_order(case: Case) -> None:
    table = case.plan.timetable
    assert tuple(table.columns) == TIMETABLE_COLUMNS
    names = [s.name for s in case.scenario.line.stations]
    n = len(names)
    assert not table["block_id"].isna().any()
    assert (table["block_id"] != "").all()
    for trip_id, g in table.groupby("trip_id", sort=False):
        assert list(g["stop_sequence"]) == list(range(1, n + 1)), trip_id
        up = g["direction"].iloc[0] == "up"
        order = list(range(n)) if up else list(range(n - 1, -1, -1))
        assert list(g["station_index"]) == order
        assert list(g["station"]) == [names[i] for i in order]
        assert set(g["direction_id"]) == {0 if up else 1}
        assert g["block_id"].nunique() == 1
        assert g["period"].nunique() == 1


def test_down_departures_are_the_up_grid_shifted_within_each_period(case: Case) -> None:
    """Down trains keep each period's headway, shifted by one offset in [0, h) per period."""
    up = departures(case.plan.timetable, "up")
    down = departures(case.plan.timetable, "down")
    # a shifted grid may gain or lose one departure at each end of the day or boundary
    assert abs(len(down) - len(up)) <= len(case.plan.periods)
    for p in case.plan.periods:
        inside = down[(down >= p.from_s) & (down < p.to_s)]
        if inside.size < 2:
            continue
        np.testing.assert_allclose(np.diff(inside), p.headway_s, atol=1e-9, err_msg=p.label)
        offsets = (inside - p.from_s) % p.headway_s
        np.testing.assert_allclose(offsets, offsets[0], atol=1e-6, err_msg=p.label)


def test_offset_needs_the_fewest_trains(case: Case) -> None:
    """In the busiest period the offset makes the cycle the least whole number of headways:
    busy = up + layovers + down, cycle = h · ceil(busy / h); a train leaving at the up time t
    can take the first down departure after t + up + layover and be back for the up grid."""
    table = case.plan.timetable
    spans = table.groupby("trip_id").agg(
        direction=("direction", "first"),
        period=("period", "first"),
        start=("departure_s", "first"),
        end=("arrival_s", "last"),
    )
    turn = {t.name: t.turnaround_s for t in case.capacity.terminals}
    names = [s.name for s in case.scenario.line.stations]
    lay_first = max(case.scenario.service.layover_s, turn[names[0]])
    lay_last = max(case.scenario.service.layover_s, turn[names[-1]])
    busiest = min(case.plan.periods, key=lambda p: p.headway_s)
    for p in [busiest]:
        rows = spans[spans["period"] == p.label]
        up = rows[rows["direction"] == "up"]
        down = rows[rows["direction"] == "down"]
        if len(up) < 2 or len(down) < 2:
            continue
        t_up = float((up["end"] - up["start"]).max())
        t_down = float((down["end"] - down["start"]).max())
        busy = t_up + lay_last + t_down + lay_first
        best = p.headway_s * math.ceil(busy / p.headway_s - 1e-9)
        t0 = float(up["start"].iloc[0])
        ready_back = t0 + t_up + lay_last
        later = down["start"][down["start"] >= ready_back - 1e-6]
        if later.empty:
            continue
        back = float(later.min()) + t_down + lay_first
        cycle = math.ceil((back - t0) / p.headway_s - 1e-9) * p.headway_s
        assert cycle <= best + 1e-6, (p.label, cycle, best)


def test_departures_within_each_period_on_its_grid(case: Case) -> None:
    times = departures(case.plan.timetable, "up")
    start = clock_to_s(case.scenario.service.start)
    end = clock_to_s(case.scenario.service.end)
    assert times.min() >= start
    assert times.max() < end
    for p in case.plan.periods:
        inside = times[(times >= p.from_s) & (times < p.to_s)]
        assert inside.size > 0, p.label
        k = (inside - p.from_s) / p.headway_s
        np.testing.assert_allclose(k, np.round(k), atol=1e-9, err_msg=p.label)
        np.testing.assert_allclose(np.diff(inside), p.headway_s, atol=1e-9, err_msg=p.label)
        # The grid runs to the end of the period.
        assert inside.max() + p.headway_s >= p.to_s - 1e-9, p.label


def test_period_labels_are_the_departure_period(case: Case) -> None:
    spans = case.plan.timetable.groupby("trip_id").agg(
        start=("departure_s", "first"), period=("period", "first")
    )
    for start, label in zip(spans["start"], spans["period"], strict=True):
        a, b, _ = period_of(case, start)
        assert label == f"{a // 3600:02d}:{a % 3600 // 60:02d}-{b // 3600:02d}:{b % 3600 // 60:02d}"


def test_clock_face_minutes_repeat_every_hour(case: Case) -> None:
    times = departures(case.plan.timetable, "up")
    checked = 0
    for p in case.plan.periods:
        if 3600 % p.headway_s:
            continue
        first_hour = math.ceil(p.from_s / 3600)
        last_hour = p.to_s // 3600  # exclusive
        patterns = []
        for h in range(first_hour, last_hour):
            in_hour = times[(times >= h * 3600) & (times < (h + 1) * 3600)]
            patterns.append(tuple(np.round(in_hour - h * 3600, 6)))
        for pattern in patterns:
            assert pattern == patterns[0], p.label
            assert len(pattern) == 3600 / p.headway_s
            checked += 1
    assert checked > 0


def boundary_gaps(case: Case, times: np.ndarray) -> list[tuple[float, float, float]]:
    """(gap, shorter, longer headway) where consecutive departures lie in different periods."""
    out = []
    for a, b in itertools.pairwise(times):
        pa, pb = period_of(case, a), period_of(case, b)
        if pa != pb:
            out.append((b - a, min(pa[2], pb[2]), max(pa[2], pb[2])))
    return out


def test_gaps_at_period_boundaries_are_between_the_two_headways(case: Case) -> None:
    gaps = boundary_gaps(case, departures(case.plan.timetable, "up"))
    assert len(gaps) == len(case.plan.periods) - 1
    for gap, shorter, longer in gaps:
        assert shorter - 1e-9 <= gap <= longer + 1e-9


def test_astana_has_144_departures_each_way(astana_case: Case) -> None:
    # 06-07 at 10 min, 07-10 at 5, 10-16 at 10, 16-20 at 5, 20-23 at 10 = 6+36+36+48+18.
    assert len(departures(astana_case.plan.timetable, "up")) == 144
    assert astana_case.plan.trips == 288


def test_boundary_not_on_the_grid_keeps_the_gap_within_the_headways(small_case: Case) -> None:
    scenario = changed(
        small_case.scenario,
        "service",
        periods=[
            {"from": "06:00", "to": "06:25", "max_headway_s": 600.0},
            {"from": "06:25", "to": "22:00", "max_headway_s": 600.0},
        ],
    )
    scenario = changed(scenario, "demand", daily_boardings=1000.0)
    plan = make_plan(scenario)
    assert [p.headway_s for p in plan.periods] == [600.0, 600.0]
    case = Case("split", scenario, plan, small_case.capacity)
    for gap, shorter, longer in boundary_gaps(case, departures(plan.timetable, "up")):
        assert shorter - 1e-9 <= gap <= longer + 1e-9


# ------------------------------------------------------------------------------ stop times
@pytest.fixture(scope="module")
def dynamics_segments(case: Case) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per direction: segment running times and stop positions of the dynamics layer."""
    runs = running_times(case.scenario, load=0.5, allowance_pct=case.scenario.service.allowance_pct)
    out = {}
    for run in runs:
        profile = run.profile
        stop_t = profile.time_s[profile.stop_index]
        out[run.direction] = (np.diff(stop_t), profile.position_m[profile.stop_index])
    return out


def test_stop_times_follow_the_dynamics(
    case: Case, dynamics_segments: dict[str, tuple[np.ndarray, np.ndarray]]
) -> None:
    table = case.plan.timetable
    km = np.array([s.km for s in case.scenario.line.stations])
    for trip_id, g in table.groupby("trip_id", sort=False):
        direction = g["direction"].iloc[0]
        segments, positions = dynamics_segments[direction]
        arrival = g["arrival_s"].to_numpy()
        departure = g["departure_s"].to_numpy()
        assert np.all(np.diff(arrival) > 0), trip_id
        assert np.all(departure >= arrival), trip_id
        assert departure[0] == arrival[0]
        assert departure[-1] == arrival[-1]
        np.testing.assert_allclose(arrival[1:] - departure[:-1], segments, atol=1e-6)
        distance = g["distance_m"].to_numpy()
        np.testing.assert_allclose(distance, positions, atol=1e-6)
        chainage = np.abs(km[g["station_index"].to_numpy()] - km[g["station_index"].iloc[0]])
        np.testing.assert_allclose(distance, chainage * 1000.0, atol=1e-3)


def test_allowance_lengthens_the_minimum_run(
    case: Case, dynamics_segments: dict[str, tuple[np.ndarray, np.ndarray]]
) -> None:
    """The timetable runs with the allowance, not flat out."""
    pct = case.scenario.service.allowance_pct
    assert pct > 0
    flat = running_times(case.scenario, load=0.5, allowance_pct=0.0)
    for run in flat:
        with_allowance = dynamics_segments[run.direction][0].sum()
        assert with_allowance == pytest.approx(run.profile.run_time_s * (1 + pct / 100), rel=0.01)


def test_dwell_is_at_least_the_stations_own(case: Case) -> None:
    stations = case.scenario.line.stations
    base = case.scenario.service.dwell.base_s
    table = case.plan.timetable
    inner = table[~table["stop_sequence"].isin([1, len(stations)])]
    own = np.array(
        [
            stations[i].dwell_s if stations[i].dwell_s is not None else base
            for i in inner["station_index"]
        ]
    )
    dwell = (inner["departure_s"] - inner["arrival_s"]).to_numpy()
    assert np.all(dwell >= own - 1e-9)
    assert np.all(dwell >= min(own.min(), base) - 1e-9)


def test_dwell_follows_the_passenger_flow(case: Case) -> None:
    """base + (1.5 s a boarding + 1.2 s an alighting) per door channel (2 a door), ×1.3 with
    standees on arrival, for one train's share (headway ÷ 1 h) of the hour's flows."""
    scenario = case.scenario
    model = scenario.service.dwell
    stock = scenario.rolling_stock
    channels = 2 * stock.doors_per_side
    loads = case.plan.loads
    stations = scenario.line.stations
    table = case.plan.timetable
    checked = crowded = 0
    for _, g in table.groupby("trip_id", sort=False):
        up = g["direction"].iloc[0] == "up"
        headway = period_of(case, float(g["departure_s"].iloc[0]))[2]
        share = headway / 3600.0
        board = loads.boardings_up if up else loads.boardings_down
        alight = loads.alightings_up if up else loads.alightings_down
        link = loads.link_up if up else loads.link_down
        for row in g.iloc[1:-1].itertuples():
            i, hour = row.station_index, int(row.arrival_s // 3600) % 24
            on_board = link[hour, i - 1 if up else i] * share
            flow = model.per_boarding_s * board[hour, i] + model.per_alighting_s * alight[hour, i]
            flow *= share / channels
            if on_board > stock.seats:
                flow *= model.crowding_factor
                crowded += 1
            own = stations[i].dwell_s if stations[i].dwell_s is not None else model.base_s
            assert row.departure_s - row.arrival_s == pytest.approx(
                max(model.base_s + flow, own), abs=1e-6
            )
            checked += 1
    assert checked > 0
    if case.name == "astana":
        assert crowded > 0
