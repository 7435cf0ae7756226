"""Import side, step 1: the tables of a GTFS zip, every column as text, and their numbers.

A feed is read whole into text columns (blank = empty string) and turned into numbers only
where a step needs them, so that a malformed value becomes NaN for that step, not an error for
the whole feed.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.errors import LrtsimError

FloatArray = npt.NDArray[np.float64]

REQUIRED_FILES = ("routes.txt", "trips.txt", "stop_times.txt", "stops.txt")
OPTIONAL_FILES = (
    "shapes.txt",
    "agency.txt",
    "feed_info.txt",
    "calendar.txt",
    "calendar_dates.txt",
)
"""The tables the import needs, and those it reads when present (GTFS Schedule reference)."""


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


def numbers(column: Any) -> FloatArray:
    """Text column to floats, blank or malformed → NaN."""
    return np.asarray(pd.to_numeric(column, errors="coerce"), dtype=np.float64)


def seconds_after_midnight(column: Any) -> FloatArray:
    """GTFS times 'H:MM:SS' (hours may pass 24) to seconds; blank → NaN."""
    parts = pd.Series(column, dtype=str).str.extract(r"^(\d+):(\d{2}):(\d{2})$")
    h, m, s = (numbers(parts[i]) for i in range(3))
    return h * 3600.0 + m * 60.0 + s


def stop_matrix(feed: Feed, trip_ids: Sequence[str], column: str, n_stops: int) -> FloatArray:
    """A (trips × stops) matrix of one stop_times column for trips of one pattern."""
    rows = feed.stop_times[feed.stop_times["trip_id"].isin(trip_ids)]
    rows = rows.assign(_seq=numbers(rows["stop_sequence"])).sort_values(
        ["trip_id", "_seq"], kind="stable"
    )
    if column not in rows.columns:
        return np.full((len(trip_ids), n_stops), np.nan)
    values = (
        seconds_after_midnight(rows[column])
        if column in ("arrival_time", "departure_time")
        else numbers(rows[column])
    )
    return values.reshape(-1, n_stops)
