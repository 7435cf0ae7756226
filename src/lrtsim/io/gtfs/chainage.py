"""Import side, step 5: the shape's polyline, the unit of shape_dist_traveled, and each station's
line position (chainage).

The GTFS reference leaves the unit of `shape_dist_traveled` to the producer, so it is detected:
the feed's length of the shape (`shapes.shape_dist_traveled`, else the stops' span) against its
haversine length (or the stops' projected span) gives metres per feed unit ≈ 1 (metres), 0.3048
(feet), 1000 (km) or 1609.344 (miles), within ±10 %. When there is no usable
shape_dist_traveled, or its unit is not recognised, or it does not increase along the pattern,
each stop is projected onto the shape (`lrtsim.model.geometry.project_points`) instead. The
first station is km 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from lrtsim.errors import LrtsimError
from lrtsim.io.gtfs.patterns import Pattern, PatternStation, nanmedian
from lrtsim.io.gtfs.read import Feed, FloatArray, numbers, stop_matrix
from lrtsim.model.geometry import chainage_m, project_points

DISTANCE_UNITS: tuple[tuple[str, float], ...] = (
    ("metres", 1.0),
    ("feet", 0.3048),
    ("kilometres", 1000.0),
    ("miles", 1609.344),
)
"""Units seen in `shape_dist_traveled`, with metres per unit (international foot and mile)."""

UNIT_TOLERANCE = 0.10
"""A unit is recognised when the feed's length × its metres per unit is within ±10 % of the
haversine length: shapes follow the track closely, so a real unit lands within a few per cent."""


@dataclass(frozen=True)
class Shape:
    """The track polyline of a shape, its haversine chainage and its shape_dist_traveled."""

    shape_id: str
    track: list[tuple[float, float]]
    chainage_m: FloatArray
    dist_traveled: FloatArray | None
    """shapes.txt shape_dist_traveled at each point (feed units), if given for every point."""

    @property
    def length_m(self) -> float:
        """Haversine length of the polyline."""
        return float(self.chainage_m[-1])


def read_shape(feed: Feed, shape_id: str) -> Shape:
    """The points of one shape in sequence order; repeated consecutive points dropped."""
    if feed.shapes is None or feed.shapes.empty:
        raise LrtsimError(f"{feed.source} has no shapes.txt, so there is no track geometry")
    rows = feed.shapes[feed.shapes["shape_id"] == shape_id]
    if rows.empty:
        raise LrtsimError(f"{feed.source}: shape '{shape_id}' is not in shapes.txt")
    rows = rows.assign(_seq=numbers(rows["shape_pt_sequence"])).sort_values("_seq")
    lon, lat = numbers(rows["shape_pt_lon"]), numbers(rows["shape_pt_lat"])
    dist = numbers(rows["shape_dist_traveled"]) if "shape_dist_traveled" in rows else None
    ok = np.isfinite(lon) & np.isfinite(lat)
    keep = ok & np.concatenate([[True], (np.diff(lon) != 0) | (np.diff(lat) != 0)])
    lon, lat = lon[keep], lat[keep]
    if len(lon) < 2:
        raise LrtsimError(f"{feed.source}: shape '{shape_id}' has fewer than two points")
    if dist is not None:
        dist = dist[keep]
        if not np.isfinite(dist).all() or (np.diff(dist) < 0).any() or dist[-1] <= dist[0]:
            dist = None
    track = [(float(a), float(b)) for a, b in zip(lon, lat, strict=True)]
    return Shape(shape_id, track, chainage_m(track), dist)


def detect_unit(feed_length: float, metres: float) -> tuple[str, float] | None:
    """The unit (name, metres per unit) that makes `feed_length` match `metres`, if any."""
    if not (feed_length > 0 and metres > 0):
        return None
    ratio = metres / feed_length
    name, per_unit = min(DISTANCE_UNITS, key=lambda u: abs(math.log(ratio / u[1])))
    if abs(math.log(ratio / per_unit)) <= math.log(1 + UNIT_TOLERANCE):
        return name, per_unit
    return None


@dataclass(frozen=True)
class Chainage:
    """Station positions and the map from shape haversine metres to line metres (km × 1000)."""

    station_m: FloatArray
    """Line metres of each station (first = 0)."""
    shape_to_line_m: Callable[[FloatArray], FloatArray]
    source: str
    """How the positions were found, for people."""
    unit: str | None
    """Unit of shape_dist_traveled when it was used."""
    offsets_m: FloatArray
    """Distance (m) of each station's stop from the shape polyline."""


def station_chainage(
    feed: Feed, pattern: Pattern, stations: Sequence[PatternStation], shape: Shape
) -> tuple[Chainage, list[str]]:
    """Line position of each station: from shape_dist_traveled if usable, else by projection.

    Returns the chainage and notes on what was done (unit found, fallback taken).
    """
    notes: list[str] = []
    points = [(s.lon, s.lat) for s in stations]
    projected, offsets = project_points(shape.track, points)
    n = len(pattern.stop_ids)
    stop_dist = stop_matrix(feed, pattern.shape_trip_ids, "shape_dist_traveled", n)
    medians = [nanmedian(stop_dist[:, i]) for i in range(n)]
    per_stop = np.array([math.nan if m is None else m for m in medians], dtype=np.float64)
    feed_m: FloatArray | None = None
    unit: tuple[str, float] | None = None
    first = np.array([s.first for s in stations])
    if np.isfinite(per_stop).all():
        station_feed = per_stop[first]
        if shape.dist_traveled is not None:
            unit = detect_unit(
                float(shape.dist_traveled[-1] - shape.dist_traveled[0]), shape.length_m
            )
        else:
            unit = detect_unit(
                float(station_feed[-1] - station_feed[0]), float(projected[-1] - projected[0])
            )
        if unit is None:
            notes.append(
                "shape_dist_traveled matches no unit (metres, feet, km, miles) against the "
                "shape's haversine length; stations were projected onto the shape instead"
            )
        elif not (np.diff(station_feed) > 0).all():
            notes.append(
                "shape_dist_traveled does not increase along the pattern; stations were "
                "projected onto the shape instead"
            )
            unit = None
        else:
            feed_m = station_feed * unit[1]
    else:
        notes.append("stop_times has no shape_dist_traveled; stations were projected")

    if feed_m is not None and unit is not None:
        origin = float(feed_m[0])
        station_m = feed_m - origin
        if shape.dist_traveled is not None:
            vertex_m = shape.dist_traveled * unit[1]
            cum = shape.chainage_m

            def along(x: FloatArray) -> FloatArray:
                return np.asarray(np.interp(x, cum, vertex_m) - origin, dtype=np.float64)

        else:

            def along(x: FloatArray) -> FloatArray:
                return np.asarray(x - origin, dtype=np.float64)

        source = f"stop_times.shape_dist_traveled, in {unit[0]}"
        return Chainage(station_m, along, source, unit[0], offsets), notes

    if not (np.diff(projected) > 0).all():
        raise LrtsimError(
            "the stations do not project in order onto the shape (it may loop or run both "
            "ways), and the feed has no usable shape_dist_traveled"
        )
    origin = float(projected[0])

    def projected_along(x: FloatArray) -> FloatArray:
        return np.asarray(x - origin, dtype=np.float64)

    source = "stops projected onto the shape (haversine metres)"
    return Chainage(projected - origin, projected_along, source, None, offsets), notes
