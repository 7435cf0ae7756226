"""The command run by a user who may not write to the installation or read some folders (as
`nobody`, which needs root to start): no traceback, exit 2 with the reason, kernels still cached.

Root reads and writes everything, so these are the only tests where permissions bite. They are
skipped where `nobody` cannot be started or cannot import lrtsim from this checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_support import cli_env

RUNUSER = shutil.which("runuser")
FEED = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "data"
    / "feeds"
    / ("trimet-max-green-2021.zip")
)


def _as_nobody(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    assert RUNUSER is not None
    env = {k: v for k, v in cli_env().items() if k != "NUMBA_CACHE_DIR"}
    env["HOME"] = str(cwd)
    return subprocess.run(
        [RUNUSER, "-u", "nobody", "--", sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    if RUNUSER is None or os.geteuid() != 0:
        pytest.skip("needs root and runuser to run as nobody")
    folder = Path(tempfile.mkdtemp(prefix="lrtsim-nobody-"))
    folder.chmod(0o777)
    probe = _as_nobody(["-c", "import lrtsim.cli"], folder)
    if probe.returncode != 0:
        shutil.rmtree(folder)
        pytest.skip(f"nobody cannot import lrtsim here: {probe.stderr[-200:]}")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_kernels_run_when_the_installation_is_read_only(scratch: Path) -> None:
    import lrtsim.dynamics

    assert (
        not _as_nobody(
            ["-c", f"import os; print(os.access({lrtsim.dynamics.__path__[0]!r}, os.W_OK))"],
            scratch,
        )
        .stdout.strip()
        .startswith("True")
    )
    run = _as_nobody(["-m", "lrtsim.cli", "runtime", "astana", "--direction", "up"], scratch)
    assert run.returncode == 0, run.stderr[-1000:]
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "astana", "--out", "locked/plan"],
        ["capacity", "astana", "--plot", "locked/x.png"],
        ["runtime", "astana", "--json"],
    ],
)
def test_an_unreadable_folder_gives_exit_2(scratch: Path, args: list[str]) -> None:
    locked = scratch / "locked"
    locked.mkdir(exist_ok=True)
    locked.chmod(0)
    try:
        if args[0] == "runtime":  # the scenario itself behind the locked folder
            args = ["runtime", "locked/line.toml"]
        run = _as_nobody(["-m", "lrtsim.cli", *args], scratch)
    finally:
        locked.chmod(0o777)
    assert run.returncode == 2, (run.returncode, run.stderr[-1000:])
    assert "Traceback" not in run.stderr
    assert "permission denied" in run.stderr.lower()


def test_a_feed_without_read_permission_is_cannot_read(scratch: Path) -> None:
    feed = scratch / "locked.zip"
    shutil.copy(FEED, feed)
    feed.chmod(0)
    run = _as_nobody(["-m", "lrtsim.cli", "import-gtfs", str(feed), "--route", "200"], scratch)
    assert run.returncode == 2, (run.returncode, run.stderr[-1000:])
    assert "Traceback" not in run.stderr
    assert "cannot read" in run.stderr
    assert "not a zip" not in run.stderr
