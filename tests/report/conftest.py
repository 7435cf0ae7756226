"""Runs of the Astana scenario for the report's tests, and a small Monte Carlo experiment,
made once per test session."""

from __future__ import annotations

import pytest

from lrtsim.model.load import load_scenario
from lrtsim.pipeline import RunResult, configure, run_pipeline
from support.montecarlo import EXPERIMENT_DAYS, EXPERIMENT_SEED, WORST_COUNT, Experiment

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


@pytest.fixture(scope="session")
def astana_experiment() -> Experiment:
    """`EXPERIMENT_DAYS` Astana days from base seed `EXPERIMENT_SEED`, on one worker, summarised
    as the command does, and its `WORST_COUNT` worst days by excess wait."""
    from lrtsim.cli.experiment import SUMMARISED
    from lrtsim.experiments.days import prepare, run_days
    from lrtsim.experiments.stats import summarize_table
    from lrtsim.experiments.worst_days import worst_days
    from lrtsim.io.od_csv import scenario_od_matrix

    scenario = load_scenario("astana")
    prepared = prepare(scenario, scenario_od_matrix(scenario, "astana"))
    table = run_days(prepared, EXPERIMENT_SEED, range(EXPERIMENT_DAYS), workers=1)
    kpis = [k for k in SUMMARISED if table[k].notna().any()]
    summaries = summarize_table(table, kpis, seed=EXPERIMENT_SEED)
    worst = worst_days(prepared, table, "excess_wait_s", WORST_COUNT)
    return Experiment(prepared, EXPERIMENT_SEED, table, summaries, worst)
