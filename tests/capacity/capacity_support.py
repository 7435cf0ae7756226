"""Builders for the capacity tests: scenarios, rule objects and idealised trips.

Scenarios are built through the public schema (`Scenario`, `Line`, `RollingStock`) in the units a
scenario file uses, with the builders the physics tests use (`support.scenarios`). An *ideal
trip* is a `Timeline` built by hand from closed-form kinematics — accelerate at a constant `a`
from each stop, cruise at `v`, brake at a constant `b` into the next stop, dwell there — so that
headways on it can be derived with pencil and paper.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from lrtsim.capacity.separation import SeparationRule
from lrtsim.capacity.timeline import Timeline
from lrtsim.model.schema import Curve, Scenario, Signalling
from support.scenarios import LRV, build_line, build_stock

FloatArray = npt.NDArray[np.float64]


# ------------------------------------------------------------------------------- schema objects
SYNTHETIC_KM = [0.0, 0.9, 2.4, 3.0, 4.2]
"""Five stations 600–1500 m apart."""


def synthetic_scenario(
    station_km: list[float] | None = None,
    *,
    signalling: dict[str, Any] | None = None,
    stock: dict[str, Any] | None = None,
    dwell_base_s: float = 25.0,
    curves: list[Curve] | None = None,
) -> Scenario:
    """Five stations, one tight curve in the second interstation, tail tracks of 300 m."""
    km = SYNTHETIC_KM if station_km is None else station_km
    if curves is None:
        # 1.1–1.3 km lies in S1–S2 for the default stations: a 200 m curve (limit ≈ 54 km/h).
        curves = [Curve(from_km=1.1, to_km=1.3, radius_m=200.0)]
    line = build_line(
        km,
        max_speed_kmh=80.0,
        curves=curves,
        tail_tracks_m={"start": 300.0, "end": 300.0},
    )
    sig: dict[str, Any] = {"safety_margin_m": 40.0, "reaction_time_s": 2.0}
    sig.update(signalling or {})
    return Scenario(
        name="synthetic",
        line=line,
        rolling_stock=build_stock(LRV, **(stock or {})),
        signalling=Signalling.model_validate(sig),
        service={"dwell": {"base_s": dwell_base_s}},
    )


def variant(scenario: Scenario, **changes: Any) -> Scenario:
    """The scenario with dotted keys replaced, e.g. `variant(s, **{"signalling.kind": "x"})`,
    validated again through the schema."""
    raw = scenario.model_dump(by_alias=True)
    for dotted, value in changes.items():
        *path, last = dotted.split(".")
        node = raw
        for key in path:
            node = node[key]
        node[last] = value
    return Scenario.model_validate(raw)


# ------------------------------------------------------------------------------ ideal trips
@dataclass(frozen=True)
class IdealTrip:
    """Closed-form run: constant `a` from each stop, cruise at `v`, constant `b` into the next."""

    stops_m: tuple[float, ...]
    a: float
    b: float
    v: float
    dwell_s: tuple[float, ...]
    """Dwell at each stop (the last is ignored), as `timeline()` inserts it."""

    def peak(self, d: float) -> float:
        """Top speed on an interstation of d metres (triangle if it cannot reach v)."""
        return min(self.v, float(np.sqrt(2.0 * d * self.a * self.b / (self.a + self.b))))

    def _segment(self, u: FloatArray, d: float) -> tuple[FloatArray, FloatArray]:
        """Speed and running time at distance u from the start of a d-metre interstation."""
        vp = self.peak(d)
        u1 = vp * vp / (2 * self.a)
        u2 = d - vp * vp / (2 * self.b)
        speed = np.where(
            u <= u1,
            np.sqrt(2 * self.a * np.clip(u, 0, None)),
            np.where(u <= u2, vp, np.sqrt(2 * self.b * np.clip(d - u, 0, None))),
        )
        t_accel = np.sqrt(2 * np.clip(u, 0, None) / self.a)
        t_cruise = vp / self.a + (u - u1) / vp
        t_brake = vp / self.a + (u2 - u1) / vp + (vp - speed) / self.b
        time = np.where(u <= u1, t_accel, np.where(u <= u2, t_cruise, t_brake))
        return speed, time

    def segment_time(self, i: int) -> float:
        """Running time of interstation i (stop i to stop i + 1)."""
        d = self.stops_m[i + 1] - self.stops_m[i]
        return float(self._segment(np.array([d]), d)[1][0])

    def arrival(self, i: int) -> float:
        """Closed-form arrival time at stop i (trip departs stop 0 at dwell_s[0])."""
        return sum(self.dwell_s[k] + self.segment_time(k) for k in range(i))

    def departure(self, i: int) -> float:
        """Closed-form departure from stop i."""
        return self.arrival(i) + self.dwell_s[i]

    def time_after(self, i: int, u: float) -> float:
        """Time the head passes u metres beyond stop i (on the way to stop i + 1)."""
        d = self.stops_m[i + 1] - self.stops_m[i]
        return self.departure(i) + float(self._segment(np.array([u]), d)[1][0])

    def timeline(self, length_m: float, step_m: float = 0.1) -> Timeline:
        """The trip as a `Timeline` on a grid of at most `step_m`, built here (not by lrtsim)."""
        positions, speeds, arrivals, departures = [], [], [], []
        clock = 0.0
        for i, (s0, s1) in enumerate(itertools.pairwise(self.stops_m)):
            d = s1 - s0
            n = int(np.ceil(d / step_m - 1e-9))
            u = np.linspace(0.0, d, n + 1)
            speed, time = self._segment(u, d)
            arr = clock + self.dwell_s[i] + time
            arr[0] = clock
            dep = arr.copy()
            dep[0] = clock + self.dwell_s[i]
            keep = slice(0, None) if i == 0 else slice(1, None)
            if i > 0:
                # the stop shared with the previous interstation: its arrival is already there
                departures[-1][-1] = dep[0]
            positions.append(s0 + u[keep])
            speeds.append(speed[keep])
            arrivals.append(arr[keep])
            departures.append(dep[keep])
            clock = float(arr[-1])
        return Timeline(
            position_m=np.concatenate(positions),
            speed_mps=np.concatenate(speeds),
            arrival_s=np.concatenate(arrivals),
            departure_s=np.concatenate(departures),
            stop_m=np.asarray(self.stops_m, dtype=np.float64),
            stop_names=tuple(f"S{i}" for i in range(len(self.stops_m))),
            dwell_s=tuple(float(x) for x in self.dwell_s),
            train_length_m=length_m,
        )


def make_rule(
    *,
    margin: float,
    reaction: float,
    brake: float,
    length: float,
    boundaries: list[float] | None = None,
) -> SeparationRule:
    """A separation rule; fixed block when boundaries are given."""
    return SeparationRule(
        kind="moving_block" if boundaries is None else "fixed_block",
        safety_margin_m=margin,
        reaction_time_s=reaction,
        brake_mps2=brake,
        train_length_m=length,
        block_boundaries_m=np.asarray(boundaries or [], dtype=np.float64),
    )


# ------------------------------------------------------------------ independent trip reading
def head_path(trip: Timeline) -> tuple[FloatArray, FloatArray]:
    """The head's (time, position) path: every grid point's arrival, and its departure where
    the train stands there, so dwells are flat steps in position. Between knots the head moves
    at a constant speed; this reads the timeline without the trip's own interpolation helpers."""
    times, places = [], []
    for x, a, d in zip(trip.position_m, trip.arrival_s, trip.departure_s, strict=True):
        times.append(a)
        places.append(x)
        if d > a:
            times.append(d)
            places.append(x)
    return np.asarray(times), np.asarray(places)


def head_at(path: tuple[FloatArray, FloatArray], t: FloatArray) -> FloatArray:
    """Head position at times t (before the start: the first stop; after the end: the last)."""
    times, places = path
    # np.interp wants increasing abscissae: a dwell gives two knots at one place, not one time.
    return np.asarray(np.interp(t, times, places), dtype=np.float64)
