"""Import side, steps 2–4 and 7: the route's stop patterns, the one chosen as the line, its
stations and its scheduled times.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from lrtsim.errors import LrtsimError
from lrtsim.io.gtfs.read import Feed, FloatArray, numbers, stop_matrix


def route_trips(feed: Feed, route_id: str) -> pd.DataFrame:
    """The trips of one route; `LrtsimError` when the route or its trips are missing."""
    routes = feed.routes
    if route_id not in set(routes["route_id"]):
        known = [f"{r} ({route_name(feed, r)})" for r in routes["route_id"]]
        shown = ", ".join(known[:20]) + (f", … {len(known) - 20} more" if len(known) > 20 else "")
        raise LrtsimError(
            f"route '{route_id}' is not in {feed.source}; its routes: {shown or 'none'}"
        )
    trips = feed.trips[feed.trips["route_id"] == route_id]
    if trips.empty:
        raise LrtsimError(
            f"route '{route_id}' ({route_name(feed, route_id)}) has no trips in {feed.source}"
        )
    return trips


def route_name(feed: Feed, route_id: str) -> str:
    """The route's long name, else its short name, else its description, else its route_id."""
    row = feed.routes[feed.routes["route_id"] == route_id]
    if row.empty:
        return route_id
    for column in ("route_long_name", "route_short_name", "route_desc"):
        if column in row.columns and str(row[column].iloc[0]):
            return str(row[column].iloc[0])
    return route_id


def stop_patterns(feed: Feed, trips: pd.DataFrame) -> pd.DataFrame:
    """One row per trip with stop times: trip_id, direction_id, shape_id, pattern, n_stops.

    `pattern` is the tuple of stop_ids in stop_sequence order; a missing direction_id counts as 0
    and a missing shape_id as ''.
    """
    stop_times = feed.stop_times[feed.stop_times["trip_id"].isin(trips["trip_id"])]
    if stop_times.empty:
        raise LrtsimError(f"{feed.source}: no stop_times for the {len(trips)} trips of the route")
    ordered = stop_times.assign(_seq=numbers(stop_times["stop_sequence"])).sort_values(
        ["trip_id", "_seq"], kind="stable"
    )
    patterns = ordered.groupby("trip_id", sort=False)["stop_id"].agg(tuple)
    info = trips.drop_duplicates("trip_id").set_index("trip_id")
    direction = (
        numbers(info["direction_id"]) if "direction_id" in info.columns else np.zeros(len(info))
    )
    shape = info["shape_id"] if "shape_id" in info.columns else pd.Series("", index=info.index)
    table = pd.DataFrame(
        {
            "direction_id": np.nan_to_num(direction, nan=0.0).astype(int),
            "shape_id": shape.to_numpy(),
        },
        index=info.index,
    )
    table = table.join(patterns.rename("pattern"), how="inner")
    table["n_stops"] = table["pattern"].map(len)
    return table.reset_index(names="trip_id")


@dataclass(frozen=True)
class Pattern:
    """The stop pattern chosen to be the line, with its trips and shape."""

    direction_id: int
    stop_ids: tuple[str, ...]
    trip_ids: tuple[str, ...]
    shape_id: str
    shape_trip_ids: tuple[str, ...]
    """Trips of the pattern that use `shape_id` (their shape_dist_traveled is comparable)."""
    trips_in_direction: int
    full_length_patterns: int


def choose_pattern(patterns: pd.DataFrame, direction_id: int = 0) -> Pattern:
    """The most common of the longest (most stops) patterns in one direction, and its shape.

    Ties go to the pattern, then the shape_id, that sorts first, so the choice is reproducible.
    """
    mine = patterns[patterns["direction_id"] == direction_id]
    if mine.empty:
        have = sorted({int(d) for d in patterns["direction_id"]})
        raise LrtsimError(
            f"the route has no trips with direction_id {direction_id} "
            f"(it has direction_id {', '.join(map(str, have))})"
        )
    longest = int(mine["n_stops"].max())
    full = mine[mine["n_stops"] == longest]
    counts: dict[tuple[str, ...], int] = {
        tuple(str(s) for s in cast(tuple[str, ...], key)): int(n)
        for key, n in full.groupby("pattern").size().items()
    }
    best = max(counts.items(), key=lambda kv: (kv[1], _reverse_key(kv[0])))[0]
    chosen = full[full["pattern"] == best]
    shapes = chosen[chosen["shape_id"] != ""]["shape_id"].value_counts()
    if shapes.empty:
        raise LrtsimError(
            "the trips of the chosen pattern have no shape_id, so there is no track geometry "
            "(the import needs shapes.txt and trips.shape_id)"
        )
    top = int(shapes.max())
    shape_id = sorted(str(s) for s, n in shapes.items() if int(n) == top)[0]
    return Pattern(
        direction_id=direction_id,
        stop_ids=tuple(str(s) for s in best),
        trip_ids=tuple(str(t) for t in chosen["trip_id"]),
        shape_id=shape_id,
        shape_trip_ids=tuple(str(t) for t in chosen[chosen["shape_id"] == shape_id]["trip_id"]),
        trips_in_direction=len(mine),
        full_length_patterns=len(counts),
    )


def _reverse_key(pattern: tuple[str, ...]) -> tuple[int, ...]:
    """Orders patterns so that `max` picks the one that sorts first (a stable tie-break)."""
    text = "\x1f".join(pattern)
    return (*(-ord(c) for c in text), 1)


@dataclass(frozen=True)
class PatternStation:
    """A station of the pattern: one platform stop, or consecutive ones of the same parent."""

    name: str
    stop_ids: tuple[str, ...]
    first: int
    """Index in the pattern of its first platform stop."""
    last: int
    lon: float
    lat: float


def pattern_stations(feed: Feed, stop_ids: Sequence[str]) -> list[PatternStation]:
    """Stations of a pattern, platform stops of one parent_station collapsed, names unique.

    A station is named after its parent station when the feed has one, else after the stop; its
    position is the first platform stop's (where the train stops). Repeated names get the stop_id.
    """
    stops = feed.stops.drop_duplicates("stop_id").set_index("stop_id")
    missing = [s for s in stop_ids if s not in stops.index]
    if missing:
        raise LrtsimError(f"{feed.source}: stop_times name stops not in stops.txt: {missing[:5]}")

    def text(stop_id: str, column: str) -> str:
        return str(stops.at[stop_id, column]) if column in stops.columns else ""

    groups: list[tuple[str, list[int]]] = []
    for i, stop_id in enumerate(stop_ids):
        parent = text(stop_id, "parent_station")
        key = parent if parent and parent in stops.index else stop_id
        if groups and groups[-1][0] == key:
            groups[-1][1].append(i)
        else:
            groups.append((key, [i]))
    out: list[PatternStation] = []
    seen: set[str] = set()
    for key, members in groups:
        first = stop_ids[members[0]]
        name = text(key, "stop_name") or text(first, "stop_name") or first
        if name in seen:
            name = f"{name} ({first})"
        seen.add(name)
        lon = _number(text(first, "stop_lon"))
        lat = _number(text(first, "stop_lat"))
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise LrtsimError(f"{feed.source}: stop '{first}' has no stop_lon/stop_lat")
        out.append(
            PatternStation(
                name=name,
                stop_ids=tuple(stop_ids[i] for i in members),
                first=members[0],
                last=members[-1],
                lon=lon,
                lat=lat,
            )
        )
    if len(out) < 2:
        raise LrtsimError("the chosen pattern serves fewer than two stations")
    return out


def _number(value: str) -> float:
    """One text value as a float; NaN when it is not a number."""
    try:
        return float(value)
    except ValueError:
        return math.nan


@dataclass(frozen=True)
class PatternTimes:
    """Scheduled times of a pattern, medians over its trips (None where the feed has no times)."""

    run_s: tuple[float | None, ...]
    """Per segment: arrival at the next station − departure from this one."""
    dwell_s: tuple[float | None, ...]
    """Per station: departure − arrival (first and last included as the feed gives them)."""
    distinct: bool
    """True when some arrival and departure times differ, so dwells are known."""


def pattern_times(feed: Feed, pattern: Pattern, stations: Sequence[PatternStation]) -> PatternTimes:
    """Median scheduled running time of each segment and dwell at each station.

    A blank arrival takes the departure time and vice versa (GTFS gives both or neither).
    """
    n = len(pattern.stop_ids)
    arrival = stop_matrix(feed, pattern.trip_ids, "arrival_time", n)
    departure = stop_matrix(feed, pattern.trip_ids, "departure_time", n)
    arrival = np.where(np.isfinite(arrival), arrival, departure)
    departure = np.where(np.isfinite(departure), departure, arrival)
    if not np.isfinite(departure[:, 0]).any() or not np.isfinite(arrival[:, -1]).any():
        raise LrtsimError("the trips of the chosen pattern have no times at their terminals")
    dwell = departure - arrival
    distinct = bool(np.nanmax(np.abs(dwell)) > 0) if np.isfinite(dwell).any() else False
    run = [
        nanmedian(arrival[:, b.first] - departure[:, a.last])
        for a, b in itertools.pairwise(stations)
    ]
    dwells = [nanmedian(departure[:, s.last] - arrival[:, s.first]) for s in stations]
    return PatternTimes(
        run_s=tuple(run),
        dwell_s=tuple(dwells),
        distinct=distinct,
    )


def nanmedian(values: FloatArray) -> float | None:
    """Median of the finite values (over a pattern's trips); None when there are none."""
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if len(finite) else None
