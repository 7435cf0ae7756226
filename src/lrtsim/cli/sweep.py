"""`lrtsim experiment sweep`: the grid of every `--set` value, each point planned and simulated
for the same days from the same seeds, its fleet and KPI distributions side by side."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from lrtsim.cli.catalogue_options import DEFAULT_DB, DbOption
from lrtsim.cli.common import ForceFlag, JsonFlag, ScenarioArg, compute, emit_json, fail, load, out
from lrtsim.cli.day_options import ControlOption, IncidentOption, SeedOption, configured
from lrtsim.cli.experiment import MAX_DAYS, _estimate, _summaries, experiment_app
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

    from lrtsim.experiments.overrides import Grid
    from lrtsim.experiments.sweep import PointResult
    from lrtsim.model.schema import Scenario


@experiment_app.command("sweep", short_help="KPIs over a grid of --set values.")
def sweep_command(
    ref: ScenarioArg = "astana",
    settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="PATH=V1,V2,…",
            help="A parameter and its values, e.g. 'service.periods[1].max_headway_s=240,300' "
            "or operations.dwell_cv=0.2,0.4: PATH is a key path as in the scenario's TOML "
            "([i]: a list's entry), each value a TOML value or text. Repeat for several; the "
            "sweep runs every combination.",
        ),
    ] = None,
    days: Annotated[
        int,
        typer.Option(
            "--days", min=1, max=MAX_DAYS, metavar="N", help="Days simulated at each point."
        ),
    ] = 20,
    seed: SeedOption = None,
    workers: WorkersOption = None,
    engine: EngineOption = EngineChoice.local,
    scheduler: SchedulerOption = None,
    incidents: IncidentOption = None,
    control: ControlOption = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FOLDER",
            show_default="sweep-NAME",
            help="Folder for sweep.csv and sweep.parquet (one row per point), days.parquet "
            "(every day of every point), summary.json, sweep.png and sweep.html; written as a "
            "whole.",
        ),
    ] = None,
    db: DbOption = DEFAULT_DB,
    cache: CacheOption = DEFAULT_CACHE,
    no_cache: NoCacheFlag = False,
    force: ForceFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """Build every combination of the --set values as a scenario (all validated before any
    day runs), plan each, and simulate N days at each from the same base seed (common random
    numbers: day i has the same seed at every point, so the points differ by their parameters
    alone); give each point's fleet and each KPI's mean and percentiles with 95 % bootstrap
    intervals."""
    from lrtsim.cli.experiment_record import recorded
    from lrtsim.experiments import sweep as sw
    from lrtsim.experiments.days import default_workers, prepare
    from lrtsim.experiments.overrides import parse_setting
    from lrtsim.io.atomic import OverwriteError, check_folder_target
    from lrtsim.io.od_csv import od_csv_path, scenario_od_matrix
    from lrtsim.io.outputs import scenario_inputs

    if not settings:
        fail(LrtsimError("--set: give at least one PATH=V1,V2,…, e.g. operations.dwell_cv=0.2,0.4"))
    try:
        parsed = [parse_setting(text) for text in settings]
    except LrtsimError as exc:
        fail(exc)
    scenario = configured(load(ref), incidents or [], control)
    base_seed = scenario.seed if seed is None else seed
    grid = compute(
        "Validating the grid…", as_json, lambda: sw.sweep_grid(scenario, parsed, scenario.name)
    )
    folder = out_dir if out_dir is not None else Path(f"sweep-{scenario.name}")
    try:
        inputs = {path for p in grid.points for path in scenario_inputs(p.scenario, ref)}
        check_folder_target(folder, force=force, inputs=sorted(inputs))
    except OverwriteError as exc:
        fail(exc.naming("--force"))
    except LrtsimError as exc:
        fail(exc)
    pool = workers or default_workers()
    options = {
        "set": list(settings),
        "points": len(grid.points),
        "days_per_point": days,
        "engine": engine_kind(engine, scheduler),
        "scheduler": scheduler,
        "workers": pool,
        "incidents": list(incidents or []),
        "control": None if control is None else str(control),
    }
    with recorded(
        db, kind="sweep", scenario=scenario, ref=ref, seed=base_seed, options=options
    ) as record:
        matrices: dict[tuple[Path | None, tuple[str, ...]], Any] = {}

        def matrix_of(point: Scenario) -> Any:
            key = (od_csv_path(point, ref), tuple(s.name for s in point.line.stations))
            if key not in matrices:
                matrices[key] = compute(
                    "Reading the demand…", as_json, partial(scenario_od_matrix, point, ref)
                )
            return matrices[key]

        results: list[PointResult] = []
        with opened(engine, pool, scheduler) as running:
            for point in grid.points:
                where = ", ".join(
                    f"{s.path}={t}" for s, t in zip(grid.settings, point.texts, strict=True)
                )
                if not as_json:
                    out.print(
                        f"Point {point.index + 1} of {len(grid.points)}: {escape(where)} "
                        f"({days} days)…"
                    )
                matrix = matrix_of(point.scenario)
                prepared = compute(
                    f"Planning point {point.index + 1}…",
                    as_json,
                    partial(prepare, point.scenario, matrix),
                )
                store = day_cache(None if no_cache else cache, point.scenario, ref, base_seed)
                table, _ = simulate_days(
                    running, prepared, base_seed, days, store=store, quiet=as_json
                )
                results.append(
                    sw.point_result(point, prepared, table, _summaries(table, base_seed))
                )
        payload = sw.sweep_payload(scenario.name, base_seed, days, pool, grid, results)
        names = compute(
            f"Writing {escape(str(folder))}…",
            as_json,
            lambda: _write(folder, payload, grid, results, force),
        )
        record.folder = str(folder.resolve())
        record.days = sum(len(r.days) for r in results)
        record.summary = sw.record_summary(payload)
    if as_json:
        emit_json({**payload, "out": str(folder), "files": names})
        return
    _print(scenario.name, days, base_seed, grid, results)
    out.print(f"Wrote {escape(str(folder))}: {escape(', '.join(names))}.")


def _write(
    folder: Path,
    payload: dict[str, Any],
    grid: Grid,
    results: list[PointResult],
    force: bool,
) -> list[str]:
    from lrtsim.experiments import sweep as sw
    from lrtsim.io.atomic import OverwriteError, write_folder_atomic
    from lrtsim.io.day_files import parquet_bytes
    from lrtsim.io.json_style import dumps

    points = sw.points_table(grid, results)
    files = {
        "sweep.csv": points.to_csv(index=False).encode("utf-8"),
        "sweep.parquet": parquet_bytes(points),
        "days.parquet": parquet_bytes(sw.days_table(grid, results)),
        "summary.json": (dumps(payload, indent=2) + "\n").encode("utf-8"),
        **_charts(points, payload, grid),
    }
    try:
        write_folder_atomic(folder, files, command="experiment sweep", force=force)
    except OverwriteError as exc:
        raise exc.naming("--force") from None
    return sorted(files)


def _charts(points: pd.DataFrame, payload: dict[str, Any], grid: Grid) -> dict[str, bytes]:
    """sweep.png and sweep.html: the KPIs against the first parameter, and the page."""
    import io
    from datetime import UTC, datetime

    from lrtsim.experiments.sweep import CHART_KPIS
    from lrtsim.report.sweep_charts import sweep_chart
    from lrtsim.report.sweep_page import sweep_report

    parameters = [s.path for s in grid.settings]
    chart = sweep_chart(
        points,
        parameters,
        CHART_KPIS,
        scenario=payload["scenario"],
        days=payload["days_per_point"],
        seed=payload["seed"],
    )
    png = io.BytesIO()
    chart.static().savefig(png, format="png")
    page = sweep_report(
        chart=chart,
        table=points,
        parameters=[(s.path, s.texts) for s in grid.settings],
        kpis=CHART_KPIS,
        scenario=payload["scenario"],
        days=payload["days_per_point"],
        seed=payload["seed"],
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    return {"sweep.png": png.getvalue(), "sweep.html": page}


def _print(scenario: str, days: int, seed: int, grid: Grid, results: list[PointResult]) -> None:
    from rich.table import Table

    from lrtsim.experiments.sweep import CHART_KPIS

    kpis = [k for k in CHART_KPIS if any(s.kpi == k for r in results for s in r.summaries)]
    table = Table(
        title=(
            f"{escape(scenario)}: {len(results)} points, {days:,} days each, base seed {seed} "
            "(the same days at every point); KPI means [95 % bootstrap interval]"
        ),
        title_justify="left",
    )
    table.add_column("point", justify="right")
    for s in grid.settings:
        table.add_column(escape(s.path), justify="right")
    for col in ("fleet", "in service", *kpis):
        table.add_column(escape(col), justify="right")
    for r in results:
        by_kpi = {s.kpi: s for s in r.summaries}
        table.add_row(
            str(r.point.index),
            *(escape(t) for t in r.point.texts),
            str(r.fleet),
            str(r.trains_in_service),
            *(_estimate(by_kpi[k].mean) if k in by_kpi else "—" for k in kpis),
        )
    out.print(table)
