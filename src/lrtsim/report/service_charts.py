"""The report's service-plan section: the plan by period (as `lrtsim plan` prints it) and the
fleet through the day from the blocks, for every day type.

The numbers are the planning layer's own: `PeriodPlan` for the headways and loads,
`circulation.trains_out_at` for the trains in service in a period (at its middle, as the plan's
JSON payload gives it), the blocks' spans for the fleet curve and `Circulation` for the fleet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go

from lrtsim.planning.circulation import trains_out_at
from lrtsim.report.chart_axes import clock_axis, clock_ticks, hm, ms
from lrtsim.report.period_loads import busiest_hour, hour_span, load_rule_text
from lrtsim.report.sections import Chart, RunView, Section, Table
from lrtsim.report.style import ACCENT, LIMIT, PLANNED, SIMULATED, static_figure, style_figure

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from lrtsim.planning.day_types import DayPlan

FloatArray = npt.NDArray[np.float64]

OTHER_DAY_COLOURS = ("#7f8c8d", "#16a085", "#8e44ad", "#d35400")
"""Fleet curves of the day types other than the design day."""


@dataclass(frozen=True)
class FleetCurve:
    """Trains out of the depot through one day: after each change (a step function)."""

    time_s: FloatArray
    """Times at which the count changes, ascending, once each."""
    trains: npt.NDArray[np.int64]
    """Trains out of the depot from that time on (until the next)."""


def fleet_curve(blocks: pd.DataFrame) -> FleetCurve:
    """Trains out of the depot from each block's first start to its last end (the spans
    `circulation.out_of_depot` sweeps): the count after every instant something changes."""
    spans = blocks.groupby("block_id").agg(start=("start_s", "min"), end=("end_s", "max"))
    times = np.concatenate([spans["start"].to_numpy(float), spans["end"].to_numpy(float)])
    steps = np.concatenate([np.ones(len(spans)), -np.ones(len(spans))]).astype(np.int64)
    order = np.argsort(times, kind="stable")
    times, steps = times[order], steps[order]
    count = np.cumsum(steps)
    last = np.r_[times[1:] != times[:-1], True]  # the count once every change at t is made
    return FleetCurve(time_s=times[last], trains=count[last])


def _step_xy(curve: FleetCurve) -> tuple[FloatArray, FloatArray]:
    """The curve as a line from zero before its first change to zero after its last."""
    x = np.r_[curve.time_s[:1], curve.time_s]
    y = np.r_[0.0, curve.trains.astype(float)]
    return x, y


def service_section(run: RunView) -> Section:
    """Service plan and fleet: the plan by period, the fleet through the day."""
    spare = run.scenario.service.spare_ratio
    text = [_fleet_text(day, spare) for day in run.day_plans]
    if len(run.day_plans) > 1:
        text.append(
            f"The fleet to own is the {run.design.day_type} service's "
            f"({run.design.plan.circulation.fleet_required} trains): it needs the most, and it is "
            "the day simulated."
        )
    return Section(
        key="service",
        title="Service plan and fleet",
        text=tuple(text),
        tables=(plan_table(run.day_plans),),
        charts=(fleet_chart(run.day_plans, run.design, run.day.line.depot is not None),),
    )


def _fleet_text(day: DayPlan, spare_ratio: float) -> str:
    plan, c = day.plan, day.plan.circulation
    days = ", ".join(d[:3] for d in day.days)
    positioning = len(c.positioning_trips)
    extra = f" ({positioning} of them positioning trains in service)" if positioning else ""
    return (
        f"{day.day_type} ({days}): fleet {c.fleet_required} trains = {c.in_service_peak} in "
        f"service at the peak + {c.spares} spare ({100 * spare_ratio:.0f} %, rounded up); cycle "
        f"time {plan.cycle_time_s / 60:.1f} min; {plan.trips} trips{extra}; "
        f"{c.train_km:,.0f} train-km, of which {c.empty_km:,.0f} empty "
        f"({100 * c.empty_share:.0f} %); {c.train_hours:,.1f} train-hours; "
        f"{c.depot_moves} depot moves."
    )


def plan_table(day_plans: tuple[DayPlan, ...]) -> Table:
    """The plan by period of every day type (the columns of `lrtsim plan`)."""
    several = len(day_plans) > 1
    header = (
        *(("day type",) if several else ()),
        "period",
        "headway",
        "policy headway",
        "demand headway",
        "trains in service",
        "max load (passengers/h)",
        "busiest hour",
        "per train (passengers)",
        "load factor",
    )
    rows = []
    for day in day_plans:
        blocks = day.plan.blocks
        for p in day.plan.periods:
            demand = p.demand_headway_s
            rows.append(
                (
                    *((day.day_type,) if several else ()),
                    p.label,
                    f"{p.headway_s / 60:g} min",
                    f"{p.policy_headway_s / 60:g} min",
                    "—" if demand == float("inf") else f"{demand / 60:.1f} min",
                    str(trains_out_at(blocks, 0.5 * (p.from_s + p.to_s))),
                    f"{p.max_load_pax_per_h:,.0f}",
                    hour_span(busiest_hour(day.plan, p)) if p.max_load_pax_per_h > 0 else "—",
                    f"{p.max_load_per_train_pax:.0f}",
                    f"{100 * p.load_factor:.0f} %",
                )
            )
    numeric = (*((False,) if several else ()), False, *(True,) * 5, False, True, True)
    return Table(
        title="Service plan by period",
        header=header,
        rows=tuple(rows),
        numeric=numeric,
        note=(
            "Headway: the shorter of the policy's and the demand's (3,600 s × train capacity at "
            "the loading standard ÷ the period's maximum link load), never below the line's "
            "minimum. Trains in service: out of the depot at the middle of the period. "
            + load_rule_text(day_plans[0].plan)
        ),
    )


def fleet_chart(day_plans: tuple[DayPlan, ...], design: DayPlan, has_depot: bool = True) -> Chart:
    """Trains out of the depot (or, when the scenario names none, of the first station's
    sidings, where the blocks start and end) through the day from the blocks, with the depot
    moves, against the design day's peak and fleet to own."""
    c = design.plan.circulation
    place = "the depot" if has_depot else "the sidings"
    pulls = design.plan.blocks.loc[design.plan.blocks["activity"] == "pull_out", "from_station"]
    sidings = str(pulls.iloc[0]) if len(pulls) else "the first station's sidings"
    title = (
        "Fleet through the day: trains out of the depot"
        if has_depot
        else "Fleet through the day: trains out of the sidings (no depot)"
    )
    curves = {day.day_type: fleet_curve(day.plan.blocks) for day in day_plans}
    colour = {
        day.day_type: SIMULATED if day is design else OTHER_DAY_COLOURS[i % 4]
        for i, day in enumerate(d for d in day_plans)
    }
    blocks = design.plan.blocks
    moves = {
        "pull_out": blocks[blocks["activity"] == "pull_out"],
        "pull_in": blocks[blocks["activity"] == "pull_in"],
    }
    curve = curves[design.day_type]

    def count_at(t: FloatArray) -> FloatArray:
        k = np.searchsorted(curve.time_s, t, side="right") - 1
        return np.where(k >= 0, curve.trains[np.maximum(k, 0)], 0).astype(float)

    move_t = {
        "pull_out": moves["pull_out"]["start_s"].to_numpy(float),
        "pull_in": moves["pull_in"]["end_s"].to_numpy(float),
    }
    start = min(float(cv.time_s[0]) for cv in curves.values())
    end = max(float(cv.time_s[-1]) for cv in curves.values())
    fig = go.Figure()
    for day in day_plans:
        x, y = _step_xy(curves[day.day_type])
        main = day is design
        fig.add_scatter(
            x=ms(x),
            y=y,
            mode="lines",
            line={"shape": "hv", "color": colour[day.day_type], "width": 2.5 if main else 1.5},
            name=f"{day.day_type}{' (design day)' if main and len(day_plans) > 1 else ''}",
            hovertemplate=f"{day.day_type}: %{{y:.0f}} trains out from %{{x}}<extra></extra>",
        )
    for activity, symbol, label in (
        ("pull_out", "triangle-up", f"pull-out (leaves {place})"),
        ("pull_in", "triangle-down", f"pull-in (back in {place})"),
    ):
        rows = moves[activity]
        far = rows["to_station"] if activity == "pull_out" else rows["from_station"]
        fig.add_scatter(
            x=ms(move_t[activity]),
            y=count_at(move_t[activity]),
            mode="markers",
            marker={
                "symbol": symbol,
                "size": 9,
                "color": ACCENT if activity == "pull_out" else PLANNED,
                "line": {"width": 1, "color": "#333"},
            },
            name=label,
            text=[
                f"{b} {'to' if activity == 'pull_out' else 'from'} {s}"
                for b, s in zip(rows["block_id"], far, strict=True)
            ],
            hovertemplate=f"{label}: %{{text}} at %{{x}}<extra></extra>",
        )
    lines = (
        (c.in_service_peak, "dash", f"in service at the peak: {c.in_service_peak}"),
        (c.fleet_required, "solid", f"fleet to own: {c.fleet_required} ({c.spares} spare)"),
    )
    for level, dash, label in lines:
        fig.add_hline(y=level, line={"color": LIMIT, "dash": dash, "width": 1})
        fig.add_annotation(
            x=0.0,
            xref="x domain",
            y=level,
            text=label,
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font={"size": 11},
        )
    style_figure(fig, title, "Time of day (HH:MM)", f"Trains out of {place}")
    clock_axis(fig)
    fig.update_yaxes(range=[0, c.fleet_required + 1.5], dtick=2)

    def static() -> Figure:
        out = static_figure((11.0, 5.5))
        ax = out.add_subplot()
        for day in day_plans:
            x, y = _step_xy(curves[day.day_type])
            main = day is design
            ax.step(
                x,
                y,
                where="post",
                color=colour[day.day_type],
                linewidth=2 if main else 1.2,
                label=day.day_type + (" (design day)" if main and len(day_plans) > 1 else ""),
            )
        ax.plot(
            move_t["pull_out"],
            count_at(move_t["pull_out"]),
            "^",
            color=ACCENT,
            markeredgecolor="#333",
            markersize=6,
            label="pull-out",
        )
        ax.plot(
            move_t["pull_in"],
            count_at(move_t["pull_in"]),
            "v",
            color=PLANNED,
            markeredgecolor="#333",
            markersize=6,
            label="pull-in",
        )
        for level, dash, label in lines:
            ax.axhline(level, color=LIMIT, linestyle="--" if dash == "dash" else "-", lw=1)
            ax.annotate(
                label,
                (0.005, level),
                xycoords=("axes fraction", "data"),
                xytext=(0, 2),
                textcoords="offset points",
                fontsize=8,
            )
        clock_ticks(ax, start - 900.0, end + 900.0)
        ax.set_ylim(0, c.fleet_required + 1.5)
        ax.set_xlabel("Time of day (HH:MM)")
        ax.set_ylabel(f"Trains out of {place}")
        ax.set_title(title, loc="left")
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, ncols=4, loc="lower right", bbox_to_anchor=(1.0, 1.0))
        return out

    return Chart(
        key="fleet",
        title=title,
        figure=fig,
        static=static,
        caption=(
            f"Trains out of {place} by time of day, from the blocks ({design.day_type}: first "
            f"pull-out {hm(float(curve.time_s[0]))}, last pull-in {hm(float(curve.time_s[-1]))}); "
            f"triangles mark the moves out of and back into {place}. "
            + (
                ""
                if has_depot
                else f"The scenario names no depot: trains start and end the day at {sidings}. "
            )
            + "The fleet to own adds the spares to the peak."
        ),
    )
