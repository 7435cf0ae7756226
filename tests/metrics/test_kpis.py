"""All KPIs at once: a small day worked by hand, the Astana plan's undisturbed day, the JSON
contract's names."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from day_support import Day
from metrics_support import passenger, passengers, stop_times, trip

from lrtsim.metrics.kpis import KPI_JSON_KEYS, Kpis, kpis
from lrtsim.metrics.tables import RUN_COLUMNS, STOP_VISIT_COLUMNS

JSON_CONTRACT = (  # issue 9, item 10
    "punctuality_pct",
    "mean_wait_s",
    "p95_wait_s",
    "scheduled_wait_s",
    "excess_wait_s",
    "headway_cv",
    "denied_boarding_pct",
    "mean_journey_s",
    "peak_load_factor",
    "energy_kwh",
    "train_km",
    "trains_used",
)


def _small_day() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    day = stop_times(
        trip("t0", 0.0, block_id="B1"),
        trip("t1", 300.0, block_id="B2", delays=[60.0, 60.0, 60.0]),
        trip("t2", 600.0, block_id="B1", delays=[0.0, 240.0, 240.0]),
    )
    riders = passengers(
        passenger(1, "A", "C", 100.0, 360.0, 630.0, trip_id="t1"),  # wait 260 (sched 200)
        passenger(2, "A", "B", 250.0, 600.0, 960.0, trip_id="t2", denied=1),  # 350 (50)
    )
    visits = pd.DataFrame(
        [
            ("t1", 1, "A", "up", 1, 0, 1, 0),
            ("t1", 3, "C", "up", 0, 1, 0, 0),
            ("t2", 1, "A", "up", 1, 0, 1, 0),
            ("t2", 2, "B", "up", 0, 1, 0, 0),
        ],
        columns=list(STOP_VISIT_COLUMNS),
    )
    runs = pd.DataFrame(
        [("B1", "t0", 3_000.0, 7.2e6), ("B2", "t1", 3_000.0, 7.2e6), ("B1", "t2", 3_000.0, 0.0)],
        columns=list(RUN_COLUMNS),
    )
    return day, riders, visits, runs


def test_a_small_day_by_hand() -> None:
    day, riders, visits, runs = _small_day()
    k = kpis(day, riders, visits, runs, capacity=2)
    # Departures A, B of 3 trips: t2 leaves B 240 s late → 5 of 6 on time; terminals 3 of 3.
    assert k.punctuality_pct == pytest.approx(500.0 / 6.0)
    assert k.terminal_punctuality_pct == 100.0
    # Headways at A: 360 and 240 against 300 (+60, −60); at B (planned 150, 450, 750, run at
    # 150, 510, 990): 360 and 480 (+60, +180). Deviations' mean 60, population SD √7200.
    assert k.headway_cv == pytest.approx(math.sqrt(7200.0) / 300.0)
    assert k.headway_los == "B"  # 0.28
    assert k.mean_wait_s == pytest.approx(305.0)
    assert k.scheduled_wait_s == pytest.approx(125.0)
    assert k.excess_wait_s == pytest.approx(180.0)
    assert k.p95_wait_s == pytest.approx(260.0 + 0.95 * 90.0)
    assert k.denied_boarding_pct == 50.0
    assert k.mean_journey_s == pytest.approx((530.0 + 710.0) / 2)
    assert k.peak_load_factor == 0.5
    assert k.energy_kwh == pytest.approx(4.0)
    assert k.train_km == pytest.approx(9.0)
    assert k.trains_used == 2
    assert (k.trips_planned, k.trips_operated, k.departures_not_served) == (3, 3, 0)
    assert (k.passengers, k.passengers_counted, k.not_served, k.unscheduled) == (2, 2, 0, 0)
    assert k.delay_passenger_hours is None


def test_the_reference_day_gives_the_delay() -> None:
    day, riders, visits, runs = _small_day()
    on_plan = riders.assign(board_s=[300.0, 300.0], alight_s=[570.0, 420.0])
    k = kpis(day, riders, visits, runs, capacity=2, reference=on_plan)
    # Journeys 530 and 710 s against 470 and 170 s on the plan.
    assert k.delay_passenger_hours == pytest.approx((60.0 + 540.0) / 3600.0)
    assert k.lost_passengers == 0


def test_the_contract_has_the_json_names_in_order_and_serialises() -> None:
    assert KPI_JSON_KEYS == JSON_CONTRACT
    k = kpis(*_small_day(), capacity=2)
    contract = k.contract()
    assert tuple(contract) == JSON_CONTRACT
    assert isinstance(contract["trains_used"], int)
    json.dumps(contract, allow_nan=False)
    json.dumps(k.as_dict(), allow_nan=False)


def test_nan_figures_become_null() -> None:
    day, _, visits, runs = _small_day()
    k = kpis(day, passengers(), visits, runs, capacity=2)
    assert math.isnan(k.mean_wait_s)
    assert k.contract()["mean_wait_s"] is None
    json.dumps(k.as_dict(), allow_nan=False)


def test_the_result_is_frozen() -> None:
    k = kpis(*_small_day(), capacity=2)
    assert isinstance(k, Kpis)
    with pytest.raises(AttributeError):
        k.train_km = 0.0  # type: ignore[misc]


def test_the_undisturbed_astana_day(astana_day: Day) -> None:
    plan = astana_day.plan
    capacity = 400.0
    k = kpis(
        astana_day.stop_times,
        astana_day.passengers,
        astana_day.stop_visits,
        astana_day.runs,
        capacity=capacity,
        reference=astana_day.passengers,
    )
    assert k.punctuality_pct == 100.0
    assert k.terminal_punctuality_pct == 100.0
    assert k.headway_cv == 0.0
    assert k.headway_los == "A"
    assert k.excess_wait_s == 0.0
    assert k.denied_boarding_pct == 0.0
    assert k.not_served == 0
    assert k.delay_passenger_hours == 0.0
    assert k.trips_planned == k.trips_operated == plan.trips
    spans = plan.timetable.groupby("block_id").agg(
        start=("arrival_s", "min"), end=("departure_s", "max")
    )
    at_once = max(int(((spans["start"] <= t) & (t < spans["end"])).sum()) for t in spans["start"])
    assert k.trains_used == at_once
    assert at_once <= plan.circulation.in_service_peak
    assert k.train_km == pytest.approx(plan.circulation.train_km)
    moving = int((plan.blocks["activity"] != "layover").sum())
    assert k.energy_kwh == pytest.approx(moving)  # 1 kWh a run in the synthetic runs
    loads = astana_day.stop_visits["load_on_departure"]
    assert k.peak_load_factor == pytest.approx(loads.max() / capacity)
    assert 0 < k.mean_wait_s < 900
    assert k.mean_journey_s > k.mean_wait_s


def test_empty_tables_give_nan_and_zero_counts() -> None:
    k = kpis(
        stop_times(),
        passengers(),
        pd.DataFrame(columns=list(STOP_VISIT_COLUMNS)),
        pd.DataFrame(columns=list(RUN_COLUMNS)),
        capacity=1,
    )
    assert math.isnan(k.punctuality_pct)
    assert math.isnan(k.headway_cv)
    assert (k.train_km, k.trains_used, k.trips_planned, k.passengers) == (0.0, 0, 0, 0)
    json.dumps(k.as_dict(), allow_nan=False)
