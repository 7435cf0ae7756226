"""The report's energy section: the energy drawn from the line by each trip against its
departure, by direction, and by each train's empty moves, summing to the day's KPI.

Energies are the simulation's `runs` table (`line_energy_j`, net of regeneration), in kWh as
`metrics.operations.energy_kwh` counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go

from lrtsim.metrics.operations import JOULES_PER_KWH
from lrtsim.model.direction import DIRECTIONS
from lrtsim.report.chart_axes import clock_axis, clock_ticks, hms, ms
from lrtsim.report.sections import Chart, RunView, Section
from lrtsim.report.style import DIRECTION_COLOURS, PLANNED, static_figure, style_figure

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

FloatArray = npt.NDArray[np.float64]

EMPTY = "empty"
"""The series of the empty moves (pull-out, pull-in, deadheads)."""


@dataclass(frozen=True)
class EnergySeries:
    """Points of one series: when, how much, and what."""

    time_s: FloatArray
    energy_kwh: FloatArray
    label: tuple[str, ...]


def energy_series(
    runs: pd.DataFrame, stop_times: pd.DataFrame, blocks: pd.DataFrame
) -> dict[str, EnergySeries]:
    """Per direction, each trip's energy at its first actual departure (planned if it never
    left); `EMPTY`: each train's empty moves together, at its first pull-out (its first
    activity when it has none)."""
    kwh = runs["line_energy_j"].to_numpy(float) / JOULES_PER_KWH
    trips = stop_times.groupby("trip_id").agg(
        actual=("actual_departure_s", "min"),
        planned=("planned_departure_s", "min"),
        direction=("direction", "first"),
    )
    when = trips["actual"].fillna(trips["planned"])
    out: dict[str, EnergySeries] = {}
    in_service = runs["trip_id"].to_numpy() != ""
    trip_ids = runs["trip_id"].to_numpy()
    direction = trips["direction"].reindex(trip_ids).to_numpy()
    for d in DIRECTIONS:
        pick = in_service & (direction == d)
        ids = trip_ids[pick]
        out[d] = EnergySeries(
            when.reindex(ids).to_numpy(float), kwh[pick], tuple(str(i) for i in ids)
        )
    first = blocks.sort_values("start_s").groupby("block_id")["start_s"].first()
    pulls = blocks[blocks["activity"] == "pull_out"].groupby("block_id")["start_s"].min()
    start = pulls.reindex(first.index).fillna(first)
    empty = ~in_service
    block_ids = runs["block_id"].to_numpy()[empty]
    out[EMPTY] = EnergySeries(
        start.reindex(block_ids).to_numpy(float),
        kwh[empty],
        tuple(f"{b}: empty moves" for b in block_ids),
    )
    return out


def energy_section(run: RunView) -> Section:
    """Energy: by trip against departure time, by direction, and the empty moves."""
    series = energy_series(run.result.runs, run.result.stop_times, run.design.plan.blocks)
    total = run.kpis.energy_kwh
    parts = "; ".join(
        f"{name}: {s.energy_kwh.sum():,.0f} kWh over {len(s.energy_kwh)} "
        + ("trains" if name == EMPTY else f"trips (mean {s.energy_kwh.mean():.1f} kWh)")
        for name, s in series.items()
        if len(s.energy_kwh)
    )
    km = run.kpis.train_km
    per_km = f", {total / km:.2f} kWh per train-km" if km > 0 else ""
    text = (f"The day draws {total:,.0f} kWh from the line, net of regeneration{per_km}. {parts}.",)
    return Section(key="energy", title="Energy", text=text, charts=(energy_chart(series, total),))


def energy_chart(series: dict[str, EnergySeries], total_kwh: float) -> Chart:
    """Each trip's energy at its departure by direction, and each train's empty moves."""
    title = "Energy drawn from the line by trip (net of regeneration)"
    colours = {**DIRECTION_COLOURS, EMPTY: PLANNED}
    names = {"up": "trips up", "down": "trips down", EMPTY: "empty moves (a point a train)"}
    symbols = {"up": "circle", "down": "diamond", EMPTY: "square"}
    marker_styles = {"up": "o", "down": "D", EMPTY: "s"}
    fig = go.Figure()
    for key, s in series.items():
        fig.add_scatter(
            x=ms(s.time_s),
            y=s.energy_kwh,
            mode="markers",
            name=names[key],
            marker={"color": colours[key], "size": 7, "symbol": symbols[key]},
            text=list(s.label),
            hovertemplate="%{text}, from %{x}: %{y:.1f} kWh<extra></extra>",
        )
    style_figure(fig, title, "Departure time (HH:MM)", "Energy (kWh per trip)")
    clock_axis(fig)
    fig.update_yaxes(rangemode="tozero")
    times = np.concatenate([s.time_s for s in series.values()])
    span = (float(np.nanmin(times)) - 1800.0, float(np.nanmax(times)) + 1800.0)

    def static() -> Figure:
        out = static_figure((11.0, 5.5))
        ax = out.add_subplot()
        for key, s in series.items():
            ax.plot(
                s.time_s,
                s.energy_kwh,
                marker_styles[key],
                color=colours[key],
                markersize=4,
                label=names[key],
            )
        ax.set_ylim(bottom=0)
        clock_ticks(ax, *span)
        ax.set_xlabel("Departure time (HH:MM)")
        ax.set_ylabel("Energy (kWh per trip)")
        ax.set_title(title, loc="left")
        ax.grid(axis="y", alpha=0.3)
        ax.legend(frameon=False, ncols=3, loc="lower right", bbox_to_anchor=(1.0, 1.0))
        return out

    first = hms(span[0] + 1800.0)
    return Chart(
        key="energy",
        title=title,
        figure=fig,
        static=static,
        caption=(
            f"Each point: one trip's energy at its departure (first from {first}); grey: each "
            f"train's pull-out, pull-in and deadheads together. The points sum to "
            f"{total_kwh:,.0f} kWh, the day's energy KPI."
        ),
    )
