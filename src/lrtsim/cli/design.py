"""`lrtsim experiment design`: the longest peak headway, so the smallest fleet, that meets every
target on the simulated days."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from lrtsim.cli.catalogue_options import DEFAULT_DB, DbOption
from lrtsim.cli.common import ForceFlag, JsonFlag, ScenarioArg, compute, emit_json, fail, load, out
from lrtsim.cli.day_options import ControlOption, IncidentOption, SeedOption, configured
from lrtsim.cli.experiment import MAX_DAYS, _summaries, experiment_app
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
    from lrtsim.experiments.design import Answer, Point, Target
    from lrtsim.experiments.engine import Engine


@experiment_app.command("design", short_help="The longest peak headway meeting KPI targets.")
def design_command(
    ref: ScenarioArg = "astana",
    targets: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            metavar="KPI<=VALUE@STAT",
            help="A target every day's distribution must meet, e.g. excess_wait_s<=60@p90 or "
            "punctuality_pct>=95@mean (STAT: mean, p50, p90, p95). Repeat for several.",
        ),
    ] = None,
    vary: Annotated[
        str,
        typer.Option(
            "--vary",
            metavar="VARIABLE",
            help="What the search changes: peak_headway (the design day's peak periods' "
            "policy headway, over the clock-face values from the line's minimum headway to the "
            "day's longest policy headway).",
        ),
    ] = "peak_headway",
    days: Annotated[
        int,
        typer.Option(
            "--days", min=2, max=MAX_DAYS, metavar="N", help="Days simulated at each headway."
        ),
    ] = 40,
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
            show_default="design-NAME",
            help="Folder for design.json (answer, reasoning, every point) and points.csv.",
        ),
    ] = None,
    db: DbOption = DEFAULT_DB,
    cache: CacheOption = DEFAULT_CACHE,
    no_cache: NoCacheFlag = False,
    force: ForceFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """Search the peak headway: each headway tried is N simulated days with the same seeds
    (common random numbers); the answer is the longest headway whose days meet every target,
    with the evidence and why the next longer headway fails."""
    from lrtsim.cli.experiment_record import recorded
    from lrtsim.experiments import design as d
    from lrtsim.experiments.days import default_workers, prepare
    from lrtsim.io.atomic import OverwriteError, check_folder_target
    from lrtsim.io.od_csv import scenario_od_matrix
    from lrtsim.io.outputs import scenario_inputs

    if vary not in d.VARIABLES:
        fail(LrtsimError(f"--vary: '{vary}' is not a variable; one of {', '.join(d.VARIABLES)}"))
    if not targets:
        fail(LrtsimError("--target: give at least one target, e.g. excess_wait_s<=60@p90"))
    parsed: list[Target] = []
    for text in targets:
        try:
            parsed.append(d.parse_target(text))
        except LrtsimError as exc:
            fail(LrtsimError(f"--target {text}: {exc}"))
    scenario = configured(load(ref), incidents or [], control)
    base_seed = scenario.seed if seed is None else seed
    folder = out_dir if out_dir is not None else Path(f"design-{scenario.name}")
    try:
        check_folder_target(folder, force=force, inputs=scenario_inputs(scenario, ref))
    except OverwriteError as exc:
        fail(exc.naming("--force"))
    except LrtsimError as exc:
        fail(exc)
    pool = workers or default_workers()
    options = {
        "vary": vary,
        "targets": [t.text for t in parsed],
        "days_per_point": days,
        "engine": engine_kind(engine, scheduler),
        "scheduler": scheduler,
        "workers": pool,
        "incidents": list(incidents or []),
        "control": None if control is None else str(control),
    }
    with recorded(
        db, kind="design", scenario=scenario, ref=ref, seed=base_seed, options=options
    ) as record:
        matrix = compute("Reading the demand…", as_json, lambda: scenario_od_matrix(scenario, ref))
        base = compute("Planning the service…", as_json, lambda: prepare(scenario, matrix))
        day_type = base.design.day_type
        try:
            peaks, policy_s, longest_s = d.peak_periods(scenario, day_type)
            headways = d.candidates(base.design.plan.capacity.line_min_headway_s, longest_s)
        except LrtsimError as exc:
            fail(exc)
        kpis = sorted({t.kpi for t in parsed})

        def evaluate(running: Engine, headway_s: float) -> Point:
            varied = d.with_peak_headway(scenario, day_type, headway_s)
            if not as_json:
                out.print(f"Trying a peak headway of {d.minutes(headway_s)} ({days} days)…")
            prepared = compute(
                f"Planning at {d.minutes(headway_s)}…", as_json, lambda: prepare(varied, matrix)
            )
            if prepared.design.day_type != day_type:
                fail(
                    LrtsimError(
                        f"at a peak headway of {headway_s:g} s the design day becomes "
                        f"'{prepared.design.day_type}', not '{day_type}': the fleet is set by "
                        "another day type, so the peak headway no longer sizes it"
                    )
                )
            store = day_cache(None if no_cache else cache, varied, ref, base_seed)
            table, _ = simulate_days(running, prepared, base_seed, days, store=store, quiet=as_json)
            summaries = _summaries(table, base_seed, extra=kpis)
            try:
                return d.point_from(headway_s, prepared, peaks, len(table), summaries, parsed)
            except LrtsimError as exc:
                fail(exc)

        with opened(engine, pool, scheduler) as running:
            answer = d.search(headways, lambda headway_s: evaluate(running, headway_s))
        lines = d.reasoning(answer, parsed, longest_s)
        payload = _payload(
            scenario.name, day_type, base_seed, days, pool, vary, parsed, policy_s, headways, answer
        )
        payload["reasoning"] = lines
        names = compute(
            f"Writing {escape(str(folder))}…",
            as_json,
            lambda: _write(folder, payload, answer, force),
        )
        record.folder = str(folder.resolve())
        record.days = sum(p.days for p in answer.points)
        record.summary = {k: payload[k] for k in ("answer", "targets", "reasoning")}
    if as_json:
        emit_json({**payload, "out": str(folder), "files": names})
        return
    _print(scenario.name, day_type, days, base_seed, parsed, answer)
    for line in lines:
        out.print(escape(line))
    out.print(f"Wrote {escape(str(folder))}: {escape(', '.join(names))}.")


def _payload(
    scenario: str,
    day_type: str,
    seed: int,
    days: int,
    workers: int,
    vary: str,
    targets: list[Target],
    policy_s: float,
    headways: list[float],
    answer: Answer,
) -> dict[str, Any]:
    best = answer.best
    return {
        "scenario": scenario,
        "day_type": day_type,
        "seed": seed,
        "days_per_point": days,
        "workers": workers,
        "vary": vary,
        "targets": [t.text for t in targets],
        "scenario_peak_headway_s": policy_s,
        "candidates_s": headways,
        "answer": None
        if best is None
        else {
            "peak_headway_s": best.peak_headway_s,
            "policy_headway_s": best.policy_headway_s,
            "fleet": best.fleet,
            "trains_in_service": best.trains_in_service,
        },
        "neighbour": None if answer.neighbour is None else answer.neighbour.as_dict(),
        "points": [p.as_dict() for p in answer.points],
    }


def _write(folder: Path, payload: dict[str, Any], answer: Answer, force: bool) -> list[str]:
    import pandas as pd

    from lrtsim.io.atomic import OverwriteError, write_folder_atomic
    from lrtsim.io.json_style import dumps

    rows = []
    for p in answer.points:
        row: dict[str, Any] = {
            "policy_headway_s": p.policy_headway_s,
            "peak_headway_s": p.peak_headway_s,
            "fleet": p.fleet,
            "trains_in_service": p.trains_in_service,
            "days": p.days,
            "met": p.met,
        }
        for c in p.checks:
            key = f"{c.target.kpi}_{c.target.statistic}"
            row[key] = c.estimate.value
            row[f"{key}_low"] = c.estimate.low
            row[f"{key}_high"] = c.estimate.high
        rows.append(row)
    files = {
        "design.json": (dumps(payload, indent=2) + "\n").encode("utf-8"),
        "points.csv": pd.DataFrame(rows).to_csv(index=False, float_format="%.6g").encode("utf-8"),
    }
    try:
        write_folder_atomic(folder, files, command="experiment design", force=force)
    except OverwriteError as exc:
        raise exc.naming("--force") from None
    return sorted(files)


def _print(
    scenario: str, day_type: str, days: int, seed: int, targets: list[Target], answer: Answer
) -> None:
    from rich.table import Table

    from lrtsim.experiments.design import minutes

    table = Table(
        title=(
            f"{escape(scenario)}: peak headways tried on the {escape(day_type)} design day, "
            f"{days} days each, base seed {seed} [95 % bootstrap interval]"
        ),
        title_justify="left",
    )
    for col in ("peak headway", "fleet", *(t.text for t in targets), "meets all"):
        table.add_column(escape(col), justify="right")
    for p in answer.points:
        mark = " ◀ answer" if answer.best is p else ""
        table.add_row(
            minutes(p.peak_headway_s)
            + (
                ""
                if p.peak_headway_s == p.policy_headway_s
                else f" (policy {minutes(p.policy_headway_s)})"
            ),
            str(p.fleet),
            *(
                f"{c.estimate.value:.3g} [{c.estimate.low:.3g}–{c.estimate.high:.3g}]"
                + ("" if c.met else " ✗")
                for c in p.checks
            ),
            ("yes" if p.met else "no") + mark,
        )
    out.print(table)
