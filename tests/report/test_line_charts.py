"""The report's "The line" section: the line diagram and the map, against the scenario."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from chart_checks import check_chart, check_station_names, trace, values

from lrtsim.model.geometry import EARTH_RADIUS_M, haversine_m
from lrtsim.model.schema import Curve, Geometry, Gradient, Scenario, SpeedLimit
from lrtsim.pipeline import RunResult
from lrtsim.report.line_charts import line_section
from lrtsim.report.line_map import OSM_ATTRIBUTION
from support.scenarios import LRV, build_line, build_stock

G = 9.80665


def step_at(step: object, km: float) -> float:
    """The value a step trace (each stretch drawn as its two ends) holds at `km`."""
    x, y = list(step.x), list(step.y)  # type: ignore[attr-defined]
    found = {y[i] for i in range(0, len(x), 2) if x[i] < km < x[i + 1]}
    assert len(found) == 1, (km, found)
    return float(found.pop())


def small_scenario(**line_fields: object) -> Scenario:
    """A three-station line with a curve, a civil limit and a gradient."""
    line = build_line(
        [0.0, 1.2, 2.5],
        70.0,
        names=["West", "Middle", "East"],
        curves=[Curve(from_km=0.4, to_km=0.6, radius_m=150.0)],
        speed_limits=[SpeedLimit(from_km=1.5, to_km=2.0, kmh=40.0)],
        gradients=[Gradient(from_km=0.0, to_km=1.0, permille=12.0)],
        **line_fields,
    )
    return Scenario(name="small", line=line, rolling_stock=build_stock(LRV))


def test_astana_section_has_diagram_and_map(astana_calm: RunResult) -> None:
    section = line_section(astana_calm)
    assert section.title == "The line"
    assert [c.key for c in section.charts] == ["line-diagram", "line-map"]
    for chart in section.charts:
        check_chart(chart)
    check_station_names(section.charts[0], astana_calm.scenario.line)
    line = astana_calm.scenario.line
    text = " ".join(section.text)
    for fact in (line.stations[0].name, line.stations[-1].name, str(len(line.stations))):
        assert fact in text
    assert line.depot is not None
    assert line.depot.name in text
    assert astana_calm.scenario.rolling_stock.name in text


def test_speed_limits_are_the_physics_limits(astana_calm: RunResult) -> None:
    line = astana_calm.scenario.line
    chart = line_section(astana_calm).charts[0]
    limit = values(trace(chart, "speed limit"), "y")
    # v = sqrt(R · g · (cant + deficiency) / rail centres), EN 13803, worked by hand here.
    curve_kmh = [
        math.sqrt(c.radius_m * G * (line.cant_mm + line.cant_deficiency_mm) / 1500.0) * 3.6
        for c in line.curves
    ]
    top = min(line.max_speed_kmh, astana_calm.scenario.rolling_stock.max_speed_kmh)
    assert max(limit) == pytest.approx(top)
    assert min(limit) == pytest.approx(min(curve_kmh), rel=1e-3)
    radii = sorted(set(values(trace(chart, "curve"), "y")))
    assert radii == sorted({c.radius_m for c in line.curves})


def test_small_line_diagram_shows_its_gradient_curve_and_limit() -> None:
    scenario = small_scenario()
    chart = line_section(SimpleNamespace(scenario=scenario)).charts[0]  # type: ignore[arg-type]
    check_chart(chart)
    check_station_names(chart, scenario.line)
    limit, grade = trace(chart, "speed limit"), trace(chart, "gradient")
    assert step_at(limit, 1.75) == 40.0
    assert step_at(limit, 1.0) == 70.0  # the line's 70 km/h (the train could run 80)
    curve = math.sqrt(150.0 * G * (100.0 + 75.0) / 1500.0) * 3.6  # the schema's default cant
    assert step_at(limit, 0.5) == pytest.approx(curve)
    assert step_at(grade, 0.5) == 12.0
    assert step_at(grade, 1.7) == 0.0


def test_map_is_the_geometry_in_local_km(astana_calm: RunResult) -> None:
    line = astana_calm.scenario.line
    assert line.geometry is not None
    chart = line_section(astana_calm).charts[1]
    track = trace(chart, "track")
    assert len(track.x) == len(line.geometry.track)
    stations = trace(chart, "station")
    assert list(stations.text) == [s.name for s in line.stations]
    assert chart.figure.layout.yaxis.scaleanchor == "x"
    # straight-line distance between the terminals: on the plot and by haversine
    lonlat = np.array(line.geometry.stations)
    true_km = haversine_m(lonlat[:1, 0], lonlat[:1, 1], lonlat[-1:, 0], lonlat[-1:, 1])[0] / 1e3
    sx, sy = np.array(stations.x), np.array(stations.y)
    assert math.hypot(sx[-1] - sx[0], sy[-1] - sy[0]) == pytest.approx(true_km, rel=2e-3)
    assert OSM_ATTRIBUTION in chart.caption
    assert any(a.text == OSM_ATTRIBUTION for a in chart.figure.layout.annotations)
    assert any(t.get_text() == OSM_ATTRIBUTION for t in chart.static().get_axes()[0].texts)
    assert all(t.type == "scatter" for t in chart.figure.data)  # no tiles (no scattermap)


def test_without_geometry_the_section_says_there_is_no_map() -> None:
    section = line_section(SimpleNamespace(scenario=small_scenario()))  # type: ignore[arg-type]
    assert [c.key for c in section.charts] == ["line-diagram"]
    assert any("no map" in t for t in section.text)


def test_track_only_geometry_places_stations_at_their_chainage() -> None:
    # a straight track due north from (10°E, 50°N), 3 km long; stations at 0, 1.2, 2.5 km
    lat_end = 50.0 + math.degrees(3000.0 / EARTH_RADIUS_M)
    geometry = Geometry(track=[(10.0, 50.0), (10.0, lat_end)], source="survey 2024")
    scenario = small_scenario(geometry=geometry)
    section = line_section(SimpleNamespace(scenario=scenario))  # type: ignore[arg-type]
    chart = section.charts[1]
    check_chart(chart)
    ys = np.array(trace(chart, "station").y)
    assert np.diff(ys) == pytest.approx([1.2, 1.3], abs=1e-3)
    assert OSM_ATTRIBUTION not in chart.caption
    assert "survey 2024" in chart.caption


def test_every_panel_has_a_dotted_line_at_each_station(astana_calm: RunResult) -> None:
    """The station lines run down every panel sharing the chainage axis, not the top one only."""
    (diagram,) = [c for c in line_section(astana_calm).charts if c.key == "line-diagram"]
    layout = diagram.figure.layout.to_plotly_json()
    panels = {
        (f"x{k[5:]}", f"{a.get('anchor', 'y')} domain")
        for k, a in layout.items()
        if k.startswith("xaxis") and not a.get("overlaying")
    }
    assert len(panels) == 3  # limits, gradients, curves
    km = sorted(s.km for s in astana_calm.scenario.line.stations)
    for panel in panels:
        drawn = sorted(
            sh["x0"]
            for sh in layout["shapes"]
            if sh.get("line", {}).get("dash") == "dot" and (sh["xref"], sh["yref"]) == panel
        )
        assert drawn == km, panel
