"""Runs of the Astana scenario for the report's tests, made once per test session."""

from __future__ import annotations

import pytest

from lrtsim.model.load import load_scenario
from lrtsim.pipeline import RunResult, configure, run_pipeline

INCIDENT = "08:15,track_blocked,Baiterek,House of Ministries,12"
"""A 12-minute blockage in the morning peak: the disturbed run's one incident."""


@pytest.fixture(scope="session")
def astana_run() -> RunResult:
    """The Astana design day with `INCIDENT` (and so a reference day), seed 1."""
    return run_pipeline(configure(load_scenario("astana"), [INCIDENT]), seed=1)


@pytest.fixture(scope="session")
def astana_calm() -> RunResult:
    """The Astana design day as the scenario states it (no incident, no reference day), seed 1."""
    return run_pipeline(load_scenario("astana"), seed=1)
