"""Station names on a chainage axis, the same way in every chart along the line: names at
their km on a top axis (rotated so that close stations never overlap), km numbers below, and a
dotted line down each station."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


def stations_of(line: Line) -> Stations:
    """The stations of `line`, in line order."""
    return Stations(tuple(s.name for s in line.stations), tuple(s.km for s in line.stations))


def name_axis(stations: Stations) -> dict[str, Any]:
    """Layout of a plotly x axis showing the station names at their chainage (top side)."""
    return {
        "tickmode": "array",
        "tickvals": list(stations.km),
        "ticktext": list(stations.names),
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
    fig.update_layout(margin={"t": top}, title={"y": 0.995, "yanchor": "top"})


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
    top.set_xticks(list(stations.km), labels=list(stations.names))
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
