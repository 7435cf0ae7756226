"""Blocks (train duties) and fleet: checked by the rules in `plan_support.block_problems`,
with the layover each terminal needs taken from a capacity analysis run here."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from plan_support import (
    Case,
    block_problems,
    concurrent_trips,
    depot_facts,
    peak_concurrency,
    positioning_trips,
    required_layover,
    spares,
    trip_spans,
)

from lrtsim.dynamics.nonstop import nonstop_run
from lrtsim.dynamics.runtime import running_times
from lrtsim.dynamics.train import train_params
from lrtsim.planning.tables import BLOCK_COLUMNS


def layovers(case: Case) -> dict[str, float]:
    """Least layover where a train may wait: each terminal's (the longer of service.layover_s
    and the turnaround), and the station's dwell at a gate between the terminals."""
    facts = depot_facts(case.scenario)
    terminal = required_layover(
        case.scenario, {t.name: t.turnaround_s for t in case.capacity.terminals}
    )
    base = case.scenario.service.dwell.base_s
    own = {s.name: s.dwell_s for s in case.scenario.line.stations}
    gates = {g: base if own[g] is None else own[g] for g in facts.gates.values()}
    return {**gates, **terminal}


def problems(case: Case, *, contiguous: bool) -> list[str]:
    return block_problems(
        case.plan.blocks,
        case.plan.timetable,
        facts=depot_facts(case.scenario),
        layover_s=layovers(case),
        contiguous=contiguous,
    )


def test_blocks_table_contract(case: Case) -> None:
    blocks = case.plan.blocks
    assert tuple(blocks.columns) == BLOCK_COLUMNS
    assert set(blocks["activity"]) <= {"pull_out", "trip", "layover", "deadhead", "pull_in"}
    ordered = blocks.sort_values(["block_id", "sequence"]).reset_index(drop=True)
    assert ordered.equals(blocks.reset_index(drop=True))


def test_blocks_are_valid(case: Case) -> None:
    found = problems(case, contiguous=False)
    assert not found, "\n".join(found[:20])


def test_layover_that_binds_is_the_turnaround(small_case: Case) -> None:
    """At E the tail-track turnaround (about 3 min) is longer than service.layover_s (1 min)."""
    need = layovers(small_case)
    assert small_case.scenario.service.layover_s == 60.0
    assert need["E"] > 120.0
    assert need["A"] == 60.0
    # Some train turns at E in its least layover rounded up to a whole second: the rule binds.
    blocks = small_case.plan.blocks
    at_e = blocks[(blocks["activity"] == "layover") & (blocks["from_station"] == "E")]
    spare = (at_e["end_s"] - at_e["start_s"]) - need["E"]
    assert spare.min() >= -1e-6
    assert spare.min() < 1.0


def test_block_activities_are_contiguous(astana_case: Case) -> None:
    found = problems(astana_case, contiguous=True)
    assert not found, "\n".join(found[:5])


def test_deadheads_run_non_stop_between_the_terminals(case: Case) -> None:
    blocks = case.plan.blocks
    line = case.scenario.line
    stations = line.stations
    first = stations[0].name
    empty = train_params(case.scenario.rolling_stock, 0.0)
    length_m = 1000.0 * abs(case.scenario.line.stations[-1].km - case.scenario.line.stations[0].km)
    deadheads = blocks[blocks["activity"] == "deadhead"]
    runs = {r.direction: r for r in running_times(case.scenario, load=0.5, allowance_pct=0.0)}
    for row in deadheads.itertuples():
        direction = "up" if row.from_station == first else "down"
        ends = (stations[0].km, stations[-1].km)
        nonstop = nonstop_run(line, empty, *(ends if direction == "up" else ends[::-1]))
        assert row.distance_m == pytest.approx(length_m, abs=1e-3)
        # The empty run takes the dynamics layer's non-stop time (either direction's, they
        # differ by a fraction of a second on these lines) and beats any stopping run.
        assert row.end_s - row.start_s == pytest.approx(nonstop.run_time_s, abs=1.0)
        assert row.end_s - row.start_s < runs[direction].total_time_s


def test_depot_moves_are_pull_outs_plus_pull_ins(case: Case) -> None:
    blocks = case.plan.blocks
    count = int(blocks["activity"].isin(["pull_out", "pull_in"]).sum())
    assert case.plan.circulation.depot_moves == count
    assert count == 2 * blocks["block_id"].nunique()


def test_fleet_is_the_peak_out_of_the_depot_plus_spares(case: Case) -> None:
    circulation = case.plan.circulation
    peak = peak_concurrency(case.plan.blocks)
    assert circulation.in_service_peak == peak
    assert circulation.spares == spares(case.scenario.service.spare_ratio, peak)
    assert circulation.fleet_required == peak + spares(case.scenario.service.spare_ratio, peak)
    # A train runs one trip at a time.
    assert peak >= concurrent_trips(case.plan.timetable)


def test_fleet_covers_the_peak_cycle(case: Case) -> None:
    """In the busiest period every train needs at least a shortest round trip per headway."""
    plan = case.plan
    spans = trip_spans(plan.timetable)
    spans = spans[~spans.index.isin(positioning_trips(plan))]
    duration = spans["end"] - spans["start"]
    shortest = {d: float(duration[spans["direction"] == d].min()) for d in ("up", "down")}
    terminals = depot_facts(case.scenario).terminals
    cycle = shortest["up"] + shortest["down"] + sum(layovers(case)[t] for t in terminals)
    headway = min(p.headway_s for p in plan.periods)
    assert plan.circulation.in_service_peak >= math.floor(cycle / headway)


def test_astana_fleet(astana_case: Case) -> None:
    """Cycle about 69 min at 5 min: 14 trains, plus 10 % spares rounded up = 16."""
    circulation = astana_case.plan.circulation
    assert circulation.in_service_peak == math.ceil(astana_case.plan.cycle_time_s / 300.0)
    assert circulation.spares == 2
    assert circulation.fleet_required == 16


def test_train_km_from_the_activities(case: Case) -> None:
    plan = case.plan
    blocks = plan.blocks
    line = case.scenario.line
    facts = depot_facts(case.scenario)
    length_km = abs(line.stations[-1].km - line.stations[0].km)
    trips = trip_spans(plan.timetable)
    count = blocks["activity"].value_counts()
    depot = blocks[blocks["activity"].isin(["pull_out", "pull_in"])]
    ends = depot["to_station"].where(depot["activity"] == "pull_out", depot["from_station"])
    expected = (
        trips["distance"].sum() / 1000.0
        + count.get("deadhead", 0) * length_km
        + sum(facts.move_m[e] for e in ends) / 1000.0
    )
    assert plan.circulation.train_km == pytest.approx(expected, rel=1e-9)
    assert plan.circulation.train_km == pytest.approx(blocks["distance_m"].sum() / 1000.0)
    empty = blocks[blocks["activity"].isin(["pull_out", "pull_in", "deadhead"])]
    assert plan.circulation.empty_km == pytest.approx(empty["distance_m"].sum() / 1000.0)


def test_trips_count_unique_trip_ids(case: Case) -> None:
    plan = case.plan
    ids = plan.timetable["trip_id"].unique()
    assert plan.trips == len(ids)
    assert plan.trips == int((plan.blocks["activity"] == "trip").sum())
    stops = plan.timetable.groupby("trip_id").size()
    regular = stops[~stops.index.isin(positioning_trips(plan))]
    assert (regular == len(case.scenario.line.stations)).all()


def test_train_hours_are_the_block_spans(case: Case) -> None:
    blocks = case.plan.blocks
    total = sum(g["end_s"].max() - g["start_s"].min() for _, g in blocks.groupby("block_id"))
    assert case.plan.circulation.train_hours == pytest.approx(total / 3600.0)


def test_cycle_time_is_a_round_trip_with_layovers(case: Case) -> None:
    plan = case.plan
    runs = {r.direction: r for r in plan.runs}
    terminal_to_terminal = max(r.profile.run_time_s for r in runs.values())
    assert plan.cycle_time_s > 2 * terminal_to_terminal
    # At least both runs with their least dwells, plus the least layover at both ends.
    # (Published times are whole seconds: each trip within a second of the exact one.)
    terminal_layovers = sum(layovers(case)[t] for t in depot_facts(case.scenario).terminals)
    least = runs["up"].total_time_s + runs["down"].total_time_s + terminal_layovers
    assert plan.cycle_time_s >= least - 2.0
    # And no more than the longest trips of the day with those layovers.
    spans = trip_spans(plan.timetable)
    duration = spans["end"] - spans["start"]
    longest = sum(float(duration[spans["direction"] == d].max()) for d in ("up", "down"))
    assert plan.cycle_time_s <= longest + terminal_layovers + 2.0


def test_trains_out_cover_the_trips_running_mid_period(case: Case) -> None:
    blocks = case.plan.blocks
    spans = blocks.groupby("block_id").agg(start=("start_s", "min"), end=("end_s", "max"))
    trips = trip_spans(case.plan.timetable)
    for p in case.plan.periods:
        mid = 0.5 * (p.from_s + p.to_s)
        out = int(((spans["start"] <= mid) & (spans["end"] > mid)).sum())
        running = int(((trips["start"] <= mid) & (trips["end"] > mid)).sum())
        assert out >= running >= 1, p.label


def test_checker_catches_broken_blocks(small_case: Case) -> None:
    """The block checker itself: each kind of damage is reported."""
    good = small_case.plan.blocks
    assert not problems(small_case, contiguous=False)

    def check(blocks: pd.DataFrame) -> list[str]:
        return block_problems(
            blocks,
            small_case.plan.timetable,
            facts=depot_facts(small_case.scenario),
            layover_s=layovers(small_case),
            contiguous=False,
        )

    trips = good.index[good["activity"] == "trip"]
    # A trip claimed by two trains.
    twice = pd.concat([good, good.loc[[trips[3]]].assign(block_id="B999", sequence=1)])
    assert any("also in" in p for p in check(twice))
    # A train that never goes home.
    last_pull_in = good.index[good["activity"] == "pull_in"][0]
    assert any("pull-in" in p for p in check(good.drop(index=last_pull_in)))
    # A trip that leaves before the layover is over.
    layover = good.index[(good["activity"] == "layover") & (good["sequence"] > 3)][0]
    short = good.copy()
    short.loc[layover, "end_s"] = short.loc[layover, "start_s"] + 1.0
    nxt = layover + 1
    short.loc[nxt, ["start_s", "end_s"]] -= short.loc[nxt, "start_s"] - short.loc[layover, "end_s"]
    found = check(short)
    assert any("layover" in p for p in found)
    # An empty run that ends in the wrong place.
    wrong = good.copy()
    deadhead = wrong.index[wrong["activity"] == "deadhead"][0]
    wrong.loc[deadhead, "to_station"] = "C"
    assert any("terminals" in p for p in check(wrong))
    # Overlapping activities.
    overlap = good.copy()
    overlap.loc[trips[0], "end_s"] += 10_000.0
    assert any("before the previous activity ends" in p for p in check(overlap))
