"""The `lrtsim` command: parses, calls the library, prints with rich. No logic of its own.

One module per command; each imports the library it needs when it runs, so that `--help` and
the other commands start fast.
"""

from __future__ import annotations

import gc

# `run`, the main job, first: commands are listed in `--help` in the order they are imported;
# `experiment montecarlo` and `experiment sweep` before `design` and the catalogue's.
from lrtsim.cli import run, runs  # isort: skip
from lrtsim.cli import experiment, sweep  # isort: skip
from lrtsim.cli import (
    capacity,
    design,
    experiment_runs,
    import_gtfs,
    plan,
    runtime,
    scenario,
    serve,
    simulate,
)
from lrtsim.cli.common import app

__all__ = [
    "app",
    "capacity",
    "design",
    "experiment",
    "experiment_runs",
    "import_gtfs",
    "main",
    "plan",
    "run",
    "runs",
    "runtime",
    "scenario",
    "serve",
    "simulate",
    "sweep",
]

FULL_COLLECTION_EVERY = 1000
"""Collections of the middle generation between two full ones (Python's default: 10)."""


def main() -> None:
    """Console-script entry point.

    A command runs once and the process ends, and almost everything it makes (the modules of
    numba, pandas and scipy, the scenario, the plan, the day) lives until then, so the cyclic
    garbage collector's passes over all of it free nothing: its full collections are made rare
    while the command runs (each takes some 35 ms in `lrtsim simulate`, which made three), and
    what exists when it ends is frozen (`gc.freeze`), so that the collections of the
    interpreter's shutdown skip it (0.3 s after `lrtsim simulate`). The young generations are
    collected as usual, so short-lived cycles are still freed.
    """
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
    try:
        app()
    finally:
        gc.freeze()
