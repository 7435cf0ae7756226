"""Summary statistics of a KPI over many simulated days, with bootstrap confidence intervals.

Point estimates come from the days themselves: the mean and numpy's default quantile (linear
interpolation between order statistics, Hyndman & Fan 1996, definition 7). Each interval is the
percentile bootstrap interval (Efron & Tibshirani, *An Introduction to the Bootstrap*, 1993,
ch. 13): the (1 − level)/2 and (1 + level)/2 quantiles of the statistic over `resamples` resamples
of the days drawn with replacement. A KPI's resamples come from its own random stream,
`SeedSequence([seed, crc32(kpi)])`, so its summary depends only on the seed, its name and its
values — not on which other KPIs are summarised, nor in what order.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]

STATISTICS = ("mean", "p50", "p90", "p95")
"""The statistics of every KPI summary, by field name of `KpiSummary`."""

QUANTILES = {"p50": 0.50, "p90": 0.90, "p95": 0.95}
"""The probability of each quantile statistic."""

MIN_RESAMPLES = 100
"""Fewest bootstrap resamples accepted: below it the ends of a percentile interval are noise."""

MAX_CHUNK_ELEMENTS = 4_000_000
"""Resampled values drawn at once (≈ 32 MB each for the indices and the values), so memory stays
well under 200 MB whatever the number of days and resamples."""


@dataclass(frozen=True)
class Estimate:
    """A point estimate and its bootstrap confidence interval [low, high] (NaN without data)."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class KpiSummary:
    """Mean, p50, p90 and p95 of one KPI over the days, each with its interval at `level`.

    `days` counts the finite values used; `missing` the NaN or infinite days left out.
    """

    kpi: str
    days: int
    missing: int
    mean: Estimate
    p50: Estimate
    p90: Estimate
    p95: Estimate
    level: float
    resamples: int

    def estimate(self, statistic: str) -> Estimate:
        """The estimate of `statistic` (one of `STATISTICS`)."""
        if statistic not in STATISTICS:
            raise ValueError(f"unknown statistic '{statistic}'; use one of {', '.join(STATISTICS)}")
        result: Estimate = getattr(self, statistic)
        return result

    def as_dict(self) -> dict[str, str | int | float | dict[str, float | None] | None]:
        """Plain values for JSON: each statistic as {value, low, high}, NaN as None."""
        out: dict[str, str | int | float | dict[str, float | None] | None] = {
            "kpi": self.kpi,
            "days": self.days,
            "missing": self.missing,
            "level": self.level,
            "resamples": self.resamples,
        }
        for name in STATISTICS:
            e = self.estimate(name)
            out[name] = {
                "value": _plain(e.value),
                "low": _plain(e.low),
                "high": _plain(e.high),
            }
        return out


def _plain(x: float) -> float | None:
    """A Python float, or None for NaN (JSON has no NaN)."""
    return None if math.isnan(x) else float(x)


def kpi_stream(kpi: str) -> int:
    """The stable index of a KPI's random stream: CRC-32 of its UTF-8 name (not `hash()`,
    which Python salts per process)."""
    return zlib.crc32(kpi.encode("utf-8"))


def summarize(
    kpi: str,
    values: npt.ArrayLike,
    *,
    seed: int,
    resamples: int = 2000,
    level: float = 0.95,
) -> KpiSummary:
    """Mean, p50, p90, p95 of one KPI's daily values with percentile-bootstrap intervals.

    NaN and infinite days are left out (counted in `missing`). With no finite day every estimate
    is NaN; with one, each interval collapses to the value.
    """
    if isinstance(resamples, bool) or not isinstance(resamples, int | np.integer):
        raise ValueError(f"resamples must be an integer, not {resamples!r}")
    if resamples < MIN_RESAMPLES:
        raise ValueError(f"resamples must be at least {MIN_RESAMPLES}, not {resamples}")
    if not (isinstance(level, float | int | np.floating) and 0.0 < float(level) < 1.0):
        raise ValueError(f"level must be strictly between 0 and 1, not {level!r}")
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"values of '{kpi}' must be one-dimensional, not of shape {x.shape}")
    finite = x[np.isfinite(x)]
    n = int(finite.size)
    if n:
        points = _statistics(finite[np.newaxis, :].copy())[:, 0]  # copy: resample from `finite`
    else:
        points = np.full(len(STATISTICS), np.nan)
    if n <= 1:
        lows, highs = points, points
    else:
        rng = np.random.default_rng(np.random.SeedSequence([seed, kpi_stream(kpi)]))
        boot = _bootstrap(finite, rng, resamples)
        alpha = (1.0 - float(level)) / 2.0
        lows, highs = np.quantile(boot, [alpha, 1.0 - alpha], axis=1)
    est = {
        name: Estimate(float(points[i]), float(lows[i]), float(highs[i]))
        for i, name in enumerate(STATISTICS)
    }
    return KpiSummary(
        kpi=kpi,
        days=n,
        missing=int(x.size) - n,
        mean=est["mean"],
        p50=est["p50"],
        p90=est["p90"],
        p95=est["p95"],
        level=float(level),
        resamples=int(resamples),
    )


def _statistics(samples: FloatArray) -> FloatArray:
    """The `STATISTICS` of each row of `samples` (rows × days), as (statistic × row).

    Reorders `samples` in place (numpy's quantile by partition, overwrite_input).
    """
    means = samples.mean(axis=1)
    qs = np.quantile(samples, list(QUANTILES.values()), axis=1, overwrite_input=True)
    return np.vstack([means[np.newaxis, :], qs])


def _bootstrap(x: FloatArray, rng: np.random.Generator, resamples: int) -> FloatArray:
    """The `STATISTICS` of `resamples` resamples of `x` with replacement (statistic × resample).

    The resample indices are drawn as (rows, n) blocks of at most `MAX_CHUNK_ELEMENTS`; the block
    size depends on n only, so the same inputs give the same draws.
    """
    n = x.size
    rows = max(1, MAX_CHUNK_ELEMENTS // n)
    out = np.empty((len(STATISTICS), resamples))
    for start in range(0, resamples, rows):
        stop = min(start + rows, resamples)
        idx = rng.integers(0, n, size=(stop - start, n))
        out[:, start:stop] = _statistics(x[idx])
    return out


def half_width(e: Estimate) -> float:
    """Half the width of the interval, (high − low) / 2 (NaN without data)."""
    return (e.high - e.low) / 2.0


def narrow_enough(summary: KpiSummary, statistic: str, half_width_limit: float) -> bool:
    """Whether the interval of `statistic` is at most `half_width_limit` wide on each side: the
    stopping rule of `--until-ci KPI=HALF_WIDTH` (on the mean by default). False without data."""
    if not half_width_limit > 0:
        raise ValueError(f"half_width_limit must be positive, not {half_width_limit!r}")
    width = half_width(summary.estimate(statistic))
    return not math.isnan(width) and width <= half_width_limit


def summarize_table(
    days: pd.DataFrame,
    kpis: Sequence[str],
    *,
    seed: int,
    resamples: int = 2000,
    level: float = 0.95,
) -> list[KpiSummary]:
    """`summarize` of each column `kpis` of `days` (one row per day), in the order of `kpis`.

    Each KPI draws from its own stream, so the order of `kpis` changes no summary.
    """
    absent = [k for k in kpis if k not in days.columns]
    if absent:
        raise ValueError(
            f"no column {', '.join(repr(k) for k in absent)} in the days table; "
            f"its columns are {', '.join(map(str, days.columns))}"
        )
    return [
        summarize(
            k,
            pd.to_numeric(days[k], errors="raise").to_numpy(dtype=np.float64, na_value=np.nan),
            seed=seed,
            resamples=resamples,
            level=level,
        )
        for k in kpis
    ]
