"""The timetable: departures on each period's grid, stop times from the dynamics layer.

Segment running times are taken from a fresh `running_times` call with the scenario's allowance
(the planning load of half-full trains), not from the plan's own runs. Published times are whole
seconds, each within a second of the exact one. The grid tests read the regular trips; the
positioning trips circulation adds (trains to or from the depot in service) are checked apart.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from plan_support import Case, changed, depot_facts, positioning_trips, trip_spans

from lrtsim.dynamics.runtime import running_times
from lrtsim.model.schema import clock_to_s
from lrtsim.planning.plan import make_plan
from lrtsim.planning.tables import TIMETABLE_COLUMNS


def regular(case: Case) -> pd.DataFrame:
    """The timetable without the positioning trips."""
    table = case.plan.timetable
    return table[~table["trip_id"].isin(positioning_trips(case.plan))]


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
    positioning = positioning_trips(case.plan)
    facts = depot_facts(case.scenario)
    assert not table["block_id"].isna().any()
    assert (table["block_id"] != "").all()
    for trip_id, g in table.groupby("trip_id", sort=False):
        up = g["direction"].iloc[0] == "up"
        order = list(range(n)) if up else list(range(n - 1, -1, -1))
        if trip_id in positioning:
            # From a gate to a terminal or back, every station between.
            ends = {g["station"].iloc[0], g["station"].iloc[-1]}
            assert ends & set(facts.terminals), trip_id
            assert ends & set(facts.gates.values()), trip_id
            start = order.index(int(g["station_index"].iloc[0]))
            order = order[start : start + len(g)]
        assert list(g["stop_sequence"]) == list(range(1, len(order) + 1)), trip_id
        assert list(g["station_index"]) == order
        assert list(g["station"]) == [names[i] for i in order]
        assert set(g["direction_id"]) == {0 if up else 1}
        assert g["block_id"].nunique() == 1
        assert g["period"].nunique() == 1


def test_published_times_are_whole_seconds(case: Case) -> None:
    table = case.plan.timetable
    for column in ("arrival_s", "departure_s"):
        assert (table[column] == table[column].round()).all(), column
    blocks = case.plan.blocks
    for column in ("start_s", "end_s"):
        assert (blocks[column] == blocks[column].round()).all(), column


def test_clock_face_departures_from_both_terminals_are_whole_minutes(case: Case) -> None:
    """Where the headway is whole minutes, no train leaves a terminal at hh:mm:05."""
    spans = trip_spans(case.plan.timetable)
    terminals = depot_facts(case.scenario).terminals
    checked = 0
    for p in case.plan.periods:
        if p.headway_s % 60:
            continue
        inside = spans[(spans["start"] >= p.from_s) & (spans["start"] < p.to_s)]
        inside = inside[inside["origin"].isin(terminals)]
        assert (inside["start"] % 60 == 0).all(), (p.label, inside["start"] % 60)
        checked += len(inside)
    if case.name == "astana":
        assert checked == case.plan.trips


def test_down_departures_are_the_up_grid_shifted_within_each_period(case: Case) -> None:
    """Down trains keep each period's headway, shifted by one offset in [0, h) per period."""
    up = departures(regular(case), "up")
    down = departures(regular(case), "down")
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
    table = regular(case)
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
    times = departures(regular(case), "up")
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
    times = departures(regular(case), "up")
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
    gaps = boundary_gaps(case, departures(regular(case), "up"))
    assert len(gaps) == len(case.plan.periods) - 1
    for gap, shorter, longer in gaps:
        assert shorter - 1e-9 <= gap <= longer + 1e-9


def test_astana_has_144_departures_each_way(astana_case: Case) -> None:
    # 06-07 at 10 min, 07-10 at 5, 10-16 at 10, 16-20 at 5, 20-23 at 10 = 6+36+36+48+18.
    assert len(departures(regular(astana_case), "up")) == 144
    assert len(departures(regular(astana_case), "down")) == 144
    assert astana_case.plan.trips == 288 + len(positioning_trips(astana_case.plan))


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
    for gap, shorter, longer in boundary_gaps(case, departures(regular(case), "up")):
        assert shorter - 1e-9 <= gap <= longer + 1e-9


# ------------------------------------------------------------------------------ stop times
@pytest.fixture(scope="module")
def dynamics_segments(case: Case) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per direction: segment running times, flat-out segment times and stop positions of the
    dynamics layer."""
    runs = running_times(case.scenario, load=0.5, allowance_pct=case.scenario.service.allowance_pct)
    out = {}
    for run in runs:
        profile = run.profile
        stop_t = profile.time_s[profile.stop_index]
        flat = run.minimum.time_s[run.minimum.stop_index]
        out[run.direction] = (
            np.diff(stop_t),
            np.diff(flat),
            profile.position_m[profile.stop_index],
        )
    return out


def test_stop_times_follow_the_dynamics(
    case: Case, dynamics_segments: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> None:
    """Each run within a second of the dynamics' (the stop times are whole seconds, each the
    nearest to the exact one), and never shorter than flat out."""
    table = case.plan.timetable
    km = np.array([s.km for s in case.scenario.line.stations])
    n = len(km)
    for trip_id, g in table.groupby("trip_id", sort=False):
        direction = g["direction"].iloc[0]
        segments, flat, positions = dynamics_segments[direction]
        index = g["station_index"].to_numpy()
        seq = index if direction == "up" else n - 1 - index
        first, last = int(seq[0]), int(seq[-1])
        arrival = g["arrival_s"].to_numpy()
        departure = g["departure_s"].to_numpy()
        assert np.all(np.diff(arrival) > 0), trip_id
        assert np.all(departure >= arrival), trip_id
        assert departure[0] == arrival[0]
        assert departure[-1] == arrival[-1]
        runs = arrival[1:] - departure[:-1]
        np.testing.assert_allclose(runs, segments[first:last], atol=1.0, err_msg=trip_id)
        assert np.all(runs >= flat[first:last] - 1e-9), trip_id
        distance = g["distance_m"].to_numpy()
        np.testing.assert_allclose(
            distance, positions[first : last + 1] - positions[first], atol=1e-6
        )
        chainage = np.abs(km[index] - km[index[0]])
        np.testing.assert_allclose(distance, chainage * 1000.0, atol=1e-3)


def test_allowance_lengthens_the_minimum_run(
    case: Case, dynamics_segments: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
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
    size = table.groupby("trip_id")["stop_sequence"].transform("size")
    inner = table[(table["stop_sequence"] > 1) & (table["stop_sequence"] < size)]
    own = np.array(
        [
            stations[i].dwell_s if stations[i].dwell_s is not None else base
            for i in inner["station_index"]
        ]
    )
    dwell = (inner["departure_s"] - inner["arrival_s"]).to_numpy()
    assert np.all(dwell >= own - 1e-9)
    assert np.all(dwell >= min(own.min(), base) - 1e-9)


def test_dwell_follows_the_passenger_flow(
    case: Case, dynamics_segments: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> None:
    """base + (1.5 s a boarding + 1.2 s an alighting) per door channel (2 a door), ×1.3 with
    standees on arrival, for one train's share (headway ÷ 1 h) of the hour's flows.

    Every published time is within a second of the exact one (the runs and these dwells added
    up from the departure), so rounding builds up no error along the trip."""
    scenario = case.scenario
    model = scenario.service.dwell
    stock = scenario.rolling_stock
    channels = 2 * stock.doors_per_side
    loads = case.plan.loads
    stations = scenario.line.stations
    n = len(stations)
    table = case.plan.timetable
    checked = crowded = 0
    for trip_id, g in table.groupby("trip_id", sort=False):
        direction = g["direction"].iloc[0]
        up = direction == "up"
        headway = period_of(case, float(g["departure_s"].iloc[0]))[2]
        share = headway / 3600.0
        board = loads.boardings_in(direction)
        alight = loads.alightings_in(direction)
        link = loads.link_in(direction)
        segments = dynamics_segments[g["direction"].iloc[0]][0]
        first = int(g["station_index"].iloc[0])
        seq = first if up else n - 1 - first
        exact = float(g["departure_s"].iloc[0])
        for k, row in enumerate(g.iloc[1:].itertuples()):
            exact += segments[seq + k]
            assert abs(row.arrival_s - exact) <= 1.0, (trip_id, row.station)
            if k == len(g) - 2:
                break
            i, hour = row.station_index, int(row.arrival_s // 3600) % 24
            on_board = link[hour, i - 1 if up else i] * share
            flow = model.per_boarding_s * board[hour, i] + model.per_alighting_s * alight[hour, i]
            flow *= share / channels
            if on_board > stock.seats:
                flow *= model.crowding_factor
                crowded += 1
            own = stations[i].dwell_s if stations[i].dwell_s is not None else model.base_s
            exact += max(model.base_s + flow, own)
            # Each end within a second of the exact time; never below the station's own dwell.
            assert abs(row.departure_s - exact) <= 1.0, (trip_id, row.station)
            assert row.departure_s - row.arrival_s >= own
            checked += 1
    assert checked > 0
    if case.name == "astana":
        assert crowded > 0
