"""`lrtsim run`: the main job — scenario to run folder (report, GTFS, tables, day) and catalogue."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.markup import escape

from lrtsim.cli.common import JsonFlag, ScenarioArg, app, emit_json, err, fail, load, out
from lrtsim.cli.day_options import ControlOption, IncidentOption, SeedOption, configured
from lrtsim.cli.stopping_signals import Terminated, terminate_as_exception
from lrtsim.errors import LrtsimError

if TYPE_CHECKING:
    from lrtsim.io.catalogue import Catalogue
    from lrtsim.model.schema import Scenario
    from lrtsim.pipeline import RunResult

T = TypeVar("T")

DEFAULT_OUT = Path("runs")
"""Where run folders and the catalogue go unless `--out` and `--db` say otherwise."""


@app.command("run", short_help="The main job: plan, simulate, report, publish; one run folder.")
def run_command(
    ref: ScenarioArg = "astana",
    seed: SeedOption = None,
    incidents: IncidentOption = None,
    control: ControlOption = None,
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="FOLDER",
            help="Folder of the run folders: the run is written to FOLDER/NAME-YYYYmmdd-HHMMSS/.",
        ),
    ] = DEFAULT_OUT,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL",
            show_default="FOLDER/catalogue.sqlite",
            help="Results catalogue the run is recorded in: a SQLAlchemy URL "
            "(sqlite:///file.sqlite, postgresql://…) or a SQLite file path.",
        ),
    ] = None,
    open_report: Annotated[
        bool, typer.Option("--open", help="Open the report in the web browser when done.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Plan the service, simulate the design day and write one run folder: report.html (the
    charts, offline), png/, gtfs.zip, timetable.csv, blocks.csv, events.parquet,
    passengers.parquet, kpis.json and the resolved scenario.toml; record the run in the
    results catalogue and print a summary.

    The folder appears complete or not at all; a run that fails or is stopped is recorded as
    failed.
    """
    from lrtsim import __version__
    from lrtsim.io.catalogue import Catalogue, default_url
    from lrtsim.io.resolved import resolved_toml, scenario_hash

    started = datetime.now().astimezone()
    scenario = configured(load(ref), incidents or [], control)
    day_seed = scenario.seed if seed is None else seed
    try:
        _ready(out_dir)
        catalogue = Catalogue.open(db if db is not None else default_url(out_dir))
    except LrtsimError as exc:
        fail(exc)
    options: dict[str, Any] = {
        "source": str(Path(ref).resolve()) if Path(ref).is_file() else ref,
        "incidents": list(incidents or []),
        "control": None if control is None else control.value,
    }
    try:
        run_id = catalogue.start(
            scenario=scenario.name,
            scenario_hash=scenario_hash(scenario, ref),
            seed=day_seed,
            options=options,
            lrtsim_version=__version__,
        )
    except LrtsimError as exc:
        fail(exc)
    generated = f"{started:%Y-%m-%d %H:%M:%S} {started.tzname() or started.strftime('%z')}"
    text = resolved_toml(
        scenario,
        ref,
        f"The scenario of lrtsim {__version__} run {run_id} ({generated}), seed {day_seed}, "
        f"with every default written out: `lrtsim run scenario.toml --seed {day_seed}` runs "
        "the same day again.",
    )
    stages: list[dict[str, Any]] = []
    written = _Written(out_dir, scenario.name, started)
    try:
        with terminate_as_exception():
            run, names, no_gtfs = _run(
                scenario, ref, day_seed, written, text, generated, stages, as_json
            )
    except LrtsimError as exc:
        _record_failure(catalogue, run_id, str(exc))
        fail(exc)
    except (KeyboardInterrupt, Terminated) as exc:
        code = 130 if isinstance(exc, KeyboardInterrupt) else 143
        if written.kpis is None:
            why = "stopped by Ctrl-C (SIGINT)" if code == 130 else "stopped by SIGTERM"
            _record_failure(catalogue, run_id, why)
            err.print(f"Stopped: no run folder written; run {run_id[:8]} recorded as failed.")
        else:  # stopped in the instant after the folder was put in place: it is complete
            _record_complete(catalogue, run_id, written)
            err.print(f"Stopped after writing {written.folder}: run {run_id[:8]} is complete.")
        raise typer.Exit(code=code) from None
    except BaseException as exc:
        _record_failure(catalogue, run_id, f"{type(exc).__name__}: {exc}")
        raise
    folder = written.folder
    _record_complete(catalogue, run_id, written)
    report = folder / "report.html"
    if as_json:
        from lrtsim.io.payloads import simulate_payload

        emit_json(
            {
                "id": run_id,
                "out": str(folder),
                "report": str(report),
                "files": names,
                "catalogue": catalogue.where,
                "stages": stages,
                "gtfs": {"written": no_gtfs is None, "reason": no_gtfs},
                **simulate_payload(run.day, run.design.day_type, run.seed, run.kpis),
            }
        )
    else:
        _print_summary(run)
        out.print(f"Run {run_id[:8]}: wrote {escape(str(folder))} ({len(names)} files).")
        out.print(f"Report: [bold]{escape(str(report))}[/]")
    if open_report:
        import webbrowser

        webbrowser.open(report.resolve().as_uri())


def _run(
    scenario: Scenario,
    ref: str,
    seed: int,
    written: _Written,
    text: str,
    generated: str,
    stages: list[dict[str, Any]],
    quiet: bool,
) -> tuple[RunResult, list[str], str | None]:
    """The pipeline, the files and the folder written as a whole, each step shown with its
    time (on stderr) and recorded in `stages`; the run, its files and why it has no GTFS
    feed (None: it has one)."""
    from lrtsim.io.atomic import write_folder_atomic
    from lrtsim.io.od_csv import scenario_od_matrix
    from lrtsim.io.outputs import scenario_inputs
    from lrtsim.pipeline import run_files, run_pipeline
    from lrtsim.planning.day_types import design_day_label

    step = _shown_steps(stages, quiet)
    matrix = step("scenario and demand data", lambda: scenario_od_matrix(scenario, ref))
    run = run_pipeline(scenario, matrix, seed, step)
    day = design_day_label(run.design.day_type)
    title = f"{scenario.line.name}: service plan and a simulated {day}"
    made = run_files(run, text, title=title, generated=generated, step=step)
    inputs = scenario_inputs(scenario, ref)

    def write() -> None:
        # The name is taken now, not at the start: a run that started in the same second
        # and finished first keeps its folder.
        written.folder = _new_folder(written.out_dir, written.name, written.started)
        write_folder_atomic(written.folder, made.files, command="run", inputs=inputs)
        written.kpis = run.kpis.contract()

    step(f"writing the run folder into {written.out_dir}", write)
    if made.no_gtfs is not None and not quiet:
        err.print(f"No gtfs.zip: {escape(made.no_gtfs)}.")
    return run, sorted(made.files), made.no_gtfs


@dataclass
class _Written:
    """Where the run folder goes and, once it is written, its name and the run's KPIs."""

    out_dir: Path
    name: str
    started: datetime
    folder: Path = Path()
    kpis: dict[str, Any] | None = None


def _record_complete(catalogue: Catalogue, run_id: str, written: _Written) -> None:
    """The run recorded complete with its folder and KPIs, or exit 2 saying the folder is
    written but not recorded."""
    try:
        catalogue.complete(run_id, folder=str(written.folder.resolve()), kpis=written.kpis or {})
    except LrtsimError as exc:
        fail(LrtsimError(f"wrote {written.folder}, but could not record it as complete: {exc}"))


def _record_failure(catalogue: Catalogue, run_id: str, reason: str) -> None:
    """The run recorded failed; a catalogue that cannot take it is named on stderr, so that
    the failure's own message is still the one the command ends with."""
    try:
        catalogue.fail(run_id, reason)
    except LrtsimError as exc:
        err.print(f"warning: run {run_id[:8]} could not be recorded as failed: {exc}")


def _shown_steps(stages: list[dict[str, Any]], quiet: bool) -> Callable[[str, Callable[[], T]], T]:
    """A step runner that shows a spinner while a step runs, then one line with its time."""

    def step(name: str, work: Callable[[], Any]) -> Any:
        begin = time.perf_counter()
        if quiet:
            value = work()
        else:
            with err.status(f"{name}…"):
                value = work()
        took = time.perf_counter() - begin
        stages.append({"name": name, "time_s": took})
        if not quiet:
            err.print(f"  [green]✓[/] {escape(name):<40} {took:6.2f} s")
        return value

    return step


def _ready(out_dir: Path) -> None:
    """The folder of the run folders, created when missing, or `OutputError` before any work
    when it is a file or cannot be written."""
    import os

    from lrtsim.io.atomic import OutputError

    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"cannot write runs into {out_dir}: it is a file, not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise OutputError(f"cannot write runs into {out_dir}: {reason}") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write runs into {out_dir}: permission denied")


def _new_folder(out_dir: Path, name: str, started: datetime) -> Path:
    """`out_dir/NAME-YYYYmmdd-HHMMSS`, with `-2`, `-3`… when a run of the same second exists."""
    stem = f"{name}-{started:%Y%m%d-%H%M%S}"
    folder, count = out_dir / stem, 1
    while folder.exists():
        count += 1
        folder = out_dir / f"{stem}-{count}"
    return folder


def _print_summary(run: RunResult) -> None:
    """The plan of the design day, the capacity, and the simulated day's KPIs and energy."""
    from lrtsim.cli.plan import print_day_plan
    from lrtsim.cli.simulate import print_day_kpis
    from lrtsim.io.payloads import plan_payload

    s = run.scenario
    print_day_plan(s.name, s.service.spare_ratio, run.design, plan_payload(run.design.plan))
    a = run.headways
    b = a.bottleneck
    out.print(
        f"Capacity: line minimum headway [bold]{a.line_min_headway_s:.1f} s[/], bottleneck "
        f"{escape(b.where)} ({b.kind}, {b.direction}) → {a.trains_per_hour:.1f} trains/h, "
        f"{a.passengers_per_hour_per_direction:,.0f} passengers/h/direction at "
        f"{s.service.loading_standard_pax_per_m2:g} pax/m²."
    )
    print_day_kpis(run.day, run.design.day_type, run.seed, run.kpis)
