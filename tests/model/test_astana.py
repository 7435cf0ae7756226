"""The embedded Astana LRT scenario: stations, chainage against the OSM data, curves, train, depot.

The data file lives in `../shared/data/` beside the checkout (a read-only copy in CI); the tests
that need it are skipped when it is absent.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lrtsim.model.geometry import curve_speed_limit_mps, detect_curves, project_points
from lrtsim.model.load import embedded_names, embedded_text, load_scenario, scenario_from_toml
from lrtsim.model.schema import Scenario
from support.cli import run_cli

REPO = Path(__file__).resolve().parents[2]
OSM_GEOJSON = REPO / ".." / "shared" / "data" / "astana_lrt_osm.geojson"

ENGLISH = [
    "Airport",
    "Atameken",
    "Yesil",
    "Mangilik El",
    "Astana Zhuldyzy",
    "Nura",
    "University",
    "Uly Dala",
    "Astana Arena",
    "Martial Arts Palace",
    "Syganak",
    "Baiterek",
    "House of Ministries",
    "National Museum",
    "Theatre",
    "Mynzhyldyk Alley",
    "Zhibek Zholy",
    "Nurly Zhol",
]


@pytest.fixture(scope="module")
def astana() -> Scenario:
    return load_scenario("astana")


@pytest.fixture(scope="module")
def osm() -> dict[str, Any]:
    if not OSM_GEOJSON.is_file():
        pytest.skip(f"{OSM_GEOJSON} is not there (../shared sits beside the checkout)")
    data: dict[str, Any] = json.loads(OSM_GEOJSON.read_text("utf-8"))
    return data


def osm_stations(osm: dict[str, Any]) -> list[dict[str, Any]]:
    features = [f for f in osm["features"] if f["properties"]["kind"] == "station"]
    return sorted(features, key=lambda f: f["properties"]["number"])


# ------------------------------------------------------------------------------------ stations
def test_astana_is_embedded_and_loads(astana: Scenario) -> None:
    assert "astana" in embedded_names()
    assert astana.name == "astana"
    assert astana.line.geometry is not None


def test_eighteen_stations_numbered_101_to_118(astana: Scenario) -> None:
    stations = astana.line.stations
    assert len(stations) == 18
    assert [s.code for s in stations] == [str(n) for n in range(101, 119)]


def test_official_english_names_in_order(astana: Scenario) -> None:
    assert [s.name for s in astana.line.stations] == ENGLISH


def test_kazakh_and_russian_names(astana: Scenario) -> None:
    for station in astana.line.stations:
        for name in (station.name_kk, station.name_ru):
            assert name, station.name
            assert any("\u0400" <= ch <= "\u04ff" for ch in name), (station.name, name)
    assert astana.line.stations[0].name_kk == "Әуежай"
    assert astana.line.stations[0].name_ru == "Аэропорт"
    assert astana.line.stations[-1].name_kk == "Нұрлы жол"


def test_names_agree_with_the_osm_data(astana: Scenario, osm: dict[str, Any]) -> None:
    features = osm_stations(osm)
    assert [f["properties"]["number"] for f in features] == list(range(101, 119))
    for station, feature in zip(astana.line.stations, features, strict=True):
        props = feature["properties"]
        assert station.name_kk == props["name_kk"]
        assert station.name_ru == props["name_ru"]
        # OSM name:en adds a transliteration: "Airport (Äuezhai)", "Yesil (Esil)"
        assert props["name_en"].startswith(station.name)


def test_chainage_agrees_with_the_osm_data(astana: Scenario, osm: dict[str, Any]) -> None:
    features = osm_stations(osm)
    for station, feature in zip(astana.line.stations, features, strict=True):
        osm_km = feature["properties"]["chainage_km_along_osm_track"]
        assert abs(station.km - osm_km) * 1000 <= 10.0, (station.name, station.km, osm_km)


def test_geometry_is_the_osm_track(astana: Scenario, osm: dict[str, Any]) -> None:
    assert astana.line.geometry is not None
    (track,) = [f for f in osm["features"] if f["properties"]["kind"] == "track"]
    np.testing.assert_allclose(
        astana.line.geometry.track, track["geometry"]["coordinates"], atol=1e-7
    )
    points = [f["geometry"]["coordinates"] for f in osm_stations(osm)]
    np.testing.assert_allclose(astana.line.geometry.stations, points, atol=1e-5)


def test_station_km_is_the_projection_on_the_track(astana: Scenario) -> None:
    geometry = astana.line.geometry
    assert geometry is not None
    along, offset = project_points(geometry.track, geometry.stations)
    km = np.array([s.km for s in astana.line.stations])
    np.testing.assert_allclose(along / 1000 + geometry.track_start_km, km, atol=0.010)
    assert offset.max() < 5.0  # OSM stop positions lie on the track


def test_stations_increase_and_terminals(astana: Scenario) -> None:
    km = [s.km for s in astana.line.stations]
    assert km[0] == 0.0
    assert all(b > a for a, b in itertools.pairwise(km))
    assert km[-1] == pytest.approx(21.10, abs=0.01)


# --------------------------------------------------------------------------------------- curves
def test_curves_are_rederived_from_the_geometry(astana: Scenario) -> None:
    geometry = astana.line.geometry
    assert geometry is not None
    detected = detect_curves(geometry.track)
    assert len(detected) == len(astana.line.curves)
    for curve, found in zip(astana.line.curves, detected, strict=True):
        from_km = geometry.track_start_km + found.from_m / 1000
        to_km = geometry.track_start_km + found.to_m / 1000
        assert curve.from_km == pytest.approx(from_km, abs=0.001)
        assert curve.to_km == pytest.approx(to_km, abs=0.001)
        assert curve.radius_m == pytest.approx(found.radius_m, abs=1.0)


def curve_limits_kmh(scenario: Scenario) -> list[float]:
    line = scenario.line
    return [
        3.6
        * curve_speed_limit_mps(
            c.radius_m,
            line.cant_mm if c.cant_mm is None else c.cant_mm,
            line.cant_deficiency_mm,
            line.rail_centres_mm,
        )
        for c in line.curves
    ]


def test_curve_limits_below_80_exactly_below_the_balancing_radius(astana: Scenario) -> None:
    """v² / R = g (h + I) / e: 80 km/h needs R >= (80/3.6)² · 1.5 / (9.80665 · 0.175) ≈ 431.7 m."""
    r_80 = (80 / 3.6) ** 2 * 1.5 / (9.80665 * (0.100 + 0.075))
    assert r_80 == pytest.approx(431.7, abs=0.1)
    limits = curve_limits_kmh(astana)
    for curve, limit in zip(astana.line.curves, limits, strict=True):
        assert (limit < 80.0) == (curve.radius_m < r_80), (curve, limit)


def test_the_two_big_bends(astana: Scenario) -> None:
    """96° onto Syganak St (12.4–12.8 km) and 89° into Nurly Zhol (20.5–20.9 km): each turns
    ~90° within ~0.4 km, so R = L / Δθ must lie near 0.3 km / (π/2) ≈ 190 m, at 45–65 km/h."""
    curves = astana.line.curves
    track = [tuple(p) for p in astana.line.geometry.track]  # type: ignore[union-attr]
    big = [c for c in detect_curves(track) if c.angle_deg > 80]
    assert len(big) == 2
    spans = sorted((c.from_m / 1000, c.to_m / 1000) for c in big)
    assert 12.3 < spans[0][0] < spans[0][1] < 12.9
    assert 20.4 < spans[1][0] < spans[1][1] < 20.9
    for c in big:
        assert 150 < c.radius_m < 260
    limits = dict(
        zip(((c.from_km, c.to_km) for c in curves), curve_limits_kmh(astana), strict=True)
    )
    slow = [v for (a, b), v in limits.items() if any(abs(a - x) < 0.002 for x, _ in spans)]
    assert all(45.0 < v < 65.0 for v in slow)
    assert len(slow) == 2


def test_curve_limits_in_the_comments(astana: Scenario) -> None:
    """The `# limit NN km/h` comment beside each curve is what the formula gives."""
    comments = [
        int(line.split("limit")[1].split("km/h")[0])
        for line in embedded_text("astana").splitlines()
        if line.strip().startswith("{ from_km") and "radius_m" in line
    ]
    assert comments == [round(v) for v in curve_limits_kmh(astana)]


# ---------------------------------------------------------------------------- train and depot
def test_capacity_is_seats_plus_four_per_square_metre(astana: Scenario) -> None:
    rs = astana.rolling_stock
    assert rs.standing_capacity_pax_per_m2 == 4.0
    assert rs.capacity_pax == rs.seats + 4 * rs.standing_area_m2
    assert rs.capacity_pax == 480


def test_depot_at_the_airport_end(astana: Scenario) -> None:
    line = astana.line
    depot = line.depot
    assert depot is not None
    first, last = line.stations[0].km, line.stations[-1].km
    assert abs(depot.km - first) < abs(depot.km - last)
    assert first - line.tail_tracks_m.start / 1000 <= depot.km <= first
    assert "Airport" in depot.name


# ------------------------------------------------------------------------------------- export
@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> str:
    proc = run_cli(["scenario", "export", "astana"], tmp_path_factory.mktemp("export"), timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_export_parses_back_to_an_equal_scenario(exported: str, astana: Scenario) -> None:
    again = scenario_from_toml(exported, source="exported")
    assert again == astana
    assert again.model_dump() == astana.model_dump()


def test_export_keeps_the_comments(exported: str) -> None:
    assert exported == embedded_text("astana")
    assert exported.startswith("# Astana LRT")
    assert "ESTIMATE" in exported
