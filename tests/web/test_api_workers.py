"""A live service with one worker and no queue: a second run is refused with 429, and a worker
killed mid-run leaves its run failed and the service serving."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest
from server_support import Server, serve, wait_for, worker_pids

SPAWN_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("single"), "--max-runs", "1", "--queue", "0") as running:
        yield running


def test_full_queue_is_429_then_a_killed_worker_fails_its_run(single: Server) -> None:
    with single.client() as client:
        first = client.post("/api/runs", json={"scenario": "astana", "seed": 1})
        refused = client.post("/api/runs", json={"scenario": "astana", "seed": 2})
        assert first.status_code == 202
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
        assert len(client.get("/api/runs").json()) == 1  # the refused run is not recorded

        deadline = time.monotonic() + SPAWN_TIMEOUT_S
        while not (workers := worker_pids(single.process.pid)):
            assert time.monotonic() < deadline, "no worker process appeared"
            time.sleep(0.1)
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGKILL)

        run = wait_for(client, first.json()["id"], {"complete", "failed"}, 30.0)
        assert run["status"] == "failed"
        assert "worker process ended" in run["error"]
        assert client.get("/api/scenarios").status_code == 200
        again = client.post("/api/runs", json={"scenario": "astana", "seed": 3})
        assert again.status_code == 202  # the dead worker's place is free again
        statuses = {r["id"]: r["status"] for r in client.get("/api/runs").json()}
        assert statuses[first.json()["id"]] == "failed"
        assert statuses[again.json()["id"]] in ("queued", "running")
