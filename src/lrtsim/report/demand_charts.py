"""The report's demand section: the design day's OD matrix, boardings and alightings by station,
and the load on every link by hour against the capacity the plan offers there.

All from the design day's plan (`ServicePlan.od`, `.loads`, `.timetable`): the demand the
service was designed for, not the passengers the simulation drew from it (those are in the
boardings chart as a check).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lrtsim.demand.od import RETURN_FROM_HOUR
from lrtsim.metrics.tables import departure_rows
from lrtsim.model.direction import DIRECTIONS, Direction, direction_id, running_order
from lrtsim.planning.day_types import design_day_label
from lrtsim.report.chart_axes import link_names
from lrtsim.report.period_loads import busiest_hour, hour_span
from lrtsim.report.sections import Chart, RunView, Section
from lrtsim.report.style import ACCENT, SIMULATED, static_figure, style_figure

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from lrtsim.planning.plan import ServicePlan

FloatArray = npt.NDArray[np.float64]

LOAD_FACTOR_SCALE = (
    (0.0, "#fff7d6"),
    (0.5, "#fdbb47"),
    (0.85, "#e8552b"),
    (1.0, "#a50f15"),
)
"""Load factor (share of the places at the loading standard) → colour up to 100 %; above it
the scale turns purple (`OVERLOAD_COLOURS`), so an overloaded cell never reads as a busy one."""
OVERLOAD_COLOURS = ("#6a1b9a", "#2d0a4e")
"""Colours just above 100 % and at the top of the scale."""
NO_TRAIN = "#b8b8b8"
"""Cells of an hour and link without a planned train: mid grey, apart from the pale low end of
the load-factor scale."""
MIN_TOP_PCT = 125.0
"""The load-factor scale runs to at least this (%), so that 100 % is always inside it."""


@dataclass(frozen=True, eq=False)
class LoadFactors:
    """Link loads by hour against the places offered, per direction (arrays [direction, hour,
    link], direction as in `DIRECTIONS`, links in line order)."""

    hours: tuple[int, ...]
    """The hours shown, as clock hours from the service day's start (24, 25… after midnight,
    as in a timetable): from the first with a planned train to the last."""
    load_pax_per_h: FloatArray
    trains_per_h: FloatArray
    """Planned trains entering each link in the hour (timetable departures from its first stop)."""
    train_capacity_pax: float
    """Places in a train at the planner's loading standard."""

    @property
    def places_per_h(self) -> FloatArray:
        """Places offered per hour on each link."""
        return self.trains_per_h * self.train_capacity_pax

    @property
    def load_factor_pct(self) -> FloatArray:
        """Load ÷ places offered, %; NaN where no train runs."""
        places = self.places_per_h
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(places > 0, 100.0 * self.load_pax_per_h / places, np.nan)


def load_factors(plan: ServicePlan, train_capacity_pax: float) -> LoadFactors:
    """The plan's hourly link loads (`LineLoads.link_in`) against its timetable's trains: a
    train enters link k (stations k and k + 1) when it departs the link's first station in its
    direction (k going up, k + 1 going down)."""
    tt = plan.timetable
    n_links = len(plan.loads.stations) - 1
    dep = tt[departure_rows(tt).to_numpy()]
    trains = np.zeros((2, 24, n_links))
    for d in DIRECTIONS:
        rows = dep[dep["direction"] == d]
        entry = rows["station_index"].to_numpy(dtype=int)
        link = entry if d == "up" else entry - 1
        hour = (rows["departure_s"].to_numpy(dtype=float) // 3600).astype(int) % 24
        np.add.at(trains[direction_id(d)], (hour, link), 1.0)
    load = np.asarray(plan.loads.link_loads, dtype=np.float64)
    # The day's hours in service order, from the hour the service starts, so that a service
    # running past midnight reads 23:00, 24:00, 25:00 rather than wrapping to the left.
    start_h = int(plan.periods[0].from_s // 3600) % 24 if plan.periods else 0
    clock = np.arange(start_h, start_h + 24)
    busy = np.flatnonzero(trains.sum(axis=(0, 2))[clock % 24] > 0)
    hours = tuple(int(h) for h in clock[busy.min() : busy.max() + 1]) if len(busy) else ()
    index = [h % 24 for h in hours]
    return LoadFactors(
        hours=hours,
        load_pax_per_h=load[:, index, :],
        trains_per_h=trains[:, index, :],
        train_capacity_pax=train_capacity_pax,
    )


def demand_section(run: RunView) -> Section:
    """Demand: the OD matrix, boardings and alightings by station, link load factors by hour."""
    plan = run.design.plan
    stations = plan.od.stations
    capacity = run.day.rolling_stock.capacity_at(run.day.service.loading_standard_pax_per_m2)
    factors = load_factors(plan, capacity)
    text = [_demand_text(plan, run.design.day_type)]
    if plan.od.total > 0:
        text.append(_load_factor_text(factors, stations, plan.od.trips.sum(axis=(1, 2))))
        text.append(_plan_difference_text(plan, factors))
    return Section(
        key="demand",
        title="Demand",
        text=tuple(text),
        charts=(
            od_chart(plan, run.day.demand.od_matrix_csv),
            boardings_chart(plan, run.result.stop_visits),
            load_factor_chart(factors, stations, run.design.day_type),
        ),
    )


def _demand_text(plan: ServicePlan, day_type: str) -> str:
    if plan.od.total <= 0:
        return "No demand given (demand.daily_boardings = 0): every headway is the policy's."
    hour, direction, link, peak = plan.loads.peak()
    a, b = running_order(plan.loads.stations[link : link + 2], direction)
    return (
        f"The {design_day_label(day_type)} carries {plan.od.total:,.0f} trips. Peak hour "
        f"{hour:02d}:00–{hour + 1:02d}:00, direction {direction}; the maximum load point is "
        f"{a} → {b} with {peak:,.0f} passengers/h."
    )


def _load_factor_text(
    factors: LoadFactors, stations: tuple[str, ...], trips_by_hour: FloatArray
) -> str:
    lf = factors.load_factor_pct
    if not np.isfinite(lf).any():
        return "No planned train runs in any hour with demand."
    d, h, k = np.unravel_index(int(np.nanargmax(lf)), lf.shape)
    direction = DIRECTIONS[int(d)]
    a, b = running_order(stations[k : k + 2], direction)
    hour = factors.hours[int(h)]
    outside = [h for h in range(24) if h not in {k % 24 for k in factors.hours}]
    unserved = float(trips_by_hour[outside].sum())
    gap = (
        f" {unserved:,.0f} trips of the demand fall in hours without a train (not shown)."
        if unserved >= 0.5
        else ""
    )
    return (
        f"Highest load factor: {lf[d, h, k]:.0f} % of the places at the loading standard "
        f"({factors.train_capacity_pax:.0f} a train), {a} → {b}, {hour:02d}:00–{hour + 1:02d}:00, "
        f"direction {direction} ({factors.load_pax_per_h[d, h, k]:,.0f} passengers/h on "
        f"{factors.trains_per_h[d, h, k]:.0f} trains/h).{gap}"
    )


def _plan_difference_text(plan: ServicePlan, factors: LoadFactors) -> str:
    """How the heatmap differs from the plan's period load factor, with the period where the
    two differ most."""
    lf = factors.load_factor_pct
    rule = (
        "The heatmap is not the plan's period load factor (Service plan and fleet): a cell is "
        "its hour's own load ÷ the places timetabled in that hour, while the planner prices a "
        "period at the busiest hour its trains run in, up to one trip after its end, at the "
        "period's headway."
    )
    worst: tuple[float, str] | None = None
    for p in plan.periods:
        own = [
            i for i, h in enumerate(factors.hours) if p.from_s // 3600 <= h <= (p.to_s - 1) // 3600
        ]
        cells = lf[:, own, :]
        if p.max_load_pax_per_h <= 0 or not np.isfinite(cells).any():
            continue
        seen, planned = float(np.nanmax(cells)), 100.0 * p.load_factor
        if worst is None or planned - seen > worst[0]:
            worst = (
                planned - seen,
                f" For {p.label.replace('-', '–')} the plan gives {planned:.0f} % (the "
                f"{hour_span(busiest_hour(plan, p))} load at its {p.headway_s / 60:g}-min "
                "headway); "
                f"the cells of its hours reach {seen:.0f} %.",
            )
    return rule + (worst[1] if worst is not None and worst[0] >= 0.5 else "")


# --- OD matrix ---------------------------------------------------------------------------------


def od_direction_text(od_matrix_csv: str | None) -> str:
    """How the day's trips run by hour (`demand.od.build_od`): before `RETURN_FROM_HOUR` as the
    daily matrix gives them, after it the other way."""
    if od_matrix_csv is None:
        return (
            f"Trips before {RETURN_FROM_HOUR}:00 run from home to activity (the gravity "
            "model's productions to attractions), later ones back."
        )
    return (
        f"The matrix is the scenario's own ({od_matrix_csv}): trips before "
        f"{RETURN_FROM_HOUR}:00 run as it gives them, later ones the reverse way."
    )


def od_chart(plan: ServicePlan, od_matrix_csv: str | None = None) -> Chart:
    """Daily trips from each origin (rows) to each destination (columns), in line order;
    `od_matrix_csv` is the scenario's matrix file, when it gives one."""
    stations = list(plan.od.stations)
    daily = plan.od.trips.sum(axis=0)
    title = "Origin–destination matrix, trips per day"
    fig = go.Figure(
        go.Heatmap(
            z=daily,
            x=stations,
            y=stations,
            colorscale="Blues",
            colorbar={"title": {"text": "trips/day"}},
            hovertemplate="from %{y}<br>to %{x}<br>%{z:,.0f} trips/day<extra></extra>",
        )
    )
    style_figure(fig, title, "Destination station", "Origin station")
    fig.update_layout(height=640, margin={"l": 160, "b": 140})
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(tickangle=-45, showgrid=False)

    def static() -> Figure:
        out = static_figure((11.0, 7.8))
        ax = out.add_subplot()
        image = ax.imshow(daily, cmap="Blues", aspect="auto")
        n = len(stations)
        ax.set_xticks(range(n), stations, rotation=45, ha="right", rotation_mode="anchor")
        ax.set_yticks(range(n), stations)
        ax.set_xlabel("Destination station")
        ax.set_ylabel("Origin station")
        ax.set_title(title, loc="left")
        out.colorbar(image, ax=ax, label="trips/day")
        return out

    return Chart(
        key="od-matrix",
        title=title,
        figure=fig,
        static=static,
        caption=(
            f"{plan.od.total:,.0f} trips a day; a row is an origin, a column a destination, "
            "stations in line order. " + od_direction_text(od_matrix_csv)
        ),
    )


# --- boardings and alightings ----------------------------------------------------------------


def boardings_chart(plan: ServicePlan, stop_visits: pd.DataFrame) -> Chart:
    """Planned boardings and alightings a day at each station, with the simulated boardings."""
    stations = list(plan.loads.stations)
    boardings = plan.loads.boardings.sum(axis=0)
    alightings = plan.loads.alightings.sum(axis=0)
    simulated = (
        stop_visits.groupby("station")["boarded"].sum().reindex(stations, fill_value=0)
    ).to_numpy(dtype=float)
    title = "Boardings and alightings by station, passengers per day"
    unit = "passengers/day"
    fig = go.Figure()
    fig.add_bar(
        x=stations,
        y=boardings,
        name="boardings (demand)",
        marker_color=SIMULATED,
        hovertemplate=f"%{{x}}<br>%{{y:,.0f}} boardings ({unit})<extra></extra>",
    )
    fig.add_bar(
        x=stations,
        y=alightings,
        name="alightings (demand)",
        marker_color=ACCENT,
        hovertemplate=f"%{{x}}<br>%{{y:,.0f}} alightings ({unit})<extra></extra>",
    )
    fig.add_scatter(
        x=stations,
        y=simulated,
        mode="markers",
        name="boardings (simulated)",
        marker={"symbol": "diamond", "size": 9, "color": "#222"},
        hovertemplate=f"%{{x}}<br>%{{y:,.0f}} boarded in the simulation ({unit})<extra></extra>",
    )
    style_figure(fig, title, "Station", f"Passengers ({unit})")
    fig.update_layout(barmode="group", margin={"b": 140})
    fig.update_xaxes(tickangle=-45)

    def static() -> Figure:
        from matplotlib.ticker import StrMethodFormatter

        out = static_figure((11.0, 5.5))
        ax = out.add_subplot()
        x = np.arange(len(stations))
        ax.bar(x - 0.2, boardings, 0.4, color=SIMULATED, label="boardings (demand)")
        ax.bar(x + 0.2, alightings, 0.4, color=ACCENT, label="alightings (demand)")
        ax.plot(x, simulated, "D", color="#222", markersize=5, label="boardings (simulated)")
        ax.set_xticks(x, stations, rotation=45, ha="right", rotation_mode="anchor")
        ax.set_xlabel("Station")
        ax.set_ylabel(f"Passengers ({unit})")
        ax.set_title(title, loc="left")
        ax.grid(axis="y", alpha=0.3)
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.legend(frameon=False, ncols=3, loc="lower right", bbox_to_anchor=(1.0, 1.0))
        return out

    return Chart(
        key="boardings",
        title=title,
        figure=fig,
        static=static,
        caption=(
            "Bars: the design day's demand (both directions); diamonds: the passengers who "
            "boarded in the simulated day (drawn from that demand, so they differ by chance)."
        ),
    )


# --- load factor by link and hour ----------------------------------------------------------


def _scale(top_pct: float) -> list[tuple[float, str]]:
    """The plotly colour scale over 0…`top_pct` %, 100 % at the change to purple."""
    at_100 = 100.0 / top_pct
    scale = [(at_100 * x, c) for x, c in LOAD_FACTOR_SCALE]
    return [*scale, (min(at_100 + 1e-3, 1.0), OVERLOAD_COLOURS[0]), (1.0, OVERLOAD_COLOURS[1])]


def _top_pct(factors: LoadFactors) -> float:
    lf = factors.load_factor_pct
    highest = float(np.nanmax(lf)) if np.isfinite(lf).any() else 0.0
    return max(MIN_TOP_PCT, 25.0 * math.ceil(highest / 25.0))


def _direction_label(direction: Direction, stations: tuple[str, ...]) -> str:
    a, b = running_order((stations[0], stations[-1]), direction)
    return f"{direction}: {a} → {b}"


def load_factor_chart(factors: LoadFactors, stations: tuple[str, ...], day_type: str) -> Chart:
    """Per direction, each link's load by hour ÷ the places the plan offers on it that hour."""
    links = list(link_names(stations))
    hours = [f"{h:02d}:00" for h in factors.hours]
    top = _top_pct(factors)
    lf = factors.load_factor_pct
    title = f"Load factor by link and hour, {design_day_label(day_type)} (load ÷ places offered)"
    ticks = [float(v) for v in np.arange(0.0, top + 1e-9, 25.0)]
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=[_direction_label(d, stations) for d in DIRECTIONS],
    )
    for i, d in enumerate(DIRECTIONS):
        custom = np.stack(
            [factors.load_pax_per_h[i].T, factors.trains_per_h[i].T, factors.places_per_h[i].T],
            axis=-1,
        )
        none = np.where(np.isnan(lf[i].T), 1.0, np.nan)
        fig.add_trace(
            go.Heatmap(
                z=none,
                x=hours,
                y=links,
                name="no train",
                colorscale=[[0.0, NO_TRAIN], [1.0, NO_TRAIN]],
                showscale=False,
                xgap=1,
                ygap=1,
                hovertemplate=f"{d}: %{{y}}, %{{x}} + 1 h<br>no train<extra></extra>",
            ),
            row=i + 1,
            col=1,
        )
        fig.add_trace(
            go.Heatmap(
                z=lf[i].T,
                x=hours,
                y=links,
                customdata=custom,
                coloraxis="coloraxis",
                xgap=1,
                ygap=1,
                hovertemplate=(
                    f"{d}: %{{y}}, %{{x}} + 1 h<br>load %{{customdata[0]:,.0f}} passengers/h"
                    "<br>%{customdata[1]:.0f} trains/h × "
                    f"{factors.train_capacity_pax:.0f} = %{{customdata[2]:,.0f}} places/h"
                    "<br>load factor %{z:.0f} %<extra></extra>"
                ),
            ),
            row=i + 1,
            col=1,
        )
        fig.update_yaxes(autorange="reversed", title_text="Link (line order)", row=i + 1, col=1)
    style_figure(fig, title, "Hour of day (start of the hour)", "Link (line order)")
    fig.update_xaxes(title_text="", row=1, col=1)
    fig.update_layout(
        height=900,
        margin={"l": 250},
        coloraxis={
            "colorscale": _scale(top),
            "cmin": 0.0,
            "cmax": top,
            "colorbar": {
                "title": {"text": "load factor (%)"},
                "tickvals": ticks,
                "ticktext": [f"{v:.0f} %" + (" = standard" if v == 100 else "") for v in ticks],
            },
        },
    )
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(showgrid=False, tickfont={"size": 11})

    def static() -> Figure:
        from matplotlib.colors import LinearSegmentedColormap

        out = static_figure((11.7, 8.3))
        axes = out.subplots(2, 1, sharex=True)
        cmap = LinearSegmentedColormap.from_list("load_factor", _scale(top)).with_extremes(
            bad=NO_TRAIN
        )
        image = None
        for i, (ax, d) in enumerate(zip(axes, DIRECTIONS, strict=True)):
            image = ax.imshow(
                np.ma.masked_invalid(lf[i].T), cmap=cmap, vmin=0.0, vmax=top, aspect="auto"
            )
            ax.set_yticks(range(len(links)), links, fontsize=6.5)
            ax.set_ylabel("Link (line order)")
            ax.set_title(_direction_label(d, stations), loc="left", fontsize=10)
        axes[-1].set_xticks(range(len(hours)), hours, rotation=45, ha="right")
        axes[-1].set_xlabel("Hour of day (start of the hour)")
        out.suptitle(title, x=0.01, ha="left")
        assert image is not None
        bar = out.colorbar(image, ax=list(axes), label="load factor (%)", ticks=ticks)
        bar.ax.axhline(100.0, color="black", linewidth=1.5)
        return out

    return Chart(
        key="load-factor",
        title=title,
        figure=fig,
        static=static,
        caption=(
            "Each cell: the passengers per hour on a link ÷ the places offered on it that hour "
            f"(planned trains × {factors.train_capacity_pax:.0f} places at the loading "
            "standard). Red nears 100 %, purple is above it; grey cells have no train."
        ),
    )
