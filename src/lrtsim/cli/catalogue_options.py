"""What the commands that read the results catalogue share: `--db`, opening and reading it with
every user error exiting 2, and a status and a duration as shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from lrtsim.cli.common import fail, minutes
from lrtsim.errors import LrtsimError

if TYPE_CHECKING:
    from rich.table import Table

    from lrtsim.io.catalogue import Catalogue

T = TypeVar("T")

DEFAULT_DB = "runs/catalogue.sqlite"
"""The catalogue `lrtsim run` writes by default, relative to the working folder."""

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        metavar="URL|PATH",
        help="The catalogue: a SQLAlchemy URL (postgresql://…), an SQLite file, or a folder "
        "holding catalogue.sqlite.",
    ),
]

STATUS_STYLES = {"complete": "green", "failed": "red", "interrupted": "yellow", "running": "cyan"}

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
"""A start time in a list (UTC)."""

FULL_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"
"""A time in `show`."""


def open_catalogue(db: str) -> Catalogue:
    """The catalogue `--db` names, or exit 2 saying why it cannot be opened."""
    from lrtsim.io.catalogue import Catalogue

    try:
        return Catalogue.open(db)
    except LrtsimError as exc:
        fail(exc)


def read(work: Callable[[], T]) -> T:
    """`work()`, a user error (unknown id, unreadable catalogue) exiting 2."""
    try:
        return work()
    except LrtsimError as exc:
        fail(exc)


def new_table(title: str) -> Table:
    """An empty rich table titled `title` (rich markup, escaped by the caller)."""
    from rich.table import Table

    return Table(title=title, title_justify="left")


def status_text(status: str) -> str:
    """A status as rich markup, coloured by `STATUS_STYLES`."""
    return f"[{STATUS_STYLES.get(status, 'default')}]{status}[/]"


def duration_text(duration_s: float | None) -> str:
    """'23 min 03.1 s', or '—' while there is no end."""
    return "—" if duration_s is None else minutes(duration_s)


def ended_text(ended_at: datetime | None) -> str:
    """An end time as `show` gives it, or '—' while there is none."""
    return "—" if ended_at is None else ended_at.strftime(FULL_TIME_FORMAT)
