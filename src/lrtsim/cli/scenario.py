"""`lrtsim scenario show | validate | export`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from lrtsim.cli.common import ScenarioArg, app, fail, load, out
from lrtsim.errors import LrtsimError

if TYPE_CHECKING:
    from lrtsim.model.schema import Scenario

scenario_app = typer.Typer(
    help="Show, validate and export scenarios.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(scenario_app, name="scenario")


@scenario_app.command("validate")
def scenario_validate(
    file: Annotated[str, typer.Argument(metavar="FILE", help="A scenario TOML file.")],
) -> None:
    """Check a scenario file: every problem is listed with its key path; exit code 2 if any."""
    scenario = load(file)
    out.print(f"[green]ok[/]: {escape(file)} is a valid scenario ('{escape(scenario.name)}').")


@scenario_app.command("export")
def scenario_export(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The embedded scenario to export.")
    ] = "astana",
) -> None:
    """Print an embedded scenario's TOML, with its comments, as a starting point for your own."""
    from lrtsim.model.load import embedded_text, scenario_from_toml

    try:
        text = embedded_text(name)
        scenario_from_toml(text, source=name)
    except LrtsimError as exc:
        fail(exc)
    sys.stdout.write(text)


@scenario_app.command("show")
def scenario_show(ref: ScenarioArg = "astana") -> None:
    """Summarise a scenario: stations, track data and the train."""
    from rich.table import Table

    from lrtsim.model.schema import station_dwell_s

    s = load(ref)
    line, rs = s.line, s.rolling_stock
    out.print(f"[bold]{escape(s.name)}[/] — {escape(line.name)}. {escape(s.description)}")
    table = Table(title="Stations (direction up runs top to bottom)")
    for col in ("#", "code", "name", "km", "gap km", "dwell s"):
        table.add_column(
            col, justify="right" if col in ("#", "km", "gap km", "dwell s") else "left"
        )
    for i, st in enumerate(line.stations):
        gap = "" if i == 0 else f"{st.km - line.stations[i - 1].km:.3f}"
        dwell = station_dwell_s(st, s.service.dwell)
        table.add_row(
            str(i), escape(st.code or ""), escape(st.name), f"{st.km:.3f}", gap, f"{dwell:g}"
        )
    out.print(table)
    length_km = line.stations[-1].km - line.stations[0].km
    out.print(
        f"Length {length_km:.3f} km between terminals; max speed {line.max_speed_kmh:g} km/h; "
        f"{len(line.gradients)} gradients, {len(line.curves)} curves, "
        f"{len(line.speed_limits)} speed limits; tail tracks {line.tail_tracks_m.start:g} m / "
        f"{line.tail_tracks_m.end:g} m."
    )
    if line.depot:
        out.print(
            f"Depot: {escape(line.depot.name)} at km {line.depot.km:g}, "
            f"access {line.depot.access_m:g} m in {line.depot.access_time_s:g} s."
        )
    out.print(
        f"Train: {escape(rs.name)}: {rs.length_m:g} m, {rs.mass_t:g} t tare, "
        f"{rs.max_speed_kmh:g} km/h, "
        f"{rs.max_tractive_effort_kn:g} kN, {rs.max_power_kw:g} kW, brake "
        f"{rs.service_brake_mps2:g} m/s², capacity {rs.capacity_pax:.0f} "
        f"({rs.seats} seats + {rs.standing_area_m2:g} m² at "
        f"{rs.standing_capacity_pax_per_m2:g}/m²)."
    )
    out.print(f"Signalling: {s.signalling.kind.replace('_', ' ')}. Seed: {s.seed}.")
    _show_operations(s)


def _show_operations(s: Scenario) -> None:
    """The `[operations]` of a scenario: variability, failures, control, window, incidents."""
    ops, control = s.operations, s.operations.control
    failures = (
        f"{ops.failure_rate_per_train_km:g} per train-km, {ops.failure_recovery_min:g} min to "
        "recover"
        if ops.failure_rate_per_train_km > 0
        else "none"
    )
    if control.strategy == "holding":
        where = ", ".join(control.timepoint_names(s.line))
        strategy = f"holding ({control.mode}) at {where}, at most {control.max_hold_s:g} s"
    elif control.strategy == "short_turn":
        strategy = f"short turns at {', '.join(control.crossovers)}"
    else:
        strategy = "none"
    early, late = ops.punctuality_window_s
    out.print(
        f"Operations: dwell cv {ops.dwell_cv:g}, running-time cv {ops.run_time_cv:g}; random "
        f"failures {failures}; control {escape(strategy)}; punctual from {early:+g} to "
        f"{late:+g} s; {len(ops.incidents)} incident{'' if len(ops.incidents) == 1 else 's'}."
    )
    for i, incident in enumerate(ops.incidents, start=1):
        place = (
            f"at {incident.station}"
            if incident.between is None
            else f"between {incident.between[0]} and {incident.between[1]}"
        )
        directions = "both directions" if incident.direction == "both" else incident.direction
        out.print(
            f"  Incident {i}: {incident.at} {incident.kind} {escape(place)} ({directions}), "
            f"{incident.duration_min:g} min."
        )
