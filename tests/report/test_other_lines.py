"""The report's words on a line unlike Astana: the TriMet MAX Green line imported from GTFS
(no depot, no day types, service past midnight) and a scenario with its own OD matrix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from lrtsim.pipeline import RunResult, run_pipeline
from lrtsim.planning.day_types import EVERY_DAY
from lrtsim.report.demand_charts import demand_section, load_factors, od_chart
from lrtsim.report.service_charts import service_section
from lrtsim.report.summary import service_hours, summary_section

FEED = Path(__file__).resolve().parents[3] / "shared" / "data" / "feeds"
FEED = FEED / "trimet-max-green-2021.zip"


@pytest.fixture(scope="module")
def green_run() -> RunResult:
    """The imported Green line's day with 20,000 boardings (gravity model), seed 1."""
    if not FEED.is_file():
        pytest.skip(f"{FEED} is absent")
    from lrtsim.io.gtfs.import_scenario import import_gtfs

    scenario = import_gtfs(FEED, "200").scenario
    demand = scenario.demand.model_copy(update={"daily_boardings": 20_000.0})
    return run_pipeline(scenario.model_copy(update={"demand": demand}), seed=1)


def test_service_past_midnight_reads_next_day(green_run: RunResult) -> None:
    assert green_run.day.service.end == "25:45"
    table = next(t for t in summary_section(green_run).tables if t.title == "Service and demand")
    hours = {r[0]: r[1] for r in table.rows}["Service hours"]
    assert hours == f"{green_run.day.service.start}–01:45 (next day)"
    assert service_hours("06:00", "23:30") == "06:00–23:30"
    assert service_hours("24:00", "24:30") == "00:00 (next day)–00:30 (next day)"


def test_a_day_without_day_types_is_every_day(green_run: RunResult) -> None:
    assert green_run.design.day_type == EVERY_DAY
    section = summary_section(green_run)
    assert "simulates its service day (every day of the week) (seed 1)" in section.text[0]
    assert "daily service day" not in section.text[0]
    assert section.tables[0].note.startswith("The simulated service day (every day of the week)")


def test_fleet_chart_without_a_depot_names_the_sidings(green_run: RunResult) -> None:
    assert green_run.day.line.depot is None
    chart = service_section(green_run).charts[0]
    first = green_run.day.line.stations[0].name
    assert "depot" not in chart.figure.layout.yaxis.title.text
    assert chart.title == "Fleet through the day: trains out of the sidings (no depot)"
    assert f"{first} sidings" in chart.caption
    assert "trains out of the depot" not in chart.title
    assert "names no depot" in chart.caption
    static = chart.static()
    assert isinstance(static, Figure)
    assert static.axes[0].get_ylabel() == "Trains out of the sidings"


def test_od_caption_follows_the_demand_source(green_run: RunResult) -> None:
    gravity = demand_section(green_run).charts[0].caption
    assert "home to activity" in gravity
    given = od_chart(green_run.design.plan, "od.csv").caption
    assert "home to activity" not in given
    assert "od.csv" in given
    assert "reverse" in given


def test_astana_keeps_its_depot_and_day_types(astana_run: RunResult) -> None:
    chart = service_section(astana_run).charts[0]
    assert chart.title == "Fleet through the day: trains out of the depot"
    text = summary_section(astana_run).text[0]
    assert "simulates its weekday service day" in text


def test_hours_past_midnight_follow_the_service_day(green_run: RunResult) -> None:
    """A service to 25:45 shows its late hours as 24:00 and 25:00 after 23:00, not wrapped to
    the start of the chart; each column's trains are those departing in that clock hour."""
    plan = green_run.design.plan
    capacity = green_run.day.rolling_stock.capacity_at(
        green_run.day.service.loading_standard_pax_per_m2
    )
    factors = load_factors(plan, capacity)
    first = int(plan.periods[0].from_s // 3600)
    departures = plan.timetable["departure_s"].to_numpy(float)
    last = int(np.nanmax(departures) // 3600)
    assert last >= 24
    assert factors.hours == tuple(range(first, last + 1))
    late = factors.hours.index(24)
    assert factors.trains_per_h[:, late, :].sum() > 0
