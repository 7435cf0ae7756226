"""The report's "Running times and speed profiles" section: speed–distance profiles of each
direction (the minimum-time run and the scheduled run over the limits, gradient beneath) and
the running-time table, all read from the run's `LineRuns` (never recomputed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from lrtsim.dynamics.profile import RunProfile
from lrtsim.dynamics.regime import Regime
from lrtsim.dynamics.runtime import DirectionRun
from lrtsim.model.direction import DIRECTIONS, Direction
from lrtsim.planning.tables import trip_rows
from lrtsim.report import style
from lrtsim.report.line_charts import (
    MPS_TO_KMH,
    Step,
    gradient_step,
    gradient_trace,
    note_level,
    static_gradient,
)
from lrtsim.report.sections import Chart, RunView, Section, Table
from lrtsim.report.station_axis import (
    Stations,
    km_range,
    plotly_station_axis,
    static_station_axis,
    stations_of,
)

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

SAMPLE_M = 10.0
"""The report draws a profile every 10 m, plus every point where what the train does changes."""
PROFILE_HEIGHT_PX = 600
PROFILE_SIZE_IN = (11.0, 6.0)
MINIMUM = "#111111"
"""The minimum-time run: black, under the scheduled run in its direction's colour."""


def sample_index(profile: RunProfile, every_m: float = SAMPLE_M) -> npt.NDArray[np.int64]:
    """Indices of `profile` to draw: one point every `every_m`, both ends of every change of
    regime or of the limit, the stops and the fastest point, so that the drawn shape (and its
    maximum) is the run's."""
    x = profile.position_m
    grid = np.searchsorted(x, np.arange(0.0, x[-1], every_m))
    mode_change = np.flatnonzero(np.diff(profile.mode.astype(np.int64)) != 0)
    limit_change = np.flatnonzero(np.diff(profile.limit_mps) != 0)
    changes = np.concatenate([mode_change, mode_change + 1, limit_change, limit_change + 1])
    extra = [profile.stop_index, [int(np.argmax(profile.speed_mps)), len(x) - 1]]
    keep = np.concatenate([grid, changes, *extra]).astype(np.int64)
    return np.unique(np.clip(keep, 0, len(x) - 1))


def _regime_names(profile: RunProfile, index: npt.NDArray[np.int64]) -> list[str]:
    return [Regime(int(m)).name.lower() for m in profile.mode[index]]


def speed_chart(run: RunView, direction: Direction) -> Chart:
    """One direction's speed–distance profiles over the speed limits, gradient beneath."""
    i = DIRECTIONS.index(direction)
    least, planned = run.runs.minimum[i], run.runs.planned[i]
    stations = stations_of(run.scenario.line)
    names = least.profile.station_names
    title = f"Speed profile, direction {direction}: {names[0]} → {names[-1]}"
    caption = (
        f"Speed (km/h) along the line's chainage; the {direction} train runs "
        f"{'left to right' if direction == 'up' else 'right to left'}. Black: the minimum-time "
        f"run of a full train (the headways' run); coloured: the scheduled run at planning load "
        f"with the {planned.allowance_pct:g} % allowance driven to save energy (coasting "
        "before stops); grey steps: the limit the train's head meets (a limit holds until the "
        "train's tail has left it). Beneath: the gradient (‰, positive rising toward higher km)."
    )
    grades = gradient_step(run.scenario.line)
    return Chart(
        key=f"speed-{direction}",
        title=title,
        figure=_speed_figure(title, stations, least, planned, grades),
        static=lambda: _speed_static(title, stations, least, planned, grades),
        caption=caption,
    )


def _speed_figure(
    title: str, stations: Stations, least: DirectionRun, planned: DirectionRun, grades: Step
) -> go.Figure:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.05, row_heights=[0.78, 0.22]
    )
    colour = style.DIRECTION_COLOURS[planned.direction]
    k = sample_index(least.profile)
    fig.add_trace(
        go.Scatter(
            x=least.profile.km[k],
            y=least.profile.limit_mps[k] * MPS_TO_KMH,
            mode="lines",
            name="speed limit",
            line={"color": style.LIMIT, "width": 1.2, "dash": "dot"},
            hovertemplate="km %{x:.3f}: %{y:.0f} km/h<extra>limit</extra>",
        ),
        row=1,
        col=1,
    )
    for label, p, line in (
        ("minimum-time run", least.profile, {"color": MINIMUM, "width": 1.2}),
        ("scheduled run", planned.profile, {"color": colour, "width": 2}),
    ):
        k = sample_index(p)
        data = np.column_stack([p.time_s[k], np.array(_regime_names(p, k), dtype=object)])
        fig.add_trace(
            go.Scatter(
                x=p.km[k],
                y=p.speed_mps[k] * MPS_TO_KMH,
                mode="lines",
                name=label,
                line=line,
                customdata=data,
                hovertemplate="km %{x:.3f}: %{y:.1f} km/h, "
                "%{customdata[0]:.0f} s from the start, %{customdata[1]}"
                f"<extra>{label}</extra>",
            ),
            row=1,
            col=1,
        )
    fig.add_trace(gradient_trace(grades, showlegend=False), row=2, col=1)
    style.style_figure(fig, title, "chainage (km)", "speed (km/h)")
    fig.update_xaxes(title_text=None)
    fig.update_xaxes(title_text="chainage (km)", range=km_range(stations), row=2, col=1)
    fig.update_yaxes(title_text="speed (km/h)", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="gradient (‰)", row=2, col=1)
    fig.update_layout(
        height=PROFILE_HEIGHT_PX,
        margin={"r": 90},
        legend={"y": -0.14, "yanchor": "top", "x": 0.5, "xanchor": "center"},
    )
    if not any(grades.value):
        note_level(fig, "2", y=0.8)
    plotly_station_axis(fig, stations, x_axis="x", y_axis="y")
    return fig


def _speed_static(
    title: str, stations: Stations, least: DirectionRun, planned: DirectionRun, grades: Step
) -> Figure:
    fig = style.static_figure(PROFILE_SIZE_IN)
    top, low = fig.subplots(2, 1, sharex=True, height_ratios=[0.78, 0.22])
    p = least.profile
    top.plot(p.km, p.limit_mps * MPS_TO_KMH, color=style.LIMIT, lw=0.9, ls=":", label="speed limit")
    top.plot(p.km, p.speed_mps * MPS_TO_KMH, color=MINIMUM, lw=0.8, label="minimum-time run")
    q = planned.profile
    top.plot(
        q.km,
        q.speed_mps * MPS_TO_KMH,
        color=style.DIRECTION_COLOURS[planned.direction],
        lw=1.4,
        label="scheduled run",
    )
    top.set_ylim(bottom=0, top=float(p.limit_mps.max()) * MPS_TO_KMH * 1.12)
    top.set_ylabel("speed (km/h)")
    fig.legend(loc="outside lower center", fontsize=7, ncols=3, frameon=False)
    static_gradient(low, grades, note_y=0.6)
    low.set_xlabel("chainage (km)")
    low.set_xlim(*km_range(stations))
    for axes in (top, low):
        axes.grid(alpha=0.3)
    static_station_axis(top, stations, lines_on=(low,))
    fig.suptitle(title, x=0.01, ha="left", fontsize=11)
    return fig


def _clock(seconds: float) -> str:
    """m:ss (or h:mm:ss) of a duration."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def running_time_table(least: tuple[DirectionRun, ...], planned: tuple[DirectionRun, ...]) -> Table:
    """Per interstation in line order, both directions side by side: distance, and for each
    direction the minimum and scheduled running time and the highest speed of the scheduled
    run; a total row. The dwells, per station, are named in the note."""
    fast: dict[str, DirectionRun] = {r.direction: r for r in least}
    plan: dict[str, DirectionRun] = {r.direction: r for r in planned}
    # Down runs in running order: reversed, its k-th segment is line segment n - 1 - k.
    n = len(fast["up"].profile.segments)

    def cells(direction: str, k: int) -> tuple[str, str, str]:
        i = k if direction == "up" else n - 1 - k
        a, b = fast[direction].profile.segments[i], plan[direction].profile.segments[i]
        return (
            f"{a.run_time_s:.1f}",
            f"{b.run_time_s:.1f}",
            f"{b.max_speed_mps * MPS_TO_KMH:.0f}",
        )

    rows: list[tuple[str, ...]] = []
    for k, seg in enumerate(fast["up"].profile.segments):
        rows.append(
            (
                f"{seg.from_station} – {seg.to_station}",
                f"{seg.distance_m / 1000:.3f}",
                *cells("up", k),
                *cells("down", k),
            )
        )
    rows.append(
        (
            "total",
            f"{fast['up'].distance_m / 1000:.3f}",
            *(
                value
                for d in ("up", "down")
                for value in (
                    f"{fast[d].profile.run_time_s:.1f}",
                    f"{plan[d].profile.run_time_s:.1f}",
                    f"{plan[d].profile.max_speed_mps * MPS_TO_KMH:.0f}",
                )
            ),
        )
    )
    names = fast["up"].profile.station_names
    return Table(
        title="Running times by interstation",
        header=(
            "interstation (line order)",
            "distance (km)",
            "up: minimum (s)",
            "up: scheduled (s)",
            "up: top speed (km/h)",
            "down: minimum (s)",
            "down: scheduled (s)",
            "down: top speed (km/h)",
        ),
        rows=tuple(rows),
        numeric=(False, True, True, True, True, True, True, True),
        note=f"Running times exclude dwells; up runs {names[0]} → {names[-1]}, down the other "
        "way. Minimum: flat out, full train (the run the headways are computed from). "
        "Scheduled: half-full train with the scenario's allowance, driven to save energy; its "
        f"top speed. Least dwells (each station's own, as the headways and the planner's trip "
        f"time use them): {_dwells_text(plan['up'])}; the timetable's dwells grow with the "
        "passengers expected (Terminal to terminal, below).",
    )


def _dwells_text(run: DirectionRun) -> str:
    """'25 s at every intermediate station, 30 s at University, Baiterek' (from the run)."""
    names = run.profile.station_names[1:-1]
    dwells = [round(d) for d in run.dwell_s[1:-1]]
    if not dwells:
        return "none (no intermediate station)"
    usual = max(set(dwells), key=dwells.count)
    other = [f"{d} s at {name}" for name, d in zip(names, dwells, strict=True) if d != usual]
    return f"{usual} s at the intermediate stations" + (
        f", except {', '.join(other)}" if other else ""
    )


@dataclass(frozen=True)
class TimetableTrips:
    """The published trip times of one direction's full-length trips (first to last station):
    the timetable's dwells, which grow with the passengers expected (the dwell model)."""

    count: int
    median_s: float
    min_s: float
    max_s: float


def timetable_trips(timetable: pd.DataFrame, direction: str, n_stations: int) -> TimetableTrips:
    """Trip times (last arrival − first departure) of the `direction`'s trips in `timetable`
    (TIMETABLE_COLUMNS) that run from one terminal to the other; zero trips give NaNs."""
    rows = trip_rows(timetable)
    ends = (0, n_stations - 1) if direction == "up" else (n_stations - 1, 0)
    index = timetable["station_index"]
    full = (
        (rows.first_of(timetable["direction"]) == direction)
        & (rows.first_of(index) == ends[0])
        & (rows.last_of(index) == ends[1])
    )
    times = (rows.last_of(timetable["arrival_s"]) - rows.first_of(timetable["departure_s"]))[full]
    if not len(times):
        return TimetableTrips(0, float("nan"), float("nan"), float("nan"))
    return TimetableTrips(
        len(times), float(np.median(times)), float(times.min()), float(times.max())
    )


def trip_table(run: RunView) -> Table:
    """Per direction, terminal to terminal: distance; the trip time with each station's least
    dwell (flat out, and the scheduled run) and the timetable's (median and range over its
    full-length trips); the commercial speed of the timetable's median trip."""
    timetable = run.design.plan.timetable
    n = len(run.scenario.line.stations)
    rows = []
    for fast, plan in zip(run.runs.minimum, run.runs.planned, strict=True):
        names = fast.profile.station_names
        trips = timetable_trips(timetable, fast.direction, n)
        has = trips.count > 0
        rows.append(
            (
                fast.direction,
                f"{names[0]} → {names[-1]}",
                f"{fast.distance_m / 1000:.3f}",
                _clock(fast.total_time_s),
                _clock(plan.total_time_s),
                _clock(trips.median_s) if has else "—",
                (
                    f"{_clock(trips.min_s)}–{_clock(trips.max_s)} ({trips.count} trips)"
                    if has
                    else "—"
                ),
                f"{plan.distance_m / trips.median_s * MPS_TO_KMH:.1f}" if has else "—",
            )
        )
    return Table(
        title="Terminal to terminal",
        header=(
            "direction",
            "trip",
            "distance (km)",
            "minimum trip, least dwells (m:ss)",
            "scheduled run, least dwells (m:ss)",
            "timetable: median trip (m:ss)",
            "timetable: range",
            "commercial speed (km/h)",
        ),
        rows=tuple(rows),
        numeric=(False, False, True, True, True, True, True, True),
        note="Trip times include the dwells at intermediate stations. Least dwells: each "
        "station's own least dwell (the running-time table's), with the flat-out run and with "
        "the scheduled run; the planner sizes the service on the latter. Timetable: the design "
        f"day's published trips from first to last station ({run.design.day_type}), whose dwells "
        "grow with the passengers expected to board and alight (the dwell model). Commercial "
        "speed: distance over the timetable's median trip time (TCQSM's schedule speed).",
    )


def speed_section(run: RunView) -> Section:
    """The section "Running times and speed profiles"."""
    least, planned = run.runs.minimum, run.runs.planned
    up = next(p for p in planned if p.direction == "up")
    names = up.profile.station_names
    trips = timetable_trips(run.design.plan.timetable, "up", len(run.scenario.line.stations))
    if trips.count:
        trip_text = (
            f"A timetabled trip from {names[0]} to {names[-1]} takes {_clock(trips.median_s)} "
            f"(median of {trips.count}, {_clock(trips.min_s)}–{_clock(trips.max_s)}; "
            f"{up.distance_m / 1000:.1f} km at a commercial speed of "
            f"{up.distance_m / trips.median_s * MPS_TO_KMH:.1f} km/h), its dwells growing with "
            f"the passengers; with each station's least dwell it would take "
            f"{_clock(up.total_time_s)}."
        )
    else:
        trip_text = (
            f"No timetabled trip runs from {names[0]} to {names[-1]}; with each station's least "
            f"dwell the scheduled run takes {_clock(up.total_time_s)}."
        )
    text = (
        f"{trip_text} The scheduled run has a {up.allowance_pct:g} % running-time allowance "
        f"over the minimum; driving it to save energy saves "
        f"{up.line_energy_saved_share * 100:.0f} % of the line energy of the minimum-time run.",
    )
    return Section(
        key="speed",
        title="Running times and speed profiles",
        text=text,
        tables=(running_time_table(least, planned), trip_table(run)),
        charts=tuple(speed_chart(run, d) for d in DIRECTIONS),
    )
