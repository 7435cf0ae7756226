"""One look for every chart of the report: colours, fonts and sizes, shared by the interactive
(plotly) and static (matplotlib) versions so that the two read alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
"""Font stack of the HTML report and its charts (no web font: the report works offline)."""

DIRECTION_COLOURS = {"up": "#1f5fa8", "down": "#c0392b"}
"""Direction up (first → last station) and down, in every chart."""
PLANNED = "#8c8c8c"
"""Planned (published) values: grey, dashed."""
SIMULATED = "#1f5fa8"
"""Simulated values where direction does not matter."""
LIMIT = "#444444"
"""Speed limits, capacity lines and other bounds."""
INCIDENT_FILL = "rgba(231, 76, 60, 0.15)"
"""Shading of an incident's time and place."""
ACCENT = "#e67e22"
"""A second series that is neither planned nor simulated (e.g. energy, demand)."""

WIDTH_PX = 1000
HEIGHT_PX = 460
"""Default size of an interactive chart (it resizes to the page)."""
STATIC_SIZE_IN = (10.0, 4.8)
STATIC_DPI = 150
"""Default size of a static chart: 1,500 × 720 px."""


BOTTOM_LEGEND = {
    "orientation": "h",
    "yref": "container",
    "y": 0.0,
    "yanchor": "bottom",
    "xanchor": "center",
    "x": 0.5,
}
"""The legend along the bottom edge of the figure, below the axis title (and a range slider):
plotly widens the bottom margin to fit it however many rows it wraps to, on screen or printed
narrower, so it never covers the title or the plot."""


def style_figure(fig: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    """`fig` with the report's layout: its title, axis titles (with units), font, white
    background and a legend above the plot area."""
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "y": 0.985, "yanchor": "top"},
        template="plotly_white",
        font={"family": FONT, "size": 13},
        height=HEIGHT_PX,
        margin={"l": 70, "r": 30, "t": 60, "b": 60},
        legend=dict(BOTTOM_LEGEND),
        hovermode="closest",
    )
    fig.update_xaxes(title_text=x_title, showline=True, linecolor="#999", mirror=True)
    fig.update_yaxes(title_text=y_title, showline=True, linecolor="#999", mirror=True)
    return fig


def static_figure(
    size_in: tuple[float, float] = STATIC_SIZE_IN,
) -> Figure:
    """A new matplotlib figure of the report's static size (not attached to pyplot, so that
    building charts never opens a window nor keeps figures alive)."""
    from matplotlib.figure import Figure

    return Figure(figsize=size_in, dpi=STATIC_DPI, layout="constrained")
