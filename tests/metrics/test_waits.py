"""Actual, scheduled and excess waits, worked by hand on a three-stop line with a train every
300 s from A (A → B → C, 150 s a stop), and on the Astana plan's undisturbed day."""

from __future__ import annotations

import math

import numpy as np
import pytest
from day_support import Day
from hypothesis import given, settings
from hypothesis import strategies as st
from metrics_support import BruteSchedule, passenger, passengers, stop_times, trip

from lrtsim.metrics.waits import passenger_waits, scheduled_boardings, waits

H = 300.0
STEP = 150.0  # run 120 s + dwell 30 s: a train leaves B 150 s after A
DAY = stop_times(*(trip(f"t{i}", i * H) for i in range(10)))  # leaves A at 0, 300, … 2700


def test_arriving_just_after_a_departure_waits_one_headway() -> None:
    arrival = 600.0 + 1e-3  # just missed the 600 s train
    riders = passengers(passenger(1, "A", "C", arrival, 900.0, 900.0 + 2 * STEP - 30.0))
    w = waits(riders, DAY)
    assert w.scheduled_wait_s == pytest.approx(H, abs=1e-2)
    assert w.mean_wait_s == pytest.approx(H, abs=1e-2)
    assert w.excess_wait_s == pytest.approx(0.0, abs=1e-9)


def test_a_denied_boarding_adds_exactly_one_headway() -> None:
    # Arrives at A at 610: scheduled the 900 s train; it was full, boards the 1200 s one.
    riders = passengers(passenger(1, "A", "C", 610.0, 1200.0, 1470.0, denied=1))
    table = passenger_waits(riders, DAY)
    assert table["scheduled_wait_s"].tolist() == [290.0]
    assert table["actual_wait_s"].tolist() == [590.0]
    assert table["excess_wait_s"].tolist() == [H]


def test_a_denied_boarding_adds_one_headway_at_an_intermediate_stop() -> None:
    # At B the doors open at 120, 420, 720, 1020 …: arriving at 760, scheduled 1020, boards 1320.
    riders = passengers(passenger(1, "B", "C", 760.0, 1320.0, 1470.0, denied=1))
    w = waits(riders, DAY)
    assert w.scheduled_wait_s == pytest.approx(260.0)
    assert w.mean_wait_s == pytest.approx(560.0)
    assert w.excess_wait_s == pytest.approx(H)


def test_a_train_that_does_not_reach_the_destination_is_not_the_scheduled_one() -> None:
    short = trip("s1", 450.0, stations=("A", "B"))  # A → B only, between the 300 and 600 trains
    day = stop_times(*(trip(f"t{i}", i * H) for i in range(4)), short)
    riders = passengers(passenger(1, "A", "C", 301.0), passenger(2, "A", "B", 301.0))
    np.testing.assert_array_equal(scheduled_boardings(riders, day), [600.0, 450.0])


def test_the_direction_follows_origin_and_destination() -> None:
    up = trip("u1", 0.0)
    down = trip("d1", 100.0, stations=("C", "B", "A"), direction="down")  # at B from 220
    day = stop_times(up, down)
    riders = passengers(
        passenger(1, "B", "A", 10.0, direction="down"),
        passenger(2, "B", "C", 10.0),
        passenger(3, "B", "C", 121.0),  # after the only up train opened its doors at B
    )
    scheduled = scheduled_boardings(riders, day)
    assert scheduled[:2].tolist() == [220.0, 120.0]
    assert math.isnan(scheduled[2])


def test_arriving_exactly_at_a_departure_catches_it() -> None:
    riders = passengers(passenger(1, "A", "B", 600.0))
    assert scheduled_boardings(riders, DAY).tolist() == [600.0]


def test_hand_worked_mean_and_95th_percentile() -> None:
    # Waits 0, 100, 200, 300, 400 s; scheduled 0, 100, 200, 0, 100 (the last two denied once).
    riders = passengers(
        passenger(1, "A", "C", 300.0, 300.0),
        passenger(2, "A", "C", 200.0, 300.0),
        passenger(3, "A", "C", 100.0, 300.0),
        passenger(4, "A", "C", 600.0, 900.0, denied=1),
        passenger(5, "A", "C", 500.0, 900.0, denied=1),
    )
    w = waits(riders, DAY)
    assert (w.passengers, w.counted, w.not_served, w.unscheduled) == (5, 5, 0, 0)
    assert w.mean_wait_s == pytest.approx(200.0)
    assert w.p95_wait_s == pytest.approx(380.0)  # 300 + 0.8 · (400 − 300), linear
    assert w.scheduled_wait_s == pytest.approx(80.0)
    assert w.excess_wait_s == pytest.approx(120.0)
    assert w.excess_wait_s == pytest.approx(w.mean_wait_s - w.scheduled_wait_s)


def test_passengers_never_served_or_never_scheduled_are_counted_apart() -> None:
    riders = passengers(
        passenger(1, "A", "C", 0.0, 0.0),  # wait 0
        passenger(2, "A", "C", 100.0, 300.0),  # wait 200
        passenger(3, "A", "C", 100.0),  # a train was scheduled; never boarded
        passenger(4, "A", "C", 5_000.0),  # after the last train
        passenger(5, "A", "C", 5_000.0, 5_100.0),  # after the last train, boarded something
    )
    w = waits(riders, DAY)
    assert (w.passengers, w.counted, w.not_served, w.unscheduled) == (5, 2, 1, 2)
    assert w.mean_wait_s == pytest.approx(100.0)
    assert w.scheduled_wait_s == pytest.approx(100.0)
    assert w.excess_wait_s == pytest.approx(0.0)


def test_no_passengers_gives_nan() -> None:
    w = waits(passengers(), DAY)
    assert w.passengers == 0
    assert all(math.isnan(x) for x in (w.mean_wait_s, w.p95_wait_s, w.excess_wait_s))


def test_the_undisturbed_plan_has_no_excess_wait(astana_day: Day) -> None:
    riders = astana_day.passengers
    table = passenger_waits(riders, astana_day.stop_times)
    expected = riders["board_s"].to_numpy(dtype=float) - riders["arrival_s"].to_numpy(dtype=float)
    # The riders took the first train the timetable offers (a scan of every trip): the same.
    np.testing.assert_array_equal(table["scheduled_wait_s"].to_numpy(), expected)
    w = waits(riders, astana_day.stop_times)
    assert w.counted == int(np.isfinite(expected).sum()) > 300
    assert w.not_served == 0
    assert w.excess_wait_s == 0.0
    assert w.mean_wait_s == w.scheduled_wait_s > 0


def test_the_scheduled_train_agrees_with_a_scan_of_every_trip(astana_day: Day) -> None:
    timetable = astana_day.plan.timetable
    schedule = BruteSchedule(timetable)
    rng = np.random.default_rng(3)
    names = list(timetable.sort_values("station_index")["station"].unique())
    rows = []
    for pid in range(60):
        o, d = rng.choice(len(names), size=2, replace=False)
        rows.append(passenger(pid, names[o], names[d], float(rng.uniform(20_000, 90_000))))
    riders = passengers(*rows)
    expected = [
        schedule.first_train(r.origin, r.destination, r.arrival_s)[0] for r in riders.itertuples()
    ]
    found = scheduled_boardings(riders, astana_day.stop_times)
    np.testing.assert_array_equal(np.where(np.isfinite(found), found, np.inf), expected)


@settings(max_examples=80, deadline=None)
@given(
    trips=st.lists(
        st.tuples(st.integers(0, 2_600_000).map(lambda ms: ms / 1000.0), st.integers(0, 3)),
        min_size=1,
        max_size=20,
    )
)
def test_boarding_k_trains_after_the_scheduled_one_adds_k_headways(
    trips: list[tuple[float, int]],
) -> None:
    rows = []
    for pid, (arrival, denied) in enumerate(trips):
        first = math.ceil(arrival / H) * H  # the scheduled train from A
        board = first + denied * H
        rows.append(passenger(pid, "A", "C", arrival, board, board + 270.0, denied=denied))
    riders = passengers(*rows)
    day = stop_times(*(trip(f"t{i}", i * H) for i in range(14)))
    table = passenger_waits(riders, day)
    excess = table["excess_wait_s"].to_numpy()
    assert (excess >= 0).all()  # nobody boarded earlier than scheduled
    np.testing.assert_allclose(excess, [d * H for _, d in trips], atol=1e-9)
    w = waits(riders, day)
    actual = table["actual_wait_s"].to_numpy()
    assert np.median(actual) - 1e-9 <= w.p95_wait_s <= actual.max() + 1e-9


def test_a_station_the_stop_times_do_not_have_is_refused() -> None:
    with pytest.raises(ValueError, match=r"do not have: \['3'\]"):
        waits(passengers(passenger(1, "A", 3, 0.0)), DAY)  # type: ignore[arg-type]
