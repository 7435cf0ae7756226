"""Plans computed once per session: Astana, the small line, the small line without a depot, and
Astana cut to 10 stations with its depot mid-line."""

from __future__ import annotations

import pytest
from plan_support import Case, get_case


@pytest.fixture(scope="session", params=["astana", "small", "small_no_depot", "midline"])
def case(request: pytest.FixtureRequest) -> Case:
    """Each planned scenario in turn."""
    return get_case(str(request.param))


@pytest.fixture(scope="session")
def astana_case() -> Case:
    return get_case("astana")


@pytest.fixture(scope="session")
def small_case() -> Case:
    return get_case("small")


@pytest.fixture(scope="session")
def midline_case() -> Case:
    return get_case("midline")
