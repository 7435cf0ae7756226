"""The catalogue's database engine: a URL opened with SQLAlchemy, every failure a
`CatalogueError` naming the catalogue and the reason; SQLite transactions begun by us."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url

from lrtsim.errors import LrtsimError

BUSY_TIMEOUT_S = 30.0
"""How long an SQLite write waits for another process's write to end before it gives up."""

WRITE = "lrtsim_write"
"""Execution option marking a connection whose transaction writes (SQLite: BEGIN IMMEDIATE)."""


class CatalogueError(LrtsimError):
    """A catalogue that cannot be opened, read or written, or a run it does not hold; the
    message names the catalogue and the reason."""


def open_engine(text: str) -> tuple[Engine, str, Path | None]:
    """The engine of the SQLAlchemy URL `text`, the catalogue's name for messages (its file, or
    its URL without the password) and its SQLite file (None for another database). Connects to
    nothing; `CatalogueError` for a URL that cannot be parsed or has no dialect or driver."""
    try:
        url = make_url(text)
    except exc.ArgumentError:
        raise CatalogueError(
            f"cannot open catalogue {text}: not a SQLAlchemy URL (dialect://…) nor a path"
        ) from None
    path = _sqlite_file(url)
    where = str(path) if path is not None else url.render_as_string(hide_password=True)
    is_sqlite = url.get_backend_name() == "sqlite"
    try:
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S} if is_sqlite else {})
    except exc.NoSuchModuleError:
        raise CatalogueError(
            f"cannot open catalogue {where}: SQLAlchemy has no database '{url.drivername}'"
        ) from None
    except ImportError as error:
        raise CatalogueError(
            f"cannot open catalogue {where}: its driver is not installed ({error})"
        ) from None
    except (exc.SQLAlchemyError, ValueError, TypeError) as error:
        raise CatalogueError(f"cannot open catalogue {where}: {error}") from None
    if is_sqlite:
        _sqlite_transactions(engine)
    return engine, where, path


def _sqlite_file(url: URL) -> Path | None:
    """The file of an SQLite URL; None for another database or an in-memory one."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):  # a URI filename (`?uri=true`): sqlite3 reads it
        return None
    return Path(database)


def exists(path: Path, where: str) -> bool:
    """Whether `path` exists; `CatalogueError` when that cannot be known (no permission)."""
    try:
        return path.exists()
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        raise CatalogueError(f"cannot read catalogue {where}: {reason}") from None


def check_folder(path: Path, where: str) -> None:
    """`CatalogueError` when `path` could never be a file: an ancestor is not a folder."""
    for parent in path.parents:
        if exists(parent, where):
            if not parent.is_dir():
                raise CatalogueError(f"cannot open catalogue {where}: {parent} is not a folder")
            return


def _sqlite_transactions(engine: Engine) -> None:
    """SQLite transactions begun by SQLAlchemy itself (pysqlite's own are turned off): BEGIN
    for a read, BEGIN IMMEDIATE for a write, so a writer waits for the lock when it begins (up
    to the busy timeout) instead of failing when a read would become a write (SQLAlchemy's
    pysqlite documentation, "Serializable isolation / Savepoints / Transactional DDL")."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        writes = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
