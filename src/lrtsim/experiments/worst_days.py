"""The worst days of an experiment by one KPI, simulated again from their seeds, for the
report's time–distance diagrams: the days table keeps only each day's KPIs, and a day's seed
gives the whole day back (`experiments.seeds`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lrtsim.errors import LrtsimError
from lrtsim.report.montecarlo_page import WorstDay

if TYPE_CHECKING:
    from lrtsim.experiments.days import PreparedDay

WORST_BY = "excess_wait_s"
"""The KPI the worst days are picked by, unless told otherwise."""
WORST_COUNT = 3
"""How many worst days the report draws (each diagram is some 0.9 MB of the page)."""
HIGHER_IS_BETTER = frozenset(
    {"punctuality_pct", "terminal_punctuality_pct", "trips_operated", "passengers_counted"}
)
"""KPIs whose worst days are their lowest; every other KPI's worst days are its highest."""


def worst_rows(table: pd.DataFrame, kpi: str = WORST_BY, count: int = WORST_COUNT) -> pd.DataFrame:
    """The `count` rows of the days table worst by `kpi` (highest, or lowest for a KPI of
    `HIGHER_IS_BETTER`), worst first, ties to the earlier day; days without a finite value are
    never picked. Raises `LrtsimError` naming the KPI when the table has no such numeric
    column."""
    if count < 0:
        raise ValueError(f"count must be at least 0, not {count}")
    if kpi not in table.columns or kpi in ("day", "seed"):
        kpis = [c for c in table.columns if c not in ("day", "seed")]
        raise LrtsimError(f"no KPI '{kpi}' in the days table; its KPIs are {', '.join(kpis)}")
    try:
        values = pd.to_numeric(table[kpi], errors="raise").to_numpy(np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise LrtsimError(f"the KPI '{kpi}' is not a number; pick a numeric KPI") from None
    finite = np.isfinite(values)
    rows = table.loc[finite].assign(
        _key=-values[finite] if kpi not in HIGHER_IS_BETTER else values[finite]
    )
    ordered = rows.sort_values(["_key", "day"], kind="stable")
    worst: pd.DataFrame = ordered.drop(columns="_key").head(count)
    return worst


def worst_days(
    prepared: PreparedDay, table: pd.DataFrame, kpi: str = WORST_BY, count: int = WORST_COUNT
) -> list[WorstDay]:
    """The `count` worst days by `kpi` (`worst_rows`), each simulated again from its seed on
    `prepared` (the plan the table was made on), worst first.

    Raises RuntimeError when a day simulated again does not give its row's value of `kpi`:
    the table was not made on `prepared`, or a day no longer depends on its seed alone.
    """
    from lrtsim.pipeline import simulate

    picked = worst_rows(table, kpi, count)
    out = []
    for day, seed, value in zip(picked["day"], picked["seed"], picked[kpi], strict=True):
        result, _, figures, _ = simulate(prepared.design, prepared.day, int(seed))
        again = figures.as_dict()[kpi]
        if not (
            isinstance(again, int | float)
            and math.isclose(float(again), float(value), rel_tol=1e-9, abs_tol=1e-12)
        ):
            raise RuntimeError(
                f"day {day} (seed {seed}) simulated again gives {kpi} = {again!r}, "
                f"not the table's {value!r}"
            )
        out.append(
            WorstDay(
                day=int(day),
                seed=int(seed),
                kpi=kpi,
                value=float(value),
                highest=kpi not in HIGHER_IS_BETTER,
                scenario=prepared.day,
                result=result,
                kpis=figures,
            )
        )
    return out
