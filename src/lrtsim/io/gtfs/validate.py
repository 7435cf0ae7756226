"""Check a written feed with the canonical GTFS rule set and load it with a second reader.

`validate_gtfs` runs `gtfs-validator` (PyPI; a pure-Python reimplementation of MobilityData's
canonical validator, notice for notice: https://github.com/veodyn/gtfs-validator) through its
command-line entry point, and reads the feed with partridge (`partridge.load_feed`), an
independent reader. Both are imported only here, when called: they are in lrtsim's `dev`
extras, not needed to plan or to write a feed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

from lrtsim.errors import LrtsimError

Problem = tuple[str, str]
"""(kind, message): kind "error" or "warning"."""

MAX_SAMPLES = 3
"""Sample notices quoted in each problem's message."""


def validate_gtfs(path: Path, *, on: dt.date | None = None) -> list[Problem]:
    """Problems of a GTFS zip as `(kind, message)`, kind "error" or "warning"; [] if none.

    gtfs-validator reports notices of severity ERROR, WARNING and INFO, one code per kind of
    problem (`foreign_key_violation`, `missing_feed_contact_email_and_url`, …; the list is at
    https://gtfs-validator.mobilitydata.org/rules.html). Errors and warnings become problems,
    one per code with its count and a few samples; INFO notices are not problems. A table the
    validator could not read ("system errors") is an error. Some rules depend on the date of
    validation (an expired calendar, no trips in the next 7 days): `on` is that date, today by
    default.

    partridge must load the feed and find trips and stop times in it, else that is an error.
    Raises `LrtsimError` when the file does not exist or a validator is not installed.
    """
    path = Path(path)
    if not path.is_file():
        raise LrtsimError(f"cannot validate {path}: no such file")
    problems = canonical_problems(path, on=on)
    problems += partridge_problems(path)
    return problems


_MISSING = (
    "validating a GTFS feed needs the gtfs-validator package: "
    "pip install 'gtfs-validator>=0.1.2' (it is in lrtsim's dev extras)"
)


def validator_version() -> str:
    """'gtfs-validator <version>', the canonical validator `validate_gtfs` runs."""
    try:
        from gtfs_validator import __version__  # type: ignore[import-untyped]
    except ImportError:
        raise LrtsimError(_MISSING) from None
    return f"gtfs-validator {__version__}"


def canonical_problems(path: Path, *, on: dt.date | None = None) -> list[Problem]:
    """The canonical validator's errors and warnings (see `validate_gtfs`)."""
    try:
        from gtfs_validator.cli import main as run_validator  # type: ignore[import-untyped]
    except ImportError:
        raise LrtsimError(_MISSING) from None
    day = on or dt.date.today()
    with tempfile.TemporaryDirectory(prefix="lrtsim-gtfs-validator-") as out:
        argv = ["-i", str(path), "-o", out, "-d", day.isoformat()]
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = run_validator(argv)
        report = _read_json(Path(out) / "report.json")
        system = _read_json(Path(out) / "system_errors.json")
    problems: list[Problem] = []
    if code != 0:
        problems.append(("error", f"gtfs-validator cannot open the feed (exit code {code})"))
    for notice in system.get("notices", []):
        problems.append(("error", f"gtfs-validator system error: {_describe(notice)}"))
    for notice in report.get("notices", []):
        kind = {"ERROR": "error", "WARNING": "warning"}.get(str(notice.get("severity")))
        if kind is not None:
            problems.append((kind, _describe(notice)))
    return problems


def partridge_problems(path: Path) -> list[Problem]:
    """Whether partridge loads the feed and finds its trips and stop times."""
    try:
        import partridge  # type: ignore[import-untyped]
    except ImportError:
        raise LrtsimError(
            "validating a GTFS feed needs the partridge package: pip install 'partridge>=1.1.2' "
            "(it is in lrtsim's dev extras)"
        ) from None
    try:
        with warnings.catch_warnings():
            # partridge 1.1.2 (the latest) calls pandas APIs that pandas 3 deprecates; they are
            # its own to fix and say nothing about the feed.
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"partridge")
            warnings.filterwarnings("ignore", category=FutureWarning, module=r"partridge")
            feed = partridge.load_feed(str(path))
            trips, stop_times = feed.trips, feed.stop_times
            for table in ("agency", "routes", "stops", "calendar", "shapes"):
                getattr(feed, table)
    except Exception as exc:  # any failure to parse is a problem of the feed, reported as such
        return [("error", f"partridge cannot load the feed: {type(exc).__name__}: {exc}")]
    if trips.empty or stop_times.empty:
        return [("error", "partridge finds no trips or no stop times in the feed")]
    return []


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"notices": [{"code": "no_report", "sampleNotices": [{"file": path.name}]}]}
    return data if isinstance(data, dict) else {}


def _describe(notice: dict[str, Any]) -> str:
    """'code (N): {sample}; {sample}' with the first samples' context."""
    code = str(notice.get("code", "?"))
    count = notice.get("totalNotices", 1)
    samples = notice.get("sampleNotices", [])[:MAX_SAMPLES]
    shown = "; ".join(
        ", ".join(f"{k}={v}" for k, v in sample.items()) for sample in samples if sample
    )
    return f"{code} ({count}×)" + (f": {shown}" if shown else "")
