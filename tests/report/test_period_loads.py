"""The plan's period loads as the report states them: the hours the planner reads, the busiest
one, the tables' notes, and how the demand heatmap differs from them."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_hex

from lrtsim.pipeline import RunResult
from lrtsim.report.demand_charts import NO_TRAIN, demand_section, load_factors
from lrtsim.report.period_loads import busiest_hour, design_trip_s, hour_span, load_hours
from lrtsim.report.service_charts import service_section
from lrtsim.report.summary import summary_section


def test_load_hours_give_the_planners_max_load(astana_run: RunResult) -> None:
    for day in astana_run.day_plans:
        plan = day.plan
        hourly = plan.loads.link_loads.max(axis=(0, 2))
        trip_s = max(run.total_time_s for run in astana_run.runs.planned)
        assert design_trip_s(plan) == pytest.approx(trip_s)
        for p in plan.periods:
            hours = load_hours(p, trip_s)
            assert hours[0] == p.from_s // 3600
            # the window reaches one trip past the period's end
            assert hours[-1] == int(p.to_s - 1 + trip_s) // 3600 % 24
            assert hourly[list(hours)].max() == pytest.approx(p.max_load_pax_per_h)
            assert hourly[busiest_hour(plan, p)] == pytest.approx(p.max_load_pax_per_h)


def test_first_astana_period_is_priced_at_the_next_hour(astana_run: RunResult) -> None:
    plan = astana_run.design.plan
    first = plan.periods[0]
    hourly = plan.loads.link_loads.max(axis=(0, 2))
    own = range(first.from_s // 3600, (first.to_s - 1) // 3600 + 1)
    # the period's own hours carry less than the load it is priced at
    assert max(hourly[h] for h in own) < first.max_load_pax_per_h
    assert busiest_hour(plan, first) * 3600 >= first.to_s


def test_plan_tables_show_the_busiest_hour_and_the_rule(astana_run: RunResult) -> None:
    plan_table = service_section(astana_run).tables[0]
    col = plan_table.header.index("busiest hour")
    periods = [(d.plan, p) for d in astana_run.day_plans for p in d.plan.periods]
    for row, (plan, p) in zip(plan_table.rows, periods, strict=True):
        assert row[col] == hour_span(busiest_hour(plan, p))
    summary = next(t for t in summary_section(astana_run).tables if "periods" in t.title)
    col = summary.header.index("busiest hour")
    for row, p in zip(summary.rows, astana_run.design.plan.periods, strict=True):
        assert row[col] == hour_span(busiest_hour(astana_run.design.plan, p))
    minutes = f"({design_trip_s(astana_run.design.plan) / 60:.0f} min)"
    for note in (plan_table.note, summary.note):
        assert f"one terminal-to-terminal trip {minutes} after its end" in note
        assert "heatmap" in note


def test_demand_text_says_how_the_heatmap_differs(astana_run: RunResult) -> None:
    plan = astana_run.design.plan
    day = astana_run.day
    factors = load_factors(
        plan, day.rolling_stock.capacity_at(day.service.loading_standard_pax_per_m2)
    )
    text = demand_section(astana_run).text[-1]
    assert "not the plan's period load factor" in text
    first = plan.periods[0]
    own = [i for i, h in enumerate(factors.hours) if first.from_s <= h * 3600 < first.to_s]
    seen = np.nanmax(factors.load_factor_pct[:, own, :])
    assert f"the plan gives {100 * first.load_factor:.0f} %" in text
    assert f"reach {seen:.0f} %" in text
    assert 100 * first.load_factor > seen


def test_heatmap_cells_without_a_train_are_grey(astana_run: RunResult) -> None:
    chart = demand_section(astana_run).charts[2]
    grey = [t for t in chart.figure.data if t.name == "no train"]
    shown = [t for t in chart.figure.data if t.coloraxis]
    assert len(grey) == len(shown) == 2
    assert {to_hex(NO_TRAIN)} == {c[1] for t in grey for c in t.colorscale}
    for g, s in zip(grey, shown, strict=True):
        lf = np.asarray(s.z, dtype=float)
        assert np.isnan(lf).any()
        assert (~np.isnan(np.asarray(g.z, dtype=float)) == np.isnan(lf)).all()
    figure = chart.static()
    images = [im for ax in figure.axes for im in ax.get_images()]
    assert images
    assert all(to_hex(im.cmap.get_bad()) == to_hex(NO_TRAIN) for im in images)
