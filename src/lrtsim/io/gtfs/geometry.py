"""Where the feed's stops and shapes lie: station coordinates, and a shape per direction.

Distances. Every `shape_dist_traveled` is line chainage in metres from the direction's first
station: a stop's is `|km − km of the first station| × 1000`, the number the planning layer
puts in `distance_m` (metres from the trip's first stop) plus the offset of the trip's first
stop. The shapes:

- with a track polyline (`line.geometry.track`): the polyline cut (or extended along its end
  segments) between the first and the last station. A station's position on it is where the
  chainage equals its `km`; chainage is `track_start_km` at the first vertex and grows by the
  haversine length of each segment (`lrtsim.model.geometry.chainage_m`), so a shape's
  distances are its own length;
- with station coordinates only: straight lines from station to station, a vertex at each
  station carrying that station's chainage. The line drawn is shorter than the distances by the
  track's curvature; the distances stay those the trains run.

The down shape is the up one reversed.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.model.checks import check_geometry
from lrtsim.model.direction import DIRECTIONS, Direction, along_m, line_order, origin_index
from lrtsim.model.geometry import chainage_m
from lrtsim.model.schema import Geometry, Scenario

FloatArray = npt.NDArray[np.float64]

DIST_DECIMALS = 2
"""shape_dist_traveled is written in metres to the centimetre."""

COORD_DECIMALS = 7
"""Coordinates are written to 1e-7 degrees (about 1 cm)."""


def shape_id(scenario: Scenario, direction: Direction) -> str:
    """The shape of a direction: `<route_id>-up` or `<route_id>-down`."""
    return f"{scenario.gtfs.route_id}-{direction}"


def geometry_problem(scenario: Scenario) -> str | None:
    """Why the scenario's geometry cannot place the feed's stops and shapes; None if it can."""
    geometry = scenario.line.geometry
    stations = scenario.line.stations
    need = (
        "a GTFS feed needs the coordinates of every station (line.geometry.stations, one "
        "[lon, lat] per station, in line order; the track polyline line.geometry.track is "
        "optional: without it the shapes are straight lines between the stations)"
    )
    if geometry is None:
        return f"the scenario has no [line.geometry]: {need}"
    if not geometry.stations:
        return f"line.geometry has no stations: {need}"
    if len(geometry.stations) != len(stations):
        return (
            f"line.geometry.stations has {len(geometry.stations)} points but line.stations has "
            f"{len(stations)}; give one [lon, lat] per station, in line order"
        )
    # The rules that place stations on the track are the scenario's own (model.checks).
    found = check_geometry(scenario.line)
    return "; ".join(f"{path}: {message}" for path, message in found) or None


def station_shape_m(scenario: Scenario) -> dict[str, FloatArray]:
    """shape_dist_traveled of each station (line order) on the shape of each direction."""
    km = np.array([s.km for s in scenario.line.stations], dtype=np.float64)
    return {
        d: np.asarray(along_m(km, float(km[origin_index(len(km), d)]), d), dtype=np.float64)
        for d in DIRECTIONS
    }


def station_xy(scenario: Scenario) -> FloatArray:
    """(lon, lat) of each station, one row per station in line order."""
    geometry = scenario.line.geometry
    assert geometry is not None, "check geometry_problem first"
    return _station_xy(geometry)


def shapes_table(scenario: Scenario, directions: list[Direction]) -> pd.DataFrame:
    """shapes.txt: one shape per direction used, from the track or straight between stations."""
    geometry = scenario.line.geometry
    assert geometry is not None, "check geometry_problem first"
    if geometry.track:
        along = _station_chainage_m(scenario)
        up = _cut(geometry, float(along[0]), float(along[-1]))
    else:
        xy = _station_xy(geometry)
        up = pd.DataFrame(
            {"lon": xy[:, 0], "lat": xy[:, 1], "dist": station_shape_m(scenario)["up"]}
        )
    parts = []
    for direction in directions:
        order = list(line_order(len(up), direction))
        dist = up["dist"].to_numpy()[order]
        parts.append(
            pd.DataFrame(
                {
                    "shape_id": shape_id(scenario, direction),
                    "shape_pt_lat": np.round(up["lat"].to_numpy()[order], COORD_DECIMALS),
                    "shape_pt_lon": np.round(up["lon"].to_numpy()[order], COORD_DECIMALS),
                    "shape_pt_sequence": np.arange(1, len(up) + 1, dtype=np.int64),
                    # From the shape's own first point (the up shape starts at 0).
                    "shape_dist_traveled": np.round(np.abs(dist - dist[0]), DIST_DECIMALS),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------------------------- polyline
def _station_xy(geometry: Geometry) -> FloatArray:
    return np.asarray(geometry.stations, dtype=np.float64).reshape(-1, 2)


def _clean_track(points: list[tuple[float, float]]) -> tuple[FloatArray, FloatArray]:
    """Polyline vertices without zero-length steps, and chainage (m) from the first vertex."""
    xy = np.asarray(points, dtype=np.float64)
    cum = chainage_m(points)
    keep = np.concatenate([[True], np.diff(cum) > 1e-6])
    return xy[keep], cum[keep]


def _station_chainage_m(scenario: Scenario) -> FloatArray:
    """Each station's distance (m) along the polyline from its first vertex."""
    geometry = scenario.line.geometry
    start_km = geometry.track_start_km if geometry is not None else 0.0
    km = np.array([s.km for s in scenario.line.stations], dtype=np.float64)
    return np.asarray((km - start_km) * 1000.0, dtype=np.float64)


def _points_at(track: FloatArray, cum: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(lon, lat) at chainages `s`, linear along each segment, extended past both ends."""
    i = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(cum) - 2)
    t = (s - cum[i]) / (cum[i + 1] - cum[i])
    lon = track[i, 0] + t * (track[i + 1, 0] - track[i, 0])
    lat = track[i, 1] + t * (track[i + 1, 1] - track[i, 1])
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def _cut(geometry: Geometry, s_from: float, s_to: float) -> pd.DataFrame:
    """The polyline between chainages s_from < s_to (cut or extended), distances from s_from."""
    track, cum = _clean_track(geometry.track)
    inner = (cum > s_from + 0.01) & (cum < s_to - 0.01)
    ends_lon, ends_lat = _points_at(track, cum, np.array([s_from, s_to]))
    lon = np.concatenate([[ends_lon[0]], track[inner, 0], [ends_lon[1]]])
    lat = np.concatenate([[ends_lat[0]], track[inner, 1], [ends_lat[1]]])
    s = np.concatenate([[s_from], cum[inner], [s_to]])
    return pd.DataFrame({"lon": lon, "lat": lat, "dist": s - s_from})
