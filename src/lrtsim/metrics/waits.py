"""Passenger waits: actual, scheduled and excess (TfL's Excess Wait Time, per passenger).

A passenger's actual wait is board_s − arrival_s: from reaching the platform to the departure
of the train boarded, so the trains they could not board (full) are in it. Their scheduled wait
is what the same passenger would have waited with every train on its planned time and no
capacity limit: from their arrival to the first planned departure from their origin, at or after
the arrival, of a trip whose plan also stops at their destination later. Excess wait = actual −
scheduled. TfL measures Excess Wait Time as actual minus scheduled wait (from headways, for
frequent bus routes; London Underground's Excess Journey Time counts platform waits, trains
too full to board included); with every passenger simulated we take the difference passenger
by passenger, so denied boardings count in it as they do on the Underground.

Who is counted. The waits are over passengers who boarded and had a scheduled train. A
passenger who never boarded though a train was scheduled for them is *not served*: their wait
has no end, so it is left out of the waits and counted on its own (`not_served`), to be read
with them — as measured waits are (a fare-card or counted journey exists only once made). A
passenger for whom no train was scheduled (arrived after the last one for their trip) is
*unscheduled*, left out of every wait whatever happened to them: no service plan could serve
them, so they say nothing about how it was run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.metrics.tables import (
    PASSENGER_COLUMNS,
    STOP_TIMES_COLUMNS,
    departure_rows,
    require_columns,
)

FloatArray = npt.NDArray[np.float64]

WAIT_PERCENTILE = 95.0
"""The high percentile reported (numpy's linear interpolation between order statistics)."""

PASSENGER_WAIT_COLUMNS = (
    "passenger_id",
    "boarded",  # bool: board_s is known
    "actual_wait_s",  # float: board_s − arrival_s; NaN if never boarded
    "scheduled_wait_s",  # float: to the first suitable planned departure; NaN if none
    "excess_wait_s",  # float: actual − scheduled; NaN unless both are known
)
"""`passenger_waits`: one row per passenger, in the passengers table's order."""


@dataclass(frozen=True)
class Waits:
    """Mean and high-percentile waits over the counted passengers; the others by kind.

    passengers = counted + not_served + unscheduled; each wait is NaN when none is counted.
    """

    passengers: int
    counted: int
    """Boarded, and had a scheduled train: the waits are over these."""
    not_served: int
    """Never boarded though a train was scheduled for them."""
    unscheduled: int
    """No train was scheduled for them after their arrival."""
    mean_wait_s: float
    p95_wait_s: float
    scheduled_wait_s: float
    """Mean scheduled wait of the same passengers."""
    excess_wait_s: float
    """Mean excess wait: mean_wait_s − scheduled_wait_s."""


def _codes(values: pd.Series, names: pd.Index) -> npt.NDArray[np.intp]:
    """The position in `names` of each value, -1 where it is not there (or missing): each
    distinct value is looked up once (a day has some 100,000 passengers and a score of stations)."""
    codes, distinct = pd.factorize(values)
    found = np.append(names.get_indexer(distinct), -1)  # code -1 (missing) reads the last
    return found[codes]


def scheduled_boardings(passengers: pd.DataFrame, stop_times: pd.DataFrame) -> FloatArray:
    """For each passenger (`PASSENGER_COLUMNS`), when the doors open at their origin (the planned
    arrival there) of the first trip at or after their arrival that the plan also stops at their
    destination later; NaN where there is none. A passenger boards a train whose doors open
    after they arrive (`simulation.boarding`), so the scheduled and the actual wait end alike.

    Trips are grouped by their planned stopping pattern (the stations in stop order), so the
    search is one sorted lookup per pattern and origin, however many passengers.
    """
    require_columns(passengers, PASSENGER_COLUMNS, "passengers")
    require_columns(stop_times, STOP_TIMES_COLUMNS, "stop_times")
    arrival = passengers["arrival_s"].to_numpy(dtype=float)
    best = np.full(len(passengers), np.inf)
    # Stations as integer codes (their index in `stations`; -1 for a name that is none).
    stations = pd.Index(stop_times["station"].unique())
    origin = _codes(passengers["origin"], stations)
    destination = _codes(passengers["destination"], stations)
    if (origin < 0).any() or (destination < 0).any():
        names = pd.concat(
            [passengers["origin"][origin < 0], passengers["destination"][destination < 0]]
        )
        unknown = sorted({str(x) for x in names.unique()})
        raise ValueError(
            f"passengers name stations the stop times do not have: {unknown[:5]} (origin and "
            "destination are station names, as in stop_times.station)"
        )
    planned = stop_times[
        np.isfinite(stop_times["planned_departure_s"].to_numpy(dtype=float))
        | np.isfinite(stop_times["planned_arrival_s"].to_numpy(dtype=float))
    ]
    if planned.empty:
        return np.full(len(passengers), np.nan)
    planned = planned.sort_values(["trip_id", "stop_sequence"], kind="stable")
    departs = departure_rows(planned).to_numpy()
    trip_code, _ = pd.factorize(planned["trip_id"], sort=False)
    station_code = _codes(planned["station"], stations)
    times = planned["planned_arrival_s"].to_numpy(dtype=float)
    # Each trip's rows are consecutive (sorted by trip): its pattern is its run of station codes.
    starts = np.flatnonzero(np.r_[True, trip_code[1:] != trip_code[:-1]])
    ends = np.r_[starts[1:], len(trip_code)]
    position = np.arange(len(trip_code)) - np.repeat(starts, ends - starts)
    patterns: dict[tuple[int, ...], list[int]] = {}
    for first, end in zip(starts.tolist(), ends.tolist(), strict=True):
        patterns.setdefault(tuple(station_code[first:end].tolist()), []).append(
            int(trip_code[first])
        )
    for pattern, members in patterns.items():
        # The position of each station in the pattern (the last, if it is visited twice).
        where = np.full(len(stations), -1)
        for i, station in enumerate(pattern):
            where[station] = i
        o = where[origin]
        d = where[destination]
        riders = np.flatnonzero((o >= 0) & (d >= 0) & (o < d))
        if not len(riders):
            continue
        # The riders by origin (their position in the pattern), each origin's a slice.
        riders = riders[np.argsort(o[riders], kind="stable")]
        from_stop = o[riders]
        in_pattern = np.isin(trip_code, members) & departs
        for i in np.unique(from_stop):
            deps = np.sort(times[in_pattern & (position == i)])
            deps = deps[np.isfinite(deps)]
            if not len(deps):
                continue
            a, b = np.searchsorted(from_stop, [i, i + 1], side="left")
            chosen = riders[a:b]
            k = np.searchsorted(deps, arrival[chosen], side="left")
            found = np.where(k < len(deps), deps[np.minimum(k, len(deps) - 1)], np.inf)
            best[chosen] = np.minimum(best[chosen], found)
    return np.where(np.isfinite(best), best, np.nan)


def passenger_waits(passengers: pd.DataFrame, stop_times: pd.DataFrame) -> pd.DataFrame:
    """Each passenger's actual, scheduled and excess wait (`PASSENGER_WAIT_COLUMNS`)."""
    scheduled = scheduled_boardings(passengers, stop_times)
    arrival = passengers["arrival_s"].to_numpy(dtype=float)
    actual = passengers["board_s"].to_numpy(dtype=float) - arrival
    scheduled_wait = scheduled - arrival
    return pd.DataFrame(
        {
            "passenger_id": passengers["passenger_id"].to_numpy(),
            "boarded": np.isfinite(actual),
            "actual_wait_s": actual,
            "scheduled_wait_s": scheduled_wait,
            "excess_wait_s": actual - scheduled_wait,
        },
        columns=list(PASSENGER_WAIT_COLUMNS),
    )


def _mean(values: FloatArray) -> float:
    return float(values.mean()) if len(values) else math.nan


def counted(table: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Which passengers of a `passenger_waits` table the waits count: those who boarded and had
    a scheduled train."""
    boarded: npt.NDArray[np.bool_] = table["boarded"].to_numpy(dtype=bool)
    scheduled: npt.NDArray[np.bool_] = np.isfinite(table["scheduled_wait_s"].to_numpy(dtype=float))
    return boarded & scheduled


def counted_waits(table: pd.DataFrame) -> tuple[FloatArray, FloatArray]:
    """The actual and the scheduled wait (s) of each `counted` passenger of a
    `passenger_waits` table, in its order."""
    keep = counted(table)
    return (
        table["actual_wait_s"].to_numpy(dtype=float)[keep],
        table["scheduled_wait_s"].to_numpy(dtype=float)[keep],
    )


def waits_of(table: pd.DataFrame) -> Waits:
    """The `Waits` of a `passenger_waits` table: means and percentile over the `counted`
    passengers, the others by kind."""
    keep = counted(table)
    boarded = table["boarded"].to_numpy(dtype=bool)
    scheduled = np.isfinite(table["scheduled_wait_s"].to_numpy(dtype=float))
    actual, planned = counted_waits(table)
    return Waits(
        passengers=len(table),
        counted=int(keep.sum()),
        not_served=int((~boarded & scheduled).sum()),
        unscheduled=int((~scheduled).sum()),
        mean_wait_s=_mean(actual),
        p95_wait_s=float(np.percentile(actual, WAIT_PERCENTILE)) if len(actual) else math.nan,
        scheduled_wait_s=_mean(planned),
        excess_wait_s=_mean(actual - planned),
    )


def waits(passengers: pd.DataFrame, stop_times: pd.DataFrame) -> Waits:
    """Mean and 95th-percentile actual wait, mean scheduled and excess wait of a day's
    passengers (`PASSENGER_COLUMNS`) against its planned stop times (`STOP_TIMES_COLUMNS`)."""
    return waits_of(passenger_waits(passengers, stop_times))
