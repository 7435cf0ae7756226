"""`lrtsim runs list | show | compare`: the runs the results catalogue records."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from lrtsim.cli.catalogue_options import (
    DEFAULT_DB,
    FULL_TIME_FORMAT,
    TIME_FORMAT,
    DbOption,
    duration_text,
    ended_text,
    new_table,
    open_catalogue,
    read,
    status_text,
)
from lrtsim.cli.common import JsonFlag, app, emit_json, fail, out

if TYPE_CHECKING:
    from lrtsim.io.catalogue import Catalogue, RunRecord

runs_app = typer.Typer(
    help="The runs the results catalogue records: list, show, compare.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(runs_app, name="runs")

IdArg = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="A run's id, its first characters (at least 4), or latest (the newest run).",
    ),
]

KPI_FORMATS: dict[str, tuple[str, str, int]] = {
    "punctuality_pct": ("punctuality", "%", 1),
    "mean_wait_s": ("mean wait", "s", 1),
    "p95_wait_s": ("95th-percentile wait", "s", 1),
    "scheduled_wait_s": ("scheduled wait", "s", 1),
    "excess_wait_s": ("excess wait", "s", 1),
    "headway_cv": ("headway coefficient of variation", "", 3),
    "denied_boarding_pct": ("passengers denied boarding", "%", 2),
    "mean_journey_s": ("mean journey time", "s", 1),
    "peak_load_factor": ("peak load factor (1 = the loading standard)", "", 3),
    "energy_kwh": ("energy from the line (net of regeneration)", "kWh", 0),
    "train_km": ("train-km", "km", 1),
    "trains_used": ("trains used (most at once)", "", 0),
}
"""Label, unit and decimals of each KPI of the contract (`Kpis.contract`), as shown."""

HEADLINE = ("punctuality_pct", "excess_wait_s", "trains_used")
"""The KPIs `runs list` shows."""


@runs_app.command("list", short_help="The runs recorded, newest first.")
def runs_list(db: DbOption = DEFAULT_DB, as_json: JsonFlag = False) -> None:
    """The runs recorded, newest first: id, scenario, seed, status, start, duration, headline
    KPIs. An absent catalogue has no runs (and is not created)."""
    from lrtsim.io.catalogue_json import runs_list_payload

    catalogue = open_catalogue(db)
    records = read(catalogue.runs)
    if as_json:
        emit_json(runs_list_payload(catalogue.where, records))
        return
    if not records:
        out.print(f"No runs recorded in {escape(catalogue.where)}.")
        _mention_experiments(catalogue)
        return
    table = new_table(f"Runs in {escape(catalogue.where)}, newest first")
    for name in ("id", "scenario", "inputs", "seed", "status", "started (UTC)", "duration"):
        table.add_column(name, justify="right" if name in ("seed", "duration") else "left")
    for key in HEADLINE:
        table.add_column(KPI_FORMATS[key][0].split(" (")[0], justify="right")
    for r in records:
        kpis = r.kpis or {}
        table.add_row(
            r.id[:8],
            escape(r.scenario),
            r.scenario_hash[:8],
            str(r.seed),
            status_text(r.status),
            r.started_at.strftime(TIME_FORMAT),
            duration_text(r.duration_s),
            *(_kpi(key, kpis.get(key)) for key in HEADLINE),
        )
    out.print(table)
    _mention_experiments(catalogue)


def _mention_experiments(catalogue: Catalogue) -> None:
    """Say how many experiments the catalogue records too, if any: `runs list` shows runs only
    (an experiment has a summary, not KPIs), `experiment list` shows them."""
    count = len(read(catalogue.experiments))
    if count:
        plural = "" if count == 1 else "s"
        out.print(f"It records {count} experiment{plural} too: lrtsim experiment list shows them.")


@runs_app.command("show", short_help="Every field of one run, and its KPIs.")
def runs_show(run_id: IdArg, db: DbOption = DEFAULT_DB, as_json: JsonFlag = False) -> None:
    """Every field of one run, and its KPIs."""
    from lrtsim.io.catalogue_json import run_show_payload

    catalogue = open_catalogue(db)
    r = read(lambda: catalogue.get(run_id))
    if as_json:
        emit_json(run_show_payload(catalogue.where, r))
        return
    table = new_table(f"Run {r.id}")
    table.add_column("field")
    table.add_column("value")
    status = status_text(r.status)
    if r.status != r.stored_status:
        status += f" (recorded {r.stored_status}; its process {r.pid} has gone)"
    fields = (
        ("scenario", escape(r.scenario)),
        ("scenario SHA-256", r.scenario_hash),
        ("seed", str(r.seed)),
        ("options", escape(json.dumps(r.options, ensure_ascii=False))),
        ("status", status),
        ("started", r.started_at.strftime(FULL_TIME_FORMAT)),
        ("ended", ended_text(r.ended_at)),
        ("duration", duration_text(r.duration_s)),
        ("folder", escape(r.folder or "—")),
        ("error", escape(r.error or "—")),
        ("lrtsim version", escape(r.lrtsim_version)),
        ("process", f"{r.pid} on {escape(r.host)}"),
    )
    for name, value in fields:
        table.add_row(name, value)
    out.print(table)
    if r.kpis is None:
        out.print(f"No KPIs: the run is {r.status}.")
        return
    kpis = new_table("KPIs")
    kpis.add_column("KPI")
    kpis.add_column("value", justify="right")
    for key, value in r.kpis.items():
        kpis.add_row(escape(_label(key)), _kpi(key, value))
    out.print(kpis)


@runs_app.command("compare", short_help="The KPIs of two runs and their differences.")
def runs_compare(
    first: Annotated[
        str, typer.Argument(metavar="ID1", help="Run 1: an id, its first characters, or latest.")
    ],
    second: Annotated[
        str, typer.Argument(metavar="ID2", help="Run 2: an id, its first characters, or latest.")
    ],
    db: DbOption = DEFAULT_DB,
    as_json: JsonFlag = False,
) -> None:
    """The KPIs of two runs side by side: run 1, run 2, run 2 − run 1, and the change in % of
    run 1."""
    from lrtsim.io.catalogue import CatalogueError, kpi_differences
    from lrtsim.io.catalogue_json import runs_compare_payload

    catalogue = open_catalogue(db)
    a = read(lambda: catalogue.get(first))
    b = read(lambda: catalogue.get(second))
    for r in (a, b):
        if r.kpis is None:
            fail(CatalogueError(f"run {r.id[:8]} is {r.status}: it has no KPIs to compare"))
    differences = kpi_differences(a, b)
    if as_json:
        emit_json(runs_compare_payload(catalogue.where, a, b, differences))
        return
    table = new_table(f"{_described(a)} against {_described(b)}")
    table.add_column("KPI")
    table.add_column(f"run 1 ({a.id[:8]})", justify="right")
    table.add_column(f"run 2 ({b.id[:8]})", justify="right")
    table.add_column("difference", justify="right")
    table.add_column("%", justify="right")
    for d in differences:
        change = "—" if d.relative_change is None else f"{100 * d.relative_change:+.1f} %"
        table.add_row(
            escape(_label(d.key)),
            _kpi(d.key, d.a),
            _kpi(d.key, d.b),
            _kpi(d.key, d.difference, sign=True),
            change,
        )
    out.print(table)


def _label(key: str) -> str:
    return KPI_FORMATS[key][0] if key in KPI_FORMATS else key


def _kpi(key: str, value: Any, *, sign: bool = False) -> str:
    """A KPI's value with its unit ('96.2 %', '41.5 s'), '—' when null or not a number; with
    `sign` (a difference) a share's unit is percentage points ('-9.2 pp')."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—" if value is None else escape(str(value))
    if isinstance(value, float) and not math.isfinite(value):
        return "—"
    _, unit, digits = KPI_FORMATS.get(key, (key, "", 3))
    plus = "+" if sign else ""
    if sign and unit == "%":
        unit = "pp"
    if isinstance(value, float):
        value = round(value, digits) + 0.0  # no "-0.0" for a difference that rounds to zero
    shown = f"{value:{plus},d}" if isinstance(value, int) else f"{value:{plus},.{digits}f}"
    return f"{shown} {unit}".rstrip()


def _described(run: RunRecord) -> str:
    """'astana (inputs 3f2a9c1e) seed 1, 1 incident, control holding (run e25f4f0c)', escaped
    for rich: two runs of one scenario name with other contents differ by their inputs."""
    parts = [f"{run.scenario} (inputs {run.scenario_hash[:8]}) seed {run.seed}"]
    incidents = run.options.get("incidents") or []
    if incidents:
        parts.append(f"{len(incidents)} incident{'' if len(incidents) == 1 else 's'}")
    if run.options.get("control"):
        parts.append(f"control {run.options['control']}")
    return escape(", ".join(parts)) + f" (run {run.id[:8]})"
