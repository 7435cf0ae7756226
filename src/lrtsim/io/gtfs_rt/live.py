"""A simulated day as it would be seen live: every train on a trip at any instant, with the
static feed's ids, for GTFS-Realtime (https://gtfs.org/realtime/reference/) and the web layer.

`live_day` precomputes everything once from a `RunResult`, as flat arrays: per trip its ids
(read from the static feed the run publishes, `lrtsim.io.gtfs.feed.gtfs_tables`, so that
trip_id, route_id, stop_id, stop_sequence, direction_id and start_time are those of
gtfs.zip), its simulated stop times, and its motion sampled every second from the simulated
trajectory (positions are linear between samples: at most a few centimetres off the trajectory
at the dynamics' accelerations). `vehicles(live, t_s)` then only slices and interpolates.

A train is listed from its trip's first (simulated) departure to its last arrival. It is
`STOPPED_AT` a stop between its simulated arrival and departure there (speed 0), else
`IN_TRANSIT_TO` the next stop it serves (a stop passed without stopping is not one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.errors import LrtsimError
from lrtsim.io.gtfs.feed import gtfs_tables
from lrtsim.io.gtfs_rt.clock import clock_s, service_dates, service_day_posix_s
from lrtsim.io.gtfs_rt.clock import service_date as pick_service_date
from lrtsim.io.gtfs_rt.occupancy import occupancy_status
from lrtsim.io.gtfs_rt.shapes import Shape, place, shapes_by_id
from lrtsim.model.direction import DIRECTIONS, along_m, origin_index
from lrtsim.pipeline import RunResult

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

SAMPLE_STEP_S = 1.0
"""Spacing of the precomputed motion samples."""


@dataclass(frozen=True)
class VehicleState:
    """One train on a trip at one instant of the simulated day (GTFS-Realtime VehiclePosition's
    content, https://gtfs.org/realtime/reference/#message-vehicleposition)."""

    vehicle_id: str
    """The block id (the train), as in the static feed's block_id (`VehicleDescriptor.id`)."""
    trip_id: str
    route_id: str
    direction_id: int
    start_time: str
    """HH:MM:SS, the trip's first scheduled arrival in stop_times.txt (`TripDescriptor`)."""
    start_date: str
    """YYYYMMDD, the service date the replay publishes."""
    lat: float
    lon: float
    bearing_deg: float
    """Degrees clockwise from true north, along the shape (`Position.bearing`)."""
    km: float
    """Line chainage."""
    speed_mps: float
    load_pax: int
    capacity_pax: float
    status: str
    """`VehicleStopStatus`: "STOPPED_AT" | "IN_TRANSIT_TO"."""
    stop_id: str
    stop_sequence: int
    """The stop it is at, or the next one it goes to."""
    next_stop_name: str
    occupancy: str
    """`OccupancyStatus` name (`occupancy.occupancy_status`)."""


@dataclass(frozen=True, eq=False)
class LiveDay:
    """A simulated day precomputed for `vehicles` and the feeds (plain arrays: picklable).

    Trips are indexed 0..n−1 in the order of the day's stop_times; `stop_start[i]:stop_start[i+1]`
    are trip i's stops and `sample_start[i]:sample_start[i+1]` its motion samples."""

    service_date: str
    service_day_posix_s: int
    """POSIX time of the service date's 00:00:00 (GTFS's noon minus 12 h)."""
    timezone: str
    running_dates: tuple[str, ...]
    """Every date the static calendar runs the day's service, in order (`on_lap`)."""
    seats: int
    capacity_pax: float
    trip_id: tuple[str, ...]
    route_id: tuple[str, ...]
    vehicle_id: tuple[str, ...]
    vehicle_label: tuple[str, ...]
    """The block as the simulation names it (without the day type's prefix)."""
    direction_id: IntArray
    start_time: tuple[str, ...]
    operated: BoolArray
    """False for a trip the simulated day did not run at all (published CANCELED)."""
    first_departure_s: FloatArray
    """Simulated; the scheduled departure for a trip not operated."""
    last_arrival_s: FloatArray
    scheduled_start_s: FloatArray
    stop_start: IntArray
    stop_id: tuple[str, ...]
    stop_name: tuple[str, ...]
    stop_sequence: IntArray
    served: BoolArray
    arrival_s: FloatArray
    """Simulated, NaN where not served."""
    departure_s: FloatArray
    scheduled_arrival_s: IntArray
    """stop_times.txt's, whole seconds."""
    scheduled_departure_s: IntArray
    sample_start: IntArray
    sample_t_s: FloatArray
    sample_km: FloatArray
    sample_speed_mps: FloatArray
    sample_load: IntArray
    origin_km: tuple[float, float]
    """Chainage of the first station of the up and the down direction."""
    shapes: dict[int, Shape]
    """The shape of each direction_id the trips run."""


def live_day(run: RunResult, service_date: str | None = None) -> LiveDay:
    """The run's simulated design day precomputed for the live feeds, on `service_date`
    (YYYYMMDD; by default the first date from today on which the static calendar runs the
    design day's service). Raises `LrtsimError` when the run has no GTFS feed or the calendar
    does not run the service on `service_date`."""
    scenario = run.scenario
    tables = gtfs_tables(scenario, run.day_plans)
    service_id = run.design.day_type
    prefix = f"{service_id}-" if len(run.day_plans) > 1 else ""
    timezone = str(tables["agency.txt"]["agency_timezone"].iloc[0])
    date = pick_service_date(tables["calendar.txt"], service_id, timezone, service_date)

    trips_txt = tables["trips.txt"].set_index("trip_id")
    static_times = tables["stop_times.txt"].set_index(["trip_id", "stop_sequence"])
    shapes = shapes_by_id(tables["shapes.txt"])

    st = run.result.stop_times
    order = pd.factorize(st["trip_id"])[0]
    st = st.assign(_o=order).sort_values(["_o", "stop_sequence"], kind="stable")
    sim_trip = st["trip_id"].astype(str).to_numpy()
    trip_id = np.array([prefix + t for t in sim_trip], dtype=object)
    seq = st["stop_sequence"].to_numpy(dtype=np.int64)
    keys = list(zip(trip_id.tolist(), seq.tolist(), strict=True))
    missing = [k for k in keys if k not in static_times.index]
    if missing:
        raise AssertionError(f"simulated stops not in the static feed: {missing[:5]}")
    static = static_times.loc[keys]
    sched_arr = np.array([clock_s(str(x)) for x in static["arrival_time"]], dtype=np.int64)
    sched_dep = np.array([clock_s(str(x)) for x in static["departure_time"]], dtype=np.int64)
    arr = st["actual_arrival_s"].to_numpy(dtype=np.float64)
    dep = st["actual_departure_s"].to_numpy(dtype=np.float64)
    served = np.isfinite(arr)
    dep = np.where(served & ~np.isfinite(dep), arr, dep)

    starts = np.flatnonzero(np.r_[True, trip_id[1:] != trip_id[:-1]])
    stop_start = np.r_[starts, len(trip_id)].astype(np.int64)
    trips = [str(trip_id[i]) for i in starts]
    info = trips_txt.loc[trips]
    trajectory = run.result.trajectory
    pieces = trajectory.trips()

    first_dep, last_arr, operated = [], [], []
    t_parts, km_parts, v_parts, load_parts, sample_start = [], [], [], [], [0]
    for n, i in enumerate(starts):
        a, b = int(stop_start[n]), int(stop_start[n + 1])
        ok = served[a:b]
        sim_id = str(sim_trip[i])
        ran = bool(ok.any()) and sim_id in pieces
        operated.append(ran)
        if not ran:
            first_dep.append(float(sched_dep[a]))
            last_arr.append(float(sched_arr[b - 1]))
            sample_start.append(sample_start[-1])
            continue
        t0 = float(dep[a:b][ok][0])
        t1 = float(np.max(arr[a:b][ok]))
        first_dep.append(t0)
        last_arr.append(t1)
        t, km, v, load = trajectory.polyline(sim_id)
        grid = np.unique(np.r_[t0, np.arange(np.ceil(t0), t1, SAMPLE_STEP_S), t1])
        k = np.clip(np.searchsorted(t, grid, side="right") - 1, 0, t.size - 1)
        t_parts.append(grid)
        km_parts.append(np.interp(grid, t, km))
        v_parts.append(np.interp(grid, t, v))
        load_parts.append(load[k])
        sample_start.append(sample_start[-1] + grid.size)

    km_of = [s.km for s in scenario.line.stations]
    origin = tuple(float(km_of[origin_index(len(km_of), d)]) for d in DIRECTIONS)
    shape_ids = {
        int(d): str(s) for d, s in zip(info["direction_id"], info["shape_id"], strict=True)
    }
    stock = scenario.rolling_stock

    def cat(parts: Sequence[npt.NDArray[Any]], dtype: type) -> npt.NDArray[Any]:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    return LiveDay(
        service_date=date,
        service_day_posix_s=service_day_posix_s(date, timezone),
        timezone=timezone,
        running_dates=service_dates(tables["calendar.txt"], service_id),
        seats=int(stock.seats),
        capacity_pax=float(run.result.capacity_pax),
        trip_id=tuple(trips),
        route_id=tuple(info["route_id"].astype(str)),
        vehicle_id=tuple(info["block_id"].astype(str)),
        vehicle_label=tuple(st["block_id"].astype(str).to_numpy()[starts]),
        direction_id=info["direction_id"].to_numpy(dtype=np.int64),
        start_time=tuple(str(static["arrival_time"].iloc[int(i)]) for i in starts),
        operated=np.array(operated, dtype=bool),
        first_departure_s=np.array(first_dep),
        last_arrival_s=np.array(last_arr),
        scheduled_start_s=sched_dep[starts].astype(np.float64),
        stop_start=stop_start,
        stop_id=tuple(static["stop_id"].astype(str)),
        stop_name=tuple(st["station"].astype(str)),
        stop_sequence=seq,
        served=served,
        arrival_s=arr,
        departure_s=dep,
        scheduled_arrival_s=sched_arr,
        scheduled_departure_s=sched_dep,
        sample_start=np.array(sample_start, dtype=np.int64),
        sample_t_s=np.asarray(cat(t_parts, np.float64), dtype=np.float64),
        sample_km=np.asarray(cat(km_parts, np.float64), dtype=np.float64),
        sample_speed_mps=np.asarray(cat(v_parts, np.float64), dtype=np.float64),
        sample_load=np.asarray(cat(load_parts, np.int64), dtype=np.int64),
        origin_km=(origin[0], origin[1]),
        shapes={d: shapes[s] for d, s in shape_ids.items()},
    )


def service_window_s(live: LiveDay) -> tuple[float, float]:
    """The day's first departure and last arrival of a trip (seconds after midnight)."""
    ran = live.operated
    if not ran.any():
        raise LrtsimError("the simulated day ran no trip")
    return float(live.first_departure_s[ran].min()), float(live.last_arrival_s[ran].max())


def running_trips(live: LiveDay, t_s: float) -> IntArray:
    """Indices of the trips a train is on at `t_s` (first departure ≤ t_s ≤ last arrival)."""
    mask = live.operated & (live.first_departure_s <= t_s) & (t_s <= live.last_arrival_s)
    return np.flatnonzero(mask).astype(np.int64)


def current_stop(live: LiveDay, trip: int, t_s: float) -> tuple[int, bool]:
    """Row (into the stop arrays) of the stop trip `trip` is at or goes to next at `t_s`, and
    whether it stands there."""
    a, b = int(live.stop_start[trip]), int(live.stop_start[trip + 1])
    rows = np.flatnonzero(live.served[a:b]) + a
    k = int(np.searchsorted(live.arrival_s[rows], t_s, side="right"))
    if k > 0 and t_s <= live.departure_s[rows[k - 1]]:
        return int(rows[k - 1]), True
    return int(rows[min(k, rows.size - 1)]), False


def vehicles(live: LiveDay, t_s: float) -> list[VehicleState]:
    """Every train on a trip at `t_s` (seconds after midnight of the service day), sorted by
    vehicle_id."""
    out = []
    for i in running_trips(live, t_s).tolist():
        a, b = int(live.sample_start[i]), int(live.sample_start[i + 1])
        ts = live.sample_t_s[a:b]
        km = float(np.interp(t_s, ts, live.sample_km[a:b]))
        j = max(int(np.searchsorted(ts, t_s, side="right")) - 1, 0)
        row, standing = current_stop(live, i, t_s)
        speed = 0.0 if standing else float(np.interp(t_s, ts, live.sample_speed_mps[a:b]))
        d = int(live.direction_id[i])
        along = along_m(np.array([km]), live.origin_km[d], DIRECTIONS[d])
        lat, lon, bearing = place(live.shapes[d], along)
        load = int(live.sample_load[a + j])
        out.append(
            VehicleState(
                vehicle_id=live.vehicle_id[i],
                trip_id=live.trip_id[i],
                route_id=live.route_id[i],
                direction_id=d,
                start_time=live.start_time[i],
                start_date=live.service_date,
                lat=float(lat[0]),
                lon=float(lon[0]),
                bearing_deg=float(bearing[0]),
                km=km,
                speed_mps=speed,
                load_pax=load,
                capacity_pax=live.capacity_pax,
                status="STOPPED_AT" if standing else "IN_TRANSIT_TO",
                stop_id=live.stop_id[row],
                stop_sequence=int(live.stop_sequence[row]),
                next_stop_name=live.stop_name[row],
                occupancy=occupancy_status(load, live.seats, live.capacity_pax),
            )
        )
    return sorted(out, key=lambda v: v.vehicle_id)


def on_lap(live: LiveDay, lap: int) -> LiveDay:
    """The same day published `lap` running dates after its service date (the calendar's last
    when it has no more): a replay played again is the next day of the same service."""
    if lap == 0:
        return live
    k = min(live.running_dates.index(live.service_date) + lap, len(live.running_dates) - 1)
    date = live.running_dates[k]
    return replace(
        live, service_date=date, service_day_posix_s=service_day_posix_s(date, live.timezone)
    )


def posix_s(live: LiveDay, t_s: float) -> int:
    """The POSIX time of `t_s` seconds after the service day's midnight (whole seconds)."""
    return live.service_day_posix_s + int(np.floor(t_s + 0.5))
