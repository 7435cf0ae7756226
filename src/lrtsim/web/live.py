"""The live state of complete runs: each run's simulated day rebuilt once from its folder
(`scenario.toml` and the run's seed: the pipeline is deterministic, so it is the same day),
its replay clock, and its stations' passengers, kept for the few runs asked for last.

A run is rebuilt on its first use (a few seconds: in the thread of the request that asked, so
the event loop keeps serving); requests that come while it builds wait for the same build.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from lrtsim.errors import LrtsimError
from lrtsim.io.gtfs_rt import LiveDay
from lrtsim.web.replay import Instant, ReplayClock

FloatArray = npt.NDArray[np.float64]

KEPT_RUNS = 3
"""Runs whose live state is kept; the one used longest ago is let go beyond this."""


@dataclass(frozen=True)
class Station:
    """A station of the line, placed on the up direction's shape."""

    name: str
    km: float
    lat: float
    lon: float


@dataclass(frozen=True, eq=False)
class Queues:
    """Each station's passengers' platform arrivals and boardings, sorted (NaN boardings, of
    those who never boarded, left out): waiting at t = arrived by t − boarded by t."""

    arrival_s: dict[str, FloatArray]
    board_s: dict[str, FloatArray]

    def waiting(self, station: str, t_s: float) -> int:
        """Passengers on the platform of `station` at `t_s`: arrived and not yet boarded."""
        arrived = np.searchsorted(self.arrival_s.get(station, _EMPTY), t_s, side="right")
        boarded = np.searchsorted(self.board_s.get(station, _EMPTY), t_s, side="right")
        return int(arrived - boarded)


_EMPTY: FloatArray = np.zeros(0, dtype=np.float64)


class FeedCache:
    """The last serialized feed of each kind with the instant it was made for: under load, the
    many requests of one second (or of a paused clock) share one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, tuple[Instant, bytes]] = {}

    def get(self, kind: str, instant: Instant, make: Callable[[], bytes]) -> bytes:
        """The feed `kind` at `instant`, made by `make` unless it is the last one."""
        with self._lock:
            last = self._last.get(kind)
        if last is not None and last[0] == instant:
            return last[1]
        data = make()
        with self._lock:
            self._last[kind] = (instant, data)
        return data


@dataclass(frozen=True, eq=False)
class LiveRun:
    """What the live endpoints of one run read: its day, line, queues and replay clock."""

    run_id: str
    live: LiveDay
    line_name: str
    stations: tuple[Station, ...]
    track: tuple[tuple[float, float], ...]
    """(lat, lon) of the up direction's shape, in order."""
    window_s: tuple[float, float]
    queues: Queues
    clock: ReplayClock
    feeds: FeedCache = field(default_factory=lambda: FeedCache())


def build_live_run(run_id: str, folder: Path, seed: int) -> LiveRun:
    """The live state of the run in `folder`: its day re-run from the folder's scenario.toml
    with `seed`, published from the first date from today its calendar runs the design day."""
    from lrtsim.io.gtfs_rt import live_day, on_lap, posix_s, service_window_s
    from lrtsim.io.od_csv import scenario_od_matrix
    from lrtsim.model.direction import DIRECTIONS, along_m
    from lrtsim.model.load import load_scenario
    from lrtsim.pipeline import configure, run_pipeline

    ref = str(folder / "scenario.toml")
    scenario = configure(load_scenario(ref), [])
    run = run_pipeline(scenario, scenario_od_matrix(scenario, ref), seed)
    live = live_day(run)

    from lrtsim.io.gtfs_rt.shapes import place

    up = live.shapes[0]
    km = np.array([s.km for s in scenario.line.stations], dtype=np.float64)
    lat, lon, _ = place(up, along_m(km, live.origin_km[0], DIRECTIONS[0]))
    stations = tuple(
        Station(name=s.name, km=float(s.km), lat=float(a), lon=float(o))
        for s, a, o in zip(scenario.line.stations, lat, lon, strict=True)
    )
    window = service_window_s(live)
    return LiveRun(
        run_id=run_id,
        live=live,
        line_name=scenario.line.name,
        stations=tuple(sorted(stations, key=lambda s: s.km)),
        track=tuple(zip(up.lat.tolist(), up.lon.tolist(), strict=True)),
        window_s=window,
        queues=read_queues(folder / "passengers.parquet"),
        clock=ReplayClock(window, posix=lambda lap, t_s: posix_s(on_lap(live, lap), t_s)),
    )


def read_queues(passengers_parquet: Path) -> Queues:
    """Each origin station's sorted platform arrivals and boardings from passengers.parquet."""
    import pandas as pd

    try:
        table = pd.read_parquet(passengers_parquet, columns=["origin", "arrival_s", "board_s"])
    except (OSError, ValueError) as exc:
        raise LrtsimError(f"{passengers_parquet}: cannot read it ({exc})") from None
    arrival, board = {}, {}
    for station, rows in table.groupby("origin", sort=False):
        boarded = rows["board_s"].to_numpy(dtype=np.float64)
        arrival[str(station)] = np.sort(rows["arrival_s"].to_numpy(dtype=np.float64))
        board[str(station)] = np.sort(boarded[np.isfinite(boarded)])
    return Queues(arrival_s=arrival, board_s=board)


class LiveRuns:
    """The live state of the runs asked for last (at most `kept`), each built once."""

    def __init__(self, kept: int = KEPT_RUNS) -> None:
        self._kept = kept
        self._lock = threading.Lock()
        self._runs: OrderedDict[str, Future[LiveRun]] = OrderedDict()

    def built(self, run_id: str) -> LiveRun | None:
        """The live state of `run_id` when it is built already (no catalogue read: a complete
        run stays complete), else None."""
        with self._lock:
            future = self._runs.get(run_id)
            if future is None or not future.done() or future.exception() is not None:
                return None
            self._runs.move_to_end(run_id)
        return future.result()

    def get(self, run_id: str, folder: Path, seed: int) -> LiveRun:
        """The live state of `run_id`, built now (in this thread) unless built or being built;
        an `LrtsimError` of the build is raised to every request that waited for it."""
        with self._lock:
            future = self._runs.get(run_id)
            owner = future is None
            if future is None:
                future = Future()
                self._runs[run_id] = future
                while len(self._runs) > self._kept:
                    self._runs.popitem(last=False)
            self._runs.move_to_end(run_id)
        if owner:
            try:
                future.set_result(build_live_run(run_id, folder, seed))
            except Exception as exc:
                with self._lock:
                    if self._runs.get(run_id) is future:
                        del self._runs[run_id]
                future.set_exception(exc)
        return future.result()
