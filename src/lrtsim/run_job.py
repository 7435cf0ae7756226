"""The main job, shared by `lrtsim run` and the web service: a configured scenario recorded in
the results catalogue, run through the pipeline, and written as one run folder.

The callers only choose how steps are shown (a spinner, a progress count) and what to do with
an error; the files, the folder's name and the catalogue's record are made here, the same way
for both.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lrtsim.pipeline import STEPS, StepRunner, just_run

if TYPE_CHECKING:
    from lrtsim.io.catalogue import Catalogue
    from lrtsim.model.schema import Scenario
    from lrtsim.pipeline import RunFiles, RunResult

FILE_STEPS = (
    "timetable, blocks and GTFS feed",
    "event log and passengers",
    "report charts",
    "report.html",
    "png/ static charts",
)
"""The steps of `pipeline.run_files`, in order."""


@dataclass(frozen=True)
class StartedRun:
    """A run recorded as started in the catalogue: its id, seed and the resolved scenario text
    its folder will hold."""

    id: str
    seed: int
    scenario_toml: str
    generated: str
    """The run's start time as the report prints it."""


@dataclass
class RunFolder:
    """Where a run folder goes and, once it is written, its path and the run's KPIs.

    Mutable on purpose: a caller stopped in the instant after the folder was put in place
    sees here that the run is complete.
    """

    out_dir: Path
    name: str
    started: datetime
    folder: Path | None = None
    kpis: dict[str, Any] | None = None


def step_count(scenario: Scenario) -> int:
    """How many steps `write_run` hands to its `StepRunner` for `scenario` (configured)."""
    from lrtsim.model.control import is_disturbed

    pipeline = len(STEPS) if is_disturbed(scenario) else len(STEPS) - 1
    return 1 + pipeline + len(FILE_STEPS) + 1


def start_run(
    catalogue: Catalogue,
    scenario: Scenario,
    ref: str,
    seed: int,
    options: Mapping[str, Any],
    started: datetime,
) -> StartedRun:
    """Record the run of the configured `scenario` (read from `ref`) with `seed` as running in
    `catalogue`; its id and the resolved scenario.toml that reruns it."""
    from lrtsim import __version__
    from lrtsim.io.resolved import resolved_toml, scenario_hash

    run_id = catalogue.start(
        scenario=scenario.name,
        scenario_hash=scenario_hash(scenario, ref),
        seed=seed,
        options=options,
        lrtsim_version=__version__,
    )
    generated = f"{started:%Y-%m-%d %H:%M:%S} {started.tzname() or started.strftime('%z')}"
    text = resolved_toml(
        scenario,
        ref,
        f"The scenario of lrtsim {__version__} run {run_id} ({generated}), seed {seed}, "
        f"with every default written out: `lrtsim run scenario.toml --seed {seed}` runs "
        "the same day again.",
    )
    return StartedRun(id=run_id, seed=seed, scenario_toml=text, generated=generated)


def write_run(
    scenario: Scenario,
    ref: str,
    started: StartedRun,
    target: RunFolder,
    step: StepRunner = just_run,
) -> tuple[RunResult, RunFiles]:
    """The pipeline, the files and the run folder written as a whole into `target.out_dir`
    (its path and the KPIs set in `target` once written); the run and its files."""
    from lrtsim.io.atomic import write_folder_atomic
    from lrtsim.io.od_csv import scenario_od_matrix
    from lrtsim.io.outputs import scenario_inputs
    from lrtsim.pipeline import run_files, run_pipeline
    from lrtsim.planning.day_types import design_day_label

    matrix = step("scenario and demand data", lambda: scenario_od_matrix(scenario, ref))
    run = run_pipeline(scenario, matrix, started.seed, step)
    day = design_day_label(run.design.day_type)
    title = f"{scenario.line.name}: service plan and a simulated {day}"
    made = run_files(
        run, started.scenario_toml, title=title, generated=started.generated, step=step
    )
    inputs = scenario_inputs(scenario, ref)

    def write() -> None:
        # The name is taken now, not at the start: a run that started in the same second
        # and finished first keeps its folder.
        folder = new_folder(target.out_dir, target.name, target.started)
        write_folder_atomic(folder, made.files, command="run", inputs=inputs)
        target.folder = folder
        target.kpis = run.kpis.contract()

    step(f"writing the run folder into {target.out_dir}", write)
    return run, made


def ready(out_dir: Path) -> None:
    """The folder of the run folders, created when missing, or `OutputError` before any work
    when it is a file or cannot be written."""
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


def folder_stem(name: str) -> str:
    """A scenario's free-text name as one safe file-name part: runs of anything but letters,
    digits, `_` and `-` (a `/`, `..`, a space) become one `-`; "scenario" when nothing is left."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "scenario"


def new_folder(out_dir: Path, name: str, started: datetime) -> Path:
    """`out_dir/NAME-YYYYmmdd-HHMMSS`, with `-2`, `-3`… when a run of the same second exists;
    NAME is the scenario's name made a file name (`folder_stem`): never a path out of out_dir."""
    stem = f"{folder_stem(name)}-{started:%Y%m%d-%H%M%S}"
    folder, count = out_dir / stem, 1
    while folder.exists():
        count += 1
        folder = out_dir / f"{stem}-{count}"
    return folder
