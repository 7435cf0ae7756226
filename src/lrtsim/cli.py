"""The `lrtsim` command: parses, calls the library, prints with rich. No logic of its own."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from lrtsim.capacity.analysis import HeadwayAnalysis, analyse, regular_service_occupancy
from lrtsim.capacity.headway import Headway
from lrtsim.capacity.uic406 import Occupancy
from lrtsim.dynamics.runtime import DirectionRun, running_times
from lrtsim.dynamics.track import Direction
from lrtsim.errors import LrtsimError
from lrtsim.io.atomic import write_bytes_atomic
from lrtsim.io.gtfs_export import gtfs_zip_bytes
from lrtsim.io.od_csv import read_od_csv
from lrtsim.io.tables import write_csv_atomic
from lrtsim.model.load import embedded_text, load_scenario, scenario_from_toml
from lrtsim.model.schema import Scenario
from lrtsim.model.units import J_PER_KWH
from lrtsim.planning.plan import ServicePlan, make_plan
from lrtsim.report.capacity_plot import plot_headway

app = typer.Typer(
    help="lrtsim: plan, simulate and publish the service of a light-rail line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
scenario_app = typer.Typer(help="Show, validate and export scenarios.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")

# Piped output keeps whole station names rather than rich's 80 columns.
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False)

ScenarioRef = Annotated[
    str, typer.Argument(help="An embedded scenario name (astana) or a path to a TOML file.")
]


class DirectionChoice(StrEnum):
    """Which directions to run."""

    up = "up"
    down = "down"
    both = "both"


def _fail(exc: LrtsimError) -> None:
    err.print(Text("error: ", style="bold red") + Text(str(exc)), soft_wrap=True)
    raise typer.Exit(code=2)


def _load(ref: str) -> Scenario:
    try:
        return load_scenario(ref)
    except LrtsimError as exc:
        _fail(exc)
        raise AssertionError("unreachable") from exc


@scenario_app.command("validate")
def scenario_validate(
    file: Annotated[str, typer.Argument(help="Path to a scenario TOML file.")],
) -> None:
    """Check a scenario file: every problem is listed with its key path; exit code 2 if any."""
    scenario = _load(file)
    out.print(f"[green]ok[/]: {escape(file)} is a valid scenario ('{escape(scenario.name)}').")


@scenario_app.command("export")
def scenario_export(
    name: Annotated[str, typer.Argument(help="Embedded scenario to export.")] = "astana",
) -> None:
    """Print an embedded scenario's TOML, with its comments, as a starting point for your own."""
    try:
        text = embedded_text(name)
        scenario_from_toml(text, source=name)
    except LrtsimError as exc:
        _fail(exc)
    sys.stdout.write(text)


@scenario_app.command("show")
def scenario_show(ref: ScenarioRef = "astana") -> None:
    """Summarise a scenario: stations, track data and the train."""
    s = _load(ref)
    line, rs = s.line, s.rolling_stock
    out.print(f"[bold]{escape(s.name)}[/] — {escape(line.name)}. {escape(s.description)}")
    table = Table(title="Stations (direction up runs top to bottom)")
    for col in ("#", "code", "name", "km", "gap km", "dwell s"):
        table.add_column(
            col, justify="right" if col in ("#", "km", "gap km", "dwell s") else "left"
        )
    for i, st in enumerate(line.stations):
        gap = "" if i == 0 else f"{st.km - line.stations[i - 1].km:.3f}"
        dwell = st.dwell_s if st.dwell_s is not None else s.service.dwell.base_s
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
            f"access {line.depot.access_m:g} m "
            f"in {line.depot.access_time_s:g} s."
        )
    out.print(
        f"Train: {escape(rs.name)}: {rs.length_m:g} m, {rs.mass_t:g} t tare, "
        f"{rs.max_speed_kmh:g} km/h, "
        f"{rs.max_tractive_effort_kn:g} kN, {rs.max_power_kw:g} kW, brake "
        f"{rs.service_brake_mps2:g} m/s², capacity {rs.capacity_pax:.0f} "
        f"({rs.seats} seats + {rs.standing_area_m2:g} m² at "
        f"{rs.standing_capacity_pax_per_m2:g}/m²)."
    )
    out.print(f"Signalling: {s.signalling.kind}. Seed: {s.seed}.")


def _kwh(joules: float) -> float:
    return round(joules / J_PER_KWH, 3)


def _direction_json(d: DirectionRun) -> dict[str, Any]:
    p = d.profile
    stop_times = [round(float(p.time_s[i]), 3) for i in p.stop_index]
    return {
        "direction": d.direction,
        "from": p.station_names[0],
        "to": p.station_names[-1],
        "run_time_s": stop_times[-1],
        "dwell_time_s": round(d.dwell_time_s, 2),
        "total_time_s": round(stop_times[-1] + d.dwell_time_s, 3),
        "traction_energy_kwh": _kwh(p.traction_energy_j),
        "line_energy_kwh": _kwh(p.line_energy_j),
        "allowance_pct": d.allowance_pct,
        "minimum_run_time_s": round(d.minimum.run_time_s, 3),
        "line_energy_saved_kwh": _kwh(d.eco.line_energy_saved_j),
        "driving": d.eco.method,
        "segments": [
            {
                "from": g.from_station,
                "to": g.to_station,
                "distance_m": round(g.distance_m, 2),
                "run_time_s": round(stop_times[i + 1] - stop_times[i], 3),
                "max_speed_kmh": round(g.max_speed_mps * 3.6, 2),
                "traction_energy_kwh": _kwh(g.traction_energy_j),
                "line_energy_kwh": _kwh(g.line_energy_j),
            }
            for i, g in enumerate(p.segments)
        ],
    }


def _direction_table(d: DirectionRun) -> Table:
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
            f"{g.max_speed_mps * 3.6:.1f}",
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
        f"{p.max_speed_mps * 3.6:.1f}",
        f"{p.traction_energy_j / J_PER_KWH:.1f}",
        f"{d.dwell_time_s:g}",
    )
    return table


_DIRECTIONS: dict[str, tuple[Direction, ...]] = {
    "up": ("up",),
    "down": ("down",),
    "both": ("up", "down"),
}


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:04.1f} s"


@app.command("runtime")
def runtime(
    ref: ScenarioRef = "astana",
    direction: Annotated[
        DirectionChoice, typer.Option(help="Direction to run: up, down or both.")
    ] = DirectionChoice.both,
    load: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Passenger load as a fraction of capacity.")
    ] = 0.5,
    allowance: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=100.0,
            help="Running-time allowance in % over the minimum, driven to save energy.",
        ),
    ] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    step_m: Annotated[
        float, typer.Option(min=0.05, max=10.0, help="Position step of the integration, m.")
    ] = 1.0,
) -> None:
    """Running times, speeds and energy per station-to-station segment."""
    scenario = _load(ref)
    dirs = _DIRECTIONS[direction.value]
    try:
        if as_json:
            runs = running_times(
                scenario, dirs, load=load, allowance_pct=allowance, max_step_m=step_m
            )
        else:
            with err.status("Computing running times…"):
                runs = running_times(
                    scenario, dirs, load=load, allowance_pct=allowance, max_step_m=step_m
                )
    except LrtsimError as exc:
        _fail(exc)
        return
    if as_json:
        payload = {
            "scenario": scenario.name,
            "load": load,
            "directions": [_direction_json(d) for d in runs],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    out.print(
        f"[bold]{escape(scenario.name)}[/]: {escape(scenario.rolling_stock.name)}, "
        f"load {load:.0%} of "
        f"{scenario.rolling_stock.capacity_pax:.0f} passengers"
    )
    for d in runs:
        out.print(_direction_table(d))
        p = d.profile
        km = sum(g.distance_m for g in p.segments) / 1000.0
        out.print(
            f"  running {_minutes(p.run_time_s)} + dwell {_minutes(d.dwell_time_s)} = "
            f"[bold]{_minutes(d.total_time_s)}[/] terminal to terminal "
            f"(commercial speed {km / (d.total_time_s / 3600):.1f} km/h)"
        )
        out.print(
            f"  energy: {p.traction_energy_j / J_PER_KWH:.1f} kWh at the wheel, "
            f"{p.line_energy_j / J_PER_KWH:.1f} kWh from the line "
            f"({p.line_energy_j / J_PER_KWH / km:.2f} kWh/train-km, "
            "auxiliaries and regeneration included)"
        )
        if d.allowance_pct > 0:
            saved = d.eco.line_energy_saved_j / J_PER_KWH
            share = d.eco.line_energy_saved_j / d.minimum.line_energy_j
            out.print(
                f"  allowance {d.allowance_pct:g} %: minimum {d.minimum.run_time_s:.1f} s → "
                f"{p.run_time_s:.1f} s, driving '{d.eco.method}', saves {saved:.1f} kWh "
                f"({share:.0%}) from the line"
            )


def _headway_rows(analysis: HeadwayAnalysis) -> Table:
    table = Table(title="Minimum headway at each station", title_justify="left")
    for col in ("station", "dir", "headway s", "approach", "dwell", "clearing", "other"):
        table.add_column(col, justify="left" if col in ("station", "dir") else "right")
    for d in analysis.directions:
        for h in d.stations:
            c = dict(h.components_s)
            main = [c.pop("approach", 0.0), c.pop("dwell", 0.0), c.pop("clearing", 0.0)]
            other = ", ".join(f"{k.replace('_', ' ')} {v:.0f}" for k, v in c.items())
            table.add_row(
                escape(h.where),
                d.direction,
                f"{h.min_headway_s:.1f}",
                *(f"{v:.1f}" for v in main),
                other,
            )
    return table


def _headway_json(h: Headway, where_key: str) -> dict[str, Any]:
    return {
        where_key: h.where,
        "direction": h.direction,
        "min_headway_s": round(h.min_headway_s, 3),
        "components_s": {k: round(v, 3) for k, v in h.components_s.items()},
    }


def _capacity_json(a: HeadwayAnalysis) -> dict[str, Any]:
    def r(x: float) -> float:
        return round(x, 3)

    b = a.bottleneck
    return {
        "scenario": a.scenario,
        "signalling": a.signalling,
        "line_min_headway_s": r(a.line_min_headway_s),
        "bottleneck": {"where": b.where, "kind": b.kind, "direction": b.direction},
        "trains_per_hour": r(a.trains_per_hour),
        "passengers_per_hour_per_direction": r(a.passengers_per_hour_per_direction),
        "crush_passengers_per_hour_per_direction": r(a.crush_passengers_per_hour_per_direction),
        "stations": [_headway_json(h, "name") for d in a.directions for h in d.stations],
        "lines": [_headway_json(h, "between") for d in a.directions for h in d.lines],
        "terminals": [
            {
                "name": t.name,
                "kind": t.kind,
                "min_headway_s": r(t.min_headway_s),
                "binding": t.binding,
                "occupation_s": {k: r(v) for k, v in t.occupation_s.items()},
                "conflicts": list(t.conflicts),
                "turnaround_s": r(t.turnaround_s),
            }
            for t in a.terminals
        ],
    }


@app.command("capacity")
def capacity(
    ref: ScenarioRef = "astana",
    dwell_s: Annotated[
        float | None,
        typer.Option("--dwell-s", min=0.0, max=3600.0, help="Dwell at every station, s."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write the blocking-time diagram of two trains to this PNG."),
    ] = None,
    occupancy_headway_s: Annotated[
        float | None,
        typer.Option(
            "--occupancy-headway-s",
            min=1.0,
            max=3600.0,
            help="Also give the UIC 406 occupancy of each interstation for trains this many "
            "seconds apart over one hour.",
        ),
    ] = None,
) -> None:
    """Minimum headways (stations, line, terminals), the bottleneck and the line capacity."""
    scenario = _load(ref)
    occupancy: dict[Direction, list[Occupancy]] = {}
    try:
        if as_json:
            analysis = analyse(scenario, dwell_s=dwell_s)
        else:
            with err.status("Computing headways…"):
                analysis = analyse(scenario, dwell_s=dwell_s)
        if occupancy_headway_s is not None:
            occupancy = regular_service_occupancy(analysis, occupancy_headway_s)
        if plot is not None:
            plot_headway(analysis, plot)
    except LrtsimError as exc:
        _fail(exc)
        return
    if as_json:
        payload = _capacity_json(analysis)
        if occupancy_headway_s is not None:
            payload["uic406"] = {
                "headway_s": occupancy_headway_s,
                "period_s": 3600.0,
                "sections": [
                    {"section": o.section, "direction": direction, "share": round(o.share, 4)}
                    for direction, items in occupancy.items()
                    for o in items
                ],
            }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    a = analysis
    out.print(
        f"[bold]{escape(a.scenario)}[/]: {a.signalling.replace('_', ' ')}, trains at full "
        f"planning load, dwell {'as in the scenario' if dwell_s is None else f'{dwell_s:g} s'}"
    )
    out.print(_headway_rows(a))
    lines = Table(title="Open line (worst point between stations)", title_justify="left")
    for col in ("between", "dir", "headway s"):
        lines.add_column(col, justify="left" if col != "headway s" else "right")
    for d in a.directions:
        worst = sorted(d.lines, key=lambda h: -h.min_headway_s)[:3]
        for h in worst:
            lines.add_row(escape(h.where), d.direction, f"{h.min_headway_s:.1f}")
    out.print(lines)
    terms = Table(title="Terminals", title_justify="left")
    for col in ("terminal", "turnback", "headway s", "binding resource", "occupation s"):
        terms.add_column(col, justify="right" if col == "headway s" else "left")
    for t in a.terminals:
        occ = ", ".join(f"{k} {v:.0f}" for k, v in t.occupation_s.items())
        terms.add_row(
            escape(t.name), t.kind.replace("_", " "), f"{t.min_headway_s:.1f}", t.binding, occ
        )
    out.print(terms)
    for t in a.terminals:
        for c in t.conflicts:
            out.print(f"  {escape(t.name)}: {escape(c)}")
    b = a.bottleneck
    stock = scenario.rolling_stock
    out.print(
        f"Line minimum headway [bold]{a.line_min_headway_s:.1f} s[/] — bottleneck: "
        f"{escape(b.where)} ({b.kind}, {b.direction}) → [bold]{a.trains_per_hour:.1f}[/] trains/h "
        f"per direction; {a.passengers_per_hour_per_direction:,.0f} passengers/h/direction at "
        f"{scenario.service.loading_standard_pax_per_m2:g} pax/m² "
        f"({a.passengers_per_train_standard:.0f} a train), "
        f"{a.crush_passengers_per_hour_per_direction:,.0f} at crush load "
        f"({stock.crush_standing_pax_per_m2:g} pax/m², {a.passengers_per_train_crush:.0f} a train)."
    )
    if occupancy:
        busiest = max(
            ((direction, o) for direction, items in occupancy.items() for o in items),
            key=lambda item: item[1].share,
        )
        out.print(
            f"UIC 406 occupancy with a train every {occupancy_headway_s:g} s for an hour: "
            f"highest {busiest[1].share:.0%} on {escape(busiest[1].section)} ({busiest[0]}); "
            "UIC 406 recommends at most 85 % in the peak hour for a dedicated suburban line."
        )
    if plot is not None:
        out.print(f"Plot written to {escape(str(plot))}.")


def _trains_in_period(blocks: Any, from_s: float, to_s: float) -> int:
    """Trains out of the depot in the middle of the period (its steady state)."""
    spans = blocks.groupby("block_id").agg(start=("start_s", "min"), end=("end_s", "max"))
    mid = 0.5 * (from_s + to_s)
    return int(((spans["start"] <= mid) & (spans["end"] > mid)).sum())


def _clock(seconds: float) -> str:
    minutes = round(seconds / 60.0)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _plan_json(plan: ServicePlan) -> dict[str, Any]:
    c = plan.circulation
    return {
        "scenario": plan.capacity.scenario,
        "fleet_required": c.fleet_required,
        "fleet_in_service_peak": c.in_service_peak,
        "spares": c.spares,
        "cycle_time_s": round(plan.cycle_time_s, 1),
        "trips": plan.trips,
        "train_km": round(c.train_km, 1),
        "train_hours": round(c.train_hours, 2),
        "depot_moves": c.depot_moves,
        "daily_boardings": round(plan.od.total, 1),
        "line_min_headway_s": round(plan.capacity.line_min_headway_s, 1),
        "periods": [
            {
                "from": _clock(p.from_s),
                "to": _clock(p.to_s),
                "headway_s": p.headway_s,
                "trains_in_service": _trains_in_period(c.blocks, p.from_s, p.to_s),
                "max_load_pax": round(p.max_load_per_train_pax, 1),
                "max_load_pax_per_hour": round(p.max_load_pax_per_h, 1),
                "load_factor": round(p.load_factor, 4),
                "policy_headway_s": p.policy_headway_s,
                "demand_headway_s": (
                    round(p.demand_headway_s, 1) if p.demand_headway_s < float("inf") else None
                ),
            }
            for p in plan.periods
        ],
    }


@app.command("plan")
def plan_command(
    ref: ScenarioRef = "astana",
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for timetable.csv, blocks.csv and gtfs.zip."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Service plan: headway per period, timetable, train circulation, fleet and a GTFS feed."""
    scenario = _load(ref)
    folder = out_dir if out_dir is not None else Path(f"plan-{scenario.name}")
    if folder.exists() and not folder.is_dir():
        _fail(LrtsimError(f"--out {folder} is a file; give a folder"))
    try:
        matrix = None
        if scenario.demand.od_matrix_csv:
            csv = Path(scenario.demand.od_matrix_csv)
            if not csv.is_absolute() and Path(ref).is_file():
                csv = Path(ref).parent / csv
            matrix = read_od_csv(csv, [s.name for s in scenario.line.stations])
        if as_json:
            plan = make_plan(scenario, matrix)
        else:
            with err.status("Planning the service day…"):
                plan = make_plan(scenario, matrix)
        # Everything is computed before the first file is written: nothing half-done.
        feed = gtfs_zip_bytes(scenario, plan.timetable) if scenario.line.geometry else None
        folder.mkdir(parents=True, exist_ok=True)
        write_csv_atomic(folder / "timetable.csv", plan.timetable)
        write_csv_atomic(folder / "blocks.csv", plan.blocks)
        if feed is not None:
            write_bytes_atomic(folder / "gtfs.zip", feed)
    except LrtsimError as exc:
        _fail(exc)
        return
    except OSError as exc:
        _fail(LrtsimError(f"cannot write to {folder}: {exc.strerror or exc}"))
        return
    payload = _plan_json(plan)
    payload["files"] = ["timetable.csv", "blocks.csv"] + (["gtfs.zip"] if feed else [])
    if feed is None:
        payload["notes"] = ["no gtfs.zip: the scenario has no [line.geometry]"]
    if as_json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    c = plan.circulation
    table = Table(title=f"{escape(scenario.name)}: service plan", title_justify="left")
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
    for p in payload["periods"]:
        demand = p["demand_headway_s"] if p["demand_headway_s"] is not None else 1e9
        table.add_row(
            f"{p['from']}–{p['to']}",
            f"{p['headway_s'] / 60:g} min",
            f"{p['policy_headway_s'] / 60:g} min",
            "—" if demand >= 1e9 else f"{demand / 60:.1f} min",
            str(p["trains_in_service"]),
            f"{p['max_load_pax_per_hour']:,.0f}",
            f"{p['max_load_pax']:.0f}",
            f"{p['load_factor']:.0%}",
        )
    out.print(table)
    hour, direction, link, load = plan.loads.peak()
    names = plan.loads.stations
    a, b = (link, link + 1) if direction == "up" else (link + 1, link)
    if plan.od.total <= 0:
        out.print("Demand: none given (demand.daily_boardings = 0): every headway is the policy's.")
    else:
        out.print(
            f"Demand: {plan.od.total:,.0f} boardings a day; peak {hour:02d}:00–{hour + 1:02d}:00, "
            f"direction {direction}, maximum load {load:,.0f} passengers/h between "
            f"{escape(names[a])} and {escape(names[b])}."
        )
    out.print(
        f"Fleet: [bold]{c.fleet_required}[/] trains = {c.in_service_peak} in service at the peak "
        f"+ {c.spares} spare ({scenario.service.spare_ratio:.0%}, rounded up); cycle "
        f"{plan.cycle_time_s / 60:.1f} min; {plan.trips} trips, {c.train_km:,.0f} train-km, "
        f"{c.train_hours:,.1f} train-hours, {c.depot_moves} depot moves."
    )
    if feed is None:
        out.print(
            f"Wrote {escape(str(folder))}/timetable.csv and blocks.csv; no gtfs.zip: the "
            + escape(
                "scenario has no [line.geometry] (GTFS needs station coordinates and a shape)."
            )
        )
    else:
        out.print(f"Wrote {escape(str(folder))}/timetable.csv, blocks.csv, gtfs.zip.")


@app.command("import-gtfs")
def import_gtfs_command(
    feed: Annotated[str, typer.Argument(help="A GTFS feed (.zip).")],
    route: Annotated[str, typer.Option("--route", help="route_id of the line to import.")],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the scenario TOML to this file.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Build a scenario from one route of a GTFS feed; compare its schedule with lrtsim."""
    from lrtsim.io.atomic import write_text_atomic
    from lrtsim.io.gtfs_import import (
        DEFAULT_LOAD,
        compare_running_times,
        comparison_total,
        import_gtfs,
    )

    try:
        if as_json:
            imported = import_gtfs(feed, route)
            rows = compare_running_times(imported)
        else:
            with err.status("Importing the feed and computing minimum running times…"):
                imported = import_gtfs(feed, route)
                rows = compare_running_times(imported)
        if out_file is not None:
            write_text_atomic(out_file, imported.toml)
    except LrtsimError as exc:
        _fail(exc)
        return
    total = comparison_total(rows)
    s, p = imported.scenario, imported.pattern

    def num(x: float | None, digits: int) -> float | None:
        return None if x is None else round(x, digits)

    def seg(r: Any) -> dict[str, Any]:
        return {
            "from": r.from_station,
            "to": r.to_station,
            "distance_m": round(r.distance_m, 2),
            "scheduled_s": num(r.scheduled_s, 3),
            "minimum_s": round(r.minimum_s, 3),
            "ratio": num(r.ratio, 4),
        }

    if as_json:
        payload = {
            "scenario": s.name,
            "feed": imported.feed,
            "route": {"id": imported.route_id, "name": imported.route_name},
            "pattern": {
                "direction_id": p.direction_id,
                "stop_ids": list(p.stop_ids),
                "stations": [st.name for st in s.line.stations],
                "trips": len(p.trip_ids),
                "trips_in_direction": p.trips_in_direction,
                "shape_id": p.shape_id,
            },
            "chainage": imported.chainage_source,
            "shape_length_m": round(imported.shape_length_m, 2),
            "vehicle": s.rolling_stock.name,
            "load": DEFAULT_LOAD,
            "segments": [seg(r) for r in rows],
            "totals": {k: v for k, v in seg(total).items() if k not in ("from", "to")},
            "notes": list(imported.notes),
            "out": None if out_file is None else str(out_file),
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    out.print(
        f"[bold]{escape(s.name)}[/]: route {escape(imported.route_id)} "
        f"({escape(imported.route_name)}), {escape(imported.direction_text)}; "
        f"{len(s.line.stations)} stations, the most common full-length pattern "
        f"({len(p.trip_ids)} of {p.trips_in_direction} trips, shape {escape(p.shape_id)})"
    )
    out.print(
        f"Chainage from {escape(imported.chainage_source)}: {total.distance_m / 1000:.3f} km "
        f"between terminals (shape {imported.shape_length_m / 1000:.3f} km). Vehicle: "
        f"{escape(s.rolling_stock.name)}, load {DEFAULT_LOAD:.0%}."
    )
    table = Table(title="Scheduled (median over trips) vs lrtsim minimum running time")
    for col in ("from", "to", "distance m", "scheduled s", "lrtsim min s", "ratio"):
        table.add_column(col, justify="left" if col in ("from", "to") else "right")

    def cells(r: Any) -> list[str]:
        return [
            f"{r.distance_m:,.0f}",
            "—" if r.scheduled_s is None else f"{r.scheduled_s:.0f}",
            f"{r.minimum_s:.1f}",
            "—" if r.ratio is None else f"{r.ratio:.2f}",
        ]

    for r in rows:
        table.add_row(escape(r.from_station), escape(r.to_station), *cells(r))
    table.add_section()
    table.add_row("total", "", *cells(total))
    out.print(table)
    for note in imported.notes:
        out.print(f"note: {escape(note)}")
    if out_file is not None:
        out.print(f"Scenario written to {escape(str(out_file))}.")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
