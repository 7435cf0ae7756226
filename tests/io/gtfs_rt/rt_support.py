"""What the GTFS-Realtime tests share: a run with its live day and its static feed."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from gtfs_rt_validator.api import Mode, Request, resolve_roles, validate

from lrtsim.io.gtfs.feed import gtfs_zip_bytes
from lrtsim.io.gtfs_rt import LiveDay, live_day, posix_s, trip_updates_feed, vehicle_positions_feed
from lrtsim.io.gtfs_rt.feed import HORIZON_S
from lrtsim.pipeline import RunResult

INCIDENT = "08:15,track_blocked,Baiterek,House of Ministries,12"

INSTANTS_S = (6 * 3600.0, 8 * 3600 + 20 * 60.0, 17 * 3600 + 30 * 60.0)
"""06:00, 08:20, 17:30 (and past the end, from the day's window)."""


@dataclass(frozen=True)
class Case:
    """A run, its live day and its static feed (zip on disk and tables)."""

    run: RunResult
    live: LiveDay
    zip_path: Path
    tables: dict[str, pd.DataFrame]


def make_case(run: RunResult, folder: Path) -> Case:
    data = gtfs_zip_bytes(run.scenario, run.day_plans)
    path = folder / "gtfs.zip"
    path.write_bytes(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        tables = {n: pd.read_csv(z.open(n), dtype=str) for n in z.namelist()}
    return Case(run=run, live=live_day(run), zip_path=path, tables=tables)


CLOSURE = "08:15,station_closed,Baiterek,20,direction=up"

SHORT_TURN_BLOCKAGE = "08:15,track_blocked,Baiterek,House of Ministries,40"

SHORT_TURN_CROSSOVERS = ["Syganak", "National Museum"]

CANCEL_AT_S = 8 * 3600 + 20 * 60.0
"""08:20: the cancelled day withdraws a trip running then and one starting within the hour."""


def trips_to_cancel(live: LiveDay, t_s: float) -> list[int]:
    """The up trip that started last, at least 10 min before `t_s`, and is still running, and
    the first down trip scheduled to start after `t_s` (within the TripUpdates horizon)."""
    running = live.operated & (live.first_departure_s <= t_s - 600.0)
    running &= t_s <= live.last_arrival_s
    up = np.flatnonzero(running & (live.direction_id == 0))
    down = np.flatnonzero(
        live.operated
        & (live.direction_id == 1)
        & (live.scheduled_start_s > t_s)
        & (live.scheduled_start_s <= t_s + HORIZON_S)
    )
    started = up[np.argmax(live.first_departure_s[up])]
    coming = down[np.argmin(live.scheduled_start_s[down])]
    return [int(started), int(coming)]


def cancel_trips(live: LiveDay, trips: list[int]) -> LiveDay:
    """`live` with `trips` not operated, stored as `live_day` stores a trip the simulation did
    not run: no stop served, NaN times, no motion samples, and first departure and last arrival
    the scheduled ones. The simulation never cancels a whole trip, so a CANCELED TripUpdate can
    only be tested on a real day edited this way; the rest of the day is left as simulated."""
    operated, served = live.operated.copy(), live.served.copy()
    arrival_s, departure_s = live.arrival_s.copy(), live.departure_s.copy()
    first_s, last_s = live.first_departure_s.copy(), live.last_arrival_s.copy()
    samples = np.diff(live.sample_start)
    keep = np.ones(live.sample_t_s.size, dtype=bool)
    for i in trips:
        a, b = int(live.stop_start[i]), int(live.stop_start[i + 1])
        operated[i] = False
        served[a:b] = False
        arrival_s[a:b] = np.nan
        departure_s[a:b] = np.nan
        first_s[i] = float(live.scheduled_departure_s[a])
        last_s[i] = float(live.scheduled_arrival_s[b - 1])
        keep[live.sample_start[i] : live.sample_start[i + 1]] = False
        samples[i] = 0
    return replace(
        live,
        operated=operated,
        served=served,
        arrival_s=arrival_s,
        departure_s=departure_s,
        first_departure_s=first_s,
        last_arrival_s=last_s,
        sample_start=np.r_[0, np.cumsum(samples)].astype(np.int64),
        sample_t_s=live.sample_t_s[keep],
        sample_km=live.sample_km[keep],
        sample_speed_mps=live.sample_speed_mps[keep],
        sample_load=live.sample_load[keep],
    )


@dataclass(frozen=True)
class Validated:
    """What gtfs-rt-validator says of both feeds at one instant."""

    errors: tuple[str, ...]
    report: dict[str, Any]
    system_errors: list[Any]


def validate_feeds(case: Case, gtfs: Any, t_s: float, folder: Path) -> Validated:
    """Both feeds of `case` at `t_s`, stamped at that instant, through MobilityData's rules
    against `gtfs` (the static feed, prepared once by `prepare_feed`)."""
    stamp = posix_s(case.live, t_s)
    folder.mkdir(parents=True, exist_ok=True)
    tu, vp = folder / "tu.pb", folder / "vp.pb"
    tu.write_bytes(trip_updates_feed(case.live, t_s, stamp))
    vp.write_bytes(vehicle_positions_feed(case.live, t_s, stamp))
    result = validate(
        Request(
            mode=Mode.MODERN,
            gtfs=gtfs,
            inputs=resolve_roles({"tu": str(tu), "vp": str(vp)}),
            at=dt.datetime.fromtimestamp(stamp, dt.UTC),
        )
    )
    written = result.write(folder / "report")
    return Validated(
        errors=tuple(result.error_ids()),
        report=json.loads(written.report.read_text()),
        system_errors=json.loads(written.system_errors.read_text())["notices"],
    )
