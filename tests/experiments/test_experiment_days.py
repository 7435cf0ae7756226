"""Many simulated days: each day's seed spawned from the base seed, rows that depend on the
seeds alone (in this process or on a pool of workers), any day re-run alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lrtsim.experiments.days import (
    DAY_COLUMNS,
    PreparedDay,
    batches,
    prepare,
    run_days,
    simulate_one,
)
from lrtsim.experiments.seeds import day_seed
from lrtsim.model.load import load_scenario
from lrtsim.model.schema import MAX_SEED
from lrtsim.pipeline import configure, simulate

INCIDENT = "08:15,track_blocked,Baiterek,House of Ministries,12"


@pytest.fixture(scope="module")
def prepared() -> PreparedDay:
    return prepare(configure(load_scenario("astana"), [INCIDENT]), None)


@pytest.mark.parametrize("base", [0, 1, 12345, MAX_SEED])
def test_day_seeds_are_numpys_spawned_children(base: int) -> None:
    """Day i's seed is the i-th child of `SeedSequence(base).spawn`, numpy's own API for
    independent streams, so that the sequence is numpy's and not ours."""
    children = np.random.SeedSequence(base).spawn(20)
    expected = [int(c.generate_state(1, np.uint64)[0]) >> 1 for c in children]
    assert [day_seed(base, i) for i in range(20)] == expected
    assert len(set(expected)) == 20
    assert all(0 <= s <= MAX_SEED for s in expected)


def test_day_seeds_refuse_what_is_no_seed() -> None:
    with pytest.raises(ValueError, match="outside"):
        day_seed(-1, 0)
    with pytest.raises(ValueError, match="outside"):
        day_seed(MAX_SEED + 1, 0)
    with pytest.raises(ValueError, match="negative"):
        day_seed(0, -1)


@pytest.mark.parametrize(("n", "workers"), [(1, 1), (7, 1), (7, 2), (100, 2), (5, 8)])
def test_batches_cover_every_day_once_in_order(n: int, workers: int) -> None:
    cut = batches(list(range(n)), workers)
    assert [d for b in cut for d in b] == list(range(n))
    assert all(b for b in cut)


def test_rows_do_not_depend_on_the_workers(prepared: PreparedDay) -> None:
    alone = run_days(prepared, 7, range(4), workers=1)
    pooled = run_days(prepared, 7, range(4), workers=2)
    pd.testing.assert_frame_equal(alone, pooled)
    assert list(alone.columns[: len(DAY_COLUMNS)]) == list(DAY_COLUMNS)
    assert list(alone["day"]) == [0, 1, 2, 3]
    assert list(alone["seed"]) == [day_seed(7, i) for i in range(4)]
    # Different seeds, different days: the draws are not all the same.
    assert alone["mean_wait_s"].nunique() == 4


def test_a_day_is_the_pipelines_day_of_its_seed(prepared: PreparedDay) -> None:
    """Any day re-run alone, through the pipeline with its seed, gives its row's KPIs."""
    table = run_days(prepared, 3, [0, 2], workers=1)
    seed = int(table.loc[1, "seed"])
    assert seed == day_seed(3, 2)
    _, reference, kpis, _ = simulate(prepared.design, prepared.day, seed)
    assert reference is not None  # the incident: each day has its reference day
    row = table.loc[1].to_dict()
    for key, value in kpis.as_dict().items():
        assert row[key] == (pytest.approx(value, nan_ok=True) if value is not None else None)
    assert simulate_one(prepared, 3, 2) == {"day": 2, "seed": seed, **kpis.as_dict()}


def test_progress_counts_every_day(prepared: PreparedDay) -> None:
    counted: list[int] = []
    run_days(prepared, 1, range(3), workers=1, done=counted.append)
    assert sum(counted) == 3
    with pytest.raises(ValueError, match="at least 1"):
        run_days(prepared, 1, range(3), workers=0)
