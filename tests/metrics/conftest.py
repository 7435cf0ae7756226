"""The Astana plan's undisturbed day (`day_support`), computed once per session."""

from __future__ import annotations

import pytest
from day_support import Day
from day_support import astana_day as build_astana_day


@pytest.fixture(scope="session")
def astana_day() -> Day:
    """The Astana plan's undisturbed day."""
    return build_astana_day()
