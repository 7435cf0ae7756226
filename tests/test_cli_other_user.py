"""The command run by a user who may not write to the installation or read some folders (as
`nobody`, which needs root to start): no traceback, exit 2 with the reason, kernels still cached.

Root reads and writes everything, so these are the only tests where permissions bite. Where
`nobody` may not run this interpreter (a Python installed under /root, say), it runs the system's
Python of the same version over this environment's packages and this checkout. The tests are
skipped where `nobody` cannot be started or cannot import lrtsim either way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import lrtsim
from support.cli import run_cli, run_python

RUNUSER = shutil.which("runuser")
FEED = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "data"
    / "feeds"
    / ("trimet-max-green-2021.zip")
)


SYSTEM_PYTHON = Path("/usr/bin/python3")
_AS_NOBODY: dict[str, Any] = {}
"""How `nobody` runs Python here: this interpreter, or the system's over our packages."""


def _system_python() -> dict[str, Any]:
    """The system's Python, if it is this version, with this environment's packages and this
    checkout's source on its path."""
    if not SYSTEM_PYTHON.is_file():
        return {}
    found = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.stdout.strip() != str(sys.version_info[:2]):
        return {}
    paths = [p for p in sys.path if p.endswith("site-packages")]
    paths.insert(0, str(Path(lrtsim.__file__).resolve().parents[1]))
    return {"python": str(SYSTEM_PYTHON), "env": {"PYTHONPATH": os.pathsep.join(paths)}}


def _nobody(cwd: Path) -> dict[str, Any]:
    """As `nobody`, at home in `cwd`, with no kernel cache folder given (lrtsim finds its own)."""
    assert RUNUSER is not None
    env = {"HOME": str(cwd), **_AS_NOBODY.get("env", {})}
    python = _AS_NOBODY.get("python")
    return {"user": "nobody", "env": env, "drop_env": ("NUMBA_CACHE_DIR",), "python": python}


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    if RUNUSER is None or os.geteuid() != 0:
        pytest.skip("needs root and runuser to run as nobody")
    folder = Path(tempfile.mkdtemp(prefix="lrtsim-nobody-"))
    folder.chmod(0o777)
    _AS_NOBODY.clear()
    probe = run_python(["-c", "import lrtsim.cli"], folder, **_nobody(folder))
    if probe.returncode != 0:
        _AS_NOBODY.update(_system_python())
        if _AS_NOBODY:
            probe = run_python(["-c", "import lrtsim.cli"], folder, **_nobody(folder))
    if probe.returncode != 0:
        shutil.rmtree(folder)
        pytest.skip(f"nobody cannot import lrtsim here: {probe.stderr[-200:]}")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_kernels_run_when_the_installation_is_read_only(scratch: Path) -> None:
    import lrtsim.dynamics

    assert (
        not run_python(
            ["-c", f"import os; print(os.access({lrtsim.dynamics.__path__[0]!r}, os.W_OK))"],
            scratch,
            **_nobody(scratch),
        )
        .stdout.strip()
        .startswith("True")
    )
    run = run_cli(["runtime", "astana", "--direction", "up"], scratch, **_nobody(scratch))
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
        run = run_cli(args, scratch, **_nobody(scratch))
    finally:
        locked.chmod(0o777)
    assert run.returncode == 2, (run.returncode, run.stderr[-1000:])
    assert "Traceback" not in run.stderr
    assert "permission denied" in run.stderr.lower()


def test_a_feed_without_read_permission_is_cannot_read(scratch: Path) -> None:
    feed = scratch / "locked.zip"
    shutil.copy(FEED, feed)
    feed.chmod(0)
    run = run_cli(["import-gtfs", str(feed), "--route", "200"], scratch, **_nobody(scratch))
    assert run.returncode == 2, (run.returncode, run.stderr[-1000:])
    assert "Traceback" not in run.stderr
    assert "cannot read" in run.stderr
    assert "not a zip" not in run.stderr
