"""A parameter sweep's KPIs against its first parameter: small multiples, one panel per KPI,
each point's mean with its bootstrap interval as a band, one line per combination of the other
parameters' values (interactive for sweep.html, static for sweep.png).

The sweep is read from its points table (sweep.csv: the parameters by key path, then
`KPI_mean`, `KPI_mean_low`, `KPI_mean_high`, …), so the report never imports the experiments
layer above it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lrtsim.report.distribution_charts import kpi_label, kpi_unit
from lrtsim.report.estimate_text import estimate_texts, significant
from lrtsim.report.sections import Chart
from lrtsim.report.style import (
    ACCENT,
    BOTTOM_LEGEND,
    DIRECTION_COLOURS,
    FONT,
    LIMIT,
    SIMULATED,
    static_figure,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

LINE_COLOURS = (
    SIMULATED,
    ACCENT,
    DIRECTION_COLOURS["down"],
    "#2e8b57",
    "#7b4ea3",
    "#8c6d31",
    "#d45d9b",
    "#17a2b8",
    LIMIT,
    "#b5a300",
)
"""The lines' colours, in turn (a line past the tenth takes the first again, dashed)."""
PANEL_HEIGHT_PX = 300
"""Height of one row of panels in the interactive chart."""
COLUMNS = 2
"""Panels side by side."""
MAX_VALUE_TICKS = 8
"""Up to this many numeric values of the first parameter, the x ticks are the values."""

_UNITS = (
    ("_pax_per_m2", "pax/m²"),
    ("_per_train_km", "per train-km"),
    ("_mps2", "m/s²"),
    ("_kmh", "km/h"),
    ("_kwh", "kWh"),
    ("_kw", "kW"),
    ("_kn", "kN"),
    ("_km", "km"),
    ("_min", "min"),
    ("_pct", "%"),
    ("_s", "s"),
    ("_m", "m"),
    ("_t", "t"),
)
"""Unit of a parameter from its key's suffix (lrtsim's names carry their units)."""


def parameter_unit(path: str) -> str:
    """The unit a key path's last key names by its suffix ('' for none): 'max_headway_s': 's'."""
    last = path.rsplit(".", 1)[-1].split("[", 1)[0]
    return next((unit for suffix, unit in _UNITS if last.endswith(suffix)), "")


def parameter_title(path: str) -> str:
    """An axis title for a parameter: its key path and unit, 'a.b_s (s)'."""
    unit = parameter_unit(path)
    return f"{path} ({unit})" if unit else path


def value_text(value: Any) -> str:
    """A parameter's value as a label reads it: numbers to 6 significant figures at most, in
    full ('0.2', '1,200', '0.00002')."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if number.is_integer() and abs(number) < 1e15:
            return f"{int(number):,}"
        text = significant(number, 6)
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


@dataclass(frozen=True)
class Line:
    """One line of every panel: the other parameters' values it holds (its label) and its
    rows of the points table, in the order they are drawn."""

    label: str
    rows: tuple[int, ...]


@dataclass(frozen=True)
class Axis:
    """The first parameter as the x axis: each row's position, and its ticks when they are the
    values themselves (few numbers, or values that are not numbers: then drawn evenly, in the
    order given)."""

    title: str
    x: tuple[float, ...]
    ticks: tuple[tuple[float, str], ...] | None


def x_axis(table: pd.DataFrame, parameter: str) -> Axis:
    """The x position of each row: the value itself when every value is a number (a tick at
    each when there are few), else the value's place among the distinct values in order of
    first appearance."""
    values = list(table[parameter])
    numeric = all(
        isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_)
        for v in values
    )
    if numeric:
        x = tuple(float(v) for v in values)
        distinct = sorted(set(x))
        few = len(distinct) <= MAX_VALUE_TICKS
        ticks = tuple((v, value_text(v)) for v in distinct) if few else None
        return Axis(parameter_title(parameter), x, ticks)
    order = list(dict.fromkeys(value_text(v) for v in values))
    place = {text: float(i) for i, text in enumerate(order)}
    return Axis(
        parameter_title(parameter),
        tuple(place[value_text(v)] for v in values),
        tuple((place[t], t) for t in order),
    )


def sweep_lines(table: pd.DataFrame, parameters: Sequence[str], axis: Axis) -> list[Line]:
    """One line per combination of the parameters after the first (in order of first
    appearance), its rows sorted by x."""
    others = list(parameters[1:])
    groups: dict[tuple[str, ...], list[int]] = {}
    for row in range(len(table)):
        key = tuple(value_text(table[p].iloc[row]) for p in others)
        groups.setdefault(key, []).append(row)
    lines = []
    for key, rows in groups.items():
        label = ", ".join(f"{p} = {v}" for p, v in zip(others, key, strict=True)) or "mean"
        lines.append(Line(label, tuple(sorted(rows, key=lambda r: axis.x[r]))))
    return lines


def charted_kpis(table: pd.DataFrame, kpis: Sequence[str]) -> list[str]:
    """Those of `kpis` the table has a finite mean of at some point."""
    return [
        k
        for k in kpis
        if f"{k}_mean" in table.columns
        and np.isfinite(pd.to_numeric(table[f"{k}_mean"], errors="coerce")).any()
    ]


def sweep_chart(
    table: pd.DataFrame,
    parameters: Sequence[str],
    kpis: Sequence[str],
    *,
    scenario: str,
    days: int,
    seed: int,
    level: float = 0.95,
) -> Chart:
    """The small multiples of `kpis` (those the table has) against the first of `parameters`:
    each point's mean and its `level` bootstrap interval, one line per combination of the other
    parameters. `table` is the sweep's points table (with its `point` column)."""
    shown = charted_kpis(table, kpis)
    axis = x_axis(table, parameters[0])
    lines = sweep_lines(table, parameters, axis)
    percent = f"{100 * level:.0f} %"
    title = f"{scenario}: the KPIs against {parameters[0]}, {days:,} days a point, base seed {seed}"
    rows = max(1, math.ceil(len(shown) / COLUMNS))
    fig = make_subplots(
        rows=rows,
        cols=COLUMNS,
        subplot_titles=[kpi_label(k) for k in shown],
        horizontal_spacing=0.1,
        vertical_spacing=min(0.12, 0.35 / rows),
    )
    for n, kpi in enumerate(shown):
        row, col = n // COLUMNS + 1, n % COLUMNS + 1
        for i, line in enumerate(lines):
            _line_traces(fig, table, kpi, axis, line, i, first=n == 0, row=row, col=col)
        fig.update_yaxes(title_text=_kpi_title(kpi), row=row, col=col)
        fig.update_xaxes(title_text=axis.title, row=row, col=col)
    for n in range(len(shown), rows * COLUMNS):  # an empty panel of the last row
        fig.update_xaxes(visible=False, row=n // COLUMNS + 1, col=n % COLUMNS + 1)
        fig.update_yaxes(visible=False, row=n // COLUMNS + 1, col=n % COLUMNS + 1)
    if axis.ticks is not None:
        fig.update_xaxes(
            tickmode="array",
            tickvals=[x for x, _ in axis.ticks],
            ticktext=[t for _, t in axis.ticks],
        )
    fig.update_xaxes(showline=True, linecolor="#999", mirror=True, exponentformat="none")
    fig.update_yaxes(
        showline=True, linecolor="#999", mirror=True, exponentformat="none", separatethousands=True
    )
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "y": 0.995, "yanchor": "top"},
        template="plotly_white",
        font={"family": FONT, "size": 12},
        height=PANEL_HEIGHT_PX * rows + 140,
        margin={"l": 70, "r": 30, "t": 70, "b": 60},
        legend=dict(BOTTOM_LEGEND),
        showlegend=len(lines) > 1,
        hovermode="closest",
    )

    def static() -> Figure:
        return _static(table, shown, axis, lines, title, percent)

    return Chart(
        key="sweep",
        title=title,
        figure=fig,
        static=static,
        caption=(
            f"Each panel: a KPI's mean over each point's {days:,} days against "
            f"{parameters[0]}, with its {percent} bootstrap interval shaded"
            + ("; one line per value of the other parameters." if len(lines) > 1 else ".")
            + " Every point runs the same days, from the same seeds (common random numbers): "
            "the differences between points are the parameters', not chance's."
        ),
    )


def _kpi_title(kpi: str) -> str:
    return f"{kpi_label(kpi)} ({kpi_unit(kpi)})"


def _column(table: pd.DataFrame, name: str, rows: Sequence[int]) -> np.ndarray[Any, Any]:
    values = pd.to_numeric(table[name], errors="coerce").to_numpy(dtype=np.float64)
    return values[list(rows)]


def _line_traces(
    fig: go.Figure,
    table: pd.DataFrame,
    kpi: str,
    axis: Axis,
    line: Line,
    i: int,
    *,
    first: bool,
    row: int,
    col: int,
) -> None:
    colour = LINE_COLOURS[i % len(LINE_COLOURS)]
    x = np.array([axis.x[r] for r in line.rows])
    mean = _column(table, f"{kpi}_mean", line.rows)
    low = _column(table, f"{kpi}_mean_low", line.rows)
    high = _column(table, f"{kpi}_mean_high", line.rows)
    unit = kpi_unit(kpi)
    if len(x) > 1:
        fig.add_scatter(
            x=np.r_[x, x[::-1]],
            y=np.r_[high, low[::-1]],
            fill="toself",
            fillcolor=_tint(colour, 0.15),
            line={"width": 0},
            mode="lines",
            legendgroup=line.label,
            showlegend=False,
            hoverinfo="skip",
            row=row,
            col=col,
        )
    points = [str(table["point"].iloc[r]) for r in line.rows]
    intervals = [
        " ".join(estimate_texts(m, lo, hi)) for m, lo, hi in zip(mean, low, high, strict=True)
    ]
    fig.add_scatter(
        x=x,
        y=mean,
        mode="lines+markers",
        line={"color": colour, "width": 2, "dash": "solid" if i < len(LINE_COLOURS) else "dash"},
        marker={"size": 6},
        error_y=None
        if len(x) > 1
        else {
            "type": "data",
            "symmetric": False,
            "array": high - mean,
            "arrayminus": mean - low,
            "color": colour,
        },
        name=line.label,
        legendgroup=line.label,
        showlegend=first,
        customdata=np.c_[points, intervals],
        hovertemplate=f"point %{{customdata[0]}}: {kpi_label(kpi)} %{{customdata[1]}} {unit}"
        f"<br>{line.label}<extra></extra>",
        row=row,
        col=col,
    )


def _static(
    table: pd.DataFrame,
    kpis: Sequence[str],
    axis: Axis,
    lines: Sequence[Line],
    title: str,
    percent: str,
) -> Figure:
    rows = max(1, math.ceil(len(kpis) / COLUMNS))
    fig = static_figure((11.0, 3.0 * rows + 1.2))
    grid = fig.subplots(rows, COLUMNS, squeeze=False)
    for n, ax in enumerate(grid.flat):
        if n >= len(kpis):
            ax.set_visible(False)
            continue
        _static_panel(ax, table, kpis[n], axis, lines, percent)
    if len(lines) > 1:
        handles, labels = grid.flat[0].get_legend_handles_labels()
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=min(len(lines), 3),
            frameon=False,
            fontsize=9,
        )
    fig.suptitle(title, x=0.01, ha="left")
    return fig


def _static_panel(
    ax: Axes,
    table: pd.DataFrame,
    kpi: str,
    axis: Axis,
    lines: Sequence[Line],
    percent: str,
) -> None:
    from matplotlib.ticker import StrMethodFormatter

    for i, line in enumerate(lines):
        colour = LINE_COLOURS[i % len(LINE_COLOURS)]
        style = "-" if i < len(LINE_COLOURS) else "--"
        x = np.array([axis.x[r] for r in line.rows])
        mean = _column(table, f"{kpi}_mean", line.rows)
        low = _column(table, f"{kpi}_mean_low", line.rows)
        high = _column(table, f"{kpi}_mean_high", line.rows)
        if len(x) > 1:
            ax.fill_between(x, low, high, color=colour, alpha=0.15, lw=0)
            ax.plot(x, mean, style, marker="o", ms=4, color=colour, lw=1.6, label=line.label)
        else:
            ax.errorbar(
                x,
                mean,
                yerr=[mean - low, high - mean],
                fmt="o",
                color=colour,
                ms=4,
                capsize=3,
                label=line.label,
            )
    ax.set_title(f"{kpi_label(kpi)}: mean and {percent} interval", fontsize=10, loc="left")
    ax.set_xlabel(axis.title, fontsize=9)
    ax.set_ylabel(_kpi_title(kpi), fontsize=9)
    if axis.ticks is not None:
        ax.set_xticks([x for x, _ in axis.ticks], [t for _, t in axis.ticks])
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,g}"))
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=8)


def _tint(colour: str, alpha: float) -> str:
    """A #rrggbb colour as rgba with `alpha`."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"
