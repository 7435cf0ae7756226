"""The tables KPIs are computed from (their columns: `lrtsim.simulation.tables`, the contract
with the simulation, which writes them), with the checks and helpers the KPIs use.

Every KPI is a function of these tables alone, never of simulator objects, so the same code
measures any simulated day and the plan itself (`stop_times_from_timetable`: the undisturbed
day, every stop served on time). Times are seconds after midnight of the service day, as in the
planning tables (`planning.tables`); NaN marks what did not happen. A table may carry more
columns than these; each function checks that the ones it reads are there.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from lrtsim.planning.tables import TIMETABLE_COLUMNS
from lrtsim.simulation.tables import (
    PASSENGER_COLUMNS,
    RUN_COLUMNS,
    STOP_TIMES_COLUMNS,
    STOP_VISIT_COLUMNS,
)

__all__ = [
    "PASSENGER_COLUMNS",
    "RUN_COLUMNS",
    "STOP_TIMES_COLUMNS",
    "STOP_VISIT_COLUMNS",
    "departure_rows",
    "require_columns",
    "stop_times_from_timetable",
]


def require_columns(table: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    """Raise ValueError naming the columns of `columns` that `table` (called `name`) lacks."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name} lacks the columns {missing} (see lrtsim.metrics.tables)")


def stop_times_from_timetable(timetable: pd.DataFrame) -> pd.DataFrame:
    """The undisturbed day of a planned timetable (`TIMETABLE_COLUMNS`): a stop-times table with
    every stop served at its planned time (actual = planned)."""
    require_columns(timetable, TIMETABLE_COLUMNS, "timetable")
    return pd.DataFrame(
        {
            "trip_id": timetable["trip_id"].to_numpy(),
            "block_id": timetable["block_id"].to_numpy(),
            "direction": timetable["direction"].to_numpy(),
            "stop_sequence": timetable["stop_sequence"].to_numpy(),
            "station": timetable["station"].to_numpy(),
            "station_index": timetable["station_index"].to_numpy(),
            "planned_arrival_s": timetable["arrival_s"].to_numpy(dtype=float),
            "planned_departure_s": timetable["departure_s"].to_numpy(dtype=float),
            "actual_arrival_s": timetable["arrival_s"].to_numpy(dtype=float),
            "actual_departure_s": timetable["departure_s"].to_numpy(dtype=float),
        },
        columns=list(STOP_TIMES_COLUMNS),
    )


def departure_rows(stop_times: pd.DataFrame) -> pd.Series:
    """True for the rows that are departures: every stop of a trip but its last one (the
    highest `stop_sequence` of the trip's rows), where a train leaves passengers can board."""
    last = stop_times.groupby("trip_id", sort=False)["stop_sequence"].transform("max")
    return stop_times["stop_sequence"] < last
