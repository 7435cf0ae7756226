"""A root of a scalar function on a bracket, by Brent's method.

Brent, *Algorithms for Minimization without Derivatives* (1973), ch. 4: keep a bracket [b, c]
whose ends have function values of opposite signs, b the end with the smaller |f|, and a the
previous b; step from b by inverse quadratic interpolation through a, b, c (the secant when
a = c), but only when the step stays well inside the bracket and shrinks fast enough; bisect
otherwise. The bisections guarantee convergence; the interpolations make it superlinear on a
smooth function.

The stopping rule, and so the meaning of `xtol` and `rtol`, is that of `scipy.optimize.brentq`:
stop when half the bracket is below (xtol + rtol·|b|) / 2, so the root returned lies within
xtol + rtol·|root| of a sign change of the function. Pure Python: a root of the energy-saving
search takes some ten calls of a cheap function, and scipy.optimize costs 0.3 s to import.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

DEFAULT_RTOL = 4 * sys.float_info.epsilon
"""Relative tolerance: four machine epsilons, the least that a step of b can resolve."""

MAX_ITERATIONS = 100
"""Iterations before giving up (a bracket of 1 halves to 1e-30 in 100 bisections)."""


def brent_root(
    f: Callable[[float], float],
    lo: float,
    hi: float,
    *,
    xtol: float,
    rtol: float = DEFAULT_RTOL,
    max_iterations: int = MAX_ITERATIONS,
) -> float:
    """A root of `f` in [lo, hi], within `xtol + rtol·|root|` of a sign change of `f`.

    `f(lo)` and `f(hi)` must have opposite signs, or one of them be zero (that end is returned).
    Raises `ValueError` for a bad bracket or tolerance, `ArithmeticError` when `max_iterations`
    are not enough (not seen with bisection as the fallback unless the tolerance is below the
    spacing of floats).
    """
    if not (xtol > 0 and rtol >= DEFAULT_RTOL):
        raise ValueError(f"xtol must be > 0 and rtol ≥ {DEFAULT_RTOL:g}, not {xtol}, {rtol}")
    a, b = lo, hi
    fa, fb = f(a), f(b)
    if fa == 0:
        return a
    if fb == 0:
        return b
    if math.isnan(fa) or math.isnan(fb) or (fa > 0) == (fb > 0):
        raise ValueError(f"f({lo}) = {fa} and f({hi}) = {fb}: no sign change to bracket a root")
    # c is the other end of the bracket; d the last step, e the one before it.
    c, fc = a, fa
    d = e = b - a
    for _ in range(max_iterations):
        if (fb > 0) == (fc > 0):
            # b and c on the same side: a (the previous b) is across the root.
            c, fc = a, fa
            d = e = b - a
        if abs(fc) < abs(fb):
            # b is always the best estimate so far.
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol = 0.5 * (xtol + rtol * abs(b))
        half = 0.5 * (c - b)
        if fb == 0 or abs(half) < tol:
            return b
        if abs(e) < tol or abs(fa) <= abs(fb):
            d = e = half  # the last steps were too short, or f does not fall: bisect
        else:
            s = fb / fa
            if a == c:  # two points: the secant
                p = 2.0 * half * s
                q = 1.0 - s
            else:  # three points: inverse quadratic interpolation
                qa, r = fa / fc, fb / fc
                p = s * (2.0 * half * qa * (qa - r) - (b - a) * (r - 1.0))
                q = (qa - 1.0) * (r - 1.0) * (s - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            # Accept the step p/q only well inside the bracket and shorter than half the step
            # before last; bisect otherwise.
            if 2.0 * p < min(3.0 * half * q - abs(tol * q), abs(e * q)):
                e, d = d, p / q
            else:
                d = e = half
        a, fa = b, fb
        b += d if abs(d) > tol else math.copysign(tol, half)
        fb = f(b)
    raise ArithmeticError(
        f"no root within {xtol:g} + {rtol:g}·|x| after {max_iterations} iterations in [{lo}, {hi}]"
    )
