"""Running the real `lrtsim` command in a subprocess, as the CLI tests do, and the checks every
CLI test makes of a finished run: it succeeded, it printed one JSON object, it failed cleanly.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def cli_env() -> dict[str, str]:
    """Plain output: no colours, and wide enough that station names are not cut."""
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "TTY_COMPATIBLE"}}
    env.update(NO_COLOR="1", COLUMNS="200", TERM="dumb")
    return env


def run_python(
    argv: list[str] | str,
    cwd: Path,
    *,
    env: Mapping[str, str] | None = None,
    drop_env: Iterable[str] = (),
    user: str | None = None,
    timeout: float = 300,
    python: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """This interpreter (or `python`) with `argv` in `cwd`, output captured, never raising on
    failure.

    `argv` as one string is the rest of a shell command line (redirections and all), run by the
    shell. The environment is `cli_env()` without the `drop_env` names, with `env` added; `user`
    runs the command as that user (with runuser, as root); `timeout` in seconds.
    """
    prefix = [] if user is None else ["runuser", "-u", user, "--"]
    interpreter = python or sys.executable
    command: list[str] | str
    if isinstance(argv, str):
        command = f"{shlex.join([*prefix, interpreter])} {argv}"
    else:
        command = [*prefix, interpreter, *argv]
    dropped = set(drop_env)
    return subprocess.run(
        command,
        shell=isinstance(command, str),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env={**{k: v for k, v in cli_env().items() if k not in dropped}, **(env or {})},
        timeout=timeout,
        check=False,
    )


def run_cli(args: list[str] | str, cwd: Path, **options: Any) -> subprocess.CompletedProcess[str]:
    """`python -m lrtsim.cli ARGS` in `cwd` (ARGS as one string: a shell command line, as in
    `scenario export astana > my.toml`); `options` as for `run_python`."""
    if isinstance(args, str):
        return run_python(f"-m lrtsim.cli {args}", cwd, **options)
    return run_python(["-m", "lrtsim.cli", *args], cwd, **options)


def in_parallel(calls: Mapping[str, Callable[[], T]]) -> dict[str, T]:
    """Each call's result by its key, the calls started together (each CLI process spends most
    of its time importing, so they overlap well)."""
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {key: pool.submit(call) for key, call in calls.items()}
        return {key: future.result() for key, future in futures.items()}


def run_all(
    commands: Mapping[str, list[str]], cwd: Path, **options: Any
) -> dict[str, subprocess.CompletedProcess[str]]:
    """`run_cli` of every command in `cwd`, started together, by the commands' keys."""
    return in_parallel(
        {key: partial(run_cli, args, cwd, **options) for key, args in commands.items()}
    )


# ------------------------------------------------------------------------ checks of a finished run
def ok(run: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    """Exit 0 and no traceback."""
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    return run


def one_json_object(run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """`ok`, and stdout holds exactly one JSON object on one line, and nothing else."""
    ok(run)
    assert len(run.stdout.splitlines()) == 1, run.stdout[:500]
    text = run.stdout.strip()
    payload, end = json.JSONDecoder().raw_decode(text)
    assert end == len(text), f"more after the JSON object: {text[end : end + 80]!r}"
    assert isinstance(payload, dict)
    return payload


def failed_cleanly(run: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit code 2, the reason on stderr (each of `needles` in it), no traceback, nothing on
    stdout."""
    assert run.returncode == 2, (run.returncode, run.stdout[-500:], run.stderr[-2000:])
    assert "Traceback" not in run.stdout + run.stderr
    assert run.stdout.strip() == ""
    for needle in needles:
        assert needle in run.stderr, (needle, run.stderr)


def is_number(value: object) -> bool:
    """An int or float in a JSON payload (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool)
