"""The feed's tables as one zip archive of CSV files, built in memory, byte for byte repeatable."""

from __future__ import annotations

import io
import zipfile

import pandas as pd

GTFS_FILES = (
    "agency.txt",
    "stops.txt",
    "routes.txt",
    "trips.txt",
    "stop_times.txt",
    "calendar.txt",
    "shapes.txt",
    "feed_info.txt",
    "translations.txt",
)
"""The files a feed may hold, in the order they are written into the archive."""

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Fixed member timestamps, so that the same tables always give the same bytes."""


def zip_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """The tables as CSV files (UTF-8, no index) in one zip archive, in `GTFS_FILES` order."""
    unknown = sorted(set(tables) - set(GTFS_FILES))
    if unknown:
        raise ValueError(f"not GTFS files of lrtsim: {unknown}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in GTFS_FILES:
            if name not in tables:
                continue
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            text = tables[name].to_csv(index=False, lineterminator="\n")
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
