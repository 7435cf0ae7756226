"""What a worker process does for one run: the main job (`run_job.write_run`), its progress
written to a small JSON file the service reads."""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from lrtsim.errors import LrtsimError
from lrtsim.model.schema import Scenario
from lrtsim.run_job import RunFolder, StartedRun

T = TypeVar("T")

PARENT_CHECK_S = 0.5
"""How often a worker looks whether the service that started it is still there."""


@dataclass(frozen=True)
class RunOrder:
    """Everything a worker needs for one run (picklable)."""

    scenario: Scenario
    """Configured: the run's incidents and control applied."""
    ref: str
    started: StartedRun
    started_at: datetime
    out_dir: Path
    progress_path: Path
    total_steps: int


@dataclass(frozen=True)
class RunOutcome:
    """What a worker hands back: the folder and KPIs, or why the run failed."""

    folder: str | None
    kpis: dict[str, Any] | None
    error: str | None


def execute(order: RunOrder) -> RunOutcome:
    """Run `order` to its folder; a user error or a bug is handed back as `error` (an exception
    of lrtsim's might not unpickle in the service)."""
    from lrtsim.run_job import write_run

    target = RunFolder(order.out_dir, order.scenario.name, order.started_at)
    try:
        write_run(order.scenario, order.ref, order.started, target, _progress_steps(order))
    except LrtsimError as exc:
        return RunOutcome(folder=None, kpis=None, error=str(exc))
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        return RunOutcome(folder=None, kpis=None, error=f"{type(exc).__name__}: {exc}")
    folder = None if target.folder is None else str(target.folder.resolve())
    return RunOutcome(folder=folder, kpis=target.kpis or {}, error=None)


def watch_parent(parent_pid: int) -> None:
    """Pool initializer: the worker exits as soon as the service that started it is gone
    (killed, it cannot stop its workers)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="lrtsim-parent-watch", daemon=True).start()


def _progress_steps(order: RunOrder) -> Callable[[str, Callable[[], Any]], Any]:
    """A step runner that writes, before each step, how many are done and which one starts."""
    from lrtsim.io.atomic import write_text_atomic
    from lrtsim.io.json_style import dumps

    done = 0

    def step(name: str, work: Callable[[], Any]) -> Any:
        nonlocal done
        progress = {"done": done, "total": order.total_steps, "step": name}
        write_text_atomic(order.progress_path, dumps(progress))
        value = work()
        done += 1
        return value

    return step
