"""Headway adherence (TCQSM cv_h), worked by hand on one- and two-station departures, and on
the Astana plan."""

from __future__ import annotations

import math

import numpy as np
import pytest
from day_support import Day
from hypothesis import given, settings
from hypothesis import strategies as st
from metrics_support import stop_times, trip

from lrtsim.metrics.headways import (
    REGULARITY_COLUMNS,
    headway_deviations,
    line_cv_h,
    los_band,
    regularity,
)

TWO = ("A", "B")  # one departure per trip: from A


def _departures_at_a(planned: list[float], actual: list[float | None]) -> list[list[dict]]:
    return [
        trip(f"t{i}", p, stations=TWO, delays=None if a is None else [a - p, a - p])
        for i, (p, a) in enumerate(zip(planned, actual, strict=True))
    ]


def test_hand_worked_cv_of_one_station() -> None:
    # Scheduled every 300 s; the second train 60 s late: headways 360, 240, 300 against 300.
    table = stop_times(*_departures_at_a([0, 300, 600, 900], [0, 360, 600, 900]))
    r = regularity(table)
    sd = math.sqrt((60.0**2 + 60.0**2 + 0.0) / 3)  # population SD of +60, −60, 0
    assert r.headways == 3
    assert r.cv_h == pytest.approx(sd / 300.0)  # 0.163
    assert r.los == "A"
    assert tuple(r.by_stop.columns) == REGULARITY_COLUMNS
    assert r.by_stop[["direction", "station", "headways"]].values.tolist() == [["up", "A", 3]]


def test_a_cancelled_train_is_one_long_headway() -> None:
    # The third of four trains at 300 s does not run: at 900 s the platform waited 600 s.
    table = stop_times(*_departures_at_a([0, 300, 600, 900], [0, 300, None, 900]))
    deviations = headway_deviations(table)
    assert deviations["actual_headway_s"].tolist() == [300.0, 600.0]
    assert deviations["scheduled_headway_s"].tolist() == [300.0, 300.0]
    r = regularity(table)
    assert r.cv_h == pytest.approx(150.0 / 300.0)  # SD of 0 and 300 is 150
    assert r.los == "D"


def test_overtaking_is_seen_as_the_platform_sees_it() -> None:
    # t1 planned at 300 runs at 650, after t2 (planned 600, on time): the platform saw trains
    # at 0, 600, 650, 900 → headways 600, 50, 250 against scheduled 300 (t2), 300 (t1), 300.
    table = stop_times(*_departures_at_a([0, 300, 600, 900], [0, 650, 600, 900]))
    deviations = headway_deviations(table).sort_values("actual_headway_s")
    assert deviations["actual_headway_s"].tolist() == [50.0, 250.0, 600.0]
    assert deviations["deviation_s"].tolist() == [-250.0, -50.0, 300.0]


def test_the_line_pools_every_station_and_direction() -> None:
    up = _departures_at_a([0, 300, 600], [0, 330, 600])  # deviations +30, −30
    down = [
        trip(f"d{i}", p, stations=("B", "A"), direction="down", delays=0.0)
        for i, p in enumerate([100.0, 700.0, 1300.0])  # every 600 s, on time: 0, 0
    ]
    r = regularity(stop_times(*up, *down))
    assert r.by_stop["station"].tolist() == ["A", "B"]
    assert r.by_stop["cv_h"].tolist() == pytest.approx([30.0 / 300.0, 0.0])
    pooled_sd = float(np.std([30.0, -30.0, 0.0, 0.0]))
    assert r.cv_h == pytest.approx(pooled_sd / 450.0)  # mean of 300, 300, 600, 600


def test_a_train_late_all_day_by_the_same_amount_is_regular() -> None:
    table = stop_times(*_departures_at_a([0, 300, 600, 900], [120, 420, 720, 1020]))
    assert regularity(table).cv_h == 0.0


def test_no_headways_gives_nan_and_no_band() -> None:
    r = regularity(stop_times(trip("t1", 0.0)))
    assert r.headways == 0
    assert math.isnan(r.cv_h)
    assert r.los == ""
    assert r.by_stop.empty


@pytest.mark.parametrize(
    ("cv", "band"),
    [
        (0.0, "A"),
        (0.21, "A"),
        (0.2149, "A"),
        (0.215, "B"),
        (0.30, "B"),
        (0.31, "C"),
        (0.39, "C"),
        (0.40, "D"),
        (0.52, "D"),
        (0.53, "E"),
        (0.74, "E"),
        (0.75, "F"),
        (3.0, "F"),
    ],
)
def test_tcqsm_los_bands(cv: float, band: str) -> None:
    assert los_band(cv) == band


def test_the_undisturbed_plan_has_cv_zero(astana_day: Day) -> None:
    r = regularity(astana_day.stop_times)
    assert r.cv_h == 0.0
    assert r.los == "A"
    assert (r.by_stop["cv_h"] == 0.0).all()
    # Every station but each direction's last has departures with headways.
    stations = astana_day.plan.timetable["station"].nunique()
    assert len(r.by_stop) == 2 * (stations - 1)


_times = st.lists(st.integers(0, 3_000), min_size=3, max_size=10, unique=True)


@settings(max_examples=60, deadline=None)
@given(planned=_times, noise=st.lists(st.integers(-200, 200), min_size=10, max_size=10))
def test_cv_does_not_change_with_a_constant_shift_or_a_change_of_time_unit(
    planned: list[int], noise: list[int]
) -> None:
    planned = sorted(planned)
    actual = [p + n for p, n in zip(planned, noise, strict=False)]
    base = regularity(stop_times(*_departures_at_a(planned, actual))).cv_h
    shifted = regularity(stop_times(*_departures_at_a(planned, [a + 97 for a in actual]))).cv_h
    scaled = regularity(
        stop_times(*_departures_at_a([3.0 * p for p in planned], [3.0 * a for a in actual]))
    ).cv_h
    assert shifted == pytest.approx(base, abs=1e-12)
    assert scaled == pytest.approx(base, abs=1e-12)


def test_the_line_figure_alone_is_the_pooled_one(astana_day: Day) -> None:
    """`line_cv_h` (what `kpis` reads) is `regularity(...).cv_h`, NaN without headways too."""
    table = astana_day.stop_times
    assert line_cv_h(table) == regularity(table).cv_h
    late = stop_times(*_departures_at_a([0, 300, 600, 900], [0, 360, 600, 900]))
    assert line_cv_h(late) == regularity(late).cv_h
    assert math.isnan(line_cv_h(stop_times(trip("t1", 0.0))))
