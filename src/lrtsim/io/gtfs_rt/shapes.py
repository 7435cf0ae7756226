"""Points on the static feed's shapes: a trip's chainage → (lat, lon) and bearing.

A shape's `shape_dist_traveled` is line chainage in metres from the direction's first station
(`lrtsim.io.gtfs.geometry`), so a train at chainage km of a trip running `direction` is at
`along_m(km, km of that first station, direction)` metres on its shape, interpolated linearly
between shapes.txt's points as a GTFS consumer does. The bearing is the compass heading of that
segment of the shape (GTFS-Realtime `Position.bearing`: degrees clockwise from true north).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Shape:
    """One shape of shapes.txt: its points in order and the bearing of each segment."""

    dist_m: FloatArray
    lat: FloatArray
    lon: FloatArray
    bearing_deg: FloatArray
    """One per segment (len(dist_m) − 1)."""


def shapes_by_id(shapes_txt: pd.DataFrame) -> dict[str, Shape]:
    """Every shape of shapes.txt, its points in shape_pt_sequence order."""
    out = {}
    for shape_id, rows in shapes_txt.groupby("shape_id", sort=False):
        rows = rows.sort_values("shape_pt_sequence")
        lat = rows["shape_pt_lat"].to_numpy(dtype=np.float64)
        lon = rows["shape_pt_lon"].to_numpy(dtype=np.float64)
        out[str(shape_id)] = Shape(
            dist_m=rows["shape_dist_traveled"].to_numpy(dtype=np.float64),
            lat=lat,
            lon=lon,
            bearing_deg=_bearings_deg(lat, lon),
        )
    return out


def _bearings_deg(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Initial great-circle bearing of each segment, in [0, 360)."""
    p1, p2 = np.radians(lat[:-1]), np.radians(lat[1:])
    dl = np.radians(lon[1:] - lon[:-1])
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.asarray(np.degrees(np.arctan2(y, x)) % 360.0, dtype=np.float64)


def place(shape: Shape, along_m: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(lat, lon, bearing_deg) at `along_m` metres on the shape (held at its ends)."""
    s = np.clip(along_m, shape.dist_m[0], shape.dist_m[-1])
    i = np.clip(np.searchsorted(shape.dist_m, s, side="right") - 1, 0, len(shape.dist_m) - 2)
    return (
        np.interp(s, shape.dist_m, shape.lat),
        np.interp(s, shape.dist_m, shape.lon),
        shape.bearing_deg[i],
    )
