"""The energy section: energy by trip and empty moves, summing to the day's KPI."""

from __future__ import annotations

import numpy as np
import pytest
from chart_checks import check_section

from lrtsim.pipeline import RunResult
from lrtsim.report.energy_charts import energy_section


def test_energy_chart_is_titled_and_saved(astana_run: RunResult) -> None:
    check_section(energy_section(astana_run))


def test_energy_points_sum_to_the_kpi(astana_run: RunResult) -> None:
    chart = energy_section(astana_run).charts[0]
    total = sum(float(np.sum(t.y)) for t in chart.figure.data)
    assert total == pytest.approx(astana_run.kpis.energy_kwh, rel=1e-9)
    runs = astana_run.result.runs
    n_trips = int((runs["trip_id"] != "").sum())
    up, down, empty = chart.figure.data
    assert len(up.y) + len(down.y) == n_trips
    assert len(empty.y) == int((runs["trip_id"] == "").sum())
    # A trip's point is at its first actual departure.
    st = astana_run.result.stop_times
    first = st[st["trip_id"] == up.text[0]]["actual_departure_s"].min()
    assert up.x[0] / 1000 == pytest.approx(first)
    assert f"{astana_run.kpis.energy_kwh:,.0f} kWh" in energy_section(astana_run).text[0]
