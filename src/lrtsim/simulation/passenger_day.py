"""A day of passengers on given stop times: every stop visit served in time order.

The stop times are an input table (`STOP_TIME_COLUMNS`): the planned timetable
(`ServicePlan.timetable`) for a day run as planned, or the stop times the train simulation
produces. At each visit the train's doors open at `arrival_s`: the passengers for this station
alight, those on the platform for one of the trip's later stops board first come first served
up to the capacity, and the others are left behind (`boarding`). Visits are served in order of
`arrival_s` (ties by trip, in order of first appearance, then stop sequence), which keeps each
trip's stops in sequence and each platform's trains in the order they come.

A passenger is served by the first train, after their arrival, that stops at their
destination and has room. Passengers who arrive after the last such train, or whom every such
train left behind, are never served: they keep `trip_id` "" and NaN boarding and alighting
times, with the denied boardings they had (`served` is False). A passenger rides one trip,
from origin to destination (the line has no transfers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.simulation import tables
from lrtsim.simulation.arrivals import Arrivals, categorical, direction_labels
from lrtsim.simulation.boarding import NOT_BOARDED, PassengerState, whole_capacity

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

STOP_TIME_COLUMNS = (
    "trip_id",  # str
    "stop_sequence",  # int, 1-based along the trip
    "station",  # str
    "station_index",  # int: line order
    "arrival_s",  # float: the doors open (passengers arrived by then may board)
    "departure_s",  # float
)
"""Columns the stop-times input needs (the planning timetable has them, and more)."""

PASSENGER_COLUMNS = tables.PASSENGER_COLUMNS
"""One row per passenger, in id order (= order of arrival); origin and destination here are
station indices (`simulate_day` names them)."""

STOP_VISIT_COLUMNS = (
    *tables.STOP_VISIT_COLUMNS,
    "station_index",  # int
    "arrival_s",  # float
    "departure_s",  # float
    "load_on_arrival",  # int: on board as the train arrives (before anyone alights)
)
"""One row per stop visit, in the order of the stop-times input: the contract's columns
(`simulation.tables.STOP_VISIT_COLUMNS`) and the visit's times and arriving load."""


@dataclass(frozen=True, eq=False)
class PassengerDay:
    """The day's passengers on the given stop times: per passenger and per stop visit."""

    passengers: pd.DataFrame
    stop_visits: pd.DataFrame
    capacity_pax: int
    """Whole passengers a train took."""

    @property
    def served(self) -> npt.NDArray[np.bool_]:
        """Per passenger: did they board a train."""
        return np.asarray(~np.isnan(self.passengers["board_s"].to_numpy(dtype=np.float64)))


@dataclass(frozen=True, eq=False)
class VisitTable:
    """Stop visits as arrays in trip order (a trip's visits consecutive, by stop sequence)."""

    rows: IntArray
    """Row of each visit in the stop-times input."""
    trip: IntArray
    """Trip number (order of first appearance in the input)."""
    trip_ids: tuple[str, ...]
    station: IntArray
    arrival_s: FloatArray
    trip_end: IntArray
    """One past the last visit of the same trip."""
    order: IntArray
    """Visits in the order they are served: by arrival, trip, stop sequence."""


def visit_table(stop_times: pd.DataFrame, stations: int) -> VisitTable:
    """The stop times as arrays, checked: known stations, a trip's stops in increasing stop
    sequence with non-decreasing arrival times, each station at most once a trip."""
    missing = [c for c in STOP_TIME_COLUMNS if c not in stop_times.columns]
    if missing:
        raise ValueError(f"the stop times lack the columns {', '.join(missing)}")
    codes, uniques = pd.factorize(stop_times["trip_id"], sort=False)
    if "" in set(uniques):
        raise ValueError("a stop time has an empty trip_id")
    sequence = stop_times["stop_sequence"].to_numpy(dtype=np.int64)
    rows = np.lexsort((sequence, codes)).astype(np.int64)
    trip = codes[rows].astype(np.int64)
    station = stop_times["station_index"].to_numpy(dtype=np.int64)[rows]
    arrival_s = stop_times["arrival_s"].to_numpy(dtype=np.float64)[rows]
    if station.size and (station.min() < 0 or station.max() >= stations):
        raise ValueError(f"a station_index is outside the line's {stations} stations")
    if not np.all(np.isfinite(arrival_s)):
        raise ValueError("the stop times have a non-finite arrival_s")
    same = trip[1:] == trip[:-1]
    if np.any(same & (np.diff(sequence[rows]) <= 0)):
        raise ValueError("a trip has two stops with the same stop_sequence")
    if np.any(same & (np.diff(arrival_s) < 0)):
        raise ValueError("a trip arrives at a stop before it arrived at the stop before")
    pair = trip * stations + station
    if np.unique(pair).size != pair.size:
        raise ValueError("a trip stops twice at one station")
    last = np.concatenate((~same, [True])) if trip.size else np.zeros(0, dtype=bool)
    ends = np.flatnonzero(last) + 1
    trip_end = np.repeat(ends, np.diff(ends, prepend=0)).astype(np.int64)
    order = np.lexsort((np.arange(trip.size), arrival_s)).astype(np.int64)
    return VisitTable(
        rows=rows,
        trip=trip,
        trip_ids=tuple(str(t) for t in uniques),
        station=station,
        arrival_s=arrival_s,
        trip_end=trip_end,
        order=order,
    )


def passenger_records(
    arrivals: Arrivals,
    visits: VisitTable,
    board_visit: IntArray,
    denied: IntArray,
    stations: int,
    *,
    board_s: FloatArray | None = None,
    served: npt.NDArray[np.bool_] | None = None,
) -> pd.DataFrame:
    """Per-passenger records from the visit each boarded at (`NOT_BOARDED` if none).

    `board_s` gives each passenger's boarding time where it is not the doors' opening at the
    visit; `served` marks the visits a train made: one who travels to a stop the train passed
    alights at its next stop served, named in an extra column `alight_station` (an index, −1
    for those who never boarded)."""
    boarded = board_visit != NOT_BOARDED
    at = np.where(boarded, board_visit, 0)
    trip = visits.trip[at]
    # The visit of the same trip at the destination: a lookup by (trip, station).
    visit_at = np.full(len(visits.trip_ids) * stations, -1, dtype=np.int64)
    visit_at[visits.trip * stations + visits.station] = np.arange(visits.trip.size)
    alight_visit = visit_at[trip * stations + arrivals.destination]
    if np.any(boarded & (alight_visit < 0)):
        raise AssertionError("a passenger boarded a trip that does not stop at their destination")
    if served is not None:
        alight_visit = np.where(
            alight_visit >= 0, _next_served(served, visits)[np.maximum(alight_visit, 0)], -1
        )
        if np.any(boarded & (alight_visit < 0)):
            raise AssertionError(
                "a passenger rode a trip that served no stop from their destination on"
            )
    nan = np.float64(np.nan)
    trip_code = np.where(boarded, trip, len(visits.trip_ids))
    columns = list(PASSENGER_COLUMNS) if served is None else [*PASSENGER_COLUMNS, "alight_station"]
    return pd.DataFrame(
        {
            "passenger_id": arrivals.passenger_id,
            "origin": arrivals.origin,
            "destination": arrivals.destination,
            "direction": direction_labels(arrivals.direction_id),
            "arrival_s": arrivals.arrival_s,
            "board_s": np.where(boarded, visits.arrival_s[at] if board_s is None else board_s, nan),
            "alight_s": np.where(boarded, visits.arrival_s[np.maximum(alight_visit, 0)], nan),
            "trip_id": categorical(trip_code, (*visits.trip_ids, "")),
            "denied_boardings": denied.astype(np.int64),
            "alight_station": np.where(boarded, visits.station[np.maximum(alight_visit, 0)], -1),
        },
        columns=columns,
    )


def _next_served(served: npt.NDArray[np.bool_], visits: VisitTable) -> IntArray:
    """Per visit: the first visit of the same trip at or after it that was served (−1: none)."""
    out = np.full(served.size, -1, dtype=np.int64)
    following = -1
    for v in range(served.size - 1, -1, -1):
        if v + 1 < served.size and visits.trip_end[v] != visits.trip_end[v + 1]:
            following = -1
        if served[v]:
            following = v
        out[v] = following
    return out


def serve_day(stop_times: pd.DataFrame, arrivals: Arrivals, capacity_pax: float) -> PassengerDay:
    """Serve `arrivals` by the trains of `stop_times`, each taking `capacity_pax` passengers.

    The capacity is the caller's choice: the planner's loading standard
    (`rolling_stock.capacity_at(service.loading_standard_pax_per_m2)`) or the crush load
    (`rolling_stock.capacity_at(rolling_stock.crush_standing_pax_per_m2)`); it is rounded down
    to whole passengers.
    """
    n = len(arrivals.stations)
    visits = visit_table(stop_times, n)
    state = PassengerState(arrivals, len(visits.trip_ids))
    out = state.serve_visits(
        visits.order, visits.trip, visits.station, visits.arrival_s, visits.trip_end, capacity_pax
    )
    # Back to the input's row order.
    by_row = np.empty_like(out)
    by_row[visits.rows] = out
    table = stop_times.reset_index(drop=True)
    stop_visits = pd.DataFrame(
        {
            "trip_id": table["trip_id"],
            "stop_sequence": table["stop_sequence"].to_numpy(dtype=np.int64),
            "station": table["station"],
            "direction": table.get("direction", ""),
            "station_index": table["station_index"].to_numpy(dtype=np.int64),
            "arrival_s": table["arrival_s"].to_numpy(dtype=np.float64),
            "departure_s": table["departure_s"].to_numpy(dtype=np.float64),
            "alighted": by_row[:, 1],
            "boarded": by_row[:, 0],
            "load_on_arrival": by_row[:, 2],
            "load_on_departure": by_row[:, 3],
            "left_behind": by_row[:, 4],
        },
        columns=list(STOP_VISIT_COLUMNS),
    )
    return PassengerDay(
        passengers=passenger_records(arrivals, visits, state.board_visit, state.denied, n),
        stop_visits=stop_visits,
        capacity_pax=whole_capacity(capacity_pax),
    )
