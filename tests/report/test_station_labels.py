"""Station names on dense lines: thinned so none overlap, terminals always shown; on Astana
(18 stations) every name shows."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Scenario
from lrtsim.report.day_charts import Y_NAME_GAP_PX, Y_PLOT_PX, _name_gap_km
from lrtsim.report.line_charts import line_diagram
from lrtsim.report.line_map import label_boxes, line_map, map_labels
from lrtsim.report.station_axis import (
    MAX_NAME_CHARS,
    NAME_GAP_PX,
    PLOT_WIDTH_PX,
    km_range,
    name_axis,
    short_name,
    shown_labels,
    stations_of,
)

FEED = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "feeds" / "trimet-max-green-2021.zip"
)


@pytest.fixture(scope="module")
def green() -> Scenario:
    """The TriMet MAX Green line imported from its GTFS feed (23 stations, ten in 4 km)."""
    if not FEED.is_file():
        pytest.skip(f"{FEED} is absent")
    from lrtsim.io.gtfs.import_scenario import import_gtfs

    return import_gtfs(FEED, "200").scenario


def _shown(ticktext: list[str], km: list[float]) -> list[float]:
    return [k for k, t in zip(km, ticktext, strict=True) if t]


def test_thinning_keeps_terminals_and_the_least_gap() -> None:
    km = [0.0, 0.2, 0.5, 0.6, 1.4, 1.5, 3.0]
    show = shown_labels(km, 0.45)
    assert show[0]
    assert show[-1]
    kept = [k for k, s in zip(km, show, strict=True) if s]
    assert min(np.diff(kept)) >= 0.45
    # every station left out is within the gap of one shown: none was dropped needlessly
    for k, s in zip(km, show, strict=True):
        if not s:
            assert min(abs(k - j) for j in kept) < 0.45


def test_short_names_end_at_a_word() -> None:
    name = "Clackamas Town Center TC MAX Station"
    short = short_name(name)
    assert len(short) <= MAX_NAME_CHARS
    assert short.endswith("…")
    assert name.startswith(short[:-1])
    assert short_name("Baiterek") == "Baiterek"


def test_green_name_axis_is_thinned(green: Scenario) -> None:
    stations = stations_of(green.line)
    assert len(stations.names) == 23
    axis = name_axis(stations)
    shown = _shown(axis["ticktext"], axis["tickvals"])
    lo, hi = km_range(stations)
    gap_km = (hi - lo) * NAME_GAP_PX / PLOT_WIDTH_PX
    assert min(np.diff(shown)) >= gap_km
    assert axis["ticktext"][0]
    assert axis["ticktext"][-1]  # Clackamas Town Center, the last station
    assert len(shown) < len(stations.names)
    assert axis["tickvals"] == list(stations.km)  # a tick and a dotted line at every station


def test_green_marey_axis_is_thinned(green: Scenario) -> None:
    km = [s.km for s in green.line.stations]
    gap = _name_gap_km(np.asarray(km), Y_NAME_GAP_PX, Y_PLOT_PX)
    first_4km = sum(k < 4.0 for k in km)
    assert first_4km >= 9
    show = shown_labels(km, gap)
    assert sum(s for s, k in zip(show, km, strict=True) if k < 4.0) < first_4km
    assert show[0]
    assert show[-1]


def test_green_map_names_do_not_overlap(green: Scenario) -> None:
    m = line_map(green.line)
    assert m is not None
    labels = map_labels(m)
    assert labels[0]
    assert labels[-1]
    boxes = label_boxes(m, labels)
    shown = [b for b, t in zip(boxes, labels, strict=True) if t]
    assert len(shown) < len(labels)
    for a, b in itertools.combinations(shown, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_astana_shows_every_name() -> None:
    astana = load_scenario("astana")
    names = [s.name for s in astana.line.stations]
    assert len(names) == 18
    axis = name_axis(stations_of(astana.line))
    assert axis["ticktext"] == names
    m = line_map(astana.line)
    assert m is not None
    assert map_labels(m) == names
    layout = line_diagram(astana).figure.layout.to_plotly_json()
    top = next(a for k, a in layout.items() if k.startswith("xaxis") and a.get("side") == "top")
    assert list(top["ticktext"]) == names
