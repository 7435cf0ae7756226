"""report.html opened in Chromium (Debian's /usr/bin/chromium, never a downloaded browser): no
error, no request beyond the file itself, every chart drawn with its title and axis titles,
screenshots of the page and of each section, and a PDF printed with the print stylesheet."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from lrtsim.pipeline import RunResult, report_sections
from lrtsim.report.html import report_html
from lrtsim.report.page_style import PRINT_WIDTH_PX
from lrtsim.report.sections import Chart, Section

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:")
VIEWPORT = {"width": 1366, "height": 900}
"""A common laptop screen."""

if not CHROMIUM.exists():
    reason = f"{CHROMIUM} is missing (apt-get install chromium; `make test` installs it)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: a CI run must open the report in a browser", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


@dataclass
class Opened:
    """The report open in a page, and what the page did while loading it."""

    page: Any
    path: Path
    sections: tuple[Section, ...]
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)

    @property
    def charts(self) -> list[Chart]:
        return [c for s in self.sections for c in s.charts]


@pytest.fixture(scope="module")
def sections(astana_run: RunResult) -> tuple[Section, ...]:
    """Every section of the report `lrtsim run` writes, for the disturbed Astana day."""
    return tuple(report_sections(astana_run))


@pytest.fixture(scope="module")
def report_file(
    astana_run: RunResult, sections: tuple[Section, ...], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    text = report_html(
        astana_run, sections, title="Astana LRT: run report", generated="2026-03-14 09:30"
    )
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def opened(browser: Any, report_file: Path, sections: tuple[Section, ...]) -> Iterator[Opened]:
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    page = context.new_page()
    state = Opened(page, report_file, sections)
    page.on("console", lambda m: state.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: state.errors.append(str(e)))
    page.on("request", lambda r: state.requests.append(r.url))

    def route(r: Any) -> None:
        if r.request.url.startswith(("http:", "https:")):
            state.aborted.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    page.route("**/*", route)
    page.goto(report_file.as_uri())
    page.wait_for_function(
        "n => document.querySelectorAll('.js-plotly-plot').length === n",
        arg=len(state.charts),
        timeout=30_000,
    )
    page.wait_for_load_state("networkidle")
    yield state
    context.close()


def test_no_errors_and_no_network(opened: Opened) -> None:
    assert opened.errors == []
    assert [m for m in opened.console if m[0] == "error"] == []
    assert opened.requests, "the page's own request should be seen"
    assert [u for u in opened.requests if not u.startswith(LOCAL_SCHEMES)] == []
    assert opened.aborted == []


CHART_STATE = """
div => {
  const gd = document.getElementById(div);
  const axes = Object.keys(gd._fullLayout).filter(k => /^[xy]axis[0-9]*$/.test(k));
  return {
    traces: gd.data.length,
    points: gd.calcdata.map(cd => (cd[0] && cd[0].z ? cd[0].z.length : cd.length)),
    title: (gd.layout.title || {}).text || "",
    axes: axes.map(k => ({
      name: k,
      title: ((gd.layout[k] || {}).title || {}).text || "",
      visible: gd._fullLayout[k].visible !== false,
      overlaying: Boolean(gd._fullLayout[k].overlaying),
    })),
    width: gd._fullLayout.width,
    svg: gd.querySelectorAll("svg.main-svg").length,
    drawnTitle: (gd.querySelector(".gtitle") || {}).textContent || "",
  };
}
"""


def chart_state(opened: Opened, chart: Chart) -> dict[str, Any]:
    state: dict[str, Any] = opened.page.evaluate(CHART_STATE, f"chart-{chart.key}")
    return state


def test_every_chart_is_drawn_with_its_titles(opened: Opened) -> None:
    assert opened.page.locator(".js-plotly-plot").count() == len(opened.charts)
    for chart in opened.charts:
        state = chart_state(opened, chart)
        assert state["traces"] == len(chart.figure.data) > 0, chart.key
        assert all(n > 0 for n in state["points"]), chart.key
        assert state["title"] == chart.figure.layout.title.text != "", chart.key
        assert state["drawnTitle"] == state["title"], chart.key
        assert state["svg"] > 0
        names = {a["name"] for a in state["axes"]}
        assert {"xaxis", "yaxis"} <= names, chart.key
        # Subplots sharing a time or chainage axis title it once, under the lowest.
        assert any(a["title"] for a in state["axes"] if a["name"].startswith("x")), chart.key
        for axis in state["axes"]:
            if axis["visible"] and axis["name"].startswith("y") and not axis["overlaying"]:
                assert axis["title"], f"{chart.key}: {axis['name']} has no title"


def test_subplots_have_every_axis(opened: Opened) -> None:
    (chart,) = [c for c in opened.charts if c.key == "load-factor"]
    names = {a["name"] for a in chart_state(opened, chart)["axes"]}
    assert names == {"xaxis", "xaxis2", "yaxis", "yaxis2"}


def test_contents_links_reach_their_sections(opened: Opened) -> None:
    page = opened.page
    for section in opened.sections:
        page.locator(f'nav.toc a[href="#{section.key}"]').click()
        page.wait_for_function(f"location.hash === '#{section.key}'")
        top = page.evaluate(f"document.getElementById('{section.key}').getBoundingClientRect().top")
        assert abs(top) < 2 or page.evaluate(
            "window.scrollY + window.innerHeight >= document.body.scrollHeight - 2"
        )
    page.evaluate("window.scrollTo(0, 0)")


def test_screenshots(opened: Opened, tmp_path: Path) -> None:
    full = tmp_path / "report.png"
    opened.page.screenshot(path=str(full), full_page=True)
    assert full.read_bytes().startswith(b"\x89PNG")
    height = opened.page.evaluate("document.documentElement.scrollHeight")
    assert height > VIEWPORT["height"]
    for section in opened.sections:
        shot = tmp_path / f"section-{section.key}.png"
        opened.page.locator(f"section#{section.key}").screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000, section.key
    # charts fill the page's column, not a fixed width
    widths = {chart_state(opened, c)["width"] for c in opened.charts}
    column = opened.page.evaluate("document.querySelector('main').clientWidth")
    assert all(column - 40 <= w <= column for w in widths), (widths, column)


def test_print_lays_charts_out_for_a4(opened: Opened, tmp_path: Path) -> None:
    page = opened.page
    page.emulate_media(media="print")
    try:
        page.wait_for_function(
            f"() => [...document.querySelectorAll('.js-plotly-plot')]"
            f".every(gd => gd._fullLayout.width === {PRINT_WIDTH_PX})"
        )
        hidden = page.evaluate(
            "[...document.querySelectorAll('.modebar-container')]"
            ".every(m => getComputedStyle(m).display === 'none')"
        )
        assert hidden
        pdf = tmp_path / "report.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True)
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-")
        assert len(data) > 50_000
        # The page tree's root counts every page: the header and contents, then each section
        # from a new page.
        count = max(int(n) for n in re.findall(rb"/Type /Pages\s*/Count (\d+)", data))
        assert count >= len(opened.sections) + 1
    finally:
        page.emulate_media(media="screen")
    page.wait_for_function(
        f"() => [...document.querySelectorAll('.js-plotly-plot')]"
        f".every(gd => gd._fullLayout.width > {PRINT_WIDTH_PX})"
    )
    assert opened.errors == []


def test_the_report_has_every_section_the_planner_reads(opened: Opened) -> None:
    shown = opened.page.evaluate("[...document.querySelectorAll('main section')].map(s => s.id)")
    assert shown == [s.key for s in opened.sections]
    for needed in ("summary", "line", "speed", "capacity", "demand", "service", "marey"):
        assert needed in shown
    for needed in ("reliability", "kpis", "energy"):
        assert needed in shown


def test_the_marey_diagram_shades_the_incident(opened: Opened, astana_run: RunResult) -> None:
    incidents = astana_run.day.operations.incidents
    assert incidents
    drawn = opened.page.evaluate(
        "document.querySelectorAll('#chart-marey .shapelayer path').length"
    )
    assert drawn >= len(incidents)
    label = opened.page.evaluate(
        "[...document.querySelectorAll('#chart-marey .annotation-text')].map(a => a.textContent)"
    )
    assert any("blocked" in text for text in label), label
