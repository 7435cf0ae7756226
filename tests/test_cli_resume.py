"""A Monte Carlo experiment killed mid-run resumes from its cache of finished days: the
interrupted run leaves no output folder, and the resumed run simulates only the missing days
and writes exactly what an uninterrupted run writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from support.cli import cli_env, ok, run_cli

DAYS = 40
"""About 10 s of days in one process: the first cache file is written after 5 s."""
ARGS = ["experiment", "montecarlo", "astana", "--days", str(DAYS), "--seed", "9", "--workers", "1"]


def _kill_once_days_are_cached(cwd: Path, cache: Path) -> None:
    """Start the experiment, SIGKILL it as soon as a file of finished days exists."""
    process = subprocess.Popen(
        [sys.executable, "-m", "lrtsim.cli", *ARGS, "--cache", str(cache), "--out", "mc"],
        cwd=cwd,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240
        while not list(cache.glob("*/days-*.parquet")):
            assert process.poll() is None, "the experiment ended before any day was cached"
            assert time.monotonic() < deadline, "no day was cached in 4 minutes"
            time.sleep(0.1)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)


def test_a_killed_experiment_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _kill_once_days_are_cached(tmp_path, cache)
    assert not (tmp_path / "mc").exists()
    (key,) = cache.iterdir()
    held = sum(len(pd.read_parquet(f)) for f in key.glob("days-*.parquet"))
    assert 0 < held < DAYS

    resumed = ok(run_cli([*ARGS, "--cache", str(cache), "--out", "mc"], tmp_path))
    assert f"{held:,} finished days found" in resumed.stderr
    fresh = ok(run_cli([*ARGS, "--no-cache", "--out", "fresh"], tmp_path))
    assert "finished days found" not in fresh.stderr

    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "mc" / "days.parquet"),
        pd.read_parquet(tmp_path / "fresh" / "days.parquet"),
        check_exact=True,
    )
    assert (tmp_path / "mc" / "summary.json").read_bytes() == (
        tmp_path / "fresh" / "summary.json"
    ).read_bytes()
    again = sum(len(pd.read_parquet(f)) for f in key.glob("days-*.parquet"))
    assert again == DAYS  # the resumed run added the missing days, once each


def _two_workers_until_cached(cwd: Path, cache: Path) -> subprocess.Popen[str]:
    """The experiment on two workers, recording in cwd/cat.sqlite, once a file of finished
    days exists (stderr piped, for the caller to read)."""
    args = [*ARGS[:-1], "2", "--cache", str(cache), "--out", "mc", "--db", "cat.sqlite"]
    process = subprocess.Popen(
        [sys.executable, "-m", "lrtsim.cli", *args],
        cwd=cwd,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 240
    while not list(cache.glob("*/days-*.parquet")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no day was cached in 4 minutes"
        time.sleep(0.1)
    return process


def test_ctrl_c_stops_the_pool_at_once_and_says_how_to_resume(tmp_path: Path) -> None:
    """SIGINT while two workers are busy: the command ends within seconds (the batches running
    are abandoned, not awaited), with no traceback, naming the days kept; the catalogue records
    the stop."""
    from lrtsim.io.catalogue import Catalogue

    cache = tmp_path / "cache"
    process = _two_workers_until_cached(tmp_path, cache)
    process.send_signal(signal.SIGINT)
    stopped = time.monotonic()
    _, stderr = process.communicate(timeout=60)
    assert time.monotonic() - stopped < 10
    assert process.returncode == 130
    assert "Traceback" not in stderr
    said = " ".join(stderr.split())
    assert f"finished days are kept in {next(cache.iterdir())};" in said
    assert "the same command resumes from them" in said
    assert not (tmp_path / "mc").exists()
    with Catalogue.open(tmp_path / "cat.sqlite") as catalogue:
        (record,) = catalogue.experiments()
    assert record.status == "failed"
    assert "Ctrl-C" in (record.error or "")


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="utf-8").rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting for its parent to read it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_a_stopped_experiment_leaves_no_worker_behind(tmp_path: Path, how: signal.Signals) -> None:
    """SIGTERM is handled as Ctrl-C (exit 143, recorded as stopped by SIGTERM); after SIGKILL,
    which the experiment cannot handle, its pool workers notice and exit on their own."""
    from lrtsim.io.catalogue import Catalogue

    cache = tmp_path / "cache"
    process = _two_workers_until_cached(tmp_path, cache)
    workers = _children(process.pid)
    assert len(workers) >= 2  # the pool's two workers (and the resource tracker)
    process.send_signal(how)
    _, stderr = process.communicate(timeout=60)
    deadline = time.monotonic() + 15
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [w for w in workers if _alive(w)]
    assert not (tmp_path / "mc").exists()
    if how == signal.SIGTERM:
        assert process.returncode == 143
        assert "Traceback" not in stderr
        assert "the same command resumes from them" in " ".join(stderr.split())
        with Catalogue.open(tmp_path / "cat.sqlite") as catalogue:
            (record,) = catalogue.experiments()
        assert (record.status, record.error) == ("failed", "stopped by SIGTERM")
    else:
        assert process.returncode == -signal.SIGKILL
