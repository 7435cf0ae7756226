"""The schedule-vs-minimum comparison takes a scenario and plain segment times (no GTFS needed)."""

from __future__ import annotations

import pytest

from lrtsim.calibration.compare import compare_running_times, comparison_total
from lrtsim.dynamics.runtime import running_times
from lrtsim.model.load import load_scenario


def test_ratios_and_totals_from_plain_scheduled_times() -> None:
    scenario = load_scenario("astana")
    minimum = running_times(scenario, ("up",), allowance_pct=0.0)[0].minimum.segments
    scheduled: list[float | None] = [1.5 * g.run_time_s for g in minimum]
    scheduled[1] = None  # a segment the schedule does not time
    rows = compare_running_times(scenario, scheduled)
    assert [r.from_station for r in rows] == [g.from_station for g in minimum]
    assert [r.minimum_s for r in rows] == [g.run_time_s for g in minimum]
    assert rows[1].ratio is None
    assert all(r.ratio == pytest.approx(1.5) for i, r in enumerate(rows) if i != 1)
    total = comparison_total(rows)
    assert total.from_station == scenario.line.stations[0].name
    assert total.to_station == scenario.line.stations[-1].name
    assert total.distance_m == pytest.approx(sum(g.distance_m for g in minimum))
    assert total.ratio == pytest.approx(1.5)  # the untimed segment is left out of both sums


def test_one_time_per_segment_is_required() -> None:
    scenario = load_scenario("astana")
    with pytest.raises(ValueError, match="scheduled times for the"):
        compare_running_times(scenario, [100.0])
