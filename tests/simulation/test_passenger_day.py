"""Passengers on given stop times: invariants from the output tables, an independent
per-passenger loop that must give the same records, and the uncongested case in closed form.

Run on a small synthetic line (short trips, irregular times, a capacity small enough to leave
people behind) and on the Astana weekday's timetable at the planner's loading standard, at crush
load and at a capacity that binds in the peaks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sim_support import (
    check_conservation,
    check_denied,
    check_fifo,
    check_rides,
    od_matrix,
    reference_day,
    serving_visits,
    synthetic_stop_times,
)

from lrtsim.simulation.arrivals import Arrivals, draw_arrivals, service_hours_s
from lrtsim.simulation.boarding import PassengerState
from lrtsim.simulation.passenger_day import (
    PASSENGER_COLUMNS,
    STOP_VISIT_COLUMNS,
    serve_day,
    visit_table,
)
from lrtsim.simulation.seeds import stream

STATIONS = 6


def synthetic_arrivals(seed: int, peak: float = 60.0) -> Arrivals:
    """Demand on the synthetic line from 06:00 to 12:00, heavy at 07:00–09:00."""
    rng = np.random.default_rng(seed)
    trips = np.zeros((24, STATIONS, STATIONS))
    trips[6:12] = rng.uniform(0.0, peak / 3, size=(6, STATIONS, STATIONS))
    trips[7:9] *= 3.0
    trips[:, np.arange(STATIONS), np.arange(STATIONS)] = 0.0
    return draw_arrivals(od_matrix(trips), stream(seed, "arrivals"), start_s=21_600, end_s=43_200)


def astana_arrivals(astana_weekday, seed: int = 2026) -> Arrivals:
    scenario, plan = astana_weekday
    start_s, end_s = service_hours_s(scenario)
    return draw_arrivals(plan.od, stream(seed, "arrivals"), start_s=start_s, end_s=end_s)


def capacities(scenario) -> dict[str, float]:
    stock = scenario.rolling_stock
    return {
        "standard": stock.capacity_at(scenario.service.loading_standard_pax_per_m2),
        "crush": stock.capacity_at(stock.crush_standing_pax_per_m2),
        "binding": 180.0,
    }


def check_all(day, stop_times: pd.DataFrame, arrivals: Arrivals, capacity: int) -> None:
    passengers, visits = day.passengers, day.stop_visits
    assert tuple(passengers.columns) == PASSENGER_COLUMNS
    assert tuple(visits.columns) == STOP_VISIT_COLUMNS
    assert np.array_equal(passengers["passenger_id"], np.arange(len(arrivals)))
    assert np.array_equal(visits["trip_id"].astype(str), stop_times["trip_id"].astype(str))
    assert np.array_equal(visits["stop_sequence"], stop_times["stop_sequence"])
    check_conservation(passengers, visits, len(arrivals))
    check_rides(passengers, visits)
    assert visits["load_on_departure"].max() <= capacity
    assert visits["left_behind"].sum() == passengers["denied_boardings"].sum()
    check_fifo(passengers, stop_times)
    check_denied(passengers, stop_times, len(arrivals.stations))


@pytest.mark.parametrize(("seed", "capacity"), [(1, 25), (2, 60), (3, 10_000)])
def test_synthetic_line_invariants(seed: int, capacity: int) -> None:
    stop_times = synthetic_stop_times(seed)
    arrivals = synthetic_arrivals(seed)
    day = serve_day(stop_times, arrivals, capacity)
    check_all(day, stop_times, arrivals, capacity)
    if capacity < 100:  # the test must exercise what it checks
        assert day.stop_visits["left_behind"].sum() > 0
        assert day.stop_visits["load_on_departure"].max() == capacity


@pytest.mark.parametrize(("seed", "capacity"), [(4, 20), (5, 45), (6, 1000)])
def test_synthetic_line_equals_the_per_passenger_loop(seed: int, capacity: int) -> None:
    stop_times = synthetic_stop_times(seed)
    arrivals = synthetic_arrivals(seed)
    day = serve_day(stop_times, arrivals, capacity)
    ref = reference_day(
        stop_times, arrivals.origin, arrivals.destination, arrivals.arrival_s, capacity
    )
    p = day.passengers
    assert np.array_equal(p["board_s"].to_numpy(), ref.board_s, equal_nan=True)
    assert np.array_equal(p["alight_s"].to_numpy(), ref.alight_s, equal_nan=True)
    assert p["trip_id"].astype(str).tolist() == ref.trip_id
    assert np.array_equal(p["denied_boardings"].to_numpy(), ref.denied)
    got = {
        (str(r.trip_id), int(r.stop_sequence)): (
            r.alighted,
            r.boarded,
            r.load_on_arrival,
            r.load_on_departure,
            r.left_behind,
        )
        for r in day.stop_visits.itertuples(index=False)
    }
    assert got == ref.visits
    if capacity < 100:
        assert np.any(ref.denied > 0)


def test_the_order_of_the_stop_time_rows_does_not_matter() -> None:
    """Rows shuffled (trips out of departure order, stops out of sequence): the same day, each
    visit's record on its own row."""
    stop_times = synthetic_stop_times(14)
    arrivals = synthetic_arrivals(14)
    day = serve_day(stop_times, arrivals, 25)
    shuffled = stop_times.sample(frac=1.0, random_state=14)
    again = serve_day(shuffled, arrivals, 25)
    # Trip ids are categories in order of first appearance: compare the values.
    pd.testing.assert_frame_equal(again.passengers, day.passengers, check_categorical=False)
    pd.testing.assert_frame_equal(
        again.stop_visits.reset_index(drop=True),
        day.stop_visits.loc[shuffled.index].reset_index(drop=True),
    )
    assert day.stop_visits["left_behind"].sum() > 0


@pytest.mark.parametrize("which", ["standard", "crush", "binding"])
def test_astana_weekday_invariants(astana_weekday, which: str) -> None:
    scenario, plan = astana_weekday
    capacity = capacities(scenario)[which]
    arrivals = astana_arrivals(astana_weekday)
    day = serve_day(plan.timetable, arrivals, capacity)
    assert day.capacity_pax == int(capacity)
    check_all(day, plan.timetable, arrivals, day.capacity_pax)
    served = day.served
    assert 0.99 * len(arrivals) < served.sum() < len(arrivals)
    if which == "binding":
        assert day.stop_visits["left_behind"].sum() > 0


def first_serving_train(
    stop_times: pd.DataFrame, arrivals: Arrivals
) -> tuple[np.ndarray, np.ndarray]:
    """The first door opening at or after each passenger's arrival, at their origin, of a trip
    that stops later at their destination (inf when none), and the trip."""
    serving = serving_visits(stop_times, len(arrivals.stations))
    board = np.full(len(arrivals), np.inf)
    for (o, d), times in serving.items():
        mine = (arrivals.origin == o) & (arrivals.destination == d)
        k = np.searchsorted(times, arrivals.arrival_s[mine], side="left")
        board[mine] = np.where(k < times.size, times[np.minimum(k, times.size - 1)], np.inf)
    return board, np.isfinite(board)


def test_without_a_capacity_limit_everyone_takes_the_first_train(astana_weekday) -> None:
    _, plan = astana_weekday
    arrivals = astana_arrivals(astana_weekday, seed=7)
    day = serve_day(plan.timetable, arrivals, 1e6)
    expected, servable = first_serving_train(plan.timetable, arrivals)
    p = day.passengers
    assert np.array_equal(day.served, servable)
    assert np.array_equal(p["board_s"].to_numpy()[servable], expected[servable])
    assert p["denied_boardings"].sum() == 0
    assert day.stop_visits["left_behind"].sum() == 0
    # The never-served came after their pair's last train (and are in the last hours).
    assert (~servable).sum() > 0
    assert p.loc[~servable, "arrival_s"].min() > 20 * 3600.0


def test_without_a_capacity_limit_on_short_trips_too() -> None:
    stop_times = synthetic_stop_times(8)
    arrivals = synthetic_arrivals(8)
    day = serve_day(stop_times, arrivals, 1e6)
    expected, servable = first_serving_train(stop_times, arrivals)
    assert np.array_equal(day.served, servable)
    assert np.array_equal(day.passengers["board_s"].to_numpy()[servable], expected[servable])


def test_same_seed_same_day(astana_weekday) -> None:
    _, plan = astana_weekday
    runs = [serve_day(plan.timetable, astana_arrivals(astana_weekday, seed=s), 180) for s in (9, 9)]
    pd.testing.assert_frame_equal(runs[0].passengers, runs[1].passengers)
    pd.testing.assert_frame_equal(runs[0].stop_visits, runs[1].stop_visits)
    other = serve_day(plan.timetable, astana_arrivals(astana_weekday, seed=10), 180)
    assert not other.stop_visits["boarded"].equals(runs[0].stop_visits["boarded"])


def test_one_visit_at_a_time_gives_the_same_day() -> None:
    """The train simulation serves visits one by one as trains arrive: same records."""
    stop_times = synthetic_stop_times(11)
    arrivals = synthetic_arrivals(11)
    capacity = 30
    day = serve_day(stop_times, arrivals, capacity)
    visits = visit_table(stop_times, STATIONS)
    state = PassengerState(arrivals, len(visits.trip_ids))
    for v in visits.order:
        outcome = state.serve_visit(
            int(v),
            int(visits.trip[v]),
            int(visits.station[v]),
            float(visits.arrival_s[v]),
            visits.station[v + 1 : visits.trip_end[v]],
            capacity,
        )
        row = day.stop_visits.iloc[visits.rows[v]]
        assert (outcome.boarded, outcome.alighted, outcome.left_behind) == (
            row["boarded"],
            row["alighted"],
            row["left_behind"],
        )
        assert (outcome.load_on_arrival, outcome.load_on_departure) == (
            row["load_on_arrival"],
            row["load_on_departure"],
        )
    assert np.array_equal(state.denied, day.passengers["denied_boardings"].to_numpy())
    boarded = state.board_visit >= 0
    board_s = np.where(boarded, visits.arrival_s[np.maximum(state.board_visit, 0)], np.nan)
    assert np.array_equal(board_s, day.passengers["board_s"].to_numpy(), equal_nan=True)


def test_visits_out_of_time_order_are_refused() -> None:
    arrivals = synthetic_arrivals(15)
    state = PassengerState(arrivals, 2)
    later = np.array([3, 4, 5])
    state.serve_visit(0, 0, 2, 30_000.0, later, 50)
    with pytest.raises(ValueError, match="time order"):
        state.serve_visit(1, 1, 2, 29_999.0, later, 50)


def test_a_fractional_capacity_takes_whole_passengers() -> None:
    stop_times = synthetic_stop_times(12)
    arrivals = synthetic_arrivals(12)
    day = serve_day(stop_times, arrivals, 30.9)
    assert day.capacity_pax == 30
    assert day.stop_visits["load_on_departure"].max() == 30


def test_bad_stop_times_are_refused() -> None:
    stop_times = synthetic_stop_times(13)
    arrivals = synthetic_arrivals(13)
    with pytest.raises(ValueError, match="lack the columns"):
        serve_day(stop_times.drop(columns="arrival_s"), arrivals, 50)
    backwards = stop_times.copy()
    backwards.loc[2, "arrival_s"] = backwards.loc[1, "arrival_s"] - 5.0
    with pytest.raises(ValueError, match="before it arrived"):
        serve_day(backwards, arrivals, 50)
    outside = stop_times.copy()
    outside.loc[0, "station_index"] = STATIONS
    with pytest.raises(ValueError, match="outside the line"):
        serve_day(outside, arrivals, 50)
    with pytest.raises(ValueError, match="capacity"):
        serve_day(stop_times, arrivals, -1.0)
