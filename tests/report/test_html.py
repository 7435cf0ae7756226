"""report.html as text: one self-contained file, plotly.js once, every section, table and chart
in it, every text escaped, nothing fetched; the scenario summary; the charts' PNGs."""

from __future__ import annotations

import dataclasses
import json
import re
import struct
from html.parser import HTMLParser
from typing import Any

import matplotlib
import plotly.graph_objects as go
import pytest
from matplotlib import _pylab_helpers
from plotly.offline import get_plotlyjs

from lrtsim.model.load import load_scenario
from lrtsim.pipeline import RunResult
from lrtsim.report.html import SHORT_CELL_CHARS, report_html
from lrtsim.report.sections import Chart, Section
from lrtsim.report.static_files import static_pngs
from lrtsim.report.style import STATIC_DPI, STATIC_SIZE_IN, static_figure
from lrtsim.report.summary import summary_section
from support.report_samples import HOSTILE, sample_sections

GENERATED = "2026-03-14 09:30 UTC"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Page(HTMLParser):
    """Every element of a page: tag, attributes and the text directly inside it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[dict[str, Any]] = []
        self.stack: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(element)
        for open_element in self.stack:
            open_element.setdefault("inner", []).append(element)
        if tag not in ("meta", "br", "img", "input", "link"):
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data: str) -> None:
        for open_element in self.stack:
            open_element["text"] += data

    def find(self, tag: str, **attrs: str) -> list[dict[str, Any]]:
        return [
            e
            for e in self.elements
            if e["tag"] == tag and all(e["attrs"].get(k) == v for k, v in attrs.items())
        ]


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


@pytest.fixture(scope="module")
def sections(astana_run: RunResult) -> tuple[Section, ...]:
    return (summary_section(astana_run), *sample_sections(astana_run))


@pytest.fixture(scope="module")
def page_text(astana_run: RunResult, sections: tuple[Section, ...]) -> str:
    return report_html(astana_run, sections, title="Astana LRT: run report", generated=GENERATED)


@pytest.fixture(scope="module")
def hostile_run(astana_run: RunResult) -> RunResult:
    """The Astana run with a scenario, a line and a first station named with markup."""
    s = astana_run.scenario
    stations = [s.line.stations[0].model_copy(update={"name": HOSTILE}), *s.line.stations[1:]]
    line = s.line.model_copy(update={"name": f"Line {HOSTILE}", "stations": stations})
    scenario = s.model_copy(update={"name": HOSTILE, "description": HOSTILE, "line": line})
    return dataclasses.replace(astana_run, scenario=scenario)


def without_plotly_js(text: str) -> str:
    return text.replace(get_plotlyjs(), "")


def test_plotly_js_is_embedded_once(page_text: str) -> None:
    js = get_plotlyjs()
    assert page_text.count(js) == 1
    assert page_text.count(js[:2000]) == 1  # not a second, partial copy either
    assert "plotly.js v" not in without_plotly_js(page_text)


def test_nothing_is_fetched(page_text: str) -> None:
    rest = without_plotly_js(page_text)
    assert "http://" not in rest
    assert "https://" not in rest
    page = parse(rest)
    assert not page.find("link")
    assert not page.find("img")
    assert not page.find("iframe")
    for element in page.elements:
        assert "src" not in element["attrs"], element
        href = element["attrs"].get("href")
        assert href is None or href.startswith("#"), element
    assert "url(" not in rest
    assert "@import" not in rest


def test_every_link_of_the_page_has_its_target(page_text: str) -> None:
    page = parse(without_plotly_js(page_text))
    ids = {e["attrs"]["id"] for e in page.elements if "id" in e["attrs"]}
    links = [e["attrs"]["href"][1:] for e in page.find("a")]
    assert links
    assert set(links) <= ids
    assert len(ids) == sum("id" in e["attrs"] for e in page.elements)  # no id twice


def test_header_names_the_run(page_text: str, astana_run: RunResult) -> None:
    page = parse(without_plotly_js(page_text))
    (header,) = page.find("header")
    meta = {d["text"]: dd["text"] for d, dd in zip(page.find("dt"), page.find("dd"), strict=True)}
    assert meta["Scenario"] == astana_run.scenario.name
    assert meta["Run date"] == GENERATED
    assert meta["Seed"] == str(astana_run.seed)
    assert meta["lrtsim"] == load_version()
    assert "Astana LRT: run report" in header["text"]
    assert page.find("title")[0]["text"] == "Astana LRT: run report"


def load_version() -> str:
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).parents[2] / "pyproject.toml"
    return str(tomllib.loads(pyproject.read_text())["project"]["version"])


def test_contents_list_every_section_in_order(page_text: str, sections: tuple[Section]) -> None:
    page = parse(without_plotly_js(page_text))
    (nav,) = page.find("nav")
    links = [e for e in nav["inner"] if e["tag"] == "a"]
    assert [a["attrs"]["href"] for a in links] == [f"#{s.key}" for s in sections]
    assert [a["text"] for a in links] == [s.title for s in sections]


def test_every_section_has_its_id_heading_text_tables_and_charts(
    page_text: str, sections: tuple[Section, ...]
) -> None:
    page = parse(without_plotly_js(page_text))
    assert [e["attrs"]["id"] for e in page.find("section")] == [s.key for s in sections]
    for section in sections:
        (element,) = page.find("section", id=section.key)
        inner = element["inner"]
        (heading,) = [e for e in inner if e["tag"] == "h2"]
        assert heading["text"].endswith(section.title)
        paragraphs = [e["text"] for e in inner if e["tag"] == "p" and not e["attrs"]]
        assert paragraphs == list(section.text)
        captions = [e["text"] for e in inner if e["tag"] == "caption"]
        assert [c.split(". ", 1)[1] for c in captions] == [t.title for t in section.tables]
        plots = [e for e in inner if e["tag"] == "div" and e["attrs"].get("class") == "plot"]
        assert [p["attrs"]["id"] for p in plots] == [f"chart-{c.key}" for c in section.charts]
        figures = [e for e in inner if e["tag"] == "figure"]
        assert len(figures) == len(section.charts)
        for figure, chart in zip(figures, section.charts, strict=True):
            (caption,) = [e for e in figure["inner"] if e["tag"] == "figcaption"]
            assert chart.title in caption["text"]
            assert chart.caption in caption["text"]


def test_each_chart_carries_its_figure(page_text: str, sections: tuple[Section, ...]) -> None:
    page = parse(without_plotly_js(page_text))
    charts = [c for s in sections for c in s.charts]
    for chart in charts:
        (div,) = page.find("div", id=f"chart-{chart.key}")
        (data,) = page.find("script", id=div["attrs"]["data-figure"])
        assert data["attrs"]["type"] == "application/json"
        figure = json.loads(data["text"])
        assert len(figure["data"]) == len(chart.figure.data)
        assert [t["type"] for t in figure["data"]] == [t.type for t in chart.figure.data]
        assert figure["layout"]["title"]["text"] == chart.figure.layout.title.text
    # one script for each chart's data, the config, plotly's window config, plotly.js, the page's
    assert len(page.find("script")) == len(charts) + 4


def test_tables_right_align_numeric_columns(page_text: str, sections: tuple[Section]) -> None:
    page = parse(without_plotly_js(page_text))
    tables = [t for s in sections for t in s.tables]
    elements = page.find("table")
    assert len(elements) == len(tables)
    for element, table in zip(elements, tables, strict=True):
        numeric = table.numeric or tuple(i > 0 for i in range(len(table.header)))
        rows = [e for e in element["inner"] if e["tag"] == "tr"]
        assert len(rows) == len(table.rows) + 1
        for row in rows:
            cells = [e for e in row["inner"] if e["tag"] in ("th", "td")]
            classes = [(c["attrs"].get("class") or "").split() for c in cells]
            assert ["num" in kinds for kinds in classes] == list(numeric)
            for c, kinds in zip(cells, classes, strict=True):
                if c["tag"] == "td":
                    assert ("short" in kinds) == (len(c["text"]) <= SHORT_CELL_CHARS), c["text"]
        body = [[c["text"] for c in r["inner"] if c["tag"] in ("th", "td")] for r in rows[1:]]
        assert body == [list(r) for r in table.rows]


def test_text_stays_text(hostile_run: RunResult) -> None:
    sections = (summary_section(hostile_run), *sample_sections(hostile_run))
    text = report_html(hostile_run, sections, title=HOSTILE, generated=HOSTILE)
    rest = without_plotly_js(text)
    assert "<script>alert" not in rest
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;Ω&quot;" in rest
    page = parse(rest)
    assert page.find("title")[0]["text"] == HOSTILE
    assert page.find("h1")[0]["text"] == HOSTILE
    # the summary names the first station; the heatmap's data names a link after it
    summary = page.find("section", id="summary")[0]["text"]
    assert f"{HOSTILE} to " in summary
    (data,) = page.find("script", id="chart-link-load-up-data")
    assert "<" not in data["text"]
    assert HOSTILE in json.loads(data["text"])["data"][0]["y"]
    assert len(page.find("script")) == 3 + 4


def test_same_inputs_same_page(astana_run: RunResult, sections: tuple[Section, ...]) -> None:
    first = report_html(astana_run, sections, title="t", generated=GENERATED)
    assert report_html(astana_run, sections, title="t", generated=GENERATED) == first
    rebuilt = (summary_section(astana_run), *sample_sections(astana_run))
    assert report_html(astana_run, rebuilt, title="t", generated=GENERATED) == first


def chart(key: str, figure: go.Figure | None = None) -> Chart:
    fig = figure or go.Figure(go.Scatter(x=[0, 1], y=[1, 2]))
    return Chart(key, key, fig, static_figure)


@pytest.mark.parametrize(
    "sections",
    [
        (Section("a", "A"), Section("a", "again")),
        (Section("a", "A", charts=(chart("x"),)), Section("b", "B", charts=(chart("x"),))),
        (Section("chart-x", "A"), Section("b", "B", charts=(chart("x"),))),
        (Section("contents", "A"),),
        (Section("Summary", "A"),),
        (Section("a", "A", charts=(chart("a b"),)),),
        (Section("a", "A", charts=(chart("map", go.Figure(go.Scattergeo(lat=[0], lon=[0]))),)),),
    ],
    ids=["section twice", "chart twice", "ids collide", "page id", "capital", "space", "map"],
)
def test_bad_keys_and_network_charts_are_refused(
    astana_run: RunResult, sections: tuple[Section, ...]
) -> None:
    with pytest.raises(ValueError, match=r"key|twice|network"):
        report_html(astana_run, sections, title="t", generated=GENERATED)


# ---------------------------------------------------------------------------------- summary
def summary_rows(section: Section, title: str) -> dict[str, tuple[str, ...]]:
    (table,) = [t for t in section.tables if t.title == title]
    return {row[0]: row[1:] for row in table.rows}


def test_summary_headline_is_the_runs_figures(astana_run: RunResult) -> None:
    section = summary_section(astana_run)
    assert (section.key, section.title) == ("summary", "Scenario summary")
    rows = summary_rows(section, "Headline")
    c = astana_run.design.plan.circulation
    k, a = astana_run.kpis, astana_run.headways
    assert rows["Fleet required"][0] == f"{c.fleet_required} trains"
    assert (
        f"{c.in_service_peak} in service at the peak + {c.spares} spare"
        in rows["Fleet required"][1]
    )
    assert c.fleet_required == c.in_service_peak + c.spares
    # Astana's policy: 5 min in the peaks (07–10, 16–20), 10 min otherwise (astana.toml)
    policy = load_scenario("astana").service.periods
    peak = min(p.max_headway_s for p in policy)
    assert rows["Peak headway"][0] == f"{peak / 60:g} min"
    assert "07:00–10:00, 16:00–20:00" in rows["Peak headway"][1]
    assert rows["Line capacity"][0] == f"{3600 / a.bottleneck.min_headway_s:.1f} trains/h/direction"
    assert a.bottleneck.where in rows["Line capacity"][1]
    assert rows["Punctuality"][0] == f"{k.punctuality_pct:.1f} %"
    assert rows["Excess wait"][0] == f"{k.mean_wait_s - k.scheduled_wait_s:.1f} s"
    assert rows["Denied boarding"][0] == f"{k.denied_boarding_pct:.2f} %"
    assert rows["Energy"][0] == f"{k.energy_kwh:,.0f} kWh/day"
    assert k.delay_passenger_hours is not None
    assert rows["Cost of the disturbance"][0] == f"{k.delay_passenger_hours:,.1f} passenger-hours"


def test_summary_describes_line_stock_service_and_conditions(astana_run: RunResult) -> None:
    section = summary_section(astana_run)
    source = load_scenario("astana")
    stations = source.line.stations
    line = summary_rows(section, "Line, signalling and rolling stock")
    assert line["Length"][0].startswith(f"{stations[-1].km - stations[0].km:.2f} km, Airport to")
    assert line["Stations"][0].startswith(f"{len(stations)},")
    assert line["Depot"][0].startswith("Airport depot")
    assert line["Signalling"][0].startswith("CBTC moving block")
    stock = source.rolling_stock
    assert line["Train length"][0] == f"{stock.length_m:g} m"
    seated_and_standing = stock.seats + stock.standing_area_m2 * 4.0
    crush = stock.seats + stock.standing_area_m2 * stock.crush_standing_pax_per_m2
    assert line["Train capacity"][0].startswith(f"{seated_and_standing:.0f} passengers at the 4")
    assert f"; {crush:.0f} at crush load" in line["Train capacity"][0]
    assert line["Train top speed"][0] == f"{stock.max_speed_kmh:g} km/h"
    service = summary_rows(section, "Service and demand")
    assert service["Design day"][0].startswith("weekday (Mon–Fri)")
    assert service["Service hours"][0] == f"{source.service.start}–{source.service.end}"
    assert service["Demand"][0] == f"{source.demand.daily_boardings:,.0f} boardings a day (weekday)"
    weekend = 0.6 * source.demand.daily_boardings  # astana.toml: demand_factor = 0.6
    assert service["Other day type: weekend"][0].startswith(f"Sat–Sun; {weekend:,.0f} boardings")
    assert service["Seed"][0].startswith(f"{astana_run.seed} ")
    conditions = summary_rows(section, "Conditions of the simulated day")
    assert conditions["Incident 1"][0] == (
        "08:15, track blocked between Baiterek and House of Ministries, both directions, 12 min"
    )
    assert conditions["Control"][0] == "none"
    periods = summary_rows(section, "Service periods of the weekday design day")
    assert list(periods) == [f"{p.from_}–{p.to}" for p in source.service.periods]


def test_calm_summary_has_no_incident_nor_cost(astana_calm: RunResult) -> None:
    section = summary_section(astana_calm)
    assert "Cost of the disturbance" not in summary_rows(section, "Headline")
    conditions = summary_rows(section, "Conditions of the simulated day")
    assert conditions["Incidents"] == ("none",)
    assert conditions["Reference day"][0].startswith("none")
    assert "with no incidents" in section.text[0]


# ------------------------------------------------------------------------------------- PNGs
def png_size(data: bytes) -> tuple[int, int]:
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_pngs_are_pngs_named_by_key(sections: tuple[Section, ...]) -> None:
    managers = _pylab_helpers.Gcf.get_num_fig_managers()
    files = static_pngs(sections)
    assert list(files) == [f"png/{c.key}.png" for s in sections for c in s.charts]
    for name, data in files.items():
        assert data.startswith(PNG_MAGIC), name
        assert b"matplotlib" not in data.lower()  # no Software chunk
    width, height = png_size(files["png/headways.png"])
    assert (width, height) == (
        round(STATIC_SIZE_IN[0] * STATIC_DPI),
        round(STATIC_SIZE_IN[1] * STATIC_DPI),
    )
    assert _pylab_helpers.Gcf.get_num_fig_managers() == managers
    assert static_pngs(sections) == files  # the same bytes again


def test_pyplot_figures_are_closed() -> None:
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def pyplot_figure() -> Any:
        fig = plt.figure()
        fig.add_subplot().plot([0, 1], [0, 1])
        return fig

    before = len(plt.get_fignums())
    files = static_pngs([Section("a", "A", charts=(Chart("p", "p", go.Figure(), pyplot_figure),))])
    assert files["png/p.png"].startswith(PNG_MAGIC)
    assert len(plt.get_fignums()) == before


def test_png_keys_must_be_unique() -> None:
    sections = [Section("a", "A", charts=(chart("x"),)), Section("b", "B", charts=(chart("x"),))]
    with pytest.raises(ValueError, match="'x'"):
        static_pngs(sections)


def test_hostile_text_is_escaped_in_table_notes(page_text: str) -> None:
    notes = re.findall(r'<p class="table-note">(.*?)</p>', page_text)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;Ω&quot;" in notes


def test_control_and_incidents_in_words() -> None:
    from lrtsim.model.schema import Control, Incident
    from lrtsim.report.summary import control_text, incident_text

    assert control_text(Control()) == "none"
    holding = Control(strategy="holding", mode="headway", max_hold_s=90.0)
    assert control_text(holding) == "holding, headway-based, at the terminals, for at most 90 s"
    turns = Control(strategy="short_turn", crossovers=["Baiterek", "Nura"])
    assert control_text(turns) == "short turns at Baiterek, Nura"
    closed = Incident(
        at="17:05", kind="station_closed", station="Nura", direction="up", duration_min=30.0
    )
    assert incident_text(closed) == "17:05, station closed at Nura, up, 30 min"
