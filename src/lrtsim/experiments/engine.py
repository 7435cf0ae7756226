"""One engine per experiment: a pool of local processes, or a Dask client, opened once and
used for every plan the experiment simulates (a Monte Carlo's one plan, a sweep's or a design
search's many), so that no point pays for starting workers again.

An engine's `runner(prepared, base_seed, store)` is the `Runner` of one plan: it takes the
days the store already holds from it, simulates only the others, hands each finished batch to
the store, and returns every row sorted by day. Rows depend on the seeds alone, so they are the
same whatever the engine, its workers and what came from the store.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol

import pandas as pd

from lrtsim.experiments.days import PreparedDay, Runner, batches, day_table, simulate_one

EngineKind = Literal["local", "dask"]
PARENT_CHECK_S = 0.5
"""How often a pool worker checks that the experiment's process is still there."""
Rows = list[dict[str, Any]]
Stream = Callable[[Sequence[int]], Iterable[Rows]]
"""Simulates the given days and yields their rows a batch at a time, as batches finish."""


class DayStore(Protocol):
    """Where an experiment keeps the days it has finished (`day_cache.DayCache`)."""

    def rows(self, days: Sequence[int]) -> Rows:
        """The stored rows of those of `days` it holds."""
        ...

    def add(self, rows: Rows) -> None:
        """Keep finished rows."""
        ...

    def flush(self) -> None:
        """Make every row added so far durable."""
        ...


class Engine(Protocol):
    """An open engine: the runner of any plan on it."""

    workers: int

    def runner(
        self, prepared: PreparedDay, base_seed: int, store: DayStore | None = None
    ) -> Runner:
        """The runner of `prepared`'s days from `base_seed`, keeping them in `store`."""
        ...


@contextmanager
def open_engine(kind: EngineKind, workers: int, scheduler: str | None = None) -> Iterator[Engine]:
    """The engine `kind` with `workers` processes (Dask: the scheduler's workers when
    `scheduler` is given, else a local cluster of `workers`), closed when the block ends."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if kind == "dask" or scheduler is not None:
        from lrtsim.experiments.dask_engine import open_dask

        with open_dask(workers, scheduler) as dask:
            yield dask
        return
    with ExitStack() as stack:
        yield LocalEngine(workers, stack)


def stored_runner(stream: Stream, store: DayStore | None) -> Runner:
    """The runner over `stream`: the days `store` holds are taken from it (and counted as done
    at once), the others simulated and added to it batch by batch."""

    def run(days: Sequence[int], done: Callable[[int], None] | None) -> pd.DataFrame:
        rows = store.rows(days) if store is not None else []
        held = {row["day"] for row in rows}
        if rows and done is not None:
            done(len(rows))
        try:
            for batch in stream([d for d in days if d not in held]):
                if store is not None:
                    store.add(batch)
                rows.extend(batch)
                if done is not None:
                    done(len(batch))
        finally:
            if store is not None:
                store.flush()
        return day_table(rows)

    return run


class LocalEngine:
    """Days in this process (1 worker) or on one pool of `workers` fresh processes, started at
    the first plan and kept for every later one; each plan goes to the workers as a file,
    which each worker reads once. Making a runner retires the previous runner's plan.
    `in_process` (default: for 1 worker) runs the days in this process instead of a pool."""

    def __init__(self, workers: int, stack: ExitStack, *, in_process: bool | None = None) -> None:
        self.workers = workers
        self._in_process = workers == 1 if in_process is None else in_process
        self._stack = stack
        self._pool: ProcessPoolExecutor | None = None
        self._folder: Path | None = None
        self._plans = 0

    def runner(
        self, prepared: PreparedDay, base_seed: int, store: DayStore | None = None
    ) -> Runner:
        """See `Engine.runner`."""
        if self._in_process:
            return stored_runner(lambda days: _in_process(prepared, base_seed, days), store)
        plan = self._plan_file(prepared)
        pool = self._open_pool()
        return stored_runner(
            lambda days: _on_pool(pool, plan, base_seed, days, self.workers), store
        )

    def _open_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing

            # 'spawn': each worker loads lrtsim and numba's cached kernels itself, so nothing
            # of this process's state (threads, locks) is copied into it.
            context = multiprocessing.get_context("spawn")
            pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=_watch_parent,
                initargs=(os.getpid(),),
            )
            self._stack.push(lambda kind, _exc, _tb: _close(pool, abandoned=kind is not None))
            self._pool = pool
        return self._pool

    def _plan_file(self, prepared: PreparedDay) -> Path:
        if self._folder is None:
            self._folder = Path(
                self._stack.enter_context(tempfile.TemporaryDirectory(prefix="lrtsim-plans-"))
            )
        # One plan at a time (a plan is several MB): the previous runner's file goes.
        (self._folder / f"plan-{self._plans}.pickle").unlink(missing_ok=True)
        self._plans += 1
        path = self._folder / f"plan-{self._plans}.pickle"
        path.write_bytes(pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL))
        return path


def _watch_parent(parent_pid: int) -> None:
    """In a pool worker: exit as soon as the experiment's process is gone (killed with SIGKILL,
    it cannot stop its workers), rather than wait forever for work."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="lrtsim-parent-watch", daemon=True).start()


def _close(pool: ProcessPoolExecutor, *, abandoned: bool) -> None:
    """Shut `pool` down: waiting for its workers after a normal end; after an error or Ctrl-C,
    at once, the work not started cancelled and the workers stopped mid-batch."""
    if not abandoned:
        pool.shutdown(wait=True)
        return
    # The executor has no public handle on its processes; read before shutdown clears it.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()


def _in_process(prepared: PreparedDay, base_seed: int, days: Sequence[int]) -> Iterator[Rows]:
    for day in days:
        yield [simulate_one(prepared, base_seed, day)]


_PLAN: tuple[str, PreparedDay] | None = None
"""A pool worker's current plan and the file it came from."""


def _pool_batch(plan: str, base_seed: int, days: list[int]) -> Rows:
    global _PLAN
    if _PLAN is None or _PLAN[0] != plan:
        _PLAN = (plan, pickle.loads(Path(plan).read_bytes()))
    return [simulate_one(_PLAN[1], base_seed, day) for day in days]


def _on_pool(
    pool: ProcessPoolExecutor, plan: Path, base_seed: int, days: Sequence[int], workers: int
) -> Iterator[Rows]:
    """The days on `pool` in batches, each batch's rows as it finishes; the batches not yet
    started are cancelled if the caller stops early."""
    pending: set[Future[Rows]] = {
        pool.submit(_pool_batch, str(plan), base_seed, batch) for batch in batches(days, workers)
    }
    try:
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()
    finally:
        for future in pending:
            future.cancel()
