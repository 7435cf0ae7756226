"""An experiment recorded in the results catalogue while it runs: `running` at the start,
`complete` with its folder and summary, or `failed` with the reason (a stop by Ctrl-C too)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import typer

from lrtsim.cli.catalogue_options import open_catalogue
from lrtsim.cli.common import err
from lrtsim.cli.stopping_signals import TERMINATED_EXIT
from lrtsim.errors import LrtsimError
from lrtsim.model.schema import Scenario


@dataclass
class Recording:
    """What the experiment reports back before its block ends: its folder, days and summary."""

    folder: str | None = None
    days: int = 0
    summary: dict[str, Any] = field(default_factory=dict)


@contextmanager
def recorded(
    db: str,
    *,
    kind: str,
    scenario: Scenario,
    ref: str,
    seed: int,
    options: Mapping[str, Any],
) -> Iterator[Recording]:
    """Record the experiment of the block in catalogue `db` (an unusable `db` exits 2 before
    any work); it completes when the block ends with `Recording.folder` set, else fails."""
    from lrtsim import __version__
    from lrtsim.io.resolved import scenario_hash

    catalogue = open_catalogue(db)
    try:
        eid = catalogue.start_experiment(
            kind=kind,
            scenario=scenario.name,
            scenario_hash=scenario_hash(scenario, ref),
            seed=seed,
            options={"source": ref, **options},
            lrtsim_version=__version__,
        )
    except LrtsimError as exc:
        catalogue.close()
        from lrtsim.cli.common import fail

        fail(exc)
    record = Recording()
    try:
        yield record
    except (typer.Exit, KeyboardInterrupt, Exception) as exc:
        why = _reason(exc)
        _end(lambda: catalogue.fail_experiment(eid, why))
        catalogue.close()
        raise
    if record.folder is None:
        _end(lambda: catalogue.fail_experiment(eid, "ended without writing its folder"))
    else:
        folder, days, summary = record.folder, record.days, record.summary
        _end(lambda: catalogue.complete_experiment(eid, folder=folder, days=days, summary=summary))
    catalogue.close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, typer.Exit):
        if exc.exit_code == TERMINATED_EXIT:
            return "stopped by SIGTERM"
        return f"stopped with exit code {exc.exit_code}"
    if isinstance(exc, KeyboardInterrupt):
        return "stopped by Ctrl-C"
    return f"{type(exc).__name__}: {exc}"


def _end(write: Any) -> None:
    """Write the experiment's end; a catalogue that cannot take it is named on stderr."""
    try:
        write()
    except LrtsimError as exc:
        err.print(f"warning: the catalogue did not record the experiment's end: {exc}")
