"""`/api/runs`: starting a run, the runs of the catalogue, one run, its report and GTFS feed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse

from lrtsim.errors import LrtsimError
from lrtsim.io.catalogue_records import RunRecord
from lrtsim.web.models import Problem, RunOut, RunRequest
from lrtsim.web.problems import ApiError
from lrtsim.web.security import require_token

router = APIRouter(prefix="/api/runs", tags=["runs"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem}}

INTERRUPTED = "interrupted: the process that ran it ended before recording its end"


@router.post(
    "",
    status_code=202,
    summary="Start a run",
    dependencies=[Depends(require_token)],
    responses={401: {"model": Problem}, 422: {"model": Problem}, 429: {"model": Problem}},
)
def start_run(request: Request, asked: RunRequest) -> RunOut:
    """Queue a run of a stored scenario (incidents and control checked first: 422 before
    anything is queued); it runs in a worker process. 429 with Retry-After when full."""
    from lrtsim.errors import ScenarioError
    from lrtsim.model.load import load_scenario
    from lrtsim.pipeline import configure
    from lrtsim.run_job import start_run as record_start
    from lrtsim.run_job import step_count
    from lrtsim.web.jobs import PROGRESS_FOLDER, QueueFullError
    from lrtsim.web.scenarios import UnknownScenarioError, scenario_ref
    from lrtsim.web.worker import RunOrder

    state = request.app.state
    settings = state.settings
    try:
        ref = scenario_ref(settings.runs_dir, asked.scenario)
        scenario = configure(
            load_scenario(ref),
            asked.incidents,
            asked.control,
            incident_label="incidents",
            control_label="control",
        )
    except UnknownScenarioError as exc:
        raise ApiError(422, "the run cannot start", [f"scenario: {exc}"]) from None
    except ScenarioError as exc:
        raise ApiError(422, "the run cannot start", exc.problems) from None
    seed = scenario.seed if asked.seed is None else asked.seed
    options = {"source": asked.scenario, "incidents": asked.incidents, "control": asked.control}

    def order() -> RunOrder:
        started_at = datetime.now().astimezone()
        begun = record_start(state.catalogue, scenario, ref, seed, options, started_at)
        return RunOrder(
            scenario=scenario,
            ref=ref,
            started=begun,
            started_at=started_at,
            out_dir=settings.runs_dir,
            progress_path=settings.runs_dir / PROGRESS_FOLDER / f"{begun.id}.json",
            total_steps=step_count(scenario),
        )

    try:
        run_id = state.queue.accept(order)
    except QueueFullError as exc:
        raise ApiError(
            429, f"{exc}; try again later", headers={"Retry-After": str(settings.retry_after_s)}
        ) from None
    except LrtsimError as exc:  # the catalogue cannot record it
        raise ApiError(503, str(exc)) from None
    return _run_out(request, run_record(request, run_id))


@router.get("", summary="Every run of the catalogue, newest first")
def list_runs(request: Request) -> list[RunOut]:
    """The runs of the catalogue (those of `lrtsim run` too), with this service's queue state."""
    try:
        records = request.app.state.catalogue.runs()
    except LrtsimError as exc:
        raise ApiError(503, str(exc)) from None
    return [_run_out(request, record) for record in records]


@router.get("/{run_id}", summary="One run: status, progress, KPIs", responses=NOT_FOUND)
def get_run(request: Request, run_id: UUID) -> RunOut:
    """The run `run_id`: queued, running (with its progress), complete (with its KPIs) or
    failed (with why)."""
    return _run_out(request, run_record(request, str(run_id)))


@router.get(
    "/{run_id}/report",
    summary="The run's report.html",
    response_class=FileResponse,
    responses={**NOT_FOUND, 200: {"content": {"text/html": {}}}},
)
def get_report(request: Request, run_id: UUID) -> FileResponse:
    """The run's self-contained HTML report."""
    return FileResponse(_run_file(request, run_id, "report.html"), media_type="text/html")


@router.get(
    "/{run_id}/gtfs.zip",
    summary="The run's static GTFS feed",
    response_class=FileResponse,
    responses={**NOT_FOUND, 200: {"content": {"application/zip": {}}}},
)
def get_gtfs(request: Request, run_id: UUID) -> FileResponse:
    """The run's published plan as a GTFS zip."""
    path = _run_file(request, run_id, "gtfs.zip")
    return FileResponse(path, media_type="application/zip", filename="gtfs.zip")


def run_record(request: Request, run_id: str) -> RunRecord:
    """The catalogue's record of `run_id`, or 404."""
    from lrtsim.io.catalogue import CatalogueError

    try:
        record: RunRecord = request.app.state.catalogue.get(run_id)
    except CatalogueError as exc:
        raise ApiError(404, str(exc)) from None
    if record.id != run_id:  # a prefix of another id: not this run
        raise ApiError(404, f"no run '{run_id}'")
    return record


def _run_out(request: Request, record: RunRecord) -> RunOut:
    """A run as the API gives it: the queue's state while the service runs it."""
    live = request.app.state.queue.state(record.id)
    done = record.status == "complete"
    out = RunOut(
        id=UUID(record.id),
        status="failed" if record.status == "interrupted" else record.status,
        scenario=record.scenario,
        seed=record.seed,
        options=record.options,
        started_at=record.started_at,
        ended_at=record.ended_at,
        kpis=record.kpis if done else None,
        error=INTERRUPTED if record.status == "interrupted" else record.error,
        report_url=f"/api/runs/{record.id}/report" if done else None,
        gtfs_url=f"/api/runs/{record.id}/gtfs.zip" if done else None,
    )
    if live is not None:
        status, progress, error = live
        out = out.model_copy(update={"status": status, "progress": progress, "error": error})
    return out


def _run_file(request: Request, run_id: UUID, name: str) -> Path:
    """The file `name` of the run's own folder (never a path from the request), or 404."""
    record = run_record(request, str(run_id))
    if record.status != "complete" or record.folder is None:
        raise ApiError(404, f"run {run_id} is {record.status}: it has no {name}")
    folder = Path(record.folder).resolve()
    path = (folder / name).resolve()
    if path.parent != folder or not path.is_file():
        raise ApiError(404, f"run {run_id} has no {name}")
    return path
