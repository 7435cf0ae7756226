"""`lrtsim plan`: the service plan, its timetable, train circulation, fleet and GTFS feed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from lrtsim.cli.common import (
    ForceFlag,
    JsonFlag,
    ScenarioArg,
    app,
    compute,
    emit_json,
    fail,
    load,
    out,
    pct,
)
from lrtsim.errors import LrtsimError

if TYPE_CHECKING:
    from lrtsim.planning.day_types import DayPlan


@app.command("plan", short_help="Service plan, timetable, fleet and GTFS feed.")
def plan_command(
    ref: ScenarioArg = "astana",
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FOLDER",
            show_default="plan-NAME, NAME being the scenario's name",
            help="Folder for timetable.csv, blocks.csv and gtfs.zip; written as a whole.",
        ),
    ] = None,
    force: ForceFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """Service plan: headway per period, timetable, train circulation, fleet and a GTFS feed,
    for each day type of the scenario."""
    from lrtsim.io.atomic import OverwriteError, check_folder_target, write_folder_atomic
    from lrtsim.io.outputs import plan_files, plan_folder, scenario_inputs
    from lrtsim.io.payloads import plan_command_payload
    from lrtsim.planning.day_types import service_days_note

    scenario = load(ref)
    folder = plan_folder(scenario, out_dir)
    inputs = scenario_inputs(scenario, ref)
    try:
        check_folder_target(folder, force=force, inputs=inputs)
    except OverwriteError as exc:
        fail(exc.naming("--force"))
    except LrtsimError as exc:
        fail(exc)

    def work() -> tuple[tuple[DayPlan, ...], dict[str, bytes], str | None]:
        from lrtsim.io.od_csv import scenario_od_matrix
        from lrtsim.planning.day_types import make_day_plans

        day_plans = make_day_plans(scenario, scenario_od_matrix(scenario, ref))
        files, reason = plan_files(scenario, day_plans)
        try:
            write_folder_atomic(folder, files, command="plan", force=force, inputs=inputs)
        except OverwriteError as exc:
            raise exc.naming("--force") from None
        return day_plans, files, reason

    day_plans, files, no_gtfs = compute("Planning the service day…", as_json, work)
    note = service_days_note(scenario)
    payload = plan_command_payload(scenario.name, day_plans, folder, list(files), no_gtfs, note)
    if as_json:
        emit_json(payload)
        return
    for day, figures in zip(day_plans, payload["day_types"], strict=True):
        print_day_plan(scenario.name, scenario.service.spare_ratio, day, figures)
    if len(day_plans) > 1:
        out.print(
            f"Fleet to own: [bold]{payload['fleet_required']}[/] trains "
            f"(the {escape(payload['design_day_type'])} service needs the most)."
        )
    if note:
        out.print(f"Note: {escape(note)}.")
    out.print(f"Wrote {escape(str(folder))}: {escape(', '.join(sorted(files)))}.")
    if no_gtfs is not None:
        out.print(f"No gtfs.zip: {escape(no_gtfs)}.")


def print_day_plan(name: str, spare_ratio: float, day: DayPlan, figures: dict[str, Any]) -> None:
    """One day type's plan: the table of its periods, its demand and its fleet."""
    from rich.table import Table

    from lrtsim.model.direction import running_order

    plan, c = day.plan, day.plan.circulation
    days = ", ".join(d[:3] for d in day.days)
    title = f"{escape(name)}: {escape(day.day_type)} service plan ({days})"
    table = Table(title=title, title_justify="left")
    for col in (
        "period",
        "headway",
        "policy",
        "demand",
        "trains",
        "max load/h",
        "per train",
        "load factor",
    ):
        table.add_column(col, justify="left" if col == "period" else "right")
    for period, p in zip(plan.periods, figures["periods"], strict=True):
        demand = period.demand_headway_s
        table.add_row(
            period.label,
            f"{period.headway_s / 60:g} min",
            f"{period.policy_headway_s / 60:g} min",
            "—" if demand == float("inf") else f"{demand / 60:.1f} min",
            str(p["trains_in_service"]),
            f"{period.max_load_pax_per_h:,.0f}",
            f"{period.max_load_per_train_pax:.0f}",
            pct(period.load_factor),
        )
    out.print(table)
    hour, direction, link, peak_load = plan.loads.peak()
    names = plan.loads.stations
    a, b = running_order((link, link + 1), direction)
    if plan.od.total <= 0:
        out.print("Demand: none given (demand.daily_boardings = 0): every headway is the policy's.")
    else:
        out.print(
            f"Demand: {plan.od.total:,.0f} boardings a day; peak {hour:02d}:00-{hour + 1:02d}:00, "
            f"direction {direction}, maximum load {peak_load:,.0f} passengers/h between "
            f"{escape(names[a])} and {escape(names[b])}."
        )
    count = len(c.positioning_trips)
    positioning = f" ({count} of them positioning trains in service)" if count else ""
    out.print(
        f"Fleet: [bold]{c.fleet_required}[/] trains = {c.in_service_peak} in service at the peak "
        f"+ {c.spares} spare ({pct(spare_ratio)}, rounded up); cycle "
        f"{plan.cycle_time_s / 60:.1f} min; {plan.trips} trips{positioning}, "
        f"{c.train_km:,.0f} train-km of which "
        f"{c.empty_km:,.0f} empty ({pct(c.empty_share)}), "
        f"{c.train_hours:,.1f} train-hours, {c.depot_moves} depot moves."
    )
