"""The one JSON style: the rounding rule each key gets from its suffix, and strict JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from lrtsim.io.json_style import dumps, tidy


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("run_time_s", 1.23456, 1.235),
        ("distance_m", 1799.9999999999993, 1800.0),
        ("train_km", 6553.10849, 6553.108),
        ("line_energy_kwh", 14.91951, 14.92),
        ("allowance_pct", 5.123456, 5.123),
        ("trains_per_hour", 30.54545, 30.545),
        ("share", 0.287345, 0.2873),
        ("load_factor", 0.68888, 0.6889),
        ("denied_boardings_share", 0.37, 0.37),
        ("max_pax_load_factor", 0.83, 0.83),
        ("max_load_pax", 329.6, 330),
        ("max_load_pax_per_hour", 2196.7, 2197),
        ("daily_boardings", 89999.6, 90000),
        ("passengers_per_hour_per_direction", 14661.8, 14662),
        ("crush_passengers_per_hour_per_direction", 19793.476, 19793),
        ("boardings_per_train_mean", 12.6449, 12.645),
    ],
)
def test_each_key_gets_the_rule_of_its_suffix(key: str, value: float, expected: float) -> None:
    got = tidy({key: value})[key]
    assert got == expected
    assert type(got) is type(expected)


def test_keys_without_a_suffix_inherit_their_parent_rule() -> None:
    got = tidy({"occupation_s": {"tail_track": 102.85714}, "uic406": {"share": 0.123456}})
    assert got == {"occupation_s": {"tail_track": 102.857}, "uic406": {"share": 0.1235}}


def test_counts_stay_integers_and_numpy_numbers_are_plain() -> None:
    got = tidy({"trips": np.int64(301), "headway_s": np.float64(300.0), "flag": True})
    assert got == {"trips": 301, "headway_s": 300.0, "flag": True}
    assert type(got["trips"]) is int
    assert type(got["flag"]) is bool


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_null_and_the_json_strict(bad: float) -> None:
    text = dumps({"demand_headway_s": bad, "items": [{"ratio": bad}]})
    assert json.loads(text) == {"demand_headway_s": None, "items": [{"ratio": None}]}
    assert "NaN" not in text
    assert "Infinity" not in text


def test_values_a_user_gave_are_kept_exactly() -> None:
    """A sweep's parameter values (a failure rate of 2e-5, a dwell cv of 0.12345) are not
    rounded away; a key inside them keeps the exactness."""
    got = tidy({"values": [2e-05, 0.12345, {"mtbf_h": 1e-7}], "headway_s": 0.12345})
    assert got == {"values": [2e-05, 0.12345, {"mtbf_h": 1e-7}], "headway_s": 0.123}
