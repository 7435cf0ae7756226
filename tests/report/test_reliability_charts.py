"""The headways-and-waits section: the metrics layer's headways and waits, drawn."""

from __future__ import annotations

import numpy as np
import pytest
from chart_checks import check_section

from lrtsim.metrics.headways import headway_deviations
from lrtsim.metrics.waits import waits
from lrtsim.pipeline import RunResult
from lrtsim.report.reliability_charts import reliability_section


def test_reliability_charts_are_titled_and_saved(astana_run: RunResult) -> None:
    check_section(reliability_section(astana_run))


def test_headway_boxes_hold_every_headway_of_the_metrics(astana_run: RunResult) -> None:
    table = headway_deviations(astana_run.result.stop_times)
    chart = reliability_section(astana_run).charts[0]
    for direction in ("up", "down"):
        rows = table[table["direction"] == direction]
        sim = next(t for t in chart.figure.data if t.name == f"simulated {direction}")
        plan = next(t for t in chart.figure.data if t.name == f"planned {direction}")
        assert sorted(sim.y) == pytest.approx(sorted(rows["actual_headway_s"] / 60))
        assert sorted(plan.y) == pytest.approx(sorted(rows["scheduled_headway_s"] / 60))
        baiterek = rows[rows["station"] == "Baiterek"]["actual_headway_s"] / 60
        picked = np.asarray(sim.y)[np.asarray(sim.x) == "Baiterek"]
        assert sorted(picked) == pytest.approx(sorted(baiterek))
    names = [s.name for s in astana_run.day.line.stations]
    assert list(chart.figure.layout.xaxis.categoryarray) == names


def test_wait_histogram_counts_the_passengers_in_the_waits(astana_run: RunResult) -> None:
    result = astana_run.result
    summary = waits(result.passengers, result.stop_times)
    assert summary.mean_wait_s == astana_run.kpis.mean_wait_s
    chart = reliability_section(astana_run).charts[1]
    bars, scheduled = chart.figure.data[0], chart.figure.data[1]
    assert sum(bars.y) == summary.counted == astana_run.kpis.passengers_counted
    assert sum(scheduled.y) / 2 == summary.counted  # a step line: each bin's value twice
    # The mean of the binned waits is within half a bin of the KPI.
    centre_s = np.asarray(bars.x) * 60
    assert np.average(centre_s, weights=bars.y) == pytest.approx(summary.mean_wait_s, abs=15)
    marks = sorted(s.x0 * 60 for s in chart.figure.layout.shapes)
    assert marks == pytest.approx(
        sorted([summary.mean_wait_s, summary.p95_wait_s, summary.scheduled_wait_s])
    )


def test_the_reference_days_waits_are_drawn_beside_the_days(
    astana_run: RunResult, astana_calm: RunResult
) -> None:
    """With a reference day its waits are a third series, counting its own passengers; the
    calm run (no reference) has none."""
    assert astana_run.reference is not None
    chart = reliability_section(astana_run).charts[1]
    (reference,) = [t for t in chart.figure.data if t.name.startswith("reference day")]
    ref = waits(astana_run.reference.passengers, astana_run.reference.stop_times)
    assert sum(reference.y) / 2 == ref.counted
    # The reference day is the calm day: its waits are the calm run's, bin for bin.
    calm_bars = reliability_section(astana_calm).charts[1].figure.data[0]
    bins = dict(zip(np.round(np.asarray(calm_bars.x), 6), calm_bars.y, strict=True))
    steps = np.asarray(reference.y)[::2]
    centres = np.round((np.asarray(reference.x)[::2] + np.asarray(reference.x)[1::2]) / 2, 6)
    assert {c: v for c, v in zip(centres, steps, strict=True) if v} == {
        c: v for c, v in bins.items() if v
    }
    assert not [
        t
        for t in reliability_section(astana_calm).charts[1].figure.data
        if (t.name or "").startswith("reference day")
    ]
