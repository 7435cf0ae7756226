"""Periods, layovers and trains in service from a feed's trips; the planner set against them."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from calibration_support import bare

from lrtsim.calibration.feed_service import (
    AWAY_AFTER_S,
    FeedService,
    ServiceTrip,
    feed_periods,
    terminal_layovers_s,
    vehicles_in_service,
)
from lrtsim.calibration.service_check import compare_service, with_feed_service
from lrtsim.model.schema import clock_to_s
from lrtsim.planning.plan import make_plan


def test_periods_follow_the_feed_headways() -> None:
    jitter = [0, 5, 5, 0, 5]  # the feed rounds to 5 s
    times = [clock_to_s("06:00") + 600 * k for k in range(18)]
    times += [clock_to_s("09:00") + 900 * k for k in range(44)]
    times += [clock_to_s("20:00") + 1800 * k for k in range(7)]
    noisy = [t + jitter[k % 5] for k, t in enumerate(times)]
    periods = feed_periods(noisy)
    assert [(p.from_s, p.to_s, p.headway_s) for p in periods] == [
        (clock_to_s("06:00"), clock_to_s("09:00"), 600.0),
        (clock_to_s("09:00"), clock_to_s("20:00"), 900.0),
        (clock_to_s("20:00"), clock_to_s("23:01"), 1800.0),
    ]
    assert feed_periods([clock_to_s("06:00")]) == ()


def _trip(block: str, direction: str, dep: float, arr: float, full: bool = True) -> ServiceTrip:
    return ServiceTrip(f"{block}-{dep:.0f}", direction, block, dep, arr, full)  # type: ignore[arg-type]


def test_layovers_are_the_turns_between_full_trips_of_a_block() -> None:
    trips = [
        _trip("A", "up", 1000, 2000),
        _trip("A", "down", 2300, 3300),  # 300 s at the end terminal
        _trip("A", "up", 3420, 4400),  # 120 s at the start terminal
        _trip("A", "down", 4400 + AWAY_AFTER_S + 1, 9000),  # away in between: not a layover
        _trip("B", "up", 1500, 2500),
        _trip("B", "up", 2600, 3600),  # no turn (same direction): not a layover
        _trip("C", "down", 100, 900, full=False),
        _trip("C", "up", 1000, 1800),  # after a short trip: not a layover
    ]
    assert terminal_layovers_s(trips) == {"start": (120.0,), "end": (300.0,)}


def test_vehicles_in_service_against_a_count_at_every_start() -> None:
    rng = np.random.default_rng(7)
    trips: list[ServiceTrip] = []
    for b in range(12):
        t = float(rng.uniform(0, 20_000))
        for k in range(int(rng.integers(1, 8))):
            run = float(rng.uniform(900, 3000))
            trips.append(_trip(f"B{b}", "up" if k % 2 == 0 else "down", t, t + run))
            t += run + float(rng.choice([60.0, 600.0, 1800.0, AWAY_AFTER_S + 600.0]))
    trips.append(ServiceTrip("lone", "up", "", 5000.0, 8000.0, True))

    def busy(t: float) -> int:
        count = 0
        blocks = pd.DataFrame([vars(x) for x in trips]).groupby("block_id")
        for block_id, table in blocks:
            rows = table.sort_values("departure_s").to_numpy()
            spans = [(r[3], r[4]) for r in rows]
            gaps = [(a[1], b[0]) for a, b in itertools.pairwise(spans)]
            if block_id == "":
                count += sum(a <= t < b for a, b in spans)
                continue
            on = any(a <= t < b for a, b in spans) or any(
                a <= t < b and b - a <= AWAY_AFTER_S for a, b in gaps
            )
            count += on
        return count

    peak, when = vehicles_in_service(trips)
    assert peak == max(busy(x.departure_s) for x in trips)
    assert busy(when) == peak


@pytest.fixture(scope="module")
def planned_feed() -> tuple[FeedService, int]:
    """lrtsim's own plan of the synthetic line, read back as a feed: trips and their blocks."""
    periods = [
        {"from": "06:00", "to": "09:00", "max_headway_s": 600.0},
        {"from": "09:00", "to": "16:00", "max_headway_s": 900.0},
        {"from": "16:00", "to": "22:00", "max_headway_s": 1200.0},
    ]
    plan = make_plan(bare(3.0, periods=periods, layover_s=400.0, start="05:30", end="23:30"))
    tt = plan.timetable
    n = int(tt["station_index"].max()) + 1
    trips = tt.groupby("trip_id").agg(
        block=("block_id", "first"),
        direction=("direction", "first"),
        dep=("departure_s", "first"),
        arr=("arrival_s", "last"),
        stops=("station", "size"),
    )
    feed = FeedService(
        "20240101",
        tuple(
            ServiceTrip(str(i), r.direction, str(r.block), r.dep, r.arr, r.stops == n)
            for i, r in trips.iterrows()
        ),
    )
    return feed, plan.circulation.in_service_peak


def test_the_planner_reproduces_a_service_it_planned(planned_feed: tuple[FeedService, int]) -> None:
    feed, planned_peak = planned_feed
    scenario, notes = with_feed_service(bare(3.0, start="05:30", end="23:30"), feed, "up")
    periods = [(p.from_, p.to, p.max_headway_s) for p in scenario.service.periods]
    # The first up trips before 06:00 take trains to the far terminal in service: the feed's
    # first period starts with them.
    assert [h for _, _, h in periods] == [600.0, 900.0, 1200.0]
    assert periods[1][:2] == ("09:00", "16:00")
    assert scenario.service.layover_s >= 400.0
    assert any("layover_s" in n for n in notes)
    comparison = compare_service(scenario, feed)
    assert comparison.feed_in_service_peak == planned_peak
    assert comparison.planned_in_service_peak == planned_peak
    middle = comparison.periods[1]
    assert middle.planned_trips_per_h == middle.feed_trips_per_h == (4.0, 4.0)
    for p in comparison.periods:
        for planned, published in zip(p.planned_trips_per_h, p.feed_trips_per_h, strict=True):
            assert planned == pytest.approx(published, rel=0.12)
    assert comparison.day_type == "daily"
