"""`lrtsim runtime`: running times, speeds and energy per segment."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from lrtsim.cli.common import (
    JsonFlag,
    ScenarioArg,
    app,
    compute,
    emit_json,
    load,
    minutes,
    out,
    pct,
    within,
)
from lrtsim.dynamics.load_cases import PLANNING_LOAD

if TYPE_CHECKING:
    from rich.table import Table

    from lrtsim.dynamics.runtime import DirectionRun


class DirectionChoice(StrEnum):
    """Which directions to run."""

    up = "up"
    down = "down"
    both = "both"


@app.command("runtime", short_help="Running times, speeds and energy per segment.")
def runtime(
    ref: ScenarioArg = "astana",
    direction: Annotated[
        DirectionChoice, typer.Option(help="Direction to run: up, down or both.")
    ] = DirectionChoice.both,
    load_share: Annotated[
        float,
        typer.Option(
            "--load",
            callback=within(0.0, 1.0),
            help="Passenger load as a fraction of capacity, 0 to 1.",
        ),
    ] = PLANNING_LOAD,
    allowance: Annotated[
        float,
        typer.Option(
            callback=within(0.0, 100.0),
            help="Running-time allowance in % over the minimum (0 to 100), driven to save energy.",
        ),
    ] = 0.0,
    as_json: JsonFlag = False,
    step_m: Annotated[
        float,
        typer.Option(
            callback=within(0.05, 10.0), help="Position step of the integration, m (0.05 to 10)."
        ),
    ] = 1.0,
) -> None:
    """Running times, speeds and energy per station-to-station segment."""
    from lrtsim.dynamics.runtime import running_times
    from lrtsim.model.direction import DIRECTIONS, Direction

    scenario = load(ref)
    dirs: tuple[Direction, ...] = (
        DIRECTIONS if direction is DirectionChoice.both else (direction.value,)  # type: ignore[assignment]
    )
    runs = compute(
        "Computing running times…",
        as_json,
        lambda: running_times(
            scenario, dirs, load=load_share, allowance_pct=allowance, max_step_m=step_m
        ),
    )
    if as_json:
        from lrtsim.io.payloads import runtime_payload

        emit_json(runtime_payload(scenario.name, load_share, runs))
        return
    from lrtsim.dynamics.energy_saving import DRIVING_METHODS
    from lrtsim.model.units import j_to_kwh, mps_to_kmh

    out.print(
        f"[bold]{escape(scenario.name)}[/]: {escape(scenario.rolling_stock.name)}, "
        f"load {pct(load_share)} of "
        f"{scenario.rolling_stock.capacity_pax:.0f} passengers"
    )
    for d in runs:
        out.print(_direction_table(d))
        p = d.profile
        out.print(
            f"  running {minutes(p.run_time_s)} + dwell {minutes(d.dwell_time_s)} = "
            f"[bold]{minutes(d.total_time_s)}[/] terminal to terminal "
            f"(commercial speed {mps_to_kmh(d.commercial_speed_mps):.1f} km/h)"
        )
        out.print(
            f"  energy: {j_to_kwh(p.traction_energy_j):.1f} kWh at the wheel, "
            f"{j_to_kwh(p.line_energy_j):.1f} kWh from the line "
            f"({j_to_kwh(p.line_energy_j) / (d.distance_m / 1000.0):.2f} kWh/train-km, "
            "auxiliaries and regeneration included)"
        )
        if d.allowance_pct > 0:
            saved = j_to_kwh(d.eco.line_energy_saved_j)
            share = d.line_energy_saved_share
            out.print(
                f"  allowance {d.allowance_pct:g} %: minimum {d.minimum.run_time_s:.1f} s → "
                f"{p.run_time_s:.1f} s, driving: {DRIVING_METHODS[d.eco.method]}, saves "
                f"{saved:.1f} kWh ({pct(share)}) from the line"
            )


def _direction_table(d: DirectionRun) -> Table:
    from rich.table import Table

    from lrtsim.model.units import j_to_kwh, mps_to_kmh

    p = d.profile
    title = f"{d.direction}: {escape(p.station_names[0])} → {escape(p.station_names[-1])}"
    table = Table(title=title, title_justify="left")
    for col in ("from", "to", "distance m", "run s", "max km/h", "traction kWh", "dwell s"):
        table.add_column(col, justify="left" if col in ("from", "to") else "right")
    for i, g in enumerate(p.segments):
        table.add_row(
            escape(g.from_station),
            escape(g.to_station),
            f"{g.distance_m:,.0f}",
            f"{g.run_time_s:.1f}",
            f"{mps_to_kmh(g.max_speed_mps):.1f}",
            f"{g.traction_energy_kwh:.2f}",
            f"{d.dwell_s[i + 1]:g}" if i + 1 < len(d.dwell_s) - 1 else "",
        )
    distance = sum(g.distance_m for g in p.segments)
    table.add_section()
    table.add_row(
        "total",
        "",
        f"{distance:,.0f}",
        f"{p.run_time_s:.1f}",
        f"{mps_to_kmh(p.max_speed_mps):.1f}",
        f"{j_to_kwh(p.traction_energy_j):.1f}",
        f"{d.dwell_time_s:g}",
    )
    return table
