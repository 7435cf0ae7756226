"""The running mean of a KPI over the days of an experiment and its confidence interval after
each day: how the estimate settles as days are added (the convergence chart's data).

After n days the interval is Student's, mean ± t(n − 1) · s / √n with s the sample standard
deviation (Law, *Simulation Modeling and Analysis*, 5th ed., 2015, § 4.6): the classical
interval of a mean, cheap at every n, where the summary's bootstrap interval (`experiments.stats`)
is computed once for all the days. The t quantile (`student_t_quantile`) needs no scipy: closed
forms, the expansion of Abramowitz & Stegun (1964) 26.7.5 and, for few degrees of freedom, Newton
steps on the exact distribution function.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RunningMean:
    """The mean of the first n finite values and its interval, for n = 1 … N."""

    days: npt.NDArray[np.int64]
    """n: the finite values counted so far (1, 2, …)."""
    mean: FloatArray
    low: FloatArray
    high: FloatArray
    """The interval's ends after n values (NaN at n = 1: one value gives no spread)."""
    level: float


EXPANSION_FROM_DOF = 50
"""From this many degrees of freedom on, the t quantile is A&S 26.7.5 alone (relative error
below 1e-7 for p ≤ 0.9995); below, it is refined on the exact distribution function."""


def student_t_quantile(p: float, dof: npt.ArrayLike) -> FloatArray:
    """The p-quantile of Student's t with `dof` whole degrees of freedom (each ≥ 1), for
    0 < p < 1: exact for 1 (tan π(p − ½)) and 2 ((2p − 1) / √(2p(1 − p))); from 3, the
    expansion of Abramowitz & Stegun (1964) 26.7.5 about the normal quantile, refined below
    `EXPANSION_FROM_DOF` by Newton's method on the exact distribution function (A&S 26.7.3–4)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be strictly between 0 and 1, not {p!r}")
    v = np.asarray(dof, dtype=np.float64)
    if (v < 1).any() or (v != np.round(v)).any():
        raise ValueError("degrees of freedom must be whole numbers, at least 1")
    z = NormalDist().inv_cdf(p)
    g1 = (z**3 + z) / 4.0
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96.0
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384.0
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160.0
    t = np.asarray(z + g1 / v + g2 / v**2 + g3 / v**3 + g4 / v**4, dtype=np.float64)
    for k in np.unique(v[(v >= 3) & (v < EXPANSION_FROM_DOF)]).astype(int):
        t[v == k] = _refined(p, int(k), float(t[v == k][0]))
    t[v == 1] = math.tan(math.pi * (p - 0.5))
    t[v == 2] = (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    return t


def _refined(p: float, dof: int, t: float) -> float:
    """`t` moved by Newton steps to where the t distribution with `dof` reaches p."""
    for _ in range(6):
        step = (_t_cdf(t, dof) - p) / _t_pdf(t, dof)
        t -= step
        if abs(step) <= 1e-14 * max(1.0, abs(t)):
            break
    return t


def _t_cdf(t: float, dof: int) -> float:
    """P(T ≤ t) for whole `dof`: ½ + ½ A(t | ν), A&S 26.7.3 (ν odd) and 26.7.4 (ν even)."""
    theta = math.atan(t / math.sqrt(dof))
    c2 = math.cos(theta) ** 2
    total, term = 1.0, 1.0
    if dof % 2:
        for k in range(1, (dof - 3) // 2 + 1):
            term *= 2 * k / (2 * k + 1) * c2
            total += term
        a = 2 / math.pi * (theta + math.sin(theta) * math.cos(theta) * total)
    else:
        for k in range(1, (dof - 2) // 2 + 1):
            term *= (2 * k - 1) / (2 * k) * c2
            total += term
        a = math.sin(theta) * total
    return 0.5 + 0.5 * a


def _t_pdf(t: float, dof: int) -> float:
    """The density of Student's t with `dof` degrees of freedom at t."""
    log = (
        math.lgamma((dof + 1) / 2)
        - math.lgamma(dof / 2)
        - 0.5 * math.log(dof * math.pi)
        - (dof + 1) / 2 * math.log1p(t * t / dof)
    )
    return math.exp(log)


def running_mean(values: npt.ArrayLike, level: float = 0.95) -> RunningMean:
    """The running mean of `values` (in day order; NaN and infinite days left out) with its
    `level` Student interval after each day.

    The variance is summed about the first value (Chan, Golub & LeVeque, 1983), so that KPIs of
    large, steady values (energy, kWh) lose no digits to cancellation.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be strictly between 0 and 1, not {level!r}")
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    n = np.arange(1, x.size + 1, dtype=np.int64)
    if not x.size:
        empty = np.zeros(0)
        return RunningMean(n, empty, empty, empty, level)
    d = x - x[0]
    s1 = np.cumsum(d)
    s2 = np.cumsum(d * d)
    mean = x[0] + s1 / n
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = np.maximum(s2 - s1 * s1 / n, 0.0) / (n - 1)
        half = np.sqrt(variance / n)
    half[0] = np.nan
    if x.size > 1:
        half[1:] *= student_t_quantile((1.0 + level) / 2.0, n[1:] - 1)
    return RunningMean(n, mean, mean - half, mean + half, level)


def thinned(run: RunningMean, most: int) -> RunningMean:
    """`run` at no more than `most` (≥ 2) counts of days, evenly spread, the first and the last
    kept: what a chart needs of a long experiment (a million days would weigh 24 MB a chart)."""
    if most < 2:
        raise ValueError(f"most must be at least 2, not {most}")
    if len(run.days) <= most:
        return run
    keep = np.unique(np.round(np.linspace(0, len(run.days) - 1, most)).astype(np.int64))
    return RunningMean(run.days[keep], run.mean[keep], run.low[keep], run.high[keep], run.level)
