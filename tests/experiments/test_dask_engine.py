"""The Dask engine on a real local cluster (worker processes on loopback): the same rows as
the local engine, and a scheduler that cannot be reached named in a clear error."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from lrtsim.errors import LrtsimError
from lrtsim.experiments.dask_engine import dask_runner
from lrtsim.experiments.days import PreparedDay, prepare, run_days
from lrtsim.model.load import load_scenario


@pytest.fixture(scope="module")
def prepared() -> PreparedDay:
    return prepare(load_scenario("astana"), None)


def test_dask_workers_give_the_local_engines_rows(prepared: PreparedDay) -> None:
    local = run_days(prepared, 5, range(4), workers=1)
    counted: list[int] = []
    with dask_runner(prepared, 5, 2) as run:
        on_dask = run(range(4), counted.append)
    pd.testing.assert_frame_equal(on_dask, local)
    assert sum(counted) == 4


def test_an_unreachable_scheduler_is_a_clear_error(prepared: PreparedDay) -> None:
    where = re.escape("cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    with pytest.raises(LrtsimError, match=where), dask_runner(prepared, 0, 1, "tcp://127.0.0.1:9"):
        pass
