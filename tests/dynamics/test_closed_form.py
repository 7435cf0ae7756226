"""Runs with closed-form answers: constant acceleration, constant braking, constant track force.

With no running resistance, level track and effort and power far above need, the acceleration is
the cap a_max, constant; braking is the service rate b, constant. A stop-to-stop run of length D
under a limit V is then a trapezoid in the (t, v) plane:

    accelerate 0 → V over V²/2a (time V/a), brake V → 0 over V²/2b (time V/b),
    hold V over the rest:  t = V/a + V/b + (D − V²/2a − V²/2b) / V,

or, when V²/2a + V²/2b > D, a triangle peaking at Vp where the two distances fill D:

    Vp²/2a + Vp²/2b = D  ⇒  Vp² = 2·D·a·b / (a + b),
    t = Vp/a + Vp/b = Vp·(a + b)/(a·b) = sqrt(2·D·(a + b) / (a·b)).

The envelope method integrates w = v² over position, so constant-rate phases are exact on the
grid; only the one step where a phase changes is approximated, hence the 0.1 % bounds.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from lrtsim.dynamics.envelope import run
from lrtsim.dynamics.profile import RunProfile
from lrtsim.dynamics.track import run_track
from lrtsim.dynamics.train import train_params
from lrtsim.model.schema import Curve, Gradient, Line, RollingStock, SpeedLimit, TailTracks

G = 9.80665
REL = 1e-3  # 0.1 %


def trapezoid_time(d: float, v: float, a: float, b: float) -> float:
    """Run time over d with limit v, acceleration a, braking b (v reachable)."""
    assert v * v / (2 * a) + v * v / (2 * b) <= d
    return v / a + v / b + (d - v * v / (2 * a) - v * v / (2 * b)) / v


def triangle_time(d: float, a: float, b: float) -> float:
    """Run time over d when the limit is never reached."""
    return math.sqrt(2 * d * (a + b) / (a * b))


def triangle_peak(d: float, a: float, b: float) -> float:
    return math.sqrt(2 * d * a * b / (a + b))


def test_worked_examples() -> None:
    """The formulas above on numbers done by hand, so the helpers cannot share a slip."""
    # a = 1, b = 0.8, V = 20 m/s (72 km/h), D = 1000 m:
    # 20/1 + 20/0.8 + (1000 − 400/2 − 400/1.6)/20 = 20 + 25 + (1000 − 200 − 250)/20 = 72.5 s.
    assert trapezoid_time(1000, 20, 1.0, 0.8) == pytest.approx(72.5, rel=1e-12)
    # D = 200 m: sqrt(2·200·1.8/0.8) = sqrt(900) = 30 s; Vp = sqrt(400·0.8/1.8) = 13.333 m/s.
    assert triangle_time(200, 1.0, 0.8) == pytest.approx(30.0, rel=1e-12)
    assert triangle_peak(200, 1.0, 0.8) == pytest.approx(40 / 3, rel=1e-12)


# (a_max, b, line km/h, D m): trapezoids (V²/2a + V²/2b ≤ D) and triangles (> D).
TRAPEZOIDS = [(1.0, 0.8, 72.0, 1000.0), (1.3, 1.2, 90.0, 2500.0), (0.6, 1.0, 54.0, 700.0)]
TRIANGLES = [(1.0, 0.8, 72.0, 200.0), (1.3, 1.2, 90.0, 450.0), (0.6, 1.0, 54.0, 260.0)]


def _single(
    make_stock: Callable[..., RollingStock],
    make_line: Callable[..., Line],
    a: float,
    b: float,
    kmh: float,
    d: float,
) -> RunProfile:
    stock = make_stock(max_accel_mps2=a, service_brake_mps2=b)
    line = make_line([0.0, d / 1000.0], max_speed_kmh=kmh)
    return run(run_track(line, "up"), train_params(stock, 0.0))


@pytest.mark.parametrize(("a", "b", "kmh", "d"), TRAPEZOIDS)
def test_trapezoid(make_stock, make_line, a: float, b: float, kmh: float, d: float) -> None:
    v = kmh / 3.6
    profile = _single(make_stock, make_line, a, b, kmh, d)
    assert profile.run_time_s == pytest.approx(trapezoid_time(d, v, a, b), rel=REL)
    assert profile.max_speed_mps == pytest.approx(v, rel=1e-12)


@pytest.mark.parametrize(("a", "b", "kmh", "d"), TRIANGLES)
def test_triangle(make_stock, make_line, a: float, b: float, kmh: float, d: float) -> None:
    v = kmh / 3.6
    assert v * v / (2 * a) + v * v / (2 * b) > d  # the case really is a triangle
    profile = _single(make_stock, make_line, a, b, kmh, d)
    assert profile.run_time_s == pytest.approx(triangle_time(d, a, b), rel=REL)
    # The peak lies between two grid points dx = 1 m apart: on the grid, v² is at most one
    # step of acceleration or braking below Vp² (w = v² changes by 2·a·dx per step), never above.
    peak = triangle_peak(d, a, b)
    dx = 1.0
    assert profile.max_speed_mps <= peak * (1 + 1e-12)
    assert profile.max_speed_mps**2 >= peak**2 - 2 * max(a, b) * dx


def test_phases_follow_the_kinematics(make_stock, make_line) -> None:
    """v² = 2·a·x while accelerating, v² = 2·b·(D − x) while braking, braking starts V²/2b out."""
    a, b, v, d = 1.0, 0.8, 20.0, 1000.0
    profile = _single(make_stock, make_line, a, b, 72.0, d)
    x, speed = profile.position_m, profile.speed_mps
    accel_end = v * v / (2 * a)  # 400/2 = 200 m
    brake_start = d - v * v / (2 * b)  # 1000 − 400/1.6 = 750 m
    before = x <= accel_end - 1.0
    np.testing.assert_allclose(speed[before] ** 2, 2 * a * x[before], rtol=1e-9, atol=1e-9)
    after = x >= brake_start + 1.0
    np.testing.assert_allclose(speed[after] ** 2, 2 * b * (d - x[after]), rtol=1e-9, atol=1e-9)
    held = x[np.isclose(speed, v, rtol=1e-12)]
    # Held at V from 200 m to 750 m, give or take the grid step where each phase changes.
    assert accel_end <= held.min() <= accel_end + 1.0
    assert brake_start - 1.0 <= held.max() <= brake_start


def test_braking_distance_from_a_speed_restriction(make_stock, make_line) -> None:
    """Braking for a lower limit ahead ends exactly where the zone starts, at the zone's speed."""
    a, b = 1.0, 0.8
    stock = make_stock(max_accel_mps2=a, service_brake_mps2=b, length_m=30.0)
    # 72 km/h line, 36 km/h = 10 m/s over 1.0–1.2 km; the stop at 2.0 km.
    line = make_line(
        [0.0, 2.0], max_speed_kmh=72.0, speed_limits=[SpeedLimit(from_km=1.0, to_km=1.2, kmh=36)]
    )
    profile = run(run_track(line, "up"), train_params(stock, 0.0))
    x, speed = profile.position_m, profile.speed_mps
    # Braking 20 → 10 m/s at 0.8 m/s² takes (400 − 100)/1.6 = 187.5 m: from 812.5 m to 1000 m.
    window = (x >= 813.0) & (x <= 1000.0)
    np.testing.assert_allclose(speed[window] ** 2, 100 + 2 * b * (1000.0 - x[window]), rtol=1e-9)
    # Train-length rule: 10 m/s binds until the tail clears the zone, head at 1200 + 30 m.
    zone = (x >= 1000.0) & (x <= 1230.0)
    np.testing.assert_allclose(speed[zone], 10.0, rtol=1e-12)
    assert speed[np.searchsorted(x, 1232.0)] > 10.0
    # Whole run: accelerate 0→20 (200 m, 20 s), hold 20 m/s over 200→812.5 m (30.625 s),
    # brake to 10 (187.5 m, 12.5 s), hold 10 m/s over 1000→1230 m (23 s), accelerate 10→20
    # (v² 100 → 400 over 150 m, 10 s) to 1380 m, hold to the braking point 2000 − 250 = 1750 m
    # (370 m, 18.5 s), brake 20→0 (25 s): 20 + 30.625 + 12.5 + 23 + 10 + 18.5 + 25 = 139.625 s.
    assert profile.run_time_s == pytest.approx(139.625, rel=REL)


def _force_stock(make_stock: Callable[..., RollingStock]) -> RollingStock:
    # Constant effort, no cap, no Davis: 100 kN on a 50 t tare with rotating factor 1.1 and
    # 100 seats; load 0.5 → 50 passengers · 70 kg = 3.5 t.
    return make_stock(
        max_tractive_effort_kn=100.0,
        max_power_kw=50_000.0,
        max_accel_mps2=None,
        rotating_mass_factor=1.1,
        seats=100,
        length_m=40.0,
    )


@pytest.mark.parametrize(
    ("direction", "expected_accel"),
    [
        # Static mass m = 50 000 + 3 500 = 53 500 kg; inertial m_eff = 55 000 + 3 500 = 58 500 kg.
        # Up: +20 ‰ grade and a 705 m curve, Röckl 650/(705 − 55) = 1 N/kN → 21 N/kN:
        # F_track = 53 500 · 9.80665 · 21/1000 = 11 017.77 N; a = (100 000 − 11 017.77)/58 500.
        ("up", (100_000 - 53_500 * G * 21 / 1000) / 58_500),
        # Down: the grade falls, −20 + 1 = −19 N/kN: a = (100 000 + 53 500·9.80665·0.019)/58 500.
        ("down", (100_000 + 53_500 * G * 19 / 1000) / 58_500),
    ],
)
def test_constant_effort_on_a_grade(
    make_stock, make_line, direction: str, expected_accel: float
) -> None:
    stock = _force_stock(make_stock)
    # The grade and the curve cover the whole line plus 100 m of tail track at each end (more
    # than the 40 m train), so the body average is the zone's value everywhere, stops included.
    line = make_line(
        [0.0, 1.5],
        max_speed_kmh=72.0,
        tail_tracks_m=TailTracks(start=100, end=100),
        gradients=[Gradient(from_km=-0.1, to_km=1.6, permille=20)],
        curves=[Curve(from_km=-0.1, to_km=1.6, radius_m=705)],
    )
    profile = run(run_track(line, direction), train_params(stock, 0.5), load=0.5)
    a, b, v, d = expected_accel, 0.8, 20.0, 1500.0
    assert 1.5 < a < 1.9  # sanity on the hand arithmetic: 1.521 up, 1.880 down
    assert profile.run_time_s == pytest.approx(trapezoid_time(d, v, a, b), rel=REL)
    x, speed = profile.position_m, profile.speed_mps
    early = x <= v * v / (2 * a) - 1.0
    np.testing.assert_allclose(speed[early] ** 2, 2 * a * x[early], rtol=1e-9, atol=1e-9)


def test_curve_limit_binds(make_stock, make_line) -> None:
    """A curve over the whole line caps the speed at sqrt(R·g·(cant + deficiency)/rail centres)."""
    a, b = 1.0, 0.8
    stock = make_stock(max_accel_mps2=a, service_brake_mps2=b)
    # R = 280 m, cant 100 mm, deficiency 75 mm, rail centres 1500 mm:
    # V² = 280 · 9.80665 · 175/1500 = 320.35 → V = 17.898 m/s = 64.4 km/h, below the 72 km/h line.
    line = make_line(
        [0.0, 1.2],
        max_speed_kmh=72.0,
        tail_tracks_m=TailTracks(start=50, end=50),
        curves=[Curve(from_km=-0.05, to_km=1.25, radius_m=280)],
    )
    v = math.sqrt(280 * G * 175 / 1500)
    # Röckl below 300 m: 500/(280 − 30) = 2 N/kN, 2 % of the 50 t weight = 981 N; the huge
    # effort still leaves the acceleration at the cap.
    profile = run(run_track(line, "up"), train_params(stock, 0.0))
    assert profile.max_speed_mps == pytest.approx(v, rel=1e-12)
    assert profile.run_time_s == pytest.approx(trapezoid_time(1200.0, v, a, b), rel=REL)


# ----------------------------------------------------------------------- several stops, mirror
def test_several_stops_both_directions(make_stock, make_line) -> None:
    """Each segment is its own trapezoid or triangle; the down run meets them in reverse."""
    a, b, v = 1.0, 0.8, 20.0
    stock = make_stock(max_accel_mps2=a, service_brake_mps2=b)
    line = make_line([0.0, 0.8, 2.0, 2.15, 3.0], max_speed_kmh=72.0)
    gaps = [800.0, 1200.0, 150.0, 850.0]
    # V²/2a + V²/2b = 200 + 250 = 450 m: 800, 1200, 850 are trapezoids, 150 a triangle.
    expected = [trapezoid_time(d, v, a, b) if d >= 450.0 else triangle_time(d, a, b) for d in gaps]
    train = train_params(stock, 0.0)
    up = run(run_track(line, "up"), train)
    down = run(run_track(line, "down"), train)
    for profile, times, distances in (
        (up, expected, gaps),
        (down, expected[::-1], gaps[::-1]),
    ):
        got = [s.run_time_s for s in profile.segments]
        np.testing.assert_allclose(got, times, rtol=REL)
        np.testing.assert_allclose([s.distance_m for s in profile.segments], distances, rtol=1e-12)
        assert profile.run_time_s == pytest.approx(sum(times), rel=REL)
        assert np.all(profile.speed_mps[profile.stop_index] == 0.0)
    assert up.station_names == tuple(reversed(down.station_names))


def _mirror(line: Line) -> Line:
    """The same track seen from the other end: km → E − km, gradients change sign."""
    e = line.stations[-1].km + line.stations[0].km

    def flip(z, **extra):
        return type(z)(
            **{**z.model_dump(), "from_km": e - z.to_km, "to_km": e - z.from_km, **extra}
        )

    return line.model_copy(
        update={
            "stations": [s.model_copy(update={"km": e - s.km}) for s in reversed(line.stations)],
            "gradients": [flip(g, permille=-g.permille) for g in line.gradients],
            "curves": [flip(c) for c in line.curves],
            "speed_limits": [flip(z) for z in line.speed_limits],
            "tail_tracks_m": TailTracks(start=line.tail_tracks_m.end, end=line.tail_tracks_m.start),
        }
    )


def test_mirrored_line_runs_the_same(make_stock, make_line) -> None:
    """Running down a line is running up its mirror image: identical profiles, segment by segment.

    Chainages are binary fractions of a km (exact in floating point) so both runs see the same
    zone edges to the last bit.
    """
    stock = make_stock(
        max_accel_mps2=1.1,
        service_brake_mps2=1.0,
        max_tractive_effort_kn=120.0,
        max_power_kw=900.0,
        length_m=45.0,
        davis_a_kn=1.5,
        davis_b_kn_per_kmh=0.01,
        davis_c_kn_per_kmh2=0.0005,
    )
    line = make_line(
        [0.0, 0.75, 2.0, 3.25],
        max_speed_kmh=80.0,
        tail_tracks_m=TailTracks(start=125, end=250),
        gradients=[
            Gradient(from_km=-0.125, to_km=0.5, permille=18),
            Gradient(from_km=1.25, to_km=1.75, permille=-25),
            Gradient(from_km=2.5, to_km=3.5, permille=10),
        ],
        curves=[
            Curve(from_km=0.25, to_km=0.375, radius_m=200),
            Curve(from_km=2.125, to_km=2.5, radius_m=450, cant_mm=50),
        ],
        speed_limits=[SpeedLimit(from_km=1.0, to_km=1.125, kmh=40)],
    )
    mirror = _mirror(line)
    train = train_params(stock, 0.3)
    for direction, other in (("up", "down"), ("down", "up")):
        p = run(run_track(line, direction), train)
        q = run(run_track(mirror, other), train)
        np.testing.assert_allclose(q.position_m, p.position_m, rtol=1e-12)
        np.testing.assert_allclose(q.speed_mps, p.speed_mps, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(q.time_s, p.time_s, rtol=1e-9)
    # The line itself is not symmetric, so the two directions of it do differ.
    up = run(run_track(line, "up"), train)
    down = run(run_track(line, "down"), train)
    assert abs(up.run_time_s - down.run_time_s) > 0.5


def test_symmetric_line_is_the_same_both_ways(make_stock, make_line) -> None:
    """A hill symmetric about the middle (up then down), symmetric curves: up run == down run."""
    stock = make_stock(
        max_tractive_effort_kn=150.0, max_power_kw=800.0, davis_a_kn=1.0, length_m=50.0
    )
    line = make_line(
        [0.0, 1.0, 2.0],
        max_speed_kmh=70.0,
        gradients=[
            Gradient(from_km=0.25, to_km=1.0, permille=20),
            Gradient(from_km=1.0, to_km=1.75, permille=-20),
        ],
        curves=[
            Curve(from_km=0.5, to_km=0.625, radius_m=250),
            Curve(from_km=1.375, to_km=1.5, radius_m=250),
        ],
    )
    train = train_params(stock, 0.0)
    up = run(run_track(line, "up"), train)
    down = run(run_track(line, "down"), train)
    np.testing.assert_allclose(down.time_s, up.time_s, rtol=1e-9)
    np.testing.assert_allclose(down.speed_mps, up.speed_mps, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("step", [1.0, 10.0])
def test_segment_of_one_grid_step_takes_time(make_stock, make_line, step: float) -> None:
    """Stops `step` metres apart still take time: every segment gets at least 20 steps."""
    a, b = 1.0, 0.8
    stock = make_stock(max_accel_mps2=a, service_brake_mps2=b)
    line = make_line([0.0, step / 1000.0, 1.0], max_speed_kmh=72.0)
    profile = run(run_track(line, "up"), train_params(stock, 0.0), max_step_m=step)
    # A triangle: 1 m takes sqrt(2·1·1.8/0.8) = 2.12 s, 10 m sqrt(45) = 6.71 s; a grid this
    # coarse cannot be exact, but it must be near (10 %) and time must run.
    assert profile.segments[0].run_time_s == pytest.approx(triangle_time(step, a, b), rel=0.1)
    assert np.all(np.diff(profile.time_s) > 0.0)
