"""Small tables for the KPI tests, built row by row so every number can be checked by hand.

`trip` gives the stop-times rows of one trip on a line whose stations are `stations` (in running
order): the train leaves stop k at start + k · (run_s + dwell_s) and arrives dwell_s earlier
(the first stop: arrival = departure; the last: departure = arrival). `delays` shifts the actual
times stop by stop (a number for every stop, or one per stop, None for a stop not served).
`passenger` gives one passengers row; `table` turns rows into a DataFrame with the contract's
columns. `BruteSchedule.first_train` finds a passenger's scheduled train by scanning every trip,
independently of `lrtsim.metrics.waits`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from lrtsim.metrics.tables import PASSENGER_COLUMNS, STOP_TIMES_COLUMNS

NAN = math.nan
LINE = ("A", "B", "C")


def trip(
    trip_id: str,
    start_s: float,
    *,
    stations: Sequence[str] = LINE,
    run_s: float = 120.0,
    dwell_s: float = 30.0,
    direction: str = "up",
    delays: float | Sequence[float | None] | None = 0.0,
    block_id: str = "B1",
) -> list[dict[str, Any]]:
    """The stop-times rows of one trip (see the module docstring)."""
    n = len(stations)
    if delays is None:
        per_stop: list[float | None] = [None] * n
    elif isinstance(delays, (int, float)):
        per_stop = [float(delays)] * n
    else:
        per_stop = list(delays)
    rows = []
    for k, station in enumerate(stations):
        departure = start_s + k * (run_s + dwell_s)
        arrival = departure if k == 0 else departure - dwell_s
        if k == n - 1:
            departure = arrival
        shift = per_stop[k]
        rows.append(
            {
                "trip_id": trip_id,
                "block_id": block_id,
                "direction": direction,
                "stop_sequence": k + 1,
                "station": station,
                "station_index": LINE.index(station) if station in LINE else k,
                "planned_arrival_s": arrival,
                "planned_departure_s": departure,
                "actual_arrival_s": NAN if shift is None else arrival + shift,
                "actual_departure_s": NAN if shift is None else departure + shift,
            }
        )
    return rows


def stop_times(*trips: list[dict[str, Any]]) -> pd.DataFrame:
    """A stop-times table of the given trips' rows."""
    rows = [row for t in trips for row in t]
    return pd.DataFrame(rows, columns=list(STOP_TIMES_COLUMNS))


def passenger(
    passenger_id: int,
    origin: str,
    destination: str,
    arrival_s: float,
    board_s: float = NAN,
    alight_s: float = NAN,
    *,
    direction: str = "up",
    trip_id: str = "",
    denied: int = 0,
) -> dict[str, Any]:
    """One passengers row."""
    return {
        "passenger_id": passenger_id,
        "origin": origin,
        "destination": destination,
        "direction": direction,
        "arrival_s": arrival_s,
        "board_s": board_s,
        "alight_s": alight_s,
        "trip_id": trip_id,
        "denied_boardings": denied,
    }


def passengers(*rows: dict[str, Any]) -> pd.DataFrame:
    """A passengers table of the given rows."""
    return pd.DataFrame(list(rows), columns=list(PASSENGER_COLUMNS))


class BruteSchedule:
    """A timetable (`TIMETABLE_COLUMNS`) as plain dicts, searched trip by trip."""

    def __init__(self, timetable: pd.DataFrame) -> None:
        self.trips: list[tuple[str, dict[str, int], dict[str, float], dict[str, float]]] = []
        for trip_id, g in timetable.groupby("trip_id"):
            seq = dict(zip(g["station"], g["stop_sequence"], strict=True))
            dep = dict(zip(g["station"], g["departure_s"], strict=True))
            arr = dict(zip(g["station"], g["arrival_s"], strict=True))
            self.trips.append((str(trip_id), seq, dep, arr))

    def first_train(
        self, origin: str, destination: str, arrival_s: float
    ) -> tuple[float, float, str]:
        """The earliest planned train whose doors open at `origin` at or after `arrival_s` and
        that stops at `destination` later: (its arrival at the origin, its arrival at the
        destination, trip_id), or (inf, inf, "")."""
        best = (math.inf, math.inf, "")
        for trip_id, seq, _dep, arr in self.trips:
            if origin not in seq or destination not in seq or seq[origin] >= seq[destination]:
                continue
            if arrival_s <= arr[origin] < best[0]:
                best = (float(arr[origin]), float(arr[destination]), trip_id)
        return best
