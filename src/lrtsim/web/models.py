"""The requests and responses of the web API, as pydantic models (so /openapi.json is whole)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from lrtsim.model.schema import MAX_SEED

SCENARIO_NAME = r"^[a-z0-9_-]{1,64}$"
"""What a stored scenario may be called: never a path."""

WebStatus = Literal["queued", "running", "complete", "failed"]


class Problem(BaseModel):
    """An error as a problem document (RFC 9457): what went wrong, and each problem found."""

    title: str
    status: int
    detail: str
    problems: list[str] = Field(default_factory=list)
    """Each problem with its key path (`line.stations[3].km: …`), when there are several."""


class StationOut(BaseModel):
    """A station of a scenario's line."""

    name: str
    km: float


class ScenarioSummary(BaseModel):
    """A scenario as listed."""

    name: str
    title: str
    """The line's name."""
    source: Literal["embedded", "uploaded"]
    stations: list[StationOut]
    length_m: float
    """From the first station to the last."""


class RunRequest(BaseModel):
    """A run asked for: a stored scenario, a seed, incidents and a control strategy."""

    model_config = ConfigDict(extra="forbid")

    scenario: str = Field(pattern=SCENARIO_NAME, examples=["astana"])
    seed: int | None = Field(default=None, ge=0, le=MAX_SEED)
    """Seed of every random draw of the day; the scenario's own when left out."""
    incidents: list[str] = Field(
        default_factory=list,
        max_length=50,
        examples=[["08:15,track_blocked,Baiterek,House of Ministries,12"]],
    )
    """Each as `lrtsim run --incident` takes it: AT,KIND,A[,B],DURATION_MIN[,direction=…]."""
    control: Literal["none", "holding", "short_turn"] | None = None
    """The control strategy; the scenario's own when left out."""


class Progress(BaseModel):
    """Steps of the run done, of all its steps."""

    done: int
    total: int
    step: str | None = None
    """The step under way."""


class RunOut(BaseModel):
    """A run as the service knows it: from its queue while it waits or runs, else from the
    catalogue (runs of `lrtsim run` included)."""

    id: UUID
    status: WebStatus
    scenario: str
    seed: int
    options: dict[str, Any]
    started_at: datetime | None = None
    ended_at: datetime | None = None
    progress: Progress | None = None
    kpis: dict[str, float | int | None] | None = None
    error: str | None = None
    report_url: str | None = None
    gtfs_url: str | None = None
