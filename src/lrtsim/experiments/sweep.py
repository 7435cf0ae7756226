"""A parameter sweep (`lrtsim experiment sweep`): every point of a `--set` grid planned and
simulated for the same days from the same base seed (common random numbers, so two points
differ by their parameters alone), and the tables of its results.

The tables hold one column per parameter, named by its key path; a parameter whose values are
not all numbers, or not all text, or not all booleans (a list, a table, a mix) is written as
the values' text, so every column has one type.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from lrtsim.errors import LrtsimError
from lrtsim.experiments.overrides import Grid, GridPoint, Setting, build_grid
from lrtsim.experiments.stats import STATISTICS, KpiSummary

if TYPE_CHECKING:
    from lrtsim.experiments.days import PreparedDay
    from lrtsim.model.schema import Scenario

CHART_KPIS = (
    "excess_wait_s",
    "mean_wait_s",
    "punctuality_pct",
    "denied_boarding_pct",
    "peak_load_factor",
    "energy_kwh",
)
"""The KPIs a sweep prints and charts against its first parameter (all are in the tables)."""

POINT_COLUMNS = ("point",)
PLAN_COLUMNS = ("day_type", "fleet", "trains_in_service", "days")
"""Columns of the points table: the point's number, the parameters, then these, then the KPIs."""


@dataclass(frozen=True, eq=False)
class PointResult:
    """One grid point run: its design day type, the fleet and the trains in service at the
    peak its plan needs, its days (the days table) and their KPI summaries."""

    point: GridPoint
    day_type: str
    fleet: int
    trains_in_service: int
    days: pd.DataFrame
    summaries: tuple[KpiSummary, ...]


def sweep_grid(base: Scenario, settings: Sequence[Setting], source: str) -> Grid:
    """`build_grid`, refusing a `seed` setting: every point runs from the base seed (`--seed`),
    so a point's own seed would change nothing."""
    for s in settings:
        if s.keys == ("seed",):
            raise LrtsimError(
                f"--set {s.path}=…: every point runs from the same base seed, so setting the "
                "scenario's seed changes nothing; give --seed to run the sweep from another"
            )
    return build_grid(base, settings, source)


def point_result(
    point: GridPoint, prepared: PreparedDay, days: pd.DataFrame, summaries: Sequence[KpiSummary]
) -> PointResult:
    """A point's result, from its plan (the fleet, and the trains in service at the peak, of
    its design day) and its days."""
    circulation = prepared.design.plan.circulation
    return PointResult(
        point=point,
        day_type=prepared.design.day_type,
        fleet=circulation.fleet_required,
        trains_in_service=circulation.in_service_peak,
        days=days,
        summaries=tuple(summaries),
    )


def column_values(setting: Setting) -> list[Any]:
    """The setting's values as its table column holds them: as they are when all are numbers,
    all text or all booleans; else as their text."""
    values = list(setting.values)
    if all(isinstance(v, bool) for v in values) or all(isinstance(v, str) for v in values):
        return values
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return values
    return list(setting.texts)


def parameter_columns(grid: Grid) -> dict[str, list[Any]]:
    """Each parameter's column name (its key path) and each point's value in it."""
    columns = {s.path: column_values(s) for s in grid.settings}
    return {
        s.path: [columns[s.path][p.choice[k]] for p in grid.points]
        for k, s in enumerate(grid.settings)
    }


def summarised_kpis(results: Sequence[PointResult]) -> list[str]:
    """The KPIs summarised at any point, in the order of the first point that has each."""
    kpis: list[str] = []
    for r in results:
        kpis += [s.kpi for s in r.summaries if s.kpi not in kpis]
    return kpis


def points_table(grid: Grid, results: Sequence[PointResult]) -> pd.DataFrame:
    """One row per point: its number, the parameters, the day type, fleet, trains in service
    and days, then each KPI's mean, p50, p90 and p95 with their interval (`KPI_STAT`,
    `KPI_STAT_low`, `KPI_STAT_high`); NaN where a point has no value."""
    kpis = summarised_kpis(results)
    table: dict[str, list[Any]] = {"point": [r.point.index for r in results]}
    params = parameter_columns(grid)
    by_index = {p.index: i for i, p in enumerate(grid.points)}
    for name, values in params.items():
        table[name] = [values[by_index[r.point.index]] for r in results]
    table["day_type"] = [r.day_type for r in results]
    table["fleet"] = [r.fleet for r in results]
    table["trains_in_service"] = [r.trains_in_service for r in results]
    table["days"] = [len(r.days) for r in results]
    for kpi in kpis:
        found = [{s.kpi: s for s in r.summaries}.get(kpi) for r in results]
        for stat in STATISTICS:
            estimates = [None if s is None else s.estimate(stat) for s in found]
            table[f"{kpi}_{stat}"] = [math.nan if e is None else e.value for e in estimates]
            table[f"{kpi}_{stat}_low"] = [math.nan if e is None else e.low for e in estimates]
            table[f"{kpi}_{stat}_high"] = [math.nan if e is None else e.high for e in estimates]
    return pd.DataFrame(table)


def days_table(grid: Grid, results: Sequence[PointResult]) -> pd.DataFrame:
    """Every day of every point, in point then day order: `point`, the parameters, then the
    days table's columns (`day`, `seed`, the KPIs)."""
    params = parameter_columns(grid)
    by_index = {p.index: i for i, p in enumerate(grid.points)}
    frames = []
    for r in results:
        head = {"point": r.point.index}
        head.update({name: values[by_index[r.point.index]] for name, values in params.items()})
        frame = r.days.copy()
        for position, (name, value) in enumerate(head.items()):
            frame.insert(position, name, [value] * len(frame))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def sweep_payload(
    scenario: str, seed: int, days: int, workers: int, grid: Grid, results: Sequence[PointResult]
) -> dict[str, Any]:
    """summary.json (and `--json` without `out` and `files`): the scenario, base seed, days
    per point, the parameters and their values, and each point with its summaries."""
    return {
        "scenario": scenario,
        "seed": seed,
        "days_per_point": days,
        "workers": workers,
        "parameters": [
            {"path": s.path, "values": list(s.values), "texts": list(s.texts)}
            for s in grid.settings
        ],
        "points": [
            {
                "point": r.point.index,
                "values": list(r.point.values),
                "set": [f"{s.path}={t}" for s, t in zip(grid.settings, r.point.texts, strict=True)],
                "day_type": r.day_type,
                "fleet": r.fleet,
                "trains_in_service": r.trains_in_service,
                "days": len(r.days),
                "summaries": {s.kpi: s.as_dict() for s in r.summaries},
            }
            for r in results
        ],
    }


def record_summary(payload: dict[str, Any]) -> dict[str, Any]:
    """The sweep as the catalogue keeps it, short enough to read in `experiment show`: the
    parameters, and each point's settings, fleet, trains in service and the means of
    `CHART_KPIS` (summary.json keeps every statistic)."""
    return {
        "days_per_point": payload["days_per_point"],
        "parameters": [{"path": p["path"], "texts": p["texts"]} for p in payload["parameters"]],
        "points": [
            {
                "point": p["point"],
                "set": p["set"],
                "fleet": p["fleet"],
                "trains_in_service": p["trains_in_service"],
                "means": {
                    kpi: p["summaries"][kpi]["mean"]["value"]
                    for kpi in CHART_KPIS
                    if kpi in p["summaries"]
                },
            }
            for p in payload["points"]
        ],
    }
