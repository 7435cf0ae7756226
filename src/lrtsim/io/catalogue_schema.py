"""Where the results catalogue lives and the shape of its tables (`lrtsim.io.catalogue`).

A catalogue is any SQLAlchemy database; by default the SQLite file `catalogue.sqlite` in the
runs folder. Its tables: `runs` (one row per `lrtsim run`), `experiments` (one row per
experiment: a Monte Carlo, a sweep, a robust design; since version 2) and `catalogue_meta`
(key/value, holding `schema_version`), so a later lrtsim can tell a catalogue it cannot read.

Version 1 had `runs` and `catalogue_meta` only. This lrtsim reads both versions; its first write
to a version-1 catalogue upgrades it (`upgrade`: the `experiments` table added and the version
set, in the writer's one transaction). A catalogue of any other version is refused, never altered.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import BigInteger, Column, Connection, Integer, MetaData, String, Table, Text
from sqlalchemy.engine import URL

SCHEMA_VERSION = 2
"""Version of the tables below, which every write leaves the catalogue at."""

READABLE_VERSIONS = (1, 2)
"""Versions this lrtsim reads (1: no `experiments` table, read as no experiments)."""

TABLE_SINCE = {"runs": 1, "experiments": 2}
"""The schema version that added each table of rows: a catalogue of that version or later has
it."""

CATALOGUE_FILE = "catalogue.sqlite"
"""The catalogue's file name in a runs folder."""

STATUSES = ("running", "complete", "failed")
"""Values of `runs.status` and `experiments.status` as stored; `interrupted` is only ever a
reading of `running`."""

EXPERIMENT_KINDS = ("montecarlo", "sweep", "design")
"""Values of `experiments.kind`: `lrtsim experiment montecarlo`, a sweep over `--set` values, a
search for a robust design."""

metadata = MetaData()

runs_table = Table(
    "runs",
    metadata,
    Column("id", String(36), primary_key=True, comment="UUID4, text"),
    Column("scenario", Text, nullable=False, comment="the scenario's name"),
    Column("scenario_hash", String(64), nullable=False, comment="hex SHA-256 of the scenario"),
    # A 64-bit signed integer: SQLite's INTEGER holds every seed up to 2**63 - 1 exactly.
    Column("seed", BigInteger, nullable=False),
    Column("options", Text, nullable=False, comment="JSON: the run's incidents, control, …"),
    Column("lrtsim_version", Text, nullable=False),
    # ISO 8601 UTC with microseconds ('2025-06-01T08:15:00.000000+00:00'): one fixed width, so
    # sorting the text sorts the times, and any SQL client can read it.
    Column("started_at", String(32), nullable=False, index=True),
    Column("ended_at", String(32), nullable=True),
    Column("status", String(16), nullable=False, comment=" | ".join(STATUSES)),
    Column("folder", Text, nullable=True, comment="the run folder; null until complete"),
    Column("kpis", Text, nullable=True, comment="JSON: the KPI contract, NaN as null"),
    Column("error", Text, nullable=True, comment="why the run failed"),
    Column("pid", Integer, nullable=False, comment="process that made the run"),
    Column("host", Text, nullable=False, comment="host name of that process"),
)

experiments_table = Table(
    "experiments",
    metadata,
    Column("id", String(36), primary_key=True, comment="UUID4, text"),
    Column("kind", String(16), nullable=False, comment=" | ".join(EXPERIMENT_KINDS)),
    Column("scenario", Text, nullable=False, comment="the scenario's name"),
    Column("scenario_hash", String(64), nullable=False, comment="hex SHA-256 of the scenario"),
    Column("seed", BigInteger, nullable=False, comment="the base seed"),
    Column("days", Integer, nullable=True, comment="days simulated in all; null until complete"),
    Column("options", Text, nullable=False, comment="JSON: engine, workers, stopping rule, …"),
    Column("lrtsim_version", Text, nullable=False),
    Column("started_at", String(32), nullable=False, index=True, comment="as runs.started_at"),
    Column("ended_at", String(32), nullable=True),
    Column("status", String(16), nullable=False, comment=" | ".join(STATUSES)),
    Column("folder", Text, nullable=True, comment="the output folder; null until complete"),
    Column("summary", Text, nullable=True, comment="JSON: its summary.json; null until complete"),
    Column("error", Text, nullable=True, comment="why the experiment failed"),
    Column("pid", Integer, nullable=False, comment="process that ran the experiment"),
    Column("host", Text, nullable=False, comment="host name of that process"),
)

meta_table = Table(
    "catalogue_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


def create(conn: Connection) -> None:
    """Make the tables of a new, empty catalogue, at `SCHEMA_VERSION` (in `conn`'s transaction)."""
    metadata.create_all(conn)
    conn.execute(meta_table.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))


def upgrade(conn: Connection, version: int) -> None:
    """Bring a catalogue of `version` (one of `READABLE_VERSIONS`) to `SCHEMA_VERSION`, in
    `conn`'s transaction, so that it is upgraded whole or not at all; its rows are untouched.

    1 → 2 adds the `experiments` table (and its index); nothing else changed.
    """
    if version == 1:
        experiments_table.create(conn)
    conn.execute(
        meta_table.update()
        .where(meta_table.c.key == "schema_version")
        .values(value=str(SCHEMA_VERSION))
    )


def catalogue_url(db: str | Path) -> str:
    """The SQLAlchemy URL of the catalogue `db` names: a URL (it holds `://`) as given; a folder
    (an existing one, or a path ending in a separator) → its `catalogue.sqlite`; any other path →
    that SQLite file. Paths are made absolute, so the URL means the same from any folder."""
    text = str(db)
    if "://" in text:
        return text
    path = Path(text).expanduser()
    if text.endswith(("/", os.sep)) or path.is_dir():
        path = path / CATALOGUE_FILE
    return _sqlite_url(path)


def default_url(out_folder: Path) -> str:
    """The URL of the catalogue in the runs folder `out_folder`: its `catalogue.sqlite`."""
    return _sqlite_url(Path(out_folder).expanduser() / CATALOGUE_FILE)


def _sqlite_url(path: Path) -> str:
    """`sqlite:////abs/path`, with the characters a URL would misread (`?`, `#`, `%`) quoted."""
    url = URL.create("sqlite", database=os.path.abspath(path))
    return url.render_as_string(hide_password=False)
