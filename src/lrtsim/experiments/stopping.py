"""Simulate days until a KPI's confidence interval is narrow enough (`--until-ci KPI=HALF_WIDTH`):
a stopping rule instead of a guessed number of days."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from lrtsim.errors import LrtsimError
from lrtsim.experiments.days import Runner
from lrtsim.experiments.stats import narrow_enough, summarize

ROUND_DAYS = 20
"""Days added between two looks at the interval. Fixed (not per worker), so that where the rule
stops depends on the seeds alone."""

STOPPING_KPIS = (
    "punctuality_pct",
    "mean_wait_s",
    "p95_wait_s",
    "excess_wait_s",
    "headway_cv",
    "denied_boarding_pct",
    "mean_journey_s",
    "peak_load_factor",
    "energy_kwh",
    "delay_passenger_hours",
)
"""KPIs a stopping rule may name."""


@dataclass(frozen=True)
class StopRule:
    """Stop once the 95 % interval of `kpi`'s mean is at most `half_width` on each side (in the
    KPI's own unit)."""

    kpi: str
    half_width: float

    @property
    def text(self) -> str:
        return f"{self.kpi}={self.half_width:g}"


def parse_rule(text: str) -> StopRule:
    """`KPI=HALF_WIDTH` as a rule; `LrtsimError` naming what is wrong."""
    kpi, sep, value = text.partition("=")
    kpi = kpi.strip()
    if not sep:
        raise LrtsimError(f"'{text}' is not KPI=HALF_WIDTH (e.g. excess_wait_s=0.5)")
    if kpi not in STOPPING_KPIS:
        raise LrtsimError(
            f"'{kpi}' is not a KPI a rule may name; one of {', '.join(STOPPING_KPIS)}"
        )
    try:
        half = float(value)
    except ValueError:
        raise LrtsimError(
            f"'{value.strip()}' is not a number (the half-width, in {kpi}'s unit)"
        ) from None
    if not math.isfinite(half) or half <= 0:
        raise LrtsimError(f"the half-width must be a positive finite number, not {value.strip()}")
    return StopRule(kpi=kpi, half_width=half)


def run_until(
    run: Runner,
    rule: StopRule,
    max_days: int,
    *,
    seed: int = 0,
    done: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, bool]:
    """Days 0, 1, … on `run` (an engine's runner) in rounds of `ROUND_DAYS`, until `rule` holds
    for the days so far (its interval drawn with `seed`) or `max_days` are done; the days table,
    and whether the rule was met. The days are the first n of the fixed sequence, so where it
    stops depends on the seeds alone, not on the engine or its workers."""
    tables: list[pd.DataFrame] = []
    simulated = 0
    while simulated < max_days:
        chunk = range(simulated, min(simulated + ROUND_DAYS, max_days))
        tables.append(run(chunk, done))
        simulated = chunk.stop
        table = pd.concat(tables, ignore_index=True)
        summary = summarize(rule.kpi, table[rule.kpi].to_numpy(float), seed=seed)
        if summary.days >= 2 and narrow_enough(summary, "mean", rule.half_width):
            return table, True
    return pd.concat(tables, ignore_index=True), False
