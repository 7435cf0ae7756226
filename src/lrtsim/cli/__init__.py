"""The `lrtsim` command: parses, calls the library, prints with rich. No logic of its own.

One module per command; each imports the library it needs when it runs, so that `--help` and
the other commands start fast.
"""

from __future__ import annotations

from lrtsim.cli import capacity, import_gtfs, plan, runtime, scenario, simulate
from lrtsim.cli.common import app

__all__ = ["app", "capacity", "import_gtfs", "main", "plan", "runtime", "scenario", "simulate"]


def main() -> None:
    """Console-script entry point."""
    app()
