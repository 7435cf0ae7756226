"""The planning layer's tables: their columns are a contract with GTFS export and simulation.

Times are seconds after midnight of the service day (they may pass 86 400 for service after
midnight). Distances are metres along the trip from its first stop. The timetable's times are
published times: whole seconds (each stop's exact time rounded to the nearest second, raised
where a dwell would fall below the station's own or a run below the flat-out time), and where a
period's headway is whole minutes every departure from a terminal is on a whole minute. The
blocks' times are whole seconds too (layovers and depot moves rounded up). Written to CSV
(`lrtsim.io.tables`), times show to the millisecond and distances to the millimetre at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

TIMETABLE_COLUMNS = (
    "trip_id",  # str, unique: "<direction>-<number in the direction's departure order>-<hhmm>"
    "block_id",  # str: the train (vehicle duty) that runs the trip
    "direction",  # "up" | "down"
    "direction_id",  # int: 0 for up, 1 for down (GTFS)
    "period",  # str: the service period the trip departs in, "HH:MM-HH:MM" (PeriodPlan.label)
    "stop_sequence",  # int, 1-based along the trip
    "station",  # str: station name
    "station_index",  # int: index of the station in line.stations
    "stop_id",  # str: the station's public id, GTFS stop_id (`model.names.stop_ids`)
    "arrival_s",  # float, whole seconds
    "departure_s",  # float, whole seconds (= arrival_s at the first and the last stop)
    "distance_m",  # float: along the trip from its first stop (GTFS shape_dist_traveled)
)
"""One row per trip and stop, in trip order (up, then down, each by departure) then stop order.

A trip stops at every station between its first and its last. Trips run terminal to terminal,
except positioning trips (`Circulation.positioning_trips`): a train going to or from a depot
that joins the line between two stations runs in service between that junction's station on
its side (the gate) and a terminal.
"""

BLOCK_COLUMNS = (
    "block_id",  # str
    "sequence",  # int, 1-based within the block
    "activity",  # "pull_out" | "trip" | "layover" | "deadhead" | "pull_in"
    "trip_id",  # str: the trip for activity "trip", else ""
    "from_station",  # str: where the activity starts (the depot's name for pull_out)
    "to_station",  # str: where it ends (the depot's name for pull_in)
    "start_s",  # float, whole seconds
    "end_s",  # float, whole seconds
    "distance_m",  # float: train-metres run (0 for layovers)
)
"""One row per activity of each train, in time order.

A pull-out runs from the depot to a terminal or a gate (access track, then the main line from the
junction), a pull-in back; a deadhead is an empty non-stop run between the two terminals (only
with a depot beyond a terminal, outside what positioning trips can do); a layover waits at a
terminal or a gate.
"""


@dataclass(frozen=True, eq=False)
class TripRows:
    """Where each trip of a timetable is: the trips in order of first appearance (the order of
    `groupby("trip_id", sort=False)`), each row's trip as a code into them, and the positions
    of each trip's first and last row. Read with `first_of`/`last_of`, which is what
    `groupby(…).agg(first/last)` gives on a timetable (it has no missing values)."""

    trips: pd.Index
    code: npt.NDArray[np.intp]
    first: npt.NDArray[np.intp]
    last: npt.NDArray[np.intp]

    def first_of(self, column: pd.Series) -> npt.NDArray[Any]:
        """`column` at each trip's first row."""
        return column.to_numpy()[self.first]

    def last_of(self, column: pd.Series) -> npt.NDArray[Any]:
        """`column` at each trip's last row."""
        return column.to_numpy()[self.last]


def trip_rows(timetable: pd.DataFrame) -> TripRows:
    """The trips of `timetable` (TIMETABLE_COLUMNS, or any table with `trip_id`) and their
    first and last rows, in one pass of numpy instead of a pandas group-by."""
    code, trips = pd.factorize(timetable["trip_id"])
    if (code < 0).any():
        raise ValueError("trip_id is missing in some rows")
    # np.unique gives the first occurrence of each code; on the reversed codes, the last.
    _, first = np.unique(code, return_index=True)
    _, from_end = np.unique(code[::-1], return_index=True)
    return TripRows(trips=trips, code=code, first=first, last=len(code) - 1 - from_end)
