"""The report's "Headways and capacity" section: the line's minimum headway and what sets it,
the headway at every station, interstation and terminal along the line, the blocking-time
diagram of two trains at the bottleneck, and the terminals' turnbacks — all read from the
run's `HeadwayAnalysis` (never recomputed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lrtsim.capacity.analysis import HeadwayAnalysis
from lrtsim.capacity.headway import Headway
from lrtsim.capacity.terminal import TerminalHeadway
from lrtsim.report import style
from lrtsim.report.blocking_chart import blocking_chart
from lrtsim.report.sections import Chart, RunView, Section, Table
from lrtsim.report.station_axis import (
    Stations,
    km_range,
    plotly_station_axis,
    static_station_axis,
    stations_of,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

BOTTLENECK = "#e67e22"
"""The bottleneck, wherever it is: orange (style.ACCENT), drawn over the direction colours."""
HEADWAY_HEIGHT_PX = 560


@dataclass(frozen=True)
class HeadwayMark:
    """One headway placed on the line: a stretch (an interstation) or a point (a station or a
    terminal), in chainage."""

    headway: Headway
    from_km: float
    to_km: float
    label: str

    @property
    def value_s(self) -> float:
        """The minimum headway, s."""
        return self.headway.min_headway_s


def headway_marks(analysis: HeadwayAnalysis, stations: Stations) -> tuple[HeadwayMark, ...]:
    """Every headway of the analysis (both directions, then the terminals) at its place."""
    marks = []
    for d in analysis.directions:
        for h in d.lines:
            assert h.between is not None
            a, b = (stations.km_of(n) for n in h.between)
            marks.append(HeadwayMark(h, min(a, b), max(a, b), f"{h.where} (line, {h.direction})"))
        for h in d.stations:
            km = stations.km_of(h.where)
            marks.append(HeadwayMark(h, km, km, f"{h.where} (station, {h.direction})"))
    for t in analysis.terminals:
        h = Headway(t.name, "terminal", t.direction, t.min_headway_s, t)
        km = stations.km_of(t.name)
        marks.append(HeadwayMark(h, km, km, f"{t.name} (turnback, {t.kind.replace('_', ' ')})"))
    return tuple(marks)


def _is_bottleneck(mark: HeadwayMark, analysis: HeadwayAnalysis) -> bool:
    b = analysis.bottleneck
    h = mark.headway
    return (h.where, h.kind, h.direction) == (b.where, b.kind, b.direction)


def _parts_text(h: Headway, sep: str) -> str:
    return sep.join(f"{k.replace('_', ' ')} {v:.1f} s" for k, v in h.components().items())


def headway_chart(analysis: HeadwayAnalysis, stations: Stations) -> Chart:
    """Minimum headway along the line: interstations as steps, stations as points, terminals'
    turnbacks as diamonds, the bottleneck highlighted."""
    marks = headway_marks(analysis, stations)
    b = analysis.bottleneck
    title = "Minimum headway along the line"
    caption = (
        "Least time between two trains (s) that the signalling allows: on the open line between "
        "stations (steps), at each station with the leader's dwell (dots) and at each terminal's "
        f"turnback (diamonds), by direction. The line's minimum headway is the largest: "
        f"{b.min_headway_s:.1f} s at {b.where} ({b.kind}, {b.direction}), the bottleneck."
    )
    return Chart(
        key="minimum-headways",
        title=title,
        figure=_headway_figure(title, analysis, stations, marks),
        static=lambda: _headway_static(title, analysis, stations, marks),
        caption=caption,
    )


def _headway_figure(
    title: str, analysis: HeadwayAnalysis, stations: Stations, marks: tuple[HeadwayMark, ...]
) -> go.Figure:
    import plotly.graph_objects as go

    fig = go.Figure()
    for d in analysis.directions:
        colour = style.DIRECTION_COLOURS[d.direction]
        lines = [
            m for m in marks if m.headway.kind == "line" and m.headway.direction == d.direction
        ]
        x: list[float | None] = []
        y: list[float | None] = []
        text: list[str | None] = []
        for m in lines:
            x += [m.from_km, m.to_km, None]
            y += [m.value_s, m.value_s, None]
            hover = f"{m.label}: {m.value_s:.1f} s<br>{_parts_text(m.headway, ', ')}"
            text += [hover, hover, None]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                name=f"open line, {d.direction}",
                line={"color": colour, "width": 2.5},
                text=text,
                hovertemplate="%{text}<extra></extra>",
            )
        )
        points = [
            m for m in marks if m.headway.kind == "station" and m.headway.direction == d.direction
        ]
        fig.add_trace(
            go.Scatter(
                x=[m.from_km for m in points],
                y=[m.value_s for m in points],
                mode="markers",
                name=f"station, {d.direction}",
                marker={"color": colour, "size": 8},
                text=[
                    f"{m.label}: {m.value_s:.1f} s<br>{_parts_text(m.headway, ', ')}"
                    for m in points
                ],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    ends = [m for m in marks if m.headway.kind == "terminal"]
    fig.add_trace(
        go.Scatter(
            x=[m.from_km for m in ends],
            y=[m.value_s for m in ends],
            mode="markers",
            name="terminal turnback",
            marker={
                "symbol": "diamond",
                "size": 12,
                "color": "white",
                "line": {"color": style.LIMIT, "width": 2},
            },
            text=[
                f"{m.label}: {m.value_s:.1f} s<br>binding: "
                f"{m.headway.parts.binding.name.replace('_', ' ')}"  # type: ignore[union-attr]
                for m in ends
            ],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    worst = next(m for m in marks if _is_bottleneck(m, analysis))
    fig.add_trace(
        go.Scatter(
            x=[(worst.from_km + worst.to_km) / 2],
            y=[worst.value_s],
            mode="markers",
            name="bottleneck",
            marker={
                "symbol": "star",
                "size": 18,
                "color": BOTTLENECK,
                "line": {"color": "#222", "width": 1},
            },
            text=[f"bottleneck: {worst.label}: {worst.value_s:.1f} s"],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    fig.add_hline(
        y=analysis.line_min_headway_s,
        line={"color": BOTTLENECK, "dash": "dash", "width": 1},
        annotation_text=f"line minimum headway {analysis.line_min_headway_s:.1f} s",
        annotation_position="top right",
    )
    style.style_figure(fig, title, "chainage (km)", "minimum headway (s)")
    fig.update_xaxes(range=km_range(stations, 0.03))
    fig.update_yaxes(rangemode="tozero", range=[0, analysis.line_min_headway_s * 1.15])
    fig.update_layout(
        height=HEADWAY_HEIGHT_PX,
        margin={"r": 90},
        legend={"y": -0.16, "yanchor": "top", "x": 0.5, "xanchor": "center"},
    )
    plotly_station_axis(fig, stations)
    return fig


def _headway_static(
    title: str, analysis: HeadwayAnalysis, stations: Stations, marks: tuple[HeadwayMark, ...]
) -> Figure:
    fig = style.static_figure()
    ax = fig.add_subplot()
    for d in analysis.directions:
        colour = style.DIRECTION_COLOURS[d.direction]
        mine = [m for m in marks if m.headway.direction == d.direction]
        for i, m in enumerate(m for m in mine if m.headway.kind == "line"):
            ax.plot(
                [m.from_km, m.to_km],
                [m.value_s] * 2,
                color=colour,
                lw=2,
                label=f"open line, {d.direction}" if i == 0 else None,
            )
        points = [m for m in mine if m.headway.kind == "station"]
        ax.scatter(
            [m.from_km for m in points],
            [m.value_s for m in points],
            color=colour,
            s=14,
            label=f"station, {d.direction}",
            zorder=3,
        )
    ends = [m for m in marks if m.headway.kind == "terminal"]
    ax.scatter(
        [m.from_km for m in ends],
        [m.value_s for m in ends],
        marker="D",
        s=40,
        facecolor="white",
        edgecolor=style.LIMIT,
        linewidth=1.5,
        zorder=4,
        label="terminal turnback",
    )
    worst = next(m for m in marks if _is_bottleneck(m, analysis))
    ax.scatter(
        [(worst.from_km + worst.to_km) / 2],
        [worst.value_s],
        marker="*",
        s=200,
        color=BOTTLENECK,
        edgecolor="#222",
        linewidth=0.6,
        zorder=5,
        label="bottleneck",
    )
    h = analysis.line_min_headway_s
    ax.axhline(h, color=BOTTLENECK, ls="--", lw=0.9)
    ax.text(
        0.99,
        h,
        f"line minimum headway {h:.1f} s: {worst.label} ",
        transform=ax.get_yaxis_transform(),
        va="bottom",
        ha="right",
        fontsize=7,
    )
    ax.set_ylim(0, h * 1.15)
    ax.set_xlim(*km_range(stations, 0.03))
    ax.set_xlabel("chainage (km)")
    ax.set_ylabel("minimum headway (s)")
    ax.grid(alpha=0.3)
    fig.legend(loc="outside lower center", fontsize=7, ncols=6, frameon=False)
    static_station_axis(ax, stations)
    fig.suptitle(title, x=0.01, ha="left", fontsize=11)
    return fig


def terminal_table(analysis: HeadwayAnalysis) -> Table:
    """Each terminal: its turnback layout, minimum headway and the resource that sets it."""
    rows = []
    for t in analysis.terminals:
        binding = t.binding
        rows.append(
            (
                t.name,
                t.kind.replace("_", " "),
                t.direction,
                f"{t.min_headway_s:.1f}",
                binding.name.replace("_", " "),
                f"{binding.occupation_s:.1f}",
                f"{t.turnaround_s:.0f}",
            )
        )
    return Table(
        title="Terminal turnbacks",
        header=(
            "terminal",
            "turnback",
            "trains arrive",
            "minimum headway (s)",
            "binding resource",
            "its occupation (s)",
            "least turnaround (s)",
        ),
        rows=tuple(rows),
        numeric=(False, False, False, True, False, True, True),
        note="A terminal's headway is its binding resource's occupation by one train plus the "
        "operating margin; the turnaround is the least time from arrival to departure.",
    )


def _binding_text(h: Headway) -> str:
    """', whose tail track binds' for a terminal's headway, else ''."""
    if isinstance(h.parts, TerminalHeadway):
        return f", whose {h.parts.binding.name.replace('_', ' ')} binds"
    return ""


def describe_capacity(analysis: HeadwayAnalysis) -> tuple[str, ...]:
    """The line's minimum headway, its bottleneck and the capacity it gives."""
    b = analysis.bottleneck
    where = {
        "terminal": f"the turnback at {b.where} (trains arriving {b.direction})",
        "station": f"the station {b.where} (direction {b.direction})",
        "line": f"the open line {b.where} (direction {b.direction})",
    }[b.kind]
    signalling = "moving block" if analysis.signalling == "moving_block" else "fixed block"
    return (
        f"With {signalling}, the line's minimum headway is {b.min_headway_s:.1f} s, set by "
        f"{where}{_binding_text(b)}: {_parts_text(b, ', ')}. That is "
        f"{analysis.trains_per_hour:.1f} trains per hour per direction: "
        f"{analysis.passengers_per_hour_per_direction:,.0f} passengers per hour per direction "
        "at the loading standard "
        f"({analysis.passengers_per_train_standard:.0f} a train), "
        f"{analysis.crush_passengers_per_hour_per_direction:,.0f} at crush load "
        f"({analysis.passengers_per_train_crush:.0f} a train).",
    )


def capacity_section(run: RunView) -> Section:
    """The section "Headways and capacity"."""
    analysis = run.headways
    stations = stations_of(run.scenario.line)
    return Section(
        key="capacity",
        title="Headways and capacity",
        text=describe_capacity(analysis),
        tables=(terminal_table(analysis),),
        charts=(headway_chart(analysis, stations), blocking_chart(analysis)),
    )
