"""A map of the line from the scenario's coordinates: a plain x–y plot in kilometres east and
north of the line's centre (no tile server: the report works offline)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from lrtsim.model.geometry import EARTH_RADIUS_M, chainage_m
from lrtsim.model.schema import Geometry, Line
from lrtsim.report import style
from lrtsim.report.sections import Chart
from lrtsim.report.station_axis import short_name

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

FloatArray = npt.NDArray[np.float64]
OSM_ATTRIBUTION = "Track geometry © OpenStreetMap contributors (ODbL)"
MAP_SIZE_IN = (10.0, 7.0)
MAP_HEIGHT_PX = 640
LABEL_OFFSET_PT = 7.0
"""Station names stand this far from their marker, across the track."""


@dataclass(frozen=True)
class LineMap:
    """The line in local kilometres: the track polyline and each station (line order)."""

    track_x_km: FloatArray
    track_y_km: FloatArray
    station_x_km: FloatArray
    station_y_km: FloatArray
    names: tuple[str, ...]
    station_km: tuple[float, ...]
    side: FloatArray
    """Per station, the unit vector (x, y) across the track on which its label stands."""
    attribution: str
    """Where the coordinates come from, as the chart must credit it ('' when not stated)."""


def attribution(geometry: Geometry) -> str:
    """The credit the map must carry: OSM's when the scenario's geometry comes from OSM, else
    the scenario's own `source` text."""
    if "openstreetmap" in geometry.source.lower():
        return OSM_ATTRIBUTION
    return f"Track geometry: {geometry.source}" if geometry.source else ""


def local_km(lon_lat: FloatArray, centre: tuple[float, float]) -> FloatArray:
    """Equirectangular projection (km east, km north) around `centre` (lon, lat): x = R·Δλ·cos φ0,
    y = R·Δφ; its distortion is below 0.1 % over a city line (Snyder, *Map Projections — A
    Working Manual*, USGS 1987, p. 90)."""
    lon0, lat0 = centre
    x = np.radians(lon_lat[:, 0] - lon0) * EARTH_RADIUS_M * np.cos(np.radians(lat0))
    y = np.radians(lon_lat[:, 1] - lat0) * EARTH_RADIUS_M
    return np.column_stack([x, y]) / 1000.0


def line_map(line: Line) -> LineMap | None:
    """The line in local km, or None without geometry. Stations without their own coordinates
    are placed on the track at their chainage; a line without a track is drawn as straight
    lines between its stations."""
    g = line.geometry
    if g is None:
        return None
    km = np.array([s.km for s in line.stations])
    if g.track:
        track = np.asarray(g.track, dtype=np.float64)
        along_m = chainage_m(g.track)
        if g.stations:
            stops = np.asarray(g.stations, dtype=np.float64)
        else:
            at_m = (km - g.track_start_km) * 1000.0
            stops = np.column_stack(
                [np.interp(at_m, along_m, track[:, 0]), np.interp(at_m, along_m, track[:, 1])]
            )
    else:
        stops = np.asarray(g.stations, dtype=np.float64)
        track = stops
    both = np.vstack([track, stops])
    lo, hi = both.min(axis=0), both.max(axis=0)
    centre = (float(lo[0] + hi[0]) / 2, float(lo[1] + hi[1]) / 2)
    t, s = local_km(track, centre), local_km(stops, centre)
    return LineMap(
        track_x_km=t[:, 0],
        track_y_km=t[:, 1],
        station_x_km=s[:, 0],
        station_y_km=s[:, 1],
        names=tuple(st.name for st in line.stations),
        station_km=tuple(float(k) for k in km),
        side=_label_sides(t, s),
        attribution=attribution(g),
    )


def _label_sides(track: FloatArray, stops: FloatArray) -> FloatArray:
    """For each station, the unit normal of the track there, flipped every other station so
    that neighbours' names fall on opposite sides."""
    out = np.zeros_like(stops)
    for i, p in enumerate(stops):
        j = int(np.argmin(np.hypot(*(track - p).T)))
        a, b = track[max(j - 1, 0)], track[min(j + 1, len(track) - 1)]
        tangent = b - a
        norm = float(np.hypot(*tangent)) or 1.0
        normal = np.array([-tangent[1], tangent[0]]) / norm
        out[i] = normal if i % 2 == 0 else -normal
    return out


MAP_PLOT_PX = 470.0
"""The interactive map's plot area along its larger extent, about (it keeps 1 km = 1 km)."""
CHAR_PX = 5.8
"""Width of a character of an 11 px station name."""
MARKER_PX = 7.0
"""How far from its station's centre plotly sets the ink of a name (marker, border, gap)."""
LINE_PX = 10.0
"""Height of the ink of a name in 11 px text (its capitals and descenders)."""


def label_boxes(m: LineMap, names: list[str]) -> FloatArray:
    """Each name's box on the map, km (x0, y0, x1, y1), where its text position puts it beside
    its station, at the scale of the interactive map."""
    extent = max(float(np.ptp(m.track_x_km)), float(np.ptp(m.track_y_km)), 1e-9)
    px = extent / MAP_PLOT_PX  # km a pixel
    out = np.zeros((len(names), 4))
    for i, (name, side) in enumerate(zip(names, m.side, strict=True)):
        w, h = (CHAR_PX * len(name) + 2) * px, LINE_PX * px
        x, y = m.station_x_km[i], m.station_y_km[i]
        off = MARKER_PX * px
        x0 = x + off if side[0] > 0.38 else x - off - w if side[0] < -0.38 else x - w / 2
        y0 = y + off if side[1] > 0.38 else y - off - h if side[1] < -0.38 else y - h / 2
        out[i] = (x0, y0, x0 + w, y0 + h)
    return out


def map_labels(m: LineMap) -> list[str]:
    """Each station's label on the map, '' where its box would overlap a named neighbour's:
    both terminals first, then the others in line order; the unnamed show a marker and their
    name on hover."""
    names = [short_name(n) for n in m.names]
    boxes = label_boxes(m, names)
    n = len(names)
    shown: list[int] = [0, n - 1] if n > 1 else list(range(n))
    for i in range(1, n - 1):
        b = boxes[i]
        clear = all(
            b[2] <= boxes[j][0] or boxes[j][2] <= b[0] or b[3] <= boxes[j][1] or boxes[j][3] <= b[1]
            for j in shown
        )
        if clear:
            shown.append(i)
    return [name if i in shown else "" for i, name in enumerate(names)]


def _text_position(side: FloatArray) -> str:
    """The plotly text position nearest to the direction `side` (x, y)."""
    vertical = "top" if side[1] > 0.38 else "bottom" if side[1] < -0.38 else "middle"
    horizontal = "right" if side[0] > 0.38 else "left" if side[0] < -0.38 else "center"
    return f"{vertical} {horizontal}"


def map_chart(line: Line) -> Chart | None:
    """The map as a report `Chart`, or None when the scenario has no coordinates."""
    m = line_map(line)
    if m is None:
        return None
    title = f"{line.name}: map"
    caption = "The track and its stations, in km east and north of the line's centre."
    if m.attribution:
        caption += f" {m.attribution}."
    return Chart(
        key="line-map",
        title=title,
        figure=_map_figure(title, m),
        static=lambda: _map_static(title, m),
        caption=caption,
    )


def _map_figure(title: str, m: LineMap) -> go.Figure:
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=m.track_x_km,
            y=m.track_y_km,
            mode="lines",
            name="track",
            line={"color": style.DIRECTION_COLOURS["up"], "width": 3},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=m.station_x_km,
            y=m.station_y_km,
            mode="markers+text",
            name="station",
            text=map_labels(m),
            textposition=[_text_position(s) for s in m.side],
            textfont={"size": 11},
            marker={"size": 9, "color": "white", "line": {"color": "#222", "width": 2}},
            customdata=list(zip(m.names, m.station_km, strict=True)),
            hovertemplate="%{customdata[0]}<br>chainage %{customdata[1]:.3f} km<br>"
            "%{x:.2f} km east, %{y:.2f} km north<extra></extra>",
        )
    )
    style.style_figure(fig, title, "east (km)", "north (km)")
    fig.update_yaxes(scaleanchor="x", scaleratio=1.0)
    fig.update_layout(height=MAP_HEIGHT_PX, showlegend=False)
    if m.attribution:
        fig.add_annotation(
            text=m.attribution,
            xref="paper",
            yref="paper",
            x=1.0,
            y=0.0,
            xanchor="right",
            yanchor="bottom",
            showarrow=False,
            font={"size": 10, "color": "#555"},
            bgcolor="rgba(255,255,255,0.8)",
        )
    return fig


def _map_static(title: str, m: LineMap) -> Figure:
    fig = style.static_figure(MAP_SIZE_IN)
    ax = fig.add_subplot()
    ax.plot(m.track_x_km, m.track_y_km, color=style.DIRECTION_COLOURS["up"], lw=2)
    ax.scatter(
        m.station_x_km,
        m.station_y_km,
        s=22,
        facecolor="white",
        edgecolor="#222",
        linewidth=1.2,
        zorder=3,
    )
    labels = map_labels(m)
    for x, y, name, side in zip(m.station_x_km, m.station_y_km, labels, m.side, strict=True):
        if not name:
            continue
        ha = "left" if side[0] > 0.38 else "right" if side[0] < -0.38 else "center"
        va = "bottom" if side[1] > 0.38 else "top" if side[1] < -0.38 else "center"
        ax.annotate(
            name,
            (x, y),
            xytext=tuple(side * LABEL_OFFSET_PT),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=7,
        )
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("east (km)")
    ax.set_ylabel("north (km)")
    ax.set_title(title, loc="left", fontsize=11)
    ax.grid(alpha=0.3)
    if m.attribution:
        ax.text(
            1.0,
            -0.08,
            m.attribution,
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=7,
            color="#555",
        )
    return fig
