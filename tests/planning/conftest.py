"""Plans computed once per session: Astana, the small line, and the small line without a depot."""

from __future__ import annotations

import pytest
from plan_support import Case, get_case


@pytest.fixture(scope="session", params=["astana", "small", "small_no_depot"])
def case(request: pytest.FixtureRequest) -> Case:
    """Each planned scenario in turn."""
    return get_case(str(request.param))


@pytest.fixture(scope="session")
def astana_case() -> Case:
    return get_case("astana")


@pytest.fixture(scope="session")
def small_case() -> Case:
    return get_case("small")
