"""Tables to files: CSV written atomically, rounded for people to read.

Column-aware rounding: a float column whose name ends in `_s` (seconds) is written to the
millisecond and one ending in `_m` (metres) to the millimetre; such a column whose values are
then all whole is written as integers. Integer, text and other columns are written as they are.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lrtsim.io.atomic import write_text_atomic

DECIMALS_BY_SUFFIX = {"_s": 3, "_m": 3}
"""Decimals written for float columns by the ending of their name."""


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """`table` with its time and distance columns rounded as CSV writes them (a new frame)."""
    columns: dict[str, pd.Series] = {}
    for name in table.columns:
        column = table[name]
        if not pd.api.types.is_float_dtype(column.dtype):
            continue
        decimals = next(
            (d for suffix, d in DECIMALS_BY_SUFFIX.items() if str(name).endswith(suffix)), None
        )
        if decimals is None:
            continue
        rounded = column.round(decimals) + 0.0  # + 0.0: no "-0.0"
        values = rounded.to_numpy()
        if len(values) and np.all(np.isfinite(values)) and np.all(values == np.round(values)):
            rounded = rounded.astype("int64")
        columns[str(name)] = rounded
    return table.assign(**columns) if columns else table


def csv_text(table: pd.DataFrame) -> str:
    """A table as CSV text, as `write_csv_atomic` writes it (for folders written as a whole)."""
    return readable(table).to_csv(index=False)


def write_csv_atomic(path: Path, table: pd.DataFrame) -> None:
    """Write a table as UTF-8 CSV, no index, rounded (`readable`), replacing `path` in one step."""
    write_text_atomic(path, csv_text(table))
