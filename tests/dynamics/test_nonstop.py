"""Non-stop empty moves (`dynamics.nonstop`) against closed-form kinematics.

With the textbook train of `support.scenarios` (no resistance: constant acceleration a and
braking b) a stand-to-stand move over D under one limit V is a trapezoid,
t = V/a + V/b + (D − V²/2a − V²/2b)/V. Beyond a terminal the limit is the shunting speed
v_s = 25 km/h; by the train-length rule it holds until the whole train (length L) has passed
the terminal's stop, so a move from a junction J metres beyond it to a station D metres inside
the line accelerates to v_s, holds it until the head is L inside, then accelerates to V:

    t = v_s/a + (J + L − v_s²/2a)/v_s + (V − v_s)/a + (D − L − (V² − v_s²)/2a − V²/2b)/V + V/b.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lrtsim.dynamics.nonstop import SHUNT_SPEED_KMH, empty_run_s, nonstop_run
from lrtsim.dynamics.train import train_params
from lrtsim.model.schema import Line, RollingStock, Scenario

REL = 1e-3  # 0.1 %: only the grid steps where a phase changes are approximated
A, B, L = 1.0, 0.8, 30.0
V_SHUNT = SHUNT_SPEED_KMH / 3.6


def trapezoid_time(d: float, v: float, a: float, b: float) -> float:
    assert v * v / (2 * a) + v * v / (2 * b) <= d
    return v / a + v / b + (d - v * v / (2 * a) - v * v / (2 * b)) / v


def test_worked_example() -> None:
    """25 km/h = 6.944 m/s over 300 m, a = 1, b = 0.8: 6.944 + 8.681 + (300 − 24.113 − 30.141)
    / 6.944 = 15.625 + 35.3875 = 51.0125 s."""
    assert trapezoid_time(300.0, V_SHUNT, A, B) == pytest.approx(51.0125, abs=1e-4)


@pytest.fixture
def scenario(make_stock: Callable[..., RollingStock], make_line: Callable[..., Line]) -> Scenario:
    """Stations at km 0, 2 and 4 under 72 km/h; the textbook train, 30 m long."""
    line = make_line([0.0, 2.0, 4.0], max_speed_kmh=72.0)
    stock = make_stock(max_accel_mps2=A, service_brake_mps2=B, length_m=L)
    return Scenario(name="nonstop", line=line, rolling_stock=stock)


@pytest.mark.parametrize(("from_km", "to_km"), [(-0.3, 0.0), (0.0, -0.3), (4.3, 4.0), (4.0, 4.3)])
def test_beyond_a_terminal_at_the_shunting_limit(
    scenario: Scenario, from_km: float, to_km: float
) -> None:
    """Between a junction 300 m beyond a terminal and that terminal, either way: v_s throughout."""
    expected = trapezoid_time(300.0, V_SHUNT, A, B)
    assert empty_run_s(scenario, from_km, to_km) == pytest.approx(expected, rel=REL)


def test_into_the_line_once_the_train_is_past_the_terminal(scenario: Scenario) -> None:
    """From 300 m beyond S0 to S1 (2 km inside): v_s until the head is L inside, then 20 m/s."""
    v, vs, j, d = 20.0, V_SHUNT, 300.0, 2000.0
    expected = (
        vs / A
        + (j + L - vs * vs / (2 * A)) / vs
        + (v - vs) / A
        + (d - L - (v * v - vs * vs) / (2 * A) - v * v / (2 * B)) / v
        + v / B
    )
    train = train_params(scenario.rolling_stock, 0.0)
    profile = nonstop_run(scenario.line, train, -0.3, 2.0)
    assert profile.run_time_s == pytest.approx(expected, rel=REL)
    # Below v_s (with a grid step of slack) until the tail has passed the terminal.
    held = profile.position_m <= L
    assert profile.speed_mps[held].max() <= vs + 1e-9
    assert profile.max_speed_mps == pytest.approx(v, rel=1e-9)


def test_between_the_terminals_without_stopping(scenario: Scenario) -> None:
    """Across the line (4 km), S1 passed at speed: one trapezoid at the line's limit."""
    expected = trapezoid_time(4000.0, 20.0, A, B)
    assert empty_run_s(scenario, 0.0, 4.0) == pytest.approx(expected, rel=REL)
    assert empty_run_s(scenario, 4.0, 0.0) == pytest.approx(expected, rel=REL)


def test_from_between_stations(scenario: Scenario) -> None:
    """A junction at km 1.2, to S1 (800 m) and to S0 (1200 m): the line's limit only."""
    assert empty_run_s(scenario, 1.2, 2.0) == pytest.approx(
        trapezoid_time(800.0, 20.0, A, B), rel=REL
    )
    assert empty_run_s(scenario, 1.2, 0.0) == pytest.approx(
        trapezoid_time(1200.0, 20.0, A, B), rel=REL
    )


def test_no_move_to_the_same_point(scenario: Scenario) -> None:
    assert empty_run_s(scenario, 2.0, 2.0) == 0.0
    train = train_params(scenario.rolling_stock, 0.0)
    with pytest.raises(ValueError, match="two different points"):
        nonstop_run(scenario.line, train, 2.0, 2.0)


def test_resistance_slows_the_shunting_move_within_bounds(
    make_stock: Callable[..., RollingStock], make_line: Callable[..., Line]
) -> None:
    """60 kN on 50 t against Davis resistance 20 kN + 0.5 kN per km/h: the acceleration falls
    from a(0) = 0.8 to a(v_s) = 0.55 m/s², so the time lies between the trapezoids at those two
    rates (braking is at the service rate b either way: the brake makes up the difference)."""
    stock = make_stock(
        max_accel_mps2=A,
        service_brake_mps2=B,
        length_m=L,
        max_tractive_effort_kn=60.0,
        davis_a_kn=20.0,
        davis_b_kn_per_kmh=0.5,
    )
    line = make_line([0.0, 2.0], max_speed_kmh=72.0)
    scenario = Scenario(name="resisting", line=line, rolling_stock=stock)
    train = train_params(stock, 0.0)
    accel = [(60e3 - train.resistance_n(v)) / train.inertial_mass_kg for v in (0.0, V_SHUNT)]
    assert accel == pytest.approx([0.8, 0.55])
    t = empty_run_s(scenario, -0.3, 0.0)
    assert trapezoid_time(300.0, V_SHUNT, accel[0], B) * (1 - REL) <= t
    assert t <= trapezoid_time(300.0, V_SHUNT, accel[1], B) * (1 + REL)
