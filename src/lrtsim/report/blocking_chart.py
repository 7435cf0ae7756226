"""The blocking-time diagram of two trains at the line's minimum headway, around the
bottleneck: the interactive form of `capacity_plot.plot_headway`, whose drawing is the static
form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from lrtsim.capacity.analysis import HeadwayAnalysis
from lrtsim.report import style
from lrtsim.report.capacity_plot import headway_figure, headway_window
from lrtsim.report.sections import Chart
from lrtsim.report.station_axis import Stations, plotly_station_axis

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

FloatArray = npt.NDArray[np.float64]
TRAINS = (("leader", "#1f77b4"), ("follower", "#d62728"))
"""The two trains, in the colours of `capacity_plot`."""
PATH_STEP_M = 10.0
BLOCKING_HEIGHT_PX = 620
BLOCKING_SIZE_IN = (11.0, 7.0)


@dataclass(frozen=True)
class TwoTrains:
    """What the diagram shows, in km from the window's start and seconds from the leader's
    departure."""

    headway_s: float
    start_name: str
    direction: str
    edges_km: FloatArray
    """Block boundaries in the window."""
    start_s: FloatArray
    end_s: FloatArray
    """Blocking time of each block (one per pair of edges), the leader's."""
    path_km: FloatArray
    path_s: FloatArray
    """The leader's head: position and time, stops drawn as their dwell."""
    stations: Stations
    turnback: tuple[float, float, float, str] | None
    """At a terminal bottleneck: where (km), arrival (s), how long one train holds the binding
    resource (s), its name."""
    signalling: str


def two_trains(analysis: HeadwayAnalysis) -> TwoTrains:
    """The diagram's data, from the analysis (the same window as `plot_headway`)."""
    b = analysis.bottleneck
    d = analysis.direction(b.direction)
    lo, hi = headway_window(d, b.position_m, b.kind == "terminal")
    st, trip = d.stairway, d.trip
    keep = (st.from_m >= lo - 1e-6) & (st.to_m <= hi + 1e-6) & ~np.isnan(st.end_s)
    edges = np.concatenate([st.from_m[keep], st.to_m[keep][-1:]]) if keep.any() else np.zeros(0)
    stops = trip.stop_m
    inside = (stops >= lo - 1) & (stops <= hi + 1)
    sample = np.union1d(np.arange(lo, hi, PATH_STEP_M), stops[inside])
    sample = sample[(sample >= lo) & (sample <= hi)]
    path_m: list[float] = []
    path_s: list[float] = []
    for x in sample:
        path_m.append(float(x))
        path_s.append(float(trip.arrival_at(x)))
        if np.min(np.abs(stops - x)) < 1e-6 and x < trip.end_m - 1e-6:
            path_m.append(float(x))
            path_s.append(float(trip.departure_at(x)))
    turnback = None
    if b.kind == "terminal":
        term = next(t for t in analysis.terminals if t.name == b.where)
        turnback = (
            (trip.end_m - lo) / 1000.0,
            float(trip.arrival_s[-1]),
            term.binding.occupation_s,
            term.binding.name.replace("_", " "),
        )
    names = tuple(n for n, ok in zip(trip.stop_names, inside, strict=True) if ok)
    return TwoTrains(
        headway_s=analysis.line_min_headway_s,
        start_name=trip.stop_names[int(np.searchsorted(stops, lo))],
        direction=d.direction,
        edges_km=(edges - lo) / 1000.0,
        start_s=st.start_s[keep],
        end_s=st.end_s[keep],
        path_km=(np.array(path_m) - lo) / 1000.0,
        path_s=np.array(path_s),
        stations=Stations(names, tuple(float(s - lo) / 1000.0 for s in stops[inside])),
        turnback=turnback,
        signalling=d.rule.kind,
    )


def _band(edges: FloatArray, start: FloatArray, end: FloatArray) -> tuple[list[float], ...]:
    """The stairway of blocking times as one closed polygon (starts forward, ends back)."""
    xs: list[float] = []
    ys: list[float] = []
    for j in range(len(start)):
        xs += [float(edges[j]), float(edges[j + 1])]
        ys += [float(start[j]), float(start[j])]
    for j in range(len(end) - 1, -1, -1):
        xs += [float(edges[j + 1]), float(edges[j])]
        ys += [float(end[j]), float(end[j])]
    return xs, ys


def blocking_chart(analysis: HeadwayAnalysis) -> Chart:
    """The blocking-time diagram as a report chart (static: `capacity_plot.headway_figure`)."""
    t = two_trains(analysis)
    b = analysis.bottleneck
    title = f"Two trains {t.headway_s:.1f} s apart at the bottleneck ({b.where})"
    kind = (
        "moving block, drawn as 10 m virtual blocks"
        if t.signalling == "moving_block"
        else "fixed block"
    )
    caption = (
        f"Time (min, downwards) against distance (km) for a leader and a follower at the line's "
        f"minimum headway, direction {t.direction}: each train's path and the track it reserves "
        f"({kind}: from when it could no longer stop short of a block until its tail has "
        "cleared it with the safety margin). Where the headway binds, the follower's blocking "
        "times come within the operating margin of the leader's."
    )
    if t.turnback is not None:
        caption += f" At {b.where}, the bars are the turnback's {t.turnback[3]} held by each train."

    def static() -> Figure:
        return headway_figure(analysis, style.static_figure(BLOCKING_SIZE_IN))

    return Chart(
        key="blocking-times", title=title, figure=_figure(title, t), static=static, caption=caption
    )


def _figure(title: str, t: TwoTrains) -> go.Figure:
    import plotly.graph_objects as go

    fig = go.Figure()
    for (label, colour), shift in zip(TRAINS, (0.0, t.headway_s), strict=True):
        if len(t.start_s):
            xs, ys = _band(t.edges_km, t.start_s + shift, t.end_s + shift)
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=[y / 60.0 for y in ys],
                    fill="toself",
                    mode="lines",
                    line={"width": 0},
                    fillcolor=colour,
                    opacity=0.25,
                    name=f"{label}: blocking time",
                    hoverinfo="skip",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=t.path_km,
                y=(t.path_s + shift) / 60.0,
                mode="lines",
                line={"color": colour, "width": 2},
                name=f"{label}: head",
                customdata=t.path_s + shift,
                hovertemplate=f"%{{x:.3f}} km, %{{customdata:.0f}} s<extra>{label}</extra>",
            )
        )
        if t.turnback is not None:
            at_km, arrival_s, held_s, name = t.turnback
            width = max(float(t.path_km[-1]) * 0.04, 0.05)
            fig.add_trace(
                go.Scatter(
                    x=[at_km, at_km + width, at_km + width, at_km, at_km],
                    y=[(arrival_s + shift + dt) / 60.0 for dt in (0, 0, held_s, held_s, 0)],
                    fill="toself",
                    mode="lines",
                    line={"width": 0},
                    fillcolor=colour,
                    opacity=0.5,
                    name=f"{label}: {name}",
                    showlegend=False,
                    hovertemplate=f"{label} holds the {name} {held_s:.0f} s<extra></extra>",
                )
            )
    style.style_figure(
        fig, title, f"distance from {t.start_name} (km), direction {t.direction}", "time (min)"
    )
    fig.update_yaxes(autorange="reversed")
    if t.turnback is not None:
        at_km, arrival_s, held_s, name = t.turnback
        fig.add_annotation(
            x=at_km + max(at_km * 0.04, 0.05) * 1.2,
            y=(arrival_s + t.headway_s) / 60.0,
            xanchor="left",
            showarrow=False,
            text=f"{t.stations.names[-1]}: {name}<br>held {held_s:.0f} s a train",
            font={"size": 11},
            align="left",
        )
        fig.update_xaxes(range=[-0.05, t.turnback[0] + max(t.turnback[0] * 0.04, 0.05) * 3])
    fig.update_layout(
        height=BLOCKING_HEIGHT_PX,
        margin={"r": 90},
        legend={"y": -0.14, "yanchor": "top", "x": 0.5, "xanchor": "center"},
    )
    plotly_station_axis(fig, t.stations)
    return fig
