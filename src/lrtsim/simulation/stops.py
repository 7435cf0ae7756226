"""The timetable's stop visits as arrays, in trip order: what each visit of the simulated day
reads from the plan (times, stations, running indices, the published runs and dwells).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lrtsim.model.direction import DIRECTIONS, Direction
from lrtsim.model.schema import Scenario, station_dwell_s
from lrtsim.planning.plan import ServicePlan
from lrtsim.simulation.passenger_day import VisitTable

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def as_direction(label: str) -> Direction:
    """A timetable's direction label as a `Direction` (ValueError for anything else)."""
    for d in DIRECTIONS:
        if label == d:
            return d
    raise ValueError(f"unknown direction {label!r}; the directions are {', '.join(DIRECTIONS)}")


@dataclass(frozen=True, eq=False)
class Stops:
    """The timetable's stop visits in trip order (a trip's visits consecutive, by sequence)."""

    trip_id: tuple[str, ...]
    """Per visit."""
    stop_sequence: IntArray
    station_name: tuple[str, ...]
    block_id: tuple[str, ...]
    direction: tuple[Direction, ...]
    trip: IntArray
    station: IntArray
    trip_end: IntArray
    trip_start: IntArray
    planned_arrival_s: FloatArray
    planned_departure_s: FloatArray
    run_s: FloatArray
    """From this stop to the trip's next: the published time (NaN at the last stop)."""
    least_run_s: FloatArray
    """The flat-out run of that segment."""
    segment_energy_j: FloatArray
    distance_m: FloatArray
    own_dwell_s: FloatArray
    k: IntArray
    """Running index of the stop (0 at the direction's first terminal)."""


def stop_arrays(plan: ServicePlan, scenario: Scenario, visits: VisitTable) -> Stops:
    """The numbers each stop visit reads, from the plan (times, runs, separations, leaders)."""
    tt = plan.timetable.iloc[visits.rows].reset_index(drop=True)
    n = len(scenario.line.stations)
    codes = visits.trip
    station = tt["station_index"].to_numpy(dtype=np.int64)
    arrival = tt["arrival_s"].to_numpy(dtype=np.float64)
    departure = tt["departure_s"].to_numpy(dtype=np.float64)
    labels = tt["direction"].astype(str).tolist()
    direction: tuple[Direction, ...] = tuple(as_direction(d) for d in labels)
    same_next = np.zeros(len(tt), dtype=bool)
    same_next[:-1] = codes[1:] == codes[:-1]
    run_s = np.full(len(tt), np.nan)
    run_s[:-1] = np.where(same_next[:-1], arrival[1:] - departure[:-1], np.nan)
    is_up = np.array([d == "up" for d in direction], dtype=bool)
    k = np.where(is_up, station, n - 1 - station).astype(np.int64)
    least = np.full(len(tt), np.nan)
    energy = np.zeros(len(tt))
    distance = np.zeros(len(tt))
    for run in plan.runs:
        rows = same_next & (is_up if run.direction == "up" else ~is_up)
        seg = k[rows]
        least[rows] = np.array([g.run_time_s for g in run.minimum.segments])[seg]
        energy[rows] = np.array([g.line_energy_j for g in run.profile.segments])[seg]
        distance[rows] = np.array([g.distance_m for g in run.profile.segments])[seg]
    model = scenario.service.dwell
    own_by_station = np.array([station_dwell_s(st, model) for st in scenario.line.stations])
    own = own_by_station[station]
    ends = np.flatnonzero(~same_next) + 1
    trip_end = np.repeat(ends, np.diff(ends, prepend=0)).astype(np.int64)
    starts = np.concatenate(([0], ends[:-1]))
    trip_start = np.repeat(starts, np.diff(ends, prepend=0)).astype(np.int64)
    return Stops(
        trip_id=tuple(tt["trip_id"].astype(str).tolist()),
        stop_sequence=tt["stop_sequence"].to_numpy(dtype=np.int64),
        station_name=tuple(tt["station"].astype(str).tolist()),
        block_id=tuple(tt["block_id"].astype(str).tolist()),
        direction=direction,
        trip=codes,
        station=station,
        trip_end=trip_end,
        trip_start=trip_start,
        planned_arrival_s=arrival,
        planned_departure_s=departure,
        run_s=run_s,
        least_run_s=least,
        segment_energy_j=energy,
        distance_m=distance,
        own_dwell_s=own,
        k=k.astype(np.int64),
    )


def next_here(stops: Stops, n: int) -> IntArray:
    """Per visit: the visit of the next trip at the same stop and direction in published
    order of arrival (−1: none)."""
    size = len(stops.trip_id)
    key = np.array([0 if d == "up" else 1 for d in stops.direction], dtype=np.int64) * n
    key = key + stops.station
    order = np.lexsort((np.arange(size), stops.planned_arrival_s, key))
    out = np.full(size, -1, dtype=np.int64)
    same = key[order][1:] == key[order][:-1]
    out[order[:-1][same]] = order[1:][same]
    return out
