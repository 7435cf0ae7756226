"""Track geometry: haversine, chainage, projection of stops, curve detection, curve speed limits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrtsim.model.geometry import (
    EARTH_RADIUS_M,
    chainage_m,
    curve_speed_limit_mps,
    detect_curves,
    haversine_m,
    project_points,
)

LON0, LAT0 = 71.40, 51.10  # near Astana


def to_lon_lat(xy: np.ndarray) -> list[tuple[float, float]]:
    """Local east/north metres around (LON0, LAT0) to (lon, lat) degrees."""
    lat = LAT0 + np.degrees(xy[:, 1] / EARTH_RADIUS_M)
    lon = LON0 + np.degrees(xy[:, 0] / (EARTH_RADIUS_M * math.cos(math.radians(LAT0))))
    return [(float(a), float(b)) for a, b in zip(lon, lat, strict=True)]


# ------------------------------------------------------------------------------------ haversine
def test_one_degree_of_latitude() -> None:
    expected = EARTH_RADIUS_M * math.pi / 180  # 111 195 m on the mean sphere
    got = float(haversine_m(np.array(71.0), np.array(51.0), np.array(71.0), np.array(52.0)))
    assert got == pytest.approx(expected, rel=1e-12)
    assert got == pytest.approx(111_195.08, abs=0.01)


def test_one_degree_of_longitude_on_the_equator() -> None:
    got = float(haversine_m(np.array(10.0), np.array(0.0), np.array(11.0), np.array(0.0)))
    assert got == pytest.approx(EARTH_RADIUS_M * math.pi / 180, rel=1e-12)


def test_haversine_agrees_with_the_spherical_law_of_cosines() -> None:
    """Airport (101) to Nurly Zhol (118), an independent formula for the same sphere."""
    lon1, lat1, lon2, lat2 = 71.45884, 51.02804, 71.52888, 51.11198
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    cos_c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    expected = EARTH_RADIUS_M * math.acos(cos_c)
    got = float(haversine_m(np.array(lon1), np.array(lat1), np.array(lon2), np.array(lat2)))
    assert got == pytest.approx(expected, rel=1e-9)
    assert 10_000 < got < 11_000


def test_haversine_is_vectorised_and_symmetric() -> None:
    lon1, lat1 = np.array([71.0, 0.0, -120.0]), np.array([51.0, 0.0, 45.0])
    lon2, lat2 = np.array([71.0, 0.0, -119.5]), np.array([51.0, 0.001, 44.5])
    there = haversine_m(lon1, lat1, lon2, lat2)
    back = haversine_m(lon2, lat2, lon1, lat1)
    assert there.shape == (3,)
    assert there[0] == 0.0
    np.testing.assert_allclose(there, back, rtol=1e-12)


# ------------------------------------------------------------------------------------- chainage
def test_chainage_along_a_meridian() -> None:
    step_deg = 0.001
    track = [(71.4, 51.0 + i * step_deg) for i in range(11)]
    expected = np.arange(11) * EARTH_RADIUS_M * math.radians(step_deg)
    np.testing.assert_allclose(chainage_m(track), expected, rtol=1e-9, atol=1e-6)


def test_chainage_of_a_straight_line_does_not_depend_on_its_vertices() -> None:
    ends = [(71.40, 51.10), (71.45, 51.13)]
    fine = [(71.40 + 0.05 * t, 51.10 + 0.03 * t) for t in np.linspace(0, 1, 51)]
    coarse = chainage_m(ends)
    many = chainage_m(fine)
    assert coarse[0] == 0.0
    assert many[-1] == pytest.approx(coarse[-1], abs=0.01)  # a rhumb line ~ great circle here
    assert np.all(np.diff(many) > 0)


# ------------------------------------------------------------------------------------ projection
def test_project_points_onto_a_straight_north_line() -> None:
    track = to_lon_lat(np.array([[0.0, 0.0], [0.0, 500.0], [0.0, 1000.0]]))
    points = to_lon_lat(np.array([[30.0, 250.0], [-12.0, 700.0], [0.0, 0.0], [5.0, 1100.0]]))
    s, d = project_points(track, points)
    np.testing.assert_allclose(s, [250.0, 700.0, 0.0, 1000.0], atol=0.5)
    np.testing.assert_allclose(d, [30.0, 12.0, 0.0, math.hypot(5.0, 100.0)], atol=0.2)


def test_project_points_onto_an_l_shaped_line() -> None:
    """North 400 m, then east 300 m: chainage continues round the corner."""
    track = to_lon_lat(np.array([[0.0, 0.0], [0.0, 400.0], [300.0, 400.0]]))
    points = to_lon_lat(np.array([[10.0, 100.0], [150.0, 410.0], [290.0, 380.0]]))
    s, d = project_points(track, points)
    np.testing.assert_allclose(s, [100.0, 550.0, 690.0], atol=0.5)
    np.testing.assert_allclose(d, [10.0, 10.0, 20.0], atol=0.2)


def test_projected_chainage_agrees_with_chainage_at_vertices() -> None:
    track = to_lon_lat(np.array([[0.0, 0.0], [100.0, 200.0], [400.0, 260.0], [900.0, 0.0]]))
    s, d = project_points(track, track)
    np.testing.assert_allclose(s, chainage_m(track), atol=1e-6)
    np.testing.assert_allclose(d, 0.0, atol=1e-6)


# ----------------------------------------------------------------------------------- curves
def circle_track(radius: float, angle_deg: float, spacing: float = 20.0) -> np.ndarray:
    """Straight 400 m north, an arc turning right by `angle_deg`, then 400 m straight on."""
    straight = np.arange(0.0, 400.0, spacing)
    first = np.column_stack([np.zeros_like(straight), straight])
    theta = np.radians(angle_deg)
    n_arc = max(2, round(radius * theta / spacing))
    phi = np.linspace(0.0, theta, n_arc + 1)
    centre = np.array([radius, 400.0])
    arc = np.column_stack([centre[0] - radius * np.cos(phi), centre[1] + radius * np.sin(phi)])
    heading = np.array([np.sin(theta), np.cos(theta)])
    after = arc[-1] + np.outer(np.arange(spacing, 400.0 + spacing / 2, spacing), heading)
    return np.vstack([first, arc, after])


ARCS = [(300.0, 90.0), (600.0, 30.0), (150.0, 120.0), (2000.0, 10.0)]


@pytest.mark.parametrize(("radius", "angle"), ARCS)
def test_detect_curves_finds_one_arc_with_its_angle_and_place(radius: float, angle: float) -> None:
    track = to_lon_lat(circle_track(radius, angle))
    (curve,) = detect_curves(track)
    assert curve.angle_deg == pytest.approx(angle, abs=2.0)
    arc_length = radius * math.radians(angle)
    assert curve.from_m == pytest.approx(400.0, abs=40.0)
    assert curve.to_m == pytest.approx(400.0 + arc_length, abs=40.0)


@pytest.mark.parametrize(
    ("radius", "angle"),
    [
        (300.0, 90.0),
        (600.0, 30.0),
        (150.0, 120.0),
        (2000.0, 10.0),
    ],
)
def test_detect_curves_recovers_the_radius_within_5_percent(radius: float, angle: float) -> None:
    (curve,) = detect_curves(to_lon_lat(circle_track(radius, angle)))
    assert curve.radius_m == pytest.approx(radius, rel=0.05)


@pytest.mark.parametrize(("radius", "angle"), ARCS)
def test_detect_curves_radius_coarse_bound(radius: float, angle: float) -> None:
    """A coarse guard against gross regressions, beside the 5 % test above."""
    (curve,) = detect_curves(to_lon_lat(circle_track(radius, angle)))
    assert radius <= curve.radius_m <= 1.25 * radius


def test_detect_curves_is_the_same_turning_left() -> None:
    xy = circle_track(300.0, 90.0)
    mirrored = xy * np.array([-1.0, 1.0])
    (right,) = detect_curves(to_lon_lat(xy))
    (left,) = detect_curves(to_lon_lat(mirrored))
    assert left.radius_m == pytest.approx(right.radius_m, rel=1e-3)
    assert left.angle_deg == pytest.approx(right.angle_deg, abs=0.1)


def test_detect_curves_finds_two_bends_apart() -> None:
    first = circle_track(300.0, 90.0)
    # the second bend: the same shape turned to start where the first ends, heading east
    second = circle_track(500.0, 45.0)[1:]
    rotated = np.column_stack([second[:, 1], -second[:, 0]]) + first[-1]
    curves = detect_curves(to_lon_lat(np.vstack([first, rotated])))
    assert [round(c.angle_deg) for c in curves] == [90, 45]
    assert curves[0].radius_m < curves[1].radius_m
    assert curves[0].to_m + 700 < curves[1].from_m  # 800 m of straight between the arcs


def noisy_straight(seed: int, sigma_m: float, length_m: float = 3000.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    north = np.arange(0.0, length_m + 1.0, 20.0)
    noise = rng.normal(0.0, sigma_m, (len(north), 2))
    return np.column_stack([np.zeros_like(north), north]) + noise


@pytest.mark.parametrize("seed", range(10))
def test_detect_curves_finds_nothing_on_a_noisy_straight(seed: int) -> None:
    """0.5 m of noise on vertices 20 m apart, away from the ends.

    Within a chord of an end, noise of the end vertex is a real one-sided turn of the polyline
    (nothing follows to turn it back), which the detector cannot tell from a bend.
    """
    xy = noisy_straight(seed, 0.5)
    # and at a slant, to avoid an axis-aligned special case
    slant = xy @ np.array([[math.cos(0.6), math.sin(0.6)], [-math.sin(0.6), math.cos(0.6)]])
    for track in (xy, slant):
        inner = [c for c in detect_curves(to_lon_lat(track)) if c.from_m > 50 and c.to_m < 2950]
        assert inner == []


def test_detect_curves_finds_nothing_on_a_quiet_straight() -> None:
    for seed in range(10):
        assert detect_curves(to_lon_lat(noisy_straight(seed, 0.25))) == []


def test_detect_curves_ignores_a_jog_inside() -> None:
    """A 2 m jog of one inner vertex turns ~6° and back: not a curve."""
    xy = noisy_straight(0, 0.0)
    xy[75, 0] += 2.0
    assert detect_curves(to_lon_lat(xy)) == []


def test_detect_curves_on_a_too_short_track() -> None:
    assert detect_curves(to_lon_lat(np.array([[0.0, 0.0], [0.0, 30.0]]))) == []


# ------------------------------------------------------------------------------ curve speed
@pytest.mark.parametrize(
    ("radius", "cant", "deficiency"), [(300.0, 100.0, 75.0), (234.0, 100.0, 75.0), (80, 0, 100)]
)
def test_curve_speed_limit_against_the_rule_of_thumb(
    radius: float, cant: float, deficiency: float
) -> None:
    """V[km/h] = sqrt(R (h + I) / 11.8) for 1500 mm rail centres (11.8 = 1500 / g / 3.6²)."""
    v_kmh = curve_speed_limit_mps(radius, cant, deficiency, 1500.0) * 3.6
    assert v_kmh == pytest.approx(math.sqrt(radius * (cant + deficiency) / 11.8), rel=1e-3)


def test_curve_speed_limit_hand_value() -> None:
    # R = 300 m, h + I = 175 mm: sqrt(300 * 175 / 11.8) = sqrt(4449.2) = 66.7 km/h
    assert curve_speed_limit_mps(300.0, 100.0, 75.0, 1500.0) * 3.6 == pytest.approx(66.7, abs=0.1)
    # exactly: v² / R = g (h + I) / e
    v = curve_speed_limit_mps(300.0, 100.0, 75.0, 1500.0)
    assert v**2 / 300.0 == pytest.approx(9.80665 * 175.0 / 1500.0, rel=1e-12)


def test_curve_speed_limit_scales_with_gauge_and_radius() -> None:
    base = curve_speed_limit_mps(400.0, 100.0, 75.0, 1500.0)
    assert curve_speed_limit_mps(400.0, 100.0, 75.0, 1600.0) == pytest.approx(
        base * math.sqrt(1500.0 / 1600.0)
    )
    assert curve_speed_limit_mps(1600.0, 100.0, 75.0, 1500.0) == pytest.approx(2 * base)
    assert curve_speed_limit_mps(400.0, 0.0, 0.0, 1500.0) == 0.0
