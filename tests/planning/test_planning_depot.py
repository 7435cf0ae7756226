"""Where trains enter and leave service: the fewest empty train-km for the depot's place.

Astana's depot is beyond Airport (an end depot); `midline` is Astana cut to 10 stations with the
depot joining at km 10.8, between Astana Arena and Syganak. The rules are derived here from the
geometry: inside service hours a train reaches a terminal past its gate in passenger service, so
an empty run to or from a terminal beyond the gate happens only where no trip in service hours
could do it; a mid-line depot never sends a train empty across its junction.
"""

from __future__ import annotations

import bisect
import math

import pytest
from plan_support import (
    MIDLINE_DEPOT_KM,
    Case,
    depot_facts,
    get_case,
    positioning_trips,
    trip_spans,
)

from lrtsim.model.schema import clock_to_s
from lrtsim.planning.service import headway_at

EMPTY = ("pull_out", "deadhead", "pull_in")

BEFORE = {
    # Measured on main before positioning trips and gates (commit 9642bdc): empty train-km,
    # all train-km, trains in service at the peak, fleet.
    "astana": (476.0, 6553.1, 14, 16),
    "midline": (793.9, 6870.9, 12, 14),
}


def layover(case: Case, station: str) -> float:
    turn = {t.name: t.turnaround_s for t in case.capacity.terminals}
    return math.ceil(max(case.scenario.service.layover_s, turn.get(station, 0.0)) - 1e-6)


def in_service_s(case: Case, a: str, b: str) -> float:
    """Shortest time any trip of the day takes from station a to station b."""
    table = case.plan.timetable
    at_a = table[table["station"] == a].set_index("trip_id")["departure_s"]
    at_b = table[table["station"] == b].set_index("trip_id")["arrival_s"]
    both = at_a.index.intersection(at_b.index)
    spans = at_b[both] - at_a[both]
    return float(spans[spans > 0].min())


def activities(case: Case) -> dict[str, list[dict[str, object]]]:
    blocks = case.plan.blocks.sort_values(["block_id", "sequence"])
    return {str(b): g.to_dict("records") for b, g in blocks.groupby("block_id")}


def test_gates_follow_the_geometry(astana_case: Case, midline_case: Case) -> None:
    end = depot_facts(astana_case.scenario)
    assert not end.midline
    assert end.gates == {"Airport": "Airport", "Nurly Zhol": "Airport"}
    mid = depot_facts(midline_case.scenario)
    assert mid.midline
    assert mid.junction_km == MIDLINE_DEPOT_KM
    assert mid.gates == {"Airport": "Astana Arena", "Nurly Zhol": "Syganak"}


def test_a_midline_depot_never_runs_a_train_empty_past_its_junction(midline_case: Case) -> None:
    """No deadhead at all; every depot move runs from the junction straight to one station."""
    facts = depot_facts(midline_case.scenario)
    blocks = midline_case.plan.blocks
    assert not (blocks["activity"] == "deadhead").any()
    line = midline_case.scenario.line
    assert line.depot is not None
    farther_m = 1000.0 * max(abs(facts.junction_km - s.km) for s in line.stations)
    for block, rows in activities(midline_case).items():
        empty = [r for r in rows if r["activity"] in EMPTY]
        assert [r["activity"] for r in empty] == ["pull_out", "pull_in"], block
        for r in empty:
            assert float(r["distance_m"]) <= line.depot.access_m + farther_m + 1e-6, (block, r)  # type: ignore[arg-type]
    # Trains go out toward both terminals.
    outs = blocks[blocks["activity"] == "pull_out"]["to_station"]
    gates = facts.gates
    assert {gates["Airport"], gates["Nurly Zhol"]} <= set(outs)


def test_empty_runs_beyond_the_gate_only_where_no_trip_could_go(case: Case) -> None:
    """A train reaches a terminal past its gate empty only if a trip leaving the gate at the
    start of service could not be there in time; it leaves one empty only if a trip from there
    would leave in the last headway of the day or later."""
    facts = depot_facts(case.scenario)
    start = clock_to_s(case.scenario.service.start)
    end = clock_to_s(case.scenario.service.end)
    plans = list(case.plan.periods)
    for block, rows in activities(case).items():
        trips = [r for r in rows if r["activity"] == "trip"]
        first, last = trips[0], trips[-1]
        origin, destination = str(first["from_station"]), str(last["to_station"])
        # Empty to a terminal that is not its own gate.
        empty_out = [r for r in rows if r["activity"] in ("pull_out", "deadhead")]
        if empty_out[-1]["to_station"] != facts.gates.get(origin, origin):
            assert origin in facts.terminals, block
            by = float(first["start_s"]) - layover(case, origin)  # type: ignore[arg-type]
            assert start + in_service_s(case, facts.gates[origin], origin) > by, block
        empty_in = [r for r in rows if r["activity"] in ("deadhead", "pull_in")]
        if empty_in[0]["from_station"] != facts.gates.get(destination, destination):
            ready = float(last["end_s"]) + layover(case, destination)  # type: ignore[arg-type]
            assert ready + headway_at(plans, ready) + 60.0 >= end, block


def test_positioning_trips_start_or_end_a_block(case: Case) -> None:
    """Each runs right after the pull-out to its gate, or right before the pull-in from its
    gate; on a whole minute inside service hours; in its period; clear of other trains."""
    plan = case.plan
    facts = depot_facts(case.scenario)
    start = clock_to_s(case.scenario.service.start)
    end = clock_to_s(case.scenario.service.end)
    spans = trip_spans(plan.timetable)
    positioning = positioning_trips(plan)
    assert positioning <= set(spans.index)
    gates = set(facts.gates.values())
    for block, rows in activities(case).items():
        moves = [r for r in rows if r["activity"] != "layover"]
        for k, r in enumerate(moves):
            if r["trip_id"] not in positioning:
                continue
            if moves[k - 1]["activity"] == "pull_out":
                assert r["from_station"] in gates, (block, r)
                assert moves[k - 1]["to_station"] == r["from_station"]
                assert r["to_station"] in facts.terminals
            else:
                assert moves[k + 1]["activity"] == "pull_in", (block, r)
                assert r["to_station"] in gates
                assert moves[k + 1]["from_station"] == r["to_station"]
                assert r["from_station"] in facts.terminals
            t = float(r["start_s"])  # type: ignore[arg-type]
            assert t % 60 == 0
            assert start <= t < end
    for trip in positioning:
        row = spans.loc[trip]
        (period,) = [p for p in plan.periods if p.from_s <= row["start"] < p.to_s]
        assert set(plan.timetable[plan.timetable["trip_id"] == trip]["period"]) == {period.label}


def test_trains_keep_the_minimum_headway_everywhere(case: Case) -> None:
    """Positioning trips included, trains leave every station at least the line's minimum
    headway apart in each direction."""
    minimum = case.capacity.line_min_headway_s
    table = case.plan.timetable
    for (direction, station), g in table.groupby(["direction", "station"]):
        gaps = g["departure_s"].sort_values().diff().dropna()
        assert (gaps >= minimum - 1e-9).all(), (direction, station, gaps.min())


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_fewer_empty_train_km_with_no_larger_fleet(name: str) -> None:
    """Against the record of the earlier circulation (a measurement, not a specification)."""
    case = get_case(name)
    empty_before, total_before, peak_before, fleet_before = BEFORE[case.name]
    c = case.plan.circulation
    assert c.in_service_peak <= peak_before
    assert c.fleet_required <= fleet_before
    # Positioning trips replace empty runs km for km: the day runs no more train-km.
    assert c.train_km <= total_before + 0.1
    # Astana: 476 → about 202 empty km (20 runs across the line → 7); mid-line 794 → about 153.
    assert c.empty_km <= 0.45 * empty_before
    assert c.empty_share == c.empty_km / c.train_km
    assert c.empty_share < 0.035


def test_astana_crosses_empty_only_at_the_ends_of_the_day(astana_case: Case) -> None:
    blocks = astana_case.plan.blocks
    deadheads = blocks[blocks["activity"] == "deadhead"]
    out = deadheads[deadheads["from_station"] == "Airport"]
    back = deadheads[deadheads["from_station"] == "Nurly Zhol"]
    assert out["start_s"].max() < clock_to_s("06:30")
    assert back["start_s"].min() > clock_to_s("22:30")


def test_positioning_trips_are_evenly_placed_where_they_can(astana_case: Case) -> None:
    """Astana's ramp-up to 5 min at 07:00: the three trains Nurly Zhol needs first leave Airport
    in service between its 10-min departures of 06:30-07:00, at least 2 min from any other."""
    spans = trip_spans(astana_case.plan.timetable)
    up = spans[spans["direction"] == "up"].sort_values("start")
    added = up[up.index.isin(positioning_trips(astana_case.plan))]
    morning = added[
        (added["start"] >= clock_to_s("06:00")) & (added["start"] < clock_to_s("07:00"))
    ]
    assert len(morning) == 3
    times = sorted(up["start"])
    for t in morning["start"]:
        k = bisect.bisect_left(times, t)
        assert times[k + 1] - t >= 120
        assert t - times[k - 1] >= 120


def test_mid_line_depot_line_keeps_its_timetable(midline_case: Case) -> None:
    """The regular trips are the grid's; positioning trips only add service (partial trips
    between the gate and a terminal)."""
    plan = midline_case.plan
    spans = trip_spans(plan.timetable)
    regular = spans[~spans.index.isin(positioning_trips(plan))]
    n = len(midline_case.scenario.line.stations)
    stops = plan.timetable.groupby("trip_id").size()
    assert (stops[regular.index] == n).all()
    partial = stops[list(positioning_trips(plan))]
    assert (partial < n).all()


def test_astana_depot_moves_by_hand(astana_case: Case) -> None:
    """4 min over the depot link, then 150 m from the junction to Airport's stop, all beyond the
    terminal at 25 km/h = 6.944 m/s; the empty train accelerates at its 1 m/s² cap and brakes
    at 1 m/s² (no gradient or curve beyond the platform): 6.944 + 6.944 +
    (150 − 2 · 24.11) / 6.944 = 28.54 s, so 240 + 28.54 → 269 s each way, rounded up."""
    blocks = astana_case.plan.blocks
    moves = blocks[blocks["activity"].isin(["pull_out", "pull_in"])]
    assert set(moves["end_s"] - moves["start_s"]) == {269.0}
