"""Passengers arriving at their origin station: a Poisson process per origin–destination pair.

At the short headways of light rail (under about 10–12 minutes) passengers come to the stop
without timing their arrival to the timetable, so arrivals are random in time: a Poisson process
whose rate is the hour's demand (TCQSM 3rd ed., TCRP Report 165, 2013, ch. 4 and 5: random
arrivals and a mean wait of half the headway at short headways). The rate of pair (o, d) is
`OdMatrix.trips[h, o, d]` passengers an hour, constant within hour h (a piecewise-constant
rate). Each hour is drawn exactly: the count in an interval of length L is Poisson with mean
rate × L, and given the count the times are independent and uniform over the interval (Ross,
*Stochastic Processes*, 2nd ed., 1996, §2.3).

Only the service day produces passengers: the window from the first to the last hour of
operation (`service_hours_s`, the scenario's `service.start` and `service.end`). Demand the OD
matrix puts outside it rides no train and is not drawn; within it a passenger may still arrive
after the last train that serves them, and is then recorded as never boarded (see
`passenger_day`). A window past midnight reads the matrix's hours modulo 24.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.demand.od import OdMatrix
from lrtsim.errors import LrtsimError
from lrtsim.model.arrays import read_only
from lrtsim.model.direction import DIRECTIONS
from lrtsim.model.schema import Scenario, clock_to_s

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
HOUR_S = 3600.0
DAY_S = 86_400.0

ARRIVAL_COLUMNS = (
    "passenger_id",  # int: 0, 1, …, in order of arrival
    "origin",  # int: station index (line order) where the passenger arrives
    "destination",  # int: station index of the destination, never the origin
    "direction",  # "up" when destination > origin, else "down" (categorical)
    "arrival_s",  # float: seconds after midnight of the service day
)
"""Columns of `Arrivals.table()`, one row per passenger, sorted by arrival time then id."""


@dataclass(frozen=True, eq=False)
class Arrivals:
    """Every passenger of one simulated day, in order of arrival; arrays read-only.

    `passenger_id` is the row (0, 1, …): ids follow arrival time, ties (which have probability
    zero) by origin–destination pair. `direction_id` is 0 for up, 1 for down (as GTFS).
    """

    stations: tuple[str, ...]
    passenger_id: IntArray
    origin: IntArray
    destination: IntArray
    direction_id: IntArray
    arrival_s: FloatArray
    start_s: float
    end_s: float
    """The window passengers were drawn in: [start_s, end_s)."""

    def __post_init__(self) -> None:
        read_only(self)

    def __len__(self) -> int:
        return int(self.passenger_id.size)

    def table(self) -> pd.DataFrame:
        """The passengers as a table with `ARRIVAL_COLUMNS`."""
        return pd.DataFrame(
            {
                "passenger_id": self.passenger_id,
                "origin": self.origin,
                "destination": self.destination,
                "direction": direction_labels(self.direction_id),
                "arrival_s": self.arrival_s,
            },
            columns=list(ARRIVAL_COLUMNS),
        )


def categorical(codes: IntArray, names: Sequence[str]) -> pd.Categorical:
    """`names[codes]` as a categorical column (building a string column is ~20× slower)."""
    return pd.Categorical.from_codes(
        np.asarray(codes, dtype=np.int64), categories=pd.Index(list(names), dtype=object)
    )


def direction_labels(direction_id: IntArray) -> pd.Categorical:
    """ "up"/"down" from direction ids (0, 1), as a categorical."""
    return categorical(direction_id, DIRECTIONS)


def service_hours_s(scenario: Scenario) -> tuple[float, float]:
    """The window passengers arrive in: the scenario's `service.start` to `service.end` (s)."""
    return float(clock_to_s(scenario.service.start)), float(clock_to_s(scenario.service.end))


def hourly_rates(od: OdMatrix, start_s: float, end_s: float) -> tuple[FloatArray, FloatArray]:
    """Expected passengers per (interval, origin, destination) and the intervals' bounds.

    The intervals are the clock hours the window [start_s, end_s) overlaps, cut to the window;
    interval k runs from `bounds[k, 0]` to `bounds[k, 1]` and its mean is the hour's trips ×
    the share of the hour inside the window. The diagonal (o = d) is always zero.
    """
    if not (math.isfinite(start_s) and math.isfinite(end_s)) or start_s < 0:
        raise ValueError(f"the arrival window must be finite and from 0 s on, not {start_s}")
    if end_s - start_s > DAY_S:
        raise LrtsimError(
            f"the service day runs {(end_s - start_s) / HOUR_S:g} h; the hourly demand covers "
            "one day of 24 h: shorten service.start–service.end"
        )
    trips = np.asarray(od.trips, dtype=np.float64)
    if not np.all(np.isfinite(trips)) or np.any(trips < 0):
        raise ValueError("the OD matrix has negative or non-finite trips")
    n = len(od.stations)
    if end_s <= start_s:
        return np.zeros((0, n, n)), np.zeros((0, 2))
    hours = np.arange(math.floor(start_s / HOUR_S), math.ceil(end_s / HOUR_S))
    lower = np.maximum(hours * HOUR_S, start_s)
    upper = np.minimum((hours + 1) * HOUR_S, end_s)
    mean = trips[hours % 24] * ((upper - lower) / HOUR_S)[:, None, None]
    mean[:, np.arange(n), np.arange(n)] = 0.0
    return mean, np.column_stack((lower, upper))


def draw_arrivals(
    od: OdMatrix,
    seed: np.random.SeedSequence,
    *,
    start_s: float = 0.0,
    end_s: float = DAY_S,
) -> Arrivals:
    """Draw every passenger arriving in [start_s, end_s) from the hourly OD matrix.

    Vectorised: one Poisson count per (hour, origin, destination), then that many uniform times
    within the hour's part of the window, then one sort. The same `seed` (a `SeedSequence`,
    e.g. `seeds.stream(seed, "arrivals")`) gives the same passengers.
    """
    mean, bounds = hourly_rates(od, start_s, end_s)
    rng = np.random.Generator(np.random.PCG64(seed))
    counts = rng.poisson(mean)
    cell = np.repeat(np.arange(counts.size, dtype=np.int64), counts.ravel())
    interval, origin, destination = np.unravel_index(cell, counts.shape)
    lower = bounds[interval, 0] if cell.size else np.zeros(0)
    upper = bounds[interval, 1] if cell.size else np.zeros(0)
    t = lower + rng.random(cell.size) * (upper - lower)
    t = np.minimum(t, np.nextafter(upper, -np.inf))  # [lower, upper) even after rounding
    order = np.argsort(t)
    if np.any(np.diff(t[order]) == 0.0):  # a tie (probability ~0): by cell, then draw order
        order = np.argsort(t, kind="stable")
    origin = origin[order].astype(np.int64)
    destination = destination[order].astype(np.int64)
    return Arrivals(
        stations=tuple(od.stations),
        passenger_id=np.arange(cell.size, dtype=np.int64),
        origin=origin,
        destination=destination,
        direction_id=(destination < origin).astype(np.int64),
        arrival_s=t[order],
        start_s=float(start_s),
        end_s=float(end_s),
    )
