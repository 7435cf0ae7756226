"""What the experiment commands share about running days: the engine options, the engine
opened once for the whole experiment, the cache of finished days, and the progress bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from lrtsim.cli.common import err, fail
from lrtsim.cli.stopping_signals import TERMINATED_EXIT, Terminated, terminate_as_exception
from lrtsim.errors import LrtsimError

if TYPE_CHECKING:
    import pandas as pd

    from lrtsim.experiments.day_cache import DayCache
    from lrtsim.experiments.days import PreparedDay
    from lrtsim.experiments.engine import Engine, EngineKind
    from lrtsim.experiments.stopping import StopRule
    from lrtsim.model.schema import Scenario


class EngineChoice(StrEnum):
    """Where the days run."""

    local = "local"
    dask = "dask"


DEFAULT_CACHE = Path("runs/cache")
"""Where finished days are kept by default, relative to the working folder."""

WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        max=1024,
        metavar="K",
        show_default="every core",
        help="Processes simulating days (1: in this process). Results do not depend on it.",
    ),
]
EngineOption = Annotated[
    EngineChoice,
    typer.Option(
        "--engine",
        help="local: a pool of processes on this machine; dask: a Dask cluster (the "
        "scheduler --scheduler names, else local Dask workers). Results do not depend on it.",
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="The Dask scheduler to run on (implies --engine dask).",
    ),
]
CacheOption = Annotated[
    Path,
    typer.Option(
        "--cache",
        metavar="FOLDER",
        help="Where finished days are kept by (scenario hash, seed, lrtsim version and code): an "
        "interrupted experiment resumes from them, a repeated one reuses them.",
    ),
]
NoCacheFlag = Annotated[
    bool,
    typer.Option("--no-cache", help="Simulate every day; read and keep nothing in --cache."),
]


def engine_kind(choice: EngineChoice, scheduler: str | None) -> EngineKind:
    """The engine the options name: Dask when asked for, or when a scheduler is given."""
    return "dask" if choice is EngineChoice.dask or scheduler is not None else "local"


@contextmanager
def opened(choice: EngineChoice, workers: int, scheduler: str | None) -> Iterator[Engine]:
    """The engine the options name, open for the whole experiment; one it cannot reach exits 2.
    SIGTERM stops it as Ctrl-C does (the workers stopped, the finished days kept), exit 143."""
    from lrtsim.experiments.engine import open_engine

    try:
        with (
            terminate_as_exception(),
            open_engine(engine_kind(choice, scheduler), workers, scheduler) as engine,
        ):
            yield engine
    except LrtsimError as exc:
        fail(exc)
    except Terminated:
        raise typer.Exit(TERMINATED_EXIT) from None


def day_cache(root: Path | None, scenario: Scenario, ref: str, base_seed: int) -> DayCache | None:
    """The cache of `scenario`'s days from `base_seed` under `root` (None: no cache)."""
    if root is None:
        return None
    from lrtsim.experiments.day_cache import DayCache, cache_key, lrtsim_version
    from lrtsim.io.resolved import scenario_hash

    return DayCache(root, cache_key(scenario_hash(scenario, ref), base_seed, lrtsim_version()))


def simulate_days(
    engine: Engine,
    prepared: PreparedDay,
    base_seed: int,
    days: int,
    *,
    rule: StopRule | None = None,
    store: DayCache | None = None,
    quiet: bool = False,
) -> tuple[pd.DataFrame, bool]:
    """The days (all `days`, or until `rule` holds) of `prepared` on `engine`, those `store`
    holds taken from it, and whether the rule was met (True without one); a progress bar of
    days done and time left on stderr (none if `quiet`)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from lrtsim.experiments.stopping import run_until

    run = engine.runner(prepared, base_seed, store)
    if store is not None and not quiet and (held := store.held):
        err.print(f"{held:,} finished days found in {escape(str(store.folder))}.", soft_wrap=True)

    def simulate(done: Callable[[int], None] | None) -> tuple[pd.DataFrame, bool]:
        if rule is None:
            return run(range(days), done), True
        return run_until(run, rule, days, seed=base_seed, done=done)

    try:
        if quiet:
            return simulate(None)
        columns = (
            TextColumn("Simulating days"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("days", total=days)
            return simulate(lambda n: progress.advance(task, n))
    except LrtsimError as exc:
        fail(exc)
    except (KeyboardInterrupt, Terminated):
        if store is not None:
            err.print(
                f"Interrupted: {store.held:,} finished days are kept in "
                f"{escape(str(store.folder))}; the same command resumes from them.",
                soft_wrap=True,
            )
        raise
