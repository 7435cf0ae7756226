"""The report takes its summary figures from the run's KPIs and the metrics layer, never its
own recount: a run whose KPIs are changed shows the changed figures."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lrtsim.metrics.waits import counted, counted_waits, passenger_waits, waits
from lrtsim.pipeline import RunResult
from lrtsim.report.day_charts import marey_section
from lrtsim.report.energy_charts import energy_section
from lrtsim.report.reliability_charts import reliability_section


def _with_kpis(run: RunResult, **changes: object) -> RunResult:
    return dataclasses.replace(run, kpis=dataclasses.replace(run.kpis, **changes))


def test_marey_text_gives_the_kpis_trips(astana_run: RunResult) -> None:
    k = astana_run.kpis
    assert (
        marey_section(astana_run)
        .text[0]
        .startswith(f"{k.trips_planned} trips planned, {k.trips_operated} operated")
    )
    changed = _with_kpis(astana_run, trips_planned=k.trips_planned + 7, trips_operated=3)
    assert marey_section(changed).text[0].startswith(f"{k.trips_planned + 7} trips planned, 3 ")


def test_energy_text_gives_the_kpi(astana_run: RunResult) -> None:
    changed = _with_kpis(astana_run, energy_kwh=astana_run.kpis.energy_kwh + 1000.0)
    section = energy_section(changed)
    assert f"{astana_run.kpis.energy_kwh + 1000.0:,.0f} kWh" in section.text[0]
    assert f"{astana_run.kpis.energy_kwh + 1000.0:,.0f} kWh" in section.charts[0].caption


def test_wait_text_gives_the_kpis(astana_run: RunResult) -> None:
    changed = _with_kpis(astana_run, mean_wait_s=600.0, passengers_counted=12345)
    section = reliability_section(changed)
    assert "12,345 passengers who boarded" in section.text[1]
    assert "mean 10.0 min" in section.text[1]


def test_counted_waits_are_the_kpis_passengers(astana_run: RunResult) -> None:
    result = astana_run.result
    table = passenger_waits(result.passengers, result.stop_times)
    keep = counted(table)
    # boarded and scheduled, by the table's own columns
    expected = table["boarded"].to_numpy() & table["scheduled_wait_s"].notna().to_numpy()
    assert (keep == expected).all()
    assert 0 < keep.sum() == astana_run.kpis.passengers_counted < len(table)
    actual, scheduled = counted_waits(table)
    assert actual.mean() == pytest.approx(astana_run.kpis.mean_wait_s)
    assert scheduled.mean() == pytest.approx(astana_run.kpis.scheduled_wait_s)
    assert np.percentile(actual, 95) == pytest.approx(astana_run.kpis.p95_wait_s)
    assert waits(result.passengers, result.stop_times).counted == keep.sum()
