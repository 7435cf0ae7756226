"""The service the API tests share (one per module that asks for it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from server_support import Server, serve


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`lrtsim serve` with its defaults (no token), on a free port of loopback."""
    with serve(tmp_path_factory.mktemp("serve")) as running:
        yield running
