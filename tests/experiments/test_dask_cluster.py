"""The Dask engine on a real cluster: a `dask scheduler` process and two `dask worker` processes
on loopback, as on several machines. The command gives the local engine's days; a worker killed
mid-experiment changes nothing (the scheduler runs its lost batch again elsewhere)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import lrtsim
from lrtsim.experiments.dask_engine import dask_runner
from lrtsim.experiments.days import PreparedDay, prepare, run_days
from lrtsim.model.load import load_scenario
from support.cli import in_parallel, one_json_object, run_cli

distributed = pytest.importorskip("distributed")

WORKERS = 2
START_TIMEOUT_S = 60.0
KILL_DAYS = 16
"""Sixteen batches of a day on two workers: a few seconds, a worker killed after the first."""


def _dask(*args: str) -> list[str]:
    """This interpreter's `dask` command (the same Python and packages as the tests)."""
    return [sys.executable, "-m", "dask", *args]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End `process` and its children (its own session): SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a scheduler with `WORKERS` single-threaded workers, each importing this
    lrtsim (PYTHONPATH); every process ended when the module's tests are done."""
    base = tmp_path_factory.mktemp("dask_cluster")
    source = str(Path(lrtsim.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    started: list[subprocess.Popen[bytes]] = []

    def start(args: list[str], log: str) -> None:
        with (base / log).open("wb") as fh:
            started.append(
                subprocess.Popen(
                    args,
                    cwd=base,
                    env=env,
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

    file = base / "scheduler.json"
    try:
        start(
            _dask(
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(file),
            ),
            "scheduler.log",
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while not file.exists() or not file.read_text("utf-8").strip().endswith("}"):
            assert started[0].poll() is None, (base / "scheduler.log").read_text("utf-8")
            assert time.monotonic() < deadline, "the scheduler wrote no scheduler file"
            time.sleep(0.1)
        address = json.loads(file.read_text("utf-8"))["address"]
        for i in range(WORKERS):
            start(
                _dask(
                    "worker",
                    address,
                    "--nworkers",
                    "1",
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                    "--death-timeout",
                    "30",
                    "--local-directory",
                    str(base / f"w{i}"),
                ),
                f"worker{i}.log",
            )
        with distributed.Client(address, timeout=START_TIMEOUT_S) as client:
            client.wait_for_workers(WORKERS, timeout=START_TIMEOUT_S)
        yield address
    finally:
        for process in reversed(started):
            _stop(process)


@pytest.fixture(scope="module")
def prepared() -> PreparedDay:
    return prepare(load_scenario("astana"), None)


def test_the_command_on_a_scheduler_gives_the_local_engines_days(
    scheduler: str, tmp_path: Path
) -> None:
    common = [
        "experiment",
        "montecarlo",
        "astana",
        "--days",
        "6",
        "--seed",
        "3",
        "--json",
        "--no-cache",
    ]
    done = in_parallel(
        {
            "dask": lambda: run_cli([*common, "--scheduler", scheduler, "--out", "d"], tmp_path),
            "local": lambda: run_cli([*common, "--workers", "1", "--out", "l"], tmp_path),
        }
    )
    on_dask, local = one_json_object(done["dask"]), one_json_object(done["local"])
    dask_days = pd.read_parquet(tmp_path / "d" / "days.parquet")
    local_days = pd.read_parquet(tmp_path / "l" / "days.parquet")
    assert list(dask_days["day"]) == list(range(6))
    pd.testing.assert_frame_equal(dask_days, local_days)
    # The summaries are the same; only the worker count and the folder say where it ran.
    different = {"workers", "out"}
    assert {k: v for k, v in on_dask.items() if k not in different} == {
        k: v for k, v in local.items() if k not in different
    }


def _batches_done(client: Any) -> int:
    """How many of the experiment's batches the scheduler holds as finished."""

    def count(dask_scheduler: Any) -> int:
        return sum(
            1
            for ts in dask_scheduler.tasks.values()
            if str(ts.key).startswith("dask_batch") and ts.state == "memory"
        )

    return int(client.run_on_scheduler(count))


def _kill_a_busy_worker(client: Any, deadline_s: float) -> int:
    """SIGKILL a worker process busy on a batch once some batch has finished; its pid."""
    while time.monotonic() < deadline_s:
        if _batches_done(client) >= 1:
            busy = [w for w, keys in client.processing().items() if keys]
            if busy:
                pid = int(client.run(os.getpid, workers=[busy[0]])[busy[0]])
                os.kill(pid, signal.SIGKILL)
                return pid
        time.sleep(0.05)
    raise AssertionError("no batch finished, or no worker busy, in time")


def test_a_worker_killed_mid_experiment_changes_nothing(
    scheduler: str, prepared: PreparedDay
) -> None:
    expected = run_days(prepared, 7, range(KILL_DAYS), workers=1)
    got: dict[str, pd.DataFrame] = {}
    failed: list[BaseException] = []

    def experiment() -> None:
        try:
            with dask_runner(prepared, 7, WORKERS, scheduler) as run:
                got["table"] = run(range(KILL_DAYS), None)
        except BaseException as exc:  # handed to the test's thread
            failed.append(exc)

    with distributed.Client(scheduler, timeout=START_TIMEOUT_S) as client:
        client.wait_for_workers(WORKERS, timeout=START_TIMEOUT_S)
        before = set(client.run(os.getpid).values())
        thread = threading.Thread(target=experiment)
        thread.start()
        try:
            killed = _kill_a_busy_worker(client, time.monotonic() + START_TIMEOUT_S)
        finally:
            thread.join(timeout=120)
        assert not thread.is_alive(), "the experiment did not finish"
        assert not failed, failed
        table = got["table"]
        assert sorted(table["day"]) == list(range(KILL_DAYS))  # every day, each once
        pd.testing.assert_frame_equal(table, expected)
        # The kill was real: the worker is gone (its nanny starts another for the next test).
        assert killed in before
        client.wait_for_workers(WORKERS, timeout=START_TIMEOUT_S)
        after = set(client.run(os.getpid).values())
        assert killed not in after
