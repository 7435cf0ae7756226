"""`lrtsim simulate`: one service day simulated, its KPIs, its event log and passengers."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

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
    minutes,
    out,
)
from lrtsim.cli.day_options import ControlOption, IncidentOption, SeedOption, configured
from lrtsim.errors import LrtsimError

if TYPE_CHECKING:
    from lrtsim.metrics.kpis import Kpis
    from lrtsim.model.schema import Scenario
    from lrtsim.planning.day_types import DayPlan

T = TypeVar("T")


@app.command("simulate", short_help="One simulated service day: KPIs, events, passengers.")
def simulate_command(
    ref: ScenarioArg = "astana",
    seed: SeedOption = None,
    incidents: IncidentOption = None,
    control: ControlOption = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FOLDER",
            show_default="simulate-NAME, NAME being the scenario's name",
            help="Folder for events.parquet, passengers.parquet, kpis.json; written as a whole.",
        ),
    ] = None,
    force: ForceFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """One service day simulated: trains, dwells and passengers, and the day's KPIs.

    The day simulated is the design day, the day type that needs the most trains (as
    `lrtsim plan` names it; Astana: weekday). With incidents or a control strategy, the same
    day without either (same seed) is simulated too, and the cost of the disturbance is its
    passenger-hours of delay against it.
    """
    from lrtsim.io.atomic import OverwriteError, check_folder_target, write_folder_atomic
    from lrtsim.io.outputs import scenario_inputs, simulate_folder
    from lrtsim.pipeline import simulate

    scenario = configured(load(ref), incidents or [], control)
    folder = simulate_folder(scenario, out_dir)
    inputs = scenario_inputs(scenario, ref)
    try:
        check_folder_target(folder, force=force, inputs=inputs)
    except OverwriteError as exc:
        fail(exc.naming("--force"))
    except LrtsimError as exc:
        fail(exc)
    day_seed = scenario.seed if seed is None else seed

    def planned() -> tuple[DayPlan, Scenario]:
        from lrtsim.io.od_csv import scenario_od_matrix
        from lrtsim.pipeline import design_scenario, plan_days
        from lrtsim.planning.day_types import design_day

        _, _, plans = plan_days(scenario, scenario_od_matrix(scenario, ref))
        design = design_day(plans)
        return design, design_scenario(scenario, design)

    design, day = compute("Planning the service…", as_json, planned)
    messages = {
        "simulated day": f"Simulating the {design.day_type} service day (seed {day_seed})…",
        "reference day": "Simulating the reference day (no incidents, no control)…",
        "KPIs": "Computing the KPIs…",
    }

    def step(name: str, work: Callable[[], T]) -> T:
        return compute(messages[name], as_json, work)

    result, _, figures, _ = simulate(design, day, day_seed, step)

    def write() -> tuple[dict[str, Any], list[str]]:
        from lrtsim.io.day_files import day_files
        from lrtsim.io.payloads import simulate_payload

        payload = simulate_payload(day, design.day_type, day_seed, figures)
        files = day_files(result, payload)
        try:
            write_folder_atomic(folder, files, command="simulate", force=force, inputs=inputs)
        except OverwriteError as exc:
            raise exc.naming("--force") from None
        return payload, sorted(files)

    payload, names = compute(f"Writing {escape(str(folder))}…", as_json, write)
    if as_json:
        emit_json({**payload, "out": str(folder), "files": names})
        return
    print_day_kpis(day, design.day_type, day_seed, figures)
    out.print(f"Wrote {escape(str(folder))}: {escape(', '.join(names))}.")


def print_day_kpis(day: Scenario, day_type: str, seed: int, k: Kpis) -> None:
    """The KPI table with units, then the counts and the cost of the disturbance."""
    from rich.table import Table

    early, late = day.operations.punctuality_window_s
    los = f" (LOS {k.headway_los})" if k.headway_los else ""
    title = f"{escape(day.name)}: simulated {escape(day_type)} service day, seed {seed}"
    table = Table(title=title, title_justify="left")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    rows = (
        (f"punctuality (departures {early:+g} to {late:+g} s)", _number(k.punctuality_pct, "%", 1)),
        ("mean wait", _wait(k.mean_wait_s)),
        ("95th-percentile wait", _wait(k.p95_wait_s)),
        ("scheduled wait", _wait(k.scheduled_wait_s)),
        ("excess wait", _number(k.excess_wait_s, "s", 1)),
        (f"headway coefficient of variation{los}", _number(k.headway_cv, "", 3)),
        ("passengers denied boarding", _number(k.denied_boarding_pct, "%", 2)),
        ("mean journey time", _wait(k.mean_journey_s)),
        ("peak load factor (at the loading standard)", _number(100 * k.peak_load_factor, "%", 0)),
        ("energy from the line (net of regeneration)", _number(k.energy_kwh, "kWh", 0)),
        ("train-km", _number(k.train_km, "km", 0)),
        ("trains used (most at once)", str(k.trains_used)),
    )
    for name, value in rows:
        table.add_row(escape(name), value)
    out.print(table)
    out.print(
        f"Trips: {k.trips_planned} planned, {k.trips_operated} operated. Passengers: "
        f"{k.passengers:,} ({k.passengers_counted:,} counted in the waits, {k.not_served:,} "
        f"never boarded, {k.unscheduled:,} with no train scheduled after they came)."
    )
    if k.delay_passenger_hours is not None:
        incidents = len(day.operations.incidents)
        control = day.operations.control.strategy
        what = f"{incidents} incident{'' if incidents == 1 else 's'}, control {control}"
        out.print(
            f"Cost ({escape(what)}) against the same day without incidents or control: "
            f"[bold]{k.delay_passenger_hours:,.1f}[/] passenger-hours of delay, "
            f"{k.lost_passengers or 0:,} passengers who did not complete their journey."
        )


def _number(value: float, unit: str, digits: int) -> str:
    """'212.1 s', '—' for a figure with nothing to count (NaN)."""
    if math.isnan(value):
        return "—"
    return f"{value:,.{digits}f} {unit}".rstrip()


def _wait(seconds: float) -> str:
    """'3 min 32.1 s', '—' for NaN."""
    return "—" if math.isnan(seconds) else minutes(seconds)
