"""Tables to files: CSV written atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lrtsim.io.atomic import write_text_atomic


def write_csv_atomic(path: Path, table: pd.DataFrame) -> None:
    """Write a table as UTF-8 CSV, no index, replacing `path` in one step."""
    write_text_atomic(path, table.to_csv(index=False))
