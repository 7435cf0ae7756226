"""The dashboard in Chromium (Debian's /usr/bin/chromium, never a downloaded browser) against a
real `lrtsim serve`: a run started from its form, waited for, selected and replayed at 60×;
the trains move between two reads, nothing is fetched from elsewhere, no console error.

`LRTSIM_SAVE_SCREENSHOT=1` also writes the screenshot to docs/img/dashboard.png."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright
from server_support import Server

from lrtsim.metrics.kpis import KPI_JSON_KEYS
from lrtsim.model.load import load_scenario

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 1000}
RUN_TIMEOUT_MS = 120_000
SEED = 11
SEEK_AT = "08:00:00"
"""A time of the morning peak, when every train of the fleet is out."""
READ_GAP_MS = 2_000
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "dashboard.png"

if not CHROMIUM.exists():
    reason = f"{CHROMIUM} is missing (apt-get install chromium; `make test` installs it)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: a CI run must open the dashboard in a browser", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _markers(page: Any, selector: str, x: str, y: str) -> dict[str, tuple[float, float]]:
    """Each train marker of `selector`: its vehicle id and its (x, y) in the SVG."""
    found = page.eval_on_selector_all(
        selector,
        f"els => els.map(e => [e.dataset.vehicleId, +e.getAttribute('{x}'),"
        f" +e.getAttribute('{y}')])",
    )
    return {vehicle: (float(px), float(py)) for vehicle, px, py in found}


def test_a_run_started_from_the_dashboard_replays_with_trains_moving(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    scenario = load_scenario("astana")
    page = browser.new_page(viewport=VIEWPORT)
    console_errors: list[str] = []
    page_errors: list[str] = []
    elsewhere: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    own = urlsplit(server.url).netloc
    page.on(
        "request",
        lambda r: (
            elsewhere.append(r.url)
            if urlsplit(r.url).scheme not in ("data", "blob") and urlsplit(r.url).netloc != own
            else None
        ),
    )

    page.goto(server.url + "/")
    page.wait_for_selector("#scenario option[value='astana']", state="attached")
    assert page.text_content("#line-name") == scenario.line.name
    page.select_option("#scenario", "astana")
    page.fill("#seed", str(SEED))
    page.select_option("#control", "holding")
    with page.expect_response(
        lambda r: r.url.endswith("/api/runs") and r.request.method == "POST"
    ) as posted:
        page.click("#run-submit")
    assert posted.value.status == 202, posted.value.text()
    run_id = posted.value.json()["id"]

    row = f"tr[data-run-id='{run_id}']"
    page.wait_for_selector(
        f"{row}[data-status='complete'] button.select-run", timeout=RUN_TIMEOUT_MS
    )
    assert page.get_attribute(f"{row} a[href$='/report']", "href") == f"/api/runs/{run_id}/report"
    assert (
        page.get_attribute(f"{row} a[href$='gtfs.zip']", "href") == f"/api/runs/{run_id}/gtfs.zip"
    )
    page.click(f"{row} button.select-run")
    page.wait_for_selector("#replay:not([hidden]) #schematic .station", timeout=10_000)

    page.fill("#seek-at", SEEK_AT)
    page.click("#replay-seek")
    page.wait_for_function(f"document.getElementById('clock').textContent === '{SEEK_AT}'")
    page.select_option("#speed", "60")
    page.click("#replay-start")
    page.wait_for_function(
        "document.getElementById('clock-state').textContent.startsWith('running at 60')"
    )
    page.wait_for_selector("#schematic-trains .train-marker")

    schematic = "#schematic-trains .train-marker"
    on_map = "#map-trains .map-train"
    first = _markers(page, schematic, "data-x", "data-y")
    first_map = _markers(page, on_map, "cx", "cy")
    first_clock = float(page.get_attribute("#clock", "data-now-s") or "nan")
    page.wait_for_timeout(READ_GAP_MS)
    second = _markers(page, schematic, "data-x", "data-y")
    second_map = _markers(page, on_map, "cx", "cy")
    second_clock = float(page.get_attribute("#clock", "data-now-s") or "nan")

    both = set(first) & set(second)
    assert both, (first, second)
    assert any(first[v] != second[v] for v in both), "no train moved in 2 s at 60×"
    assert any(first_map[v] != second_map.get(v) for v in both), "no train moved on the map"
    assert second_clock > first_clock >= 8 * 3600.0
    assert set(first) == set(first_map)

    stations = page.eval_on_selector_all("#queues th", "els => els.map(e => e.textContent)")
    assert stations == [s.name for s in scenario.line.stations]
    kpis = page.eval_on_selector_all("#kpis dd", "els => els.map(e => e.dataset.kpi)")
    assert kpis == list(KPI_JSON_KEYS)
    assert page.text_content("#line-name") == scenario.line.name

    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("LRTSIM_SAVE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)
    errors_shown = page.eval_on_selector_all(
        "#messages .msg.error", "els => els.map(e => e.textContent)"
    )
    page.close()

    assert errors_shown == []
    assert page_errors == []
    assert console_errors == []
    assert elsewhere == []
