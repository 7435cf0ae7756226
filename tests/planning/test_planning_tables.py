"""The plan's tables as people read them: timetable.csv and blocks.csv.

Times to the millisecond and distances to the millimetre at most (`_s` and `_m` columns),
integers as integers, one period label style (`PeriodPlan.label`, ASCII `HH:MM-HH:MM`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from plan_support import Case

from lrtsim.io.tables import csv_text, readable, write_csv_atomic

LABEL = re.compile(r"^\d\d:\d\d-\d\d:\d\d$")


def test_the_issue_numbers_are_rounded() -> None:
    table = pd.DataFrame(
        {
            "start_s": [21722.063911649442, 60.0],
            "distance_m": [1799.9999999999993, 0.0],
            "sequence": [1, 2],
            "load_factor": [0.123456789, 1.0],
        }
    )
    lines = csv_text(table).splitlines()
    assert lines[0] == "start_s,distance_m,sequence,load_factor"
    # Metres all whole after rounding: written as integers.
    assert lines[1] == "21722.064,1800,1,0.123456789"
    assert lines[2] == "60.0,0,2,1.0"


def test_whole_columns_are_written_as_integers() -> None:
    table = pd.DataFrame({"arrival_s": [21600.0, 21722.0], "distance_m": [0.0, 1799.9999999999]})
    assert csv_text(table).splitlines() == ["arrival_s,distance_m", "21600,0", "21722,1800"]
    # The frame itself is left alone.
    assert table["arrival_s"].dtype == np.float64


def test_no_negative_zero_and_missing_values_stay_missing() -> None:
    table = pd.DataFrame({"x_s": [-0.0001, np.nan], "n": [1, 2]})
    assert csv_text(table).splitlines() == ["x_s,n", "0.0,1", ",2"]


def decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def test_plan_tables_read_back_rounded(case: Case, tmp_path: Path) -> None:
    for name, table in (("timetable", case.plan.timetable), ("blocks", case.plan.blocks)):
        path = tmp_path / f"{name}.csv"
        write_csv_atomic(path, table)
        back = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert list(back.columns) == list(table.columns)
        assert len(back) == len(table)
        for column in back.columns:
            if column.endswith(("_s", "_m")):
                assert back[column].map(decimals).max() <= 3, (name, column)
                np.testing.assert_allclose(
                    back[column].astype(float), table[column], atol=5e-4, err_msg=column
                )
        for column in table.columns:
            if pd.api.types.is_integer_dtype(table[column].dtype):
                assert (back[column].map(decimals) == 0).all(), (name, column)
    # The timetable's times are whole seconds: written as integers.
    timetable = readable(case.plan.timetable)
    assert pd.api.types.is_integer_dtype(timetable["arrival_s"].dtype)
    assert pd.api.types.is_integer_dtype(timetable["departure_s"].dtype)


def test_one_period_label_style(case: Case) -> None:
    labels = [p.label for p in case.plan.periods]
    assert all(LABEL.match(label) for label in labels), labels
    assert all(label.isascii() for label in labels)
    assert set(case.plan.timetable["period"]) <= set(labels)
    first = case.plan.periods[0]
    assert first.label == f"{case.scenario.service.start}-{case.plan.periods[1].label[:5]}"
