"""Axes the day's charts share: time of day (plotly date axes, matplotlib HH:MM ticks) and the
line's stations (names in line order, at their chainage).

Plotly reads a number on a date axis as milliseconds since 1970-01-01, so a time of the service
day in seconds is drawn as `ms(t_s)` on a date axis formatted HH:MM: zooming then picks its own
ticks (hours, then minutes) and hovers read HH:MM:SS, while the data stay plain float arrays
(compact in the HTML).
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.axes import Axes

    from lrtsim.model.schema import Scenario

FloatArray = npt.NDArray[np.float64]

CLOCK_FORMAT = "%H:%M"
"""Tick labels of a time-of-day axis."""
CLOCK_HOVER_FORMAT = "%H:%M:%S"
"""Time of day in hover text."""
LINK_SEPARATOR = " – "
"""Between the two station names of an interstation link."""


def ms(seconds: FloatArray | float) -> FloatArray:
    """Seconds after midnight as plotly date-axis values (ms since the epoch; NaN stays NaN)."""
    return np.asarray(seconds, dtype=np.float64) * 1000.0


def hms(seconds: float) -> str:
    """Seconds after midnight as HH:MM:SS (hours pass 24 after midnight); "—" for NaN."""
    if not math.isfinite(seconds):
        return "—"
    whole = round(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def hm(seconds: float) -> str:
    """Seconds after midnight as HH:MM, to the nearest minute."""
    whole = round(seconds / 60.0)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def clock_axis(fig: go.Figure, **where: object) -> None:
    """Make the x axes of `fig` (or the one `where` selects, e.g. row=2) a time-of-day axis."""
    fig.update_xaxes(type="date", tickformat=CLOCK_FORMAT, hoverformat=CLOCK_HOVER_FORMAT, **where)


def clock_ticks(ax: Axes, from_s: float, to_s: float) -> None:
    """HH:MM ticks on a matplotlib x axis in seconds after midnight, spaced for `from_s`–`to_s`
    (about 6–14 ticks: every 5, 10, 15, 30 min, or 1, 2 h)."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    span_min = max((to_s - from_s) / 60.0, 1.0)
    step_min = next((m for m in (5, 10, 15, 30, 60, 120, 180) if span_min / m <= 14), 240)
    ax.xaxis.set_major_locator(MultipleLocator(60.0 * step_min))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: hm(v)))
    ax.set_xlim(from_s, to_s)


def station_names(scenario: Scenario) -> tuple[str, ...]:
    """The line's stations in line order."""
    return tuple(s.name for s in scenario.line.stations)


def station_km(scenario: Scenario) -> FloatArray:
    """Chainage of each station (line order), km."""
    return np.array([s.km for s in scenario.line.stations], dtype=np.float64)


def link_names(stations: tuple[str, ...]) -> tuple[str, ...]:
    """Interstation links in line order: link k joins station k and k + 1 ("A – B")."""
    return tuple(f"{a}{LINK_SEPARATOR}{b}" for a, b in itertools.pairwise(stations))


def clock_date(seconds: float) -> str:
    """Seconds after midnight as the date-axis string plotly takes for shapes and ranges
    (the epoch's day, as `ms` puts the data: "1970-01-01 08:15:00.000")."""
    whole_ms = round(seconds * 1000.0)
    day, rest = divmod(whole_ms, 86_400_000)
    h, rest = divmod(rest, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"1970-01-{1 + day:02d} {h:02d}:{m:02d}:{s:02d}.{milli:03d}"
