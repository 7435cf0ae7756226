"""The whole feed: its tables from a scenario and its day plans, as a zip, or why there is none."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lrtsim.errors import LrtsimError
from lrtsim.io.atomic import write_bytes_atomic
from lrtsim.io.gtfs import archive
from lrtsim.io.gtfs.geometry import (
    DIST_DECIMALS,
    geometry_problem,
    shapes_table,
    station_shape_m,
)
from lrtsim.io.gtfs.publication import (
    agency_table,
    dates_problem,
    feed_info_table,
    routes_table,
    stops_table,
    translations_table,
)
from lrtsim.io.gtfs.schedule import (
    FeedSource,
    calendar_table,
    checked_timetable,
    services,
    stop_times_table,
    trips_table,
)
from lrtsim.model.direction import DIRECTIONS
from lrtsim.model.names import stop_ids
from lrtsim.model.schema import Scenario


def gtfs_unavailable_reason(scenario: Scenario) -> str | None:
    """Why no GTFS feed can be written for the scenario, in plain words; None when one can.

    A feed needs every station's coordinates (`line.geometry.stations`; the track polyline is
    optional) that agree with the stations' km, and real publication dates in order.
    """
    return geometry_problem(scenario) or dates_problem(scenario)


def gtfs_tables(scenario: Scenario, day_plans: FeedSource) -> dict[str, pd.DataFrame]:
    """The GTFS tables of a scenario's planned service, keyed by file name (`agency.txt`, …).

    `day_plans` is what `lrtsim.planning.day_types.make_day_plans` returns: one GTFS service
    per day type. A single `ServicePlan` or a timetable (`TIMETABLE_COLUMNS`, one row per trip
    and stop; extra columns are ignored) is published as one service every day. Raises
    `LrtsimError` when the scenario cannot give a feed (`gtfs_unavailable_reason`) or there are
    no trips, and `ValueError` when a timetable breaks the planning contract.
    """
    reason = gtfs_unavailable_reason(scenario)
    if reason is not None:
        raise LrtsimError(f"scenario '{scenario.name}': no GTFS feed: {reason}")
    timetable, days = services(scenario, day_plans)
    shape_m = station_shape_m(scenario)
    tt = checked_timetable(scenario, timetable, shape_m)
    ids = list(stop_ids(scenario.line.stations))
    used = [d for d in DIRECTIONS if d in set(tt["direction"])]
    published = {name: on for name, on in days.items() if name in set(tt["day_type"])}
    tables = {
        "agency.txt": agency_table(scenario),
        "stops.txt": stops_table(scenario, ids),
        "routes.txt": routes_table(scenario),
        "trips.txt": trips_table(scenario, tt),
        "stop_times.txt": stop_times_table(tt, shape_m, DIST_DECIMALS),
        "calendar.txt": calendar_table(scenario, published),
        "shapes.txt": shapes_table(scenario, used),
        "feed_info.txt": feed_info_table(scenario),
    }
    translations = translations_table(scenario, ids)
    if translations is not None:
        tables["translations.txt"] = translations
    return tables


def gtfs_zip_bytes(scenario: Scenario, day_plans: FeedSource) -> bytes:
    """The whole feed as the bytes of a zip archive (built in memory, nothing written)."""
    return archive.zip_bytes(gtfs_tables(scenario, day_plans))


def write_gtfs(path: Path, scenario: Scenario, day_plans: FeedSource) -> None:
    """Write the feed as one zip archive at `path`, atomically (old file or whole new one)."""
    write_bytes_atomic(Path(path), gtfs_zip_bytes(scenario, day_plans))
