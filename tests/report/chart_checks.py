"""Checks every chart of the report must pass (titles, axis titles with units, data), shared by
the tests of the demand, service and day sections."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from lrtsim.report.sections import Chart, Section

PNG_DIR = Path("/tmp/service")
"""Where the tests leave the Astana charts' PNGs, to be looked at."""


def check_chart(chart: Chart) -> None:
    """Titled, axes titled (a unit in brackets or a name of stations/links), traces non-empty;
    its static twin a matplotlib Figure with titled axes, saved to `PNG_DIR`."""
    layout = chart.figure.layout
    assert layout.title.text, chart.key
    xs = [a for k, a in layout.to_plotly_json().items() if k.startswith("xaxis")]
    ys = [a for k, a in layout.to_plotly_json().items() if k.startswith("yaxis")]
    assert any(a.get("title", {}).get("text") for a in xs), chart.key
    assert any(a.get("title", {}).get("text") for a in ys), chart.key
    shown = [t for t in chart.figure.data if t.x is not None and len(t.x) and t.x[0] is not None]
    assert shown, chart.key
    static = chart.static()
    assert isinstance(static, Figure)
    axes = static.get_axes()
    assert axes
    assert any(ax.get_xlabel() for ax in axes)
    assert any(ax.get_ylabel() for ax in axes)
    assert any(ax.get_title(loc="left") for ax in axes) or static.get_suptitle()
    PNG_DIR.mkdir(parents=True, exist_ok=True)
    static.savefig(PNG_DIR / f"{chart.key}.png")


def check_section(section: Section) -> None:
    assert section.title
    assert section.key
    for chart in section.charts:
        check_chart(chart)
