"""The report's time–distance (Marey) diagram: every trip of the design day as planned (grey,
dashed) and as simulated (solid, by direction), with the incidents shaded over their time and
place (the data: `marey_data`).

The chart opens on a readable window — around the first incident, or the morning peak hour —
and zooming out (or the range slider) shows the whole day; a second, lighter chart shows the
whole day through the stops alone.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go

from lrtsim.model.direction import DIRECTIONS, Direction, running_order
from lrtsim.planning.day_types import design_day_label
from lrtsim.report.chart_axes import (
    clock_axis,
    clock_date,
    clock_ticks,
    hm,
    hms,
    ms,
    station_km,
    station_names,
)
from lrtsim.report.marey_data import (
    Band,
    Lines,
    default_window,
    incident_bands,
    largest_delay,
    stop_lines,
    trajectory_lines,
    visit_hovers,
)
from lrtsim.report.sections import Chart, RunView, Section
from lrtsim.report.station_axis import axis_labels, short_name
from lrtsim.report.style import (
    DIRECTION_COLOURS,
    INCIDENT_FILL,
    PLANNED,
    static_figure,
    style_figure,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lrtsim.metrics.kpis import Kpis
    from lrtsim.model.schema import Scenario
    from lrtsim.simulation.day import DayResult

FloatArray = npt.NDArray[np.float64]

INCIDENT_EDGE = "rgba(192, 57, 43, 0.8)"
POINT_HOVER = "{}<br>%{{x}} · %{{y:.2f}} km<extra></extra>"
"""Hover of a line without hover text: what it is, its time and chainage."""
HEIGHT_PX = 760
MAREY_SIZE_IN = (11.7, 7.6)
"""A4 landscape, less margins."""
Y_PLOT_PX = 520.0
"""Height of the interactive diagram's plot area (its height less title, slider and legend)."""
Y_NAME_GAP_PX = 14.0
"""Least distance between two station names on its y axis (11 px text)."""
LEGEND_ROW_CHARS = 150
"""The static diagram's legend fits one row of this many characters (8-pt text)."""
STATIC_Y_PLOT_PT = 400.0
STATIC_Y_NAME_GAP_PT = 10.0
"""The same for the static diagram (7.5-pt names)."""


def _name_gap_km(km: FloatArray, gap: float, height: float) -> float:
    """The chainage `gap` takes on an axis `height` tall over the stations (±0.3 km)."""
    return (float(km.max() - km.min()) + 0.6) * gap / height


def _direction_name(direction: Direction, stations: tuple[str, ...]) -> str:
    a, b = running_order((stations[0], stations[-1]), direction)
    return f"simulated {direction} ({short_name(a)} → {short_name(b)})"


def marey_section(run: RunView) -> Section:
    """Time–distance diagram: planned against simulated trips, incidents shaded."""
    st = run.result.stop_times
    km = station_km(run.day)
    title = "Time–distance diagram: planned and simulated trips"
    main = marey_chart(
        "marey", title, run.day, run.result, run.design.day_type, default_window(run)
    )
    stops = {d: stop_lines(st, km, "actual", d) for d in DIRECTIONS}
    day = (_first(st), _last(st))
    whole = _marey_chart(
        "marey-day",
        "Time–distance diagram, the whole day",
        station_names(run.day),
        km,
        stop_lines(st, km, "planned"),
        stops,
        None,
        incident_bands(run.day),
        day,
        day,
        run.design.day_type,
    )
    return Section(
        key="marey",
        title="Time–distance diagram",
        text=tuple(marey_text(run.kpis, st, incident_bands(run.day))),
        charts=(main, whole),
    )


def marey_chart(
    key: str,
    title: str,
    day: Scenario,
    result: DayResult,
    day_type: str,
    window: tuple[float, float],
    *,
    hover_text: bool = True,
) -> Chart:
    """The time–distance diagram of one simulated day (`day`: the scenario it was simulated
    on), open on `window` (zoom out, or the slider, for the whole day): its planned trips
    against its simulated trajectories, incidents shaded.

    Without `hover_text`, neither the planned trips nor the stops carry hover text (a point's
    time and chainage only): the chart is then about half the size in the HTML (some 0.9 MB
    for the Astana day rather than 1.9 MB), for pages that show several days.
    """
    st = result.stop_times
    km = station_km(day)
    planned = stop_lines(st, km, "planned")
    if not hover_text:
        planned = Lines(planned.time_s, planned.km)
    detailed = {d: trajectory_lines(st, result.trajectory, km, d) for d in DIRECTIONS}
    hovers = {d: visit_hovers(st, km, d) for d in DIRECTIONS} if hover_text else None
    return _marey_chart(
        key,
        title,
        station_names(day),
        km,
        planned,
        detailed,
        hovers,
        incident_bands(day),
        window,
        (_first(st), _last(st)),
        day_type,
    )


def _first(st: pd.DataFrame) -> float:
    times = st[["planned_departure_s", "actual_departure_s"]].to_numpy(float)
    return 1800.0 * math.floor(float(np.nanmin(times)) / 1800.0)


def _last(st: pd.DataFrame) -> float:
    times = st[["planned_arrival_s", "actual_arrival_s"]].to_numpy(float)
    return 1800.0 * math.ceil(float(np.nanmax(times)) / 1800.0)


CALM_TEXT = "No incident: the chart opens on the busiest morning hour of the plan."
"""The run report's word on a day without incidents (its diagram's window)."""


def marey_text(
    kpis: Kpis, st: pd.DataFrame, bands: tuple[Band, ...], calm: str = CALM_TEXT
) -> list[str]:
    """What the diagram of a day shows in words: its trips, its largest delay, its incidents
    (or `calm` without one)."""
    planned, operated = kpis.trips_planned, kpis.trips_operated
    text = [f"{planned} trips planned, {operated} operated (served at least one stop)."]
    k = largest_delay(st)
    if k is not None:
        row = st.iloc[k]
        delay = float(row["actual_arrival_s"]) - float(row["planned_arrival_s"])
        text.append(
            f"Largest arrival delay: {delay / 60:.1f} min, trip {row['trip_id']} at "
            f"{row['station']} (planned {hms(float(row['planned_arrival_s']))})."
        )
    if bands:
        text.append("Incidents (shaded): " + "; ".join(b.label for b in bands) + ".")
    else:
        text.append(calm)
    return text


def label_on_right(band: Band, window: tuple[float, float]) -> bool:
    """Whether an incident's label ends at the band's right edge (the band's middle is in the
    right half of `window`) rather than starting at its left edge, so it stays in the plot."""
    return 0.5 * (band.from_s + band.to_s) > 0.5 * (window[0] + window[1])


def _light(values: FloatArray) -> npt.NDArray[np.float32]:
    """Values of a line trace in single precision (8 ms at 24:00, a metre at 20 km: far below
    a pixel), halving the chart's size in the HTML."""
    return values.astype(np.float32)


def _marey_chart(
    key: str,
    title: str,
    names: tuple[str, ...],
    km: FloatArray,
    planned: Lines,
    simulated: dict[Direction, Lines],
    hovers: dict[Direction, Lines] | None,
    bands: tuple[Band, ...],
    window: tuple[float, float],
    day: tuple[float, float],
    day_type: str,
) -> Chart:
    """The interactive diagram over `window` (zoom out to `day`) and its static twin."""
    fig = go.Figure()
    fig.add_scatter(
        x=_light(ms(planned.time_s)),
        y=_light(planned.km),
        mode="lines",
        name="planned (timetable)",
        line={"color": PLANNED, "width": 1, "dash": "dash"},
        text=list(planned.text) or None,
        hovertemplate=(
            "%{text}<br>%{x}<extra></extra>" if planned.text else POINT_HOVER.format("planned")
        ),
    )
    for d in DIRECTIONS:
        lines = simulated[d]
        fig.add_scatter(
            x=_light(ms(lines.time_s)),
            y=_light(lines.km),
            mode="lines",
            name=_direction_name(d, names),
            line={"color": DIRECTION_COLOURS[d], "width": 1.6},
            text=list(lines.text) or None,
            hovertemplate=(
                "%{text}<br>%{x}<extra></extra>"
                if lines.text
                else (POINT_HOVER.format(f"simulated {d}") if hovers is None else None)
            ),
            hoverinfo=None if lines.text or hovers is None else "skip",
        )
        if hovers is not None:
            fig.add_scatter(
                x=ms(hovers[d].time_s),
                y=hovers[d].km,
                mode="markers",
                showlegend=False,
                marker={"size": 7, "color": DIRECTION_COLOURS[d], "opacity": 0.0},
                text=list(hovers[d].text),
                hovertemplate="%{text}<extra></extra>",
                name=f"{d} stops",
            )
    for band in bands:
        fig.add_shape(
            type="rect",
            x0=clock_date(band.from_s),
            x1=clock_date(band.to_s),
            y0=band.from_km,
            y1=band.to_km,
            fillcolor=INCIDENT_FILL,
            line={"color": INCIDENT_EDGE, "width": 1},
            layer="below",
        )
        right = label_on_right(band, window)
        fig.add_annotation(
            x=clock_date(band.to_s if right else band.from_s),
            y=band.to_km,
            text=band.label,
            showarrow=False,
            xanchor="right" if right else "left",
            yanchor="bottom",
            font={"size": 11, "color": INCIDENT_EDGE},
            bgcolor="rgba(255,255,255,0.8)",
        )
    if bands:
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name="incident (time and place)",
            marker={
                "symbol": "square",
                "size": 12,
                "color": INCIDENT_FILL,
                "line": {"color": INCIDENT_EDGE, "width": 1},
            },
        )
    # An invisible point on a second y axis, so that it shows the chainage on the right.
    fig.add_scatter(
        x=[ms(window[0])],
        y=[km[0]],
        yaxis="y2",
        mode="markers",
        showlegend=False,
        marker={"opacity": 0.0},
        hoverinfo="skip",
    )
    style_figure(
        fig,
        f"{title} ({design_day_label(day_type)})",
        "Time of day (HH:MM)",
        "Station (distance along the line, km)",
    )
    clock_axis(fig)
    span = [float(km.min()) - 0.3, float(km.max()) + 0.3]
    fig.update_layout(
        height=HEIGHT_PX,
        margin={"l": 150, "r": 60},
        yaxis={
            "tickvals": km.tolist(),
            "ticktext": axis_labels(km.tolist(), names, _name_gap_km(km, Y_NAME_GAP_PX, Y_PLOT_PX)),
            "range": span,
            "tickfont": {"size": 11},
            "gridcolor": "#e6e6e6",
        },
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "matches": "y",
            "showgrid": False,
            "title": {"text": "km"},
            "dtick": 2,
            "ticks": "outside",
        },
        xaxis={
            # Both ranges fixed: the incident labels would widen plotly's autorange.
            "range": [clock_date(window[0]), clock_date(window[1])],
            "autorange": False,
            "rangeslider": {
                "visible": True,
                "thickness": 0.06,
                "range": [clock_date(day[0]), clock_date(day[1])],
                "autorange": False,
            },
            "gridcolor": "#e6e6e6",
        },
        hoverdistance=12,
    )

    def static() -> Figure:
        out = static_figure(MAREY_SIZE_IN)
        ax = out.add_subplot()
        _draw_static(ax, names, km, planned, simulated, bands, window)
        ax.set_title(
            f"{title} ({design_day_label(day_type)}, {hm(window[0])}–{hm(window[1])})",
            loc="left",
        )
        return out

    whole = window == day
    return Chart(
        key=key,
        title=title,
        figure=fig,
        static=static,
        caption=(
            "Grey dashed: the timetable; solid: the simulated trains (blue up, red down), "
            "standing where a line is flat. "
            + (
                "Every trip of the day through its stops. "
                if whole
                else "Drag, or use the slider below, to move in time; double-click for the day. "
            )
            + ("Shaded: the incidents, over their time and section." if bands else "")
        ),
    )


def _draw_static(
    ax: Axes,
    names: tuple[str, ...],
    km: FloatArray,
    planned: Lines,
    simulated: dict[Direction, Lines],
    bands: tuple[Band, ...],
    window: tuple[float, float],
) -> None:
    from matplotlib.patches import Rectangle

    wide = window[1] - window[0] > 4 * 3600.0
    ax.plot(
        planned.time_s,
        planned.km,
        color=PLANNED,
        lw=0.5 if wide else 0.8,
        linestyle=(0, (4, 3)),
        label="planned (timetable)",
    )
    for d in DIRECTIONS:
        ax.plot(
            simulated[d].time_s,
            simulated[d].km,
            color=DIRECTION_COLOURS[d],
            lw=0.6 if wide else 1.2,
            label=_direction_name(d, names),
        )
    for band in bands:
        ax.add_patch(
            Rectangle(
                (band.from_s, band.from_km),
                band.to_s - band.from_s,
                band.to_km - band.from_km,
                facecolor=(0.91, 0.30, 0.24, 0.18),
                edgecolor=(0.75, 0.22, 0.17, 0.9),
                lw=0.8,
                zorder=0,
            )
        )
        if not wide:
            at_right = label_on_right(band, window)
            ax.annotate(
                band.label,
                (band.to_s if at_right else band.from_s, band.to_km),
                xytext=(-2 if at_right else 2, 3),
                ha="right" if at_right else "left",
                textcoords="offset points",
                fontsize=7.5,
                color=(0.75, 0.22, 0.17),
                bbox={"facecolor": "white", "alpha": 0.8, "lw": 0, "pad": 1},
            )
    if bands:
        ax.add_patch(
            Rectangle(
                (0, 0),
                0,
                0,
                facecolor=(0.91, 0.30, 0.24, 0.18),
                edgecolor=(0.75, 0.22, 0.17, 0.9),
                label="incident",
            )
        )
    clock_ticks(ax, *window)
    ax.set_ylim(float(km.min()) - 0.3, float(km.max()) + 0.3)
    gap = _name_gap_km(km, STATIC_Y_NAME_GAP_PT, STATIC_Y_PLOT_PT)
    ax.set_yticks(km, axis_labels(km.tolist(), names, gap), fontsize=7.5)
    ax.grid(axis="y", color="#e6e6e6", lw=0.6)
    ax.grid(axis="x", color="#eeeeee", lw=0.6)
    right = ax.secondary_yaxis("right")
    right.set_ylabel("km")
    ax.set_xlabel("Time of day (HH:MM)")
    ax.set_ylabel("Station (distance along the line, km)")
    ax.legend(
        frameon=True,
        framealpha=0.9,
        fontsize=8,
        # one row, unless long terminal names would make it wider than the axes
        ncols=4 if sum(map(len, ax.get_legend_handles_labels()[1])) <= LEGEND_ROW_CHARS else 2,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.04),
        borderaxespad=0,
    )
