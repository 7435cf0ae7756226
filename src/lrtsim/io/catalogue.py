"""The results catalogue: every `lrtsim run` and every experiment (a Monte Carlo, a sweep, a
robust design) recorded as one row of a database (SQLAlchemy).

By default the SQLite file `runs/catalogue.sqlite`; any SQLAlchemy URL works. A run or an
experiment is recorded `running` when it starts and `complete` (with its folder and its KPIs or
summary) or `failed` (with the reason) when it ends; one killed meanwhile is read as
`interrupted` (`catalogue_records`). Each write is one transaction, so a process killed during a
write leaves the row as it was before or after it, never half; on SQLite a write takes the write
lock when it begins (`BEGIN IMMEDIATE`) and waits for another writer
(`catalogue_engine.BUSY_TIMEOUT_S`), so two runs at once both record. SQLite keeps its default
(rollback) journal: a killed writer's journal is rolled back by the next reader, and a reader
needs no write access to the folder. Reading never writes: an absent catalogue reads as empty
and is not created (its first write creates it, folder and all), and a catalogue of schema
version 1 is read as it is (no experiments); the first write upgrades it, in that write's
transaction (`catalogue_schema.upgrade`).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, Table, exc, inspect, select

from lrtsim.io.catalogue_engine import (
    WRITE,
    CatalogueError,
    check_folder,
    exists,
    open_engine,
)
from lrtsim.io.catalogue_records import (
    ExperimentRecord,
    KpiDifference,
    RunRecord,
    RunStatus,
    experiment_from_row,
    json_text,
    kpi_differences,
    now_text,
    record_from_row,
)
from lrtsim.io.catalogue_schema import (
    CATALOGUE_FILE,
    EXPERIMENT_KINDS,
    READABLE_VERSIONS,
    SCHEMA_VERSION,
    TABLE_SINCE,
    catalogue_url,
    create,
    default_url,
    experiments_table,
    meta_table,
    runs_table,
    upgrade,
)
from lrtsim.model.schema import MAX_SEED

__all__ = [
    "CATALOGUE_FILE",
    "EXPERIMENT_KINDS",
    "SCHEMA_VERSION",
    "Catalogue",
    "CatalogueError",
    "ExperimentRecord",
    "KpiDifference",
    "RunRecord",
    "RunStatus",
    "catalogue_url",
    "default_url",
    "kpi_differences",
]

MIN_PREFIX = 4
"""Fewest characters of an id that `Catalogue.get` and `Catalogue.get_experiment` take."""

LATEST = "latest"
"""What `Catalogue.get` and `get_experiment` take for the newest (an id is hexadecimal, so never
this)."""

R = TypeVar("R", RunRecord, ExperimentRecord)


@dataclass(frozen=True)
class _Rows(Generic[R]):
    """One table of rows the catalogue records (runs, experiments): what the shared code of
    starting, ending, listing and finding needs to know of it."""

    table: Table
    noun: str
    """'run': how messages name one row."""
    record: Callable[[Mapping[Any, Any]], R]
    """A row as read."""


_RUNS = _Rows(runs_table, "run", record_from_row)
_EXPERIMENTS = _Rows(experiments_table, "experiment", experiment_from_row)


class Catalogue:
    """An open catalogue: its engine and where it is. Open it with `Catalogue.open`."""

    def __init__(self, engine: Engine, where: str, path: Path | None) -> None:
        self._engine = engine
        self.where = where
        """The catalogue as named in messages: its file, or its URL without the password."""
        self._path = path
        """The SQLite file, when the catalogue is one."""
        self._ready = False
        """Whether the tables are known to exist at our schema version."""

    # ------------------------------------------------------------------------------- opening
    @classmethod
    def open(cls, db: str | Path) -> Catalogue:
        """The catalogue `db` names (a SQLAlchemy URL or a path, as `catalogue_url` reads it).

        Nothing is created: an absent SQLite file is read as an empty catalogue. Raises
        `CatalogueError` for a URL SQLAlchemy cannot parse or has no driver for, a file that is
        not a database, a database that cannot be reached, or one of a schema version this lrtsim
        does not read (`catalogue_schema.READABLE_VERSIONS`). A version-1 catalogue is not
        upgraded until it is written.
        """
        engine, where, path = open_engine(catalogue_url(db))
        catalogue = cls(engine, where, path)
        try:
            with catalogue._reading():  # a bad file or a foreign schema fails here, not later
                pass
        except BaseException:
            engine.dispose()
            raise
        return catalogue

    def close(self) -> None:
        """Close the catalogue's connections."""
        self._engine.dispose()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------------------- writing
    def start(
        self,
        *,
        scenario: str,
        scenario_hash: str,
        seed: int,
        options: Mapping[str, Any],
        lrtsim_version: str,
    ) -> str:
        """Record a run that starts now, by this process on this host, as `running`; its id.

        `scenario_hash` is the hex SHA-256 of the scenario as run; `options` (JSON-ready: the
        run's incidents and control) is stored as JSON, NaN as null.
        """
        return self._start(
            _RUNS,
            scenario=scenario,
            scenario_hash=scenario_hash,
            seed=seed,
            options=options,
            lrtsim_version=lrtsim_version,
            kpis=None,
        )

    def complete(self, run_id: str, *, folder: str | Path, kpis: Mapping[str, Any]) -> None:
        """Record that run `run_id` ended now and wrote `folder`, with its KPIs (the contract
        dict; NaN stored as null). Only a `running` run can complete."""
        self._end(_RUNS, run_id, "complete", folder=str(folder), kpis=json_text(kpis))

    def fail(self, run_id: str, error: str) -> None:
        """Record that run `run_id` ended now without a result, and why (`error`)."""
        self._end(_RUNS, run_id, "failed", error=error)

    def start_experiment(
        self,
        *,
        kind: str,
        scenario: str,
        scenario_hash: str,
        seed: int,
        options: Mapping[str, Any],
        lrtsim_version: str,
    ) -> str:
        """Record an experiment of `kind` (`EXPERIMENT_KINDS`) that starts now, by this process
        on this host, as `running`; its id.

        `seed` is its base seed; `options` (JSON-ready: engine, workers, stopping rule, the
        `--set` grid, targets, …) is stored as JSON, NaN as null.
        """
        if kind not in EXPERIMENT_KINDS:
            raise CatalogueError(
                f"cannot record an experiment of kind {kind!r}: the kinds are "
                + ", ".join(EXPERIMENT_KINDS)
            )
        return self._start(
            _EXPERIMENTS,
            kind=kind,
            scenario=scenario,
            scenario_hash=scenario_hash,
            seed=seed,
            days=None,
            options=options,
            lrtsim_version=lrtsim_version,
            summary=None,
        )

    def complete_experiment(
        self, experiment_id: str, *, folder: str | Path, days: int, summary: Mapping[str, Any]
    ) -> None:
        """Record that experiment `experiment_id` ended now and wrote `folder`, having simulated
        `days` days in all, with its summary (its summary.json, or a digest of it; NaN stored
        as null). Only a `running` experiment can complete."""
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise CatalogueError(
                f"cannot record experiment {experiment_id} as complete: days must be a whole "
                f"number from 0, not {days!r}"
            )
        self._end(
            _EXPERIMENTS,
            experiment_id,
            "complete",
            folder=str(folder),
            days=int(days),
            summary=json_text(summary),
        )

    def fail_experiment(self, experiment_id: str, error: str) -> None:
        """Record that experiment `experiment_id` ended now without a result, and why."""
        self._end(_EXPERIMENTS, experiment_id, "failed", error=error)

    def _start(
        self, rows: _Rows[Any], *, seed: int, options: Mapping[str, Any], **values: Any
    ) -> str:
        """Insert a `running` row of `rows` started now by this process; its new id."""
        if not 0 <= seed <= MAX_SEED:
            raise CatalogueError(f"cannot record seed {seed}: a seed is from 0 to {MAX_SEED}")
        row_id = str(uuid.uuid4())
        row = {
            **values,
            "id": row_id,
            "seed": int(seed),
            "options": json_text(options),
            "started_at": now_text(),
            "ended_at": None,
            "status": "running",
            "folder": None,
            "error": None,
            "pid": os.getpid(),
            "host": socket.gethostname(),
        }
        with self._writing() as conn:
            conn.execute(rows.table.insert().values(row))
        return row_id

    def _end(self, rows: _Rows[Any], row_id: str, status: str, **values: str | int) -> None:
        """Record that the `running` row `row_id` of `rows` ended now as `status`, with
        `values`; `CatalogueError` when there is no such row or it has already ended."""
        columns = rows.table.c
        with self._writing() as conn:
            done = conn.execute(
                rows.table.update()
                .where(columns.id == row_id, columns.status == "running")
                .values(status=status, ended_at=now_text(), **values)
            )
            if done.rowcount == 1:
                return
            stored = conn.execute(select(columns.status).where(columns.id == row_id)).scalar()
        noun = rows.noun
        if stored is None:
            raise CatalogueError(
                f"cannot record {noun} {row_id} as {status}: {self.where} has no such {noun}"
            )
        raise CatalogueError(f"cannot record {noun} {row_id} as {status}: it is already {stored}")

    # ------------------------------------------------------------------------------- reading
    def runs(self) -> list[RunRecord]:
        """Every run, newest first (an absent or empty catalogue: none)."""
        return self._all(_RUNS)

    def get(self, id_or_prefix: str) -> RunRecord:
        """The run whose id is `id_or_prefix` or begins with it (at least `MIN_PREFIX`
        characters), or the newest run for `LATEST`; `CatalogueError` naming it when no run or
        several runs match."""
        return self._find(_RUNS, id_or_prefix)

    def experiments(self) -> list[ExperimentRecord]:
        """Every experiment, newest first (an absent catalogue, or one of version 1: none)."""
        return self._all(_EXPERIMENTS)

    def get_experiment(self, id_or_prefix: str) -> ExperimentRecord:
        """The experiment whose id is `id_or_prefix` or begins with it (at least `MIN_PREFIX`
        characters), or the newest for `LATEST`; `CatalogueError` naming it when no experiment
        or several match."""
        return self._find(_EXPERIMENTS, id_or_prefix)

    def _all(self, rows: _Rows[R]) -> list[R]:
        """Every row of `rows`, newest first."""
        columns = rows.table.c
        with self._reading(rows.table) as conn:
            if conn is None:
                return []
            found = conn.execute(
                select(rows.table).order_by(columns.started_at.desc(), columns.id.desc())
            ).mappings()
            return [rows.record(row) for row in found]

    def _find(self, rows: _Rows[R], id_or_prefix: str) -> R:
        """The one row of `rows` that `id_or_prefix` names (see `get`)."""
        noun, key = rows.noun, id_or_prefix.strip().lower()
        if key == LATEST:
            newest = self._all(rows)
            if not newest:
                raise CatalogueError(f"no {noun} in {self.where}: it records no {noun}s")
            return newest[0]
        if len(key) < MIN_PREFIX:
            raise CatalogueError(
                f"{noun} id '{id_or_prefix}' is too short: give at least {MIN_PREFIX} characters "
                "of it"
            )
        columns = rows.table.c
        with self._reading(rows.table) as conn:
            found = []
            if conn is not None:
                query = (
                    select(rows.table)
                    .where(columns.id.startswith(key, autoescape=True))
                    .order_by(columns.started_at.desc(), columns.id.desc())
                    .limit(6)
                )
                found = list(conn.execute(query).mappings())
        if not found:
            empty = "" if conn is not None else f" (it records no {noun}s)"
            raise CatalogueError(f"no {noun} '{id_or_prefix}' in {self.where}{empty}")
        if len(found) > 1:
            shown = ", ".join(str(r["id"])[:13] for r in found[:5])
            more = ", …" if len(found) > 5 else ""
            raise CatalogueError(
                f"{noun} id '{id_or_prefix}' is ambiguous in {self.where}: it begins "
                f"{shown}{more}; give more characters"
            )
        return rows.record(found[0])

    # ------------------------------------------------------------------------------- machinery
    @contextmanager
    def _reading(self, table: Table = runs_table) -> Iterator[Connection | None]:
        """A connection in a read transaction, or None when the catalogue has no `table` yet (an
        absent SQLite file is not opened, so not created; a catalogue of version 1 has no
        experiments)."""
        if self._path is not None and not exists(self._path, self.where):
            check_folder(self._path, self.where)
            yield None
            return
        with self._errors("read"), self._engine.connect() as conn, conn.begin():
            version = self._version(conn)
            has = version is not None and version >= TABLE_SINCE[table.name]
            yield conn if has else None

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A connection in a write transaction, the catalogue first brought to `SCHEMA_VERSION`
        if need be — created (and the SQLite file's folder), or upgraded — in that transaction."""
        if self._path is not None:
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                reason = (error.strerror or str(error)).lower()
                raise CatalogueError(f"cannot write catalogue {self.where}: {reason}") from None
        with self._errors("write"), self._engine.connect() as conn:
            conn.execution_options(**{WRITE: True})
            with conn.begin():
                if not self._ready:
                    version = self._version(conn)
                    if version is None:
                        create(conn)
                    elif version != SCHEMA_VERSION:
                        upgrade(conn, version)
                yield conn
            self._ready = True  # committed: the tables exist, at our version, from now on

    def _version(self, conn: Connection) -> int | None:
        """The catalogue's schema version (None: a new, empty database); `CatalogueError` when
        it is one this lrtsim does not read, or the database holds tables of another program."""
        names = set(inspect(conn).get_table_names())
        if "catalogue_meta" not in names:
            foreign = [name for name in TABLE_SINCE if name in names]
            if foreign:
                raise CatalogueError(
                    f"{self.where} is not an lrtsim catalogue: it has a '{foreign[0]}' table but "
                    "no 'catalogue_meta' table"
                )
            return None
        meta = meta_table.c
        found = conn.execute(select(meta.value).where(meta.key == "schema_version")).scalar()
        try:
            version = int(found) if found is not None else None
        except ValueError:
            version = None
        if version is None:
            raise CatalogueError(
                f"{self.where} is not an lrtsim catalogue: its catalogue_meta table gives no "
                f"schema_version (found {found!r})"
            )
        if version not in READABLE_VERSIONS:
            newer = " (a newer lrtsim wrote it)" if version > SCHEMA_VERSION else ""
            raise CatalogueError(
                f"{self.where} has schema version {version}; this lrtsim reads versions "
                f"{READABLE_VERSIONS[0]} to {READABLE_VERSIONS[-1]}{newer}"
            )
        for name, since in TABLE_SINCE.items():
            if version >= since and name not in names:
                raise CatalogueError(
                    f"{self.where} is not an lrtsim catalogue: it has no '{name}' table"
                )
        if version == SCHEMA_VERSION:
            self._ready = True
        return version

    @contextmanager
    def _errors(self, verb: str) -> Iterator[None]:
        """Any database error as a `CatalogueError` naming the catalogue and the reason."""
        try:
            yield
        except exc.DBAPIError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            raise CatalogueError(f"cannot {verb} catalogue {self.where}: {reason}") from None
        except exc.SQLAlchemyError as error:
            raise CatalogueError(f"cannot {verb} catalogue {self.where}: {error}") from None
