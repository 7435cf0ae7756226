"""Denied boardings, load factor, journey times, delay, train-km, trains, energy: by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from metrics_support import NAN, passenger, passengers, stop_times, trip

from lrtsim.errors import ArgumentError
from lrtsim.metrics import crowding, journeys, operations
from lrtsim.metrics.tables import RUN_COLUMNS, STOP_VISIT_COLUMNS


def test_denied_boarding_share_counts_passengers_not_denials() -> None:
    riders = passengers(
        passenger(1, "A", "C", 0.0, 300.0, 570.0, denied=2),
        passenger(2, "A", "C", 0.0, 300.0, 570.0, denied=1),
        passenger(3, "A", "C", 0.0, 0.0, 270.0),
        passenger(4, "A", "C", 0.0, denied=3),  # never boarded: still counted
    )
    assert crowding.denied_boarding_pct(riders) == pytest.approx(75.0)
    assert math.isnan(crowding.denied_boarding_pct(passengers()))


def _visits(loads: list[int]) -> pd.DataFrame:
    rows = [
        {
            "trip_id": "t1",
            "stop_sequence": k + 1,
            "station": f"S{k}",
            "direction": "up",
            "boarded": 0,
            "alighted": 0,
            "load_on_departure": load,
            "left_behind": 0,
        }
        for k, load in enumerate(loads)
    ]
    return pd.DataFrame(rows, columns=list(STOP_VISIT_COLUMNS))


def test_peak_load_factor_is_the_highest_load_over_capacity() -> None:
    assert crowding.peak_load_factor(_visits([100, 250, 180]), capacity=200) == 1.25
    assert math.isnan(crowding.peak_load_factor(_visits([]), capacity=200))


@pytest.mark.parametrize("capacity", [0, -5, float("nan")])
def test_a_bad_capacity_is_refused(capacity: float) -> None:
    with pytest.raises(ArgumentError, match="capacity"):
        crowding.peak_load_factor(_visits([1]), capacity=capacity)


def test_mean_journey_time_of_those_who_got_there() -> None:
    riders = passengers(
        passenger(1, "A", "C", 0.0, 300.0, 570.0),  # 570
        passenger(2, "A", "B", 100.0, 300.0, 420.0),  # 320
        passenger(3, "A", "C", 100.0),  # never boarded
    )
    assert journeys.mean_journey_s(riders) == pytest.approx(445.0)


def test_delay_against_a_reference_day() -> None:
    reference = passengers(
        passenger(1, "A", "C", 0.0, 0.0, 600.0),
        passenger(2, "A", "C", 0.0, 0.0, 700.0),
        passenger(3, "A", "C", 0.0, 0.0, 800.0),
        passenger(4, "A", "C", 0.0),  # not served in the reference
        passenger(5, "A", "C", 0.0, 0.0, 100.0),  # in the reference only
    )
    day = passengers(
        passenger(1, "A", "C", 0.0, 60.0, 660.0),  # +60
        passenger(2, "A", "C", 0.0, 0.0, 640.0),  # −60
        passenger(3, "A", "C", 0.0),  # lost
        passenger(4, "A", "C", 0.0, 0.0, 900.0),  # not compared
        passenger(6, "A", "C", 0.0, 0.0, 100.0),  # in the day only
    )
    d = journeys.delay(day, reference)
    assert (d.compared, d.lost) == (2, 1)
    assert d.passenger_hours == pytest.approx(0.0)
    assert d.late_passenger_hours == pytest.approx(60.0 / 3600.0)
    same = journeys.delay(reference, reference)
    assert (same.passenger_hours, same.lost, same.compared) == (0.0, 0, 4)


def test_delay_refuses_repeated_passenger_ids() -> None:
    twice = passengers(passenger(1, "A", "C", 0.0), passenger(1, "A", "B", 5.0))
    with pytest.raises(ValueError, match="repeated passenger_id"):
        journeys.delay(twice, twice)


def test_train_km_trains_and_energy() -> None:
    runs = pd.DataFrame(
        [
            ("B1", "", 1_350.0, 4.0e6),  # pull-out
            ("B1", "up-1", 21_101.0, 1.8e8),
            ("B2", "down-1", 10_000.0, -2.0e6),  # net regeneration on a run: credited
            ("B3", "", 0.0, 0.0),  # never moved
        ],
        columns=list(RUN_COLUMNS),
    )
    assert operations.train_km(runs) == pytest.approx(32.451)
    assert operations.energy_kwh(runs) == pytest.approx((4.0e6 + 1.8e8 - 2.0e6) / 3.6e6)


def test_trains_used_is_the_most_blocks_in_service_at_once() -> None:
    # A three-stop trip lasts 2 × 120 + 30 = 270 s. B1 runs at 0 and again at 600; B2 at 100
    # (overlapping B1's first); B3 at 600 + 270 = 870, when B1's second trip ends: handed over.
    day = stop_times(
        trip("a", 0.0, block_id="B1"),
        trip("b", 600.0, block_id="B1"),
        trip("c", 100.0, block_id="B2"),
        trip("d", 870.0, block_id="B3"),
        trip("e", 2000.0, block_id="B4", delays=None),  # never ran
    )
    assert operations.trains_used(day) == 2
    assert operations.trains_used(day.iloc[:0]) == 0


def test_trips_planned_and_operated() -> None:
    extra = trip("x1", 50.0)
    for row in extra:
        row["planned_arrival_s"] = row["planned_departure_s"] = NAN  # not in the plan
    table = stop_times(trip("t1", 0.0), trip("t2", 300.0, delays=None), extra)
    assert operations.trips_planned(table) == 2
    assert operations.trips_operated(table) == 2  # t1 and the extra one
