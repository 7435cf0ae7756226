"""The cache of finished days: an experiment's rows kept on disk by (scenario hash, base seed,
lrtsim version) as they finish, so that an interrupted experiment resumes where it stopped and
a repeated one simulates nothing again.

Each key is a folder of Parquet files, each written whole (temp file, then rename) and holding
the rows of some days; a day's row depends on its seed alone, so a day found in two files is
the same row twice.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import time
import uuid
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from lrtsim.errors import LrtsimError

FLUSH_S = 5.0
"""Rows are written out at least this often while days finish: an interruption loses at most
this much work (and the batch then running)."""


def cache_key(scenario_hash: str, base_seed: int, version: str) -> str:
    """The folder name of an experiment's days: SHA-256 of what they depend on."""
    text = f"scenario={scenario_hash}\nseed={base_seed}\nlrtsim={version}\n"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lrtsim_version() -> str:
    """This lrtsim's version (as the catalogue records it) and a digest of its code and data
    files: a day cached by another version, or by a changed model, is not reused."""
    from lrtsim import __version__

    return f"{__version__}+{_code_digest()}"


@functools.cache
def _code_digest() -> str:
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".toml", ".csv", ".json"}:
            digest.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class DayCache:
    """The finished days of one key, in `root / key`: read once, appended as days finish."""

    def __init__(self, root: Path, key: str) -> None:
        self.folder = root / key
        self._held: dict[int, dict[str, Any]] | None = None
        self._pending: list[dict[str, Any]] = []
        self._flushed_at = time.monotonic()

    def rows(self, days: Sequence[int]) -> list[dict[str, Any]]:
        """The held rows of those of `days` the cache has, in the order of `days`."""
        held = self._load()
        return [held[d] for d in days if d in held]

    def add(self, rows: list[dict[str, Any]]) -> None:
        """Keep `rows`; written out once `FLUSH_S` has passed since the last write."""
        held = self._load()
        for row in rows:
            held[int(row["day"])] = row
        self._pending.extend(rows)
        if time.monotonic() - self._flushed_at >= FLUSH_S:
            self.flush()

    def flush(self) -> None:
        """Write the rows added since the last write as one Parquet file."""
        self._flushed_at = time.monotonic()
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        days = sorted(int(r["day"]) for r in rows)
        name = f"days-{days[0]:07d}-{days[-1]:07d}-{uuid.uuid4().hex[:8]}.parquet"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temp = self.folder / f".{name}.tmp"
            pd.DataFrame(rows).to_parquet(temp, index=False)
            os.replace(temp, self.folder / name)
        except OSError as exc:
            raise LrtsimError(f"cannot write the day cache {self.folder}: {exc}") from None

    @property
    def held(self) -> int:
        """How many days the cache holds."""
        return len(self._load())

    def _load(self) -> dict[int, dict[str, Any]]:
        if self._held is None:
            self._held = {}
            for path in sorted(self.folder.glob("days-*.parquet")):
                try:
                    frame = pd.read_parquet(path)
                except (OSError, ValueError):  # a file cut short: its days run again
                    continue
                for row in frame.to_dict("records"):
                    self._held[int(row["day"])] = _as_simulated(row)
        return self._held


def _as_simulated(row: dict[Hashable, Any]) -> dict[str, Any]:
    """A row read back as the simulation gives it (`Kpis.as_dict`): a missing value as None."""
    return {str(k): None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
