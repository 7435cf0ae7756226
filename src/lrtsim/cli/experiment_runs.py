"""`lrtsim experiment list | show`: the experiments (Monte Carlo, sweeps, robust designs) the
results catalogue records, beside the commands that run them (`lrtsim.cli.experiment`)."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Annotated, Any, TypeGuard

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
from lrtsim.cli.common import JsonFlag, emit_json, out
from lrtsim.cli.experiment import experiment_app
from lrtsim.cli.runs import KPI_FORMATS

if TYPE_CHECKING:
    from rich.table import Table

    from lrtsim.io.catalogue import ExperimentRecord

ExperimentIdArg = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="An experiment's id, its first characters (at least 4), or latest (the newest).",
    ),
]


@experiment_app.command("list", short_help="The experiments recorded, newest first.")
def experiment_list(db: DbOption = DEFAULT_DB, as_json: JsonFlag = False) -> None:
    """The experiments recorded, newest first: id, kind, scenario, inputs, seed, days, status,
    start, duration. An absent catalogue has none (and is not created)."""
    from lrtsim.io.catalogue_json import experiments_list_payload

    catalogue = open_catalogue(db)
    records = read(catalogue.experiments)
    if as_json:
        emit_json(experiments_list_payload(catalogue.where, records))
        return
    if not records:
        out.print(f"No experiments recorded in {escape(catalogue.where)}.")
        return
    table = new_table(f"Experiments in {escape(catalogue.where)}, newest first")
    columns = ("id", "kind", "scenario", "inputs", "seed", "days", "status", "started (UTC)")
    for name in (*columns, "duration"):
        table.add_column(name, justify="right" if name in ("seed", "days", "duration") else "left")
    for e in records:
        table.add_row(
            e.id[:8],
            escape(e.kind),
            escape(e.scenario),
            e.scenario_hash[:8],
            str(e.seed),
            "—" if e.days is None else f"{e.days:,}",
            status_text(e.status),
            e.started_at.strftime(TIME_FORMAT),
            duration_text(e.duration_s),
        )
    out.print(table)


@experiment_app.command("show", short_help="Every field of one experiment, and its summary.")
def experiment_show(
    experiment_id: ExperimentIdArg, db: DbOption = DEFAULT_DB, as_json: JsonFlag = False
) -> None:
    """Every field of one experiment, then its summary: each KPI's statistics with their
    intervals, and the summary's other entries."""
    from lrtsim.io.catalogue_json import experiment_show_payload

    catalogue = open_catalogue(db)
    e = read(lambda: catalogue.get_experiment(experiment_id))
    if as_json:
        emit_json(experiment_show_payload(catalogue.where, e))
        return
    out.print(_fields(e))
    if e.summary is None:
        out.print(f"No summary: the experiment is {e.status}.")
        return
    statistics = e.summary.get("summaries")
    rest = {k: v for k, v in e.summary.items() if k != "summaries" or not _is_kpi_table(v)}
    if rest:
        table = new_table("Summary")
        table.add_column("entry")
        table.add_column("value")
        for key, value in rest.items():
            table.add_row(escape(key), escape(json.dumps(value, ensure_ascii=False)))
        out.print(table)
    if _is_kpi_table(statistics):
        out.print(_statistics(statistics))


def _fields(e: ExperimentRecord) -> Table:
    """The table of an experiment's fields."""
    table = new_table(f"Experiment {e.id}")
    table.add_column("field")
    table.add_column("value")
    status = status_text(e.status)
    if e.status != e.stored_status:
        status += f" (recorded {e.stored_status}; its process {e.pid} has gone)"
    fields = (
        ("kind", escape(e.kind)),
        ("scenario", escape(e.scenario)),
        ("scenario SHA-256", e.scenario_hash),
        ("base seed", str(e.seed)),
        ("days simulated", "—" if e.days is None else f"{e.days:,}"),
        ("options", escape(json.dumps(e.options, ensure_ascii=False))),
        ("status", status),
        ("started", e.started_at.strftime(FULL_TIME_FORMAT)),
        ("ended", ended_text(e.ended_at)),
        ("duration", duration_text(e.duration_s)),
        ("folder", escape(e.folder or "—")),
        ("error", escape(e.error or "—")),
        ("lrtsim version", escape(e.lrtsim_version)),
        ("process", f"{e.pid} on {escape(e.host)}"),
    )
    for name, value in fields:
        table.add_row(name, value)
    return table


def _is_kpi_table(value: Any) -> TypeGuard[dict[str, Any]]:
    """Whether `value` is a Monte Carlo's `summaries`: by KPI, statistics as {value, low, high}."""
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(s, dict) and _statistic_names(s) for s in value.values())
    )


def _statistic_names(summary: dict[str, Any]) -> list[str]:
    """The entries of one KPI's summary that are estimates ({value, low, high}), in order."""
    return [k for k, v in summary.items() if isinstance(v, dict) and "value" in v]


def _statistics(summaries: dict[str, Any]) -> Table:
    """Each KPI's statistics, 'value [low–high]', at the KPI's decimals."""
    names: list[str] = []
    for s in summaries.values():
        names += [n for n in _statistic_names(s) if n not in names]
    levels = {s.get("level") for s in summaries.values()}
    level = levels.pop() if len(levels) == 1 else None
    interval = "confidence interval"
    if isinstance(level, int | float) and 0 < level < 1:
        interval = f"{100 * level:g} % {interval}"
    table = new_table(escape(f"Each KPI over the days [{interval}]"))
    table.add_column("KPI")
    table.add_column("days", justify="right")
    for name in names:
        table.add_column(name, justify="right")
    for kpi, s in summaries.items():
        days = s.get("days")
        table.add_row(
            escape(kpi),
            f"{days:,}" if isinstance(days, int) else "—",
            *(_estimate(kpi, s.get(name)) for name in names),
        )
    return table


def _estimate(kpi: str, estimate: Any) -> str:
    """'212.4 s [211.9–213.0]' ('—' for a missing or null value)."""
    if not isinstance(estimate, dict):
        return "—"
    _, unit, digits = KPI_FORMATS.get(kpi, (kpi, "", 3))
    value, low, high = (_number(estimate.get(k)) for k in ("value", "low", "high"))
    if value is None:
        return "—"
    shown = f"{value:,.{digits}f} {unit}".rstrip()
    if low is None or high is None:
        return shown
    return f"{shown} [{low:,.{digits}f}–{high:,.{digits}f}]"


def _number(value: Any) -> float | None:
    """A finite number as a float, anything else as None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None
