"""Bootstrap summaries of a KPI over days (`experiments.stats`), against independent references:
the Student-t interval of the mean (scipy), coverage of a known mean, numpy's quantiles."""

from __future__ import annotations

import json
import math
import zlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from lrtsim.experiments import stats
from lrtsim.experiments.stats import (
    STATISTICS,
    Estimate,
    half_width,
    narrow_enough,
    summarize,
    summarize_table,
)


def normal_days(seed: int, n: int, mean: float = 120.0, sd: float = 15.0) -> np.ndarray:
    """n days of a KPI drawn from N(mean, sd²)."""
    return np.random.default_rng(seed).normal(mean, sd, n)


# --- against independent references -------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mean_interval_agrees_with_student_t(seed: int) -> None:
    """For normal days the percentile interval of the mean is the t-interval within a few %
    of its half-width (they differ by t against z and √((n−1)/n), both < 1 % at n = 400)."""
    x = normal_days(seed, 400)
    s = summarize("excess_wait_s", x, seed=seed, resamples=10_000)
    low, high = scipy_stats.t.interval(0.95, df=x.size - 1, loc=x.mean(), scale=scipy_stats.sem(x))
    t_half = (high - low) / 2
    assert s.mean.value == pytest.approx(x.mean(), rel=1e-12)
    assert s.mean.low == pytest.approx(low, abs=0.05 * t_half)
    assert s.mean.high == pytest.approx(high, abs=0.05 * t_half)
    assert half_width(s.mean) == pytest.approx(t_half, rel=0.05)


def test_mean_interval_covers_the_true_mean_about_95_percent_of_the_time() -> None:
    """Over 200 seeded samples of 50 days from a gamma law (skewed, mean k·θ known), the 95 %
    interval covers the true mean in 90–99 % of them (percentile intervals undercover a little)."""
    shape, scale = 4.0, 15.0
    true_mean = shape * scale
    covered = 0
    for i in range(200):
        x = np.random.default_rng([7, i]).gamma(shape, scale, 50)
        m = summarize("wait_s", x, seed=i, resamples=1000).mean
        covered += m.low <= true_mean <= m.high
    assert 180 <= covered <= 198


@pytest.mark.parametrize("n", [2, 3, 10, 51, 400])
def test_point_percentiles_are_numpy_quantiles(n: int) -> None:
    """p50, p90, p95 are numpy.quantile's default (Hyndman & Fan definition 7); mean is the mean."""
    x = np.random.default_rng(n).exponential(30.0, n)
    s = summarize("k", x, seed=0, resamples=100)
    assert s.p50.value == np.quantile(x, 0.5)
    assert s.p90.value == np.quantile(x, 0.9)
    assert s.p95.value == np.quantile(x, 0.95)
    assert s.mean.value == pytest.approx(math.fsum(x) / n, rel=1e-12)


def test_percentile_interval_is_quantiles_of_the_resampled_statistic() -> None:
    """The interval's ends are the 2.5 % and 97.5 % points of the statistic over resamples:
    redone by hand with the documented stream (SeedSequence([seed, crc32(kpi)]))."""
    x = normal_days(5, 30)
    s = summarize("load_pct", x, seed=11, resamples=500)
    rng = np.random.default_rng(np.random.SeedSequence([11, zlib.crc32(b"load_pct")]))
    idx = rng.integers(0, x.size, size=(500, x.size))
    means = np.array([x[row].mean() for row in idx])
    p90s = np.array([np.quantile(x[row], 0.9) for row in idx])
    assert s.mean.low == pytest.approx(np.quantile(means, 0.025), rel=1e-12)
    assert s.mean.high == pytest.approx(np.quantile(means, 0.975), rel=1e-12)
    assert s.p90.low == pytest.approx(np.quantile(p90s, 0.025), rel=1e-12)
    assert s.p90.high == pytest.approx(np.quantile(p90s, 0.975), rel=1e-12)


def test_a_lower_level_gives_a_narrower_interval() -> None:
    """The 80 % interval lies inside the 95 % one (same resamples, inner quantiles)."""
    x = normal_days(9, 60)
    wide = summarize("k", x, seed=3, level=0.95)
    narrow = summarize("k", x, seed=3, level=0.80)
    for name in STATISTICS:
        w, n = wide.estimate(name), narrow.estimate(name)
        assert w.low <= n.low <= n.high <= w.high


def test_chunked_resampling_gives_the_same_interval_statistically(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Drawn in blocks of a few resamples (memory cap), the interval is still the t-interval."""
    monkeypatch.setattr(stats, "MAX_CHUNK_ELEMENTS", 1000)
    x = normal_days(4, 300)
    s = summarize("k", x, seed=4, resamples=4000)
    t_half = scipy_stats.t.ppf(0.975, x.size - 1) * scipy_stats.sem(x)
    assert half_width(s.mean) == pytest.approx(t_half, rel=0.06)
    assert s.resamples == 4000


# --- determinism --------------------------------------------------------------------------------


def test_same_seed_same_summary_whatever_runs_in_between() -> None:
    x = normal_days(1, 80)
    first = summarize("excess_wait_s", x, seed=42)
    np.random.seed(0)
    np.random.random(1000)
    summarize("other_kpi", x, seed=42)
    assert summarize("excess_wait_s", x, seed=42) == first


def test_different_seed_or_kpi_name_gives_different_intervals() -> None:
    x = normal_days(1, 80)
    a = summarize("excess_wait_s", x, seed=1)
    b = summarize("excess_wait_s", x, seed=2)
    c = summarize("mean_wait_s", x, seed=1)
    assert a.mean.value == b.mean.value
    assert (a.mean.low, a.mean.high) != (b.mean.low, b.mean.high)
    assert (a.mean.low, a.mean.high) != (c.mean.low, c.mean.high)


def test_kpi_stream_is_a_stable_hash_of_the_name() -> None:
    """CRC-32, the same in every process (Python's hash() of a str is salted per process)."""
    assert stats.kpi_stream("excess_wait_s") == zlib.crc32(b"excess_wait_s") == 0xADF66D69


def test_order_and_set_of_kpis_in_a_table_change_no_summary() -> None:
    rng = np.random.default_rng(3)
    days = pd.DataFrame(
        {
            "excess_wait_s": rng.gamma(2.0, 20.0, 60),
            "denied_boarding_pct": rng.uniform(0, 3, 60),
            "trains_used": rng.integers(18, 22, 60),
        }
    )
    names = ["excess_wait_s", "denied_boarding_pct", "trains_used"]
    forward = summarize_table(days, names, seed=9)
    backward = summarize_table(days, names[::-1], seed=9)
    alone = summarize_table(days, ["denied_boarding_pct"], seed=9)
    assert [s.kpi for s in forward] == names
    assert forward == backward[::-1]
    assert alone[0] == forward[1]
    assert forward[2] == summarize("trains_used", days["trains_used"], seed=9)


# --- missing values and edge cases --------------------------------------------------------------


def test_nan_and_infinite_days_are_left_out_and_counted() -> None:
    x = normal_days(2, 40)
    with_gaps = np.concatenate([[np.nan], x[:20], [np.inf, -np.inf, np.nan], x[20:]])
    s = summarize("k", with_gaps, seed=5)
    assert (s.days, s.missing) == (40, 4)
    clean = summarize("k", x, seed=5)
    assert (s.mean, s.p50, s.p90, s.p95) == (clean.mean, clean.p50, clean.p90, clean.p95)


def test_table_column_with_missing_days() -> None:
    days = pd.DataFrame({"k": pd.array([1.0, None, 3.0, 2.0], dtype="Float64")})
    (s,) = summarize_table(days, ["k"], seed=0, resamples=100)
    assert (s.days, s.missing) == (3, 1)
    assert s.p50.value == 2.0


def test_no_finite_day_gives_nan_everywhere_and_null_in_json() -> None:
    s = summarize("k", [np.nan, np.nan], seed=0)
    assert (s.days, s.missing) == (0, 2)
    for name in STATISTICS:
        e = s.estimate(name)
        assert np.isnan([e.value, e.low, e.high]).all()
    assert not narrow_enough(s, "mean", 1.0)
    d = s.as_dict()
    assert d["mean"] == {"value": None, "low": None, "high": None}
    json.dumps(d, allow_nan=False)
    assert summarize("k", [], seed=0).days == 0


def test_one_day_collapses_every_interval_to_its_value() -> None:
    s = summarize("k", [37.5], seed=0)
    assert s.days == 1
    for name in STATISTICS:
        assert s.estimate(name) == Estimate(37.5, 37.5, 37.5)
    assert half_width(s.mean) == 0.0
    assert narrow_enough(s, "mean", 1e-9)


def test_constant_days_collapse_every_interval() -> None:
    s = summarize("k", np.full(30, 0.1), seed=0, resamples=200)
    for name in STATISTICS:
        e = s.estimate(name)
        assert e.low == e.value == e.high


def test_as_dict_is_plain_json() -> None:
    s = summarize("excess_wait_s", normal_days(1, 20), seed=1, resamples=200)
    d = json.loads(json.dumps(s.as_dict(), allow_nan=False))
    assert d["kpi"] == "excess_wait_s"
    assert (d["days"], d["missing"], d["level"], d["resamples"]) == (20, 0, 0.95, 200)
    assert set(d) == {"kpi", "days", "missing", "level", "resamples", *STATISTICS}
    assert d["p90"] == {"value": s.p90.value, "low": s.p90.low, "high": s.p90.high}
    assert all(type(v) is float for v in d["mean"].values())


# --- the stopping rule --------------------------------------------------------------------------


def test_narrow_enough_is_half_width_against_the_limit() -> None:
    s = summarize("k", normal_days(6, 100), seed=6)
    hw = half_width(s.mean)
    assert hw == pytest.approx((s.mean.high - s.mean.low) / 2)
    assert narrow_enough(s, "mean", hw * 1.01)
    assert not narrow_enough(s, "mean", hw * 0.99)
    assert narrow_enough(s, "p95", half_width(s.p95)) != narrow_enough(
        s, "p95", half_width(s.p95) * 0.5
    )


def test_more_days_narrow_the_interval() -> None:
    """The stopping rule terminates: the half-width shrinks about as 1/√n."""
    x = normal_days(8, 1600)
    hw = [half_width(summarize("k", x[:n], seed=1).mean) for n in (100, 400, 1600)]
    assert hw[0] / hw[1] == pytest.approx(2.0, rel=0.15)
    assert hw[1] / hw[2] == pytest.approx(2.0, rel=0.15)


# --- arguments ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"resamples": 99}, "resamples"),
        ({"resamples": 1000.0}, "resamples"),
        ({"level": 0.0}, "level"),
        ({"level": 1.0}, "level"),
        ({"level": math.nan}, "level"),
        ({"level": 95}, "level"),
    ],
)
def test_bad_arguments_are_value_errors(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        summarize("k", [1.0, 2.0], seed=0, **kwargs)  # type: ignore[arg-type]


def test_bad_values_statistic_and_column_are_value_errors() -> None:
    s = summarize("k", [1.0, 2.0], seed=0, resamples=100)
    with pytest.raises(ValueError, match="one-dimensional"):
        summarize("k", [[1.0, 2.0]], seed=0)
    with pytest.raises(ValueError, match="p99"):
        narrow_enough(s, "p99", 1.0)
    with pytest.raises(ValueError, match="half_width_limit"):
        narrow_enough(s, "mean", 0.0)
    with pytest.raises(ValueError, match="'wait_s'"):
        summarize_table(pd.DataFrame({"k": [1.0]}), ["wait_s"], seed=0)


# --- properties ---------------------------------------------------------------------------------

days_values = st.lists(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=2, max_size=40
)


@settings(max_examples=60, deadline=None)
@given(values=days_values, seed=st.integers(0, 2**32 - 1))
def test_interval_ends_are_ordered_and_within_the_data(values: list[float], seed: int) -> None:
    """Every statistic of a resample lies within the data's range, so each interval does too."""
    x = np.asarray(values)
    s = summarize("k", x, seed=seed, resamples=200)
    tol = 1e-9 * (1.0 + float(np.max(np.abs(x))))
    for name in STATISTICS:
        e = s.estimate(name)
        assert x.min() - tol <= e.low <= e.high <= x.max() + tol


@settings(max_examples=60, deadline=None)
@given(values=days_values, seed=st.integers(0, 2**32 - 1))
def test_mean_interval_contains_the_mean(values: list[float], seed: int) -> None:
    """The resampled means are centred on the sample mean and fall on each side of it with
    probability well above 2.5 % for any data of ≥ 2 days, so the 95 % interval contains it.
    (Not asserted for the percentiles: a resampled quantile is biased, so its interval need not
    contain the point estimate.)"""
    x = np.asarray(values)
    s = summarize("k", x, seed=seed, resamples=200)
    tol = 1e-9 * (1.0 + float(np.max(np.abs(x))))
    assert s.mean.low - tol <= s.mean.value <= s.mean.high + tol
