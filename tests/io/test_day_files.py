"""A day's tables as files (`io.day_files`): Parquet that reads back as written, the same
bytes for the same table, every column kept."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from lrtsim.io.day_files import day_files, parquet_bytes


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time_s": [21600.0, 21630.5, np.nan],
            "trip_id": ["U001", "U001", ""],
            "boarded": np.array([3, 0, 0], dtype=np.int64),
            "position_m": [0.0, 1903.0, 1903.0],  # a column beyond today's contract
        },
        index=[5, 6, 7],
    )


def test_parquet_reads_back_as_written_without_its_index() -> None:
    table = _table()
    back = pd.read_parquet(io.BytesIO(parquet_bytes(table)))
    assert list(back.columns) == list(table.columns)
    assert list(back.index) == [0, 1, 2]
    pd.testing.assert_frame_equal(back, table.reset_index(drop=True), check_dtype=False)
    assert back["boarded"].dtype == np.int64


def test_the_same_table_gives_the_same_bytes_and_no_time_stamp() -> None:
    first, again = parquet_bytes(_table()), parquet_bytes(_table().copy())
    assert first == again
    meta = pq.ParquetFile(io.BytesIO(first)).metadata
    assert meta.created_by.startswith("parquet-cpp-arrow")
    changed = _table()
    changed.loc[5, "boarded"] = 4
    assert parquet_bytes(changed) != first


class _Day:
    events = _table()
    passengers = _table().iloc[:2]


def test_day_files_are_the_two_tables_and_the_payload() -> None:
    payload = {"seed": 3, "kpis": {"mean_wait_s": float("nan"), "peak_load_factor": 0.51234}}
    files = day_files(_Day(), payload)  # type: ignore[arg-type]
    assert sorted(files) == ["events.parquet", "kpis.json", "passengers.parquet"]
    assert len(pd.read_parquet(io.BytesIO(files["passengers.parquet"]))) == 2
    text = files["kpis.json"].decode("utf-8")
    assert text.endswith("}\n")
    assert json.loads(text) == {
        "seed": 3,
        "kpis": {"mean_wait_s": None, "peak_load_factor": 0.5123},
    }
