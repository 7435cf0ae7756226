"""The report's headways-and-waits section: headways seen at each station, simulated against
planned, and the distribution of passengers' waits against the scheduled ones.

Every figure is the metrics layer's: headways from `metrics.headways.headway_deviations` (a
departure's actual and scheduled headway, TCQSM), regularity from `regularity`, each
passenger's wait from `metrics.waits.passenger_waits` (the counted ones by `counted_waits`) and
the day's mean and 95th percentile from the run's KPIs (docs/model.md § 13).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lrtsim.metrics.headways import headway_deviations, regularity
from lrtsim.metrics.waits import Waits, counted_waits, passenger_waits
from lrtsim.model.direction import DIRECTIONS, running_order
from lrtsim.report.chart_axes import station_names
from lrtsim.report.sections import Chart, RunView, Section
from lrtsim.report.style import (
    ACCENT,
    DIRECTION_COLOURS,
    LIMIT,
    PLANNED,
    SIMULATED,
    static_figure,
    style_figure,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from lrtsim.metrics.kpis import Kpis

FloatArray = npt.NDArray[np.float64]

REFERENCE = "#2e8b57"
"""The reference day (the same day undisturbed), where it is drawn beside the simulated one."""

WAIT_BIN_S = 30.0
"""Width of a bin of the wait histogram."""


def reliability_section(run: RunView) -> Section:
    """Headways and waits: headways by station (simulated and planned), the waits' spread."""
    st = run.result.stop_times
    names = station_names(run.day)
    headways = headway_deviations(st)
    regular = regularity(st)
    summary = kpi_waits(run.kpis)
    table = passenger_waits(run.result.passengers, st)
    reference = None
    if run.reference is not None:
        reference = passenger_waits(run.reference.passengers, run.reference.stop_times)
    text = [_regularity_text(regular.by_stop, regular.cv_h, regular.los), _wait_text(summary)]
    charts = [headway_chart(headways, names)]
    if summary.counted:  # with no passenger (no demand), there is no wait to draw
        charts.append(wait_chart(table, summary, reference))
    return Section(
        key="reliability", title="Headways and waits", text=tuple(text), charts=tuple(charts)
    )


def kpi_waits(kpis: Kpis) -> Waits:
    """The day's waits as its KPIs state them (`metrics.kpis.day_kpis`, from `metrics.waits`)."""
    return Waits(
        passengers=kpis.passengers,
        counted=kpis.passengers_counted,
        not_served=kpis.not_served,
        unscheduled=kpis.unscheduled,
        mean_wait_s=kpis.mean_wait_s,
        p95_wait_s=kpis.p95_wait_s,
        scheduled_wait_s=kpis.scheduled_wait_s,
        excess_wait_s=kpis.excess_wait_s,
    )


def _regularity_text(by_stop: pd.DataFrame, cv_h: float, los: str) -> str:
    worst = by_stop.sort_values("cv_h", ascending=False).head(1)
    where = ""
    if len(worst):
        row = worst.iloc[0]
        where = (
            f"; the least regular is {row['station']} ({row['direction']}), cv_h "
            f"{row['cv_h']:.2f} (LOS {row['los']})"
        )
    return (
        f"Headway adherence (TCQSM cv_h = SD(actual − scheduled headway) ÷ mean scheduled "
        f"headway): {cv_h:.2f} for the line, LOS {los}{where}."
    )


def _wait_text(w: Waits) -> str:
    if not w.counted:
        return (
            "No passenger waited for a train: the day has no passengers who boarded with a "
            "train scheduled (a scenario without demand), so there is no wait to show."
        )
    return (
        f"Waits of the {w.counted:,} passengers who boarded and had a scheduled train: mean "
        f"{w.mean_wait_s / 60:.1f} min, 95th percentile {w.p95_wait_s / 60:.1f} min, against a "
        f"scheduled mean of {w.scheduled_wait_s / 60:.1f} min (excess {w.excess_wait_s:+.0f} s). "
        f"{w.not_served:,} passengers were never served; {w.unscheduled:,} came after the last "
        "train for their trip and are in no wait."
    )


# --- headways ----------------------------------------------------------------------------


def headway_chart(headways: pd.DataFrame, names: tuple[str, ...]) -> Chart:
    """Per direction and station (line order): the simulated headways against the planned."""
    title = "Headways at each station: simulated against planned"
    y_title = "Headway (min)"
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=[_way(d, names) for d in DIRECTIONS],
    )
    series = _headway_series(headways, names)
    for i, d in enumerate(DIRECTIONS):
        for kind, colour in (("planned", PLANNED), ("simulated", DIRECTION_COLOURS[d])):
            x, y = series[d][kind]
            fig.add_trace(
                go.Box(
                    x=x,
                    y=y,
                    name=f"{kind} {d}",
                    marker_color=colour,
                    boxpoints="outliers",
                    marker={"size": 3},
                    line={"width": 1},
                    offsetgroup=kind,
                    legendgroup=kind,
                    yhoverformat=".1f",
                    hovertemplate=f"{kind} {d}, %{{x}}: %{{y:.1f}} min<extra></extra>",
                ),
                row=i + 1,
                col=1,
            )
        fig.update_yaxes(title_text=y_title, rangemode="tozero", row=i + 1, col=1)
    style_figure(fig, title, "Station (line order)", y_title)
    fig.update_layout(boxmode="group", height=760, margin={"b": 140})
    fig.update_xaxes(categoryorder="array", categoryarray=list(names))
    fig.update_xaxes(tickangle=-45, row=2, col=1)
    fig.update_xaxes(title_text="", row=1, col=1)

    def static() -> Figure:
        out = static_figure((11.7, 8.0))
        axes = out.subplots(2, 1, sharex=True)
        index = {n: k for k, n in enumerate(names)}
        for ax, d in zip(axes, DIRECTIONS, strict=True):
            for kind, colour, shift in (
                ("planned", PLANNED, -0.2),
                ("simulated", DIRECTION_COLOURS[d], 0.2),
            ):
                x, y = series[d][kind]
                groups = [y[x == n] for n in names if (x == n).any()]
                where = [index[n] + shift for n in names if (x == n).any()]
                parts = ax.boxplot(
                    groups,
                    positions=where,
                    widths=0.35,
                    patch_artist=True,
                    flierprops={"markersize": 2, "markeredgecolor": colour},
                    medianprops={"color": "black"},
                    manage_ticks=False,
                )
                for box in parts["boxes"]:
                    box.set_facecolor(colour)
                    box.set_alpha(0.6)
                ax.plot([], [], "s", color=colour, alpha=0.6, label=f"{kind} {d}")
            ax.set_ylabel(y_title)
            ax.set_ylim(bottom=0)
            ax.set_title(_way(d, names), loc="left", fontsize=10)
            ax.grid(axis="y", alpha=0.3)
            ax.legend(frameon=False, ncols=2, loc="upper right", fontsize=8)
        axes[-1].set_xticks(
            range(len(names)), names, rotation=45, ha="right", rotation_mode="anchor"
        )
        axes[-1].set_xlabel("Station (line order)")
        out.suptitle(title, x=0.01, ha="left")
        return out

    return Chart(
        key="headway-regularity",
        title=title,
        figure=fig,
        static=static,
        caption=(
            "Each box: the headways of the departures from a station (every stop of a trip but "
            "its last), minutes; grey the timetable's, coloured the simulated ones (the gap "
            "since the previous train that left the station in that direction)."
        ),
    )


def _way(direction: str, names: tuple[str, ...]) -> str:
    a, b = running_order((names[0], names[-1]), "up" if direction == "up" else "down")
    return f"{direction}: {a} → {b}"


def _headway_series(
    headways: pd.DataFrame, names: tuple[str, ...]
) -> dict[str, dict[str, tuple[npt.NDArray[np.object_], FloatArray]]]:
    """Per direction: (station of each departure, headway in minutes) planned and simulated."""
    out: dict[str, dict[str, tuple[npt.NDArray[np.object_], FloatArray]]] = {}
    for d in DIRECTIONS:
        rows = headways[headways["direction"] == d].sort_values("station_index", kind="stable")
        x = rows["station"].to_numpy(dtype=object)
        out[d] = {
            "planned": (x, rows["scheduled_headway_s"].to_numpy(float) / 60.0),
            "simulated": (x, rows["actual_headway_s"].to_numpy(float) / 60.0),
        }
    return out


# --- waits -------------------------------------------------------------------------------


def wait_histogram(
    table: pd.DataFrame, reference: pd.DataFrame | None = None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray | None]:
    """Bin edges (s, every `WAIT_BIN_S` from 0 past the longest wait) and, in each bin, the
    counted passengers' actual and scheduled waits, and the reference day's actual waits
    (None without a reference)."""
    actual, scheduled = counted_waits(table)
    other = None if reference is None else counted_waits(reference)[0]
    top = max(
        (float(a.max()) for a in (actual, scheduled, other) if a is not None and len(a)),
        default=0.0,
    )
    edges = np.arange(0.0, WAIT_BIN_S * (np.floor(top / WAIT_BIN_S) + 2), WAIT_BIN_S)
    return (
        edges,
        np.histogram(actual, edges)[0].astype(float),
        np.histogram(scheduled, edges)[0].astype(float),
        None if other is None else np.histogram(other, edges)[0].astype(float),
    )


def wait_chart(table: pd.DataFrame, summary: Waits, reference: pd.DataFrame | None = None) -> Chart:
    """Passengers by wait (bins of `WAIT_BIN_S`), simulated and scheduled (and on the reference
    day, without the incidents and control, when there is one), with the day's mean and 95th
    percentile."""
    edges, actual, scheduled, other = wait_histogram(table, reference)
    centre_min = (edges[:-1] + edges[1:]) / 120.0
    width_min = WAIT_BIN_S / 60.0
    title = "Passengers' waits: simulated against scheduled"
    fig = go.Figure()
    fig.add_bar(
        x=centre_min,
        y=actual,
        width=width_min,
        name="simulated wait",
        marker_color=SIMULATED,
        opacity=0.75,
        customdata=np.c_[edges[:-1], edges[1:]] / 60.0,
        hovertemplate="wait %{customdata[0]:.1f}–%{customdata[1]:.1f} min: %{y:,.0f} "
        "passengers<extra></extra>",
    )
    fig.add_scatter(
        x=np.repeat(edges / 60.0, 2)[1:-1],
        y=np.repeat(scheduled, 2),
        mode="lines",
        name="scheduled wait",
        line={"color": LIMIT, "width": 1.5},
        hovertemplate="scheduled: %{y:,.0f} passengers in the bin at %{x:.1f} min<extra></extra>",
    )
    if other is not None:
        fig.add_scatter(
            x=np.repeat(edges / 60.0, 2)[1:-1],
            y=np.repeat(other, 2),
            mode="lines",
            name="reference day (no incident, no control)",
            line={"color": REFERENCE, "width": 1.5, "dash": "dash"},
            hovertemplate="reference day: %{y:,.0f} passengers in the bin at %{x:.1f} min"
            "<extra></extra>",
        )
    marks = (
        (summary.mean_wait_s, "solid", ACCENT, f"mean {summary.mean_wait_s / 60:.1f} min"),
        (summary.p95_wait_s, "dash", ACCENT, f"95th pct {summary.p95_wait_s / 60:.1f} min"),
        (
            summary.scheduled_wait_s,
            "dot",
            LIMIT,
            f"scheduled mean {summary.scheduled_wait_s / 60:.1f} min",
        ),
    )
    for k, (value, dash, colour, label) in enumerate(marks):
        fig.add_vline(x=value / 60.0, line={"color": colour, "dash": dash, "width": 2})
        fig.add_annotation(
            x=value / 60.0,
            y=1.0 - 0.07 * k,
            yref="y domain",
            text=label,
            showarrow=False,
            xanchor="left",
            font={"size": 11, "color": colour},
            bgcolor="rgba(255,255,255,0.85)",
        )
    style_figure(fig, title, "Wait (min)", f"Passengers (per {WAIT_BIN_S:.0f} s bin)")
    fig.update_layout(bargap=0.0)

    def static() -> Figure:
        out = static_figure((11.0, 5.5))
        ax = out.add_subplot()
        ax.bar(
            centre_min, actual, width=width_min, color=SIMULATED, alpha=0.75, label="simulated wait"
        )
        ax.stairs(scheduled, edges / 60.0, color=LIMIT, lw=1.2, label="scheduled wait")
        if other is not None:
            ax.stairs(
                other,
                edges / 60.0,
                color=REFERENCE,
                lw=1.2,
                ls="--",
                label="reference day (no incident, no control)",
            )
        for k, (value, dash, colour, label) in enumerate(marks):
            style = {"solid": "-", "dash": "--", "dot": ":"}[dash]
            ax.axvline(value / 60.0, color=colour, linestyle=style, lw=1.8)
            ax.annotate(
                label,
                (value / 60.0, 0.97 - 0.07 * k),
                xycoords=("data", "axes fraction"),
                xytext=(3, 0),
                textcoords="offset points",
                fontsize=8,
                color=colour,
                va="top",
                bbox={"facecolor": "white", "alpha": 0.85, "lw": 0},
            )
        ax.set_xlim(0, edges[-1] / 60.0)
        ax.set_xlabel("Wait (min)")
        ax.set_ylabel(f"Passengers (per {WAIT_BIN_S:.0f} s bin)")
        ax.set_title(title, loc="left")
        ax.grid(axis="y", alpha=0.3)
        ax.legend(frameon=False, loc="upper right")
        return out

    return Chart(
        key="waits",
        title=title,
        figure=fig,
        static=static,
        caption=(
            f"The {summary.counted:,} passengers who boarded and had a scheduled train, by how "
            "long they waited on the platform (to the doors of the train they boarded, full "
            "trains included); the line is what the same passengers would have waited with "
            "every train on time"
            + (
                "; dashed, the waits of the same day without its incidents and control."
                if other is not None
                else "."
            )
        ),
    )
