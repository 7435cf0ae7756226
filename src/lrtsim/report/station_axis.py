"""Station names on a chainage axis, the same way in every chart along the line: names at
their km on a top axis (rotated, and on a dense line thinned to evenly spaced ones with both
terminals, so that no two overlap), km numbers below, and a dotted line down each station."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from lrtsim.model.schema import Line

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.axes import Axes

STATION_LINE = "#b0b0b0"
"""Colour of the dotted line down each station."""
TICK_ANGLE_DEG = 45
"""Station names rise at this angle: at 45° two names 0.6 km apart stay clear of each other on
a 21 km line at the report's width (about 27 px apart on screen, 18 pt on paper)."""
NAMES_MARGIN_PX = 160
"""Room above the plot for the rotated names and the title."""
NAMES_RIGHT_PX = 110
"""Room right of the plot for the last station's name, rising from the line's end."""
PLOT_WIDTH_PX = 1000
"""Width of a chart's plot area in the report (its page is about 1,100 px wide)."""
NAME_GAP_PX = 18
"""Least distance between two shown names on the rotated axis: an 11 px line of text at 45°
takes 11 / sin 45° ≈ 16 px of the axis."""
STATIC_PLOT_WIDTH_PT = 620.0
"""Width of a static chart's plot area (an 11-inch figure less its margins)."""
STATIC_NAME_GAP_PT = 12.0
"""The same for the static charts' 7-pt names."""
MAX_NAME_CHARS = 26
"""Names longer than this are cut at a word (an ellipsis marks it); hover shows them whole."""


@dataclass(frozen=True)
class Stations:
    """The line's stations in line order: names and chainage (km)."""

    names: tuple[str, ...]
    km: tuple[float, ...]

    @property
    def span_km(self) -> tuple[float, float]:
        """First and last station's chainage."""
        return self.km[0], self.km[-1]

    def km_of(self, name: str) -> float:
        """Chainage of the station called `name`."""
        return self.km[self.names.index(name)]


def shown_labels(positions: Sequence[float] | npt.ArrayLike, min_gap: float) -> tuple[bool, ...]:
    """Which of the labels at `positions` (line order; km, or rows of map x, y) to show so that
    no two shown are closer than `min_gap`: both terminals, then each station in line order
    that is far enough from every one shown (so the shown names are evenly spaced)."""
    p = np.asarray(positions, dtype=np.float64)
    p = p.reshape(len(p), -1)
    n = len(p)
    if n <= 2:
        return (True,) * n
    show = np.zeros(n, dtype=bool)
    show[[0, n - 1]] = True
    for i in range(1, n - 1):
        if np.hypot.reduce(p[show] - p[i], axis=1).min() >= min_gap:
            show[i] = True
    return tuple(bool(v) for v in show)


def short_name(name: str, max_chars: int = MAX_NAME_CHARS) -> str:
    """`name`, or its first words within `max_chars` and an ellipsis."""
    if len(name) <= max_chars:
        return name
    cut = name[: max_chars - 1].rsplit(" ", 1)[0].rstrip(" /&,-")
    return (cut or name[: max_chars - 1]) + "…"


def axis_labels(km: Sequence[float], names: Sequence[str], min_gap_km: float) -> list[str]:
    """The tick text of a station axis: each shown station's (short) name, '' for the others."""
    show = shown_labels(km, min_gap_km)
    return [short_name(n) if s else "" for n, s in zip(names, show, strict=True)]


def stations_of(line: Line) -> Stations:
    """The stations of `line`, in line order."""
    return Stations(tuple(s.name for s in line.stations), tuple(s.km for s in line.stations))


def name_gap_km(stations: Stations, gap: float, width: float) -> float:
    """The chainage that `gap` (px or pt) takes on a plot `width` wide over the stations."""
    lo, hi = km_range(stations)
    return (hi - lo) * gap / width


def name_axis(stations: Stations) -> dict[str, Any]:
    """Layout of a plotly x axis showing the station names at their chainage (top side),
    thinned where they would overlap (`shown_labels`) and shortened (`short_name`)."""
    gap = name_gap_km(stations, NAME_GAP_PX, PLOT_WIDTH_PX)
    return {
        "tickmode": "array",
        "tickvals": list(stations.km),
        "ticktext": axis_labels(stations.km, stations.names, gap),
        "ticklabeloverflow": "allow",
        "tickangle": -TICK_ANGLE_DEG,
        "tickfont": {"size": 11},
        "side": "top",
        "showgrid": False,
        "ticks": "outside",
        "ticklen": 4,
    }


def plotly_station_axis(
    fig: go.Figure, stations: Stations, *, x_axis: str = "x", y_axis: str = "y"
) -> None:
    """Put the station names above the plot whose axes are `x_axis`/`y_axis` (plotly names:
    `x`, `x2`, …), as an overlaid top axis locked to its range; `fig` keeps its km numbers
    below. Adds a dotted line down each station through every subplot sharing `x_axis`."""
    import plotly.graph_objects as go

    used = [k for k in fig.layout.to_plotly_json() if k.startswith("xaxis")]
    number = max([int(k[5:] or 1) for k in used] + [1]) + 1
    name = f"x{number}"
    fig.update_layout(
        {
            f"xaxis{number}": {
                **name_axis(stations),
                "overlaying": x_axis,
                "matches": x_axis,
                "anchor": y_axis,
            }
        }
    )
    fig.add_trace(
        go.Scatter(
            x=list(stations.km),
            y=[None] * len(stations.km),
            xaxis=name,
            yaxis=y_axis,
            showlegend=False,
            hoverinfo="skip",
        )
    )
    # The lines as shapes in one update: `add_vline` on a figure of subplots walks the whole
    # grid for every line (some 70 ms a line).
    line = {"color": STATION_LINE, "width": 1, "dash": "dot"}
    drawn = [
        {
            "type": "line",
            "xref": x,
            "yref": f"{y} domain",
            "x0": km,
            "x1": km,
            "y0": 0,
            "y1": 1,
            "line": line,
            "layer": "below",
        }
        for x, y in _plots_sharing(fig, x_axis)
        for km in stations.km
    ]
    fig.update_layout(shapes=[*fig.layout.shapes, *drawn])
    top = max(fig.layout.margin.t or 0, NAMES_MARGIN_PX)
    right = max(fig.layout.margin.r or 0, NAMES_RIGHT_PX)
    fig.update_layout(margin={"t": top, "r": right}, title={"y": 0.995, "yanchor": "top"})


def _plots_sharing(fig: go.Figure, x_axis: str) -> list[tuple[str, str]]:
    """(x axis, y axis) of every plot whose x axis is `x_axis` or shares its range (plotly's
    `matches`, which for shared subplots names one axis of the group), name axes left out."""
    plots: dict[str, tuple[str, str]] = {}
    for key, axis in fig.layout.to_plotly_json().items():
        if key.startswith("xaxis") and not axis.get("overlaying"):
            x = f"x{key[5:]}"
            plots[x] = (str(axis.get("matches", x)), str(axis.get("anchor", "y")))
    group = plots.get(x_axis, (x_axis, "y"))[0]
    shared = [(x, y) for x, (root, y) in plots.items() if group in (x, root)]
    return shared or [(x_axis, "y")]


def static_station_axis(ax: Axes, stations: Stations, *, lines_on: tuple[Axes, ...] = ()) -> None:
    """The matplotlib form: station names on a top axis of `ax`, a dotted line down each
    station on `ax` and on every axes of `lines_on`."""
    top = ax.secondary_xaxis("top")
    gap = name_gap_km(stations, STATIC_NAME_GAP_PT, STATIC_PLOT_WIDTH_PT)
    top.set_xticks(list(stations.km), labels=axis_labels(stations.km, stations.names, gap))
    top.tick_params(axis="x", labelsize=7, length=3)
    for label in top.get_xticklabels():
        label.set_rotation(TICK_ANGLE_DEG)
        label.set_horizontalalignment("left")
        label.set_rotation_mode("anchor")
    for axes in (ax, *lines_on):
        for km in stations.km:
            axes.axvline(km, color=STATION_LINE, lw=0.6, ls=":", zorder=0)


def km_range(stations: Stations, pad_share: float = 0.01) -> tuple[float, float]:
    """The x range of a chart along the line: the stations with a little room either side."""
    lo, hi = stations.span_km
    pad = (hi - lo) * pad_share
    return lo - pad, hi + pad
