"""The runs the service simulates: a bounded queue in front of a bounded number of worker
processes, each run in a process of its own, so that a worker that crashes takes only its run.

A run is recorded in the catalogue as running when it is accepted (by this process: a run
of a service that was killed is read as interrupted), and as complete or failed when its
worker ends. While it waits or runs, its state (queued, running, progress) is here.
"""

from __future__ import annotations

import functools
import json
import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from lrtsim.errors import LrtsimError
from lrtsim.io.catalogue import Catalogue
from lrtsim.web.models import Progress
from lrtsim.web.worker import RunOrder, RunOutcome, execute, watch_parent

log = logging.getLogger("lrtsim.web")

PROGRESS_FOLDER = ".web-progress"
"""The folder of the runs folder where workers write their progress."""


class QueueFullError(LrtsimError):
    """Every worker is busy and the queue is full: ask again later."""


@dataclass
class Job:
    """A run this service accepted and has not finished recording."""

    id: str
    order: RunOrder
    status: str = "queued"
    error: str | None = None
    executor: ProcessPoolExecutor | None = field(default=None, repr=False)


class RunQueue:
    """Accepts runs while there is room, hands them to worker processes in order, and records
    each one's end in the catalogue."""

    def __init__(self, catalogue: Catalogue, max_running: int, queue_size: int) -> None:
        self._catalogue = catalogue
        self._max_running = max_running
        self._queue_size = queue_size
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._waiting: deque[str] = deque()
        self._running: set[str] = set()
        self._closing = False

    def has_room(self) -> bool:
        """Whether a run asked for now would be accepted."""
        with self._lock:
            return self._room()

    def _room(self) -> bool:
        return len(self._running) + len(self._waiting) < self._max_running + self._queue_size

    def accept(self, make_order: Callable[[], RunOrder]) -> str:
        """Record a new run (`make_order()` records it in the catalogue and gives its order)
        and queue it; its id. `QueueFullError` when there is no room."""
        with self._lock:
            if self._closing or not self._room():
                raise QueueFullError("every worker is busy and the queue is full")
            order = make_order()
            job = Job(id=order.started.id, order=order)
            self._jobs[job.id] = job
            self._waiting.append(job.id)
            started = self._dispatch()
        self._watch(started)
        return job.id

    def state(self, run_id: str) -> tuple[str, Progress | None, str | None] | None:
        """(status, progress, error) of a run waiting or running here; None when it is not."""
        with self._lock:
            job = self._jobs.get(run_id)
            if job is None:
                return None
            status, error = job.status, job.error
        total = job.order.total_steps
        if status == "queued":
            return status, Progress(done=0, total=total), None
        if status == "running":
            return status, _read_progress(job.order.progress_path, total), None
        return status, None, error

    def close(self) -> None:
        """Stop every worker and record what was waiting or running as failed."""
        with self._lock:
            self._closing = True
            jobs = [self._jobs[i] for i in (*self._waiting, *self._running)]
            self._waiting.clear()
        for job in jobs:
            if job.executor is not None:
                processes = list((getattr(job.executor, "_processes", None) or {}).values())
                job.executor.shutdown(wait=False, cancel_futures=True)
                for process in processes:
                    process.terminate()
            self._record(job, None, "the service stopped before the run ended")

    def _dispatch(self) -> list[tuple[Job, Future[RunOutcome]]]:
        """Start waiting runs while a worker is free (the lock held); the runs started."""
        started = []
        while self._waiting and len(self._running) < self._max_running:
            job = self._jobs[self._waiting.popleft()]
            context = multiprocessing.get_context("spawn")
            job.executor = ProcessPoolExecutor(
                max_workers=1,
                mp_context=context,
                initializer=watch_parent,
                initargs=(os.getpid(),),
            )
            job.status = "running"
            self._running.add(job.id)
            started.append((job, job.executor.submit(execute, job.order)))
        return started

    def _watch(self, started: list[tuple[Job, Future[RunOutcome]]]) -> None:
        """Each run's end handled when its worker ends (the lock not held: a callback may run
        at once)."""
        for job, future in started:
            future.add_done_callback(functools.partial(self._ended, job))

    def _ended(self, job: Job, done: Future[RunOutcome]) -> None:
        """A worker's end: recorded, its process let go, the next run started."""
        try:
            outcome: RunOutcome | None = done.result()
            error = None if outcome is None else outcome.error
        except BaseException as exc:  # the worker died (BrokenProcessPool) or was cancelled
            outcome, error = None, f"the worker process ended unexpectedly ({type(exc).__name__})"
        if job.executor is not None:
            job.executor.shutdown(wait=False)
        with self._lock:
            if self._closing:
                return
        self._record(job, outcome, error)
        with self._lock:
            self._running.discard(job.id)
            started = self._dispatch()
        self._watch(started)

    def _record(self, job: Job, outcome: RunOutcome | None, error: str | None) -> None:
        """The run's end in the catalogue; the job forgotten once it is recorded there."""
        try:
            if error is None and outcome is not None and outcome.folder is not None:
                self._catalogue.complete(job.id, folder=outcome.folder, kpis=outcome.kpis or {})
            else:
                self._catalogue.fail(job.id, error or "the run wrote no folder")
        except LrtsimError as exc:
            log.error("run %s could not be recorded: %s", job.id, exc)
            with self._lock:
                job.status, job.error = "failed", f"{error or 'complete'}; not recorded: {exc}"
            return
        job.order.progress_path.unlink(missing_ok=True)
        with self._lock:
            self._jobs.pop(job.id, None)


def _read_progress(path: Path, total: int) -> Progress:
    """The progress a worker last wrote (none yet: 0 done)."""
    try:
        data = json.loads(path.read_text("utf-8"))
        return Progress(done=int(data["done"]), total=total, step=str(data["step"]))
    except (OSError, ValueError, KeyError, TypeError):
        return Progress(done=0, total=total)
