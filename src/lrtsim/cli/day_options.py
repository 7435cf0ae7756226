"""The options of a simulated day that `lrtsim simulate` and `lrtsim run` share: seed,
incidents and control, and the scenario they configure."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from lrtsim.cli.common import fail
from lrtsim.errors import LrtsimError
from lrtsim.model.schema import MAX_SEED

if TYPE_CHECKING:
    from lrtsim.model.schema import Scenario


class ControlChoice(StrEnum):
    """Control strategies (`operations.control.strategy`)."""

    none = "none"
    holding = "holding"
    short_turn = "short_turn"


SeedOption = Annotated[
    int | None,
    typer.Option(
        "--seed",
        metavar="N",
        min=0,
        max=MAX_SEED,
        show_default="the scenario's seed",
        help="Seed of every random draw of the day; the same seed gives the same results.",
    ),
]
IncidentOption = Annotated[
    list[str] | None,
    typer.Option(
        "--incident",
        metavar="TEXT",
        show_default="none beyond the scenario's",
        help="An incident added to the scenario's, as AT,KIND,A[,B],DURATION_MIN"
        "[,direction=up|down|both], e.g. '08:15,track_blocked,Baiterek,House of "
        "Ministries,12'; KIND is track_blocked, train_failure or station_closed. "
        "May be given again.",
    ),
]
ControlOption = Annotated[
    ControlChoice | None,
    typer.Option(
        "--control",
        show_default="the scenario's operations.control.strategy",
        help="Control strategy: none, holding or short_turn (short_turn needs "
        "operations.control.crossovers).",
    ),
]


def configured(scenario: Scenario, incidents: list[str], control: ControlChoice | None) -> Scenario:
    """The scenario with the command line's incidents and control, or exit 2 with every
    problem of both."""
    from lrtsim.pipeline import configure

    try:
        return configure(
            scenario,
            incidents,
            None if control is None else control.value,
            incident_label="--incident",
            control_label="--control",
        )
    except LrtsimError as exc:
        fail(exc)
