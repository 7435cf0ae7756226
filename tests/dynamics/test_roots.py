"""Brent's root finder (`dynamics.roots.brent_root`) against roots known in closed form.

Each function below has its roots on paper: √2, ln 5, the middle root of a cubic written as a
product of its factors, Cardano's formula for x³ − 2x − 5 (Wallis's cubic, the equation Newton
and Brent both used as an example), π for sin, and a jump with no zero at all. The tolerance
contract is scipy.optimize.brentq's: the answer lies within xtol + rtol·|root| of the root;
scipy is the second, independent implementation in the property test.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from lrtsim.dynamics.roots import DEFAULT_RTOL, brent_root


def _counted(f: Callable[[float], float]) -> tuple[Callable[[float], float], list[float]]:
    """`f` and the list of the points it is called at."""
    calls: list[float] = []

    def g(x: float) -> float:
        calls.append(x)
        return f(x)

    return g, calls


def _wallis_root() -> float:
    """The real root of x³ − 2x − 5 by Cardano: x = ∛(5/2 + √d) + ∛(5/2 − √d), d = 25/4 − 8/27."""
    d = 25 / 4 - 8 / 27
    return math.cbrt(5 / 2 + math.sqrt(d)) + math.cbrt(5 / 2 - math.sqrt(d))


CLOSED_FORM = [
    pytest.param(lambda x: x * x - 2.0, 0.0, 2.0, math.sqrt(2.0), id="x²-2"),
    pytest.param(lambda x: math.exp(x) - 5.0, -3.0, 4.0, math.log(5.0), id="exp(x)-5"),
    pytest.param(lambda x: (x - 1.0) * (x - 2.0) * (x - 3.0), 1.5, 2.7, 2.0, id="(x-1)(x-2)(x-3)"),
    pytest.param(lambda x: x**3 - 2.0 * x - 5.0, 2.0, 3.0, _wallis_root(), id="x³-2x-5"),
    pytest.param(math.sin, 3.0, 4.0, math.pi, id="sin"),
    pytest.param(lambda x: 1e-9 * (x - 7.5), 0.0, 1e3, 7.5, id="tiny slope"),
    pytest.param(lambda x: math.atan(1e4 * (x - 0.3)), -1.0, 1.0, 0.3, id="near-step"),
    pytest.param(lambda x: (x - 1.0) ** 3 + (x - 1.0), 0.0, 5.0, 1.0, id="x³+x around 1"),
]


def test_wallis_root_is_a_root() -> None:
    """The reference itself: Cardano's value solves the cubic to rounding."""
    r = _wallis_root()
    assert r == pytest.approx(2.0945514815423265, abs=1e-15)
    assert abs(r**3 - 2 * r - 5) < 1e-13


@pytest.mark.parametrize(("f", "lo", "hi", "root"), CLOSED_FORM)
@pytest.mark.parametrize("xtol", [1e-3, 1e-6, 1e-12])
def test_closed_form_roots_within_xtol(
    f: Callable[[float], float], lo: float, hi: float, root: float, xtol: float
) -> None:
    x = brent_root(f, lo, hi, xtol=xtol)
    assert abs(x - root) <= xtol + DEFAULT_RTOL * abs(root)


@pytest.mark.parametrize(("f", "lo", "hi", "root"), CLOSED_FORM)
def test_the_bracket_may_be_given_either_way_round(
    f: Callable[[float], float], lo: float, hi: float, root: float
) -> None:
    assert abs(brent_root(f, hi, lo, xtol=1e-9) - root) <= 1e-9 + DEFAULT_RTOL * abs(root)


def test_a_triple_root_converges_linearly_but_converges() -> None:
    """(x − 1)³: interpolation gains little near a multiple root, so Brent's rule falls back on
    bisection every few steps; 1e-9 from [0, 5] takes most of the 100 iterations (1e-12 would not
    fit in them, as it does not in scipy's brentq either)."""
    f, calls = _counted(lambda x: (x - 1.0) ** 3)
    assert abs(brent_root(f, 0.0, 5.0, xtol=1e-9) - 1.0) <= 1e-9
    assert 40 < len(calls) <= 102


def test_a_jump_without_a_zero_is_found_to_xtol() -> None:
    """f changes sign at 0.3 and is never zero: the answer is within xtol of the jump."""
    for xtol in (1e-2, 1e-6, 1e-10):
        x = brent_root(lambda x: -1.0 if x < 0.3 else 2.0, 0.0, 1.0, xtol=xtol)
        assert abs(x - 0.3) <= xtol


def test_interpolation_beats_bisection_on_a_smooth_function() -> None:
    """√2 to 1e-12 from [0, 2]: bisection needs log2(2 / 1e-12) ≈ 41 calls; Brent far fewer."""
    f, calls = _counted(lambda x: x * x - 2.0)
    brent_root(f, 0.0, 2.0, xtol=1e-12)
    assert len(calls) <= 12


def test_a_root_at_an_end_is_returned_without_searching() -> None:
    f, calls = _counted(lambda x: x - 1.0)
    assert brent_root(f, 1.0, 3.0, xtol=1e-6) == 1.0
    assert brent_root(f, -2.0, 1.0, xtol=1e-6) == 1.0
    assert len(calls) == 4


def test_no_sign_change_is_an_error() -> None:
    with pytest.raises(ValueError, match="no sign change"):
        brent_root(lambda x: x * x + 1.0, -1.0, 1.0, xtol=1e-6)
    with pytest.raises(ValueError, match="no sign change"):
        brent_root(lambda x: math.nan, -1.0, 1.0, xtol=1e-6)


@pytest.mark.parametrize(("xtol", "rtol"), [(0.0, DEFAULT_RTOL), (-1e-6, DEFAULT_RTOL), (1e-6, 0)])
def test_a_tolerance_out_of_range_is_an_error(xtol: float, rtol: float) -> None:
    with pytest.raises(ValueError, match="xtol"):
        brent_root(lambda x: x, -1.0, 1.0, xtol=xtol, rtol=rtol)


def test_too_few_iterations_is_an_error() -> None:
    with pytest.raises(ArithmeticError, match="after 3 iterations"):
        brent_root(lambda x: -1.0 if x < 0.3 else 2.0, 0.0, 1.0, xtol=1e-12, max_iterations=3)


@settings(max_examples=300, deadline=None)
@given(
    r1=st.floats(-100.0, 100.0),
    gaps=st.tuples(st.floats(0.01, 50.0), st.floats(0.01, 50.0)),
    where=st.tuples(st.floats(0.05, 0.95), st.floats(0.05, 0.95)),
    scale=st.floats(1e-3, 1e3),
    xtol=st.sampled_from([1e-12, 1e-9, 1e-6, 1e-3]),
)
def test_the_middle_root_of_any_cubic(
    r1: float,
    gaps: tuple[float, float],
    where: tuple[float, float],
    scale: float,
    xtol: float,
) -> None:
    """f = s·(x − r1)(x − r2)(x − r3), bracketed strictly between r1 and r3 around r2: the root is
    r2 to the tolerance, as scipy's brentq finds it (the two agree to twice the tolerance)."""
    r2 = r1 + gaps[0]
    r3 = r2 + gaps[1]
    lo = r1 + where[0] * (r2 - r1)
    hi = r2 + where[1] * (r3 - r2)

    def f(x: float) -> float:
        return scale * (x - r1) * (x - r2) * (x - r3)

    x = brent_root(f, lo, hi, xtol=xtol)
    # The cubic's own rounding near r2 is about eps·|r1|·|r3|/|r2 − r1||r3 − r2| wide.
    slack = 1e-13 * (1 + abs(r1) + abs(r3)) ** 2 / (gaps[0] * gaps[1])
    assert abs(x - r2) <= xtol + DEFAULT_RTOL * abs(r2) + slack
    assert abs(x - brentq(f, lo, hi, xtol=xtol)) <= 2 * xtol + 2 * DEFAULT_RTOL * abs(r2) + slack
