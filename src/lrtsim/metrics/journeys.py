"""Journey times, and the passenger-hours of delay of one day against another.

A passenger's journey time is alight_s − arrival_s: from reaching the platform to arriving at
the destination, wait included. The delay of a day against a reference (the undisturbed day, or
the same seed without the incident) joins the two days' passengers on passenger_id — the same
demand drawn twice — and sums, over passengers who completed their journey in both, the journey
time in the day minus that in the reference. The sum is net (a passenger who got there sooner
counts negative) so that two days that differ only by chance have an expected delay of 0;
`late_passenger_hours` is the sum of the positive parts alone. A passenger who completed the
journey in the reference but not in the day is `lost`, counted apart (their delay has no end).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lrtsim.metrics.tables import PASSENGER_COLUMNS, require_columns

SECONDS_PER_HOUR = 3600.0


def journey_times_s(passengers: pd.DataFrame) -> pd.Series:
    """alight_s − arrival_s of each passenger (`PASSENGER_COLUMNS`), indexed by passenger_id;
    NaN for a passenger who never got there."""
    require_columns(passengers, PASSENGER_COLUMNS, "passengers")
    times = passengers["alight_s"].to_numpy(dtype=float) - passengers["arrival_s"].to_numpy(
        dtype=float
    )
    return pd.Series(times, index=passengers["passenger_id"].to_numpy(), name="journey_s")


def mean_journey_s(passengers: pd.DataFrame) -> float:
    """Mean journey time of the passengers who reached their destination; NaN if none did."""
    times = journey_times_s(passengers).to_numpy()
    done = times[np.isfinite(times)]
    return float(done.mean()) if len(done) else math.nan


@dataclass(frozen=True)
class Delay:
    """Passenger-hours of delay of a day against a reference day."""

    passenger_hours: float
    """Net: Σ (journey time in the day − in the reference) / 3600 over `compared`."""
    late_passenger_hours: float
    """Σ of the positive differences alone / 3600."""
    compared: int
    """Passengers who completed their journey in both days."""
    lost: int
    """Passengers who completed it in the reference but not in the day."""


def delay(passengers: pd.DataFrame, reference: pd.DataFrame) -> Delay:
    """Passenger-hours of delay of `passengers` against `reference` (both `PASSENGER_COLUMNS`),
    joined on passenger_id; passengers in one day only are left out."""
    day = journey_times_s(passengers)
    ref = journey_times_s(reference)
    for name, times in (("passengers", day), ("reference", ref)):
        if not times.index.is_unique:
            raise ValueError(f"{name} has repeated passenger_id values")
    both = pd.concat([day.rename("day"), ref.rename("ref")], axis=1, join="inner")
    made_ref = np.isfinite(both["ref"].to_numpy())
    made_day = np.isfinite(both["day"].to_numpy())
    compared = made_ref & made_day
    difference = (both["day"].to_numpy() - both["ref"].to_numpy())[compared]
    return Delay(
        passenger_hours=float(difference.sum()) / SECONDS_PER_HOUR,
        late_passenger_hours=float(np.clip(difference, 0.0, None).sum()) / SECONDS_PER_HOUR,
        compared=int(compared.sum()),
        lost=int((made_ref & ~made_day).sum()),
    )
