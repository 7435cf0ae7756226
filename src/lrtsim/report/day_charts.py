"""The report's time–distance (Marey) diagram: every trip of the design day as planned (grey,
dashed) and as simulated (solid, by direction), with the incidents shaded over their time and
place.

Planned lines join the timetable's arrival and departure at each station (`stop_times`' planned
times at the stations' chainage). Simulated lines pass through every stop's actual arrival and
departure and, in between, follow the simulated trajectory (`Trajectories.polyline`) sampled
every `SAMPLE_S`, so that a train held at a signal mid-section stands there in the diagram. The
chart opens on a readable window — around the first incident, or the morning peak hour — and
zooming out (or the range slider) shows the whole day; a second, lighter chart shows the whole
day through the stops alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
import plotly.graph_objects as go

from lrtsim.model.direction import DIRECTIONS, Direction, running_order
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
from lrtsim.report.sections import Chart, RunView, Section
from lrtsim.report.style import (
    DIRECTION_COLOURS,
    INCIDENT_FILL,
    PLANNED,
    static_figure,
    style_figure,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lrtsim.model.schema import Incident, Scenario
    from lrtsim.simulation.trajectory import Trajectories

FloatArray = npt.NDArray[np.float64]

SAMPLE_S = 10.0
"""Step of the simulated trajectory between stops, s."""
WINDOW_BEFORE_S = 20 * 60.0
WINDOW_AFTER_S = 40 * 60.0
"""The default window: from this before the first incident to this after its end."""
MIN_WINDOW_S = 3600.0
STATION_HALF_KM = 0.15
"""Half the height of an incident's band at a station (a station incident has no length)."""
INCIDENT_EDGE = "rgba(192, 57, 43, 0.8)"
HEIGHT_PX = 760
MAREY_SIZE_IN = (11.7, 7.6)
"""A4 landscape, less margins."""


@dataclass(frozen=True)
class Lines:
    """Polylines of many trips in two arrays, each trip ended by NaN (one trace, light)."""

    time_s: FloatArray
    km: FloatArray
    text: tuple[str, ...] = ()
    """Hover text per point (empty: none)."""


@dataclass(frozen=True)
class Band:
    """One incident's shaded time and place."""

    from_s: float
    to_s: float
    from_km: float
    to_km: float
    label: str


def _ordered(stop_times: pd.DataFrame) -> pd.DataFrame:
    return stop_times.sort_values(["trip_id", "stop_sequence"], kind="stable")


def stop_lines(
    stop_times: pd.DataFrame, km: FloatArray, which: str, direction: Direction | None = None
) -> Lines:
    """Each trip's arrival and departure at every stop (`which`: "planned" or "actual" times)
    at the stations' chainage, trips apart by NaN; stops without a time are left out. Hover
    text: the trip and the stop."""
    rows = _ordered(stop_times if direction is None else stop_times[stop_times["direction"] == direction])
    arr = rows[f"{which}_arrival_s"].to_numpy(float)
    dep = rows[f"{which}_departure_s"].to_numpy(float)
    trip = rows["trip_id"].to_numpy()
    where = km[rows["station_index"].to_numpy(int)]
    end = np.r_[trip[1:] != trip[:-1], True]
    n = len(rows)
    t = np.full((n, 3), np.nan)
    t[:, 0], t[:, 1] = arr, dep
    y = np.full((n, 3), np.nan)
    y[:, 0], y[:, 1] = where, where
    keep = np.ones((n, 3), dtype=bool)
    keep[:, 2] = end  # a NaN after the last stop of each trip
    keep[:, :2] &= np.isfinite(t[:, :2])
    text = np.repeat(np.char.add(trip.astype(str), f" {which}"), 3).reshape(n, 3)
    return Lines(t[keep], y[keep], tuple(text[keep].tolist()))


def trajectory_lines(
    stop_times: pd.DataFrame, trajectory: Trajectories, km: FloatArray, direction: Direction
) -> Lines:
    """Simulated trips of `direction`: every actual arrival and departure at its station's
    chainage, and between them the trajectory every `SAMPLE_S`; trips apart by NaN."""
    rows = _ordered(stop_times[stop_times["direction"] == direction])
    driven = trajectory.trips()
    times: list[FloatArray] = []
    kms: list[FloatArray] = []
    for trip_id, stops in rows.groupby("trip_id", sort=False):
        t_stop = np.c_[stops["actual_arrival_s"].to_numpy(float),
                       stops["actual_departure_s"].to_numpy(float)].ravel()  # fmt: skip
        y_stop = np.repeat(km[stops["station_index"].to_numpy(int)], 2)
        served = np.isfinite(t_stop)
        t_stop, y_stop = t_stop[served], y_stop[served]
        if not len(t_stop):
            continue
        if trip_id in driven:
            t, y, _, _ = trajectory.polyline(str(trip_id))
            grid = np.arange(math.ceil(t[0] / SAMPLE_S) * SAMPLE_S, t[-1], SAMPLE_S)
            grid = grid[(grid > t_stop[0]) & (grid < t_stop[-1])]
            t_all = np.r_[t_stop, grid]
            y_all = np.r_[y_stop, np.interp(grid, t, y)]
            order = np.argsort(t_all, kind="stable")  # stops first on a tie
            t_stop, y_stop = t_all[order], y_all[order]
        times += [t_stop, np.array([np.nan])]
        kms += [y_stop, np.array([np.nan])]
    if not times:
        return Lines(np.zeros(0), np.zeros(0))
    return Lines(np.concatenate(times), np.concatenate(kms))


def visit_hovers(stop_times: pd.DataFrame, km: FloatArray, direction: Direction) -> Lines:
    """One hover point per stop served (at its actual arrival): trip, station, actual and
    planned times, delay."""
    rows = stop_times[
        (stop_times["direction"] == direction) & np.isfinite(stop_times["actual_arrival_s"])
    ]
    text = tuple(
        f"<b>{trip}</b> · {station}<br>arrived {hms(a)}, left {hms(d)}<br>"
        f"planned {hms(pa)}, {hms(pd_)} · delay {a - pa:+.0f} s"
        for trip, station, a, d, pa, pd_ in zip(
            rows["trip_id"], rows["station"], rows["actual_arrival_s"],
            rows["actual_departure_s"], rows["planned_arrival_s"], rows["planned_departure_s"],
            strict=True,
        )
    )  # fmt: skip
    return Lines(
        rows["actual_arrival_s"].to_numpy(float), km[rows["station_index"].to_numpy(int)], text
    )


def incident_bands(scenario: Scenario) -> tuple[Band, ...]:
    """Each incident of `operations.incidents` over its time and its interstation (or a thin
    band at its station), in the order given."""
    km = {s.name: s.km for s in scenario.line.stations}
    out = []
    for incident in scenario.operations.incidents:
        start = float(incident.at_s)
        end = start + incident.duration_s
        if incident.between is not None:
            a, b = (km[x] for x in incident.between)
            place = f"between {incident.between[0]} and {incident.between[1]}"
        else:
            assert incident.station is not None
            a, b = km[incident.station] - STATION_HALF_KM, km[incident.station] + STATION_HALF_KM
            place = f"at {incident.station}"
        out.append(Band(start, end, min(a, b), max(a, b), _label(incident, place)))
    return tuple(out)


def _label(incident: Incident, place: str) -> str:
    ways = "" if incident.direction == "both" else f", {incident.direction} only"
    kind = incident.kind.replace("_", " ")
    return (
        f"{kind} {place}{ways}, {hm(incident.at_s)}–{hm(incident.at_s + incident.duration_s)}"
    )


def default_window(run: RunView) -> tuple[float, float]:
    """The time span the chart opens on: from `WINDOW_BEFORE_S` before the first incident to
    `WINDOW_AFTER_S` after its end; without one, the busiest morning hour of the plan."""
    incidents = sorted(run.day.operations.incidents, key=lambda i: i.at_s)
    if incidents:
        first = incidents[0]
        start = 300.0 * math.floor((first.at_s - WINDOW_BEFORE_S) / 300.0)
        end = 300.0 * math.ceil((first.at_s + first.duration_s + WINDOW_AFTER_S) / 300.0)
        return start, max(end, start + MIN_WINDOW_S)
    loads = run.design.plan.loads.link_loads.max(axis=(0, 2))
    morning = loads[:12]
    hour = int(np.argmax(morning)) if morning.max() > 0 else int(np.argmax(loads))
    return 3600.0 * hour, 3600.0 * (hour + 1)


def _direction_name(direction: Direction, stations: tuple[str, ...]) -> str:
    a, b = running_order((stations[0], stations[-1]), direction)
    return f"simulated {direction} ({a} → {b})"


def marey_section(run: RunView) -> Section:
    """Time–distance diagram: planned against simulated trips, incidents shaded."""
    st = run.result.stop_times
    km = station_km(run.day)
    window = default_window(run)
    bands = incident_bands(run.day)
    planned = stop_lines(st, km, "planned")
    detailed = {d: trajectory_lines(st, run.result.trajectory, km, d) for d in DIRECTIONS}
    hovers = {d: visit_hovers(st, km, d) for d in DIRECTIONS}
    stops = {d: stop_lines(st, km, "actual", d) for d in DIRECTIONS}
    names = station_names(run.day)
    day = (_first(st), _last(st))
    title = "Time–distance diagram: planned and simulated trips"
    main = _marey_chart(
        "marey", title, names, km, planned, detailed, hovers, bands, window, day, run.design.day_type
    )
    whole = _marey_chart(
        "marey-day", "Time–distance diagram, the whole day", names, km, planned, stops, None,
        bands, day, day, run.design.day_type,
    )  # fmt: skip
    return Section(
        key="marey",
        title="Time–distance diagram",
        text=tuple(_marey_text(st, bands)),
        charts=(main, whole),
    )


def _first(st: pd.DataFrame) -> float:
    times = st[["planned_departure_s", "actual_departure_s"]].to_numpy(float)
    return 1800.0 * math.floor(float(np.nanmin(times)) / 1800.0)


def _last(st: pd.DataFrame) -> float:
    times = st[["planned_arrival_s", "actual_arrival_s"]].to_numpy(float)
    return 1800.0 * math.ceil(float(np.nanmax(times)) / 1800.0)


def _marey_text(st: pd.DataFrame, bands: tuple[Band, ...]) -> list[str]:
    planned = int(st.loc[np.isfinite(st["planned_departure_s"]), "trip_id"].nunique())
    operated = int(st.loc[np.isfinite(st["actual_arrival_s"]), "trip_id"].nunique())
    delay = (st["actual_arrival_s"] - st["planned_arrival_s"]).to_numpy(float)
    text = [f"{planned} trips planned, {operated} operated (served at least one stop)."]
    if np.isfinite(delay).any():
        k = int(np.nanargmax(delay))
        row = st.iloc[k]
        text.append(
            f"Largest arrival delay: {delay[k] / 60:.1f} min, trip {row['trip_id']} at "
            f"{row['station']} (planned {hms(float(row['planned_arrival_s']))})."
        )
    if bands:
        text.append("Incidents (shaded): " + "; ".join(b.label for b in bands) + ".")
    else:
        text.append("No incident: the chart opens on the busiest morning hour of the plan.")
    return text


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
        x=_light(ms(planned.time_s)), y=_light(planned.km), mode="lines", name="planned (timetable)",
        line={"color": PLANNED, "width": 1, "dash": "dash"}, text=list(planned.text),
        hovertemplate="%{text}<br>%{x}<extra></extra>",
    )  # fmt: skip
    for d in DIRECTIONS:
        lines = simulated[d]
        fig.add_scatter(
            x=_light(ms(lines.time_s)), y=_light(lines.km), mode="lines",
            name=_direction_name(d, names),
            line={"color": DIRECTION_COLOURS[d], "width": 1.6},
            text=list(lines.text) or None,
            hovertemplate="%{text}<br>%{x}<extra></extra>" if lines.text else None,
            hoverinfo=None if lines.text else "skip",
        )  # fmt: skip
        if hovers is not None:
            fig.add_scatter(
                x=ms(hovers[d].time_s), y=hovers[d].km, mode="markers", showlegend=False,
                marker={"size": 7, "color": DIRECTION_COLOURS[d], "opacity": 0.0},
                text=list(hovers[d].text), hovertemplate="%{text}<extra></extra>",
                name=f"{d} stops",
            )  # fmt: skip
    for band in bands:
        fig.add_shape(
            type="rect", x0=clock_date(band.from_s), x1=clock_date(band.to_s),
            y0=band.from_km, y1=band.to_km, fillcolor=INCIDENT_FILL,
            line={"color": INCIDENT_EDGE, "width": 1}, layer="below",
        )  # fmt: skip
        fig.add_annotation(
            x=clock_date(band.from_s), y=band.to_km, text=band.label, showarrow=False,
            xanchor="left", yanchor="bottom", font={"size": 11, "color": INCIDENT_EDGE},
            bgcolor="rgba(255,255,255,0.8)",
        )  # fmt: skip
    if bands:
        fig.add_scatter(
            x=[None], y=[None], mode="markers", name="incident (time and place)",
            marker={"symbol": "square", "size": 12, "color": INCIDENT_FILL,
                    "line": {"color": INCIDENT_EDGE, "width": 1}},
        )  # fmt: skip
    # An invisible point on a second y axis, so that it shows the chainage on the right.
    fig.add_scatter(x=[ms(window[0])], y=[km[0]], yaxis="y2", mode="markers", showlegend=False,
                    marker={"opacity": 0.0}, hoverinfo="skip")  # fmt: skip
    style_figure(fig, f"{title} ({day_type} design day)", "Time of day (HH:MM)",
                 "Station (distance along the line, km)")  # fmt: skip
    clock_axis(fig)
    span = [float(km.min()) - 0.3, float(km.max()) + 0.3]
    fig.update_layout(
        height=HEIGHT_PX,
        margin={"l": 150, "r": 60},
        yaxis={"tickvals": km.tolist(), "ticktext": list(names), "range": span,
               "tickfont": {"size": 11}, "gridcolor": "#e6e6e6"},
        yaxis2={"overlaying": "y", "side": "right", "matches": "y", "showgrid": False,
                "title": {"text": "km"}, "dtick": 2, "ticks": "outside"},
        xaxis={"range": [clock_date(window[0]), clock_date(window[1])],
               "rangeslider": {"visible": True, "thickness": 0.06},
               "gridcolor": "#e6e6e6"},
        hoverdistance=12,
    )  # fmt: skip

    def static() -> Figure:
        out = static_figure(MAREY_SIZE_IN)
        ax = out.add_subplot()
        _draw_static(ax, names, km, planned, simulated, bands, window)
        ax.set_title(f"{title} ({day_type} design day, {hm(window[0])}–{hm(window[1])})",
                     loc="left")  # fmt: skip
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
            + ("Every trip of the day through its stops. " if whole else
               "Drag or use the slider below to move in time; double-click for the whole day. ")
            + ("Shaded: the incidents, over their time and section." if bands else "")
        ),
    )  # fmt: skip


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
    ax.plot(planned.time_s, planned.km, color=PLANNED, lw=0.5 if wide else 0.8,
            linestyle=(0, (4, 3)), label="planned (timetable)")  # fmt: skip
    for d in DIRECTIONS:
        ax.plot(simulated[d].time_s, simulated[d].km, color=DIRECTION_COLOURS[d],
                lw=0.6 if wide else 1.2, label=_direction_name(d, names))  # fmt: skip
    for band in bands:
        ax.add_patch(Rectangle((band.from_s, band.from_km), band.to_s - band.from_s,
                               band.to_km - band.from_km, facecolor=(0.91, 0.30, 0.24, 0.18),
                               edgecolor=(0.75, 0.22, 0.17, 0.9), lw=0.8, zorder=0))  # fmt: skip
        if not wide:
            ax.annotate(band.label, (band.from_s, band.to_km), xytext=(2, 3),
                        textcoords="offset points", fontsize=7.5, color=(0.75, 0.22, 0.17),
                        bbox={"facecolor": "white", "alpha": 0.8, "lw": 0, "pad": 1})  # fmt: skip
    if bands:
        ax.add_patch(Rectangle((0, 0), 0, 0, facecolor=(0.91, 0.30, 0.24, 0.18),
                               edgecolor=(0.75, 0.22, 0.17, 0.9), label="incident"))  # fmt: skip
    clock_ticks(ax, *window)
    ax.set_ylim(float(km.min()) - 0.3, float(km.max()) + 0.3)
    ax.set_yticks(km, names, fontsize=7.5)
    ax.grid(axis="y", color="#e6e6e6", lw=0.6)
    ax.grid(axis="x", color="#eeeeee", lw=0.6)
    right = ax.secondary_yaxis("right")
    right.set_ylabel("km")
    ax.set_xlabel("Time of day (HH:MM)")
    ax.set_ylabel("Station (distance along the line, km)")
    ax.legend(frameon=True, framealpha=0.9, fontsize=8, ncols=4, loc="lower right",
              bbox_to_anchor=(1.0, 1.04), borderaxespad=0)  # fmt: skip
