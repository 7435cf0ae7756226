"""The control strategy chosen for one run (`model.control`): checked as the file's control is,
named by the caller's label; and the undisturbed reference scenario."""

from __future__ import annotations

import pytest

from lrtsim.errors import ScenarioError
from lrtsim.model.control import is_disturbed, undisturbed, with_strategy
from lrtsim.model.incidents import with_incidents
from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Scenario

INCIDENT = "08:15,track_blocked,Baiterek,House of Ministries,12"


@pytest.fixture(scope="module")
def astana() -> Scenario:
    return load_scenario("astana")


def test_a_strategy_replaces_the_scenarios_and_keeps_its_settings(astana: Scenario) -> None:
    held = with_strategy(astana, "holding")
    assert held.operations.control.strategy == "holding"
    kept = astana.operations.control.model_dump(exclude={"strategy"})
    assert held.operations.control.model_dump(exclude={"strategy"}) == kept
    assert astana.operations.control.strategy == "none"  # the original is not changed


def test_short_turns_without_crossovers_are_refused_with_the_callers_label(
    astana: Scenario,
) -> None:
    with pytest.raises(ScenarioError) as caught:
        with_strategy(astana, "short_turn", label="--control short_turn")
    (problem,) = caught.value.problems
    assert problem.startswith("--control short_turn (operations.control.crossovers): is empty")
    assert caught.value.source == "astana"
    with pytest.raises(ScenarioError) as unlabelled:
        with_strategy(astana, "short_turn", source="my.toml")
    assert unlabelled.value.problems[0].startswith("operations.control.crossovers: is empty")
    assert unlabelled.value.source == "my.toml"


def test_short_turns_with_a_crossover_are_accepted(astana: Scenario) -> None:
    control = astana.operations.control.model_copy(update={"crossovers": ["Baiterek"]})
    ops = astana.operations.model_copy(update={"control": control})
    turned = with_strategy(astana.model_copy(update={"operations": ops}), "short_turn")
    assert turned.operations.control.strategy == "short_turn"


def test_an_unknown_strategy_names_its_key(astana: Scenario) -> None:
    with pytest.raises(ScenarioError) as caught:
        with_strategy(astana, "sometimes")
    (problem,) = caught.value.problems
    assert problem.startswith("operations.control.strategy: ")
    assert "holding" in problem


def test_the_reference_has_no_incidents_and_no_control(astana: Scenario) -> None:
    assert not is_disturbed(astana)
    disturbed = with_strategy(with_incidents(astana, [INCIDENT]), "holding")
    assert is_disturbed(disturbed)
    assert is_disturbed(with_incidents(astana, [INCIDENT]))
    assert is_disturbed(with_strategy(astana, "holding"))
    reference = undisturbed(disturbed)
    assert not is_disturbed(reference)
    assert reference.operations.incidents == []
    assert reference.operations.control.strategy == "none"
    assert reference.model_dump() == astana.model_dump()
