"""The track seen from a train running in one direction: a position grid, limits and track forces.

Positions are metres from the first stop of the run, in the direction of travel. Stops fall on
grid points; the spacing is at most `max_step_m` (uniform within each stop-to-stop segment).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lrtsim.model.arrays import read_only
from lrtsim.model.checks import grid_points
from lrtsim.model.direction import Direction, along_m, running_order, sign
from lrtsim.model.geometry import curve_speed_limit_mps
from lrtsim.model.schema import Line
from lrtsim.model.units import kmh_to_mps

FloatArray = npt.NDArray[np.float64]


MIN_STEPS_PER_SEGMENT = 20
"""Even a very short interstation gets enough steps to resolve its accelerate-brake profile."""


@dataclass(frozen=True)
class Zone:
    """A stretch [from_m, to_m) of the run's coordinate with one value."""

    from_m: float
    to_m: float
    value: float


@dataclass(frozen=True)
class RunTrack:
    """Everything the kernel needs about the track for one direction, independent of the train."""

    direction: Direction
    station_names: tuple[str, ...]
    stop_m: FloatArray
    """Stop positions in run coordinates (first = 0)."""
    origin_km: float
    """Line chainage of position 0."""
    base_limit_mps: float
    """Line maximum speed."""
    limit_zones: tuple[Zone, ...]
    """Speed limits (m/s): civil limits and curve limits."""
    gradient_zones: tuple[Zone, ...]
    """Gradients (per mille, positive = uphill in the direction of travel)."""
    curve_zones: tuple[Zone, ...]
    """Curve resistance (N/kN) by Röckl's formula."""

    def __post_init__(self) -> None:
        read_only(self)

    def km_at(self, position_m: FloatArray) -> FloatArray:
        """Line chainage of run positions."""
        along = sign(self.direction)
        return np.asarray(self.origin_km + along * position_m / 1000.0, dtype=np.float64)


def curve_resistance_n_per_kn(radius_m: float) -> float:
    """Röckl's curve resistance: 500/(R−30) N/kN below R = 300 m, 650/(R−55) from 300 m.

    Röckl (1880s), as given in Wende, *Fahrdynamik des Schienenverkehrs* (2003).
    """
    if radius_m < 300.0:
        return 500.0 / (radius_m - 30.0)
    return 650.0 / (radius_m - 55.0)


def run_track(line: Line, direction: Direction) -> RunTrack:
    """Map the line's data into the coordinate of a run from terminal to terminal."""
    stations = running_order(line.stations, direction)
    origin_km = stations[0].km

    def to_run(from_km: float, to_km: float) -> tuple[float, float]:
        a, b = along_m(from_km, origin_km, direction), along_m(to_km, origin_km, direction)
        return (a, b) if a <= b else (b, a)

    limits = [Zone(*to_run(z.from_km, z.to_km), kmh_to_mps(z.kmh)) for z in line.speed_limits]
    for c in line.curves:
        cant = line.cant_mm if c.cant_mm is None else c.cant_mm
        v = curve_speed_limit_mps(c.radius_m, cant, line.cant_deficiency_mm, line.rail_centres_mm)
        limits.append(Zone(*to_run(c.from_km, c.to_km), v))
    along = sign(direction)
    gradients = [Zone(*to_run(g.from_km, g.to_km), along * g.permille) for g in line.gradients]
    curves = [
        Zone(*to_run(c.from_km, c.to_km), curve_resistance_n_per_kn(c.radius_m))
        for c in line.curves
    ]
    stop_m = np.array([abs(s.km - origin_km) * 1000.0 for s in stations])
    return RunTrack(
        direction=direction,
        station_names=tuple(s.name for s in stations),
        stop_m=stop_m,
        origin_km=origin_km,
        base_limit_mps=kmh_to_mps(line.max_speed_kmh),
        limit_zones=tuple(limits),
        gradient_zones=tuple(gradients),
        curve_zones=tuple(curves),
    )


def grid(stop_m: FloatArray, max_step_m: float) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Positions with every stop on a grid point, and the index of each stop.

    Refuses (`GridTooLargeError`) a grid over `model.checks.MAX_GRID_POINTS` before building it.
    """
    grid_points(np.diff(stop_m).tolist(), max_step_m, MIN_STEPS_PER_SEGMENT)
    parts = [np.array([stop_m[0]])]
    index = [0]
    for a, b in itertools.pairwise(stop_m):
        n = max(MIN_STEPS_PER_SEGMENT, int(np.ceil((b - a) / max_step_m - 1e-9)))
        parts.append(np.linspace(a, b, n + 1)[1:])
        index.append(index[-1] + n)
    return np.concatenate(parts), np.asarray(index, dtype=np.int64)


def head_limit_mps(
    x: FloatArray, base_mps: float, zones: tuple[Zone, ...], length_m: float
) -> FloatArray:
    """Speed allowed with the head at each x: no part of the body may be above a zone's limit.

    A zone [a, b) binds while the head is in [a, b + L]. The range is widened outward to the
    enclosing grid points, so the rule holds between grid points too.
    """
    limit = np.full(len(x), base_mps)
    for z in zones:
        lo = max(int(np.searchsorted(x, z.from_m, side="right")) - 1, 0)
        hi = min(int(np.searchsorted(x, z.to_m + length_m, side="left")), len(x) - 1)
        if hi >= lo and z.to_m + length_m >= x[0] and z.from_m <= x[-1]:
            limit[lo : hi + 1] = np.minimum(limit[lo : hi + 1], z.value)
    return limit


def body_average(x: FloatArray, zones: tuple[Zone, ...], length_m: float) -> FloatArray:
    """Mean of a zoned quantity over the train body [x − L, x] (mass spread evenly along it).

    Uses the running integral of the piecewise-constant value, exact for any zone layout.
    """
    if not zones:
        return np.zeros(len(x))
    edges = sorted({p for z in zones for p in (z.from_m, z.to_m)})
    knots = np.array(edges)
    value_between = np.zeros(len(knots))
    for i in range(len(knots) - 1):
        mid = 0.5 * (knots[i] + knots[i + 1])
        value_between[i] = sum(z.value for z in zones if z.from_m <= mid < z.to_m)
    integral = np.concatenate([[0.0], np.cumsum(value_between[:-1] * np.diff(knots))])

    def running(p: FloatArray) -> FloatArray:
        return np.asarray(np.interp(p, knots, integral), dtype=np.float64)

    if length_m <= 0:
        idx = np.clip(np.searchsorted(knots, x, side="right") - 1, 0, len(knots) - 1)
        return np.asarray(value_between[idx], dtype=np.float64)
    return (running(x) - running(x - length_m)) / length_m
