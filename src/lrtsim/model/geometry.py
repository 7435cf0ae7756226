"""Track geometry from WGS84 polylines: chainage, projection of stops, and curve radii.

Curves are found from the heading of the polyline: OSM and GTFS shapes are digitised with a few
degrees of noise at every vertex, so the heading is taken over chords of `chord_m` and a curve is a
run where the smoothed curvature stays above 1/`max_radius_m`. Its turn Δθ is the heading change
across the run, its arc length L comes from the spread (second moment) of the curvature with the
smoothing kernels' spread removed, and its radius is R = L / Δθ (a circular arc).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lrtsim.model.units import G_MPS2

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), for haversine distances."""

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DetectedCurve:
    """A circular-arc approximation of one bend of the polyline."""

    from_m: float
    to_m: float
    radius_m: float
    angle_deg: float


def haversine_m(
    lon1: FloatArray, lat1: FloatArray, lon2: FloatArray, lat2: FloatArray
) -> FloatArray:
    """Great-circle distance in metres (haversine formula; Sinnott 1984)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(h)), dtype=np.float64)


def chainage_m(track: list[tuple[float, float]]) -> FloatArray:
    """Cumulative length along the polyline at each vertex, starting at 0."""
    xy = np.asarray(track, dtype=np.float64)
    steps = haversine_m(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
    return np.concatenate([[0.0], np.cumsum(steps)])


def _local_xy(track: list[tuple[float, float]]) -> FloatArray:
    """Equirectangular metres around the polyline's mean latitude (error < 0.1 % over 50 km)."""
    xy = np.asarray(track, dtype=np.float64)
    lat0 = np.radians(xy[:, 1].mean())
    x = np.radians(xy[:, 0]) * EARTH_RADIUS_M * np.cos(lat0)
    y = np.radians(xy[:, 1]) * EARTH_RADIUS_M
    return np.column_stack([x, y])


def project_points(
    track: list[tuple[float, float]], points: list[tuple[float, float]]
) -> tuple[FloatArray, FloatArray]:
    """Chainage (m) of each point's nearest spot on the polyline, and its offset (m) from it.

    Points are projected in local metres; chainage is scaled to the haversine length of the
    segment it falls on, so projected positions agree with `chainage_m`.
    """
    xy = _local_xy(track + points)
    line, pts = xy[: len(track)], xy[len(track) :]
    cum = chainage_m(track)
    a, b = line[:-1], line[1:]
    ab = b - a
    length2 = np.maximum((ab**2).sum(axis=1), 1e-12)
    out_s = np.empty(len(pts))
    out_d = np.empty(len(pts))
    for k, p in enumerate(pts):
        t = np.clip(((p - a) * ab).sum(axis=1) / length2, 0.0, 1.0)
        foot = a + ab * t[:, None]
        dist = np.hypot(*(foot - p).T)
        i = int(np.argmin(dist))
        out_s[k] = cum[i] + t[i] * (cum[i + 1] - cum[i])
        out_d[k] = dist[i]
    return out_s, out_d


def _resample(xy: FloatArray, cum: FloatArray, step_m: float) -> tuple[FloatArray, FloatArray]:
    s = np.arange(0.0, cum[-1], step_m)
    return s, np.column_stack([np.interp(s, cum, xy[:, 0]), np.interp(s, cum, xy[:, 1])])


def detect_curves(
    track: list[tuple[float, float]],
    *,
    chord_m: float = 40.0,
    max_radius_m: float = 3000.0,
    min_angle_deg: float = 5.0,
    step_m: float = 5.0,
) -> list[DetectedCurve]:
    """Bends of the polyline with radius below `max_radius_m` and turning more than `min_angle_deg`.

    Positions are chainage from the first vertex, in the metres of `chainage_m`.
    """
    xy = _local_xy(track)
    cum_local = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
    cum_true = chainage_m(track)
    s, pts = _resample(xy, cum_local, step_m)
    half = max(1, round(chord_m / 2 / step_m))
    if len(s) < 2 * half + 3:
        return []
    lo = np.clip(np.arange(len(s)) - half, 0, len(s) - 1)
    hi = np.clip(np.arange(len(s)) + half, 0, len(s) - 1)
    d = pts[hi] - pts[lo]
    heading = np.unwrap(np.arctan2(d[:, 1], d[:, 0]))
    curvature = np.gradient(heading, s)
    kernel = np.ones(2 * half + 1) / (2 * half + 1)
    smooth = np.convolve(curvature, kernel, mode="same")
    sign = np.where(np.abs(smooth) > 1.0 / max_radius_m, np.sign(smooth), 0.0)
    # The chord heading and the smoothing each act as a moving average (a box kernel), which
    # spreads a curve's curvature without changing its total. Variances add under convolution,
    # so the arc length is recovered from the spread of curvature: L² / 12 = var − var_kernels.
    smoothing_var = ((2 * half * step_m) ** 2 + ((2 * half + 1) * step_m) ** 2) / 12.0

    curves: list[DetectedCurve] = []
    i = 0
    while i < len(s):
        if sign[i] == 0:
            i += 1
            continue
        j = i
        while j + 1 < len(s) and sign[j + 1] == sign[i]:
            j += 1
        a, b = max(i - 2 * half, 0), min(j + 2 * half, len(s) - 1)
        angle = abs(heading[min(j + half, len(s) - 1)] - heading[max(i - half, 0)])
        weight = np.where(np.sign(smooth[a : b + 1]) == sign[i], np.abs(smooth[a : b + 1]), 0.0)
        if np.degrees(angle) >= min_angle_deg and weight.sum() > 0:
            centre = float(np.average(s[a : b + 1], weights=weight))
            spread = float(np.average((s[a : b + 1] - centre) ** 2, weights=weight))
            arc = np.sqrt(max(12.0 * (spread - smoothing_var), step_m**2))
            start, end = centre - arc / 2, centre + arc / 2
            curves.append(
                DetectedCurve(
                    float(np.interp(start, cum_local, cum_true)),
                    float(np.interp(end, cum_local, cum_true)),
                    float(arc / angle),
                    float(np.degrees(angle)),
                )
            )
        i = j + 1
    return curves


def curve_speed_limit_mps(
    radius_m: float, cant_mm: float, cant_deficiency_mm: float, rail_centres_mm: float
) -> float:
    """Highest speed on a curve: v² / R = g · (cant + cant deficiency) / rail-centre distance.

    Lateral acceleration balance in the plane of the track (EN 13803:2017; for standard gauge
    with 1500 mm rail centres this is the familiar V[km/h] = sqrt(R · (h + I) / 11.8)).
    """
    return float(np.sqrt(radius_m * G_MPS2 * (cant_mm + cant_deficiency_mm) / rail_centres_mm))
