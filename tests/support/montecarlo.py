"""The small Monte Carlo experiment the report's tests build a page from (made once a session
by the `astana_experiment` fixture of tests/report/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lrtsim.experiments.days import PreparedDay
from lrtsim.experiments.stats import KpiSummary
from lrtsim.report.montecarlo_page import WorstDay


@dataclass(frozen=True, eq=False)
class Experiment:
    """A small Monte Carlo experiment of the Astana design day, as `experiment montecarlo`
    makes it: the plan, the days table, its summaries and its worst days simulated again."""

    prepared: PreparedDay
    base_seed: int
    table: pd.DataFrame
    summaries: list[KpiSummary]
    worst: list[WorstDay]


EXPERIMENT_DAYS = 6
EXPERIMENT_SEED = 23
WORST_COUNT = 3
