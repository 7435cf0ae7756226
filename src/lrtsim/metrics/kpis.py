"""All KPIs of one service day, from its four tables, as one frozen result.

Each figure is one function of `lrtsim.metrics` (its module says the definition and source);
`kpis` calls them all. Names are those of the `kpis` object of `lrtsim simulate --json` (issue 9),
plus the counts a reader needs to judge them.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import pandas as pd

from lrtsim.metrics import crowding, journeys, operations
from lrtsim.metrics.headways import line_cv_h, los_band
from lrtsim.metrics.punctuality import DEFAULT_WINDOW_S, punctuality
from lrtsim.metrics.waits import waits

KPI_JSON_KEYS = (
    "punctuality_pct",
    "mean_wait_s",
    "p95_wait_s",
    "scheduled_wait_s",
    "excess_wait_s",
    "headway_cv",
    "denied_boarding_pct",
    "mean_journey_s",
    "peak_load_factor",
    "energy_kwh",
    "train_km",
    "trains_used",
)
"""The keys of the JSON contract's `kpis` object, in its order (`Kpis.contract`)."""


@dataclass(frozen=True)
class Kpis:
    """The KPIs of one day. Shares are %, times s; NaN where a figure has nothing to count."""

    punctuality_pct: float
    """Planned departures within the window, every stop of a trip but its last."""
    terminal_punctuality_pct: float
    """The same at the first stop of each trip."""
    mean_wait_s: float
    p95_wait_s: float
    scheduled_wait_s: float
    excess_wait_s: float
    headway_cv: float
    """TCQSM headway adherence cv_h of the line, every station and direction pooled."""
    headway_los: str
    """Its TCQSM LOS band, A–F."""
    denied_boarding_pct: float
    mean_journey_s: float
    peak_load_factor: float
    energy_kwh: float
    train_km: float
    trains_used: int
    trips_planned: int
    trips_operated: int
    departures_not_served: int
    """Planned departures that did not happen (counted late in punctuality)."""
    passengers: int
    passengers_counted: int
    """Passengers the waits are over: boarded, with a scheduled train."""
    not_served: int
    """Passengers never boarded though a train was scheduled for them."""
    unscheduled: int
    """Passengers with no scheduled train after their arrival (in no wait)."""
    delay_passenger_hours: float | None = None
    """Net passenger-hours of delay against the reference day; None without one."""
    lost_passengers: int | None = None
    """Passengers who completed their journey in the reference day but not in this one."""

    def contract(self) -> dict[str, float | int | None]:
        """The JSON contract's `kpis` object: `KPI_JSON_KEYS` in order, NaN as None (null)."""
        out: dict[str, float | int | None] = {}
        for key in KPI_JSON_KEYS:
            value = getattr(self, key)
            out[key] = None if isinstance(value, float) and math.isnan(value) else value
        return out

    def as_dict(self) -> dict[str, float | int | str | None]:
        """Every field by name, NaN as None."""
        return {
            k: None if isinstance(v, float) and math.isnan(v) else v
            for k, v in dataclasses.asdict(self).items()
        }


def kpis(
    stop_times: pd.DataFrame,
    passengers: pd.DataFrame,
    stop_visits: pd.DataFrame,
    runs: pd.DataFrame,
    *,
    capacity: float,
    window_s: tuple[float, float] = DEFAULT_WINDOW_S,
    reference: pd.DataFrame | None = None,
) -> Kpis:
    """The KPIs of a day from its tables (`lrtsim.metrics.tables`): stop times, passengers,
    stop visits and runs. `capacity` is the train's capacity (passengers) the load factor is
    taken against; `window_s` = (early, late) the punctuality window, seconds; `reference`, the
    passengers table of a reference day (the same demand), gives the passenger-hours of delay.
    """
    on_time = punctuality(stop_times, window_s)
    cv_h = line_cv_h(stop_times)
    wait = waits(passengers, stop_times)
    late = None if reference is None else journeys.delay(passengers, reference)
    return Kpis(
        punctuality_pct=on_time.pct,
        terminal_punctuality_pct=on_time.terminal_pct,
        mean_wait_s=wait.mean_wait_s,
        p95_wait_s=wait.p95_wait_s,
        scheduled_wait_s=wait.scheduled_wait_s,
        excess_wait_s=wait.excess_wait_s,
        headway_cv=cv_h,
        headway_los=los_band(cv_h),
        denied_boarding_pct=crowding.denied_boarding_pct(passengers),
        mean_journey_s=journeys.mean_journey_s(passengers),
        peak_load_factor=crowding.peak_load_factor(stop_visits, capacity),
        energy_kwh=operations.energy_kwh(runs),
        train_km=operations.train_km(runs),
        trains_used=operations.trains_used(stop_times),
        trips_planned=operations.trips_planned(stop_times),
        trips_operated=operations.trips_operated(stop_times),
        departures_not_served=on_time.not_served,
        passengers=wait.passengers,
        passengers_counted=wait.counted,
        not_served=wait.not_served,
        unscheduled=wait.unscheduled,
        delay_passenger_hours=None if late is None else late.passenger_hours,
        lost_passengers=None if late is None else late.lost,
    )
