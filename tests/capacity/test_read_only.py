"""The arrays the capacity objects hold cannot be changed through them."""

from __future__ import annotations

import pytest

from lrtsim.capacity.analysis import HeadwayAnalysis


def test_timeline_stairway_and_rule_arrays_are_read_only(
    synthetic_analysis: HeadwayAnalysis,
) -> None:
    d = synthetic_analysis.direction("up")
    arrays = {
        **{f"trip.{k}": getattr(d.trip, k) for k in ("position_m", "arrival_s", "path_s")},
        **{f"stairway.{k}": getattr(d.stairway, k) for k in ("from_m", "start_s", "end_s")},
        "rule.block_boundaries_m": d.rule.block_boundaries_m,
    }
    for name, array in arrays.items():
        assert not array.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            array[...] = 0.0
