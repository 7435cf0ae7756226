"""The services the API tests share: one per module that asks for `server`, and one for the
whole session with one Astana run (`astana_run`), so that only one run is simulated."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from server_support import RUN_SEED, Server, serve, wait_for

RUN_TIMEOUT_S = 120.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`lrtsim serve` with its defaults (no token), on a free port of loopback."""
    with serve(tmp_path_factory.mktemp("serve")) as running:
        yield running


@pytest.fixture(scope="session")
def session_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`lrtsim serve` with its defaults, shared by every module that uses `astana_run`."""
    with serve(tmp_path_factory.mktemp("session-serve")) as running:
        yield running


@pytest.fixture(scope="session")
def astana_run(session_server: Server) -> dict:
    """One Astana run on `session_server`, asked for and polled until it ends: its first answer
    (`first`) and its end (`run`)."""
    with session_server.client() as client:
        started = client.post("/api/runs", json={"scenario": "astana", "seed": RUN_SEED})
        assert started.status_code == 202, started.text
        first = started.json()
        run = wait_for(client, first["id"], {"complete", "failed"}, RUN_TIMEOUT_S)
    assert run["status"] == "complete", run
    return {"first": first, "run": run}
