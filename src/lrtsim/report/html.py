"""report.html: one self-contained page (plotly's JavaScript embedded once, every chart's data
inline, no URL fetched) that reads on a laptop, works offline and prints on A4.

The page is the header (for a run, `report_html`: scenario, run date, seed, lrtsim version; for
any other page, `page_html`: the caller's), a table of contents, then each `Section` as
`<section id=KEY>`: its heading, paragraphs, tables and charts. The sections are built elsewhere
(`summary.summary_section` and the chart modules); the caller chooses them and their order, so
this module knows none of them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import lrtsim
from lrtsim.report.page_style import CSS, PRINT_MAX_HEIGHT_PX, PRINT_WIDTH_PX

if TYPE_CHECKING:
    from lrtsim.report.sections import Chart, RunView, Section, Table

KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
"""A section's or chart's key: lowercase letters, digits and single hyphens (`Chart.key`)."""

PAGE_IDS = ("contents",)
"""Ids the page itself uses, which no section or chart may take."""

PLOT_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "showLink": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
"""plotly.js settings of every chart: no logo, no link or upload to plotly's cloud, resized
with the page; the camera button saves a PNG in the browser (no network)."""

NETWORK_TRACES = frozenset(
    {
        "scattergeo",
        "choropleth",
        "scattermap",
        "choroplethmap",
        "densitymap",
        "scattermapbox",
        "choroplethmapbox",
        "densitymapbox",
    }
)
"""Trace types that fetch map tiles or topojson from the network: not in an offline report."""

PLOTLY_WINDOW_CONFIG = "window.PlotlyConfig = {MathJaxConfig: 'local'};"
"""Tells plotly.js not to look for MathJax (the report has no LaTeX)."""

PAGE_SCRIPT = f"""
(function () {{
  "use strict";
  var config = JSON.parse(document.getElementById("plot-config").textContent);
  var plots = Array.prototype.slice.call(document.querySelectorAll("div.plot"));
  plots.forEach(function (div) {{
    var figure = JSON.parse(document.getElementById(div.dataset.figure).textContent);
    var layout = figure.layout || {{}};
    div.dataset.width = layout.width === undefined ? "" : String(layout.width);
    div.dataset.height = layout.height === undefined ? "" : String(layout.height);
    Plotly.newPlot(div, figure.data || [], layout, config);
  }});
  function layOut(print) {{
    plots.forEach(function (div) {{
      var width = div.dataset.width ? Number(div.dataset.width) : null;
      var height = div.dataset.height ? Number(div.dataset.height) : null;
      if (print) {{
        var printHeight = Math.min(height || 450, {PRINT_MAX_HEIGHT_PX});
        Plotly.relayout(div, {{width: {PRINT_WIDTH_PX}, height: printHeight}});
      }} else {{
        Plotly.relayout(div, {{width: width, height: height, autosize: width === null}})
          .then(function () {{ return Plotly.Plots.resize(div); }});
      }}
    }});
  }}
  window.addEventListener("beforeprint", function () {{ layOut(true); }});
  window.addEventListener("afterprint", function () {{ layOut(false); }});
  var media = window.matchMedia("print");
  media.addEventListener("change", function (event) {{ layOut(event.matches); }});
  if (media.matches) {{ layOut(true); }}
}})();
"""
"""Draws every chart from its inline JSON, and lays the charts out at print width while the
page is printed (and back after)."""


KICKER = "Light-rail service plan and simulation"
"""The line above the title of every page."""


def report_html(run: RunView, sections: Sequence[Section], *, title: str, generated: str) -> str:
    """The report of one run as one HTML document (UTF-8 text), the same for the same inputs.

    `generated` is the run date as it should read (the caller's clock: the report never reads
    it). Every text is escaped. Raises ValueError when two sections or charts share a key, when
    a key is not lowercase-with-hyphens, or when a chart needs the network (maps).
    """
    scenario = run.scenario
    meta = (
        ("Scenario", scenario.name),
        ("Line", scenario.line.name),
        ("Run date", generated),
        ("Design day", run.design.day_type),
        ("Seed", str(run.seed)),
        ("lrtsim", lrtsim.__version__),
    )
    return page_html(
        sections, title=title, generated=generated, meta=meta, lead=scenario.description or ""
    )


def page_html(
    sections: Sequence[Section],
    *,
    title: str,
    generated: str,
    meta: Sequence[tuple[str, str]],
    lead: str = "",
    kicker: str = KICKER,
) -> str:
    """Any report page as one HTML document: the header (`kicker`, `title`, `lead` and the
    `meta` (label, value) pairs), the contents, `sections` and the footer, plotly.js embedded
    once. The checks and the escaping are `report_html`'s."""
    _check_keys(sections)
    numbers = _Numbers()
    body = "\n".join(
        [
            '<div class="page">',
            _header(title, meta, lead, kicker),
            _contents(sections),
            "<main>",
            *(_section(i, s, numbers) for i, s in enumerate(sections, start=1)),
            "</main>",
            _footer(generated),
            "</div>",
        ]
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="lrtsim {html.escape(lrtsim.__version__)}">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            body,
            '<noscript><p class="page">The charts need JavaScript; the PNG files next to this '
            "report show the same charts.</p></noscript>",
            _json_script("plot-config", PLOT_CONFIG),
            f"<script>{PLOTLY_WINDOW_CONFIG}</script>",
            f"<script>{_plotly_js()}</script>",
            f"<script>{PAGE_SCRIPT}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


def charts_of(sections: Sequence[Section]) -> Iterator[Chart]:
    """Every chart of the sections, in report order."""
    for section in sections:
        yield from section.charts


def _check_keys(sections: Sequence[Section]) -> None:
    seen: set[str] = set(PAGE_IDS)
    ids = [s.key for s in sections] + [_plot_id(c.key) for c in charts_of(sections)]
    keys = [s.key for s in sections] + [c.key for c in charts_of(sections)]
    for key in keys:
        if not KEY_RE.match(key):
            raise ValueError(f"key {key!r} is not lowercase letters, digits and hyphens")
    for item in ids:
        if item in seen:
            raise ValueError(f"the id {item!r} is used twice in the report")
        seen.add(item)
    for chart in charts_of(sections):
        kinds = {trace.type for trace in chart.figure.data} & NETWORK_TRACES
        if kinds:
            raise ValueError(
                f"chart {chart.key!r} has {', '.join(sorted(kinds))} traces, which fetch maps "
                "from the network; the report must work offline"
            )


class _Numbers:
    """Running numbers of the tables and the figures (Table 1, Figure 1, …)."""

    def __init__(self) -> None:
        self.table = 0
        self.figure = 0

    def next_table(self) -> int:
        self.table += 1
        return self.table

    def next_figure(self) -> int:
        self.figure += 1
        return self.figure


def _header(title: str, items: Sequence[tuple[str, str]], lead: str, kicker: str) -> str:
    meta = "".join(
        f"<div><dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd></div>" for k, v in items
    )
    paragraph = f'<p class="lead">{html.escape(lead)}</p>' if lead else ""
    return (
        '<header class="report-header">'
        f'<p class="kicker">{html.escape(kicker)}</p>'
        f"<h1>{html.escape(title)}</h1>{paragraph}"
        f'<dl class="meta">{meta}</dl>'
        "</header>"
    )


def _contents(sections: Sequence[Section]) -> str:
    items = []
    for s in sections:
        counts = _counts(s)
        extra = f' <span class="count">({html.escape(counts)})</span>' if counts else ""
        items.append(f'<li><a href="#{html.escape(s.key)}">{html.escape(s.title)}</a>{extra}</li>')
    return (
        '<nav class="toc" id="contents" aria-labelledby="contents-title">'
        '<h2 id="contents-title">Contents</h2>'
        f"<ol>{''.join(items)}</ol>"
        "</nav>"
    )


def _counts(section: Section) -> str:
    parts = []
    for count, word in ((len(section.tables), "table"), (len(section.charts), "chart")):
        if count:
            parts.append(f"{count} {word}{'' if count == 1 else 's'}")
    return ", ".join(parts)


def _section(number: int, section: Section, numbers: _Numbers) -> str:
    parts = [
        f'<section id="{html.escape(section.key)}" aria-labelledby="{html.escape(section.key)}-h">',
        f'<h2 id="{html.escape(section.key)}-h"><span class="number">{number}</span>'
        f"{html.escape(section.title)}</h2>",
    ]
    parts += [f"<p>{html.escape(text)}</p>" for text in section.text]
    parts += [_table(t, numbers.next_table()) for t in section.tables]
    parts += [_chart(c, numbers.next_figure()) for c in section.charts]
    parts.append("</section>")
    return "\n".join(parts)


def _table(table: Table, number: int) -> str:
    width = len(table.header)
    numeric = table.numeric or tuple(i > 0 for i in range(width))
    if len(numeric) != width or any(len(row) != width for row in table.rows):
        raise ValueError(f"table {table.title!r}: every row and `numeric` need {width} cells")

    def cell(tag: str, i: int, text: str, scope: str = "") -> str:
        kinds = ["num"] if numeric[i] else []
        if tag == "td" and len(text) <= SHORT_CELL_CHARS:
            kinds.append("short")  # a time span or a code stays on one line
        cls = f' class="{" ".join(kinds)}"' if kinds else ""
        return f"<{tag}{scope}{cls}>{html.escape(text)}</{tag}>"

    head = "".join(cell("th", i, h, ' scope="col"') for i, h in enumerate(table.header))
    rows = "".join(
        "<tr>"
        + "".join(
            cell("th", 0, v, ' scope="row"') if i == 0 else cell("td", i, v)
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in table.rows
    )
    note = f'<p class="table-note">{html.escape(table.note)}</p>' if table.note else ""
    return (
        '<div class="table-wrap"><table>'
        f'<caption><span class="number">Table {number}.</span> {html.escape(table.title)}'
        "</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{note}</div>"
    )


SHORT_CELL_CHARS = 16
"""A body cell this short ('06:00-07:00', '10 min') never wraps; longer text may."""


def _chart(chart: Chart, number: int) -> str:
    plot_id = _plot_id(chart.key)
    data_id = f"{plot_id}-data"
    caption = f" {html.escape(chart.caption)}" if chart.caption else ""
    return (
        f'<figure class="chart" id="figure-{html.escape(chart.key)}">'
        f'<div class="plot" id="{plot_id}" data-figure="{data_id}" role="img" '
        f'aria-label="{html.escape(chart.title)}"></div>'
        f"{_figure_json(data_id, chart)}"
        f'<figcaption><span class="number">Figure {number}.</span> '
        f'<span class="title">{html.escape(chart.title)}.</span>{caption}</figcaption>'
        "</figure>"
    )


def _plot_id(key: str) -> str:
    return f"chart-{key}"


def _figure_json(element_id: str, chart: Chart) -> str:
    import plotly.io as pio

    text = pio.to_json(chart.figure, validate=False, pretty=False, remove_uids=True)
    return _script_json(element_id, text)


def _json_script(element_id: str, value: object) -> str:
    import json

    return _script_json(element_id, json.dumps(value, sort_keys=True))


def _script_json(element_id: str, text: str) -> str:
    """JSON inside `<script type="application/json">`: every `<` written `\\u003c`, so that no
    text in it (a station called `</script>`) can end the element."""
    safe = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{element_id}">{safe}</script>'


def _footer(generated: str) -> str:
    return (
        '<footer class="report-footer">'
        f"Made by lrtsim {html.escape(lrtsim.__version__)} on {html.escape(generated)}. "
        "This file is self-contained: it needs no network and no other file to read or print. "
        '<a href="#contents">Back to the contents</a>.'
        "</footer>"
    )


def _plotly_js() -> str:
    """plotly.js as bundled with plotly for Python (the version its figures are made for)."""
    from plotly.offline import get_plotlyjs

    js: str = get_plotlyjs()
    if "</script" in js.lower():  # never so far; it would end the element early
        raise ValueError("plotly.js contains '</script' and cannot be embedded as it is")
    return js
