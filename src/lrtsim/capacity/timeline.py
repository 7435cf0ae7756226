"""A trip in one direction as times of passing each position, with dwells at the stops.

Built from a dynamics `RunProfile` (never recomputed here). A position has an arrival time (the
head first reaches it) and a departure time (the head leaves it): they differ only at stops.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from lrtsim.dynamics.profile import RunProfile
from lrtsim.model.arrays import read_only

FloatArray = npt.NDArray[np.float64]
_NUDGE_M = 1e-7
"""Read the staircase just before (arrival) or just after (departure) a position."""


@dataclass(frozen=True, eq=False)
class Timeline:
    """Head position (m from the first stop), speed and arrival/departure times of one trip
    (read-only arrays)."""

    position_m: FloatArray
    speed_mps: FloatArray
    arrival_s: FloatArray
    departure_s: FloatArray
    stop_m: FloatArray
    stop_names: tuple[str, ...]
    dwell_s: tuple[float, ...]
    train_length_m: float
    stop_index: npt.NDArray[np.int64] = field(init=False, repr=False)
    """Index of each stop in `position_m`."""
    path_m: FloatArray = field(init=False, repr=False)
    """The head's path as a staircase: every grid point, each stop twice (arrival, departure)."""
    path_s: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        stops = np.searchsorted(self.position_m, self.stop_m - 1e-9)
        path_m = np.insert(self.position_m, stops + 1, self.position_m[stops])
        path_s = np.insert(self.arrival_s, stops + 1, self.departure_s[stops])
        object.__setattr__(self, "stop_index", stops)
        object.__setattr__(self, "path_m", path_m)
        object.__setattr__(self, "path_s", path_s)
        read_only(self)

    @property
    def stop_arrival_s(self) -> FloatArray:
        """Arrival at each stop, in running order (the first: when the trip starts)."""
        return self.arrival_s[self.stop_index]

    @property
    def stop_departure_s(self) -> FloatArray:
        """Departure from each stop, in running order (the last: its arrival)."""
        return self.departure_s[self.stop_index]

    @property
    def end_m(self) -> float:
        """Position of the last stop."""
        return float(self.position_m[-1])

    def arrival_at(self, x: FloatArray | float) -> FloatArray:
        """Time the head first reaches x (past the last stop: 1e9 s, never)."""
        x = np.asarray(x, dtype=np.float64)
        return np.asarray(np.interp(x - _NUDGE_M, self.path_m, self.path_s, right=1e9))

    def departure_at(self, x: FloatArray | float) -> FloatArray:
        """Time the head leaves x: the arrival time plus the dwell where x is a stop."""
        x = np.asarray(x, dtype=np.float64)
        t = np.interp(np.minimum(x + _NUDGE_M, self.end_m), self.path_m, self.path_s)
        return np.asarray(np.where(x > self.end_m + 1e-9, 1e9, t))

    def segment_reaching(self, x: FloatArray) -> npt.NDArray[np.int64]:
        """For each x, the stop-to-stop segment (i: stop i to i + 1) in which the head first
        reaches it: the last stop before x (a stop is reached at the end of the segment into
        it; x at or before the first stop: segment 0)."""
        return self._segment(np.asarray(x, dtype=np.float64) - _NUDGE_M)

    def segment_leaving(self, x: FloatArray) -> npt.NDArray[np.int64]:
        """For each x, the segment in which the head leaves it: the last stop at or before x
        (a stop is left at the start of the segment from it; past the last stop: the last)."""
        return self._segment(np.asarray(x, dtype=np.float64) + _NUDGE_M)

    def _segment(self, x: FloatArray) -> npt.NDArray[np.int64]:
        k = np.searchsorted(self.stop_m, x, side="right") - 1
        return np.asarray(np.clip(k, 0, len(self.stop_m) - 2), dtype=np.int64)

    def tail_clear_at(self, x: FloatArray | float) -> FloatArray:
        """Time the tail has passed x: the head leaves x + L."""
        return self.departure_at(np.asarray(x) + self.train_length_m)


def timeline(profile: RunProfile, dwell_s: tuple[float, ...], train_length_m: float) -> Timeline:
    """Insert dwells into a run: `dwell_s[i]` at stop i (the last stop's dwell is ignored)."""
    if len(dwell_s) != len(profile.stop_index):
        raise ValueError("one dwell per stop is needed")
    n = len(profile.position_m)
    added = np.zeros(n)
    for index, dwell in zip(profile.stop_index[:-1], dwell_s[:-1], strict=True):
        added[int(index) + 1 :] += dwell
    arrival = profile.time_s + added
    departure = arrival.copy()
    for index, dwell in zip(profile.stop_index[:-1], dwell_s[:-1], strict=True):
        departure[int(index)] += dwell
    return Timeline(
        position_m=profile.position_m,
        speed_mps=profile.speed_mps,
        arrival_s=arrival,
        departure_s=departure,
        stop_m=profile.position_m[profile.stop_index],
        stop_names=profile.station_names,
        dwell_s=tuple(float(d) for d in dwell_s),
        train_length_m=train_length_m,
    )
