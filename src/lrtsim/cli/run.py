"""`lrtsim run`: the main job — scenario to run folder (report, GTFS, tables, day) and catalogue."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.markup import escape

from lrtsim.cli.common import JsonFlag, ScenarioArg, app, emit_json, err, fail, load, out
from lrtsim.cli.day_options import ControlOption, IncidentOption, SeedOption, configured
from lrtsim.cli.stopping_signals import TERMINATED_EXIT, Terminated, terminate_as_exception
from lrtsim.errors import LrtsimError

if TYPE_CHECKING:
    from lrtsim.io.catalogue import Catalogue
    from lrtsim.model.schema import Scenario
    from lrtsim.pipeline import RunResult
    from lrtsim.run_job import RunFolder, StartedRun

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
    from lrtsim.io.catalogue import Catalogue, default_url
    from lrtsim.run_job import RunFolder, ready, start_run

    started = datetime.now().astimezone()
    scenario = configured(load(ref), incidents or [], control)
    day_seed = scenario.seed if seed is None else seed
    try:
        ready(out_dir)
        catalogue = Catalogue.open(db if db is not None else default_url(out_dir))
    except LrtsimError as exc:
        fail(exc)
    options: dict[str, Any] = {
        "source": str(Path(ref).resolve()) if Path(ref).is_file() else ref,
        "incidents": list(incidents or []),
        "control": None if control is None else control.value,
    }
    try:
        begun = start_run(catalogue, scenario, ref, day_seed, options, started)
    except LrtsimError as exc:
        fail(exc)
    run_id = begun.id
    stages: list[dict[str, Any]] = []
    written = RunFolder(out_dir, scenario.name, started)
    try:
        with terminate_as_exception():
            run, names, no_gtfs = _run(scenario, ref, begun, written, stages, as_json)
    except LrtsimError as exc:
        _record_failure(catalogue, run_id, str(exc))
        fail(exc)
    except (KeyboardInterrupt, Terminated) as exc:
        code = 130 if isinstance(exc, KeyboardInterrupt) else TERMINATED_EXIT
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
    folder = written.folder or out_dir
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
    begun: StartedRun,
    written: RunFolder,
    stages: list[dict[str, Any]],
    quiet: bool,
) -> tuple[RunResult, list[str], str | None]:
    """The main job (`run_job.write_run`), each step shown with its time (on stderr) and
    recorded in `stages`; the run, its files and why it has no GTFS feed (None: it has one)."""
    from lrtsim.run_job import write_run

    run, made = write_run(scenario, ref, begun, written, _shown_steps(stages, quiet))
    if made.no_gtfs is not None and not quiet:
        err.print(f"No gtfs.zip: {escape(made.no_gtfs)}.")
    return run, sorted(made.files), made.no_gtfs


def _record_complete(catalogue: Catalogue, run_id: str, written: RunFolder) -> None:
    """The run recorded complete with its folder and KPIs, or exit 2 saying the folder is
    written but not recorded."""
    try:
        folder = (written.folder or written.out_dir).resolve()
        catalogue.complete(run_id, folder=str(folder), kpis=written.kpis or {})
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
