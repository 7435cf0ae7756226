"""The tables KPIs are computed from: their columns are a contract with the simulation.

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

STOP_TIMES_COLUMNS = (
    "trip_id",  # str: as in the timetable
    "block_id",  # str: the train that ran (or was to run) the trip
    "direction",  # "up" | "down"
    "stop_sequence",  # int, 1-based along the trip
    "station",  # str: station name
    "station_index",  # int: index of the station in line.stations
    "planned_arrival_s",  # float: the timetable's arrival_s; NaN for a stop not in the plan
    "planned_departure_s",  # float: the timetable's departure_s; NaN for a stop not in the plan
    "actual_arrival_s",  # float: NaN where the stop was not served
    "actual_departure_s",  # float: NaN where the stop was not served
)
"""One row per trip and stop: every stop of every planned trip, served or not.

A stop the train did not serve — a cancelled trip, the part of a trip beyond a short turn, a
closed station passed without stopping — keeps its planned times and has NaN actual times. At a
short turn the train's last stop in the trip's direction has an actual arrival and a NaN actual
departure (it does not leave in that direction). At a trip's last stop the departure is the
arrival, as in the timetable; no KPI reads a departure there. Service the plan did not have
(an extra trip) may be added as rows with NaN planned times: it counts in the headways
passengers saw, never in punctuality.
"""

PASSENGER_COLUMNS = (
    "passenger_id",  # int or str, unique within a day and the same for the same passenger on
    # another simulated day of the same demand (delays are joined on it)
    "origin",  # str: station name
    "destination",  # str: station name
    "direction",  # "up" | "down"
    "arrival_s",  # float: arrival on the platform
    "board_s",  # float: the boarded train's doors opened at the origin; NaN if never boarded
    "alight_s",  # float: arrival of that train at the destination; NaN if never boarded
    "trip_id",  # str: the trip boarded; "" if never boarded
    "denied_boardings",  # int: trains the passenger could not board (full), 0 if none
)
"""One row per passenger. `board_s` is when the boarded train's doors opened at the origin (its
arrival there: the end of the wait, as `simulation.boarding` lets on those who came before the
doors opened) and `alight_s` its arrival at the destination (the end of the journey): so in the
undisturbed day a passenger's wait is exactly the timetable's, and its excess wait 0."""

STOP_VISIT_COLUMNS = (
    "trip_id",  # str
    "stop_sequence",  # int
    "station",  # str
    "direction",  # "up" | "down"
    "boarded",  # int: passengers who boarded
    "alighted",  # int: passengers who alighted
    "load_on_departure",  # int: passengers on board leaving the stop
    "left_behind",  # int: passengers who wanted this train and could not board it
)
"""One row per stop a train served (a stop it passed or never reached has no row)."""

RUN_COLUMNS = (
    "block_id",  # str: the train
    "trip_id",  # str: the trip run; "" for an empty run (pull-out, pull-in, deadhead)
    "distance_m",  # float: train-metres run
    "line_energy_j",  # float: energy drawn from the line, net of regeneration fed back
)
"""One row per run of a train, in service or empty; a train that never left the depot has none.
A run cut short (a failure, a short turn) counts the distance actually run."""


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
