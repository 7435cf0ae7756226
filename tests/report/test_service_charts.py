"""The service section: the plan by period and the fleet through the day."""

from __future__ import annotations

import numpy as np
from chart_checks import check_section

from lrtsim.pipeline import RunResult
from lrtsim.planning.circulation import out_of_depot, trains_out_at
from lrtsim.report.service_charts import fleet_curve, service_section


def test_service_section_charts_are_titled_and_saved(astana_run: RunResult) -> None:
    check_section(service_section(astana_run))


def test_plan_table_has_every_period_of_every_day_type(astana_run: RunResult) -> None:
    table = service_section(astana_run).tables[0]
    periods = [(d.day_type, p) for d in astana_run.day_plans for p in d.plan.periods]
    assert len(table.rows) == len(periods)
    assert table.header[0] == "day type"  # Astana has weekday and weekend
    col = table.header.index("trains in service")
    for row, (day_type, p) in zip(table.rows, periods, strict=True):
        plan = next(d.plan for d in astana_run.day_plans if d.day_type == day_type)
        assert row[0] == day_type
        assert row[1] == p.label
        assert row[col] == str(trains_out_at(plan.blocks, 0.5 * (p.from_s + p.to_s)))
        assert row[2] == f"{p.headway_s / 60:g} min"


def test_fleet_curve_peaks_at_the_plans_trains_in_service(astana_run: RunResult) -> None:
    for day in astana_run.day_plans:
        curve = fleet_curve(day.plan.blocks)
        assert curve.trains.max() == day.plan.circulation.in_service_peak
        assert curve.trains[-1] == 0
        # At any time, the count is the blocks out of the depot then.
        for t in (6.5 * 3600, 8.25 * 3600, 13 * 3600, 21.5 * 3600):
            k = np.searchsorted(curve.time_s, t, side="right") - 1
            assert curve.trains[k] == trains_out_at(day.plan.blocks, t)
    design = astana_run.design.plan
    chart = service_section(astana_run).charts[0]
    line = next(t for t in chart.figure.data if t.name.startswith(astana_run.design.day_type))
    assert max(line.y) == out_of_depot(design.blocks)[0]
    pulls = next(t for t in chart.figure.data if t.name.startswith("pull-out"))
    assert len(pulls.x) == (design.blocks["activity"] == "pull_out").sum()
    levels = sorted(s.y0 for s in chart.figure.layout.shapes)
    assert levels == [design.circulation.in_service_peak, design.circulation.fleet_required]


def test_text_gives_fleet_cycle_train_km_and_hours(astana_run: RunResult) -> None:
    text = " ".join(service_section(astana_run).text)
    c = astana_run.design.plan.circulation
    assert f"fleet {c.fleet_required} trains" in text
    assert f"{astana_run.design.plan.cycle_time_s / 60:.1f} min" in text
    assert f"{c.train_km:,.0f} train-km" in text
    assert f"{c.train_hours:,.1f} train-hours" in text
