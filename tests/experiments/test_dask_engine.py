"""The Dask engine on a real local cluster (worker processes on loopback): the same rows as
the local engine, and a scheduler that cannot be reached named in a clear error."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from lrtsim.errors import LrtsimError
from lrtsim.experiments.dask_engine import dask_runner, open_dask
from lrtsim.experiments.day_cache import DayCache
from lrtsim.experiments.days import PreparedDay, prepare, run_days
from lrtsim.model.load import load_scenario
from lrtsim.pipeline import configure

INCIDENT = "08:15,track_blocked,Baiterek,House of Ministries,12"


@pytest.fixture(scope="module")
def prepared() -> PreparedDay:
    return prepare(load_scenario("astana"), None)


def test_dask_workers_give_the_local_engines_rows(prepared: PreparedDay, tmp_path: Path) -> None:
    """Two plans on one cluster (each scattered in turn, as a sweep or a design search does)
    give the local engine's rows; the days kept in the cache by Dask read back the same."""
    local = run_days(prepared, 5, range(4), workers=1)
    disturbed = prepare(configure(load_scenario("astana"), [INCIDENT]), None)
    counted: list[int] = []
    with open_dask(2) as engine:
        on_dask = engine.runner(prepared, 5)(range(4), counted.append)
        second = engine.runner(disturbed, 5, DayCache(tmp_path, "k"))(range(3), None)
    pd.testing.assert_frame_equal(on_dask, local, check_exact=True)
    assert sum(counted) == 4
    expected = run_days(disturbed, 5, range(3), workers=1)
    pd.testing.assert_frame_equal(second, expected, check_exact=True)
    assert DayCache(tmp_path, "k").rows(range(3)) == expected.to_dict("records")


def test_an_unreachable_scheduler_is_a_clear_error(prepared: PreparedDay) -> None:
    where = re.escape("cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    with pytest.raises(LrtsimError, match=where), dask_runner(prepared, 0, 1, "tcp://127.0.0.1:9"):
        pass
