"""Many simulated days of one plan, one row of KPIs a day: in this process, or on a local
process pool (`engine = "local"`), with results that depend on the seeds alone.

The plan is made once (`prepare`); the engines (`engine.py`, `dask_engine.py`) hand it to every
worker once and send days out in batches, each carrying several days' work.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.experiments.seeds import day_seed

if TYPE_CHECKING:
    from lrtsim.model.schema import Scenario
    from lrtsim.planning.day_types import DayPlan

DAY_COLUMNS = ("day", "seed")
"""The first columns of the days table; the KPIs (`Kpis.as_dict`) follow."""

TASKS_PER_WORKER = 8
"""Batches per worker: enough to balance the load, few enough that each carries ≥ 100 ms."""


@dataclass(frozen=True, eq=False)
class PreparedDay:
    """The plan of the design day and the scenario on that day: what every simulated day of an
    experiment shares."""

    design: DayPlan
    day: Scenario


def prepare(scenario: Scenario, daily_matrix: npt.NDArray[np.float64] | None) -> PreparedDay:
    """Plan every day type once (as `lrtsim run` does) and keep the design day."""
    from lrtsim.pipeline import design_scenario, plan_days
    from lrtsim.planning.day_types import design_day

    _, _, plans = plan_days(scenario, daily_matrix)
    design = design_day(plans)
    return PreparedDay(design=design, day=design_scenario(scenario, design))


def simulate_one(prepared: PreparedDay, base_seed: int, day: int) -> dict[str, Any]:
    """Day `day`'s row: its index, its seed and its KPIs (with the delay against its own
    reference day when the scenario is disturbed)."""
    from lrtsim.pipeline import simulate

    seed = day_seed(base_seed, day)
    _, _, kpis, _ = simulate(prepared.design, prepared.day, seed)
    return {"day": day, "seed": seed, **kpis.as_dict()}


def batches(days: Sequence[int], workers: int) -> list[list[int]]:
    """`days` cut into about `TASKS_PER_WORKER` batches a worker, in order."""
    size = max(1, math.ceil(len(days) / (max(1, workers) * TASKS_PER_WORKER)))
    return [list(days[i : i + size]) for i in range(0, len(days), size)]


def run_days(
    prepared: PreparedDay,
    base_seed: int,
    days: Sequence[int],
    *,
    workers: int = 1,
    done: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """The rows of `days` (day indices), sorted by day, simulated in this process
    (`workers` = 1) or on a pool of `workers` processes started for this call; `done(n)` is
    called as n more days finish. The rows are the same whatever `workers` is: each day's
    draws come from its seed."""
    with local_runner(prepared, base_seed, workers) as run:
        return run(days, done)


Runner = Callable[[Sequence[int], Callable[[int], None] | None], pd.DataFrame]
"""Simulates the given days (`done(n)` as n more finish) and returns their rows: what an engine
gives the experiments while it is open."""


@contextmanager
def local_runner(prepared: PreparedDay, base_seed: int, workers: int) -> Iterator[Runner]:
    """The local engine's runner of one plan: days in this process (`workers` = 1) or on one
    pool of `workers` processes kept open while the runner is."""
    from lrtsim.experiments.engine import open_engine

    with open_engine("local", workers) as engine:
        yield engine.runner(prepared, base_seed)


def day_table(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Rows as the days table: `DAY_COLUMNS` then the KPIs, sorted by day."""
    table = pd.DataFrame(list(rows))
    if table.empty:
        return pd.DataFrame(columns=list(DAY_COLUMNS))
    ordered = [*DAY_COLUMNS, *(c for c in table.columns if c not in DAY_COLUMNS)]
    return table[ordered].sort_values("day", kind="stable").reset_index(drop=True)


def default_workers() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
