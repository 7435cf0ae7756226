"""Furness balancing and the gravity model: margins, errors, and the effect of β.

Margins are checked against the targets the test drew, and the balanced matrix against the
defining property of biproportional fitting (result = diag(r) · seed · diag(c)).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrtsim.demand.furness import furness
from lrtsim.demand.od import gravity_daily
from lrtsim.errors import LrtsimError

RELATIVE = 1e-6


@st.composite
def balanced_problem(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A positive seed with positive productions and attractions of the same total."""
    n = draw(st.integers(min_value=2, max_value=7))
    m = draw(st.integers(min_value=2, max_value=7))
    cell = st.floats(min_value=0.01, max_value=100.0, allow_nan=False)
    seed = np.array(draw(st.lists(cell, min_size=n * m, max_size=n * m))).reshape(n, m)
    p = np.array(draw(st.lists(st.floats(0.1, 1e4), min_size=n, max_size=n)))
    a = np.array(draw(st.lists(st.floats(0.1, 1e4), min_size=m, max_size=m)))
    a *= p.sum() / a.sum()
    return seed, p, a


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(balanced_problem())
def test_furness_row_and_column_sums_match_targets(
    problem: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    seed, p, a = problem
    t = furness(seed, p, a)
    assert t.shape == seed.shape
    np.testing.assert_allclose(t.sum(axis=1), p, rtol=RELATIVE, atol=0)
    np.testing.assert_allclose(t.sum(axis=0), a, rtol=RELATIVE, atol=0)
    assert (t > 0).all()
    # Biproportional: t_ij / seed_ij = r_i · c_j, so every cross ratio f_ij·f_kl / (f_il·f_kj)
    # equals 1 (axes i, j, k, l).
    f = t / seed
    cross = (f[:, :, None, None] * f[None, None, :, :]) / (
        f[:, None, None, :] * f.T[None, :, :, None]
    )
    np.testing.assert_allclose(cross, 1.0, rtol=1e-6)


def test_furness_leaves_the_seed_untouched() -> None:
    seed = np.array([[1.0, 2.0], [3.0, 4.0]])
    copy = seed.copy()
    furness(seed, np.array([5.0, 5.0]), np.array([4.0, 6.0]))
    np.testing.assert_array_equal(seed, copy)


def test_furness_two_by_two_closed_form() -> None:
    # A uniform seed with margins (1, 3) and (2, 2): the answer is the product table p·aᵀ / T.
    t = furness(np.ones((2, 2)), np.array([1.0, 3.0]), np.array([2.0, 2.0]))
    np.testing.assert_allclose(t, [[0.5, 0.5], [1.5, 1.5]], rtol=1e-9)


@pytest.mark.parametrize(
    ("p", "a"),
    [([10.0, 20.0], [10.0, 25.0]), ([1.0, 1.0, 1.0], [1.0, 1.0, 0.99])],
)
def test_furness_unequal_totals_raise(p: list[float], a: list[float]) -> None:
    with pytest.raises(LrtsimError, match="same total"):
        furness(np.ones((len(p), len(a))), np.array(p), np.array(a))


def test_furness_production_without_destination_raises() -> None:
    seed = np.array([[0.0, 1.0, 1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 0.0]])
    with pytest.raises(LrtsimError, match=r"origin 1 .*no reachable destination"):
        furness(seed, np.array([2.0, 3.0, 1.0]), np.array([2.0, 2.0, 2.0]))


def test_furness_attraction_without_origin_raises() -> None:
    seed = np.array([[1.0, 0.0], [1.0, 0.0]])
    with pytest.raises(LrtsimError, match=r"destination 1 .*no reachable origin"):
        furness(seed, np.array([1.0, 1.0]), np.array([1.0, 1.0]))


def test_furness_zero_production_row_may_be_empty() -> None:
    """A station that produces nothing needs no reachable destination."""
    seed = np.array([[0.0, 1.0], [0.0, 0.0]])
    t = furness(seed, np.array([4.0, 0.0]), np.array([0.0, 4.0]))
    np.testing.assert_allclose(t, [[0.0, 4.0], [0.0, 0.0]])


# --------------------------------------------------------------------------------- gravity
def line_cost_min(km: list[float]) -> np.ndarray:
    """Minutes between stations at 30 km/h plus half a minute per intermediate stop."""
    x = np.asarray(km)
    gaps = np.abs(x[:, None] - x[None, :])
    stops = np.abs(np.arange(len(x))[:, None] - np.arange(len(x))[None, :])
    return gaps / 30.0 * 60.0 + 0.5 * np.maximum(stops - 1, 0)


def mean_trip_time(matrix: np.ndarray, cost: np.ndarray) -> float:
    return float((matrix * cost).sum() / matrix.sum())


@pytest.fixture(scope="module")
def gravity_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    km = [0.0, 1.2, 2.0, 3.5, 5.1, 6.0, 8.4, 9.0]
    p = np.array([8.0, 3.0, 5.0, 2.0, 6.0, 1.0, 4.0, 3.0])
    a = np.array([1.0, 6.0, 2.0, 7.0, 3.0, 5.0, 2.0, 6.0])
    total = 10_000.0
    return total * p / p.sum(), total * a / a.sum(), line_cost_min(km)


@pytest.mark.parametrize("beta", [0.0, 0.06, 0.3])
def test_gravity_has_empty_diagonal_and_the_margins(
    gravity_inputs: tuple[np.ndarray, np.ndarray, np.ndarray], beta: float
) -> None:
    p, a, cost = gravity_inputs
    t = gravity_daily(p, a, cost, beta)
    assert np.all(np.diag(t) == 0.0)
    assert (t[~np.eye(len(p), dtype=bool)] > 0).all()
    np.testing.assert_allclose(t.sum(axis=1), p, rtol=RELATIVE)
    np.testing.assert_allclose(t.sum(axis=0), a, rtol=RELATIVE)


def test_larger_beta_shortens_the_mean_trip(
    gravity_inputs: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    p, a, cost = gravity_inputs
    betas = [0.0, 0.03, 0.06, 0.1, 0.2, 0.5]
    means = [mean_trip_time(gravity_daily(p, a, cost, b), cost) for b in betas]
    assert all(later < earlier - 1e-6 for earlier, later in itertools.pairwise(means))
    # Deterrence: at a large β most trips go to a neighbouring station.
    steep = gravity_daily(p, a, cost, 2.0)
    n = len(p)
    neighbours = sum(steep[i, j] for i in range(n) for j in range(n) if abs(i - j) == 1)
    assert neighbours / steep.sum() > 0.5
