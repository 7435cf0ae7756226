"""sweep.html of a parameter sweep: the grid, each point's fleet and KPI means with their
intervals, and the KPIs against the first parameter (`sweep_charts`), on the report's page
(`html.page_html`: plotly.js embedded once, offline, printable).

The sweep is read as plain inputs — its points table (sweep.csv) and its parameters — so that
the report never imports the experiments layer above it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

import lrtsim
from lrtsim.report.distribution_charts import kpi_label, kpi_unit
from lrtsim.report.estimate_text import estimate_texts
from lrtsim.report.html import page_html
from lrtsim.report.sections import Chart, Section, Table
from lrtsim.report.sweep_charts import charted_kpis, parameter_unit, value_text

KICKER = "Light-rail simulation: parameter sweep"


def sweep_report(
    *,
    chart: Chart,
    table: pd.DataFrame,
    parameters: Sequence[tuple[str, Sequence[str]]],
    kpis: Sequence[str],
    scenario: str,
    days: int,
    seed: int,
    generated: str,
    level: float = 0.95,
) -> bytes:
    """The sweep's sweep.html (UTF-8 bytes), the same for the same inputs: `chart` is
    `sweep_chart` of `table` (the points table), `parameters` each key path with its values as
    given, `kpis` those whose means the points table shows; `generated` the date as it should
    read."""
    points = len(table)
    meta = (
        ("Scenario", scenario),
        ("Points", f"{points:,}"),
        ("Days a point", f"{days:,}"),
        ("Base seed", str(seed)),
        ("Run date", generated),
        ("lrtsim", lrtsim.__version__),
    )
    grid = " × ".join(f"{len(values)} values of {path}" for path, values in parameters)
    lead = (
        f"{points:,} scenarios, the grid of {grid}, each planned and then simulated for the "
        f"same {days:,} days from base seed {seed}: the points differ by their parameters alone."
    )
    sections = [
        _grid_section(parameters, points, days, seed),
        _points_section(table, [p for p, _ in parameters], kpis, level),
        Section(
            key="kpis",
            title="The KPIs against the first parameter",
            text=(
                "Each panel is one KPI. Hover on a point for its number (the points table, "
                "sweep.csv) and its mean and interval; click a legend entry to hide that line "
                "in every panel.",
            ),
            charts=(chart,),
        ),
    ]
    text = page_html(
        sections,
        title=f"{scenario}: parameter sweep",
        generated=generated,
        meta=meta,
        lead=lead,
        kicker=KICKER,
    )
    return text.encode("utf-8")


def _grid_section(
    parameters: Sequence[tuple[str, Sequence[str]]], points: int, days: int, seed: int
) -> Section:
    table = Table(
        title="The parameters and their values",
        header=("key path", "unit", "values"),
        rows=tuple(
            (path, parameter_unit(path) or "—", ", ".join(values)) for path, values in parameters
        ),
        numeric=(False, False, False),
        note="Each key path is as in the scenario's TOML; every combination of the values is "
        "one point, the last parameter's values changing fastest.",
    )
    text = (
        f"Every point is the scenario with its values set, validated as a whole scenario, "
        f"planned (its fleet and trains in service come from its plan) and simulated for "
        f"{days:,} days. Day i of every point has the same seed, spawned from the base seed "
        f"{seed} and i (common random numbers): the same passengers' arrival draws and "
        "disturbances wherever the plans allow, so that the differences between points are the "
        "parameters', not the noise's.",
        f"{points:,} point{'' if points == 1 else 's'} in all; days.parquet holds every day of "
        "every point (column point), sweep.csv and sweep.parquet one row per point with every "
        "KPI's mean, p50, p90 and p95 and their intervals.",
    )
    return Section(key="grid", title="The grid", text=text, tables=(table,))


def points_table(
    table: pd.DataFrame, parameters: Sequence[str], kpis: Sequence[str], level: float = 0.95
) -> Table:
    """One row per point (the parameters, fleet, trains in service, each KPI's mean), its
    intervals in the row below; a key path in the header may break after each dot."""
    shown = charted_kpis(table, kpis)
    header = (
        "point",
        *(p.replace(".", ".\u200b") for p in parameters),
        "fleet",
        "trains in service",
        *(f"{kpi_label(k)} ({kpi_unit(k)})" for k in shown),
    )
    interval = f"{100 * level:.0f} % interval"
    rows: list[tuple[str, ...]] = []
    for _, row in table.iterrows():
        texts = [estimate_texts(*_ends(row, k)) for k in shown]
        rows.append(
            (
                str(row["point"]),
                *(value_text(row[p]) for p in parameters),
                str(row["fleet"]),
                str(row["trains_in_service"]),
                *(value for value, _ in texts),
            )
        )
        rows.append(("", *("" for _ in parameters), "", "", *(ends for _, ends in texts)))
    return Table(
        title=f"Each point's fleet and KPI means, each with its {interval} below",
        header=header,
        rows=tuple(rows),
        numeric=(
            True,
            *(_numeric(table[p]) for p in parameters),
            True,
            True,
            *(True for _ in shown),
        ),
        note=f"The mean of each point's days and its {interval} by the percentile bootstrap "
        "(2,000 resamples; Efron & Tibshirani 1993, ch. 13). The fleet is the plan's, spares "
        "included; the trains in service are those out at the peak of the design day.",
    )


def _numeric(column: pd.Series) -> bool:
    """Whether a parameter's column holds numbers only (right-aligned)."""
    return bool(pd.api.types.is_numeric_dtype(column)) and not pd.api.types.is_bool_dtype(column)


def _ends(row: pd.Series, kpi: str) -> tuple[float, float, float]:
    def number(name: str) -> float:
        value = row.get(name)
        return float(value) if isinstance(value, int | float) else math.nan

    return number(f"{kpi}_mean"), number(f"{kpi}_mean_low"), number(f"{kpi}_mean_high")


def _points_section(
    table: pd.DataFrame, parameters: Sequence[str], kpis: Sequence[str], level: float
) -> Section:
    return Section(
        key="points",
        title="The points",
        tables=(points_table(table, parameters, kpis, level),),
    )
