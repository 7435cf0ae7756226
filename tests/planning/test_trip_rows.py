"""`planning.tables.trip_rows` and the blocks' spans against pandas' own group-by.

The planner reads each trip's first and last row, and each block's first start and last end,
with numpy (`trip_rows`, `circulation.trains_out_at`); pandas' `groupby(...).agg("first" /
"last" / "min" / "max")` is the independent reference, on tables whose trips are in any order
and interleaved, and on every planned case.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plan_support import Case, peak_concurrency

from lrtsim.planning.circulation import out_of_depot, trains_out_at
from lrtsim.planning.tables import trip_rows


def _table(trip_of_row: list[int]) -> pd.DataFrame:
    """Rows of the given trips (names t0, t1, …) with distinct times and stations."""
    n = len(trip_of_row)
    return pd.DataFrame(
        {
            "trip_id": [f"t{k}" for k in trip_of_row],
            "station": [f"S{i}" for i in range(n)],
            "departure_s": np.arange(n, dtype=float) * 7.0,
            "arrival_s": np.arange(n, dtype=float) * 7.0 + 3.0,
        }
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=40))
def test_first_and_last_rows_are_those_of_pandas_groupby(trip_of_row: list[int]) -> None:
    table = _table(trip_of_row)
    rows = trip_rows(table)
    reference = table.groupby("trip_id", sort=False).agg(
        origin=("station", "first"),
        destination=("station", "last"),
        start=("departure_s", "first"),
        end=("arrival_s", "last"),
    )
    assert rows.trips.tolist() == reference.index.tolist()
    assert rows.first_of(table["station"]).tolist() == reference["origin"].tolist()
    assert rows.last_of(table["station"]).tolist() == reference["destination"].tolist()
    assert rows.first_of(table["departure_s"]).tolist() == reference["start"].tolist()
    assert rows.last_of(table["arrival_s"]).tolist() == reference["end"].tolist()
    assert rows.trips[rows.code].tolist() == table["trip_id"].tolist()


def test_a_row_without_a_trip_is_refused() -> None:
    table = _table([0, 1]).astype({"trip_id": object})
    table.loc[1, "trip_id"] = None
    with pytest.raises(ValueError, match="trip_id is missing"):
        trip_rows(table)


def test_the_planned_timetable_read_both_ways(case: Case) -> None:
    table = case.plan.timetable
    rows = trip_rows(table)
    reference = table.groupby("trip_id", sort=False).agg(
        start=("departure_s", "first"), end=("arrival_s", "last")
    )
    assert rows.first_of(table["departure_s"]).tolist() == reference["start"].tolist()
    assert rows.last_of(table["arrival_s"]).tolist() == reference["end"].tolist()


def test_trains_out_of_the_depot_count_as_pandas_spans_do(case: Case) -> None:
    blocks = case.plan.blocks
    spans = blocks.groupby("block_id").agg(start=("start_s", "min"), end=("end_s", "max"))
    peak, when = out_of_depot(blocks)
    assert peak == peak_concurrency(blocks) == case.plan.circulation.in_service_peak
    assert trains_out_at(blocks, when) == peak
    for t in (0.0, *spans["start"].iloc[::7], *spans["end"].iloc[::7], 1e6):
        expected = int(((spans["start"] <= t) & (spans["end"] > t)).sum())
        assert trains_out_at(blocks, t) == expected
