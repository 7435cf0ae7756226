"""Import side, step 8: the scenario of one route of a GTFS feed, validated, as commented TOML.

`import_gtfs` runs the steps of `lrtsim.io.gtfs` (its docstring lists them) and builds the
scenario as a dict, validates it through `lrtsim.model.load.scenario_from_dict` (all checks
apply) and writes it with `lrtsim.io.toml_writer` as commented TOML that loads back to an equal
`Scenario`. What the feed cannot give is set here, each with its reason in the TOML: no
gradients, the line's maximum speed, cant, signalling, and the vehicle
(`lrtsim.model.vehicle_data.DEFAULT_VEHICLE`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lrtsim.io.gtfs.calendars import ServiceSpan, service_span
from lrtsim.io.gtfs.chainage import Chainage, Shape, read_shape, station_chainage
from lrtsim.io.gtfs.curves import (
    KINK_RADIUS_M,
    SCHEMA_MIN_RADIUS_M,
    STREET_CURVE_RADIUS_M,
    scenario_curves,
)
from lrtsim.io.gtfs.patterns import (
    Pattern,
    PatternStation,
    PatternTimes,
    choose_pattern,
    pattern_stations,
    pattern_times,
    route_name,
    route_trips,
    stop_patterns,
)
from lrtsim.io.gtfs.read import Feed, read_feed
from lrtsim.io.toml_writer import TomlDocument
from lrtsim.model.load import scenario_from_dict
from lrtsim.model.names import slug
from lrtsim.model.schema import Scenario
from lrtsim.model.units import Rounding, s_to_clock
from lrtsim.model.vehicle_data import DEFAULT_VEHICLE, vehicle_data

LINE_SPEED_STEP_KMH = 10.0
"""The line's maximum speed is the vehicle's rounded up to a multiple of this (see
`line_max_speed_kmh`)."""

DEFAULT_DWELL_S = 20.0
"""Dwell when the feed has no distinct arrival and departure times: a typical light-rail dwell
(TCQSM 3rd ed., ch. 8, gives 15–30 s for most LRT stations outside peak crowding)."""

LINE_CANT_MM = 100.0
"""ESTIMATE: cant on ballasted and direct-fixation curves; TCRP Report 155 (Track Design Handbook
for Light Rail Transit, 2nd ed.) allows up to 150 mm actual superelevation."""

LINE_CANT_DEFICIENCY_MM = 75.0
"""ESTIMATE: unbalanced superelevation of 75 mm (TCRP Report 155 gives 75–115 mm for LRT)."""

SERVICE_DAY_LIMIT_S = 30 * 3600.0
"""The latest clock time a scenario accepts (30:00, `model.schema.clock_to_s`)."""


def line_max_speed_kmh(vehicle_max_kmh: float) -> float:
    """The imported line's maximum speed: the vehicle's, rounded up to the next 10 km/h.

    GTFS carries no speed data, so the line's limit is set where it cannot bind before the
    vehicle's own: the vehicle's limit governs the running times.
    """
    return float(LINE_SPEED_STEP_KMH * math.ceil(vehicle_max_kmh / LINE_SPEED_STEP_KMH))


@dataclass(frozen=True, eq=False)
class GtfsImport:
    """A scenario imported from one route of a GTFS feed, with what the feed's schedule says."""

    scenario: Scenario
    document: TomlDocument
    """The scenario as a dict with its comments; its TOML loads back to an equal `Scenario`."""
    feed: str
    route_id: str
    route_name: str
    pattern: Pattern
    stations: tuple[PatternStation, ...]
    times: PatternTimes
    shape_length_m: float
    chainage_source: str
    distance_unit: str | None
    notes: tuple[str, ...]

    @property
    def toml(self) -> str:
        """The scenario as commented TOML."""
        return self.document.text

    @property
    def direction_text(self) -> str:
        """'direction_id 0: First → Last'."""
        first, last = self.stations[0].name, self.stations[-1].name
        return f"direction_id {self.pattern.direction_id}: {first} → {last}"


def import_gtfs(path: Path | str, route_id: str, *, direction_id: int = 0) -> GtfsImport:
    """Build a validated scenario from one route of a GTFS zip (the steps: `lrtsim.io.gtfs`)."""
    feed = read_feed(path)
    trips = route_trips(feed, route_id)
    pattern = choose_pattern(stop_patterns(feed, trips), direction_id)
    stations = pattern_stations(feed, pattern.stop_ids)
    shape = read_shape(feed, pattern.shape_id)
    chainage, notes = station_chainage(feed, pattern, stations, shape)
    times = pattern_times(feed, pattern, stations)
    span = service_span(feed, trips, direction_id)
    if not times.distinct:
        notes.append(
            f"arrival and departure times are equal throughout: dwells are unknown (default "
            f"{DEFAULT_DWELL_S:g} s) and each scheduled segment time includes the dwell at its end"
        )
    km = [round(float(m) / 1000.0, 3) for m in chainage.station_m]
    curves, curve_comments, curve_notes = scenario_curves(shape, chainage, km[-1])
    notes += curve_notes
    name = route_name(feed, route_id)
    agency = feed_publication(feed, route_id).get("agency_name", "")
    raw, comments, item_comments = _scenario_dict(
        feed=feed,
        route_id=route_id,
        route_name=name,
        agency=agency,
        pattern=pattern,
        stations=stations,
        km=km,
        times=times,
        span=span,
        shape=shape,
        chainage=chainage,
        curves=curves,
        curve_comments=curve_comments,
    )
    source = f"{Path(feed.source).name} route {route_id}"
    scenario = scenario_from_dict(raw, source)
    return GtfsImport(
        scenario=scenario,
        document=TomlDocument(raw, comments, item_comments),
        feed=feed.source,
        route_id=route_id,
        route_name=name,
        pattern=pattern,
        stations=tuple(stations),
        times=times,
        shape_length_m=shape.length_m,
        chainage_source=chainage.source,
        distance_unit=chainage.unit,
        notes=tuple(notes),
    )


def feed_publication(feed: Feed, route_id: str) -> dict[str, str]:
    """The scenario's [gtfs] table from the feed: agency, route names and colours, validity.

    Only values the schema accepts are taken (URL, language code, hex colours, YYYYMMDD dates);
    a route without a short name uses its route_id.
    """

    def first(table: pd.DataFrame | None, column: str, where: Any = None) -> str:
        if table is None or table.empty or column not in table.columns:
            return ""
        rows = table if where is None else table[where]
        return str(rows[column].iloc[0]) if not rows.empty else ""

    route = feed.routes["route_id"] == route_id
    agency_id = first(feed.routes, "agency_id", route)
    agency = feed.agency
    where = None
    if agency is not None and agency_id and "agency_id" in agency.columns:
        match = agency["agency_id"] == agency_id
        where = match if bool(match.any()) else None
    start = first(feed.feed_info, "feed_start_date")
    end = first(feed.feed_info, "feed_end_date")
    candidates = {
        "agency_name": (first(agency, "agency_name", where), r".+"),
        "agency_url": (first(agency, "agency_url", where), r"https?://\S+"),
        "agency_timezone": (first(agency, "agency_timezone", where), r".+"),
        "agency_lang": (first(agency, "agency_lang", where).lower(), r"[a-z]{2,3}"),
        "route_id": (route_id, r".+"),
        "route_short_name": (first(feed.routes, "route_short_name", route) or route_id, r".+"),
        "route_long_name": (first(feed.routes, "route_long_name", route), r".+"),
        "route_color": (first(feed.routes, "route_color", route), r"[0-9A-Fa-f]{6}"),
        "route_text_color": (first(feed.routes, "route_text_color", route), r"[0-9A-Fa-f]{6}"),
        "start_date": (start if end and start <= end else "", r"\d{8}"),
        "end_date": (end if start and start <= end else "", r"\d{8}"),
        "feed_version": (first(feed.feed_info, "feed_version"), r".+"),
    }
    return {k: v for k, (v, pattern) in candidates.items() if re.fullmatch(pattern, v)}


def _clock(seconds: float, rounding: Rounding) -> str:
    """Seconds to HH:MM, rounded as asked, kept within the schema's 00:00–30:00."""
    return s_to_clock(min(max(seconds, 0.0), SERVICE_DAY_LIMIT_S), rounding)


def _scenario_dict(
    *,
    feed: Feed,
    route_id: str,
    route_name: str,
    agency: str,
    pattern: Pattern,
    stations: Sequence[PatternStation],
    km: list[float],
    times: PatternTimes,
    span: ServiceSpan,
    shape: Shape,
    chainage: Chainage,
    curves: list[dict[str, Any]],
    curve_comments: list[str],
) -> tuple[dict[str, Any], dict[str, list[str]], dict[str, list[str]]]:
    """The scenario as a dict in TOML order, comments by key path, and per-item comments."""
    vehicle = vehicle_data(DEFAULT_VEHICLE)
    vehicle_max_kmh = float(vehicle.rolling_stock()["max_speed_kmh"])
    line_max_kmh = line_max_speed_kmh(vehicle_max_kmh)
    feed_name = Path(feed.source).name
    version = ""
    info = feed.feed_info
    if info is not None and "feed_version" in info.columns and not info.empty:
        version = str(info["feed_version"].iloc[0])
    first, last = stations[0].name, stations[-1].name
    title = (
        route_name if route_name.lower().startswith(agency.lower()) else f"{agency} {route_name}"
    )
    dwells = [d for d in times.dwell_s[1:-1] if d is not None]
    base_dwell = float(round(float(np.median(dwells)))) if times.distinct and dwells else None
    station_rows: list[dict[str, Any]] = []
    for i, (st, k) in enumerate(zip(stations, km, strict=True)):
        row: dict[str, Any] = {"name": st.name, "code": st.stop_ids[0], "km": k}
        dwell = times.dwell_s[i]
        if times.distinct and 0 < i < len(stations) - 1 and dwell is not None:
            row["dwell_s"] = round(dwell, 1)
        station_rows.append(row)
    start = _clock(span.first_departure_s, "down")
    end = _clock(span.last_arrival_s, "up")
    if end <= start:
        start, end = "00:00", "30:00"
    track_start_km = round(float(chainage.shape_to_line_m(np.array([0.0]))[0]) / 1000.0, 4)

    raw: dict[str, Any] = {
        "name": slug(title) or "gtfs-route",
        "seed": 0,
        "description": (
            f"{title} imported from the GTFS feed {feed_name} (route {route_id}, direction_id "
            f"{pattern.direction_id}: {first} to {last}, {len(stations)} stations)."
        ),
        "line": {
            "name": title,
            "max_speed_kmh": line_max_kmh,
            "stations": station_rows,
            "gradients": [],
            "curves": curves,
            "speed_limits": [],
            "cant_mm": LINE_CANT_MM,
            "cant_deficiency_mm": LINE_CANT_DEFICIENCY_MM,
            "rail_centres_mm": 1500.0,
            "geometry": {
                "source": (
                    f"GTFS feed {feed_name}"
                    + (f" (feed_version {version})" if version else "")
                    + f", shapes.txt shape_id {pattern.shape_id}"
                ),
                "track_start_km": track_start_km,
                "track": [(round(lon, 6), round(lat, 6)) for lon, lat in shape.track],
                "stations": [(round(s.lon, 6), round(s.lat, 6)) for s in stations],
            },
        },
        "rolling_stock": vehicle.rolling_stock(),
        "signalling": {"kind": "fixed_block"},
        "service": {
            "start": start,
            "end": end,
            "dwell": {"base_s": base_dwell if base_dwell is not None else DEFAULT_DWELL_S},
        },
        "gtfs": feed_publication(feed, route_id),
    }
    unit_text = (
        f"the feed's shape_dist_traveled, found to be in {chainage.unit} (its shape length "
        f"against the haversine length of the shape)"
        if chainage.unit
        else "each stop projected onto the shape polyline (haversine metres)"
    )
    comments: dict[str, list[str]] = {
        "": [
            f"{title}: imported by `lrtsim import-gtfs` from {feed_name}"
            + (f" (feed_version {version})." if version else "."),
            f"Route {route_id}, direction_id {pattern.direction_id} ({first} → {last}): the most "
            f"common of the {pattern.full_length_patterns} full-length stop pattern(s), "
            f"{len(pattern.trip_ids)} of the direction's {pattern.trips_in_direction} trips.",
            "Direction `up` of the scenario runs this way. Station `code` is the feed's stop_id.",
            "GTFS gives stations, times and a shape; it has no elevations, speed limits, "
            "signalling or vehicle data. Values marked ESTIMATE are not in the feed: "
            "replace them when you know better.",
        ],
        "line.max_speed_kmh": [
            f"GTFS carries no speed data: {line_max_kmh:g} km/h is the vehicle's "
            f"{vehicle_max_kmh:g} km/h rounded up to the next {LINE_SPEED_STEP_KMH:g} km/h, so the "
            "vehicle's own limit binds. No civil speed limits are in a GTFS feed (speed_limits "
            "is empty)."
        ],
        "line.stations": [
            f"km: from {unit_text}; the first station is km 0.",
            "dwell_s: median over the pattern's trips of departure − arrival at the stop."
            if times.distinct
            else f"dwell: the feed has no distinct arrival/departure times; "
            f"service.dwell.base_s = {DEFAULT_DWELL_S:g} s is used (ESTIMATE).",
        ],
        "line.gradients": [
            "None: a GTFS feed has no elevations. Add the vertical profile when known."
        ],
        "line.curves": [
            "DERIVED from the shape by lrtsim.model.geometry.detect_curves (heading over 40 m "
            "chords, curvature above 1/3000 m⁻¹, turn ≥ 5°, R = arc length / turn angle).",
            f"Shapes are digitised coarsely: radii are uncertain by ±20 % or more. Bends under "
            f"{KINK_RADIUS_M:g} m are dropped as digitising kinks; radii under "
            f"{SCHEMA_MIN_RADIUS_M:g} m are entered at {SCHEMA_MIN_RADIUS_M:g} m.",
        ],
        "line.cant_mm": [
            f"ESTIMATE: {LINE_CANT_MM:g} mm cant and {LINE_CANT_DEFICIENCY_MM:g} mm cant "
            "deficiency (TCRP Report 155 ranges); curves tighter than "
            f"{STREET_CURVE_RADIUS_M:g} m have cant_mm = 0 (embedded street track).",
        ],
        "line.geometry": [
            "Track: the shape of the pattern's most common shape_id; stations: the platform "
            "stops' coordinates. track_start_km is the chainage of the shape's first point."
        ],
        "rolling_stock": [f"ESTIMATE: no vehicle data is in GTFS. {vehicle.description}"],
        "signalling": [
            "ASSUMPTION: wayside fixed-block signals on the reserved sections; street-running "
            "sections run on sight, which lrtsim does not model.",
        ],
        "service": [
            f"Service day: first departure to last arrival of the direction's {span.trips} trips "
            + (
                f"on {span.date[:4]}-{span.date[4:6]}-{span.date[6:]}, a typical day (its "
                f"services run the route on {span.dates_alike} dates of the feed, more than any "
                "other set)."
                if span.date
                else "(the feed has no calendar)."
            ),
        ],
        "gtfs": [
            "From the feed's agency.txt, routes.txt and feed_info.txt (values the scenario "
            "format rejects are left at their defaults).",
        ],
        "service.dwell": [
            "Default dwell: the median of the stations' scheduled dwells."
            if base_dwell is not None
            else f"ESTIMATE: {DEFAULT_DWELL_S:g} s, a typical light-rail dwell (TCQSM 3rd ed.)."
        ],
    }
    for v in vehicle.values:
        comments[f"rolling_stock.{v.key}"] = [v.reason]
    item_comments = {"line.curves": curve_comments}
    return raw, comments, item_comments
