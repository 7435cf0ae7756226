"""A simulated day's tables as files: the event log and the passengers as Parquet, the KPIs as
JSON, built in memory so that the folder can be written as a whole.

Parquet is written by pyarrow with no time stamp anywhere in the file (its metadata holds the
writer's version and the columns' types only), so the same day gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from lrtsim.simulation.day import DayResult

PARQUET_COMPRESSION = "zstd"
"""Codec of every Parquet file: small and fast, and deterministic."""


def parquet_bytes(table: pd.DataFrame) -> bytes:
    """`table` as a Parquet file, every column it has, without its index."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    pq.write_table(arrow, sink, compression=PARQUET_COMPRESSION)
    return sink.getvalue()


def day_files(result: DayResult, payload: Mapping[str, Any]) -> dict[str, bytes]:
    """`lrtsim simulate`'s files (name → bytes): `events.parquet` (the event log),
    `passengers.parquet` (one row per passenger) and `kpis.json` (`payload`, indented)."""
    from lrtsim.io.json_style import dumps

    return {
        "events.parquet": parquet_bytes(result.events),
        "passengers.parquet": parquet_bytes(result.passengers),
        "kpis.json": (dumps(dict(payload), indent=2) + "\n").encode("utf-8"),
    }
