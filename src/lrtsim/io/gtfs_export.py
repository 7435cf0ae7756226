"""GTFS export: a planned timetable as a static GTFS feed (one route, one service, two shapes).

The feed follows the GTFS Schedule reference (https://gtfs.org/documentation/schedule/reference/):

- `agency.txt`, `routes.txt` (route_type 0: tram, streetcar, light rail), `calendar.txt` (one
  service running every day from `gtfs.start_date` to `gtfs.end_date`) and `feed_info.txt` come
  from the scenario's `[gtfs]` table;
- `stops.txt` has one stop per station at its `[line.geometry]` coordinates;
- `shapes.txt` has one shape per direction, cut from the track polyline between the first and
  the last station (the down shape is the up one reversed), with `shape_dist_traveled` in metres;
- `trips.txt` and `stop_times.txt` come from the planning layer's timetable table
  (`lrtsim.planning.tables.TIMETABLE_COLUMNS`).

Distances. A station's position on the polyline is where the chainage equals its `km`: chainage
is `track_start_km` at the first vertex and grows by the haversine length of each polyline
segment (`lrtsim.model.geometry.chainage_m`). A shape's `shape_dist_traveled` is chainage
measured from the direction's first station, so a stop's `shape_dist_traveled` is exactly
`|km − km of the first station| × 1000`, the same number the planning layer puts in
`distance_m` (metres from the trip's first stop) plus the offset of the trip's first stop.

Times are seconds after midnight of the service day, written as HH:MM:SS and rounded to whole
seconds (half up). Hours pass 24 for service after midnight, as GTFS requires.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from pathlib import Path

import gtfs_kit  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt
import pandas as pd
import partridge  # type: ignore[import-untyped]

from lrtsim.errors import LrtsimError
from lrtsim.io.atomic import write_bytes_atomic
from lrtsim.model.geometry import chainage_m, haversine_m
from lrtsim.model.schema import Geometry, Scenario
from lrtsim.planning.tables import TIMETABLE_COLUMNS

FloatArray = npt.NDArray[np.float64]

ROUTE_TYPE_LIGHT_RAIL = 0
"""GTFS route_type 0: tram, streetcar, light rail (any light-rail or street-level system)."""

SERVICE_ID = "daily"
"""The one service of the feed: every day of the week between the feed's dates."""

DIRECTIONS = ("up", "down")
"""GTFS direction_id is the index in this tuple."""

DISTANCE_TOLERANCE_M = 1.0
"""Largest allowed gap between a timetable's `distance_m` and the stop's chainage."""

MAX_STOP_OFFSET_M = 200.0
"""A station's coordinates farther than this from the track at its `km` mean bad geometry."""

DIST_DECIMALS = 2
"""shape_dist_traveled is written in metres to the centimetre."""

GTFS_FILES = (
    "agency.txt",
    "stops.txt",
    "routes.txt",
    "trips.txt",
    "stop_times.txt",
    "calendar.txt",
    "shapes.txt",
    "feed_info.txt",
)
"""The files of the feed, in the order they are written into the archive."""

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Fixed member timestamps, so that the same tables always give the same bytes."""


# ------------------------------------------------------------------------------------ public API
def gtfs_tables(scenario: Scenario, timetable: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The GTFS tables of a scenario's timetable, keyed by file name (`agency.txt`, …).

    `timetable` has the columns of `TIMETABLE_COLUMNS` (extra columns are ignored), one row per
    trip and stop. Raises `LrtsimError` when the scenario cannot give a feed (no geometry, bad
    dates, no trips) and `ValueError` when the timetable breaks the planning contract.
    """
    geometry = _require_geometry(scenario)
    shape_m = _station_shape_m(scenario)
    tt = _checked_timetable(scenario, timetable, shape_m)
    stop_ids = _stop_ids(scenario)
    used = [d for d in DIRECTIONS if d in set(tt["direction"])]
    return {
        "agency.txt": _agency(scenario),
        "stops.txt": _stops(scenario, geometry, stop_ids),
        "routes.txt": _routes(scenario),
        "trips.txt": _trips(scenario, tt),
        "stop_times.txt": _stop_times(tt, stop_ids, shape_m),
        "calendar.txt": _calendar(scenario),
        "shapes.txt": _shapes(scenario, geometry, used),
        "feed_info.txt": _feed_info(scenario),
    }


def gtfs_zip_bytes(scenario: Scenario, timetable: pd.DataFrame) -> bytes:
    """The whole feed as the bytes of a zip archive (built in memory, nothing written)."""
    return _zip_bytes(gtfs_tables(scenario, timetable))


def write_gtfs(path: Path, scenario: Scenario, timetable: pd.DataFrame) -> None:
    """Write the feed as one zip archive at `path`, atomically (old file or whole new one)."""
    write_bytes_atomic(Path(path), gtfs_zip_bytes(scenario, timetable))


def validate_gtfs(path: Path) -> list[tuple[str, str]]:
    """Problems of a GTFS zip as `(type, message)`, type "error" or "warning"; [] if none.

    gtfs-kit 9's `Feed.validate()` (`gtfs_kit.validators`) checks, table by table:

    - that agency, routes, stops, stop_times, trips and calendar or calendar_dates exist and
      have their required columns (errors), and flags columns GTFS does not define (warnings);
    - ids: present, unique where they are keys (agency, route, stop, trip, service ids) and
      defined where referenced (route → agency, trip → route/service/shape, stop time →
      trip/stop);
    - values: non-blank names, URLs, time zones (pytz), ISO 639-1 languages, colours
      (6 hex digits), route_type in 0..7, dates as YYYYMMDD, times as HH:MM:SS, 0/1 weekday
      flags, direction_id in 0..1, timepoint in 0..1, coordinates inside ±180/±90;
    - structure: no repeated (trip_id, stop_sequence) or (shape_id, shape_pt_sequence) pairs,
      times present at each trip's first and last stop and at timepoints, shape_dist_traveled
      never decreasing along a trip or a shape, stations/parent stations consistent;
    - warnings: the feed has expired (calendar end before today), routes/trips/stops without
      trips/stop times, repeated (trip_id, departure_time) pairs, repeated route names.

    It does not check that times increase along a trip, that stops lie near their shape, or
    that stop and shape distances agree: `gtfs_tables` guarantees those itself.

    The feed is also loaded with partridge (`partridge.load_feed`), a second, independent
    reader; a failure there, or a feed in which it finds no trips, is reported as an error.
    """
    path = Path(path)
    if not path.is_file():
        raise LrtsimError(f"cannot validate {path}: no such file")
    problems: list[tuple[str, str]] = []
    try:
        feed = gtfs_kit.read_feed(path, dist_units="m")
        report = feed.validate(as_df=True, include_warnings=True)
    except Exception as exc:  # any failure to parse is a problem of the feed, reported as such
        problems.append(("error", f"gtfs-kit cannot read the feed: {type(exc).__name__}: {exc}"))
    else:
        for kind, message, table, rows in report[["type", "message", "table", "rows"]].itertuples(
            index=False
        ):
            problems.append((str(kind), f"{table}: {message}{_rows_note(rows)}"))
    try:
        pfeed = partridge.load_feed(str(path))
        trips, stop_times = pfeed.trips, pfeed.stop_times
        for table in ("agency", "routes", "stops", "calendar", "shapes"):
            getattr(pfeed, table)
    except Exception as exc:  # as above
        problems.append(("error", f"partridge cannot load the feed: {type(exc).__name__}: {exc}"))
    else:
        if trips.empty or stop_times.empty:
            problems.append(("error", "partridge finds no trips or no stop times in the feed"))
    return problems


# ------------------------------------------------------------------------------------ geometry
def _require_geometry(scenario: Scenario) -> Geometry:
    geometry = scenario.line.geometry
    stations = scenario.line.stations
    if geometry is None or not geometry.stations:
        raise LrtsimError(
            f"scenario '{scenario.name}': GTFS needs `[line.geometry]` with station coordinates: "
            "`track` (the polyline, [lon, lat] pairs) and `stations` (one [lon, lat] per "
            "station, in line order)"
        )
    if len(geometry.stations) != len(stations):
        raise LrtsimError(
            f"scenario '{scenario.name}': line.geometry.stations has {len(geometry.stations)} "
            f"points but line.stations has {len(stations)}; give one [lon, lat] per station"
        )
    track, cum = _clean_track(geometry.track)
    if len(track) < 2:
        raise LrtsimError(
            f"scenario '{scenario.name}': line.geometry.track needs two distinct points"
        )
    along = _station_chainage_m(scenario)
    lon, lat = _points_at(track, cum, along)
    xy = np.asarray(geometry.stations, dtype=np.float64)
    gap = haversine_m(lon, lat, xy[:, 0], xy[:, 1])
    far = [
        f"{s.name} ({gap[i]:.0f} m)"
        for i, s in enumerate(stations)
        if not gap[i] <= MAX_STOP_OFFSET_M
    ]
    if far:
        raise LrtsimError(
            f"scenario '{scenario.name}': the track at these stations' km lies more than "
            f"{MAX_STOP_OFFSET_M:.0f} m from their coordinates: {', '.join(far)}. A station's "
            "km must be its chainage along line.geometry.track, which starts at "
            "line.geometry.track_start_km at the first point"
        )
    return geometry


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


def _station_shape_m(scenario: Scenario) -> dict[str, FloatArray]:
    """shape_dist_traveled of each station (line order) on the shape of each direction."""
    along = _station_chainage_m(scenario)
    return {"up": along - along[0], "down": along[-1] - along}


def _points_at(track: FloatArray, cum: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(lon, lat) at chainages `s`, linear along each segment, extended past both ends."""
    i = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(cum) - 2)
    t = (s - cum[i]) / (cum[i + 1] - cum[i])
    lon = track[i, 0] + t * (track[i + 1, 0] - track[i, 0])
    lat = track[i, 1] + t * (track[i + 1, 1] - track[i, 1])
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def _shape(geometry: Geometry, s_from: float, s_to: float) -> pd.DataFrame:
    """The polyline between chainages s_from < s_to (cut or extended), distances from s_from."""
    track, cum = _clean_track(geometry.track)
    inner = (cum > s_from + 0.01) & (cum < s_to - 0.01)
    ends_lon, ends_lat = _points_at(track, cum, np.array([s_from, s_to]))
    lon = np.concatenate([[ends_lon[0]], track[inner, 0], [ends_lon[1]]])
    lat = np.concatenate([[ends_lat[0]], track[inner, 1], [ends_lat[1]]])
    s = np.concatenate([[s_from], cum[inner], [s_to]])
    return pd.DataFrame({"lon": lon, "lat": lat, "dist": s - s_from})


# -------------------------------------------------------------------------------------- tables
def _agency_id(scenario: Scenario) -> str:
    return _slug(scenario.gtfs.agency_name) or "agency"


def _agency(scenario: Scenario) -> pd.DataFrame:
    pub = scenario.gtfs
    return pd.DataFrame(
        {
            "agency_id": [_agency_id(scenario)],
            "agency_name": [pub.agency_name],
            "agency_url": [pub.agency_url],
            "agency_timezone": [pub.agency_timezone],
            "agency_lang": [pub.agency_lang],
        }
    )


def _stop_ids(scenario: Scenario) -> list[str]:
    """Station code where there is one, else a slug of the name; made unique with suffixes."""
    ids: list[str] = []
    for i, station in enumerate(scenario.line.stations):
        base = (station.code or "").strip() or _slug(station.name) or f"station-{i + 1}"
        candidate, n = base, 2
        while candidate in ids:
            candidate, n = f"{base}-{n}", n + 1
        ids.append(candidate)
    return ids


def _stops(scenario: Scenario, geometry: Geometry, stop_ids: list[str]) -> pd.DataFrame:
    xy = np.asarray(geometry.stations, dtype=np.float64)
    return pd.DataFrame(
        {
            "stop_id": stop_ids,
            "stop_code": [s.code or "" for s in scenario.line.stations],
            "stop_name": [s.name for s in scenario.line.stations],
            "stop_lat": xy[:, 1],
            "stop_lon": xy[:, 0],
            "location_type": 0,
        }
    )


def _routes(scenario: Scenario) -> pd.DataFrame:
    pub = scenario.gtfs
    long_name = pub.route_long_name or scenario.line.name
    return pd.DataFrame(
        {
            "route_id": [pub.route_id],
            "agency_id": [_agency_id(scenario)],
            "route_short_name": [pub.route_short_name],
            "route_long_name": [long_name],
            "route_type": [ROUTE_TYPE_LIGHT_RAIL],
            "route_color": [pub.route_color.upper()],
            "route_text_color": [pub.route_text_color.upper()],
        }
    )


def shape_id(scenario: Scenario, direction: str) -> str:
    """The shape of a direction: `<route_id>-up` or `<route_id>-down`."""
    return f"{scenario.gtfs.route_id}-{direction}"


def _trips(scenario: Scenario, tt: pd.DataFrame) -> pd.DataFrame:
    firsts = tt.groupby("trip_id", sort=False).first()
    lasts = tt.groupby("trip_id", sort=False).last()
    return pd.DataFrame(
        {
            "route_id": scenario.gtfs.route_id,
            "service_id": SERVICE_ID,
            "trip_id": firsts.index.astype(str),
            "trip_headsign": lasts["station"].astype(str).to_numpy(),
            "direction_id": firsts["direction_id"].astype("int64").to_numpy(),
            "block_id": firsts["block_id"].astype(str).to_numpy(),
            "shape_id": [shape_id(scenario, d) for d in firsts["direction"]],
        }
    )


def _stop_times(
    tt: pd.DataFrame, stop_ids: list[str], shape_m: dict[str, FloatArray]
) -> pd.DataFrame:
    index = tt["station_index"].to_numpy(dtype=np.int64)
    up = (tt["direction"] == "up").to_numpy()
    dist = np.where(up, shape_m["up"][index], shape_m["down"][index])
    return pd.DataFrame(
        {
            "trip_id": tt["trip_id"].astype(str).to_numpy(),
            "arrival_time": _clock(_whole_seconds(tt["arrival_s"])),
            "departure_time": _clock(_whole_seconds(tt["departure_s"])),
            "stop_id": [stop_ids[i] for i in index],
            "stop_sequence": tt["stop_sequence"].to_numpy(dtype=np.int64),
            "timepoint": 1,
            "shape_dist_traveled": np.round(dist, DIST_DECIMALS),
        }
    )


def _calendar(scenario: Scenario) -> pd.DataFrame:
    start, end = _feed_dates(scenario)
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    return pd.DataFrame(
        {
            "service_id": [SERVICE_ID],
            **{d: [1] for d in days},
            "start_date": [start],
            "end_date": [end],
        }
    )


def _shapes(scenario: Scenario, geometry: Geometry, directions: list[str]) -> pd.DataFrame:
    along = _station_chainage_m(scenario)
    up = _shape(geometry, float(along[0]), float(along[-1]))
    parts = []
    for direction in directions:
        if direction == "up":
            lon, lat, dist = up["lon"], up["lat"], up["dist"]
        else:
            total = float(up["dist"].iloc[-1])
            lon, lat, dist = up["lon"][::-1], up["lat"][::-1], total - up["dist"][::-1]
        parts.append(
            pd.DataFrame(
                {
                    "shape_id": shape_id(scenario, direction),
                    "shape_pt_lat": np.round(lat.to_numpy(), 7),
                    "shape_pt_lon": np.round(lon.to_numpy(), 7),
                    "shape_pt_sequence": np.arange(1, len(up) + 1, dtype=np.int64),
                    "shape_dist_traveled": np.round(dist.to_numpy(), DIST_DECIMALS),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _feed_info(scenario: Scenario) -> pd.DataFrame:
    pub = scenario.gtfs
    start, end = _feed_dates(scenario)
    return pd.DataFrame(
        {
            "feed_publisher_name": [pub.agency_name],
            "feed_publisher_url": [pub.agency_url],
            "feed_lang": [pub.agency_lang],
            "feed_start_date": [start],
            "feed_end_date": [end],
            "feed_version": [pub.feed_version],
        }
    )


def _feed_dates(scenario: Scenario) -> tuple[str, str]:
    pub = scenario.gtfs
    dates = []
    for key, text in (("start_date", pub.start_date), ("end_date", pub.end_date)):
        try:
            dates.append(dt.datetime.strptime(text, "%Y%m%d").date())
        except ValueError:
            raise LrtsimError(
                f"scenario '{scenario.name}': gtfs.{key} '{text}' is not a date as YYYYMMDD"
            ) from None
    if dates[0] > dates[1]:
        raise LrtsimError(
            f"scenario '{scenario.name}': gtfs.start_date {pub.start_date} is after "
            f"gtfs.end_date {pub.end_date}"
        )
    return pub.start_date, pub.end_date


# ------------------------------------------------------------------------------------ timetable
def _checked_timetable(
    scenario: Scenario, timetable: pd.DataFrame, shape_m: dict[str, FloatArray]
) -> pd.DataFrame:
    """The timetable in trip then stop order, after checking the planning contract."""
    missing = [c for c in TIMETABLE_COLUMNS if c not in timetable.columns]
    if missing:
        raise ValueError(f"timetable lacks the columns {missing} (see TIMETABLE_COLUMNS)")
    if timetable.empty:
        raise LrtsimError(
            f"scenario '{scenario.name}': the timetable has no trips, so there is no GTFS feed"
        )
    tt = timetable.loc[:, list(TIMETABLE_COLUMNS)].copy()
    tt["trip_id"] = tt["trip_id"].astype(str)
    order = pd.Series(pd.factorize(tt["trip_id"])[0], index=tt.index)
    tt = (
        tt.assign(_order=order)
        .sort_values(["_order", "stop_sequence"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )

    def bad(mask: npt.NDArray[np.bool_] | pd.Series, what: str) -> None:
        rows = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(rows):
            trips = ", ".join(dict.fromkeys(tt["trip_id"].iloc[rows[:50]]))
            raise ValueError(f"timetable: {what} (trips {trips})")

    stations = scenario.line.stations
    index = tt["station_index"].to_numpy()
    bad((index < 0) | (index >= len(stations)), "station_index outside line.stations")
    names = np.array([s.name for s in stations], dtype=object)[index.astype(np.int64)]
    bad(tt["station"].astype(str).to_numpy() != names, "station does not match station_index")
    bad(~tt["direction"].isin(DIRECTIONS), "direction is neither 'up' nor 'down'")
    expected_id = tt["direction"].map({d: i for i, d in enumerate(DIRECTIONS)})
    bad(tt["direction_id"] != expected_id, "direction_id does not match direction")
    for column in ("block_id", "direction", "period"):
        bad(tt.groupby("trip_id")[column].transform("nunique") > 1, f"{column} varies in a trip")
    bad(tt["block_id"].astype(str).str.strip() == "", "empty block_id")
    bad(tt.groupby("trip_id")["trip_id"].transform("size") < 2, "a trip has fewer than 2 stops")

    arrival = tt["arrival_s"].to_numpy(dtype=np.float64)
    departure = tt["departure_s"].to_numpy(dtype=np.float64)
    bad(~np.isfinite(arrival) | ~np.isfinite(departure), "missing or infinite times")
    bad((arrival < 0) | (departure < arrival), "negative time or departure before arrival")

    same = (tt["trip_id"] == tt["trip_id"].shift()).to_numpy()
    step = np.diff(tt["stop_sequence"].to_numpy(dtype=np.int64), prepend=0)
    bad(same & (step <= 0), "stop_sequence repeats or decreases")
    prev_departure = np.concatenate([[np.nan], departure[:-1]])
    bad(same & (arrival < prev_departure), "arrival before the departure from the previous stop")
    up = (tt["direction"] == "up").to_numpy()
    moved = np.diff(index, prepend=0) * np.where(up, 1, -1)
    bad(same & (moved <= 0), "stations do not follow the line in the trip's direction")

    dist = np.where(up, shape_m["up"][index], shape_m["down"][index])
    first = tt.groupby("trip_id", sort=False)["station_index"].transform("first").to_numpy()
    first_dist = np.where(up, shape_m["up"][first], shape_m["down"][first])
    gap = np.abs(tt["distance_m"].to_numpy(dtype=np.float64) - (dist - first_dist))
    bad(
        ~(gap <= DISTANCE_TOLERANCE_M),
        f"distance_m differs from the stations' km by more than {DISTANCE_TOLERANCE_M:g} m",
    )
    return tt


def _whole_seconds(times: pd.Series) -> npt.NDArray[np.int64]:
    """Seconds rounded half up: monotone, so order and arrival ≤ departure survive rounding."""
    return np.floor(times.to_numpy(dtype=np.float64) + 0.5).astype(np.int64)


def _clock(seconds: npt.NDArray[np.int64]) -> list[str]:
    """HH:MM:SS, hours past 24 after midnight."""
    return [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in seconds.tolist()]


# ------------------------------------------------------------------------------------- writing
def _zip_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """The tables as CSV files (UTF-8, no index) in one zip archive, built in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in GTFS_FILES:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            text = tables[name].to_csv(index=False, lineterminator="\n")
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def _slug(text: str) -> str:
    """ASCII lower-case words joined by hyphens ('Mangilik El' → 'mangilik-el')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _rows_note(rows: object) -> str:
    """' (rows 3, 7, …)' for a gtfs-kit problem's row list, '' when it has none."""
    if not isinstance(rows, list) or not rows:
        return ""
    shown = ", ".join(str(r) for r in rows[:10])
    more = f", … {len(rows) - 10} more" if len(rows) > 10 else ""
    return f" (rows {shown}{more})"
