"""Passenger arrivals: a Poisson process per origin–destination pair and hour, from one seed.

The statistical checks use fixed seeds and tolerances of about four standard deviations of the
statistic under the Poisson hypothesis, so they fail only if the counts are not Poisson (a fixed
count, a multinomial split of a fixed total, a wrong rate) — not by bad luck.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sim_support import od_matrix

from lrtsim.errors import LrtsimError
from lrtsim.simulation.arrivals import ARRIVAL_COLUMNS, draw_arrivals, service_hours_s
from lrtsim.simulation.seeds import STREAMS, generator, stream


def random_rates(seed: int, stations: int = 6, high: float = 40.0) -> np.ndarray:
    """Trips per hour (24 × n × n), zero on the diagonal and in a few whole hours."""
    rng = np.random.default_rng(seed)
    trips = rng.uniform(0.0, high, size=(24, stations, stations))
    trips[:, np.arange(stations), np.arange(stations)] = 0.0
    trips[[2, 3, 4]] = 0.0
    return trips


def counts_by_cell(arrivals, stations: int, days_from_s: float = 0.0) -> np.ndarray:
    """Passengers per (hour of the window, origin, destination), from the drawn times."""
    hour = np.floor((arrivals.arrival_s - days_from_s) / 3600.0).astype(int)
    counts = np.zeros((24, stations, stations), dtype=np.int64)
    np.add.at(counts, (hour, arrivals.origin, arrivals.destination), 1)
    return counts


def test_same_seed_same_passengers_other_seed_others() -> None:
    od = od_matrix(random_rates(1))
    a = draw_arrivals(od, stream(11, "arrivals"))
    b = draw_arrivals(od, stream(11, "arrivals"))
    c = draw_arrivals(od, stream(12, "arrivals"))
    for name in ("passenger_id", "origin", "destination", "direction_id", "arrival_s"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert len(a) != len(c) or not np.array_equal(a.arrival_s, c.arrival_s)
    assert a.table().equals(b.table())


def test_streams_are_fixed_children_of_the_seed() -> None:
    """A stream is the same child of the seed whatever other streams exist."""
    children = np.random.SeedSequence(5).spawn(len(STREAMS) + 3)
    for i, name in enumerate(STREAMS):
        assert np.array_equal(stream(5, name).generate_state(8), children[i].generate_state(8))
    draws = {name: generator(5, name).random(4) for name in STREAMS}
    assert len({tuple(v) for v in draws.values()}) == len(STREAMS)
    with pytest.raises(ValueError, match="unknown random stream"):
        stream(5, "weather")


def test_table_is_sorted_by_arrival_then_id_and_read_only() -> None:
    od = od_matrix(random_rates(2))
    arrivals = draw_arrivals(od, stream(3, "arrivals"))
    table = arrivals.table()
    assert tuple(table.columns) == ARRIVAL_COLUMNS
    assert np.array_equal(table["passenger_id"], np.arange(len(table)))
    assert np.all(np.diff(table["arrival_s"]) >= 0)
    assert np.all(table["origin"] != table["destination"])
    up = table["destination"] > table["origin"]
    assert np.array_equal(table["direction"] == "up", up)
    assert np.array_equal(arrivals.direction_id == 0, up)
    with pytest.raises(ValueError, match="read-only"):
        arrivals.arrival_s[0] = 0.0


def test_no_passenger_within_one_station_even_if_the_matrix_has_some() -> None:
    trips = random_rates(3)
    trips[:, np.arange(6), np.arange(6)] = 500.0
    arrivals = draw_arrivals(od_matrix(trips), stream(4, "arrivals"))
    assert len(arrivals) > 0
    assert not np.any(arrivals.origin == arrivals.destination)


def test_each_passenger_arrives_within_the_hour_of_their_pair() -> None:
    """Hour h carries one pair only, (h mod n, (h + 1 + h // n) mod n): a passenger's pair
    tells their hour, and their arrival must fall inside it, uniformly."""
    n = 5
    trips = np.zeros((24, n, n))
    pair_hour = {}
    for h in range(24):
        o, d = h % n, (h + 1 + h // n) % n
        if o == d or (o, d) in pair_hour:
            continue
        trips[h, o, d] = 400.0
        pair_hour[(o, d)] = h
    arrivals = draw_arrivals(od_matrix(trips), stream(5, "arrivals"))
    pairs = zip(arrivals.origin, arrivals.destination, strict=True)
    hour = np.array([pair_hour[(o, d)] for o, d in pairs])
    assert np.all(arrivals.arrival_s >= hour * 3600.0)
    assert np.all(arrivals.arrival_s < (hour + 1) * 3600.0)
    within = arrivals.arrival_s / 3600.0 - hour
    assert stats.kstest(within, "uniform").pvalue > 1e-3


def test_counts_per_hour_and_pair_are_poisson_within_one_day() -> None:
    """Σ (N − λ)² / λ over the cells: mean K, variance Σ (2 + 1/λ) for Poisson counts."""
    trips = random_rates(6, stations=10, high=30.0)
    arrivals = draw_arrivals(od_matrix(trips), stream(6, "arrivals"))
    counts = counts_by_cell(arrivals, 10)
    cells = trips > 0
    lam = trips[cells]
    statistic = np.sum((counts[cells] - lam) ** 2 / lam)
    z = (statistic - lam.size) / np.sqrt(np.sum(2.0 + 1.0 / lam))
    assert abs(z) < 4.0
    assert np.all(counts[~cells] == 0)


def test_counts_have_the_mean_and_variance_of_poisson_over_many_days() -> None:
    """Over 300 days: every cell's mean count is its rate and its variance equals its mean (a
    split of a fixed total, or counts with less spread, fails the variance check)."""
    trips = random_rates(7, stations=5, high=20.0)
    od = od_matrix(trips)
    days = 300
    counts = np.stack(
        [counts_by_cell(draw_arrivals(od, stream(1000 + k, "arrivals")), 5) for k in range(days)]
    )
    cells = trips > 1.0
    lam = trips[cells]
    mean = counts.mean(axis=0)[cells]
    var = counts.var(axis=0, ddof=1)[cells]
    # Means: Σ z² over the cells ~ χ²(K), z = (mean − λ) / √(λ / days).
    chi2 = np.sum((mean - lam) ** 2 / (lam / days))
    assert abs(chi2 - lam.size) / np.sqrt(2 * lam.size) < 4.0
    # Dispersion: (days − 1)·s²/λ has mean days − 1 and variance ≈ (days − 1)·(2 + 1/λ) for
    # Poisson counts (the index of dispersion; the 1/λ from the fourth moment λ + 3λ²).
    dof = lam.size * (days - 1)
    dispersion = np.sum((days - 1) * var / lam)
    assert abs(dispersion - dof) / np.sqrt(2 * dof + (days - 1) * np.sum(1 / lam)) < 4.0
    # The day's total varies like a Poisson count with the day's mean.
    totals = counts.sum(axis=(1, 2, 3))
    assert abs(totals.var(ddof=1) / trips.sum() - 1.0) < 4.0 * np.sqrt(2.0 / (days - 1))


def test_a_whole_day_totals_the_matrix() -> None:
    od = od_matrix(random_rates(8, stations=12, high=60.0))
    arrivals = draw_arrivals(od, stream(8, "arrivals"))
    assert abs(len(arrivals) - od.total) < 4.0 * np.sqrt(od.total)


def test_window_cuts_hours_and_keeps_their_rate() -> None:
    """From 06:30 to 21:15: no one outside; the cut hours carry their share of the hour."""
    trips = np.zeros((24, 3, 3))
    trips[:, 0, 2] = 1000.0
    od = od_matrix(trips)
    start_s, end_s = 6.5 * 3600.0, 21.25 * 3600.0
    arrivals = draw_arrivals(od, stream(9, "arrivals"), start_s=start_s, end_s=end_s)
    assert arrivals.arrival_s.min() >= start_s
    assert arrivals.arrival_s.max() < end_s
    expected = 1000.0 * (end_s - start_s) / 3600.0
    assert abs(len(arrivals) - expected) < 4.0 * np.sqrt(expected)
    first = np.sum(arrivals.arrival_s < 7 * 3600.0)  # mean 500
    last = np.sum(arrivals.arrival_s >= 21 * 3600.0)  # mean 250
    assert abs(first - 500.0) < 4.0 * np.sqrt(500.0)
    assert abs(last - 250.0) < 4.0 * np.sqrt(250.0)


def test_window_past_midnight_reads_the_early_hours() -> None:
    trips = np.zeros((24, 3, 3))
    trips[20:24, 0, 1] = 300.0  # the evening: A → B
    trips[0:2, 1, 2] = 300.0  # after midnight: B → C
    arrivals = draw_arrivals(
        od_matrix(trips), stream(10, "arrivals"), start_s=20 * 3600.0, end_s=26 * 3600.0
    )
    late = arrivals.arrival_s >= 24 * 3600.0
    assert late.any()
    assert np.all((arrivals.origin[late] == 1) & (arrivals.destination[late] == 2))
    assert np.all((arrivals.origin[~late] == 0) & (arrivals.destination[~late] == 1))
    assert arrivals.arrival_s.max() < 26 * 3600.0


def test_a_window_longer_than_a_day_is_refused() -> None:
    od = od_matrix(random_rates(1))
    with pytest.raises(LrtsimError, match="24 h"):
        draw_arrivals(od, stream(1, "arrivals"), start_s=3600.0, end_s=26.5 * 3600.0)


def test_astana_weekday_draws_the_service_hours_demand(astana_weekday) -> None:
    scenario, plan = astana_weekday
    start_s, end_s = service_hours_s(scenario)
    arrivals = draw_arrivals(plan.od, stream(2026, "arrivals"), start_s=start_s, end_s=end_s)
    hours = np.arange(24)
    inside = (hours * 3600 >= start_s) & ((hours + 1) * 3600 <= end_s)
    expected = plan.od.trips[inside].sum()
    assert 0.9 * plan.od.total < expected <= plan.od.total
    assert abs(len(arrivals) - expected) < 4.0 * np.sqrt(expected)
    assert arrivals.arrival_s.min() >= start_s
    assert arrivals.arrival_s.max() < end_s
