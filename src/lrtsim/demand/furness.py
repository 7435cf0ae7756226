"""Doubly-constrained balancing of a trip matrix (Furness's method, iterative proportional fitting).

Rows are scaled to the productions, then columns to the attractions, until both hold. Furness,
"Time function iteration", *Traffic Engineering & Control* 7 (1965); Ortúzar & Willumsen,
*Modelling Transport*, 4th ed. (2011), ch. 5.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from lrtsim.errors import LrtsimError

FloatArray = npt.NDArray[np.float64]


def furness(
    seed: FloatArray,
    productions: FloatArray,
    attractions: FloatArray,
    *,
    tolerance: float = 1e-10,
    max_iterations: int = 10_000,
) -> FloatArray:
    """Scale `seed` so its row sums are `productions` and its column sums `attractions`.

    Totals must agree (they are the same trips counted at both ends). Raises if a positive
    production or attraction has no positive cell to carry it, or if it does not converge.
    """
    t = np.array(seed, dtype=np.float64)
    p = np.asarray(productions, dtype=np.float64)
    a = np.asarray(attractions, dtype=np.float64)
    if abs(p.sum() - a.sum()) > 1e-9 * max(p.sum(), 1.0):
        raise LrtsimError(
            f"productions ({p.sum():g}) and attractions ({a.sum():g}) must have the same total"
        )
    for name, wanted, have in (("origin", p, t.sum(axis=1)), ("destination", a, t.sum(axis=0))):
        stranded = np.flatnonzero((wanted > 0) & (have <= 0))
        if stranded.size:
            raise LrtsimError(
                f"{name} {int(stranded[0])} has trips to place but no reachable "
                f"{'destination' if name == 'origin' else 'origin'}"
            )
    scale = max(p.sum(), 1.0)
    for _ in range(max_iterations):
        rows = t.sum(axis=1)
        t *= np.divide(p, rows, out=np.zeros_like(p), where=rows > 0)[:, None]
        cols = t.sum(axis=0)
        t *= np.divide(a, cols, out=np.zeros_like(a), where=cols > 0)[None, :]
        if np.abs(t.sum(axis=1) - p).max() <= tolerance * scale:
            return t
    raise LrtsimError("the trip matrix did not balance (Furness) within the iteration limit")
