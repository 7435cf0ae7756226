"""report.html of a Monte Carlo experiment: the summary table of the KPIs over the days, each
KPI's distribution and running mean, and the worst days' time–distance diagrams, on the run
report's page (`html.page_html`: plotly.js embedded once, offline, printable).

The experiment is read as plain inputs — the days table, the summaries (`SummaryView`) and the
worst days already simulated again (`WorstDay`) — so that the report never imports the
experiments layer above it (DESIGN.md).
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

import lrtsim
from lrtsim.planning.day_types import design_day_label
from lrtsim.report.day_charts import marey_chart, marey_text
from lrtsim.report.distribution_charts import (
    SummaryView,
    distribution_chart,
    estimate_of,
    kpi_label,
    kpi_unit,
)
from lrtsim.report.estimate_text import estimate_texts, significant
from lrtsim.report.html import page_html
from lrtsim.report.kpi_table import KPI_DEFINITIONS
from lrtsim.report.marey_data import delay_window, incident_bands
from lrtsim.report.sections import Section, Table

if TYPE_CHECKING:
    from lrtsim.metrics.kpis import Kpis
    from lrtsim.model.schema import Scenario
    from lrtsim.simulation.day import DayResult

KICKER = "Light-rail simulation: Monte Carlo experiment"
TABLE_STATISTICS = ("mean", "p50", "p90", "p95")
DAY_KPIS = ("punctuality_pct", "excess_wait_s", "mean_wait_s", "p95_wait_s", "denied_boarding_pct")
"""The KPIs named in the words on each worst day (besides the one it is worst by)."""
_DEFINITIONS = {key: definition for key, _, _, definition in KPI_DEFINITIONS}


@dataclass(frozen=True, eq=False)
class WorstDay:
    """One of the experiment's worst days by `kpi`, simulated again from its seed."""

    day: int
    """Its index in the days table (0, 1, …)."""
    seed: int
    """Its seed: `lrtsim simulate … --seed SEED` re-runs it alone."""
    kpi: str
    """The KPI it is among the worst by."""
    value: float
    """Its value of `kpi` in the days table."""
    highest: bool
    """Whether worst means highest (a wait) or lowest (punctuality)."""
    scenario: Scenario
    """The scenario on the design day, as the day was simulated (stations, incidents)."""
    result: DayResult
    """The day simulated again."""
    kpis: Kpis
    """Its KPIs (those of the days table's row)."""


def rerun_command(scenario_ref: str, seed: int | str, options: Sequence[str] = ()) -> str:
    """The shell command that simulates one day of the experiment alone."""
    return shlex.join(["lrtsim", "simulate", scenario_ref, *options, "--seed", str(seed)])


def montecarlo_report(
    *,
    title: str,
    scenario_name: str,
    day_type: str,
    base_seed: int,
    table: pd.DataFrame,
    summaries: Sequence[SummaryView],
    worst: Sequence[WorstDay],
    generated: str,
    scenario_ref: str | None = None,
    simulate_options: Sequence[str] = (),
) -> bytes:
    """The experiment's report.html (UTF-8 bytes), the same for the same inputs.

    `table` is the days table (`day`, `seed`, then the KPIs), `summaries` its KPIs' summaries
    in the order shown, `worst` the worst days worst first; `generated` the date as it should
    read. The re-run command shown is `lrtsim simulate SCENARIO_REF OPTIONS --seed SEED`
    (`scenario_ref`: the scenario as given to the experiment, by default `scenario_name`;
    `simulate_options`: its --incident and --control options, if any).
    """
    sections = montecarlo_sections(
        scenario_name=scenario_name,
        day_type=day_type,
        base_seed=base_seed,
        table=table,
        summaries=summaries,
        worst=worst,
        scenario_ref=scenario_ref,
        simulate_options=simulate_options,
    )
    return montecarlo_html(
        sections,
        title=title,
        scenario_name=scenario_name,
        day_type=day_type,
        days=len(table),
        base_seed=base_seed,
        generated=generated,
        scenario_ref=scenario_ref,
        simulate_options=simulate_options,
    )


def montecarlo_html(
    sections: Sequence[Section],
    *,
    title: str,
    scenario_name: str,
    day_type: str,
    days: int,
    base_seed: int,
    generated: str,
    scenario_ref: str | None = None,
    simulate_options: Sequence[str] = (),
) -> bytes:
    """The page of `sections` (`montecarlo_sections`) under the experiment's header: what
    `montecarlo_report` writes, for a caller that also keeps the sections (for png/)."""
    ref = scenario_name if scenario_ref is None else scenario_ref
    meta = (
        ("Scenario", scenario_name),
        ("Design day", day_type),
        ("Days", f"{days:,}"),
        ("Base seed", str(base_seed)),
        ("Run date", generated),
        ("lrtsim", lrtsim.__version__),
    )
    lead = (
        f"{days:,} simulated days of the {design_day_label(day_type)}: one plan, a seed a day. "
        f"Any day runs again alone: {rerun_command(ref, 'SEED', simulate_options)}, "
        "with the day's seed (days.parquet, column seed)."
    )
    text = page_html(
        sections, title=title, generated=generated, meta=meta, lead=lead, kicker=KICKER
    )
    return text.encode("utf-8")


def montecarlo_sections(
    *,
    scenario_name: str,
    day_type: str,
    base_seed: int,
    table: pd.DataFrame,
    summaries: Sequence[SummaryView],
    worst: Sequence[WorstDay],
    scenario_ref: str | None = None,
    simulate_options: Sequence[str] = (),
) -> list[Section]:
    """The page's sections: the summary, the distributions, the worst days and one section
    with the diagram of each worst day. Raises ValueError when a summarised KPI or `day` and
    `seed` are not columns of `table`."""
    needed = ["day", "seed", *(s.kpi for s in summaries)]
    absent = [c for c in needed if c not in table.columns]
    if absent:
        raise ValueError(f"the days table has no column {', '.join(map(repr, absent))}")
    ref = scenario_name if scenario_ref is None else scenario_ref
    sections = [
        _summary_section(
            scenario_name, day_type, base_seed, table, summaries, ref, simulate_options
        ),
        _distribution_section(table, summaries),
    ]
    if worst:
        sections.append(_worst_section(table, summaries, worst))
        sections += [
            _worst_day_section(rank, w, len(table), day_type, ref, simulate_options)
            for rank, w in enumerate(worst, start=1)
        ]
    return sections


# --- summary ------------------------------------------------------------------------------


def summary_table(summaries: Sequence[SummaryView]) -> Table:
    """Each KPI's mean, p50, p90 and p95 over the days, each with its bootstrap interval in
    the row below (so that the table fits a printed page)."""
    level = summaries[0].level if summaries else 0.95
    resamples = summaries[0].resamples if summaries else 0
    interval = f"{100 * level:.0f} % interval"
    rows = []
    for s in summaries:
        label = kpi_label(s.kpi)
        if s.missing:
            label += f" ({s.days:,} days, {s.missing:,} without a value)"
        texts = [estimate_texts(*_ends(s, statistic)) for statistic in TABLE_STATISTICS]
        rows.append((label, kpi_unit(s.kpi), *(value for value, _ in texts)))
        rows.append(("", interval, *(ends for _, ends in texts)))
    return Table(
        title=f"The KPIs over the days, each with its {interval} below",
        header=("KPI", "unit", "mean", "median (p50)", "p90", "p95"),
        rows=tuple(rows),
        numeric=(False, False, True, True, True, True),
        note=(
            "Mean and percentiles of the days' values (numpy's linear interpolation, Hyndman & "
            f"Fan 1996, definition 7); below each, its {100 * level:.0f} % percentile-bootstrap "
            f"interval over {resamples:,} resamples of the days (Efron & Tibshirani 1993, ch. 13; "
            "docs/model.md § 15)."
        ),
    )


def definitions_table(summaries: Sequence[SummaryView]) -> Table:
    """What each summarised KPI measures (the run report's KPI definitions)."""
    return Table(
        title="What each KPI measures",
        header=("KPI", "unit", "definition"),
        rows=tuple(
            (kpi_label(s.kpi), kpi_unit(s.kpi), _DEFINITIONS.get(s.kpi, "")) for s in summaries
        ),
        numeric=(False, False, False),
        note="Definitions and sources: docs/model.md § 13 and the modules of lrtsim.metrics.",
    )


def _ends(s: SummaryView, statistic: str) -> tuple[float, float, float]:
    e = estimate_of(s, statistic)
    return e.value, e.low, e.high


def _summary_section(
    scenario_name: str,
    day_type: str,
    base_seed: int,
    table: pd.DataFrame,
    summaries: Sequence[SummaryView],
    ref: str,
    options: Sequence[str],
) -> Section:
    n = len(table)
    text = (
        f"{scenario_name}: {n:,} simulated days of the {design_day_label(day_type)}, all of the "
        "same service plan. Day i has its own seed, spawned from the base seed "
        f"{base_seed} and i (numpy SeedSequence, NEP 19): its passengers, dwells and failures "
        "are drawn afresh, and nothing else changes.",
        f"Any day can be simulated again alone, with the same KPIs: "
        f"{rerun_command(ref, 'SEED', options)}, where SEED is the day's seed (days.parquet, "
        "column seed; the worst days' seeds are below).",
    )
    return Section(
        key="summary",
        title="Summary over the days",
        text=text,
        tables=(summary_table(summaries), definitions_table(summaries)),
    )


# --- distributions ------------------------------------------------------------------------


def kpi_values(table: pd.DataFrame, kpi: str) -> npt.NDArray[np.float64]:
    """The column `kpi` of the days table in day order as floats (None as NaN)."""
    ordered = table.sort_values("day", kind="stable")
    values = pd.to_numeric(ordered[kpi], errors="raise")
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def _distribution_section(table: pd.DataFrame, summaries: Sequence[SummaryView]) -> Section:
    shown = [s for s in summaries if s.days > 0]
    charts = tuple(distribution_chart(s.kpi, kpi_values(table, s.kpi), s) for s in shown)
    text = [
        "For each KPI, left: the days' values as a histogram, with the mean, the 90th and the "
        "95th percentile and their bootstrap intervals shaded; right: the mean of the first n "
        "days as days are added, with its Student interval (mean ± t·s/√n; Law 2015, § 4.6). "
        "When the running mean has settled and its band is narrow, more days would change "
        "little."
    ]
    left = [kpi_label(s.kpi) for s in summaries if s.days == 0]
    if left:
        text.append(f"No day has a value of {', '.join(left)}: not drawn.")
    return Section(
        key="distributions",
        title="Distributions and convergence",
        text=tuple(text),
        charts=charts,
    )


# --- the worst days -----------------------------------------------------------------------


def _worst_section(
    table: pd.DataFrame, summaries: Sequence[SummaryView], worst: Sequence[WorstDay]
) -> Section:
    first = worst[0]
    label = kpi_label(first.kpi)
    way = "highest" if first.highest else "lowest"
    header = ("KPI", "unit", *(f"day {w.day}" for w in worst), "mean of the days")
    rows = [("Seed", "", *(str(w.seed) for w in worst), "")]
    kpis = [first.kpi, *(s.kpi for s in summaries if s.kpi != first.kpi)]
    means = {s.kpi: s.mean.value for s in summaries}
    for kpi in kpis:
        values = [_kpi_value(w.kpis, kpi) for w in worst]
        mean = means.get(kpi, math.nan)
        rows.append(
            (kpi_label(kpi), kpi_unit(kpi), *(significant(v) for v in values), significant(mean))
        )
    text = (
        f"The {len(worst)} days with the {way} {label.lower()} of the {len(table):,} "
        "(ties to the earlier day), each simulated again from its seed: the table gives the "
        "KPIs of the days simulated again, the same as their rows of days.parquet.",
        "Each day's time–distance diagram follows, planned trips against simulated ones, open "
        "on the hour around its largest delay.",
    )
    return Section(
        key="worst-days",
        title=f"The worst days by {label.lower()}",
        text=text,
        tables=(
            Table(
                title=f"The worst days by {label.lower()} and their KPIs",
                header=header,
                rows=tuple(rows),
                numeric=(False, False, *(True for _ in worst), True),
            ),
        ),
    )


def _kpi_value(kpis: Kpis, kpi: str) -> float:
    value = kpis.as_dict().get(kpi)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    return float(value)


def _ordinal(rank: int) -> str:
    if rank == 1:
        return ""
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix} "


def _worst_day_section(
    rank: int, w: WorstDay, days: int, day_type: str, ref: str, options: Sequence[str]
) -> Section:
    label, unit = kpi_label(w.kpi), kpi_unit(w.kpi)
    way = "highest" if w.highest else "lowest"
    st = w.result.stop_times
    bands = incident_bands(w.scenario)
    others = ", ".join(
        f"{kpi_label(k).lower()} {significant(_kpi_value(w.kpis, k))} {kpi_unit(k)}"
        for k in DAY_KPIS
        if k != w.kpi
    )
    text = [
        f"Day {w.day} of {days:,}, seed {w.seed}: {label.lower()} {significant(w.value)} {unit}, "
        f"the {_ordinal(rank)}{way} of the {days:,} days; {others}.",
        f"Simulate it again alone: {rerun_command(ref, w.seed, options)}",
        *marey_text(
            w.kpis, st, bands, calm="No incident: the chart opens on the hour of the largest delay."
        ),
    ]
    if bands:
        text.append("The chart opens on the hour around the day's largest delay.")
    chart = marey_chart(
        f"marey-worst-{rank}",
        f"Day {w.day} (seed {w.seed}): planned and simulated trips",
        w.scenario,
        w.result,
        day_type,
        delay_window(st),
        hover_text=False,
    )
    return Section(
        key=f"worst-day-{rank}",
        title=f"Worst day {rank}: day {w.day}, {label.lower()} {significant(w.value)} {unit}",
        text=tuple(text),
        charts=(chart,),
    )
