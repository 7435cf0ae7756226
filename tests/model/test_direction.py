"""The one definition of a direction and its flip: running order, origin, sign, GTFS id."""

from __future__ import annotations

import numpy as np
import pytest

from lrtsim.model.direction import (
    DIRECTIONS,
    along_m,
    direction_id,
    heading,
    line_order,
    opposite,
    origin_index,
    running_index,
    running_order,
    sign,
)


def test_both_directions_up_first() -> None:
    assert DIRECTIONS == ("up", "down")
    assert [direction_id(d) for d in DIRECTIONS] == [0, 1]
    assert [opposite(d) for d in DIRECTIONS] == ["down", "up"]


def test_line_order_runs_along_or_against_the_line() -> None:
    assert line_order(4, "up") == (0, 1, 2, 3)
    assert line_order(4, "down") == (3, 2, 1, 0)
    assert line_order(1, "down") == (0,)
    assert line_order(0, "up") == ()


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("n", [1, 2, 5])
def test_the_flip_is_its_own_inverse(direction: str, n: int) -> None:
    names = tuple(f"S{i}" for i in range(n))
    running = running_order(names, direction)  # type: ignore[arg-type]
    assert running_order(running, direction) == names  # type: ignore[arg-type]
    for i in range(n):
        k = running_index(n, direction, i)  # type: ignore[arg-type]
        assert running[k] == names[i]
        assert running_index(n, direction, k) == i  # type: ignore[arg-type]


def test_a_run_starts_at_its_terminal() -> None:
    assert origin_index(5, "up") == 0
    assert origin_index(5, "down") == 4
    assert running_order(["A", "B", "C"], "down") == ("C", "B", "A")


def test_sign_and_distance_along_the_run() -> None:
    assert (sign("up"), sign("down")) == (1.0, -1.0)
    km = np.array([2.0, 2.5, 4.0])
    np.testing.assert_array_equal(along_m(km, 2.0, "up"), [0.0, 500.0, 2000.0])
    np.testing.assert_array_equal(along_m(km, 4.0, "down"), [2000.0, 1500.0, 0.0])
    # Behind the origin is negative; the origin itself is +0 in both directions.
    assert along_m(1.5, 2.0, "up") == -500.0
    assert along_m(4.5, 4.0, "down") == -500.0
    assert str(along_m(4.0, 4.0, "down")) == "0.0"


def test_heading_between_two_points() -> None:
    assert heading(1, 3) == "up"
    assert heading(3, 1) == "down"
    assert heading(2.5, 0.5) == "down"
