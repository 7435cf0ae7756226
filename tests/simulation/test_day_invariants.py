"""Invariants of simulated service days, checked from the output tables alone
(`support.day_invariants`), on the Astana weekday (seeds 1 and 2) and small synthetic lines
(`day_cases`): passengers conserved, trains within capacity and away from closed stations and
blocked track, train events in causal order, passengers boarding and alighting where and when
their trains stop; the same seed giving the same tables (and the same Parquet bytes), another
seed other passengers; with nothing varying, the timetable itself.

Each checker is also fed a deliberately broken table, to see that it can fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from day_cases import ASTANA_CASES, SMALL_CASES, DayCase, astana_case, small_case

from lrtsim.metrics.kpis import kpis
from lrtsim.model.incidents import with_incidents
from lrtsim.simulation.day import simulate_day
from support import day_invariants as inv

CASES = (*ASTANA_CASES, *SMALL_CASES)


@pytest.fixture(scope="module", params=CASES)
def case(request: pytest.FixtureRequest) -> DayCase:
    name = str(request.param)
    if name in ASTANA_CASES:
        scenario, plan = request.getfixturevalue("astana_weekday")
        return astana_case(name, scenario, plan)
    return small_case(name)


def _crush_pax(case: DayCase) -> float:
    stock = case.scenario.rolling_stock
    return stock.capacity_at(stock.crush_standing_pax_per_m2)


# ------------------------------------------------------------------------ every day, every rule
def test_the_case_exercises_what_it_is_for(case: DayCase) -> None:
    """Not vacuous: passengers ride, trains run, and each variant does what it is named for."""
    visits, day = case.day.stop_visits, case.day
    assert visits["boarded"].sum() > 1000
    assert len(day.events) > 4 * len(day.stop_times) // 3
    if "full trains" in case.name:
        assert visits["left_behind"].sum() > 100
        assert visits["load_on_departure"].max() == int(day.capacity_pax)
    if "calm" in case.name:
        assert visits["left_behind"].sum() == 0  # the capacity never binds
    if "no depot" in case.name:
        assert case.plan.blocks["from_station"].astype(str).str.contains("sidings").any()


def test_passengers_are_accounted_for(case: DayCase) -> None:
    inv.check_passengers_accounted(case.day.passengers)


def test_boarded_equals_alighted_plus_on_board(case: DayCase) -> None:
    inv.check_boarded_equals_alighted_plus_on_board(case.day.stop_visits, case.day.passengers)


def test_nobody_is_on_a_train_at_the_end(case: DayCase) -> None:
    inv.check_nobody_on_board_at_end(case.day.stop_visits)


def test_each_stop_visit_adds_up(case: DayCase) -> None:
    inv.check_visit_flow(case.day.stop_visits)


def test_the_load_carries_along_each_trip(case: DayCase) -> None:
    inv.check_load_chain(case.day.stop_visits)


def test_boardings_per_station_are_the_passengers_boarding_there(case: DayCase) -> None:
    inv.check_boardings_by_station(case.day.stop_visits, case.day.passengers)


def test_alightings_per_station_are_the_passengers_alighting_there(case: DayCase) -> None:
    inv.check_alightings_by_station(case.day.stop_visits, case.day.passengers)


def test_no_train_is_loaded_above_its_capacity(case: DayCase) -> None:
    inv.check_loads_within_capacity(
        case.day.stop_visits,
        case.day.events,
        capacity_pax=case.day.capacity_pax,
        crush_pax=_crush_pax(case),
    )


def test_no_train_serves_a_closed_station(case: DayCase) -> None:
    inv.check_closed_stations(
        case.day.stop_visits, case.day.passengers, case.scenario.operations.incidents
    )


def test_no_train_enters_a_blocked_section(case: DayCase) -> None:
    inv.check_blocked_track(case.day.stop_times, case.scenario.operations.incidents)


def test_each_trains_events_are_in_time_order(case: DayCase) -> None:
    inv.check_train_events_in_time_order(case.day.events)


def test_each_block_begins_with_its_pull_out_and_ends_with_its_pull_in(case: DayCase) -> None:
    inv.check_pull_out_first_pull_in_last(case.day.events)


def test_trains_arrive_at_a_stop_before_they_depart(case: DayCase) -> None:
    inv.check_arrive_before_depart(case.day.stop_times, case.day.events)


def test_trips_serve_their_stops_in_sequence(case: DayCase) -> None:
    inv.check_stops_in_sequence(case.day.stop_times, case.day.events)


def test_a_train_is_in_one_place_at_a_time(case: DayCase) -> None:
    inv.check_one_place_at_a_time(case.day.stop_times)


def test_the_event_log_matches_the_stop_times(case: DayCase) -> None:
    inv.check_events_match_stop_times(case.day.events, case.day.stop_times)


def test_passengers_board_after_arriving(case: DayCase) -> None:
    inv.check_board_after_arrival(case.day.passengers)


def test_passengers_alight_after_boarding(case: DayCase) -> None:
    inv.check_alight_after_board(case.day.passengers)


def test_passengers_board_when_their_train_opens_its_doors_at_the_origin(case: DayCase) -> None:
    inv.check_board_at_origin_arrival(case.day.passengers, case.day.stop_times)


def test_passengers_alight_at_their_destination(case: DayCase) -> None:
    inv.check_alight_at_destination(case.day.passengers, case.day.stop_times)


# ------------------------------------------------------------------------------- determinism
def test_the_same_seed_gives_identical_tables_and_parquet(case: DayCase) -> None:
    again = simulate_day(case.plan, case.scenario, case.day.seed)
    inv.check_identical_days(again, case.day)


def test_another_seed_gives_other_passengers(case: DayCase) -> None:
    other = simulate_day(case.plan, case.scenario, case.day.seed + 100)
    a, b = case.day.passengers, other.passengers
    assert not a.equals(b)
    n = min(len(a), len(b))
    same = np.isclose(a["arrival_s"].to_numpy()[:n], b["arrival_s"].to_numpy()[:n], atol=1e-6)
    assert same.mean() < 0.01, f"{same.sum()} of {n} arrival times alike"
    with pytest.raises(AssertionError, match="tables differ"):
        inv.check_identical_days(other, case.day)


# ----------------------------------------------------------------------- nothing varying
def test_with_nothing_varying_the_small_day_is_its_timetable() -> None:
    """The calm small day (`day_cases.calm`: dwell_cv = run_time_cv = 0, no incidents, dwells
    not growing with passengers) serves every stop at its planned time within 1 ms, pulls out
    and in as planned, and nobody waits longer than the timetable makes them
    (`test_day.test_with_nothing_varying_the_day_is_the_timetable` is the Astana case)."""
    case = small_case("small, calm")
    day = case.day
    assert case.scenario.operations.dwell_cv == case.scenario.operations.run_time_cv == 0.0
    assert case.scenario.operations.incidents == []
    inv.check_reproduces_timetable(day.stop_times, events=day.events, blocks=case.plan.blocks)
    k = kpis(day.stop_times, day.passengers, day.stop_visits, day.runs, capacity=day.capacity_pax)
    assert k.punctuality_pct == 100.0
    assert abs(k.excess_wait_s) < 1e-9


# ---------------------------------------------------------- each checker can fail (broken tables)
@pytest.fixture(scope="module")
def small() -> DayCase:
    return small_case("small")


def _set(frame: pd.DataFrame, row: int, **values: Any) -> pd.DataFrame:
    """A copy of `frame` with the given columns changed at positional row `row`."""
    out = frame.copy()
    for column, value in values.items():
        out.iloc[row, out.columns.get_loc(column)] = value
    return out


def _rider(day: Any, k: int = 0) -> int:
    """Row of the k-th passenger who rode."""
    return int(np.flatnonzero(day.passengers["board_s"].notna().to_numpy())[k])


def _busy_visit(visits: pd.DataFrame, k: int = 0) -> int:
    """Row of the k-th visit (in table order) where someone boarded, not a trip's first stop."""
    rows = (visits["boarded"] > 0) & (visits["stop_sequence"] > 1)
    return int(np.flatnonzero(rows.to_numpy())[k])


def _raises(match: str, check: Callable[..., None], *args: Any, **kwargs: Any) -> None:
    with pytest.raises(AssertionError, match=match):
        check(*args, **kwargs)


def test_a_passenger_half_boarded_is_seen(small: DayCase) -> None:
    p = small.day.passengers
    r = _rider(small.day)
    pid = p["passenger_id"].iloc[r]
    _raises(f"passenger {pid} ", inv.check_passengers_accounted, _set(p, r, alight_s=np.nan))
    twice = pd.concat([p, p.iloc[[r]]], ignore_index=True)
    _raises("passenger id is repeated", inv.check_passengers_accounted, twice)


def test_a_boarding_too_many_is_seen(small: DayCase) -> None:
    v = small.day.stop_visits
    r = _busy_visit(v)
    more = _set(
        v,
        r,
        boarded=v["boarded"].iloc[r] + 1,
        load_on_departure=v["load_on_departure"].iloc[r] + 1,
    )
    _raises(
        "the visits board",
        inv.check_boarded_equals_alighted_plus_on_board,
        more,
        small.day.passengers,
    )


def test_a_passenger_left_on_board_is_seen(small: DayCase) -> None:
    v = small.day.stop_visits
    last = v.groupby("trip_id", sort=False)["stop_sequence"].transform("max")
    r = int(np.flatnonzero((v["stop_sequence"] == last).to_numpy())[3])
    trip = v["trip_id"].iloc[r]
    _raises(
        f"trip {trip} at .*: 2 on board",
        inv.check_nobody_on_board_at_end,
        _set(v, r, load_on_departure=2),
    )


def test_a_visit_that_does_not_add_up_is_seen(small: DayCase) -> None:
    v = small.day.stop_visits
    r = _busy_visit(v, 5)
    broken = _set(v, r, load_on_departure=v["load_on_departure"].iloc[r] - 1)
    _raises(f"trip {v['trip_id'].iloc[r]} at {v['station'].iloc[r]}", inv.check_visit_flow, broken)


def test_a_load_that_does_not_carry_over_is_seen(small: DayCase) -> None:
    v = small.day.stop_visits
    r = _busy_visit(v, 7)
    broken = _set(v, r, load_on_arrival=v["load_on_arrival"].iloc[r] + 3)
    _raises(f"trip {v['trip_id'].iloc[r]} at {v['station'].iloc[r]}", inv.check_load_chain, broken)


def test_boardings_counted_at_the_wrong_station_are_seen(small: DayCase) -> None:
    v = small.day.stop_visits
    r = _busy_visit(v)
    # One boarding moved to the trip's next stop: totals and each visit's flow unchanged.
    moved = _set(v, r, boarded=v["boarded"].iloc[r] - 1)
    moved = _set(moved, r + 1, boarded=v["boarded"].iloc[r + 1] + 1)
    _raises(
        f"{v['station'].iloc[r]} \\(", inv.check_boardings_by_station, moved, small.day.passengers
    )
    moved = _set(v, r, alighted=v["alighted"].iloc[r] + 1)
    moved = _set(moved, r + 1, alighted=v["alighted"].iloc[r + 1] - 1)
    _raises(
        f"{v['station'].iloc[r]} \\(", inv.check_alightings_by_station, moved, small.day.passengers
    )


def test_an_overloaded_train_is_seen() -> None:
    full = small_case("small, full trains")
    v, e = full.day.stop_visits, full.day.events
    limit = int(full.day.capacity_pax)
    r = int(np.flatnonzero((v["load_on_departure"] == limit).to_numpy())[0])
    over = _set(v, r, load_on_departure=limit + 1)
    crush = _crush_pax(full)
    _raises(
        f"trip {v['trip_id'].iloc[r]}",
        inv.check_loads_within_capacity,
        over,
        e,
        capacity_pax=full.day.capacity_pax,
        crush_pax=crush,
    )
    # The same day checked against a crush load below what it carried.
    _raises(
        "crush 79",
        inv.check_loads_within_capacity,
        v,
        e,
        capacity_pax=full.day.capacity_pax,
        crush_pax=limit - 1.0,
    )


def test_a_train_at_a_closed_station_is_seen(small: DayCase) -> None:
    """The small day as run (no incidents) read against a closure of C it knew nothing of."""
    closed = with_incidents(small.scenario, ["07:30,station_closed,C,15,direction=up"])
    incidents = closed.operations.incidents
    v, p = small.day.stop_visits, small.day.passengers
    with pytest.raises(AssertionError, match=r"at C \(up, .* closed \[07:30:00.000") as caught:
        inv.check_closed_stations(v, p, incidents)
    assert "(down" not in str(caught.value)
    # Without the stop visits at C, the passengers boarding and alighting there still show.
    elsewhere = v[v["station"] != "C"]
    _raises(
        "boards trip .* at C at 07:",
        inv.check_closed_stations,
        elsewhere,
        p[p["origin"] == "C"],
        incidents,
    )
    _raises(
        "alights trip .* at C at 07:",
        inv.check_closed_stations,
        elsewhere,
        p[p["destination"] == "C"],
        incidents,
    )
    # The down platform's closure says nothing of the up trains and their passengers.
    down = with_incidents(small.scenario, ["07:30,station_closed,C,15,direction=down"])
    up = v["direction"] == "up"
    inv.check_closed_stations(v[up], p[p["direction"] == "up"], down.operations.incidents)


def test_a_train_entering_a_blocked_section_is_seen(small: DayCase) -> None:
    blocked = with_incidents(small.scenario, ["08:00,track_blocked,C,B,10,direction=down"])
    with pytest.raises(AssertionError, match=r"\(block .*, down\) leaves C for B at 08:0"):
        inv.check_blocked_track(small.day.stop_times, blocked.operations.incidents)
    up = with_incidents(small.scenario, ["08:00,track_blocked,C,B,10,direction=up"])
    with pytest.raises(AssertionError, match=r"up\) leaves B for C"):
        inv.check_blocked_track(small.day.stop_times, up.operations.incidents)


def test_a_train_event_out_of_time_order_is_seen(small: DayCase) -> None:
    e = small.day.events
    r = int(np.flatnonzero((e["event"] == "depart").to_numpy())[10])
    broken = _set(e, r, time_s=e["time_s"].iloc[r] - 3600.0)
    _raises(f"train {e['train_id'].iloc[r]}: depart", inv.check_train_events_in_time_order, broken)


def test_a_block_not_framed_by_its_depot_moves_is_seen(small: DayCase) -> None:
    e = small.day.events
    r = int(np.flatnonzero((e["event"] == "pull_in").to_numpy())[0])
    block = e["block_id"].iloc[r]
    first = e.iloc[np.r_[r, np.delete(np.arange(len(e)), r)]]  # its pull-in logged first
    with pytest.raises(AssertionError, match=f"block {block} starts with pull_in") as caught:
        inv.check_pull_out_first_pull_in_last(first)
    assert f"block {block} ends with arrive" in str(caught.value)
    out = int(np.flatnonzero(((e["event"] == "pull_out") & (e["block_id"] == block)).to_numpy())[0])
    _raises(
        f"block {block}: arrive at .* while in the depot",
        inv.check_pull_out_first_pull_in_last,
        e.drop(index=e.index[out]),
    )


def test_a_departure_before_the_arrival_is_seen(small: DayCase) -> None:
    st = small.day.stop_times
    r = 2
    early = _set(st, r, actual_departure_s=st["actual_arrival_s"].iloc[r] - 1.0)
    _raises(
        f"trip {st['trip_id'].iloc[r]} .* at {st['station'].iloc[r]}",
        inv.check_arrive_before_depart,
        early,
        small.day.events,
    )
    e = small.day.events
    d = int(np.flatnonzero((e["event"] == "depart").to_numpy())[4])
    a = int(
        np.flatnonzero(
            (
                (e["event"] == "arrive")
                & (e["trip_id"] == e["trip_id"].iloc[d])
                & (e["station"] == e["station"].iloc[d])
            ).to_numpy()
        )[0]
    )
    swapped = e.iloc[np.r_[np.arange(a), d, a, np.arange(a + 1, d), np.arange(d + 1, len(e))]]
    _raises(
        f"trip {e['trip_id'].iloc[d]} at {e['station'].iloc[d]}: departs",
        inv.check_arrive_before_depart,
        st,
        swapped,
    )


def test_stops_out_of_sequence_are_seen(small: DayCase) -> None:
    st = small.day.stop_times
    r = 3  # the first trip's fourth stop, reached before it left the third
    broken = _set(st, r, actual_arrival_s=st["actual_departure_s"].iloc[r - 1] - 1.0)
    _raises(
        f"trip {st['trip_id'].iloc[r]} .* reaches {st['station'].iloc[r]}",
        inv.check_stops_in_sequence,
        broken,
        small.day.events,
    )
    e = small.day.events
    trip = st["trip_id"].iloc[0]
    arrivals = np.flatnonzero(((e["event"] == "arrive") & (e["trip_id"] == trip)).to_numpy())
    i, j = arrivals[1], arrivals[2]
    order = np.arange(len(e))
    order[i], order[j] = j, i
    _raises(f"trip {trip}: arrival at", inv.check_stops_in_sequence, st, e.iloc[order])


def test_a_train_on_two_trips_at_once_is_seen(small: DayCase) -> None:
    st = small.day.stop_times
    block = st["block_id"].iloc[0]
    trips = st[st["block_id"] == block].groupby("trip_id", sort=False)["actual_arrival_s"].min()
    second = trips.sort_values().index[1]
    rows = st["trip_id"] == second
    early = st.copy()
    early.loc[rows, "actual_arrival_s"] -= 600.0
    early.loc[rows, "actual_departure_s"] -= 600.0
    _raises(f"block {block}: trip {second} starts", inv.check_one_place_at_a_time, early)


def test_an_event_log_at_odds_with_the_stop_times_is_seen(small: DayCase) -> None:
    e, st = small.day.events, small.day.stop_times
    r = int(np.flatnonzero((e["event"] == "arrive").to_numpy())[6])
    trip, station = e["trip_id"].iloc[r], e["station"].iloc[r]
    _raises(
        f"trip {trip} at {station}: arrive event at",
        inv.check_events_match_stop_times,
        _set(e, r, time_s=e["time_s"].iloc[r] + 0.5),
        st,
    )
    _raises(
        f"trip {trip} .* at {station}: no arrive event",
        inv.check_events_match_stop_times,
        e.drop(index=e.index[r]),
        st,
    )
    _raises(
        f"arrive of trip no such trip at {station} .* is no served stop",
        inv.check_events_match_stop_times,
        _set(e, r, trip_id="no such trip"),
        st,
    )


def test_a_passenger_boarding_before_arriving_is_seen(small: DayCase) -> None:
    p = small.day.passengers
    r = _rider(small.day, 10)
    broken = _set(p, r, arrival_s=p["board_s"].iloc[r] + 1.0)
    _raises(f"passenger {p['passenger_id'].iloc[r]} ", inv.check_board_after_arrival, broken)


def test_a_passenger_alighting_on_boarding_is_seen(small: DayCase) -> None:
    p = small.day.passengers
    r = _rider(small.day, 10)
    broken = _set(p, r, alight_s=p["board_s"].iloc[r])
    _raises(f"passenger {p['passenger_id'].iloc[r]} ", inv.check_alight_after_board, broken)


def test_a_passenger_boarding_off_their_trains_time_is_seen(small: DayCase) -> None:
    p, st = small.day.passengers, small.day.stop_times
    r = _rider(small.day, 20)
    pid = p["passenger_id"].iloc[r]
    _raises(
        f"passenger {pid} ",
        inv.check_board_at_origin_arrival,
        _set(p, r, board_s=p["board_s"].iloc[r] - 5.0),  # before the doors opened
        st,
    )
    _raises(
        f"passenger {pid} ",
        inv.check_board_at_origin_arrival,
        _set(p, r, board_s=p["board_s"].iloc[r] + 3600.0),  # after the train left
        st,
    )
    # A trip that does not stop at the passenger's origin (or any trip at all).
    _raises(
        f"passenger {pid} ",
        inv.check_board_at_origin_arrival,
        _set(p, r, trip_id="no such trip"),
        st,
    )


def test_a_passenger_alighting_elsewhere_is_seen(small: DayCase) -> None:
    p, st = small.day.passengers, small.day.stop_times
    r = _rider(small.day, 30)
    pid = p["passenger_id"].iloc[r]
    _raises(
        f"passenger {pid} ",
        inv.check_alight_at_destination,
        _set(p, r, alight_s=p["alight_s"].iloc[r] + 5.0),
        st,
    )
    # Alighting at the trip's arrival at the origin: the "destination" before it.
    swapped = _set(p, r, destination=p["origin"].iloc[r], alight_s=p["board_s"].iloc[r])
    _raises(f"passenger {pid} ", inv.check_alight_at_destination, swapped, st)


def test_a_day_off_its_timetable_is_seen(small: DayCase) -> None:
    day = small.day  # varied: dwell_cv 0.15, run_time_cv 0.02
    _raises("the day is not the timetable", inv.check_reproduces_timetable, day.stop_times)
    calm = small_case("small, calm")
    blocks = calm.plan.blocks.copy()
    r = int(np.flatnonzero((blocks["activity"] == "pull_out").to_numpy())[0])
    blocks.iloc[r, blocks.columns.get_loc("start_s")] -= 60.0
    _raises(
        f"block {blocks['block_id'].iloc[r]}: pull_out",
        inv.check_reproduces_timetable,
        calm.day.stop_times,
        events=calm.day.events,
        blocks=blocks,
    )


def test_days_that_differ_by_one_value_are_seen(small: DayCase) -> None:
    day = small.day
    r = _busy_visit(day.stop_visits)
    visits = _set(day.stop_visits, r, held_s=day.stop_visits["held_s"].iloc[r] + 1e-9)
    _raises(
        "stop_visits tables differ", inv.check_identical_days, replace(day, stop_visits=visits), day
    )
    # Equal frames, one with another column order: the Parquet bytes show it too.
    runs = day.runs[list(reversed(day.runs.columns))]
    _raises("runs tables differ", inv.check_identical_days, replace(day, runs=runs), day)


def test_two_trains_too_close_are_seen(small: DayCase) -> None:
    """Train length 30 m, service brake 1 m/s², reaction 3 s, margin 50 m: a follower at
    10 m/s needs 10·3 + 10²/2 + 50 = 130 m from its head to the leader's tail."""
    sig, stock = small.scenario.signalling, small.scenario.rolling_stock
    assert (stock.length_m, stock.service_brake_mps2) == (30, 1.0)
    assert (sig.reaction_time_s, sig.safety_margin_m, sig.kind) == (3.0, 50.0, "moving_block")
    samples = pd.DataFrame(
        [
            (10.0, "B1", "up", 1.000, 8.0),
            (10.0, "B2", "up", 1.000 - 0.159, 10.0),  # 159 − 30 = 129 m: too close
            (11.0, "B1", "up", 1.010, 8.0),
            (11.0, "B2", "up", 1.010 - 0.161, 10.0),  # 131 m: enough
            (12.0, "B3", "down", 2.000, 10.0),
            (12.0, "B4", "down", 2.000 + 0.150, 10.0),  # 120 m: too close
            (13.0, "B5", "down", 3.500, 0.0),  # at the terminal, standing: not counted
            (13.0, "B6", "down", 3.500, 0.0),
        ],
        columns=list(inv.SAMPLE_COLUMNS),
    )
    found = inv.separation_shortfalls(samples, small.scenario)
    assert [(f.time_s, f.leader, f.follower) for f in found] == [
        (10.0, "B1", "B2"),
        (12.0, "B3", "B4"),
    ]
    assert found[0].gap_m == pytest.approx(129.0)
    assert found[0].required_m == pytest.approx(130.0)
    twice = pd.concat([samples, samples.iloc[[0]]], ignore_index=True)
    _raises("block B1 at 00:00:10", inv.separation_shortfalls, twice, small.scenario)


def test_every_check_at_once_sees_a_broken_table(small: DayCase) -> None:
    inv.check_day(small.day, small.scenario)
    p = small.day.passengers
    r = _rider(small.day, 40)
    broken = replace(small.day, passengers=_set(p, r, board_s=p["arrival_s"].iloc[r] - 1.0))
    _raises(f"passenger {p['passenger_id'].iloc[r]} ", inv.check_day, broken, small.scenario)
