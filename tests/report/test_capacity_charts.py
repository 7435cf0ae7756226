"""The report's headways-and-capacity section against the `HeadwayAnalysis` it shows."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from chart_checks import check_chart, check_station_names, trace, values

from lrtsim.capacity.analysis import HeadwayAnalysis, analyse
from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Turnback, TurnbackPair
from lrtsim.pipeline import RunResult
from lrtsim.report.capacity_charts import capacity_section
from lrtsim.report.capacity_plot import plot_headway
from lrtsim.report.sections import Section


@pytest.fixture(scope="module")
def section(astana_calm: RunResult) -> Section:
    return capacity_section(astana_calm)


@pytest.fixture(scope="module")
def fixed_block() -> SimpleNamespace:
    """Astana with fixed block and quick four-platform turnbacks: a station binds."""
    astana = load_scenario("astana")
    quick = Turnback(platforms=4, route_setting_s=0)
    sig = astana.signalling.model_copy(
        update={"kind": "fixed_block", "turnback": TurnbackPair(start=quick, end=quick)}
    )
    scenario = astana.model_copy(update={"signalling": sig})
    return SimpleNamespace(scenario=scenario, headways=analyse(scenario))


def test_charts_and_table(section: Section, astana_calm: RunResult) -> None:
    assert [c.key for c in section.charts] == ["minimum-headways", "blocking-times"]
    for chart in section.charts:
        check_chart(chart)
    check_station_names(section.charts[0], astana_calm.scenario.line)
    analysis = astana_calm.headways
    (table,) = section.tables
    assert [r[0] for r in table.rows] == [t.name for t in analysis.terminals]
    for row, t in zip(table.rows, analysis.terminals, strict=True):
        assert float(row[3]) == pytest.approx(t.min_headway_s, abs=0.05)
        assert row[4] == t.binding.name.replace("_", " ")


def test_text_names_headway_bottleneck_and_capacity(
    section: Section, astana_calm: RunResult
) -> None:
    a = astana_calm.headways
    text = " ".join(section.text)
    assert f"{a.line_min_headway_s:.1f} s" in text
    assert a.bottleneck.where in text
    assert a.bottleneck.direction in text
    assert f"{a.trains_per_hour:.1f} trains per hour" in text
    assert f"{a.passengers_per_hour_per_direction:,.0f}" in text
    assert f"{a.crush_passengers_per_hour_per_direction:,.0f}" in text


def _check_headway_chart(section: Section, analysis: HeadwayAnalysis) -> None:
    chart = section.charts[0]
    tops = [max(values(t, "y")) for t in chart.figure.data if values(t, "y")]
    assert max(tops) == pytest.approx(analysis.bottleneck.min_headway_s)
    star = trace(chart, "bottleneck")
    assert list(star.y) == pytest.approx([analysis.bottleneck.min_headway_s])
    for d in analysis.directions:
        points = trace(chart, f"station, {d.direction}")
        assert sorted(points.y) == pytest.approx(sorted(h.min_headway_s for h in d.stations))
        line = values(trace(chart, f"open line, {d.direction}"), "y")
        assert sorted(set(line)) == pytest.approx(sorted({h.min_headway_s for h in d.lines}))
    ends = trace(chart, "terminal turnback")
    assert list(ends.y) == pytest.approx([t.min_headway_s for t in analysis.terminals])


def test_headway_chart_is_the_analysis(section: Section, astana_calm: RunResult) -> None:
    _check_headway_chart(section, astana_calm.headways)
    star = trace(section.charts[0], "bottleneck")
    assert astana_calm.headways.bottleneck.kind == "terminal"
    names = {s.name: s.km for s in astana_calm.scenario.line.stations}
    assert list(star.x) == [names[astana_calm.headways.bottleneck.where]]


def _check_two_trains(section: Section, analysis: HeadwayAnalysis) -> None:
    chart = section.charts[1]
    assert chart.figure.layout.yaxis.autorange == "reversed"
    leader, follower = trace(chart, "leader: head"), trace(chart, "follower: head")
    gap_min = np.array(follower.y) - np.array(leader.y)
    assert gap_min == pytest.approx(analysis.line_min_headway_s / 60.0)
    block = trace(chart, "leader: blocking time")
    d = analysis.direction(analysis.bottleneck.direction)
    # the band spans the leader's blocking times: from its earliest start to its latest end
    ys = np.array(block.y) * 60.0
    inside = (d.stairway.start_s >= ys.min() - 1e-6) & (d.stairway.end_s <= ys.max() + 1e-6)
    assert inside.sum() == len(block.y) // 4


def test_blocking_diagram_two_trains_a_headway_apart(
    section: Section, astana_calm: RunResult
) -> None:
    _check_two_trains(section, astana_calm.headways)


def test_fixed_block_station_bottleneck(fixed_block: SimpleNamespace) -> None:
    analysis = fixed_block.headways
    assert analysis.bottleneck.kind == "station"
    section = capacity_section(fixed_block)
    for chart in section.charts:
        check_chart(chart)
    _check_headway_chart(section, analysis)
    _check_two_trains(section, analysis)
    assert "fixed block" in section.text[0]


def test_plot_headway_still_writes_its_file(astana_calm: RunResult, tmp_path: Path) -> None:
    path = tmp_path / "headway.png"
    plot_headway(astana_calm.headways, path)
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
