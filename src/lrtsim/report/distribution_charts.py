"""One KPI over the days of a Monte Carlo experiment: its distribution (a histogram of the
days, the mean, p90 and p95 marked with their bootstrap intervals shaded) beside its running
mean with a confidence band (does the estimate settle?).

The summary is read through `SummaryView`, the fields of `experiments.stats.KpiSummary` the
chart needs: the report sits below the experiments (DESIGN.md) and never imports them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lrtsim.report.estimate_text import estimate_texts
from lrtsim.report.kpi_table import KPI_DEFINITIONS
from lrtsim.report.running_mean import RunningMean, running_mean, thinned
from lrtsim.report.sections import Chart
from lrtsim.report.style import (
    ACCENT,
    DIRECTION_COLOURS,
    LIMIT,
    SIMULATED,
    static_figure,
    style_figure,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FloatArray = npt.NDArray[np.float64]

MAX_BINS = 40
"""Most bins of a histogram, however many days (numpy's 'auto' rule picks fewer)."""
HEIGHT_PX = 430
RUNNING_POINTS = 600
"""Most points of a running-mean line: a long experiment's is thinned to this many."""
BARS = "#a9bcd6"
"""The days' bars: a light tint of the simulated blue, under the marks."""
MARKS = (("mean", SIMULATED), ("p90", ACCENT), ("p95", DIRECTION_COLOURS["down"]))
"""The statistics marked on a histogram and their colours."""
STATISTIC_NAMES = {
    "mean": "mean",
    "p50": "median",
    "p90": "90th percentile",
    "p95": "95th percentile",
}


class EstimateView(Protocol):
    """A point estimate and its interval (`experiments.stats.Estimate` is one)."""

    @property
    def value(self) -> float: ...
    @property
    def low(self) -> float: ...
    @property
    def high(self) -> float: ...


class SummaryView(Protocol):
    """A KPI's summary over the days as the report reads it (`experiments.stats.KpiSummary`)."""

    @property
    def kpi(self) -> str: ...
    @property
    def days(self) -> int: ...
    @property
    def missing(self) -> int: ...
    @property
    def level(self) -> float: ...
    @property
    def resamples(self) -> int: ...
    @property
    def mean(self) -> EstimateView: ...
    @property
    def p50(self) -> EstimateView: ...
    @property
    def p90(self) -> EstimateView: ...
    @property
    def p95(self) -> EstimateView: ...


_LABELS = {key: (label, unit) for key, label, unit, _ in KPI_DEFINITIONS}


def kpi_label(kpi: str) -> str:
    """The KPI's name as the report's KPI table gives it (its key when it has none)."""
    return _LABELS.get(kpi, (kpi, ""))[0]


def kpi_unit(kpi: str) -> str:
    """The KPI's unit for an axis title: the KPI table's, "ratio" for a dimensionless one."""
    return _LABELS.get(kpi, (kpi, ""))[1] or "ratio"


def mark_name(statistic: str, e: EstimateView, unit: str) -> str:
    """'mean 212.92 s': a statistic and its value, to its interval's precision."""
    return f"{STATISTIC_NAMES[statistic]} {estimate_texts(e.value, e.low, e.high)[0]} {unit}"


def count_step(top: float) -> int:
    """A whole step between the ticks of a count axis up to `top`: 1, 2 or 5 × 10^k, about
    six ticks."""
    for scale in (1, 10, 100, 1000, 10_000, 100_000):
        for step in (1, 2, 5):
            if top / (step * scale) <= 6:
                return step * scale
    return 1_000_000


SETTLED_FROM = 0.1
"""The running-mean axis fits the band from this share of the days on (at least 3 days):
before, a few days' Student interval is so wide it would flatten the rest."""


def running_range(run: RunningMean, summary: SummaryView) -> list[float]:
    """The y range of the running mean: every running mean, the bootstrap interval, and the
    band from `SETTLED_FROM` of the days on, with 8 % to spare."""
    start = max(0, min(len(run.days), max(3, math.ceil(SETTLED_FROM * len(run.days)))) - 1)
    e = summary.mean
    shown = np.concatenate([run.mean, run.low[start:], run.high[start:], [e.low, e.high]])
    shown = shown[np.isfinite(shown)]
    if not shown.size:
        return [0.0, 1.0]
    low, high = float(shown.min()), float(shown.max())
    spare = 0.08 * (high - low) if high > low else max(abs(high) * 0.01, 1.0)
    return [low - spare, high + spare]


def estimate_of(summary: SummaryView, statistic: str) -> EstimateView:
    """`summary`'s estimate of `statistic` ("mean", "p50", "p90" or "p95")."""
    estimates = {"mean": summary.mean, "p50": summary.p50, "p90": summary.p90, "p95": summary.p95}
    return estimates[statistic]


def day_histogram(values: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """The days' bin edges (numpy's 'auto' rule, at most `MAX_BINS` bins) and counts; finite
    values only."""
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    edges = np.histogram_bin_edges(x, bins="auto")
    if len(edges) - 1 > MAX_BINS:
        edges = np.histogram_bin_edges(x, bins=MAX_BINS)
    counts, _ = np.histogram(x, edges)
    return edges.astype(np.float64), counts.astype(np.float64)


def distribution_chart(kpi: str, values: npt.ArrayLike, summary: SummaryView) -> Chart:
    """`kpi`'s daily `values` (in day order) against `summary`: left, the histogram of the days
    with the mean, p90 and p95 as lines and their bootstrap intervals shaded; right, the running
    mean after each day with its Student interval, and the bootstrap interval of all days."""
    label, unit = kpi_label(kpi), kpi_unit(kpi)
    edges, counts = day_histogram(values)
    run = thinned(running_mean(values, summary.level), RUNNING_POINTS)
    percent = f"{100 * summary.level:.0f} %"
    title = f"{label}: distribution over {summary.days:,} days and running mean"
    top = float(counts.max()) * 1.08 if len(counts) else 1.0
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, column_widths=[0.55, 0.45])
    for statistic, colour in MARKS:
        e = estimate_of(summary, statistic)
        fig.add_scatter(
            x=[e.low, e.high, e.high, e.low, e.low],
            y=[0.0, 0.0, top, top, 0.0],
            fill="toself",
            fillcolor=_tint(colour, 0.16),
            line={"width": 0},
            mode="lines",
            legendgroup=statistic,
            showlegend=False,
            name=f"{percent} interval of the {STATISTIC_NAMES[statistic]}",
            hovertemplate=f"{STATISTIC_NAMES[statistic]}: {percent} interval "
            f"{estimate_texts(e.value, e.low, e.high)[1]} {unit}<extra></extra>",
            row=1,
            col=1,
        )
    centres = (edges[:-1] + edges[1:]) / 2.0
    fig.add_bar(
        x=centres,
        y=counts,
        width=np.diff(edges),
        name="days",
        marker={"color": BARS, "line": {"color": "white", "width": 0.5}},
        opacity=0.8,
        customdata=np.c_[edges[:-1], edges[1:]],
        hovertemplate=f"%{{customdata[0]:,.4~r}}–%{{customdata[1]:,.4~r}} {unit}: "
        "%{y:.0f} days<extra></extra>",
        row=1,
        col=1,
    )
    for statistic, colour in MARKS:
        e = estimate_of(summary, statistic)
        name = mark_name(statistic, e, unit)
        fig.add_scatter(
            x=[e.value, e.value],
            y=[0.0, top],
            mode="lines",
            line={"color": colour, "width": 2},
            legendgroup=statistic,
            name=name,
            hovertemplate=f"{name}<extra></extra>",
            row=1,
            col=1,
        )
    _running_traces(fig, run, summary, unit, percent)
    style_x = f"{label} ({unit})"
    style_figure(fig, title, style_x, "Days (count)")
    fig.update_xaxes(title_text="Days simulated (count)", row=1, col=2)
    fig.update_yaxes(title_text=f"Running mean ({unit})", row=1, col=2)
    fig.update_yaxes(range=[0.0, top], dtick=count_step(top), row=1, col=1)
    fig.update_yaxes(range=running_range(run, summary), row=1, col=2)
    # whole numbers in full ("52,400 kWh"), never plotly's SI suffixes ("52.4k")
    fig.update_xaxes(exponentformat="none", separatethousands=True, row=1, col=1)
    fig.update_yaxes(exponentformat="none", separatethousands=True, row=1, col=2)
    fig.update_layout(height=HEIGHT_PX, bargap=0.0)

    def static() -> Figure:
        out = static_figure((11.7, 4.8))
        left, right = out.subplots(1, 2, width_ratios=[0.55, 0.45])
        _static_histogram(left, edges, counts, summary, unit, top)
        _static_running(right, run, summary, unit, percent)
        left.set_xlabel(style_x)
        left.set_ylabel("Days (count)")
        out.suptitle(title, x=0.01, ha="left")
        return out

    return Chart(
        key=f"dist-{kpi.replace('_', '-')}",
        title=title,
        figure=fig,
        static=static,
        caption=(
            f"Left: how many of the {summary.days:,} days fell in each bin; the lines mark the "
            f"mean, the 90th and the 95th percentile of the days, each shaded over its {percent} "
            f"bootstrap interval ({summary.resamples:,} resamples). Right: the mean of the first "
            f"n days and its {percent} Student interval; the bar at the last day is the "
            "bootstrap interval of the table. A flat line in a narrow band: enough days."
            + (
                f" {summary.missing:,} days without a value are left out."
                if summary.missing
                else ""
            )
        ),
    )


def _running_traces(
    fig: go.Figure, run: RunningMean, summary: SummaryView, unit: str, percent: str
) -> None:
    """The running mean, its band and the final bootstrap interval, in the right subplot."""
    n = run.days.astype(np.float64)
    banded = np.isfinite(run.low)
    if banded.any():
        fig.add_scatter(
            x=np.r_[n[banded], n[banded][::-1]],
            y=np.r_[run.high[banded], run.low[banded][::-1]],
            fill="toself",
            fillcolor=_tint(SIMULATED, 0.15),
            line={"width": 0},
            mode="lines",
            name=f"{percent} interval after n days (Student)",
            hoverinfo="skip",
            row=1,
            col=2,
        )
    fig.add_scatter(
        x=n,
        y=run.mean,
        mode="lines",
        line={"color": SIMULATED, "width": 1.8},
        name="running mean",
        customdata=np.c_[run.low, run.high],
        hovertemplate=f"after %{{x:.0f}} days: %{{y:,.4~r}} {unit} "
        "[%{customdata[0]:,.4~r}–%{customdata[1]:,.4~r}]<extra></extra>",
        row=1,
        col=2,
    )
    e = summary.mean
    fig.add_scatter(
        x=[float(summary.days)],
        y=[e.value],
        mode="markers",
        marker={"color": LIMIT, "size": 7, "symbol": "diamond"},
        error_y={
            "type": "data",
            "symmetric": False,
            "array": [e.high - e.value],
            "arrayminus": [e.value - e.low],
            "color": LIMIT,
            "thickness": 1.6,
            "width": 6,
        },
        name=f"bootstrap {percent} interval, all days",
        hovertemplate=f"all {summary.days:,} days: {mark_name('mean', e, unit)}, "
        f"{percent} interval {estimate_texts(e.value, e.low, e.high)[1]}<extra></extra>",
        row=1,
        col=2,
    )


def _static_histogram(
    ax: Axes, edges: FloatArray, counts: FloatArray, summary: SummaryView, unit: str, top: float
) -> None:
    from matplotlib.ticker import MultipleLocator

    for statistic, colour in MARKS:
        e = estimate_of(summary, statistic)
        ax.axvspan(e.low, e.high, color=colour, alpha=0.16, lw=0)
    ax.stairs(counts, edges, fill=True, color=BARS, alpha=0.8, label="days")
    for statistic, colour in MARKS:
        e = estimate_of(summary, statistic)
        ax.axvline(
            e.value,
            color=colour,
            lw=1.8,
            label=mark_name(statistic, e, unit),
        )
    ax.yaxis.set_major_locator(MultipleLocator(count_step(top)))
    ax.set_ylim(0, top)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(frameon=False, fontsize=8, loc="upper left")


def _static_running(
    ax: Axes, run: RunningMean, summary: SummaryView, unit: str, percent: str
) -> None:
    ax.fill_between(
        run.days,
        run.low,
        run.high,
        color=SIMULATED,
        alpha=0.15,
        lw=0,
        label=f"{percent} interval (Student)",
    )
    ax.plot(run.days, run.mean, color=SIMULATED, lw=1.5, label="running mean")
    e = summary.mean
    ax.errorbar(
        [summary.days],
        [e.value],
        yerr=[[e.value - e.low], [e.high - e.value]],
        fmt="D",
        color=LIMIT,
        ms=4,
        capsize=3,
        label=f"bootstrap {percent}, all days",
    )
    ax.set_xlabel("Days simulated (count)")
    ax.set_ylabel(f"Running mean ({unit})")
    ax.set_ylim(*running_range(run, summary))
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8, loc="best")


def _tint(colour: str, alpha: float) -> str:
    """A #rrggbb colour as rgba with `alpha`."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"
