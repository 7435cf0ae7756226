"""Where every simulated train was, second by second: its driven segments as time–position
polylines, standing at the stops between them.

A segment driven freely is kept as its profile and start (`tracks.FreeRun`) and read on demand; a
segment driven under a restrictive authority is kept as the points the driving kernel passed.
Between the end of one segment and the start of the next the train stands at the stop. Positions
are given as line chainage (km) for the time–distance diagram, the separation checks and the live
feed (`position_at`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.model.direction import Direction
from lrtsim.simulation.tracks import DirectionTrack, FreeRun

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SAMPLE_COLUMNS = ("time_s", "block_id", "trip_id", "direction", "km", "speed_mps", "load")
"""`Trajectories.samples`: one row per train on the line per sampled instant."""


@dataclass(eq=False, slots=True)
class Piece:
    """One segment driven by one train: from its start to the stop it reached (mutable while
    the simulation may still change its future)."""

    block_id: str
    trip_id: str
    direction: Direction
    visit_from: int
    visit_to: int
    t0: float
    free: FreeRun
    """The run it set out to drive (its free run)."""
    j: IntArray | None = None
    """Grid points driven under a restrictive authority (None: the free run as it is)."""
    t: FloatArray | None = None
    w: FloatArray | None = None
    load: int = 0
    """Passengers on board."""
    own_j: int = -1
    """Grid point of a stop of its own (a failure), −1 if none."""

    @property
    def end_s(self) -> float:
        """When it reached its stop (or its last point driven so far)."""
        if self.t is None:
            return self.t0 + self.free.time_s
        return float(self.t[-1])


def points(piece: Piece, track: DirectionTrack) -> tuple[IntArray, FloatArray, FloatArray]:
    """The piece's grid points, times and v² (a free run's read from its profile)."""
    if piece.j is not None:
        assert piece.t is not None
        assert piece.w is not None
        return piece.j, piece.t, piece.w
    f = piece.free
    j = np.arange(f.a, f.b + 1, dtype=np.int64)
    return j, piece.t0 + f.times_s, f.w


@dataclass(frozen=True)
class TrainPosition:
    """A train at one moment: where, how fast, with how many on board."""

    block_id: str
    trip_id: str
    direction: Direction
    km: float
    speed_mps: float
    load: int
    standing: bool


@dataclass(eq=False)
class Trajectories:
    """Every train's driven segments, in the order they were driven per train."""

    tracks: dict[Direction, DirectionTrack]
    pieces: list[Piece] = field(default_factory=list)
    _by_trip: dict[str, list[Piece]] | None = field(default=None, repr=False)

    def trips(self) -> dict[str, list[Piece]]:
        """Pieces grouped by trip, in driving order."""
        if self._by_trip is None:
            out: dict[str, list[Piece]] = {}
            for p in self.pieces:
                out.setdefault(p.trip_id, []).append(p)
            self._by_trip = out
        return self._by_trip

    def polyline(self, trip_id: str) -> tuple[FloatArray, FloatArray, FloatArray, IntArray]:
        """Time, km, speed and load at the trip's points, standing at its stops included."""
        ts, kms, vs, loads = [], [], [], []
        for p in self.trips()[trip_id]:
            track = self.tracks[p.direction]
            j, t, w = points(p, track)
            ts.append(t)
            kms.append(track.track.km_at(track.x[j]))
            vs.append(np.sqrt(np.maximum(w, 0.0)))
            loads.append(np.full(t.shape, p.load, dtype=np.int64))
        return (
            np.concatenate(ts),
            np.concatenate(kms),
            np.concatenate(vs),
            np.concatenate(loads),
        )

    def samples(self, step_s: float = 1.0) -> pd.DataFrame:
        """Every train on the line at each multiple of `step_s` (`SAMPLE_COLUMNS`): from its
        trip's first departure to its last arrival, standing at stops included."""
        frames = []
        for trip_id, pieces in self.trips().items():
            t, km, v, load = self.polyline(trip_id)
            first = np.ceil(t[0] / step_s) * step_s
            times = np.arange(first, t[-1] + 1e-9, step_s)
            if times.size == 0:
                continue
            idx = np.clip(np.searchsorted(t, times, side="right") - 1, 0, t.size - 1)
            frames.append(
                pd.DataFrame(
                    {
                        "time_s": times,
                        "block_id": pieces[0].block_id,
                        "trip_id": trip_id,
                        "direction": pieces[0].direction,
                        "km": np.interp(times, t, km),
                        "speed_mps": np.interp(times, t, v),
                        "load": load[idx],
                    }
                )
            )
        if not frames:
            return pd.DataFrame({c: [] for c in SAMPLE_COLUMNS})
        out = pd.concat(frames, ignore_index=True)
        return out.sort_values(["time_s", "block_id"], kind="stable").reset_index(drop=True)

    def position_at(self, t_s: float) -> list[TrainPosition]:
        """Every train on a trip at `t_s` (between its first departure and last arrival)."""
        out = []
        for trip_id, pieces in self.trips().items():
            if not pieces[0].t0 <= t_s <= pieces[-1].end_s:
                continue
            t, km, v, load = self.polyline(trip_id)
            i = max(int(np.searchsorted(t, t_s, side="right")) - 1, 0)
            speed = float(np.interp(t_s, t, v))
            out.append(
                TrainPosition(
                    block_id=pieces[0].block_id,
                    trip_id=trip_id,
                    direction=pieces[0].direction,
                    km=float(np.interp(t_s, t, km)),
                    speed_mps=speed,
                    load=int(load[i]),
                    standing=speed == 0.0,
                )
            )
        return sorted(out, key=lambda p: p.block_id)
