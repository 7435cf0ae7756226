"""The control strategy chosen for one run, and the undisturbed scenario a disturbed day is
measured against (same plan and seed, no incidents, no control)."""

from __future__ import annotations

from pydantic import ValidationError

from lrtsim.errors import ScenarioError
from lrtsim.model import checks
from lrtsim.model.load import describe_errors
from lrtsim.model.schema import Control, Scenario

AT = ("operations", "control")
"""Where the control settings sit in a scenario."""


def with_strategy(
    scenario: Scenario, strategy: str, label: str | None = None, source: str | None = None
) -> Scenario:
    """The scenario with `operations.control.strategy` set to `strategy`, checked as the file's
    control is (a `short_turn` needs crossovers).

    Raises `ScenarioError` (from `source`, by default the scenario's name); each problem is
    named `<label> (<key path>)` when a caller gives its own name for the choice (a flag), else
    by its key path.
    """
    control = scenario.operations.control
    try:
        chosen = Control.model_validate({**control.model_dump(), "strategy": strategy})
    except ValidationError as exc:
        problems = describe_errors(exc, AT)
    else:
        problems = [
            f"{path}: {message}" for path, message in checks.check_control(chosen, scenario.line)
        ]
    if problems:
        raise ScenarioError(source or scenario.name, [_named(p, label) for p in problems])
    operations = scenario.operations.model_copy(update={"control": chosen})
    return scenario.model_copy(update={"operations": operations})


def is_disturbed(scenario: Scenario) -> bool:
    """True when the day has incidents or a control strategy: it then has a reference day."""
    ops = scenario.operations
    return bool(ops.incidents) or ops.control.strategy != "none"


def undisturbed(scenario: Scenario) -> Scenario:
    """The scenario without its incidents and with no control: the reference day."""
    control = scenario.operations.control.model_copy(update={"strategy": "none"})
    operations = scenario.operations.model_copy(update={"incidents": [], "control": control})
    return scenario.model_copy(update={"operations": operations})


def _named(problem: str, label: str | None) -> str:
    """'operations.control.crossovers: …' as '<label> (operations.control.crossovers): …'."""
    if label is None:
        return problem
    path, _, message = problem.partition(": ")
    return f"{label} ({path}): {message}"
