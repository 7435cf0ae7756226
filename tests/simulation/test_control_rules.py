"""The control strategies' rules on their own (`simulation.control`), by hand-worked cases."""

from __future__ import annotations

import pytest

from lrtsim.model.schema import Control
from lrtsim.simulation.control import hold_until_s, short_turn_at

HEADWAY = Control(strategy="holding", mode="headway", max_hold_s=120.0)


def test_headway_holding_evens_the_headways_about_the_published_ones() -> None:
    # Published: leader 600, this train 900, follower 1200 (equal 300 s headways). The leader
    # left 60 s late and the follower is expected 120 s late: hold to 900 + (60 + 120) / 2.
    t = hold_until_s(
        HEADWAY, ready_s=900.0, planned_departure_s=900.0, leader=(660.0, 600.0),
        follower=(1320.0, 1200.0),
    )  # fmt: skip
    assert t == pytest.approx(990.0)
    assert (t - 660.0) == pytest.approx(1320.0 - t)  # the midpoint, as the headways are equal


def test_headway_holding_leaves_an_on_time_train_alone_whatever_the_published_headways() -> None:
    t = hold_until_s(
        HEADWAY, ready_s=900.0, planned_departure_s=900.0, leader=(500.0, 500.0),
        follower=(1300.0, 1300.0),
    )  # fmt: skip
    assert t == 900.0


def test_holds_are_capped_and_never_make_a_train_leave_before_it_is_ready() -> None:
    late = hold_until_s(
        HEADWAY, ready_s=900.0, planned_departure_s=900.0, leader=(600.0, 600.0),
        follower=(2000.0, 1200.0),
    )  # fmt: skip
    assert late == 900.0 + 120.0
    early = hold_until_s(
        HEADWAY, ready_s=950.0, planned_departure_s=900.0, leader=(500.0, 600.0),
        follower=(1100.0, 1200.0),
    )  # fmt: skip
    assert early == 950.0
    schedule = Control(strategy="holding", mode="schedule", max_hold_s=30.0)
    assert hold_until_s(
        schedule, ready_s=800.0, planned_departure_s=900.0, leader=None, follower=None
    ) == pytest.approx(830.0)
    none = Control(strategy="none")
    assert (
        hold_until_s(none, ready_s=800.0, planned_departure_s=900.0, leader=None, follower=None)
        == 800.0
    )


def test_a_short_turn_is_at_the_last_crossover_before_the_first_blockage() -> None:
    control = Control(strategy="short_turn", crossovers=["x"])
    stops = list(range(10))
    assert short_turn_at(control, stops, [6], [2, 5, 8]) == 5
    assert short_turn_at(control, stops, [5], [2, 5, 8]) == 5  # the blockage starts at 5
    assert short_turn_at(control, stops, [1], [2, 5, 8]) is None  # no crossover before it
    assert short_turn_at(control, stops, [], [2, 5, 8]) is None
    assert short_turn_at(control, stops[3:], [6], [2, 5, 8]) == 5
    assert short_turn_at(control, stops[6:], [8], [2, 5, 8]) == 8
    assert short_turn_at(Control(), stops, [6], [2, 5, 8]) is None
