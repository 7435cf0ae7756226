"""Blocking times counted from departures, and station separations without the dwell.

Property (Astana with moving block, drawn as 10 m virtual blocks, and with fixed block): for any
dwells at the stations, the per-segment blocking times of the planned trip, added to that trip's
departures, are the stairway of the trip with those dwells; and a station's separation plus the
dwell there is its headway. At the planned dwells both give today's stairway and headways.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from capacity_support import variant
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrtsim.capacity import headway
from lrtsim.capacity.analysis import DirectionCapacity, HeadwayAnalysis, analyse, separation_rule
from lrtsim.capacity.blocking import stairway
from lrtsim.capacity.segments import SegmentBlocking, segment_blocking, station_separation_s
from lrtsim.capacity.timeline import Timeline, timeline
from lrtsim.dynamics.line_runs import LineRuns, line_runs
from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Scenario

TOL_S = 1e-9


@dataclass(frozen=True)
class Case:
    scenario: Scenario
    runs: LineRuns
    analysis: HeadwayAnalysis


def _case(scenario: Scenario) -> Case:
    runs = line_runs(scenario)
    return Case(scenario, runs, analyse(scenario, runs=runs))


ASTANA = load_scenario("astana")
CASES = {
    "moving block": _case(ASTANA),
    "fixed block": _case(variant(ASTANA, **{"signalling.kind": "fixed_block"})),
}
STATIONS = len(ASTANA.line.stations)


def boundaries(d: DirectionCapacity) -> np.ndarray:
    """The block boundaries of the direction's stairway (virtual ones for moving block)."""
    return np.append(d.stairway.from_m, d.stairway.to_m[-1])


def blocking(d: DirectionCapacity) -> SegmentBlocking:
    return segment_blocking(d.trip, d.rule, boundaries(d))


def assert_same_times(got: np.ndarray, want: np.ndarray) -> None:
    assert (np.isnan(got) == np.isnan(want)).all()
    np.testing.assert_allclose(got, want, rtol=0.0, atol=TOL_S, equal_nan=True)


@pytest.mark.parametrize("name", sorted(CASES))
def test_planned_dwells_give_todays_stairway(name: str) -> None:
    for d in CASES[name].analysis.directions:
        stairs = blocking(d).stairway(d.trip.stop_departure_s)
        assert_same_times(stairs.start_s, d.stairway.start_s)
        assert_same_times(stairs.end_s, d.stairway.end_s)


@pytest.mark.parametrize("name", sorted(CASES))
def test_separation_plus_the_dwell_is_the_station_headway(name: str) -> None:
    for d in CASES[name].analysis.directions:
        assert d.stations
        for h in d.stations:
            dwell = h.components()["dwell"]
            assert station_separation_s(h) + dwell == pytest.approx(h.min_headway_s, abs=TOL_S)
            assert station_separation_s(h) > 0.0


def test_each_end_counts_from_the_last_stop_left() -> None:
    """Fixed block: the block entered at a platform is claimed the reaction time before the
    train leaves it (the stop rule), in the segment that starts there; every offset lies
    within its segment's run (the tail clearing an overlap past the next stop belongs to the
    segment after it)."""
    d = CASES["fixed block"].analysis.direction("up")
    sb = blocking(d)
    reaction = d.rule.reaction_time_s
    stops = d.trip.stop_m
    at_platform = np.isin(sb.from_m, stops[:-1])
    assert at_platform.sum() == len(stops) - 1
    np.testing.assert_array_equal(sb.start_stop[at_platform], np.arange(len(stops) - 1))
    np.testing.assert_allclose(sb.start_s[at_platform], -reaction, atol=1e-6)
    departure, arrival = d.trip.stop_departure_s, d.trip.stop_arrival_s
    run_s = arrival[1:] - departure[:-1]
    defined = ~np.isnan(sb.end_s)
    assert (sb.start_s >= -reaction - 1e-6).all()
    assert (sb.start_s <= run_s[sb.start_stop] + 1e-6).all()
    assert (sb.end_s[defined] >= 0.0).all()
    assert (sb.end_s[defined] <= run_s[sb.end_stop[defined]] + reaction + 1e-6).all()


def test_a_line_headway_has_no_separation_of_this_kind() -> None:
    line = CASES["moving block"].analysis.directions[0].lines[0]
    with pytest.raises(ValueError, match="not a station's"):
        station_separation_s(line)


def _trip(case: Case, index: int, dwells: list[float]) -> Timeline:
    profile = case.runs.minimum[index].minimum
    return timeline(profile, (0.0, *dwells, 0.0), case.scenario.rolling_stock.length_m)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(CASES)),
    dwells=st.lists(
        st.floats(0.0, 120.0, allow_nan=False), min_size=STATIONS - 2, max_size=STATIONS - 2
    ),
)
def test_actual_dwells_added_to_the_pieces(name: str, dwells: list[float]) -> None:
    """Any dwells: planned pieces + actual departures = the stairway and the station headways
    of the trip with those dwells."""
    case = CASES[name]
    margin = case.scenario.signalling.operating_margin_s
    for index, d in enumerate(case.analysis.directions):
        trip = _trip(case, index, dwells)
        actual = stairway(trip, d.rule, boundaries(d))
        pieces = blocking(d).stairway(trip.stop_departure_s)
        assert_same_times(pieces.start_s, actual.start_s)
        assert_same_times(pieces.end_s, actual.end_s)
        rule = separation_rule(case.scenario, trip, d.direction)
        if rule.kind == "moving_block":
            stations, _ = headway.moving_block(trip, rule, d.direction, margin)
        else:
            stations, _, _ = headway.fixed_block(trip, rule, d.direction, margin)
        assert [h.where for h in stations] == [h.where for h in d.stations]
        for planned, now in zip(d.stations, stations, strict=True):
            dwell = trip.dwell_s[trip.stop_names.index(now.where)]
            assert station_separation_s(planned) + dwell == pytest.approx(
                now.min_headway_s, abs=1e-6
            )
