"""The Astana weekday planned once per session (scenario, plan)."""

from __future__ import annotations

import pytest

from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Scenario
from lrtsim.planning.day_types import make_day_plans
from lrtsim.planning.plan import ServicePlan


@pytest.fixture(scope="session")
def astana_weekday() -> tuple[Scenario, ServicePlan]:
    scenario = load_scenario("astana")
    plans = {p.day_type: p.plan for p in make_day_plans(scenario)}
    return scenario, plans["weekday"]
