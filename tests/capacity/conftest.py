"""Fixtures of the capacity tests (builders live in `capacity_support.py`)."""

from __future__ import annotations

import pytest
from capacity_support import synthetic_scenario

from lrtsim.capacity.analysis import HeadwayAnalysis, analyse
from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Scenario


@pytest.fixture(scope="session")
def astana() -> Scenario:
    return load_scenario("astana")


@pytest.fixture(scope="session")
def astana_analysis(astana: Scenario) -> HeadwayAnalysis:
    return analyse(astana)


@pytest.fixture(scope="session")
def synthetic() -> Scenario:
    return synthetic_scenario()


@pytest.fixture(scope="session")
def synthetic_analysis(synthetic: Scenario) -> HeadwayAnalysis:
    return analyse(synthetic)
