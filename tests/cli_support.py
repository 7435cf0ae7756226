"""Running the real `lrtsim` command in a subprocess, as the CLI tests do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def cli_env() -> dict[str, str]:
    """Plain output: no colours, and wide enough that station names are not cut."""
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "TTY_COMPATIBLE"}}
    env.update(NO_COLOR="1", COLUMNS="200", TERM="dumb")
    return env


def run_cli(
    args: list[str], cwd: Path, *, env: dict[str, str] | None = None, user: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m lrtsim.cli ARGS` in `cwd`, output captured, never raising on failure; `env`
    adds to the environment, `user` runs it as that user (with runuser, as root)."""
    prefix = [] if user is None else ["runuser", "-u", user, "--"]
    return subprocess.run(
        [*prefix, sys.executable, "-m", "lrtsim.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env={**cli_env(), **(env or {})},
        timeout=300,
        check=False,
    )
