"""The live endpoints of a complete run: its line, its trains and station queues at a time of
day, its replay clock, and its GTFS-Realtime feeds at the clock's now."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from lrtsim.errors import LrtsimError
from lrtsim.web.live import LiveRun
from lrtsim.web.models import Problem
from lrtsim.web.problems import ApiError
from lrtsim.web.replay import MAX_SPEED, MIN_SPEED, ReplayState, seconds_of_day, time_of_day
from lrtsim.web.security import require_token

router = APIRouter(tags=["live"])

LIVE_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem},
    409: {"model": Problem},
    422: {"model": Problem},
}

TimeOfDay = Annotated[
    str | None, Query(description="HH:MM:SS; the replay clock's now when left out", max_length=10)
]


class Window(BaseModel):
    """The service window: the day's first departure to its last arrival."""

    start: str
    end: str
    start_s: float
    end_s: float


class LineStation(BaseModel):
    """A station: its chainage and its place on the up direction's shape."""

    name: str
    km: float
    lat: float
    lon: float


class LineOut(BaseModel):
    """The line of a run: stations in km order, its geometry (up direction) and the window."""

    name: str
    length_km: float
    stations: list[LineStation]
    track: list[tuple[float, float]]
    window: Window


class Train(BaseModel):
    """A train on a trip at an instant, with the static feed's ids."""

    vehicle_id: str
    label: str
    trip_id: str
    route_id: str
    direction_id: Literal[0, 1]
    km: float
    lat: float
    lon: float
    bearing_deg: float
    speed_mps: float
    load_pax: int
    capacity_pax: float
    occupancy: str
    status: Literal["STOPPED_AT", "IN_TRANSIT_TO"]
    stop_id: str
    stop_sequence: int
    next_stop_name: str


class PositionsOut(BaseModel):
    """Every train on a trip at `t`."""

    t: str
    t_s: float
    trains: list[Train]


class StationQueue(BaseModel):
    """Passengers waiting at a station."""

    name: str
    km: float
    waiting_pax: int


class StationsOut(BaseModel):
    """Passengers waiting at each station at `t`: arrived and not yet boarded."""

    t: str
    stations: list[StationQueue]


class ReplayOut(BaseModel):
    """The replay clock of a run, and the date its GTFS-Realtime feeds publish the day on."""

    running: bool
    now: str
    now_s: float
    speed: float
    start_s: float
    end_s: float
    lap: int = Field(description="Times the replay went back; each lap is the next running date")
    service_date: str = Field(description="YYYYMMDD: the feeds' start_date and time base")


class ReplayRequest(BaseModel):
    """Start, pause or move the replay; `speed` (optional) applies from now."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["start", "pause", "seek"]
    at: str | None = Field(default=None, max_length=10, examples=["08:00:00"])
    """HH:MM:SS, for seek."""
    speed: float | None = Field(default=None, ge=MIN_SPEED, le=MAX_SPEED)


def live_run(request: Request, run_id: UUID) -> LiveRun:
    """The live state of a complete run (built on first use): 404 unknown, 409 not complete."""
    from lrtsim.web.routes_runs import run_record

    ready: LiveRun | None = request.app.state.live.built(str(run_id))
    if ready is not None:
        return ready
    record = run_record(request, str(run_id))
    if record.status != "complete" or record.folder is None:
        raise ApiError(409, f"run {run_id} is {record.status}: it has no simulated day to show")
    try:
        found: LiveRun = request.app.state.live.get(record.id, Path(record.folder), record.seed)
    except LrtsimError as exc:
        raise ApiError(409, f"run {run_id} cannot be replayed: {exc}") from None
    return found


Live = Annotated[LiveRun, Depends(live_run)]


def _instant(run: LiveRun, t: str | None) -> float:
    """`t` in seconds of day, or the clock's now; 422 when it is not HH:MM:SS."""
    if t is None:
        return run.clock.now_s()
    try:
        return seconds_of_day(t)
    except LrtsimError as exc:
        raise ApiError(422, "the request is not valid", [f"query.t: {exc}"]) from None


@router.get(
    "/api/runs/{run_id}/line", summary="The run's line and its geometry", responses=LIVE_ERRORS
)
def get_line(run: Live) -> LineOut:
    """Stations in km order with their places, the up direction's shape, the service window."""
    start_s, end_s = run.window_s
    stations = [LineStation(name=s.name, km=s.km, lat=s.lat, lon=s.lon) for s in run.stations]
    return LineOut(
        name=run.line_name,
        length_km=stations[-1].km - stations[0].km,
        stations=stations,
        track=list(run.track),
        window=Window(
            start=time_of_day(start_s), end=time_of_day(end_s), start_s=start_s, end_s=end_s
        ),
    )


@router.get(
    "/api/runs/{run_id}/positions", summary="Every train at a time of day", responses=LIVE_ERRORS
)
def get_positions(run: Live, t: TimeOfDay = None) -> PositionsOut:
    """Each train's place, speed, load and next stop at `t` (default: the replay's now)."""
    from lrtsim.io.gtfs_rt import vehicles

    t_s = _instant(run, t)
    index = {trip: i for i, trip in enumerate(run.live.trip_id)}
    trains = [
        Train(
            vehicle_id=v.vehicle_id,
            label=run.live.vehicle_label[index[v.trip_id]],
            trip_id=v.trip_id,
            route_id=v.route_id,
            direction_id=0 if v.direction_id == 0 else 1,
            km=v.km,
            lat=v.lat,
            lon=v.lon,
            bearing_deg=v.bearing_deg,
            speed_mps=v.speed_mps,
            load_pax=v.load_pax,
            capacity_pax=v.capacity_pax,
            occupancy=v.occupancy,
            status="STOPPED_AT" if v.status == "STOPPED_AT" else "IN_TRANSIT_TO",
            stop_id=v.stop_id,
            stop_sequence=v.stop_sequence,
            next_stop_name=v.next_stop_name,
        )
        for v in vehicles(run.live, t_s)
    ]
    return PositionsOut(t=time_of_day(t_s), t_s=t_s, trains=trains)


@router.get(
    "/api/runs/{run_id}/stations",
    summary="Passengers waiting at each station",
    responses=LIVE_ERRORS,
)
def get_stations(run: Live, t: TimeOfDay = None) -> StationsOut:
    """Each station's passengers arrived by `t` and not yet boarded (default: the replay's now)."""
    t_s = _instant(run, t)
    queues = [
        StationQueue(name=s.name, km=s.km, waiting_pax=run.queues.waiting(s.name, t_s))
        for s in run.stations
    ]
    return StationsOut(t=time_of_day(t_s), stations=queues)


@router.get("/api/runs/{run_id}/replay", summary="The run's replay clock", responses=LIVE_ERRORS)
def get_replay(run: Live) -> ReplayOut:
    """The replay clock now: paused at the window's start until started."""
    return _replay_out(run, run.clock.state())


@router.post(
    "/api/runs/{run_id}/replay",
    summary="Start, pause, seek or speed up the replay",
    dependencies=[Depends(require_token)],
    responses={**LIVE_ERRORS, 401: {"model": Problem}},
)
def post_replay(run: Live, asked: ReplayRequest) -> ReplayOut:
    """Set the speed (when given), then start, pause or seek to `at` (clamped to the window)."""
    clock = run.clock
    if asked.action == "seek" and asked.at is None:
        raise ApiError(422, "the request is not valid", ["body.at: seek needs a time HH:MM:SS"])
    try:
        target = None if asked.at is None else seconds_of_day(asked.at)
        if asked.speed is not None:
            clock.set_speed(asked.speed)
    except LrtsimError as exc:
        raise ApiError(422, "the request is not valid", [f"body.{exc}"]) from None
    if asked.action == "start":
        clock.start()
    elif asked.action == "pause":
        clock.pause()
    elif target is not None:
        clock.seek(target)
    return _replay_out(run, clock.state())


def _replay_out(run: LiveRun, state: ReplayState) -> ReplayOut:
    from lrtsim.io.gtfs_rt import on_lap

    return ReplayOut(
        running=state.running,
        now=time_of_day(state.now_s),
        now_s=state.now_s,
        speed=state.speed,
        start_s=state.start_s,
        end_s=state.end_s,
        lap=state.lap,
        service_date=on_lap(run.live, state.lap).service_date,
    )


FEED_RESPONSES: dict[int | str, dict[str, Any]] = {
    **LIVE_ERRORS,
    200: {"content": {"application/x-protobuf": {}, "application/json": {}}},
}

FeedFormat = Annotated[
    Literal["protobuf", "json"], Query(description="json: the FeedMessage as JSON, for people")
]


@router.get(
    "/gtfs-rt/{run_id}/vehicle-positions",
    summary="GTFS-Realtime VehiclePositions at the replay's now",
    tags=["gtfs-rt"],
    response_class=Response,
    responses=FEED_RESPONSES,
)
def get_vehicle_positions(run: Live, format: FeedFormat = "protobuf") -> Response:
    """The FULL_DATASET VehiclePositions FeedMessage of the replay clock's now."""
    from lrtsim.io.gtfs_rt import vehicle_positions_feed

    return _feed(run, "vp", vehicle_positions_feed, format)


@router.get(
    "/gtfs-rt/{run_id}/trip-updates",
    summary="GTFS-Realtime TripUpdates at the replay's now",
    tags=["gtfs-rt"],
    response_class=Response,
    responses=FEED_RESPONSES,
)
def get_trip_updates(run: Live, format: FeedFormat = "protobuf") -> Response:
    """The FULL_DATASET TripUpdates FeedMessage of the replay clock's now: predictions from the
    simulated day."""
    from lrtsim.io.gtfs_rt import trip_updates_feed

    return _feed(run, "tu", trip_updates_feed, format)


def _feed(run: LiveRun, kind: str, make: Any, format: str) -> Response:
    """A feed at the clock's now on its lap's service date, stamped in replay time."""
    from fastapi.responses import JSONResponse

    from lrtsim.io.gtfs_rt import feed_json, on_lap

    at = run.clock.instant()
    data = run.feeds.get(kind, at, lambda: make(on_lap(run.live, at.lap), at.now_s, at.timestamp))
    if format == "json":
        return JSONResponse(feed_json(data))
    return Response(data, media_type="application/x-protobuf")
