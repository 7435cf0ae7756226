"""A catalogue row as read (`RunRecord`, `ExperimentRecord`), and the KPI differences of two
runs.

A row (of a run or an experiment) stored as `running` whose process is gone — same host, no such
process (or only its zombie) — is read as `interrupted`: it was killed before it could record its
end. The stored row is left as it is (reading never writes), so the reading is the same from any
reader. A row of another host stays `running` (its process cannot be seen from here); a pid
reused by a new process after the run was killed keeps the row `running` until that process ends.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

RunStatus = Literal["running", "complete", "failed", "interrupted"]
"""A run's or an experiment's status as read: `interrupted` is a `running` row whose process
has gone."""


@dataclass(frozen=True)
class RunRecord:
    """One run of the catalogue, as read."""

    id: str
    """UUID4."""
    scenario: str
    scenario_hash: str
    """Hex SHA-256 of the scenario as run."""
    seed: int
    options: dict[str, Any]
    """The run's options (incidents, control) as the caller gave them."""
    lrtsim_version: str
    started_at: datetime
    """UTC."""
    ended_at: datetime | None
    """UTC; None while running (or interrupted)."""
    status: RunStatus
    stored_status: str
    """`status` as stored: `running` for a run read as `interrupted`."""
    folder: str | None
    """The run folder; None until complete."""
    kpis: dict[str, Any] | None
    """The KPI contract (null figures as None); None until complete."""
    error: str | None
    """Why the run failed; None unless failed."""
    pid: int
    host: str

    @property
    def duration_s(self) -> float | None:
        """Seconds from start to end; None while there is no end."""
        return duration_s(self.started_at, self.ended_at)


@dataclass(frozen=True)
class ExperimentRecord:
    """One experiment of the catalogue (a Monte Carlo, a sweep, a robust design), as read."""

    id: str
    """UUID4."""
    kind: str
    """`montecarlo`, `sweep` or `design` (`catalogue_schema.EXPERIMENT_KINDS`), as stored."""
    scenario: str
    scenario_hash: str
    """Hex SHA-256 of the scenario as run."""
    seed: int
    """The base seed (each day's seed is spawned from it)."""
    days: int | None
    """Days simulated in all; None until complete."""
    options: dict[str, Any]
    """The experiment's options (engine, workers, stopping rule, grid, …) as the caller gave
    them."""
    lrtsim_version: str
    started_at: datetime
    """UTC."""
    ended_at: datetime | None
    """UTC; None while running (or interrupted)."""
    status: RunStatus
    stored_status: str
    """`status` as stored: `running` for an experiment read as `interrupted`."""
    folder: str | None
    """The output folder; None until complete."""
    summary: dict[str, Any] | None
    """Its summary (the content of its summary.json, or a digest of it); None until complete."""
    error: str | None
    """Why the experiment failed; None unless failed."""
    pid: int
    host: str

    @property
    def duration_s(self) -> float | None:
        """Seconds from start to end; None while there is no end."""
        return duration_s(self.started_at, self.ended_at)


def duration_s(started_at: datetime, ended_at: datetime | None) -> float | None:
    """Seconds from `started_at` to `ended_at`; None without an end."""
    return None if ended_at is None else (ended_at - started_at).total_seconds()


@dataclass(frozen=True)
class KpiDifference:
    """One KPI of two runs: each value, `b − a`, and `(b − a) / |a|` (None where undefined)."""

    key: str
    a: float | None
    b: float | None
    difference: float | None
    relative_change: float | None
    """A fraction (0.05 = +5 %); None when either value is null or `a` is 0."""


def kpi_differences(a: RunRecord, b: RunRecord) -> list[KpiDifference]:
    """Every KPI of either run (`a`'s order, then those only `b` has): both values, `b − a` and
    the change relative to `a`; None where either value is null (or not a number)."""
    first, second = a.kpis or {}, b.kpis or {}
    keys = list(first) + [k for k in second if k not in first]
    found = []
    for key in keys:
        x, y = _number(first.get(key)), _number(second.get(key))
        difference = relative = None
        if x is not None and y is not None:
            difference = y - x
            relative = None if x == 0 else difference / abs(x)
        found.append(KpiDifference(key, x, y, difference, relative))
    return found


def _number(value: Any) -> float | None:
    """An int or finite float as such (ints stay ints), anything else as None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    number = float(value)
    return number if math.isfinite(number) else None


def record_from_row(row: Mapping[Any, Any]) -> RunRecord:
    """The record of a `runs` row, `running` read as `interrupted` when its process is gone."""
    return RunRecord(
        **_common_fields(row), kpis=None if row["kpis"] is None else json.loads(row["kpis"])
    )


def experiment_from_row(row: Mapping[Any, Any]) -> ExperimentRecord:
    """The record of an `experiments` row, `running` read as `interrupted` when its process is
    gone."""
    return ExperimentRecord(
        **_common_fields(row),
        kind=str(row["kind"]),
        days=None if row["days"] is None else int(row["days"]),
        summary=None if row["summary"] is None else json.loads(row["summary"]),
    )


def _common_fields(row: Mapping[Any, Any]) -> dict[str, Any]:
    """The fields a run's row and an experiment's share, as read (`status` as in the module
    docstring)."""
    stored = str(row["status"])
    pid, host = int(row["pid"]), str(row["host"])
    status: RunStatus
    if stored == "running" and host == socket.gethostname() and not process_alive(pid):
        status = "interrupted"
    elif stored in ("running", "complete", "failed"):
        status = stored  # type: ignore[assignment]
    else:  # a row written by hand: shown as failed, never as complete
        status = "failed"
    ended = row["ended_at"]
    return {
        "id": str(row["id"]),
        "scenario": str(row["scenario"]),
        "scenario_hash": str(row["scenario_hash"]),
        "seed": int(row["seed"]),
        "options": json.loads(row["options"]),
        "lrtsim_version": str(row["lrtsim_version"]),
        "started_at": parse_time(str(row["started_at"])),
        "ended_at": None if ended is None else parse_time(str(ended)),
        "status": status,
        "stored_status": stored,
        "folder": row["folder"],
        "error": row["error"],
        "pid": pid,
        "host": host,
    }


def process_alive(pid: int) -> bool:
    """Whether process `pid` of this host exists and is not a zombie (killed, not yet reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    except OSError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        # The state follows the command name in parentheses, which may itself hold spaces.
        state = stat.read_text(encoding="utf-8", errors="replace").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):  # no /proc (macOS), or the process ended meanwhile
        return True
    return state not in ("Z", "X")


def now_text() -> str:
    """The current time as stored: ISO 8601 UTC with microseconds."""
    return time_text(datetime.now(UTC))


def time_text(moment: datetime) -> str:
    """`moment` (aware) as stored: ISO 8601 UTC, always with microseconds (one width)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_time(text: str) -> datetime:
    """A stored time as an aware UTC datetime (a time without an offset is taken as UTC)."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def json_text(value: Mapping[str, Any] | Sequence[Any]) -> str:
    """`value` as strict JSON text: NaN and infinities as null, numpy numbers as Python ones."""
    return json.dumps(_plain(value), ensure_ascii=False, allow_nan=False, sort_keys=False)


def _plain(value: Any) -> Any:
    """`value` with JSON's types only (see `json_text`)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    raise TypeError(f"cannot store {type(value).__name__} in the catalogue: {value!r}")
