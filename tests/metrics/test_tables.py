"""The table contracts and the undisturbed day of a plan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from day_support import Day
from metrics_support import stop_times, trip

from lrtsim.metrics.tables import (
    STOP_TIMES_COLUMNS,
    departure_rows,
    require_columns,
    stop_times_from_timetable,
)


def test_the_undisturbed_day_serves_every_stop_at_its_planned_time(astana_day: Day) -> None:
    timetable = astana_day.plan.timetable
    table = stop_times_from_timetable(timetable)
    assert tuple(table.columns) == STOP_TIMES_COLUMNS
    assert len(table) == len(timetable)
    np.testing.assert_array_equal(table["planned_arrival_s"], timetable["arrival_s"])
    np.testing.assert_array_equal(table["planned_departure_s"], timetable["departure_s"])
    np.testing.assert_array_equal(table["actual_arrival_s"], table["planned_arrival_s"])
    np.testing.assert_array_equal(table["actual_departure_s"], table["planned_departure_s"])
    assert (table["trip_id"].to_numpy() == timetable["trip_id"].to_numpy()).all()


def test_a_missing_column_is_named() -> None:
    with pytest.raises(ValueError, match=r"stop_times lacks the columns \['actual_arrival_s'\]"):
        require_columns(
            pd.DataFrame(columns=[c for c in STOP_TIMES_COLUMNS if c != "actual_arrival_s"]),
            STOP_TIMES_COLUMNS,
            "stop_times",
        )
    with pytest.raises(ValueError, match="timetable lacks"):
        stop_times_from_timetable(pd.DataFrame({"trip_id": ["x"]}))


def test_departures_are_every_stop_but_the_last_of_each_trip() -> None:
    table = stop_times(trip("t1", 0.0), trip("t2", 300.0, stations=("A", "B")))
    assert departure_rows(table).tolist() == [True, True, False, True, False]
