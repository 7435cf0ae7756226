"""Punctuality, worked by hand on a three-stop line (A → B → C), and on the Astana plan."""

from __future__ import annotations

import pytest
from day_support import Day
from hypothesis import given, settings
from hypothesis import strategies as st
from metrics_support import stop_times, trip

from lrtsim.errors import ArgumentError
from lrtsim.metrics.punctuality import punctuality


def test_hand_worked_departures_at_all_stops_and_terminals() -> None:
    # Departures: A and B of each trip (C is the last stop), 8 in all.
    table = stop_times(
        trip("t1", 0.0),  # on time: 2
        trip("t2", 300.0, delays=[180.0, 200.0, 200.0]),  # A at +180 on time, B at +200 late: 1
        trip("t3", 600.0, delays=[-61.0, -60.0, 0.0]),  # A 61 s early, B 60 s early: 1
        trip("t4", 900.0, delays=None),  # cancelled: 0
    )
    p = punctuality(table)
    assert (p.departures, p.on_time, p.not_served) == (8, 4, 2)
    assert p.pct == pytest.approx(50.0)
    assert (p.terminal_departures, p.terminal_on_time) == (4, 2)
    assert p.terminal_pct == pytest.approx(50.0)


def test_the_last_stop_is_no_departure() -> None:
    p = punctuality(stop_times(trip("t1", 0.0, delays=[0.0, 0.0, 600.0])))
    assert (p.departures, p.on_time, p.pct) == (2, 2, 100.0)


def test_the_window_is_a_parameter() -> None:
    table = stop_times(trip("t1", 0.0, delays=[240.0, 240.0, 240.0]))
    assert punctuality(table).pct == 0.0
    assert punctuality(table, window_s=(-60.0, 300.0)).pct == 100.0


def test_a_short_turn_counts_the_stops_it_left_out_as_not_on_time() -> None:
    # Turned back at B: arrived there on time, never left in the trip's direction.
    rows = trip("t1", 0.0)
    rows[1]["actual_departure_s"] = float("nan")
    rows[2]["actual_arrival_s"] = rows[2]["actual_departure_s"] = float("nan")
    p = punctuality(stop_times(rows))
    assert (p.departures, p.on_time, p.not_served) == (2, 1, 1)


def test_an_empty_table_has_no_share() -> None:
    p = punctuality(stop_times())
    assert p.departures == 0
    assert p.pct != p.pct  # NaN


@pytest.mark.parametrize("window", [(60.0, -60.0), (float("nan"), 180.0)])
def test_a_bad_window_is_refused(window: tuple[float, float]) -> None:
    with pytest.raises(ArgumentError, match="window_s"):
        punctuality(stop_times(trip("t1", 0.0)), window_s=window)


def test_the_undisturbed_plan_is_all_on_time(astana_day: Day) -> None:
    p = punctuality(astana_day.stop_times)
    assert p.departures == len(astana_day.plan.timetable) - astana_day.plan.trips
    assert p.pct == 100.0
    assert p.terminal_pct == 100.0
    assert p.terminal_departures == astana_day.plan.trips


@settings(max_examples=60, deadline=None)
@given(
    starts=st.lists(st.integers(0, 80_000), min_size=1, max_size=8),
    shift=st.floats(-60.0, 180.0),
)
def test_shifting_every_time_inside_the_window_keeps_all_on_time(
    starts: list[int], shift: float
) -> None:
    table = stop_times(*(trip(f"t{i}", float(s), delays=shift) for i, s in enumerate(starts)))
    p = punctuality(table)
    assert p.pct == 100.0
    assert p.terminal_pct == 100.0


@settings(max_examples=60, deadline=None)
@given(
    starts=st.lists(st.integers(0, 80_000), min_size=1, max_size=8),
    shift=st.one_of(st.floats(-10_000.0, -60.01), st.floats(180.01, 10_000.0)),
)
def test_shifting_every_time_outside_the_window_makes_none_on_time(
    starts: list[int], shift: float
) -> None:
    table = stop_times(*(trip(f"t{i}", float(s), delays=shift) for i, s in enumerate(starts)))
    assert punctuality(table).on_time == 0
