"""The Dask engine: days on a `distributed` cluster — a scheduler's address, or a cluster of
local worker processes started for the experiment — with the same rows as the local engine.

The plan is scattered to every worker once; days go out in batches (`days.batches`, about
`TASKS_PER_WORKER` a worker, each of several days, far above Dask's ~1 ms per task) and come
back as they finish. A worker lost mid-batch has its batch run again elsewhere by the
scheduler: a day's rows depend on its seed alone, so the result does not change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd

from lrtsim.errors import LrtsimError
from lrtsim.experiments.days import PreparedDay, Runner, batches, day_table, simulate_one

CONNECT_TIMEOUT_S = 10.0
"""How long to wait for a scheduler before giving up (`LrtsimError`)."""


def dask_batch(prepared: PreparedDay, base_seed: int, days: list[int]) -> list[dict[str, Any]]:
    """The rows of a batch of days, on a worker."""
    return [simulate_one(prepared, base_seed, day) for day in days]


@contextmanager
def dask_runner(
    prepared: PreparedDay, base_seed: int, workers: int, scheduler: str | None = None
) -> Iterator[Runner]:
    """A runner on the cluster whose scheduler is at `scheduler` (`tcp://HOST:PORT`), or on a
    `LocalCluster` of `workers` single-threaded worker processes on loopback when none is
    given; closed (and a local cluster stopped) when the block ends."""
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if scheduler is None:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
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
        plan = client.scatter(prepared, broadcast=True)
        size = max(1, len(client.scheduler_info().get("workers", {})) or workers)

        def run(days: Sequence[int], done: Callable[[int], None] | None) -> pd.DataFrame:
            from distributed import as_completed

            futures = [
                client.submit(dask_batch, plan, base_seed, batch, pure=False)
                for batch in batches(days, size)
            ]
            rows: list[dict[str, Any]] = []
            for future in as_completed(futures):
                got = future.result()
                rows.extend(got)
                if done is not None:
                    done(len(got))
            return day_table(rows)

        yield run
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
