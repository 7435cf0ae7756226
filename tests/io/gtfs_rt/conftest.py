"""The Astana day, plain and with a track blockage, built once for the GTFS-Realtime tests,
with its static gtfs.zip written to a temporary folder and read back as tables."""

from __future__ import annotations

import pytest
from rt_support import INCIDENT, Case, make_case

from lrtsim.model.load import load_scenario
from lrtsim.pipeline import configure, run_pipeline


@pytest.fixture(scope="package")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Case:
    run = run_pipeline(configure(load_scenario("astana"), []))
    return make_case(run, tmp_path_factory.mktemp("plain"))


@pytest.fixture(scope="package")
def blocked(tmp_path_factory: pytest.TempPathFactory) -> Case:
    run = run_pipeline(configure(load_scenario("astana"), [INCIDENT]))
    return make_case(run, tmp_path_factory.mktemp("blocked"))


@pytest.fixture(params=["plain", "blocked"], scope="package")
def case(request: pytest.FixtureRequest) -> Case:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]
