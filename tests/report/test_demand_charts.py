"""The demand section: OD heatmap, boardings by station, load factor by link and hour."""

from __future__ import annotations

import numpy as np
import pytest
from chart_checks import check_section

from lrtsim.metrics.tables import departure_rows
from lrtsim.pipeline import RunResult
from lrtsim.report.demand_charts import demand_section, load_factors


def test_demand_section_charts_are_titled_and_saved(astana_run: RunResult) -> None:
    section = demand_section(astana_run)
    assert [c.key for c in section.charts] == ["od-matrix", "boardings", "load-factor"]
    check_section(section)


def test_od_heatmap_sums_to_the_od_total_with_stations_in_line_order(
    astana_run: RunResult,
) -> None:
    od = astana_run.design.plan.od
    trace = demand_section(astana_run).charts[0].figure.data[0]
    names = [s.name for s in astana_run.day.line.stations]
    assert list(trace.x) == names
    assert list(trace.y) == names
    assert np.asarray(trace.z).sum() == pytest.approx(od.total)
    # Row i, column j: trips from station i to station j, whatever the hour.
    assert np.asarray(trace.z)[0, 5] == pytest.approx(od.trips[:, 0, 5].sum())


def test_boardings_bars_are_the_plans_and_markers_the_simulated(astana_run: RunResult) -> None:
    plan = astana_run.design.plan
    boardings, alightings, simulated = demand_section(astana_run).charts[1].figure.data
    assert sum(boardings.y) == pytest.approx(plan.od.total)
    assert sum(alightings.y) == pytest.approx(plan.od.total)
    visits = astana_run.result.stop_visits
    assert sum(simulated.y) == visits["boarded"].sum()
    k = list(simulated.x).index("Baiterek")
    assert simulated.y[k] == visits.loc[visits["station"] == "Baiterek", "boarded"].sum()


def test_load_factor_is_link_load_over_trains_times_capacity(astana_run: RunResult) -> None:
    plan = astana_run.design.plan
    day = astana_run.day
    capacity = day.rolling_stock.capacity_at(day.service.loading_standard_pax_per_m2)
    factors = load_factors(plan, capacity)
    # Trains up on link 11 (Baiterek → House of Ministries) between 08:00 and 09:00, counted
    # from the timetable directly: departures up from station 11 in that hour.
    tt = plan.timetable[departure_rows(plan.timetable).to_numpy()]
    count = (
        (tt["direction"] == "up")
        & (tt["station_index"] == 11)
        & (tt["departure_s"] >= 8 * 3600)
        & (tt["departure_s"] < 9 * 3600)
    ).sum()
    h = factors.hours.index(8)
    assert factors.trains_per_h[0, h, 11] == count > 0
    expected = 100 * plan.loads.link_in("up")[8, 11] / (count * capacity)
    assert factors.load_factor_pct[0, h, 11] == pytest.approx(expected)
    chart = demand_section(astana_run).charts[2]
    up = next(t for t in chart.figure.data if t.coloraxis)
    assert np.asarray(up.z)[11, h] == pytest.approx(expected)
    # 100 % is on the colour bar, inside the scale.
    bar = chart.figure.layout.coloraxis
    assert 100.0 in bar.colorbar.tickvals
    assert bar.cmax >= 100.0


def test_text_names_the_peak_and_the_maximum_load_point(astana_run: RunResult) -> None:
    hour, direction, link, _ = astana_run.design.plan.loads.peak()
    names = astana_run.design.plan.loads.stations
    text = demand_section(astana_run).text[0]
    assert f"{hour:02d}:00" in text
    assert direction in text
    assert names[link] in text
    assert names[link + 1] in text
