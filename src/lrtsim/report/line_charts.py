"""The report's "The line" section: what the line is, its line diagram (speed limits,
gradients and curves along the chainage) and its map."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lrtsim.dynamics.track import run_track
from lrtsim.model.geometry import curve_speed_limit_mps
from lrtsim.model.schema import Line, Scenario
from lrtsim.model.units import KMH_PER_MPS, kmh_to_mps
from lrtsim.report import style
from lrtsim.report.line_map import map_chart
from lrtsim.report.sections import Chart, RunView, Section
from lrtsim.report.station_axis import (
    Stations,
    km_range,
    plotly_station_axis,
    static_station_axis,
    stations_of,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MPS_TO_KMH = KMH_PER_MPS
DIAGRAM_HEIGHT_PX = 760
DIAGRAM_SIZE_IN = (11.0, 7.2)
"""The line diagram's three stacked plots need more height than a single chart."""
RADIUS_TICKS_M = (100, 200, 300, 500, 1000, 2000, 5000)


@dataclass(frozen=True)
class Step:
    """A piecewise-constant quantity along the line: value[i] holds over [edges_km[i],
    edges_km[i + 1])."""

    edges_km: tuple[float, ...]
    value: tuple[float, ...]

    def xy(self) -> tuple[list[float], list[float]]:
        """Points of the step drawn as a line (each value at both ends of its stretch)."""
        x: list[float] = []
        y: list[float] = []
        for i, v in enumerate(self.value):
            x += [self.edges_km[i], self.edges_km[i + 1]]
            y += [v, v]
        return x, y


@dataclass(frozen=True)
class CurveMark:
    """One curve as the diagram shows it: where, its radius and the speed it allows."""

    from_km: float
    to_km: float
    radius_m: float
    limit_kmh: float


def speed_limit_step(scenario: Scenario) -> Step:
    """The static speed limit along the line (km/h) as the physics sets it: the lower of the
    line's and the train's maximum speeds, civil limits and curve limits (`dynamics.track`,
    without the train-length rule, which depends on the run's direction)."""
    line = scenario.line
    track = run_track(line, "up")
    base = min(track.base_limit_mps, kmh_to_mps(scenario.rolling_stock.max_speed_kmh))
    lo, hi = line.stations[0].km, line.stations[-1].km
    zones = [
        (float(track.km_at(np.array(z.from_m))), float(track.km_at(np.array(z.to_m))), z.value)
        for z in track.limit_zones
    ]
    edges = sorted({lo, hi, *(e for a, b, _ in zones for e in (a, b) if lo < e < hi)})
    values = []
    for a, b in itertools.pairwise(edges):
        mid = 0.5 * (a + b)
        inside = [v for za, zb, v in zones if za <= mid < zb]
        values.append(min([base, *inside]) * MPS_TO_KMH)
    return Step(tuple(edges), tuple(values))


def gradient_step(line: Line) -> Step:
    """Gradient along the line (‰, positive rising toward higher km), level where none given."""
    lo, hi = line.stations[0].km, line.stations[-1].km
    edges = sorted(
        {lo, hi, *(e for g in line.gradients for e in (g.from_km, g.to_km) if lo < e < hi)}
    )
    values = []
    for a, b in itertools.pairwise(edges):
        mid = 0.5 * (a + b)
        values.append(sum(g.permille for g in line.gradients if g.from_km <= mid < g.to_km))
    return Step(tuple(edges), tuple(values))


def curve_marks(line: Line) -> tuple[CurveMark, ...]:
    """Every curve of the line with the speed limit it sets (`curve_speed_limit_mps`)."""
    marks = []
    for c in line.curves:
        cant = line.cant_mm if c.cant_mm is None else c.cant_mm
        v = curve_speed_limit_mps(c.radius_m, cant, line.cant_deficiency_mm, line.rail_centres_mm)
        marks.append(CurveMark(c.from_km, c.to_km, c.radius_m, v * MPS_TO_KMH))
    return tuple(marks)


def line_diagram(scenario: Scenario) -> Chart:
    """The line diagram: speed limits, gradients and curves stacked over the chainage."""
    line = scenario.line
    stations = stations_of(line)
    limits, grades, curves = speed_limit_step(scenario), gradient_step(line), curve_marks(line)
    title = f"{line.name}: speed limits, gradients and curves"
    caption = (
        "Top: the speed limit a train meets with its head (km/h): the line's and the train's "
        "maximum speed, civil limits and the limit of each curve (v² / R = g · (cant + cant "
        "deficiency) / rail-centre distance). Middle: gradient (‰, positive rising toward "
        "higher km). Bottom: curve radius (m) where the track curves."
    )
    if not line.gradients:
        caption += " The scenario gives no gradients: the line is drawn level."
    return Chart(
        key="line-diagram",
        title=title,
        figure=_diagram_figure(title, stations, limits, grades, curves),
        static=lambda: _diagram_static(title, stations, limits, grades, curves),
        caption=caption,
    )


def _diagram_figure(
    title: str, stations: Stations, limits: Step, grades: Step, curves: tuple[CurveMark, ...]
) -> go.Figure:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06, row_heights=[0.45, 0.25, 0.30]
    )
    x, y = limits.xy()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            name="speed limit",
            line={"color": style.LIMIT, "width": 2},
            hovertemplate="km %{x:.3f}: %{y:.0f} km/h<extra>limit</extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(gradient_trace(grades), row=2, col=1)
    cx: list[float | None] = []
    cy: list[float | None] = []
    data: list[tuple[float, float, float, float] | None] = []
    for c in curves:
        cx += [c.from_km, c.to_km, None]
        cy += [c.radius_m, c.radius_m, None]
        data += [(c.from_km, c.to_km, c.radius_m, c.limit_kmh)] * 2 + [None]
    fig.add_trace(
        go.Scatter(
            x=cx,
            y=cy,
            mode="lines+markers",
            name="curve",
            line={"color": style.SIMULATED, "width": 5},
            marker={"size": 5},
            customdata=data,
            hovertemplate="km %{customdata[0]:.3f}–%{customdata[1]:.3f}: "
            "R %{customdata[2]:.0f} m, limit %{customdata[3]:.0f} km/h"
            "<extra>curve</extra>",
        ),
        row=3,
        col=1,
    )
    style.style_figure(fig, title, "chainage (km)", "speed limit (km/h)")
    fig.update_xaxes(title_text=None)
    fig.update_xaxes(title_text="chainage (km)", range=km_range(stations), row=3, col=1)
    fig.update_yaxes(title_text="speed limit (km/h)", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="gradient (‰)", row=2, col=1)
    fig.update_yaxes(
        title_text="curve radius (m)",
        type="log",
        row=3,
        col=1,
        tickvals=list(RADIUS_TICKS_M),
        range=_radius_range_log(curves),
    )
    fig.update_layout(height=DIAGRAM_HEIGHT_PX, showlegend=False, margin={"r": 90})
    if not any(grades.value):
        note_level(fig, "2", y=0.75)
    plotly_station_axis(fig, stations, x_axis="x", y_axis="y")
    return fig


LEVEL_NOTE = "level (no gradients given)"
"""Written on a gradient panel when the scenario gives no gradients, so that a flat line is
not read as measured."""


def note_level(fig: go.Figure, axis: str, *, y: float) -> None:
    """`LEVEL_NOTE` over the gradient panel of subplot axes `x{axis}`/`y{axis}`."""
    fig.add_annotation(
        text=LEVEL_NOTE,
        xref=f"x{axis} domain",
        yref=f"y{axis} domain",
        x=0.5,
        y=y,
        showarrow=False,
        font={"size": 11, "color": "#666"},
    )


def gradient_trace(grades: Step, *, showlegend: bool = True) -> go.Scatter:
    """The gradient panel's trace: the step profile (‰), filled to zero."""
    import plotly.graph_objects as go

    x, y = grades.xy()
    return go.Scatter(
        x=x,
        y=y,
        mode="lines",
        name="gradient",
        fill="tozeroy",
        line={"color": style.ACCENT, "width": 1.4},
        showlegend=showlegend,
        hovertemplate="km %{x:.3f}: %{y:.1f} ‰<extra>gradient</extra>",
    )


def static_gradient(ax: Axes, grades: Step, *, note_y: float) -> None:
    """The static gradient panel: the step profile filled to zero, its axis titled, and
    `LEVEL_NOTE` at `note_y` (axes fraction) when the scenario gives no gradients."""
    x, y = grades.xy()
    ax.plot(x, y, color=style.ACCENT, lw=1.1)
    ax.fill_between(x, y, color=style.ACCENT, alpha=0.25, lw=0)
    ax.set_ylabel("gradient (‰)")
    if not any(grades.value):
        static_note_level(ax, y=note_y)


def static_note_level(ax: Axes, *, y: float) -> None:
    """`LEVEL_NOTE` over a static gradient panel, whose range is set to ±5 ‰."""
    ax.set_ylim(-5, 5)
    ax.text(0.5, y, LEVEL_NOTE, transform=ax.transAxes, ha="center", fontsize=8, color="#666")


def _diagram_static(
    title: str, stations: Stations, limits: Step, grades: Step, curves: tuple[CurveMark, ...]
) -> Figure:
    fig = style.static_figure(DIAGRAM_SIZE_IN)
    top, mid, low = fig.subplots(3, 1, sharex=True, height_ratios=[0.45, 0.25, 0.30])
    top.plot(*limits.xy(), color=style.LIMIT, lw=1.6)
    top.set_ylim(bottom=0, top=max(limits.value) * 1.15)
    top.set_ylabel("speed limit (km/h)")
    static_gradient(mid, grades, note_y=0.65)
    for c in curves:
        low.plot(
            [c.from_km, c.to_km],
            [c.radius_m] * 2,
            color=style.SIMULATED,
            lw=4,
            solid_capstyle="butt",
        )
        if c.radius_m < 400:
            low.annotate(
                f"R {c.radius_m:.0f}",
                ((c.from_km + c.to_km) / 2, c.radius_m),
                xytext=(0, -9),
                textcoords="offset points",
                ha="center",
                fontsize=6.5,
            )
    low.set_yscale("log")
    low.set_yticks(list(RADIUS_TICKS_M), labels=[f"{r:g}" for r in RADIUS_TICKS_M])
    low.minorticks_off()
    low.set_ylim(*(10**e for e in _radius_range_log(curves)))
    low.set_ylabel("curve radius (m)")
    low.set_xlabel("chainage (km)")
    low.set_xlim(*km_range(stations))
    for axes in (top, mid, low):
        axes.grid(alpha=0.3)
    static_station_axis(top, stations, lines_on=(mid, low))
    fig.suptitle(title, x=0.01, ha="left", fontsize=11)
    return fig


def _radius_range_log(curves: tuple[CurveMark, ...]) -> tuple[float, float]:
    """log10 range of the radius axis: the curves' radii with room for labels under them."""
    if not curves:
        return 2.0, 3.5
    radii = [c.radius_m for c in curves]
    return float(np.log10(min(radii) * 0.75)), float(np.log10(max(radii) * 1.3))


def describe_line(scenario: Scenario) -> tuple[str, ...]:
    """One or two paragraphs on the line: length, stations, depot, signalling, rolling stock."""
    line, stock, sig = scenario.line, scenario.rolling_stock, scenario.signalling
    first, last = line.stations[0], line.stations[-1]
    length_km = last.km - first.km
    n = len(line.stations)
    depot = (
        f" Its depot, {line.depot.name}, joins the line at km {line.depot.km:.3f} by a "
        f"{line.depot.access_m / 1000:.1f} km link."
        if line.depot is not None
        else " The scenario names no depot."
    )
    signalling = (
        f"CBTC moving block (safety margin {sig.safety_margin_m:g} m)"
        if sig.kind == "moving_block"
        else f"fixed block (blocks of at most {sig.block_length_m:g} m)"
    )
    standard = scenario.service.loading_standard_pax_per_m2
    first_text = (
        f"{line.name} runs {length_km:.1f} km from {first.name} to {last.name} with {n} "
        f"stations, {length_km / (n - 1):.2f} km apart on average; its top speed is "
        f"{line.max_speed_kmh:g} km/h.{depot}"
    )
    second_text = (
        f"Trains are separated by {signalling}. Rolling stock: {stock.name}, "
        f"{stock.length_m:g} m long, {stock.max_speed_kmh:g} km/h, "
        f"{stock.capacity_at(standard):.0f} passengers at {standard:g} standing/m² "
        f"({stock.capacity_at(stock.crush_standing_pax_per_m2):.0f} at crush)."
    )
    return first_text, second_text


def line_section(run: RunView) -> Section:
    """The section "The line": a description, the line diagram and the map (when the scenario
    has coordinates; else the text says there is no map)."""
    scenario = run.scenario
    text = describe_line(scenario)
    charts = [line_diagram(scenario)]
    chart = map_chart(scenario.line)
    if chart is None:
        text = (
            *text,
            "The scenario gives no coordinates for the line ([line.geometry]), "
            "so the report has no map of it.",
        )
    else:
        charts.append(chart)
    return Section(key="line", title="The line", text=text, charts=tuple(charts))
