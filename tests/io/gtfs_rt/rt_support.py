"""What the GTFS-Realtime tests share: a run with its live day and its static feed."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from lrtsim.io.gtfs.feed import gtfs_zip_bytes
from lrtsim.io.gtfs_rt import LiveDay, live_day
from lrtsim.pipeline import RunResult

INCIDENT = "08:15,track_blocked,Baiterek,House of Ministries,12"

INSTANTS_S = (6 * 3600.0, 8 * 3600 + 20 * 60.0, 17 * 3600 + 30 * 60.0)
"""06:00, 08:20, 17:30 (and past the end, from the day's window)."""


@dataclass(frozen=True)
class Case:
    """A run, its live day and its static feed (zip on disk and tables)."""

    run: RunResult
    live: LiveDay
    zip_path: Path
    tables: dict[str, pd.DataFrame]


def make_case(run: RunResult, folder: Path) -> Case:
    data = gtfs_zip_bytes(run.scenario, run.day_plans)
    path = folder / "gtfs.zip"
    path.write_bytes(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        tables = {n: pd.read_csv(z.open(n), dtype=str) for n in z.namelist()}
    return Case(run=run, live=live_day(run), zip_path=path, tables=tables)
