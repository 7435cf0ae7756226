"""A sweep's chart and page, from a made-up points table: one panel per KPI, one line per
value of the other parameters drawn through the table's means with its interval as a band,
units on the axes, the x axis of numbers or of text, and the page self-contained."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from lrtsim.report.estimate_text import estimate_texts
from lrtsim.report.sweep_charts import (
    charted_kpis,
    parameter_title,
    parameter_unit,
    sweep_chart,
    value_text,
)
from lrtsim.report.sweep_page import points_table, sweep_report

HEADWAY = "service.periods[1].max_headway_s"
CV = "operations.dwell_cv"
KPIS = ("excess_wait_s", "punctuality_pct", "energy_kwh", "not_a_column_s")


def points(first: list[Any], second: list[Any] | None = None) -> pd.DataFrame:
    """A points table of the grid `first` × `second` (the last fastest), with KPI statistics
    that differ at every point."""
    rows = []
    for i, a in enumerate(first):
        for j, b in enumerate(second or [None]):
            n = len(rows)
            row: dict[str, Any] = {"point": n, HEADWAY: a}
            if second is not None:
                row[CV] = b
            row.update(day_type="weekday", fleet=20 - i, trains_in_service=18 - i, days=3)
            for k, kpi in enumerate(KPIS[:3]):
                mean = 10.0 * (k + 1) + i + 0.5 * j
                row[f"{kpi}_mean"] = mean
                row[f"{kpi}_mean_low"] = mean - 0.2
                row[f"{kpi}_mean_high"] = mean + 0.3
            rows.append(row)
    table = pd.DataFrame(rows)
    table["punctuality_pct_mean"] = table["punctuality_pct_mean"].astype(float)
    return table


def test_units_come_from_the_key_suffix() -> None:
    assert parameter_unit(HEADWAY) == "s"
    assert parameter_unit(CV) == ""
    assert parameter_unit("rolling_stock.max_speed_kmh") == "km/h"
    assert parameter_unit("operations.failure_rate_per_train_km") == "per train-km"
    assert parameter_unit("service.loading_standard_pax_per_m2") == "pax/m²"
    assert parameter_unit("line.stations[3].dwell_s") == "s"
    assert parameter_title(HEADWAY) == f"{HEADWAY} (s)"
    assert parameter_title(CV) == CV


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.2, "0.2"), (1200, "1,200"), (300.0, "300"), (0.00002, "0.00002"), (True, "true")],
)
def test_values_read_plainly(value: Any, text: str) -> None:
    assert value_text(value) == text


def test_one_panel_per_kpi_one_line_per_other_value_through_the_means() -> None:
    table = points([360, 240, 300], [0.2, 0.4])
    chart = sweep_chart(table, [HEADWAY, CV], KPIS, scenario="astana", days=3, seed=7)
    shown = charted_kpis(table, KPIS)
    assert shown == ["excess_wait_s", "punctuality_pct", "energy_kwh"]
    fig = chart.figure
    assert "astana" in fig.layout.title.text
    assert "3 days a point, base seed 7" in fig.layout.title.text
    means = [t for t in fig.data if t.mode == "lines+markers"]
    assert len(means) == len(shown) * 2
    assert {t.name for t in means} == {f"{CV} = 0.2", f"{CV} = 0.4"}
    assert sum(bool(t.showlegend) for t in means) == 2  # one legend entry a line
    for trace in means[:2]:
        value = 0.2 if trace.name.endswith("0.2") else 0.4
        mine = table[table[CV] == value].sort_values(HEADWAY)
        assert list(trace.x) == list(mine[HEADWAY].astype(float))
        assert list(trace.y) == pytest.approx(list(mine["excess_wait_s_mean"]))
    bands = [t for t in fig.data if t.fill == "toself"]
    assert len(bands) == len(means)
    first = table[table[CV] == 0.2].sort_values(HEADWAY)
    assert list(bands[0].x) == [240.0, 300.0, 360.0, 360.0, 300.0, 240.0]
    high, low = list(first["excess_wait_s_mean_high"]), list(first["excess_wait_s_mean_low"])
    assert list(bands[0].y) == pytest.approx(high + low[::-1])
    axes = [fig.layout[k] for k in fig.layout.to_plotly_json() if k.startswith("yaxis")]
    y_titles = [a.title.text for a in axes if a.visible is not False]
    assert y_titles == ["Excess wait (s)", "Punctuality (%)", "Energy (kWh)"]
    x_titles = {
        fig.layout[k].title.text for k in fig.layout.to_plotly_json() if k.startswith("xaxis")
    }
    assert f"{HEADWAY} (s)" in x_titles


def test_the_static_chart_has_the_same_panels_with_units() -> None:
    table = points([240, 300], [0.2, 0.4])
    static = sweep_chart(table, [HEADWAY, CV], KPIS, scenario="astana", days=3, seed=7).static()
    panels = [a for a in static.get_axes() if a.get_visible()]
    assert [a.get_ylabel() for a in panels] == [
        "Excess wait (s)",
        "Punctuality (%)",
        "Energy (kWh)",
    ]
    assert all(a.get_xlabel() == f"{HEADWAY} (s)" for a in panels)
    lines = panels[0].get_lines()
    assert len(lines) == 2
    assert list(lines[0].get_ydata()) == pytest.approx(
        list(table[table[CV] == 0.2].sort_values(HEADWAY)["excess_wait_s_mean"])
    )
    assert [t.get_text() for t in static.legends[0].get_texts()] == [f"{CV} = 0.2", f"{CV} = 0.4"]
    assert "astana" in static.texts[0].get_text()


def test_text_values_are_drawn_evenly_in_the_order_given() -> None:
    table = points(["none", "holding"])
    chart = sweep_chart(table, [HEADWAY], KPIS, scenario="astana", days=3, seed=7)
    axis = chart.figure.layout.xaxis
    assert list(axis.ticktext) == ["none", "holding"]
    assert list(axis.tickvals) == [0.0, 1.0]
    (mean,) = [t for t in chart.figure.data if t.mode == "lines+markers"][:1]
    assert list(mean.x) == [0.0, 1.0]
    assert mean.name == "mean"
    assert chart.figure.layout.showlegend is False


def test_a_single_value_is_a_mark_with_error_bars() -> None:
    table = points([300], [0.2, 0.4])
    chart = sweep_chart(table, [HEADWAY, CV], KPIS, scenario="astana", days=3, seed=7)
    means = [t for t in chart.figure.data if t.mode == "lines+markers"]
    assert not [t for t in chart.figure.data if t.fill == "toself"]
    assert list(means[0].error_y.array) == pytest.approx([0.3])
    assert list(means[0].error_y.arrayminus) == pytest.approx([0.2])


def test_a_kpi_without_a_value_is_not_charted() -> None:
    table = points([240, 300])
    table["excess_wait_s_mean"] = np.nan
    assert charted_kpis(table, KPIS) == ["punctuality_pct", "energy_kwh"]


def test_the_page_holds_the_grid_the_points_and_the_chart_offline() -> None:
    table = points([240, 300], [0.2, 0.4])
    chart = sweep_chart(table, [HEADWAY, CV], KPIS, scenario="astana", days=3, seed=7)
    page = sweep_report(
        chart=chart,
        table=table,
        parameters=[(HEADWAY, ["240", "300"]), (CV, ["0.2", "0.4"])],
        kpis=KPIS,
        scenario="astana",
        days=3,
        seed=7,
        generated="2026-03-14 09:30",
    ).decode("utf-8")
    assert page.count(get_plotlyjs()[:200]) == 1
    assert '<script src="http' not in page
    assert "240, 300" in page
    assert "chart-sweep" in page
    shown = points_table(table, [HEADWAY, CV], KPIS)
    assert len(shown.rows) == 2 * len(table)  # each point, then its intervals
    assert shown.rows[0][:5] == ("0", "240", "0.2", "20", "18")
    first = table.iloc[0]
    ends = [first[f"excess_wait_s_mean{end}"] for end in ("", "_low", "_high")]
    assert shown.rows[1][-3] == estimate_texts(*ends)[1]
    assert shown.rows[0][-3] == estimate_texts(*ends)[0]
