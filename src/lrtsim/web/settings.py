"""What a web service is configured with: where runs and the catalogue are, the token, limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """The configuration of one web service."""

    db_url: str
    """The results catalogue (a SQLAlchemy URL or an SQLite file path), shared with the CLI."""
    runs_dir: Path
    """The folder of the run folders; uploaded scenarios are kept in its `SCENARIO_FOLDER`."""
    token: str | None = None
    """When set, every write request (POST) must carry `Authorization: Bearer TOKEN`."""
    max_concurrent_runs: int = 1
    """Runs simulated at once, each in its own worker process."""
    queue_size: int = 4
    """Runs waiting for a worker; a run asked for beyond these is refused (429)."""
    upload_limit_bytes: int = MIB
    """Largest request body of an upload (a scenario TOML)."""
    retry_after_s: int = 15
    """What a 429 tells the client to wait: about one run of the Astana line."""

    def __post_init__(self) -> None:
        if self.max_concurrent_runs < 1:
            raise ValueError("max_concurrent_runs must be at least 1")
        if self.queue_size < 0 or self.upload_limit_bytes < 1:
            raise ValueError("queue_size must be ≥ 0 and upload_limit_bytes ≥ 1")
