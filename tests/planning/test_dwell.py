"""The passenger-driven dwell model (TCQSM 3rd ed., ch. 4), by hand."""

from __future__ import annotations

import pytest

from lrtsim.model.schema import DwellModel
from lrtsim.planning.dwell import dwell_s

MODEL = DwellModel(base_s=25.0, per_boarding_s=1.5, per_alighting_s=1.2, crowding_factor=1.3)


def test_base_plus_flow_over_the_door_channels() -> None:
    """4 double doors = 8 channels: (16 · 1.5 + 8 · 1.2) / 8 = 4.2 s on top of the 25 s base."""
    got = dwell_s(MODEL, 16.0, 8.0, 60.0, doors_per_side=4, seats=60)
    assert got == pytest.approx(29.2, abs=1e-12)


def test_crowding_raises_the_flow_part_only() -> None:
    """One passenger more than the seats: 4.2 s × 1.3 = 5.46 s."""
    got = dwell_s(MODEL, 16.0, 8.0, 61.0, doors_per_side=4, seats=60)
    assert got == pytest.approx(30.46, abs=1e-12)


def test_never_below_the_minimum() -> None:
    assert dwell_s(MODEL, 16.0, 8.0, 0.0, doors_per_side=4, seats=60, minimum_s=35.0) == 35.0
    assert dwell_s(MODEL, 0.0, 0.0, 0.0, doors_per_side=4, seats=60) == 25.0
