"""Checks every chart of the report must pass: titled, axes titled with units, traces with
data, station names on the chainage axis, a static form with titled axes."""

from __future__ import annotations

import math
import re
from typing import Any

from matplotlib.figure import Figure

from lrtsim.model.schema import Line
from lrtsim.report.sections import Chart, Section

UNIT = re.compile(r"\((km|km/h|s|m|‰|min)\)")


def values(trace: Any, axis: str) -> list[float]:
    """The numbers of a trace's x or y (gaps left out)."""
    raw = getattr(trace, axis)
    return [float(v) for v in raw if v is not None and not math.isnan(float(v))]


def check_chart(chart: Chart) -> None:
    """The rules every report chart keeps (interactive and static)."""
    fig = chart.figure
    assert fig.layout.title.text, chart.key
    titled = [
        getattr(fig.layout, k)
        for k in fig.layout.to_plotly_json()
        if k.startswith(("xaxis", "yaxis")) and getattr(fig.layout, k).title.text
    ]
    xs = [a for a in titled if a.plotly_name.startswith("xaxis")]
    ys = [a for a in titled if a.plotly_name.startswith("yaxis")]
    assert xs, chart.key
    assert ys, chart.key
    for axis in titled:
        assert UNIT.search(axis.title.text), (chart.key, axis.title.text)
    drawn = [t for t in fig.data if t.x is not None and values(t, "x")]
    assert drawn, chart.key
    for trace in fig.data:
        if trace.showlegend is not False and trace.name:
            assert values(trace, "y"), (chart.key, trace.name)
    static = chart.static()
    assert isinstance(static, Figure)
    axes = static.get_axes()
    assert axes
    assert any(a.get_xlabel() for a in axes), chart.key
    assert any(a.get_ylabel() for a in axes), chart.key
    assert all(UNIT.search(a.get_ylabel()) for a in axes if a.get_ylabel()), chart.key


def name_axis(chart: Chart) -> Any:
    """The top axis holding the station names."""
    layout = chart.figure.layout
    found = [
        getattr(layout, k)
        for k in layout.to_plotly_json()
        if k.startswith("xaxis") and getattr(layout, k).ticktext
    ]
    assert len(found) == 1, chart.key
    return found[0]


def check_station_names(chart: Chart, line: Line) -> None:
    """The chart's names axis shows the line's stations in line order at their chainage."""
    axis = name_axis(chart)
    assert list(axis.ticktext) == [s.name for s in line.stations]
    assert list(axis.tickvals) == [s.km for s in line.stations]
    every = [c for a in chart.static().get_axes() for c in (a, *a.child_axes)]
    static_ticks = [[t.get_text() for t in a.get_xticklabels()] for a in every]
    assert [s.name for s in line.stations] in static_ticks


def trace(chart: Chart, name: str) -> Any:
    """The one trace called `name`."""
    found = [t for t in chart.figure.data if t.name == name]
    assert len(found) == 1, (chart.key, name, [t.name for t in chart.figure.data])
    return found[0]


def check_section(section: Section) -> None:
    """Every chart of `section` titled, with titled axes (a unit, or what the axis names:
    stations, links, hours) and data, and a static twin with titled axes."""
    assert section.title
    assert section.key
    for chart in section.charts:
        layout = chart.figure.layout
        assert layout.title.text, chart.key
        axes = layout.to_plotly_json().items()
        xs = [a for k, a in axes if k.startswith("xaxis")]
        ys = [a for k, a in layout.to_plotly_json().items() if k.startswith("yaxis")]
        assert any(a.get("title", {}).get("text") for a in xs), chart.key
        assert any(a.get("title", {}).get("text") for a in ys), chart.key
        shown = [t for t in chart.figure.data if t.x is not None and len(t.x)]
        assert shown, chart.key
        static = chart.static()
        assert isinstance(static, Figure)
        drawn = static.get_axes()
        assert drawn, chart.key
        assert any(ax.get_xlabel() for ax in drawn), chart.key
        assert any(ax.get_ylabel() for ax in drawn), chart.key
        assert any(ax.get_title(loc="left") for ax in drawn) or static.get_suptitle(), chart.key
