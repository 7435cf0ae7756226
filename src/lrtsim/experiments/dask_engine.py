"""The Dask engine: days on a `distributed` cluster — a scheduler's address, or a cluster of
local worker processes started for the experiment — with the same rows as the local engine.

The plan is scattered to every worker once; days go out in batches (`days.batches`, about
`TASKS_PER_WORKER` a worker, each of several days, far above Dask's ~1 ms per task) and come
back as they finish. A worker lost mid-batch has its batch run again elsewhere by the
scheduler: a day's rows depend on its seed alone, so the result does not change.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from lrtsim.errors import LrtsimError
from lrtsim.experiments.days import PreparedDay, Runner, batches, simulate_one
from lrtsim.experiments.engine import DayStore, stored_runner

LOCAL_WORKER_CONFIG = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 128 * 2**20,
    "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": 32 * 2**20,
    "distributed.worker.profile.enabled": False,
}
"""What the local cluster's workers change from Dask's defaults (measured, docs/performance.md).
Dask's MALLOC_TRIM_THRESHOLD_=65536, and a task's thread allocating from its own glibc arena,
give the memory of a day's large arrays back to the kernel and fault it in again: eight times the
page faults and 25–45 % more CPU a day; memory is kept instead (a trim above 128 MiB, mmap only
above 32 MiB). The statistical profiler, sampling every 10 ms, is off."""
CONNECT_TIMEOUT_S = 10.0
"""How long to wait for a scheduler before giving up (`LrtsimError`)."""


def dask_batch(prepared: PreparedDay, base_seed: int, days: list[int]) -> list[dict[str, Any]]:
    """The rows of a batch of days, on a worker."""
    return [simulate_one(prepared, base_seed, day) for day in days]


class DaskEngine:
    """An open client: each plan is scattered to every worker once, its days sent in batches;
    the cluster releases a plan once its runner is dropped."""

    def __init__(self, client: Any, workers: int) -> None:
        self._client = client
        self.workers = workers

    def runner(
        self, prepared: PreparedDay, base_seed: int, store: DayStore | None = None
    ) -> Runner:
        """See `engine.Engine.runner`."""
        plan = self._client.scatter(prepared, broadcast=True)
        client, size = self._client, self.workers

        def stream(days: Sequence[int]) -> Iterator[list[dict[str, Any]]]:
            from distributed import as_completed

            futures = [
                client.submit(dask_batch, plan, base_seed, batch, pure=False)
                for batch in batches(days, size)
            ]
            try:
                for future in as_completed(futures):
                    yield future.result()
            finally:
                client.cancel(futures)

        return stored_runner(stream, store)


@contextmanager
def open_dask(workers: int, scheduler: str | None = None) -> Iterator[DaskEngine]:
    """A Dask engine on the cluster whose scheduler is at `scheduler` (`tcp://HOST:PORT`), or
    on a `LocalCluster` of `workers` single-threaded worker processes on loopback when none is
    given; closed (and a local cluster stopped) when the block ends."""
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if scheduler is None:
            import dask

            with dask.config.set(LOCAL_WORKER_CONFIG):
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    # The scheduler's HTTP server (health, metrics) on a free loopback port,
                    # not on every interface at 8787.
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                )
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        where = scheduler or "a local cluster"
        raise LrtsimError(f"cannot reach the Dask scheduler at {where}: {exc}") from None
    try:
        threads = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
        yield DaskEngine(client, max(1, threads or workers))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextmanager
def dask_runner(
    prepared: PreparedDay, base_seed: int, workers: int, scheduler: str | None = None
) -> Iterator[Runner]:
    """The Dask engine's runner of one plan (see `open_dask`)."""
    with open_dask(workers, scheduler) as engine:
        yield engine.runner(prepared, base_seed)
