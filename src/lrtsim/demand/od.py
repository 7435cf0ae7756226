"""Hourly origin–destination matrices by a doubly-constrained gravity model.

Daily productions and attractions come from the station weights; the seed is
P_i · A_j · exp(−β · t_ij), t_ij the in-vehicle time in minutes from the dynamics layer (running
plus intermediate dwells), balanced by Furness to the productions and attractions (Ortúzar &
Willumsen, *Modelling Transport*, 4th ed., 2011, ch. 5). The morning hours (before 12:00) carry
the matrix from homes to activities, the afternoon and evening its transpose (the return
trips), each hour scaled by its share of the day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lrtsim.demand.furness import furness
from lrtsim.demand.profile import hourly_shares
from lrtsim.errors import LrtsimError
from lrtsim.model.arrays import read_only
from lrtsim.model.schema import Scenario

FloatArray = npt.NDArray[np.float64]
RETURN_FROM_HOUR = 12
"""From this hour on, trips run from activities back home (the transposed matrix)."""


@dataclass(frozen=True, eq=False)
class OdMatrix:
    """Trips by hour of day, origin and destination station (24 × n × n), read-only."""

    stations: tuple[str, ...]
    trips: FloatArray
    daily: FloatArray
    """The balanced daily matrix from productions to attractions (before the hourly split)."""

    def __post_init__(self) -> None:
        read_only(self)

    @property
    def total(self) -> float:
        """Trips over the whole day."""
        return float(self.trips.sum())


def in_vehicle_time_s(
    arrival_up_s: FloatArray,
    departure_up_s: FloatArray,
    arrival_down_s: FloatArray,
    departure_down_s: FloatArray,
) -> FloatArray:
    """t_ij from the stop times of one trip each way (stations in line order for both)."""
    n = len(arrival_up_s)
    t = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i < j:
                t[i, j] = arrival_up_s[j] - departure_up_s[i]
            elif i > j:
                t[i, j] = arrival_down_s[j] - departure_down_s[i]
    return t


def gravity_daily(
    productions: FloatArray, attractions: FloatArray, cost_min: FloatArray, beta: float
) -> FloatArray:
    """Balanced daily matrix with no trips within a station."""
    seed = np.outer(productions, attractions) * np.exp(-beta * cost_min)
    np.fill_diagonal(seed, 0.0)
    return furness(seed, productions, attractions)


def build_od(
    scenario: Scenario, time_s: FloatArray, daily_matrix: FloatArray | None = None
) -> OdMatrix:
    """Hourly OD matrices for the scenario's demand; `daily_matrix` replaces the gravity model."""
    demand = scenario.demand
    names = tuple(s.name for s in scenario.line.stations)
    n = len(names)
    shares = hourly_shares(demand)
    if daily_matrix is not None:
        daily = np.array(daily_matrix, dtype=np.float64)
        if daily.shape != (n, n):
            raise LrtsimError(f"the OD matrix is {daily.shape}, the line has {n} stations")
        np.fill_diagonal(daily, 0.0)  # a trip within one station never rides the line
        if demand.daily_boardings > 0 and daily.sum() > 0:
            daily *= demand.daily_boardings / daily.sum()
    else:
        total = demand.daily_boardings
        weight = {w.station: w for w in demand.weights}
        p = np.array([weight[s].production if s in weight else 1.0 for s in names])
        a = np.array([weight[s].attraction if s in weight else 1.0 for s in names])
        if total > 0 and (p.sum() <= 0 or a.sum() <= 0):
            raise LrtsimError("demand.weights: productions and attractions must not all be zero")
        if total <= 0:
            daily = np.zeros((n, n))
        else:
            daily = gravity_daily(
                total * p / p.sum(), total * a / a.sum(), time_s / 60.0, demand.gravity_beta
            )
    trips = np.empty((24, n, n))
    for hour in range(24):
        trips[hour] = shares[hour] * (daily if hour < RETURN_FROM_HOUR else daily.T)
    return OdMatrix(stations=names, trips=trips, daily=daily)
