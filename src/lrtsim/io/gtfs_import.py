"""GTFS import: a scenario from one route of a real feed, and the feed's schedule beside lrtsim.

Plain functions over the feed's tables (gtfs-kit style), one per step:

1. `read_feed`: the tables of a GTFS zip (`routes`, `trips`, `stop_times`, `stops`, and
   `shapes`, `agency`, `feed_info` when present), every column read as text.
2. `stop_patterns`: each trip of the route with its stop pattern (the ordered tuple of stop_ids),
   direction_id and shape_id.
3. `choose_pattern`: in one direction (direction_id 0 by default), the *full-length* patterns are
   those with the most stops; of these the most common one (most trips) is the line. Its shape is
   the most common shape_id among its trips.
4. `pattern_stations`: consecutive platform stops of the same `parent_station` collapse into one
   station, named after the parent (else after the stop); names are made unique.
5. Chainage (`station_chainage`): from `stop_times.shape_dist_traveled` when every stop of the
   pattern has it. The GTFS reference leaves its unit to the producer, so the unit is detected by
   comparing the feed's length of the shape (`shapes.shape_dist_traveled`, else the stops' span)
   with its haversine length (or the stops' projected span): metres per feed unit ≈ 1 (metres),
   0.3048 (feet), 1000 (km) or 1609.344 (miles), within ±10 %. When there is no usable
   shape_dist_traveled, or its unit is not recognised, or it does not increase along the pattern,
   each stop is projected onto the shape (`lrtsim.model.geometry.project_points`) instead. The
   first station is km 0.
6. Curves: `lrtsim.model.geometry.detect_curves` on the shape polyline, mapped to line km and
   clipped to the stations (see `scenario_curves` for radii the schema or physics cannot take).
7. Times (`pattern_times`): over the trips of the pattern, scheduled running time of each
   segment = arrival at the next stop − departure from this one, and dwell = departure − arrival
   at each stop, each the median over trips. When the feed gives equal arrival and departure times
   everywhere, dwells are unknown: a default dwell is used and the scheduled segment times include
   the dwell at their end stop (a note says so).
8. `import_gtfs` builds the scenario as a dict, validates it through
   `lrtsim.model.load.scenario_from_dict` (all checks apply) and writes it as commented TOML that
   loads back to an equal `Scenario`.

`lrtsim.calibration.compare.compare_running_times` then puts lrtsim's minimum running time of
each segment (the flat-out run of `lrtsim.dynamics.runtime.running_times`, no allowance) beside
the feed's scheduled time (`GtfsImport.times.run_s`).
GTFS has no elevations, civil speed limits, signalling or vehicle data: gradients are left empty,
the vehicle is a documented estimate (`lrtsim.model.vehicle_data.DEFAULT_VEHICLE`, a data file
with a reason for each value), and schedules therefore sit above the technical minimum by
recovery margins, signal and traffic delays and slow zones the feed cannot show.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.errors import LrtsimError
from lrtsim.io.toml_writer import toml_text
from lrtsim.model.geometry import chainage_m, detect_curves, project_points
from lrtsim.model.load import scenario_from_dict
from lrtsim.model.names import slug
from lrtsim.model.schema import Scenario
from lrtsim.model.units import Rounding, s_to_clock
from lrtsim.model.vehicle_data import DEFAULT_VEHICLE, vehicle_data

FloatArray = npt.NDArray[np.float64]

REQUIRED_FILES = ("routes.txt", "trips.txt", "stop_times.txt", "stops.txt")
OPTIONAL_FILES = (
    "shapes.txt",
    "agency.txt",
    "feed_info.txt",
    "calendar.txt",
    "calendar_dates.txt",
)

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

LINE_SPEED_STEP_KMH = 10.0
"""The line's maximum speed is the vehicle's rounded up to a multiple of this (see
`line_max_speed_kmh`)."""

DEFAULT_DWELL_S = 20.0
"""Dwell when the feed has no distinct arrival and departure times: a typical light-rail dwell
(TCQSM 3rd ed., ch. 8, gives 15–30 s for most LRT stations outside peak crowding)."""

KINK_RADIUS_M = 20.0
"""Detected radii below this are digitising kinks of the shape, not track: no light-rail vehicle
negotiates less than about 25 m (Siemens S70/S700: 25 m minimum radius)."""

SCHEMA_MIN_RADIUS_M = 50.0
"""Smallest radius a scenario accepts (`Curve.radius_m`); tighter real curves are entered at this
radius, which makes their speed limit a little too high (the minimum time stays a lower bound)."""

STREET_CURVE_RADIUS_M = 100.0
"""Curves tighter than this are taken as street-running corners or tight embedded curves, laid
without cant (ESTIMATE: embedded track is rarely superelevated); wider ones use the line's cant."""

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


# -------------------------------------------------------------------------------- the feed
@dataclass(frozen=True, eq=False)
class Feed:
    """The tables of a GTFS feed, every column as text (blank = empty string)."""

    source: str
    routes: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame
    stops: pd.DataFrame
    shapes: pd.DataFrame | None
    agency: pd.DataFrame | None
    feed_info: pd.DataFrame | None
    calendar: pd.DataFrame | None
    calendar_dates: pd.DataFrame | None


def read_feed(path: Path | str) -> Feed:
    """Read a GTFS zip (tables at its root or in one folder inside it).

    Raises `LrtsimError` when the path is missing, a folder, not a zip, or lacks a required table.
    """
    p = Path(path)
    if not p.exists():
        raise LrtsimError(f"{p}: no such file")
    if p.is_dir():
        raise LrtsimError(f"{p} is a folder; give a GTFS feed as a .zip file")
    try:
        with p.open("rb") as fh:
            fh.read(4)
    except OSError as exc:
        raise LrtsimError(f"cannot read {p}: {(exc.strerror or str(exc)).lower()}") from None
    if not zipfile.is_zipfile(p):
        raise LrtsimError(f"{p} is not a zip file; a GTFS feed is a .zip of .txt tables")
    try:
        with zipfile.ZipFile(p) as archive:
            members = {
                PurePosixPath(name).name: name
                for name in archive.namelist()
                if not name.endswith("/") and not PurePosixPath(name).name.startswith(".")
            }
            missing = [name for name in REQUIRED_FILES if name not in members]
            if missing:
                raise LrtsimError(
                    f"{p} is not a GTFS feed: it has no {', '.join(missing)} "
                    f"(a feed needs {', '.join(REQUIRED_FILES)})"
                )
            tables = {
                name: _read_table(archive, members[name], p)
                for name in REQUIRED_FILES + OPTIONAL_FILES
                if name in members
            }
    except (zipfile.BadZipFile, OSError) as exc:
        raise LrtsimError(f"cannot read {p}: {exc}") from None
    for name, columns in (
        ("routes.txt", ("route_id",)),
        ("trips.txt", ("route_id", "trip_id")),
        ("stop_times.txt", ("trip_id", "stop_id", "stop_sequence")),
        ("stops.txt", ("stop_id",)),
    ):
        absent = [c for c in columns if c not in tables[name].columns]
        if absent:
            raise LrtsimError(f"{p}: {name} has no column {', '.join(absent)}")
    return Feed(
        source=str(p),
        routes=tables["routes.txt"],
        trips=tables["trips.txt"],
        stop_times=tables["stop_times.txt"],
        stops=tables["stops.txt"],
        shapes=tables.get("shapes.txt"),
        agency=tables.get("agency.txt"),
        feed_info=tables.get("feed_info.txt"),
        calendar=tables.get("calendar.txt"),
        calendar_dates=tables.get("calendar_dates.txt"),
    )


def _read_table(archive: zipfile.ZipFile, member: str, path: Path) -> pd.DataFrame:
    """One CSV table as text columns, headers and values stripped of blanks (and a BOM)."""
    try:
        with archive.open(member) as fh:
            table = pd.read_csv(fh, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise LrtsimError(f"{path}: {member} is not a readable CSV table: {exc}") from None
    table.columns = [str(c).strip() for c in table.columns]
    for column in table.columns:
        table[column] = table[column].str.strip()
    return table


def _numbers(column: Any) -> FloatArray:
    """Text column to floats, blank or malformed → NaN."""
    return np.asarray(pd.to_numeric(column, errors="coerce"), dtype=np.float64)


def seconds_after_midnight(column: Any) -> FloatArray:
    """GTFS times 'H:MM:SS' (hours may pass 24) to seconds; blank → NaN."""
    parts = pd.Series(column, dtype=str).str.extract(r"^(\d+):(\d{2}):(\d{2})$")
    h, m, s = (_numbers(parts[i]) for i in range(3))
    return h * 3600.0 + m * 60.0 + s


# ------------------------------------------------------------------------- trips, patterns
def route_trips(feed: Feed, route_id: str) -> pd.DataFrame:
    """The trips of one route; `LrtsimError` when the route or its trips are missing."""
    routes = feed.routes
    if route_id not in set(routes["route_id"]):
        known = [f"{r} ({_route_name(feed, r)})" for r in routes["route_id"]]
        shown = ", ".join(known[:20]) + (f", … {len(known) - 20} more" if len(known) > 20 else "")
        raise LrtsimError(
            f"route '{route_id}' is not in {feed.source}; its routes: {shown or 'none'}"
        )
    trips = feed.trips[feed.trips["route_id"] == route_id]
    if trips.empty:
        raise LrtsimError(
            f"route '{route_id}' ({_route_name(feed, route_id)}) has no trips in {feed.source}"
        )
    return trips


def _route_name(feed: Feed, route_id: str) -> str:
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
    ordered = stop_times.assign(_seq=_numbers(stop_times["stop_sequence"])).sort_values(
        ["trip_id", "_seq"], kind="stable"
    )
    patterns = ordered.groupby("trip_id", sort=False)["stop_id"].agg(tuple)
    info = trips.drop_duplicates("trip_id").set_index("trip_id")
    direction = (
        _numbers(info["direction_id"]) if "direction_id" in info.columns else np.zeros(len(info))
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


# ------------------------------------------------------------------------------- stations
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
    try:
        return float(value)
    except ValueError:
        return math.nan


# ---------------------------------------------------------------------------------- times
@dataclass(frozen=True)
class PatternTimes:
    """Scheduled times of a pattern, medians over its trips (None where the feed has no times)."""

    run_s: tuple[float | None, ...]
    """Per segment: arrival at the next station − departure from this one."""
    dwell_s: tuple[float | None, ...]
    """Per station: departure − arrival (first and last included as the feed gives them)."""
    distinct: bool
    """True when some arrival and departure times differ, so dwells are known."""


def _stop_matrix(feed: Feed, trip_ids: Sequence[str], column: str, n_stops: int) -> FloatArray:
    """A (trips × stops) matrix of one stop_times column for trips of one pattern."""
    rows = feed.stop_times[feed.stop_times["trip_id"].isin(trip_ids)]
    rows = rows.assign(_seq=_numbers(rows["stop_sequence"])).sort_values(
        ["trip_id", "_seq"], kind="stable"
    )
    if column not in rows.columns:
        return np.full((len(trip_ids), n_stops), np.nan)
    values = (
        seconds_after_midnight(rows[column])
        if column in ("arrival_time", "departure_time")
        else _numbers(rows[column])
    )
    return values.reshape(-1, n_stops)


def _nanmedian(values: FloatArray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if len(finite) else None


def pattern_times(feed: Feed, pattern: Pattern, stations: Sequence[PatternStation]) -> PatternTimes:
    """Median scheduled running time of each segment and dwell at each station.

    A blank arrival takes the departure time and vice versa (GTFS gives both or neither).
    """
    n = len(pattern.stop_ids)
    arrival = _stop_matrix(feed, pattern.trip_ids, "arrival_time", n)
    departure = _stop_matrix(feed, pattern.trip_ids, "departure_time", n)
    arrival = np.where(np.isfinite(arrival), arrival, departure)
    departure = np.where(np.isfinite(departure), departure, arrival)
    if not np.isfinite(departure[:, 0]).any() or not np.isfinite(arrival[:, -1]).any():
        raise LrtsimError("the trips of the chosen pattern have no times at their terminals")
    dwell = departure - arrival
    distinct = bool(np.nanmax(np.abs(dwell)) > 0) if np.isfinite(dwell).any() else False
    run = [
        _nanmedian(arrival[:, b.first] - departure[:, a.last])
        for a, b in itertools.pairwise(stations)
    ]
    dwells = [_nanmedian(departure[:, s.last] - arrival[:, s.first]) for s in stations]
    return PatternTimes(
        run_s=tuple(run),
        dwell_s=tuple(dwells),
        distinct=distinct,
    )


@dataclass(frozen=True)
class ServiceSpan:
    """The service day of the route in one direction, on a typical date of the feed."""

    date: str
    """YYYYMMDD, or '' when the feed has no calendar (then every trip counts)."""
    dates_alike: int
    """How many dates of the feed run the same set of services as `date`."""
    trips: int
    first_departure_s: float
    last_arrival_s: float


def service_dates(feed: Feed) -> dict[str, set[str]]:
    """Active service_ids on each date (YYYYMMDD), from calendar.txt and calendar_dates.txt.

    calendar.txt gives weekly patterns between start_date and end_date; calendar_dates.txt adds
    (exception_type 1) or removes (2) a service on a date, as the GTFS reference defines.
    """
    active: dict[str, set[str]] = {}
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    calendar = feed.calendar
    if (
        calendar is not None
        and not calendar.empty
        and {"service_id", "start_date", "end_date"} <= set(calendar.columns)
    ):
        for record in calendar.to_dict(orient="records"):
            try:
                first = dt.datetime.strptime(str(record["start_date"]), "%Y%m%d").date()
                last = dt.datetime.strptime(str(record["end_date"]), "%Y%m%d").date()
            except ValueError:
                continue
            runs = [str(record.get(day, "0")) == "1" for day in days]
            day = first
            while day <= last and (last - first).days <= 3660:
                if runs[day.weekday()]:
                    active.setdefault(day.strftime("%Y%m%d"), set()).add(str(record["service_id"]))
                day += dt.timedelta(days=1)
    dates = feed.calendar_dates
    if (
        dates is not None
        and not dates.empty
        and {"service_id", "date", "exception_type"} <= set(dates.columns)
    ):
        for service_id, date, kind in zip(
            dates["service_id"], dates["date"], dates["exception_type"], strict=True
        ):
            if kind == "1":
                active.setdefault(str(date), set()).add(str(service_id))
            elif kind == "2":
                active.get(str(date), set()).discard(str(service_id))
    return active


def service_span(feed: Feed, trips: pd.DataFrame, direction_id: int) -> ServiceSpan:
    """First departure and last arrival of the direction's trips on a typical date.

    A feed mixes service days (weekdays, weekends, holidays, special events such as New Year's
    Eve). The typical date is the first of the dates whose set of services running the route is
    the most common one (ties: more trips, then the earlier date): the busiest date alone would
    pick a special event. Without a calendar, every trip counts.
    """
    direction = (
        _numbers(trips["direction_id"]) if "direction_id" in trips.columns else np.zeros(len(trips))
    )
    mine = trips[np.nan_to_num(direction, nan=0.0).astype(int) == direction_id]
    chosen_date, alike = "", 0
    chosen = mine
    if "service_id" in trips.columns:
        per_service = trips["service_id"].value_counts()
        days: dict[frozenset[str], list[str]] = {}
        for date, services in sorted(service_dates(feed).items()):
            running = frozenset(s for s in services if int(per_service.get(s, 0)) > 0)
            if running:
                days.setdefault(running, []).append(date)
        if days:
            running_set, dates = max(
                days.items(),
                key=lambda kv: (
                    len(kv[1]),
                    sum(int(per_service.get(s, 0)) for s in kv[0]),
                    -int(kv[1][0]) if kv[1][0].isdigit() else 0,
                ),
            )
            chosen_date, alike = dates[0], len(dates)
            chosen = mine[mine["service_id"].isin(running_set)]
    rows = feed.stop_times[feed.stop_times["trip_id"].isin(chosen["trip_id"])]
    times = np.concatenate(
        [
            seconds_after_midnight(rows["departure_time"]),
            seconds_after_midnight(rows["arrival_time"]),
        ]
    )
    if not np.isfinite(times).any():
        raise LrtsimError("the route's trips have no times in stop_times.txt")
    return ServiceSpan(
        date=chosen_date,
        dates_alike=alike,
        trips=len(chosen),
        first_departure_s=float(np.nanmin(times)),
        last_arrival_s=float(np.nanmax(times)),
    )


# ------------------------------------------------------------------------ shape, chainage
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
    rows = rows.assign(_seq=_numbers(rows["shape_pt_sequence"])).sort_values("_seq")
    lon, lat = _numbers(rows["shape_pt_lon"]), _numbers(rows["shape_pt_lat"])
    dist = _numbers(rows["shape_dist_traveled"]) if "shape_dist_traveled" in rows else None
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
    stop_dist = _stop_matrix(feed, pattern.shape_trip_ids, "shape_dist_traveled", n)
    medians = [_nanmedian(stop_dist[:, i]) for i in range(n)]
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


# --------------------------------------------------------------------------------- curves
def scenario_curves(
    shape: Shape, chainage: Chainage, last_km: float
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Curves of the shape as scenario tables, with a comment for each and notes.

    Detected radii below `KINK_RADIUS_M` are dropped (digitising kinks); radii between that and
    the schema's 50 m floor are entered at 50 m; curves tighter than `STREET_CURVE_RADIUS_M` get
    no cant. Curves are clipped to the stations and trimmed apart where their estimated arcs
    overlap.
    """
    notes: list[str] = []
    found = detect_curves(shape.track)
    kinks = [c for c in found if c.radius_m < KINK_RADIUS_M]
    items: list[tuple[float, float, float, float]] = []
    for c in found:
        if c.radius_m < KINK_RADIUS_M:
            continue
        ends = chainage.shape_to_line_m(np.array([c.from_m, c.to_m])) / 1000.0
        lo, hi = max(float(ends[0]), 0.0), min(float(ends[1]), last_km)
        if hi > lo:
            items.append((lo, hi, c.radius_m, c.angle_deg))
    items.sort()
    for i in range(1, len(items)):
        prev, cur = items[i - 1], items[i]
        if cur[0] < prev[1]:
            mid = 0.5 * (cur[0] + prev[1])
            items[i - 1] = (prev[0], mid, prev[2], prev[3])
            items[i] = (mid, cur[1], cur[2], cur[3])
    if kinks:
        notes.append(
            f"{len(kinks)} bend(s) of the shape with radius under {KINK_RADIUS_M:g} m "
            f"(tightest {min(c.radius_m for c in kinks):.0f} m) were taken as digitising kinks "
            "and dropped"
        )
    curves: list[dict[str, Any]] = []
    comments: list[str] = []
    raised = 0
    for lo, hi, radius, angle in items:
        from_km, to_km = round(lo, 3), round(hi, 3)
        if to_km <= from_km:
            continue
        entry: dict[str, Any] = {"from_km": from_km, "to_km": to_km}
        r = max(round(radius), int(SCHEMA_MIN_RADIUS_M))
        entry["radius_m"] = r
        note = f"{angle:.0f}° bend"
        if radius < SCHEMA_MIN_RADIUS_M:
            raised += 1
            note += f", detected R ≈ {radius:.0f} m, entered at the schema's {r} m floor"
        if radius < STREET_CURVE_RADIUS_M:
            entry["cant_mm"] = 0
            note += ", no cant (street-running or tight embedded curve)"
        curves.append(entry)
        comments.append(note)
    if raised:
        notes.append(
            f"{raised} curve(s) tighter than {SCHEMA_MIN_RADIUS_M:g} m were entered at "
            f"{SCHEMA_MIN_RADIUS_M:g} m (the scenario's floor), so their speed limit is a little "
            "high"
        )
    return curves, comments, notes


# ------------------------------------------------------------------------------- the import
@dataclass(frozen=True, eq=False)
class GtfsImport:
    """A scenario imported from one route of a GTFS feed, with what the feed's schedule says."""

    scenario: Scenario
    toml: str
    """The scenario as commented TOML; loads back to an equal `Scenario`."""
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
    def direction_text(self) -> str:
        """'direction_id 0: First → Last'."""
        first, last = self.stations[0].name, self.stations[-1].name
        return f"direction_id {self.pattern.direction_id}: {first} → {last}"


def import_gtfs(path: Path | str, route_id: str, *, direction_id: int = 0) -> GtfsImport:
    """Build a validated scenario from one route of a GTFS zip (see the module docstring)."""
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
    route_name = _route_name(feed, route_id)
    agency = publication(feed, route_id).get("agency_name", "")
    raw, comments, item_comments = _scenario_dict(
        feed=feed,
        route_id=route_id,
        route_name=route_name,
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
    text = toml_text(raw, comments, item_comments)
    return GtfsImport(
        scenario=scenario,
        toml=text,
        feed=feed.source,
        route_id=route_id,
        route_name=route_name,
        pattern=pattern,
        stations=tuple(stations),
        times=times,
        shape_length_m=shape.length_m,
        chainage_source=chainage.source,
        distance_unit=chainage.unit,
        notes=tuple(notes),
    )


def publication(feed: Feed, route_id: str) -> dict[str, str]:
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
        "gtfs": publication(feed, route_id),
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
