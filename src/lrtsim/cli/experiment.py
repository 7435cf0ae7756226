"""`lrtsim experiment montecarlo`: many simulated days of one plan, each KPI's distribution."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from lrtsim.cli.catalogue_options import DEFAULT_DB, DbOption
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
)
from lrtsim.cli.day_options import ControlOption, IncidentOption, SeedOption, configured
from lrtsim.cli.experiment_engine import (
    DEFAULT_CACHE,
    CacheOption,
    EngineChoice,
    EngineOption,
    NoCacheFlag,
    SchedulerOption,
    WorkersOption,
    day_cache,
    engine_kind,
    opened,
    simulate_days,
)
from lrtsim.errors import LrtsimError

if TYPE_CHECKING:
    import pandas as pd

    from lrtsim.experiments.stats import KpiSummary


experiment_app = typer.Typer(
    help="Many runs at once: Monte Carlo days of one plan, a sweep over a grid of --set "
    "values (the same days at every point), a robust peak headway, and the experiments "
    "recorded in the catalogue.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(experiment_app, name="experiment")

MAX_DAYS = 1_000_000
SUMMARISED = (
    "punctuality_pct",
    "excess_wait_s",
    "mean_wait_s",
    "p95_wait_s",
    "headway_cv",
    "denied_boarding_pct",
    "mean_journey_s",
    "peak_load_factor",
    "energy_kwh",
    "delay_passenger_hours",
)
"""The KPIs summarised (the days table holds every KPI of `Kpis.as_dict`)."""


@experiment_app.command("montecarlo", short_help="Many simulated days: KPI distributions.")
def montecarlo_command(
    ref: ScenarioArg = "astana",
    days: Annotated[
        int,
        typer.Option("--days", min=1, max=MAX_DAYS, metavar="N", help="Days to simulate."),
    ] = 100,
    seed: SeedOption = None,
    workers: WorkersOption = None,
    engine: EngineOption = EngineChoice.local,
    scheduler: SchedulerOption = None,
    until_ci: Annotated[
        str | None,
        typer.Option(
            "--until-ci",
            metavar="KPI=HALF_WIDTH",
            help="Stop once the 95 % interval of KPI's mean is at most HALF_WIDTH either side "
            "(e.g. excess_wait_s=0.5), looking every 20 days; --days is then the most.",
        ),
    ] = None,
    incidents: IncidentOption = None,
    control: ControlOption = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FOLDER",
            show_default="montecarlo-NAME",
            help="Folder for days.parquet (one row a day), summary.json and report.html; written "
            "as a whole.",
        ),
    ] = None,
    db: DbOption = DEFAULT_DB,
    cache: CacheOption = DEFAULT_CACHE,
    no_cache: NoCacheFlag = False,
    force: ForceFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """Simulate the design day N times, day i with a seed spawned from the base seed and i
    (numpy SeedSequence: `lrtsim simulate --seed SEED` re-runs any day alone), and give each
    KPI's mean and 50th, 90th and 95th percentiles with 95 % bootstrap confidence intervals.
    """
    from lrtsim.cli.experiment_record import recorded
    from lrtsim.experiments.days import default_workers, prepare
    from lrtsim.io.atomic import OverwriteError, check_folder_target
    from lrtsim.io.od_csv import scenario_od_matrix
    from lrtsim.io.outputs import scenario_inputs

    rule = None
    if until_ci is not None:
        from lrtsim.experiments.stopping import parse_rule

        try:
            rule = parse_rule(until_ci)
        except LrtsimError as exc:
            fail(LrtsimError(f"--until-ci: {exc}"))
    scenario = configured(load(ref), incidents or [], control)
    base_seed = scenario.seed if seed is None else seed
    folder = out_dir if out_dir is not None else Path(f"montecarlo-{scenario.name}")
    inputs = scenario_inputs(scenario, ref)
    try:
        check_folder_target(folder, force=force, inputs=inputs)
    except OverwriteError as exc:
        fail(exc.naming("--force"))
    except LrtsimError as exc:
        fail(exc)
    pool = workers or default_workers()
    options = {
        "engine": engine_kind(engine, scheduler),
        "scheduler": scheduler,
        "workers": pool,
        "max_days": days,
        "until_ci": until_ci,
        "incidents": list(incidents or []),
        "control": None if control is None else str(control),
    }
    with recorded(
        db, kind="montecarlo", scenario=scenario, ref=ref, seed=base_seed, options=options
    ) as record:
        prepared = compute(
            "Planning the service…",
            as_json,
            lambda: prepare(scenario, scenario_od_matrix(scenario, ref)),
        )
        store = day_cache(None if no_cache else cache, scenario, ref, base_seed)
        with opened(engine, pool, scheduler) as running:
            table, met = simulate_days(
                running, prepared, base_seed, days, rule=rule, store=store, quiet=as_json
            )
        summaries = compute(
            "Bootstrapping the confidence intervals…",
            as_json,
            lambda: _summaries(table, base_seed),
        )
        payload = _payload(
            scenario.name, prepared.design.day_type, base_seed, len(table), pool, summaries
        )
        payload["until_ci"] = (
            None
            if rule is None
            else {"kpi": rule.kpi, "half_width": rule.half_width, "met": met, "max_days": days}
        )

        def write() -> list[str]:
            from lrtsim.io.atomic import write_folder_atomic
            from lrtsim.io.day_files import parquet_bytes
            from lrtsim.io.json_style import dumps

            files = {
                "days.parquet": parquet_bytes(table),
                "summary.json": (dumps(payload, indent=2) + "\n").encode("utf-8"),
                "report.html": _report(prepared, table, summaries, base_seed, ref, options),
            }
            try:
                write_folder_atomic(folder, files, command="experiment montecarlo", force=force)
            except OverwriteError as exc:
                raise exc.naming("--force") from None
            return sorted(files)

        names = compute(f"Writing {escape(str(folder))}…", as_json, write)
        record.folder, record.days, record.summary = str(folder.resolve()), len(table), payload
    if as_json:
        emit_json({**payload, "out": str(folder), "files": names})
        return
    _print(scenario.name, prepared.design.day_type, base_seed, len(table), summaries)
    if rule is not None:
        verdict = "met" if met else f"not met within {days:,} days"
        out.print(f"Stopping rule {escape(rule.text)}: {verdict} after {len(table):,} days.")
    out.print(f"Wrote {escape(str(folder))}: {escape(', '.join(names))}.")


def _report(
    prepared: Any,
    table: pd.DataFrame,
    summaries: list[KpiSummary],
    seed: int,
    ref: str,
    options: dict[str, Any],
) -> bytes:
    """The experiment's report page: the distributions and the worst days' time–distance
    diagrams, each worst day re-simulated from its seed."""
    from datetime import UTC, datetime

    from lrtsim.experiments.worst_days import worst_days
    from lrtsim.report.montecarlo_page import montecarlo_report

    name = prepared.day.name
    again: list[str] = []
    for incident in options["incidents"]:
        again += ["--incident", incident]
    if options["control"] is not None:
        again += ["--control", options["control"]]
    return montecarlo_report(
        title=f"{name}: Monte Carlo days",
        scenario_name=name,
        day_type=prepared.design.day_type,
        base_seed=seed,
        table=table,
        summaries=summaries,
        worst=worst_days(prepared, table),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        scenario_ref=ref,
        simulate_options=again,
    )


def _summaries(table: pd.DataFrame, seed: int, extra: Sequence[str] = ()) -> list[KpiSummary]:
    """The summaries of `SUMMARISED` and `extra` KPIs that the days have values of."""
    from lrtsim.experiments.stats import summarize_table

    wanted = [*SUMMARISED, *(k for k in extra if k not in SUMMARISED)]
    kpis = [k for k in wanted if k in table.columns and table[k].notna().any()]
    return summarize_table(table, kpis, seed=seed)


def _payload(
    scenario: str,
    day_type: str,
    seed: int,
    days: int,
    workers: int,
    summaries: list[KpiSummary],
) -> dict[str, Any]:
    return {
        "scenario": scenario,
        "day_type": day_type,
        "seed": seed,
        "days": days,
        "workers": workers,
        "summaries": {s.kpi: s.as_dict() for s in summaries},
    }


def _print(scenario: str, day_type: str, seed: int, days: int, summaries: list[KpiSummary]) -> None:
    from rich.table import Table

    level = summaries[0].level if summaries else 0.95
    table = Table(
        title=(
            f"{escape(scenario)}: {days:,} simulated {escape(day_type)} days, base seed {seed}; "
            f"[{100 * level:.0f} % bootstrap interval]"
        ),
        title_justify="left",
    )
    for col in ("KPI", "days", "mean", "p50", "p90", "p95"):
        table.add_column(col, justify="left" if col == "KPI" else "right")
    for s in summaries:
        table.add_row(
            escape(s.kpi),
            f"{s.days:,}",
            *(_estimate(e) for e in (s.mean, s.p50, s.p90, s.p95)),
        )
    out.print(table)


def _estimate(e: Any) -> str:
    """'212.4 [211.9–213.0]'."""
    import math

    if not math.isfinite(e.value):
        return "—"
    digits = 3 if abs(e.value) < 10 else 1
    return f"{e.value:,.{digits}f} [{e.low:,.{digits}f}–{e.high:,.{digits}f}]"
