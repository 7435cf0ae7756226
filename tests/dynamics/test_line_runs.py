"""LineRuns: each run of a line computed once, the same as asking the running-time engine."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lrtsim.dynamics.line_runs import line_runs
from lrtsim.dynamics.load_cases import CAPACITY_LOAD, PLANNING_LOAD
from lrtsim.dynamics.nonstop import empty_run_s
from lrtsim.dynamics.runtime import running_times
from lrtsim.model.schema import Line, RollingStock, Scenario, Service


@pytest.fixture
def scenario(make_stock: Callable[..., RollingStock], make_line: Callable[..., Line]) -> Scenario:
    stock = make_stock(max_tractive_effort_kn=80.0, davis_a_kn=1.0, davis_c_kn_per_kmh2=0.0003)
    return Scenario(
        name="three stations",
        line=make_line([0.0, 1.1, 2.5]),
        rolling_stock=stock,
        service=Service(allowance_pct=8.0),
    )


def test_the_runs_are_the_engines(scenario: Scenario) -> None:
    runs = line_runs(scenario)
    full = running_times(scenario, load=CAPACITY_LOAD)
    half = running_times(scenario, load=PLANNING_LOAD, allowance_pct=8.0)
    for got, want in [*zip(runs.minimum, full, strict=True), *zip(runs.planned, half, strict=True)]:
        assert got.direction == want.direction
        assert got.profile.run_time_s == want.profile.run_time_s
        assert got.dwell_s == want.dwell_s
    assert [r.allowance_pct for r in runs.planned] == [8.0, 8.0]
    assert runs.planned[0].profile.run_time_s > runs.planned[0].minimum.run_time_s
    assert runs.empty_s(2.5, 0.0) == empty_run_s(scenario, 2.5, 0.0)


def test_each_run_is_computed_once(scenario: Scenario) -> None:
    runs = line_runs(scenario)
    assert runs.minimum is runs.minimum
    assert runs.planned is runs.planned
    assert runs.empty_s(0.0, 2.5) == runs.empty_s(0.0, 2.5)
    assert len(runs._empty_s) == 1
