"""The results catalogue: every `lrtsim run` recorded as one row of a database (SQLAlchemy).

By default the SQLite file `runs/catalogue.sqlite`; any SQLAlchemy URL works. A run is recorded
`running` when it starts and `complete` (with its folder and KPIs) or `failed` (with the reason)
when it ends; one killed meanwhile is read as `interrupted` (`catalogue_records`). Each write is
one transaction, so a process killed during a write leaves the row as it was before or after it,
never half; on SQLite a write takes the write lock when it begins (`BEGIN IMMEDIATE`) and waits
for another writer (`catalogue_engine.BUSY_TIMEOUT_S`), so two runs at once both record. SQLite
keeps its default (rollback) journal: a killed writer's journal is rolled back by the next
reader, and a reader needs no write access to the folder. Reading never writes: an absent
catalogue reads as empty and is not created; its first write creates it, folder and all.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, exc, inspect, select

from lrtsim.io.catalogue_engine import (
    WRITE,
    CatalogueError,
    check_folder,
    exists,
    open_engine,
)
from lrtsim.io.catalogue_records import (
    KpiDifference,
    RunRecord,
    RunStatus,
    json_text,
    kpi_differences,
    now_text,
    record_from_row,
)
from lrtsim.io.catalogue_schema import (
    CATALOGUE_FILE,
    SCHEMA_VERSION,
    catalogue_url,
    default_url,
    meta_table,
    metadata,
    runs_table,
)
from lrtsim.model.schema import MAX_SEED

__all__ = [
    "CATALOGUE_FILE",
    "SCHEMA_VERSION",
    "Catalogue",
    "CatalogueError",
    "KpiDifference",
    "RunRecord",
    "RunStatus",
    "catalogue_url",
    "default_url",
    "kpi_differences",
]

MIN_PREFIX = 4
"""Fewest characters of a run id that `Catalogue.get` takes."""

LATEST = "latest"
"""What `Catalogue.get` takes for the newest run (an id is hexadecimal, so never this)."""


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
        not a database, a database that cannot be reached, or one of another schema version.
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
        if not 0 <= seed <= MAX_SEED:
            raise CatalogueError(f"cannot record seed {seed}: a seed is from 0 to {MAX_SEED}")
        run_id = str(uuid.uuid4())
        row = {
            "id": run_id,
            "scenario": scenario,
            "scenario_hash": scenario_hash,
            "seed": int(seed),
            "options": json_text(options),
            "lrtsim_version": lrtsim_version,
            "started_at": now_text(),
            "ended_at": None,
            "status": "running",
            "folder": None,
            "kpis": None,
            "error": None,
            "pid": os.getpid(),
            "host": socket.gethostname(),
        }
        with self._writing() as conn:
            conn.execute(runs_table.insert().values(row))
        return run_id

    def complete(self, run_id: str, *, folder: str | Path, kpis: Mapping[str, Any]) -> None:
        """Record that run `run_id` ended now and wrote `folder`, with its KPIs (the contract
        dict; NaN stored as null). Only a `running` run can complete."""
        self._end(run_id, "complete", folder=str(folder), kpis=json_text(kpis))

    def fail(self, run_id: str, error: str) -> None:
        """Record that run `run_id` ended now without a result, and why (`error`)."""
        self._end(run_id, "failed", error=error)

    def _end(self, run_id: str, status: str, **values: str) -> None:
        runs = runs_table.c
        with self._writing() as conn:
            done = conn.execute(
                runs_table.update()
                .where(runs.id == run_id, runs.status == "running")
                .values(status=status, ended_at=now_text(), **values)
            )
            if done.rowcount == 1:
                return
            stored = conn.execute(select(runs.status).where(runs.id == run_id)).scalar()
        if stored is None:
            raise CatalogueError(
                f"cannot record run {run_id} as {status}: {self.where} has no such run"
            )
        raise CatalogueError(f"cannot record run {run_id} as {status}: it is already {stored}")

    # ------------------------------------------------------------------------------- reading
    def runs(self) -> list[RunRecord]:
        """Every run, newest first (an absent or empty catalogue: none)."""
        runs = runs_table.c
        with self._reading() as conn:
            if conn is None:
                return []
            rows = conn.execute(
                select(runs_table).order_by(runs.started_at.desc(), runs.id.desc())
            ).mappings()
            return [record_from_row(row) for row in rows]

    def get(self, id_or_prefix: str) -> RunRecord:
        """The run whose id is `id_or_prefix` or begins with it (at least `MIN_PREFIX`
        characters), or the newest run for `LATEST`; `CatalogueError` naming it when no run or
        several runs match."""
        key = id_or_prefix.strip().lower()
        if key == LATEST:
            newest = self.runs()
            if not newest:
                raise CatalogueError(f"no run in {self.where}: it records no runs")
            return newest[0]
        if len(key) < MIN_PREFIX:
            raise CatalogueError(
                f"run id '{id_or_prefix}' is too short: give at least {MIN_PREFIX} characters of it"
            )
        runs = runs_table.c
        with self._reading() as conn:
            rows = []
            if conn is not None:
                query = (
                    select(runs_table)
                    .where(runs.id.startswith(key, autoescape=True))
                    .order_by(runs.started_at.desc(), runs.id.desc())
                    .limit(6)
                )
                rows = list(conn.execute(query).mappings())
        if not rows:
            empty = "" if conn is not None else " (it records no runs)"
            raise CatalogueError(f"no run '{id_or_prefix}' in {self.where}{empty}")
        if len(rows) > 1:
            shown = ", ".join(str(r["id"])[:13] for r in rows[:5])
            more = ", …" if len(rows) > 5 else ""
            raise CatalogueError(
                f"run id '{id_or_prefix}' is ambiguous in {self.where}: it begins {shown}{more}; "
                "give more characters"
            )
        return record_from_row(rows[0])

    # ------------------------------------------------------------------------------- machinery
    @contextmanager
    def _reading(self) -> Iterator[Connection | None]:
        """A connection in a read transaction, or None when the catalogue has no tables yet (an
        absent SQLite file is not opened, so not created)."""
        if self._path is not None and not exists(self._path, self.where):
            check_folder(self._path, self.where)
            yield None
            return
        with self._errors("read"), self._engine.connect() as conn, conn.begin():
            yield conn if self._has_schema(conn) else None

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A connection in a write transaction, the tables created first if need be (and the
        SQLite file's folder)."""
        if self._path is not None:
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                reason = (error.strerror or str(error)).lower()
                raise CatalogueError(f"cannot write catalogue {self.where}: {reason}") from None
        with self._errors("write"), self._engine.connect() as conn:
            conn.execution_options(**{WRITE: True})
            with conn.begin():
                if not self._ready and not self._has_schema(conn):
                    metadata.create_all(conn)
                    conn.execute(
                        meta_table.insert().values(key="schema_version", value=str(SCHEMA_VERSION))
                    )
                yield conn
            self._ready = True  # committed: the tables exist from now on

    def _has_schema(self, conn: Connection) -> bool:
        """Whether the catalogue's tables exist (False: a new, empty database); `CatalogueError`
        when they are of another schema version or the database holds another `runs` table."""
        names = set(inspect(conn).get_table_names())
        if "catalogue_meta" not in names:
            if "runs" in names:
                raise CatalogueError(
                    f"{self.where} is not an lrtsim catalogue: it has a 'runs' table but no "
                    "'catalogue_meta' table"
                )
            return False
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
        if version != SCHEMA_VERSION:
            raise CatalogueError(
                f"{self.where} has schema version {version}; this lrtsim reads version "
                f"{SCHEMA_VERSION}"
            )
        if "runs" not in names:
            raise CatalogueError(f"{self.where} is not an lrtsim catalogue: it has no 'runs' table")
        self._ready = True
        return True

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
