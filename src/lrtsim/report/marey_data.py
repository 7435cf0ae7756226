"""The time–distance (Marey) diagram's data: planned and simulated trips as polylines of
time and chainage, the incidents as shaded bands, and the window the chart opens on.

Planned lines join the timetable's arrival and departure at each station (`stop_times`' planned
times at the stations' chainage). Simulated lines pass through every stop's actual arrival and
departure and, in between, follow the simulated trajectory (`Trajectories.polyline`) sampled
every `SAMPLE_S`, so that a train held at a signal mid-section stands there in the diagram.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from lrtsim.report.chart_axes import hm, hms

if TYPE_CHECKING:
    import pandas as pd

    from lrtsim.model.direction import Direction
    from lrtsim.model.schema import Incident, Scenario
    from lrtsim.report.sections import RunView
    from lrtsim.simulation.trajectory import Trajectories

FloatArray = npt.NDArray[np.float64]

SAMPLE_S = 10.0
"""Step of the simulated trajectory between stops, s."""
WINDOW_BEFORE_S = 20 * 60.0
WINDOW_AFTER_S = 40 * 60.0
"""The default window: from this before the first incident to this after its end."""
MIN_WINDOW_S = 3600.0
DELAY_BEFORE_S = 40 * 60.0
DELAY_AFTER_S = 20 * 60.0
"""The window around a day's largest delay: from this before its planned arrival to this after
(and 10 min past the late arrival itself), where the delay built up."""
STATION_HALF_KM = 0.15
"""Half the height of an incident's band at a station (a station incident has no length)."""


@dataclass(frozen=True)
class Lines:
    """Polylines of many trips in two arrays, each trip ended by NaN (one trace, light)."""

    time_s: FloatArray
    km: FloatArray
    text: tuple[str, ...] = ()
    """Hover text per point (empty: none)."""


@dataclass(frozen=True)
class Band:
    """One incident's shaded time and place."""

    from_s: float
    to_s: float
    from_km: float
    to_km: float
    label: str


def _ordered(stop_times: pd.DataFrame) -> pd.DataFrame:
    return stop_times.sort_values(["trip_id", "stop_sequence"], kind="stable")


def stop_lines(
    stop_times: pd.DataFrame, km: FloatArray, which: str, direction: Direction | None = None
) -> Lines:
    """Each trip's arrival and departure at every stop (`which`: "planned" or "actual" times)
    at the stations' chainage, trips apart by NaN; stops without a time are left out. Hover
    text: the trip and the stop."""
    rows = _ordered(
        stop_times if direction is None else stop_times[stop_times["direction"] == direction]
    )
    arr = rows[f"{which}_arrival_s"].to_numpy(float)
    dep = rows[f"{which}_departure_s"].to_numpy(float)
    trip = rows["trip_id"].to_numpy()
    where = km[rows["station_index"].to_numpy(int)]
    end = np.r_[trip[1:] != trip[:-1], True]
    n = len(rows)
    t = np.full((n, 3), np.nan)
    t[:, 0], t[:, 1] = arr, dep
    y = np.full((n, 3), np.nan)
    y[:, 0], y[:, 1] = where, where
    keep = np.ones((n, 3), dtype=bool)
    keep[:, 2] = end  # a NaN after the last stop of each trip
    keep[:, :2] &= np.isfinite(t[:, :2])
    text = np.repeat(np.char.add(trip.astype(str), f" {which}"), 3).reshape(n, 3)
    return Lines(t[keep], y[keep], tuple(text[keep].tolist()))


def trajectory_lines(
    stop_times: pd.DataFrame, trajectory: Trajectories, km: FloatArray, direction: Direction
) -> Lines:
    """Simulated trips of `direction`: every actual arrival and departure at its station's
    chainage, and between them the trajectory every `SAMPLE_S`; trips apart by NaN."""
    rows = _ordered(stop_times[stop_times["direction"] == direction])
    driven = trajectory.trips()
    times: list[FloatArray] = []
    kms: list[FloatArray] = []
    for trip_id, stops in rows.groupby("trip_id", sort=False):
        t_stop = np.c_[
            stops["actual_arrival_s"].to_numpy(float), stops["actual_departure_s"].to_numpy(float)
        ].ravel()
        y_stop = np.repeat(km[stops["station_index"].to_numpy(int)], 2)
        served = np.isfinite(t_stop)
        t_stop, y_stop = t_stop[served], y_stop[served]
        if not len(t_stop):
            continue
        if trip_id in driven:
            t, y, _, _ = trajectory.polyline(str(trip_id))
            grid = np.arange(math.ceil(t[0] / SAMPLE_S) * SAMPLE_S, t[-1], SAMPLE_S)
            grid = grid[(grid > t_stop[0]) & (grid < t_stop[-1])]
            t_all = np.r_[t_stop, grid]
            y_all = np.r_[y_stop, np.interp(grid, t, y)]
            order = np.argsort(t_all, kind="stable")  # stops first on a tie
            t_stop, y_stop = t_all[order], y_all[order]
        times += [t_stop, np.array([np.nan])]
        kms += [y_stop, np.array([np.nan])]
    if not times:
        return Lines(np.zeros(0), np.zeros(0))
    return Lines(np.concatenate(times), np.concatenate(kms))


def visit_hovers(stop_times: pd.DataFrame, km: FloatArray, direction: Direction) -> Lines:
    """One hover point per stop served (at its actual arrival): trip, station, actual and
    planned times, delay."""
    rows = stop_times[
        (stop_times["direction"] == direction) & np.isfinite(stop_times["actual_arrival_s"])
    ]
    text = tuple(
        f"<b>{trip}</b> · {station}<br>arrived {hms(a)}, left {hms(d)}<br>"
        f"planned {hms(pa)}, {hms(pd_)} · delay {a - pa:+.0f} s"
        for trip, station, a, d, pa, pd_ in zip(
            rows["trip_id"],
            rows["station"],
            rows["actual_arrival_s"],
            rows["actual_departure_s"],
            rows["planned_arrival_s"],
            rows["planned_departure_s"],
            strict=True,
        )
    )
    return Lines(
        rows["actual_arrival_s"].to_numpy(float), km[rows["station_index"].to_numpy(int)], text
    )


def incident_bands(scenario: Scenario) -> tuple[Band, ...]:
    """Each incident of `operations.incidents` over its time and its interstation (or a thin
    band at its station), in the order given."""
    km = {s.name: s.km for s in scenario.line.stations}
    out = []
    for incident in scenario.operations.incidents:
        start = float(incident.at_s)
        end = start + incident.duration_s
        if incident.between is not None:
            a, b = (km[x] for x in incident.between)
            place = f"between {incident.between[0]} and {incident.between[1]}"
        else:
            assert incident.station is not None
            a, b = km[incident.station] - STATION_HALF_KM, km[incident.station] + STATION_HALF_KM
            place = f"at {incident.station}"
        out.append(Band(start, end, min(a, b), max(a, b), _label(incident, place)))
    return tuple(out)


def _label(incident: Incident, place: str) -> str:
    ways = "" if incident.direction == "both" else f", {incident.direction} only"
    kind = incident.kind.replace("_", " ")
    return f"{kind} {place}{ways}, {hm(incident.at_s)}–{hm(incident.at_s + incident.duration_s)}"


def default_window(run: RunView) -> tuple[float, float]:
    """The time span the chart opens on: from `WINDOW_BEFORE_S` before the first incident to
    `WINDOW_AFTER_S` after its end; without one, the busiest morning hour of the plan."""
    incidents = sorted(run.day.operations.incidents, key=lambda i: i.at_s)
    if incidents:
        first = incidents[0]
        start = 300.0 * math.floor((first.at_s - WINDOW_BEFORE_S) / 300.0)
        end = 300.0 * math.ceil((first.at_s + first.duration_s + WINDOW_AFTER_S) / 300.0)
        return start, max(end, start + MIN_WINDOW_S)
    loads = run.design.plan.loads.link_loads.max(axis=(0, 2))
    morning = loads[:12]
    hour = int(np.argmax(morning)) if morning.max() > 0 else int(np.argmax(loads))
    return 3600.0 * hour, 3600.0 * (hour + 1)


def largest_delay(stop_times: pd.DataFrame) -> int | None:
    """The row (position in `stop_times`) of the day's largest arrival delay, actual − planned
    (the first on a tie), or None when no stop was served."""
    delay = (stop_times["actual_arrival_s"] - stop_times["planned_arrival_s"]).to_numpy(float)
    if not np.isfinite(delay).any():
        return None
    return int(np.nanargmax(delay))


def delay_window(stop_times: pd.DataFrame) -> tuple[float, float]:
    """The time span a day's chart opens on when it is about its delays: from `DELAY_BEFORE_S`
    before the planned arrival of its largest delay to `DELAY_AFTER_S` after (at least 10 min
    past the late arrival), to 5 min, an hour or more; without one, the timetable's first hour."""
    k = largest_delay(stop_times)
    if k is None:
        first = float(np.nanmin(stop_times["planned_departure_s"].to_numpy(float)))
        start = 300.0 * math.floor(first / 300.0)
        return start, start + MIN_WINDOW_S
    row = stop_times.iloc[k]
    planned, actual = float(row["planned_arrival_s"]), float(row["actual_arrival_s"])
    start = 300.0 * math.floor((planned - DELAY_BEFORE_S) / 300.0)
    end = 300.0 * math.ceil(max(planned + DELAY_AFTER_S, actual + 600.0) / 300.0)
    return start, max(end, start + MIN_WINDOW_S)
