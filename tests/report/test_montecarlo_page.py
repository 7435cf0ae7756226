"""The Monte Carlo report page, built from a small real experiment (six Astana days): its
sections, the summary table against the summaries, each KPI's distribution and running mean
against the days table (and scipy), the worst days against the table and their seeds, their
time–distance diagrams; the page self-contained and offline, and drawn by Chromium."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest
from plotly.offline import get_plotlyjs
from scipy import stats

from lrtsim.errors import LrtsimError
from lrtsim.experiments.seeds import day_seed
from lrtsim.experiments.stats import summarize_table
from lrtsim.experiments.worst_days import worst_rows
from lrtsim.pipeline import RunResult
from lrtsim.report.chart_axes import clock_date
from lrtsim.report.day_charts import marey_chart
from lrtsim.report.distribution_charts import (
    RUNNING_POINTS,
    distribution_chart,
    kpi_label,
    kpi_unit,
)
from lrtsim.report.estimate_text import estimate_texts, significant
from lrtsim.report.marey_data import delay_window, largest_delay
from lrtsim.report.montecarlo_page import (
    WorstDay,
    montecarlo_html,
    montecarlo_report,
    montecarlo_sections,
    rerun_command,
)
from lrtsim.report.page_style import PRINT_WIDTH_PX
from lrtsim.report.running_mean import running_mean, student_t_quantile
from lrtsim.report.sections import Chart, Section
from lrtsim.report.static_files import static_pngs
from support.montecarlo import WORST_COUNT, Experiment

GENERATED = "2026-03-14 09:30"
TITLE = "Astana LRT: Monte Carlo days"


def page_inputs(e: Experiment) -> dict[str, Any]:
    return {
        "scenario_name": "astana",
        "day_type": e.prepared.design.day_type,
        "base_seed": e.base_seed,
        "table": e.table,
        "summaries": e.summaries,
        "worst": e.worst,
    }


@pytest.fixture(scope="module")
def sections(astana_experiment: Experiment) -> list[Section]:
    return montecarlo_sections(**page_inputs(astana_experiment))


@pytest.fixture(scope="module")
def page_bytes(astana_experiment: Experiment, sections: list[Section]) -> bytes:
    e = astana_experiment
    return montecarlo_html(
        sections,
        title=TITLE,
        scenario_name="astana",
        day_type=e.prepared.design.day_type,
        days=len(e.table),
        base_seed=e.base_seed,
        generated=GENERATED,
    )


@pytest.fixture(scope="module")
def page_text(page_bytes: bytes) -> str:
    return page_bytes.decode("utf-8")


def charts_of(sections: list[Section]) -> list[Chart]:
    return [c for s in sections for c in s.charts]


def section(sections: list[Section], key: str) -> Section:
    (found,) = [s for s in sections if s.key == key]
    return found


def trace(chart: Chart, prefix: str) -> Any:
    found = [t for t in chart.figure.data if (t.name or "").startswith(prefix)]
    assert len(found) == 1, (chart.key, prefix, [t.name for t in chart.figure.data])
    return found[0]


def column(e: Experiment, kpi: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    ordered = e.table.sort_values("day")
    return pd.to_numeric(ordered[kpi]).to_numpy(np.float64, na_value=np.nan)


def number(text: str) -> float:
    return float(text.replace(",", "").replace("−", "-"))


# --- the worst days -----------------------------------------------------------------------


def test_worst_days_are_the_highest_of_the_table_with_their_seeds(
    astana_experiment: Experiment,
) -> None:
    e = astana_experiment
    values = e.table.set_index("day")["excess_wait_s"]
    expected = sorted(values.index, key=lambda d: (-values[d], d))[:WORST_COUNT]
    assert [w.day for w in e.worst] == expected
    rest = values.drop(index=expected)
    assert min(w.value for w in e.worst) >= rest.max()
    for w in e.worst:
        row = e.table[e.table["day"] == w.day].iloc[0]
        assert w.seed == int(row["seed"]) == day_seed(e.base_seed, w.day)
        assert w.value == row["excess_wait_s"]
        assert w.kpi == "excess_wait_s"
        assert w.highest
        assert w.result.seed == w.seed


def test_each_worst_day_simulated_again_gives_its_row(astana_experiment: Experiment) -> None:
    e = astana_experiment
    for w in e.worst:
        row = e.table[e.table["day"] == w.day].iloc[0]
        again = w.kpis.as_dict()
        assert set(again) == set(e.table.columns) - {"day", "seed"}
        for kpi, value in again.items():
            if value is None:
                assert pd.isna(row[kpi]), kpi
            else:
                assert value == row[kpi], (w.day, kpi)


def test_worst_rows_rank_ties_to_the_earlier_day_and_skip_gaps() -> None:
    table = pd.DataFrame(
        {
            "day": [0, 1, 2, 3, 4, 5],
            "seed": [10, 11, 12, 13, 14, 15],
            "excess_wait_s": [1.0, 3.0, np.nan, 3.0, 2.0, np.inf],
            "punctuality_pct": [99.0, 97.0, 98.0, 97.0, np.nan, 99.5],
            "headway_los": ["A", "B", "A", "A", "C", "A"],
        }
    )
    assert list(worst_rows(table, "excess_wait_s", 3)["day"]) == [1, 3, 4]
    assert list(worst_rows(table, "excess_wait_s", 10)["day"]) == [1, 3, 4, 0]
    # punctuality: the worst days are the lowest
    assert list(worst_rows(table, "punctuality_pct", 3)["day"]) == [1, 3, 2]
    assert worst_rows(table, "excess_wait_s", 0).empty
    with pytest.raises(LrtsimError, match=r"no KPI 'waits'.*excess_wait_s"):
        worst_rows(table, "waits")
    with pytest.raises(LrtsimError, match="'seed'"):
        worst_rows(table, "seed")
    with pytest.raises(LrtsimError, match="'headway_los' is not a number"):
        worst_rows(table, "headway_los")


# --- the sections -------------------------------------------------------------------------


def test_the_page_has_its_sections_in_order(
    sections: list[Section], astana_experiment: Experiment
) -> None:
    keys = [s.key for s in sections]
    worst = [f"worst-day-{k}" for k in range(1, WORST_COUNT + 1)]
    assert keys == ["summary", "distributions", "worst-days", *worst]
    summaries = astana_experiment.summaries
    assert [c.key for c in section(sections, "distributions").charts] == [
        f"dist-{s.kpi.replace('_', '-')}" for s in summaries
    ]
    for key in worst:
        assert len(section(sections, key).charts) == 1


def test_summary_table_gives_each_kpi_with_its_intervals(
    sections: list[Section], astana_experiment: Experiment
) -> None:
    summary, definitions = section(sections, "summary").tables
    assert summary.header == ("KPI", "unit", "mean", "median (p50)", "p90", "p95")
    rows = list(summary.rows)
    assert len(rows) == 2 * len(astana_experiment.summaries)
    for k, s in enumerate(astana_experiment.summaries):
        values, intervals = rows[2 * k], rows[2 * k + 1]
        assert values[:2] == (kpi_label(s.kpi), kpi_unit(s.kpi))
        assert intervals[:2] == ("", "95 % interval")
        for cell, ends, e in zip(
            values[2:], intervals[2:], (s.mean, s.p50, s.p90, s.p95), strict=True
        ):
            low, high = (number(x) for x in ends.split("–"))
            # written to the interval's precision: within half a unit of the last digit
            decimals = len(cell.split(".")[1]) if "." in cell else 0
            tolerance = 0.5 * 10.0**-decimals + 1e-12
            assert abs(number(cell) - e.value) <= tolerance, (s.kpi, cell, e.value)
            assert abs(low - e.low) <= tolerance
            assert abs(high - e.high) <= tolerance
            assert low <= high
    assert [r[0] for r in definitions.rows] == [
        kpi_label(s.kpi) for s in astana_experiment.summaries
    ]
    assert all(r[2] for r in definitions.rows)  # every summarised KPI is defined


def test_the_distribution_of_each_kpi_is_the_days(
    sections: list[Section], astana_experiment: Experiment
) -> None:
    e = astana_experiment
    charts = {c.key: c for c in section(sections, "distributions").charts}
    for s in e.summaries:
        chart = charts[f"dist-{s.kpi.replace('_', '-')}"]
        values = column(e, s.kpi)
        finite = values[np.isfinite(values)]
        bars = trace(chart, "days")
        assert sum(bars.y) == len(finite) == s.days
        lefts = np.asarray(bars.x) - np.asarray(bars.width) / 2
        rights = np.asarray(bars.x) + np.asarray(bars.width) / 2
        assert lefts.min() <= finite.min() + 1e-9
        assert rights.max() >= finite.max() - 1e-9
        for statistic, name in (("mean", "mean"), ("p90", "90th"), ("p95", "95th")):
            estimate = getattr(s, statistic)
            line = trace(chart, f"{name} ")
            assert list(line.x) == [estimate.value, estimate.value]
            band = trace(chart, f"95 % interval of the {'mean' if name == 'mean' else name}")
            assert (min(band.x), max(band.x)) == (estimate.low, estimate.high)
            assert band.showlegend is False
        assert s.mean.value == pytest.approx(finite.mean(), rel=1e-12)
        running = trace(chart, "running mean")
        expected = np.cumsum(finite) / np.arange(1, len(finite) + 1)
        np.testing.assert_allclose(np.asarray(running.y, float), expected, rtol=1e-12)
        assert running.xaxis == "x2"
        boot = trace(chart, "bootstrap")
        assert list(boot.x) == [s.days]
        assert boot.error_y.array[0] == pytest.approx(s.mean.high - s.mean.value)
        layout = chart.figure.layout
        unit = kpi_unit(s.kpi)
        assert layout.xaxis.title.text == f"{kpi_label(s.kpi)} ({unit})"
        assert layout.yaxis.title.text == "Days (count)"
        assert layout.xaxis2.title.text == "Days simulated (count)"
        assert layout.yaxis2.title.text == f"Running mean ({unit})"


def test_running_mean_band_is_students_interval() -> None:
    rng = np.random.default_rng(5)
    values = 52_000.0 + rng.normal(0.0, 0.05, 60)  # large and steady: no digits lost
    values[[7, 30]] = np.nan
    run = running_mean(values, 0.95)
    finite = values[np.isfinite(values)]
    assert list(run.days) == list(range(1, len(finite) + 1))
    assert math.isnan(run.low[0])
    assert math.isnan(run.high[0])
    for n in range(2, len(finite) + 1):
        x = finite[:n]
        half = stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / math.sqrt(n)
        assert run.mean[n - 1] == pytest.approx(x.mean(), rel=1e-13)
        assert run.high[n - 1] - run.mean[n - 1] == pytest.approx(half, rel=2e-3)
        assert run.mean[n - 1] - run.low[n - 1] == pytest.approx(half, rel=2e-3)
    steady = running_mean(np.full(5, 100.0))
    assert list(steady.high[1:]) == list(steady.low[1:]) == [100.0] * 4


def test_a_long_experiments_running_mean_is_thinned_not_changed() -> None:
    rng = np.random.default_rng(3)
    days = 5000
    table = pd.DataFrame(
        {"day": range(days), "seed": range(days), "mean_wait_s": rng.normal(210, 2, days)}
    )
    (summary,) = summarize_table(table, ["mean_wait_s"], seed=0, resamples=200)
    chart = distribution_chart("mean_wait_s", table["mean_wait_s"].to_numpy(), summary)
    running = trace(chart, "running mean")
    n = np.asarray(running.x, float).astype(int)
    assert len(n) <= RUNNING_POINTS
    assert (n[0], n[-1]) == (1, days)
    assert (np.diff(n) > 0).all()
    expected = np.cumsum(table["mean_wait_s"].to_numpy()) / np.arange(1, days + 1)
    np.testing.assert_allclose(np.asarray(running.y, float), expected[n - 1], rtol=1e-12)
    assert sum(trace(chart, "days").y) == days


@pytest.mark.parametrize("p", [0.6, 0.9, 0.95, 0.975, 0.995, 0.9995])
def test_student_t_quantile_against_scipy(p: float) -> None:
    dof = np.r_[np.arange(1, 120), 500, 5000, 10**6]
    np.testing.assert_allclose(student_t_quantile(p, dof), stats.t.ppf(p, dof), rtol=2e-7)
    np.testing.assert_allclose(
        student_t_quantile(p, dof[:49]), stats.t.ppf(p, dof[:49]), rtol=1e-12
    )
    with pytest.raises(ValueError, match="whole"):
        student_t_quantile(p, [2.5])


def test_estimates_are_written_to_their_intervals_precision() -> None:
    assert estimate_texts(212.4812, 212.1311, 212.8349) == ("212.48", "212.13–212.83")
    assert estimate_texts(52_395.2, 52_342.1, 52_450.9) == ("52,395", "52,342–52,451")
    assert estimate_texts(0.15, -0.03, 0.28) == ("0.15", "−0.03–0.28")
    assert estimate_texts(100.0, 100.0, 100.0) == ("100", "100–100")
    assert estimate_texts(math.nan, math.nan, math.nan) == ("—", "—")
    assert significant(52_350.46) == "52,350"
    assert significant(0.017812) == "0.01781"


# --- the worst days' diagrams -------------------------------------------------------------


def test_worst_days_table_gives_their_seeds_and_kpis(
    sections: list[Section], astana_experiment: Experiment
) -> None:
    (table,) = section(sections, "worst-days").tables
    e = astana_experiment
    assert table.header[2:-1] == tuple(f"day {w.day}" for w in e.worst)
    seeds, first = table.rows[0], table.rows[1]
    assert seeds[2:-1] == tuple(str(w.seed) for w in e.worst)
    assert first[0] == kpi_label("excess_wait_s")
    assert first[2:-1] == tuple(significant(w.value) for w in e.worst)


def test_each_worst_day_has_its_diagram_seed_and_command(
    sections: list[Section], astana_experiment: Experiment
) -> None:
    e = astana_experiment
    for rank, w in enumerate(e.worst, start=1):
        s = section(sections, f"worst-day-{rank}")
        text = " ".join(s.text)
        assert f"seed {w.seed}" in text
        assert rerun_command("astana", w.seed) in text
        assert f"lrtsim simulate astana --seed {w.seed}" in text
        assert f"Day {w.day} of {len(e.table)}" in text
        assert significant(w.value) in s.title
        (chart,) = s.charts
        assert str(w.seed) in chart.figure.layout.title.text
        planned = trace(chart, "planned")
        assert planned.text is None  # the light diagram: no hover text per point
        trace(chart, "simulated up")
        trace(chart, "simulated down")
        assert not [t for t in chart.figure.data if (t.name or "").endswith(" stops")]
        st = w.result.stop_times
        start, end = delay_window(st)
        assert tuple(chart.figure.layout.xaxis.range) == (clock_date(start), clock_date(end))
        k = largest_delay(st)
        assert k is not None
        assert start <= float(st.iloc[k]["planned_arrival_s"]) <= end
        assert end - start >= 3600.0
        assert start % 300 == 0
        assert end % 300 == 0


def test_the_worst_days_diagram_is_lighter_than_the_run_reports(
    astana_experiment: Experiment,
) -> None:
    w = astana_experiment.worst[0]
    window = delay_window(w.result.stop_times)
    args = ("m", "t", w.scenario, w.result, "weekday", window)
    full = marey_chart(*args, hover_text=True)
    light = marey_chart(*args, hover_text=False)

    def size(chart: Chart) -> int:
        return len(pio.to_json(chart.figure, validate=False, pretty=False, remove_uids=True))

    assert size(light) < 0.6 * size(full)
    full_traces = {t.name for t in full.figure.data if t.name}
    assert {t.name for t in light.figure.data if t.name} <= full_traces


def test_a_disturbed_worst_day_shades_its_incident(astana_run: RunResult) -> None:
    row = {"day": 0, "seed": astana_run.seed, **astana_run.kpis.as_dict()}
    table = pd.DataFrame([row])
    kpis = ["excess_wait_s", "delay_passenger_hours"]
    summaries = summarize_table(table, kpis, seed=1)
    worst = [
        WorstDay(
            day=0,
            seed=astana_run.seed,
            kpi="excess_wait_s",
            value=float(row["excess_wait_s"]),
            highest=True,
            scenario=astana_run.day,
            result=astana_run.result,
            kpis=astana_run.kpis,
        )
    ]
    options = ["--incident", "08:15,track_blocked,Baiterek,House of Ministries,12"]
    found = montecarlo_sections(
        scenario_name="astana",
        day_type=astana_run.design.day_type,
        base_seed=1,
        table=table,
        summaries=summaries,
        worst=worst,
        scenario_ref="my line.toml",
        simulate_options=options,
    )
    day = section(found, "worst-day-1")
    assert "Incidents (shaded)" in " ".join(day.text)
    command = (
        "lrtsim simulate 'my line.toml' --incident "
        f"'08:15,track_blocked,Baiterek,House of Ministries,12' --seed {astana_run.seed}"
    )
    assert command in " ".join(day.text)
    (chart,) = day.charts
    assert len(chart.figure.layout.shapes) == len(astana_run.day.operations.incidents) > 0
    # one day: the running mean has no band yet, the bootstrap interval is a point
    dist = section(found, "distributions").charts[0]
    assert [t.name for t in dist.figure.data if "after n days" in (t.name or "")] == []
    assert trace(dist, "running mean").y[0] == pytest.approx(row["excess_wait_s"])


def test_every_chart_has_a_static_twin(sections: list[Section]) -> None:
    distributions = section(sections, "distributions").charts
    for chart in distributions:
        figure = chart.static()
        left, right = figure.get_axes()
        assert left.get_xlabel() == chart.figure.layout.xaxis.title.text
        assert left.get_ylabel() == "Days (count)"
        assert right.get_xlabel() == "Days simulated (count)"
        assert right.get_ylabel() == chart.figure.layout.yaxis2.title.text
        figure.clear()
    first = Section("s", "s", charts=(distributions[0],))
    (png,) = static_pngs([first]).values()
    assert png.startswith(b"\x89PNG")


def test_bad_tables_are_refused(astana_experiment: Experiment) -> None:
    inputs = page_inputs(astana_experiment)
    inputs["table"] = astana_experiment.table.drop(columns=["excess_wait_s"])
    with pytest.raises(ValueError, match="no column 'excess_wait_s'"):
        montecarlo_sections(**inputs)


# --- the page -----------------------------------------------------------------------------


class Elements(HTMLParser):
    """Each element's tag, attributes and the text inside it."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[dict[str, Any]] = []
        self.open: list[dict[str, Any]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element: dict[str, Any] = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(element)
        if tag not in ("meta", "br", "img", "input", "link"):
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()["tag"] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element["text"] += data

    def find(self, tag: str) -> list[dict[str, Any]]:
        return [e for e in self.elements if e["tag"] == tag]


def test_the_page_is_self_contained_and_offline(page_text: str) -> None:
    js = get_plotlyjs()
    assert page_text.count(js) == 1
    rest = page_text.replace(js, "")
    assert "http://" not in rest
    assert "https://" not in rest
    assert "url(" not in rest
    page = Elements(rest)
    for tag in ("link", "img", "iframe"):
        assert not page.find(tag), tag
    for element in page.elements:
        assert "src" not in element["attrs"], element
        href = element["attrs"].get("href")
        assert href is None or href.startswith("#"), element
    ids = [e["attrs"]["id"] for e in page.elements if "id" in e["attrs"]]
    assert len(ids) == len(set(ids))
    assert {e["attrs"]["href"][1:] for e in page.find("a")} <= set(ids)


def test_the_header_says_what_was_run_and_how_to_rerun_a_day(
    page_text: str, astana_experiment: Experiment
) -> None:
    page = Elements(page_text.replace(get_plotlyjs(), ""))
    (header,) = page.find("header")
    meta = dict(
        zip(
            [e["text"] for e in page.find("dt")],
            [e["text"] for e in page.find("dd")],
            strict=True,
        )
    )
    assert meta["Scenario"] == "astana"
    assert meta["Design day"] == astana_experiment.prepared.design.day_type
    assert meta["Days"] == str(len(astana_experiment.table))
    assert meta["Base seed"] == str(astana_experiment.base_seed)
    assert meta["Run date"] == GENERATED
    assert TITLE in header["text"]
    assert "lrtsim simulate astana --seed SEED" in header["text"]


def test_every_chart_is_on_the_page_with_its_figure(
    page_text: str, sections: list[Section]
) -> None:
    page = Elements(page_text.replace(get_plotlyjs(), ""))
    shown = [e["attrs"]["id"] for e in page.find("section")]
    assert shown == [s.key for s in sections]
    scripts = {e["attrs"].get("id"): e["text"] for e in page.find("script")}
    for chart in charts_of(sections):
        figure = json.loads(scripts[f"chart-{chart.key}-data"])
        assert len(figure["data"]) == len(chart.figure.data)
        assert figure["layout"]["title"]["text"] == chart.figure.layout.title.text


def test_the_report_is_the_page_of_its_sections(
    astana_experiment: Experiment, page_bytes: bytes
) -> None:
    # built again from the same inputs: the same bytes
    again = montecarlo_report(title=TITLE, generated=GENERATED, **page_inputs(astana_experiment))
    assert again == page_bytes


# --- in the browser -----------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 900}
LOCAL_SCHEMES = ("file:", "data:", "blob:")

if not CHROMIUM.exists() and os.environ.get("CI"):
    pytest.fail(f"{CHROMIUM} is missing: a CI run must open the report", pytrace=False)
browser_test = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} is missing (apt-get install chromium; `make test` installs it)",
)


@pytest.fixture(scope="module")
def opened(
    page_bytes: bytes, sections: list[Section], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("montecarlo-report")
    path = folder / "report.html"
    path.write_bytes(page_bytes)
    state: dict[str, Any] = {"folder": folder, "console": [], "errors": [], "requests": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
        page.on("console", lambda m: state["console"].append((m.type, m.text)))
        page.on("pageerror", lambda e: state["errors"].append(str(e)))
        page.on("request", lambda r: state["requests"].append(r.url))
        page.route(
            "**/*",
            lambda r: r.abort() if r.request.url.startswith(("http:", "https:")) else r.continue_(),
        )
        page.goto(path.as_uri())
        page.wait_for_function(
            "n => document.querySelectorAll('.js-plotly-plot').length === n",
            arg=len(charts_of(sections)),
            timeout=30_000,
        )
        page.wait_for_load_state("networkidle")
        state["page"] = page
        yield state
        browser.close()


@browser_test
def test_the_browser_draws_every_chart_without_error(
    opened: dict[str, Any], sections: list[Section]
) -> None:
    assert opened["errors"] == []
    assert [m for m in opened["console"] if m[0] == "error"] == []
    assert [u for u in opened["requests"] if not u.startswith(LOCAL_SCHEMES)] == []
    page = opened["page"]
    for chart in charts_of(sections):
        drawn = page.evaluate(
            """id => {
              const gd = document.getElementById(id);
              return {
                traces: gd.data.length,
                title: (gd.querySelector('.gtitle') || {}).textContent || '',
                axes: [...gd.querySelectorAll('.xtitle, .ytitle, .x2title, .y2title')]
                  .map(t => t.textContent),
              };
            }""",
            f"chart-{chart.key}",
        )
        assert drawn["traces"] == len(chart.figure.data), chart.key
        assert drawn["title"] == chart.figure.layout.title.text, chart.key
        assert any(drawn["axes"]), chart.key


@browser_test
def test_screenshots_and_print_width(opened: dict[str, Any], sections: list[Section]) -> None:
    page = opened["page"]
    folder: Path = opened["folder"]
    full = folder / "montecarlo.png"
    page.screenshot(path=str(full), full_page=True)
    assert full.read_bytes().startswith(b"\x89PNG")
    for s in sections[:4]:
        shot = folder / f"section-{s.key}.png"
        page.locator(f"section#{s.key}").screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000, s.key
    page.emulate_media(media="print")
    try:
        page.wait_for_function(
            "() => [...document.querySelectorAll('.js-plotly-plot')]"
            f".every(gd => gd._fullLayout.width === {PRINT_WIDTH_PX})"
        )
    finally:
        page.emulate_media(media="screen")
    assert opened["errors"] == []
