"""Where the planned trains are at any second (`planning.motion`), checked against the timetable
and blocks tables alone: at each published time a train is at its station; between them it
moves continuously, in its direction, no faster than the line allows; its speed integrates to
the distance run; the trains on the line at a moment are those the blocks put there."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lrtsim.model.load import load_scenario
from lrtsim.model.units import kmh_to_mps
from lrtsim.planning.motion import PlanMotion, plan_motion
from lrtsim.planning.plan import ServicePlan, make_plan


@pytest.fixture(scope="module")
def plan() -> ServicePlan:
    return make_plan(load_scenario("astana"))


@pytest.fixture(scope="module")
def motion(plan: ServicePlan) -> PlanMotion:
    return plan_motion(plan.runs, plan.timetable, plan.blocks)


def test_at_every_published_time_the_train_is_at_its_station(
    plan: ServicePlan, motion: PlanMotion
) -> None:
    km = {s.name: s.km for s in load_scenario("astana").line.stations}
    trips = {t.trip_id: t for t in motion.trips}
    for row in plan.timetable.sample(400, random_state=1).itertuples():
        trip = trips[str(row.trip_id)]
        for t in (float(row.arrival_s), float(row.departure_s)):
            p = motion.trip_position(trip, t)
            assert p.km == pytest.approx(km[str(row.station)], abs=1e-6)
            assert p.standing
            assert p.speed_mps == 0.0


def test_trains_move_continuously_forward_and_within_the_limit(motion: PlanMotion) -> None:
    limit = kmh_to_mps(load_scenario("astana").line.max_speed_kmh)
    for trip in motion.trips[::7]:
        s = motion.sample(trip, 1.0)
        dt = np.diff(s["time_s"].to_numpy())
        dkm = np.diff(s["km"].to_numpy())
        forward = dkm if trip.direction == "up" else -dkm
        assert (forward >= -1e-9).all()
        assert (forward * 1000.0 <= limit * dt + 1e-6).all()
        assert (s["speed_mps"] <= limit + 1e-9).all()
        # The speed integrates to the distance run (trapezoids over 1 s steps).
        run_m = abs(s["km"].iloc[-1] - s["km"].iloc[0]) * 1000.0
        integral = float(np.sum(0.5 * (s["speed_mps"].to_numpy()[1:] + s["speed_mps"][:-1]) * dt))
        assert integral == pytest.approx(run_m, rel=0.01)


def _on_line_from_blocks(blocks: pd.DataFrame, t: float) -> set[str]:
    """Blocks running a trip at t, or standing in a layover before one (not yet going home)."""
    out = set()
    for block, rows in blocks.groupby("block_id"):
        rows = rows.sort_values("sequence")
        for k, row in enumerate(rows.itertuples()):
            inside = row.start_s <= t <= row.end_s if row.activity == "trip" else (
                row.start_s < t < row.end_s
            )  # fmt: skip
            later_trip = (rows["activity"].iloc[k + 1 :] == "trip").any()
            if inside and (row.activity == "trip" or (row.activity == "layover" and later_trip)):
                out.add(str(block))
    return out


@pytest.mark.parametrize("clock", ["06:02:30", "08:00:00", "12:17:45", "17:40:10", "22:55:00"])
def test_the_trains_on_the_line_are_those_the_blocks_put_there(
    plan: ServicePlan, motion: PlanMotion, clock: str
) -> None:
    h, m, s = (int(x) for x in clock.split(":"))
    t = float(h * 3600 + m * 60 + s)
    shown = {p.block_id for p in motion.position_at(t)}
    assert shown == _on_line_from_blocks(plan.blocks, t)
    assert len(shown) == len(motion.position_at(t))  # one place per train


def test_no_planned_train_comes_closer_than_moving_block_allows(plan: ServicePlan) -> None:
    """The planned day's trains every 5 s of the day (`position_at`, layovers left out),
    checked by the checker the simulated day's trajectories are (`support.day_invariants`)."""
    from support.day_invariants import planned_positions, separation_shortfalls

    scenario = load_scenario("astana")
    assert scenario.signalling.kind == "moving_block"
    samples = planned_positions(plan, np.arange(5.5 * 3600, 23.5 * 3600, 5.0))
    assert samples["block_id"].nunique() >= 14  # the day's trains, all seen
    found = separation_shortfalls(samples, scenario)
    assert not found, found[:3]


def test_the_separation_check_sees_a_follower_too_close() -> None:
    from support.separation import Running, shortfalls

    rule = {"train_length_m": 60.0, "reaction_s": 2.0, "brake_mps2": 1.0, "margin_m": 50.0}
    # Follower at 20 m/s needs 20·2 + 20²/(2·1) + 50 = 290 m from its head to the leader's tail.
    close = [Running("A", "up", 1.0, 10.0), Running("B", "up", 1.0 - 0.34, 20.0)]
    fine = [Running("A", "down", 1.0, 10.0), Running("B", "down", 1.0 + 0.36, 20.0)]
    found = shortfalls([(0.0, close), (1.0, fine)], **rule)
    assert [(f.leader, f.follower) for f in found] == [("A", "B")]
    assert found[0].gap_m == pytest.approx(280.0)
    assert found[0].required_m == pytest.approx(290.0)
