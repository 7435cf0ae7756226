"""Fixtures of the physics tests: factories of rolling stock and lines (the builders live in
`support.scenarios`).

`make_stock(**overrides)` is the textbook train (no resistance, constant acceleration and
braking) with the test's changes; `make_line(station_km, max_speed_kmh, **fields)` a line with
stations S0, S1, ... at those chainages.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lrtsim.model.schema import Line, RollingStock
from support.scenarios import build_line, build_stock


@pytest.fixture(scope="session")
def make_stock() -> Callable[..., RollingStock]:
    """Factory of rolling stock (see `support.scenarios.build_stock`, preset `TEXTBOOK`)."""
    return build_stock


@pytest.fixture(scope="session")
def make_line() -> Callable[..., Line]:
    """Factory of lines (see `support.scenarios.build_line`)."""
    return build_line
