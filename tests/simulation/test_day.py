"""The simulated service day (`simulation.day`): the timetable reproduced when nothing varies,
and on a varied day the invariants, checked from the output tables alone."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from lrtsim.capacity.segments import station_separation_s
from lrtsim.metrics.kpis import Kpis, kpis
from lrtsim.model.incidents import with_incidents
from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Scenario
from lrtsim.planning.plan import ServicePlan, make_plan
from lrtsim.simulation.day import DayResult, simulate_day
from support.day_invariants import check_reproduces_timetable, shared_blocks
from support.separation import Running, shortfalls

SEED = 11


def _variant(scenario: Scenario, *, operations: dict[str, float], **service: object) -> Scenario:
    ops = scenario.operations.model_copy(update=operations)
    svc = scenario.service.model_copy(update=service)
    return scenario.model_copy(update={"operations": ops, "service": svc})


@pytest.fixture(scope="module")
def astana() -> Scenario:
    return load_scenario("astana")


@pytest.fixture(scope="module")
def calm(astana: Scenario) -> tuple[Scenario, ServicePlan]:
    """Nothing varies, dwells are the base dwell whatever the passengers (so no dwell outgrows
    the published one), and the loading standard is the highest the schema allows."""
    dwell = astana.service.dwell.model_copy(update={"per_boarding_s": 0.0, "per_alighting_s": 0.0})
    scenario = _variant(
        astana,
        operations={"dwell_cv": 0.0, "run_time_cv": 0.0},
        dwell=dwell,
        loading_standard_pax_per_m2=10.0,
    )
    return scenario, make_plan(scenario)


@pytest.fixture(scope="module")
def varied(astana: Scenario) -> tuple[Scenario, ServicePlan]:
    scenario = _variant(astana, operations={"dwell_cv": 0.3, "run_time_cv": 0.05})
    return scenario, make_plan(scenario)


@pytest.fixture(scope="module")
def calm_day(calm: tuple[Scenario, ServicePlan]) -> DayResult:
    return simulate_day(calm[1], calm[0], SEED)


@pytest.fixture(scope="module")
def varied_day(varied: tuple[Scenario, ServicePlan]) -> DayResult:
    return simulate_day(varied[1], varied[0], SEED)


def _departures(stop_times: pd.DataFrame) -> pd.Series:
    last = stop_times.groupby("trip_id")["stop_sequence"].transform("max")
    return stop_times["stop_sequence"] < last


def _kpis(day: DayResult) -> Kpis:
    return kpis(
        day.stop_times, day.passengers, day.stop_visits, day.runs, capacity=day.capacity_pax
    )


def test_with_nothing_varying_the_day_is_the_timetable(
    calm: tuple[Scenario, ServicePlan], calm_day: DayResult
) -> None:
    """Every stop at its planned time (exactly: tolerance 0, not even the checker's 1 ms),
    every pull-out and pull-in at the blocks' planned start, and no excess wait. The small
    line's calm day is `test_day_invariants.test_with_nothing_varying_the_small_day_is_its_…`."""
    st = calm_day.stop_times
    assert calm_day.stop_visits["left_behind"].sum() == 0  # the capacity never binds
    assert calm_day.stop_visits["boarded"].sum() > 50_000
    check_reproduces_timetable(st, events=calm_day.events, blocks=calm[1].blocks, tolerance_s=0.0)
    k = _kpis(calm_day)
    assert k.punctuality_pct == 100.0
    assert abs(k.excess_wait_s) < 1e-9


def test_the_stop_times_follow_the_timetable_rows(
    varied: tuple[Scenario, ServicePlan], varied_day: DayResult
) -> None:
    tt = varied[1].timetable
    st = varied_day.stop_times
    for column in ("trip_id", "block_id", "stop_sequence", "station"):
        assert st[column].tolist() == tt[column].tolist()
    np.testing.assert_array_equal(st["planned_departure_s"], tt["departure_s"])


def test_trips_are_dispatched_at_their_published_times(varied_day: DayResult) -> None:
    """Without control a trip leaves its first stop no earlier than published; a train ahead
    of time at an intermediate stop goes on when its dwell is done (early departures)."""
    st = varied_day.stop_times
    dep = st[_departures(st)]
    first = dep["stop_sequence"] == 1
    late = dep["actual_departure_s"] - dep["planned_departure_s"]
    assert (late[first] >= -1e-9).all()
    assert (late[~first] < -1.0).any()
    assert (late > 1.0).mean() > 0.3


def test_holding_to_the_schedule_everywhere_never_leaves_early(
    varied: tuple[Scenario, ServicePlan],
) -> None:
    scenario, plan = varied
    control = scenario.operations.control.model_copy(
        update={
            "strategy": "holding",
            "mode": "schedule",
            "timepoints": [s.name for s in scenario.line.stations],
            "max_hold_s": 3600.0,
        }
    )
    held = scenario.model_copy(
        update={"operations": scenario.operations.model_copy(update={"control": control})}
    )
    st = simulate_day(plan, held, SEED).stop_times
    dep = st[_departures(st)]
    assert (dep["actual_departure_s"] >= dep["planned_departure_s"] - 1e-9).all()


def test_each_train_moves_forward_in_time(
    varied: tuple[Scenario, ServicePlan], varied_day: DayResult
) -> None:
    st = varied_day.stop_times.sort_values(["trip_id", "stop_sequence"])
    arrive = st["actual_arrival_s"].to_numpy()
    depart = st["actual_departure_s"].to_numpy()
    assert (depart >= arrive).all()
    same = st["trip_id"].to_numpy()[1:] == st["trip_id"].to_numpy()[:-1]
    assert (arrive[1:][same] > depart[:-1][same]).all()
    # Trips of a block in block order, each turned no sooner than the terminal allows.
    turn = {t.name: t.turnaround_s for t in varied[1].capacity.terminals}
    ends = st.groupby("trip_id").agg(
        start=("actual_departure_s", "first"),
        end=("actual_arrival_s", "last"),
        first=("station", "first"),
        last=("station", "last"),
    )
    blocks = varied[1].blocks
    for _, acts in blocks[blocks["activity"] == "trip"].groupby("block_id"):
        trips = acts.sort_values("sequence")["trip_id"].tolist()
        for a, b in itertools.pairwise(trips):
            if ends.loc[a, "last"] == ends.loc[b, "first"]:
                assert ends.loc[b, "start"] >= ends.loc[a, "end"] + turn[ends.loc[a, "last"]] - 1e-6


def _separation_shortfalls(plan: ServicePlan, arrive: pd.DataFrame) -> list[float]:
    """arrival(follower, s) − departure(leader, s) − separation(s) where negative, for
    consecutive trains at every intermediate stop with a station headway."""
    short: list[float] = []
    for d in plan.capacity.directions:
        for h in d.stations:
            sep = station_separation_s(h)
            at = arrive[(arrive["direction"] == d.direction) & (arrive["station"] == h.where)]
            at = at.sort_values("arrival")
            gap = at["arrival"].to_numpy()[1:] - at["departure"].to_numpy()[:-1] - sep
            short.extend(float(g) for g in gap if g < -1e-6)
    return short


def test_the_planned_day_keeps_the_separation(varied: tuple[Scenario, ServicePlan]) -> None:
    tt = varied[1].timetable
    table = tt.assign(arrival=tt["arrival_s"], departure=tt["departure_s"])
    assert _separation_shortfalls(varied[1], table) == []


def test_consecutive_trains_keep_the_station_separation(
    varied: tuple[Scenario, ServicePlan], varied_day: DayResult
) -> None:
    st = varied_day.stop_times
    table = st.assign(arrival=st["actual_arrival_s"], departure=st["actual_departure_s"])
    assert _separation_shortfalls(varied[1], table) == []


def test_a_close_follower_stops_short_and_keeps_the_moving_block_gap(astana: Scenario) -> None:
    """With large dwell variability trains catch up: a follower brakes to a stand behind its
    leader and restarts, and from the trajectories alone no follower is ever closer to its
    leader's tail than its braking distance plus the margin (moving block)."""
    scenario = _variant(astana, operations={"dwell_cv": 1.0, "run_time_cv": 0.2})
    plan = make_plan(scenario)
    day = simulate_day(plan, scenario, SEED)
    counts = day.events["event"].value_counts()
    assert counts.get("stop_signal", 0) == counts.get("restart", 0) > 5
    samples = day.trajectory.samples(1.0)
    rule = plan.capacity.directions[0].rule
    moments = [
        (t, [Running(b, d, km, v) for b, d, km, v in
             zip(g["block_id"], g["direction"], g["km"], g["speed_mps"], strict=True)])
        for t, g in samples.groupby("time_s")
    ]  # fmt: skip
    found = shortfalls(
        moments,
        train_length_m=rule.train_length_m,
        reaction_s=rule.reaction_time_s,
        brake_mps2=rule.brake_mps2,
        margin_m=rule.safety_margin_m,
    )
    assert found == []
    held = day.stop_visits["held_s"]
    assert (held >= 0).all()


def test_passengers_are_conserved_and_trains_never_overfull(varied_day: DayResult) -> None:
    riders, visits = varied_day.passengers, varied_day.stop_visits
    boarded = riders["board_s"].notna()
    assert len(riders) == boarded.sum() + (~boarded).sum()
    assert visits["boarded"].sum() == boarded.sum() == visits["alighted"].sum()
    assert (riders.loc[~boarded, "trip_id"] == "").all()
    assert (riders.loc[boarded, "alight_s"] > riders.loc[boarded, "board_s"]).all()
    assert (riders.loc[boarded, "board_s"] >= riders.loc[boarded, "arrival_s"]).all()
    flow = visits["load_on_arrival"] - visits["alighted"] + visits["boarded"]
    assert (flow == visits["load_on_departure"]).all()
    last = visits.groupby("trip_id")["stop_sequence"].transform("max")
    assert (visits.loc[visits["stop_sequence"] == last, "load_on_departure"] == 0).all()
    assert visits["load_on_departure"].max() <= varied_day.capacity_pax
    # Each boarding and alighting at the trip's actual arrival at that station.
    st = varied_day.stop_times.set_index(["trip_id", "station"])["actual_arrival_s"]
    on = riders[boarded]
    board_at = st.loc[list(zip(on["trip_id"], on["origin"], strict=True))].to_numpy()
    alight_at = st.loc[list(zip(on["trip_id"], on["destination"], strict=True))].to_numpy()
    np.testing.assert_array_equal(on["board_s"].to_numpy(), board_at)
    np.testing.assert_array_equal(on["alight_s"].to_numpy(), alight_at)


def test_the_same_seed_gives_the_same_day_and_another_seed_another(
    varied: tuple[Scenario, ServicePlan], varied_day: DayResult
) -> None:
    again = simulate_day(varied[1], varied[0], SEED)
    for name in ("stop_times", "stop_visits", "passengers", "runs", "events"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(varied_day, name))
    other = simulate_day(varied[1], varied[0], SEED + 1)
    assert not other.stop_times["actual_arrival_s"].equals(
        varied_day.stop_times["actual_arrival_s"]
    )
    assert len(other.passengers) != len(varied_day.passengers)


def test_the_event_log(varied: tuple[Scenario, ServicePlan], varied_day: DayResult) -> None:
    ev = varied_day.events
    assert ev["time_s"].is_monotonic_increasing
    counts = ev["event"].value_counts()
    stops = len(varied_day.stop_times)
    assert counts["arrive"] == counts["depart"] + varied[1].trips == stops
    blocks = varied[1].blocks
    assert counts["pull_out"] == (blocks["activity"] == "pull_out").sum()
    assert counts["pull_in"] == (blocks["activity"] == "pull_in").sum()
    assert (ev["train_id"] == ev["block_id"]).all()
    arrive = ev[ev["event"] == "arrive"]
    assert arrive["boarded"].sum() == varied_day.stop_visits["boarded"].sum()
    # Per train: pull-out first, pull-in last.
    for _, rows in ev.groupby("block_id"):
        assert rows["event"].iloc[0] == "pull_out"
        assert rows["event"].iloc[-1] == "pull_in"


def test_kpis_of_a_varied_day_are_plausible(
    calm_day: DayResult, varied_day: DayResult, varied: tuple[Scenario, ServicePlan]
) -> None:
    k = _kpis(varied_day)
    # Trains wait for their published times at every stop, so cv 0.3 / 0.05 seldom makes one
    # 3 minutes late; within 30 s some are not.
    tight = kpis(
        varied_day.stop_times,
        varied_day.passengers,
        varied_day.stop_visits,
        varied_day.runs,
        capacity=varied_day.capacity_pax,
        window_s=(-60.0, 30.0),
    )
    assert 50.0 < tight.punctuality_pct < 100.0
    assert tight.punctuality_pct <= k.punctuality_pct <= 100.0
    assert k.headway_cv > _kpis(calm_day).headway_cv
    assert k.excess_wait_s > 0.0
    assert 0 < k.trains_used <= varied[1].circulation.in_service_peak
    assert k.energy_kwh > 0.0
    runs = varied_day.runs[varied_day.runs["trip_id"] != ""]
    assert len(runs) == varied[1].trips
    planned_m = varied[1].timetable.groupby("trip_id")["distance_m"].max()
    got = runs.set_index("trip_id")["distance_m"]
    np.testing.assert_allclose(got.loc[planned_m.index], planned_m, rtol=0, atol=1e-6)


def test_under_fixed_block_no_two_trains_share_a_block(astana: Scenario) -> None:
    """Fixed block, with a blockage making trains queue: from the trajectories alone, never two
    trains in one block at once, and some did queue at signals."""
    signalling = astana.signalling.model_copy(update={"kind": "fixed_block"})
    scenario = astana.model_copy(update={"signalling": signalling})
    plan = make_plan(scenario)
    blocked = with_incidents(scenario, ["08:15,track_blocked,Baiterek,House of Ministries,12"])
    day = simulate_day(plan, blocked, SEED)
    assert (day.events["event"] == "stop_signal").sum() > 3
    samples = day.trajectory.samples(1.0)
    samples = samples[samples["time_s"].between(7.5 * 3600, 10 * 3600)]
    signals = {}
    for d in plan.capacity.directions:
        origin = astana.line.stations[0 if d.direction == "up" else -1].km
        ahead = 1.0 if d.direction == "up" else -1.0
        signals[d.direction] = tuple(origin + ahead * d.rule.block_boundaries_m / 1000.0)
    assert all(len(v) > 20 for v in signals.values())
    assert shared_blocks(samples, signals, astana.rolling_stock.length_m) == []


def test_the_block_checker_sees_two_trains_in_one_block() -> None:
    samples = pd.DataFrame(
        {
            "time_s": [0.0, 0.0, 1.0, 1.0],
            "block_id": ["A", "B", "A", "B"],
            "direction": ["up"] * 4,
            "km": [1.45, 1.20, 1.45, 1.35],  # signals every 0.3 km; 60 m trains
        }
    )
    signals = {"up": (0.0, 0.3, 0.6, 0.9, 1.2, 1.5, 1.8)}
    found = shared_blocks(samples, signals, 60.0)
    assert len(found) == 1
    assert found[0].startswith("00:00:01")


def test_position_at_agrees_with_the_samples(varied_day: DayResult) -> None:
    """`position_at(t)` gives every train on a trip at t, where the sampled trajectory has it."""
    samples = varied_day.trajectory.samples(10.0)
    for t in (7 * 3600.0, 8.5 * 3600.0 + 10.0, 17.25 * 3600.0):
        at = samples[samples["time_s"] == t].set_index("trip_id")
        positions = varied_day.trajectory.position_at(t)
        assert {p.trip_id for p in positions} == set(at.index)
        assert len(positions) >= 5
        for p in positions:
            assert p.km == pytest.approx(at.loc[p.trip_id, "km"], abs=1e-9)
            assert p.speed_mps == pytest.approx(at.loc[p.trip_id, "speed_mps"], abs=1e-9)
            assert p.standing == (p.speed_mps == 0.0)
            assert 0 <= p.load <= varied_day.capacity_pax


def test_a_stop_short_of_the_authority_costs_time_and_energy(astana: Scenario) -> None:
    """Trips that braked to a stand on the line behind a blockage and restarted draw more
    energy from the line than the same trips in the undisturbed day (same seed), and arrive
    later: the restart's traction and the lost regeneration are counted, not teleported."""
    plan = make_plan(astana)
    calm = simulate_day(plan, astana, SEED)
    blocked = simulate_day(
        plan,
        with_incidents(astana, ["08:15,track_blocked,Baiterek,House of Ministries,12"]),
        SEED,
    )
    ev = blocked.events
    stops = ev[ev["event"] == "stop_signal"]
    station_m = {s.name: s.km * 1000.0 for s in astana.line.stations}
    on_line = stops[(stops["position_m"] - stops["station"].map(station_m)).abs() > 1.0]
    trips = sorted(set(on_line["trip_id"]))
    assert len(trips) >= 2
    energy = {
        name: day.runs.set_index("trip_id").loc[trips, "line_energy_j"]
        for name, day in (("calm", calm), ("blocked", blocked))
    }
    assert (energy["blocked"] > energy["calm"]).all()
    last = {
        name: day.stop_times.groupby("trip_id")["actual_arrival_s"].max().loc[trips]
        for name, day in (("calm", calm), ("blocked", blocked))
    }
    assert (last["blocked"] > last["calm"] + 60.0).all()
