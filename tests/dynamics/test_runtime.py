"""Running times of the embedded Astana scenario: structure, bookkeeping and physical bounds.

Expected values come from the scenario file (18 stations, Airport km 0.000 to Nurly Zhol km
21.101; 25 s dwell except 30 s at University, Astana Arena, Baiterek, House of Ministries), not
from the engine's output.
"""

from __future__ import annotations

import functools
import itertools

import pytest

from lrtsim.dynamics.runtime import DirectionRun, running_times
from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Scenario

LOADS = (0.0, 0.5, 1.0, 1.5)
FIRST, LAST = "Airport", "Nurly Zhol"
TERMINAL_TO_TERMINAL_M = 21_101.0  # (21.101 − 0.000) km
# 16 intermediate stops: 4 at 30 s + 12 at 25 s = 120 + 300 = 420 s.
DWELL_S = 420.0


@functools.cache
def _scenario() -> Scenario:
    return load_scenario("astana")


@functools.cache
def _runs(load: float, allowance: float = 0.0) -> tuple[DirectionRun, ...]:
    return tuple(running_times(_scenario(), load=load, allowance_pct=allowance))


def test_directions_cover_the_stations_in_opposite_orders() -> None:
    up, down = _runs(0.5)
    assert (up.direction, down.direction) == ("up", "down")
    names = [s.name for s in _scenario().line.stations]
    assert len(names) == 18
    assert (names[0], names[-1]) == (FIRST, LAST)
    assert up.profile.station_names == tuple(names)
    assert down.profile.station_names == tuple(reversed(names))
    for r in (up, down):
        segs = r.profile.segments
        assert len(segs) == 17
        # Consecutive segments chain: each starts where the last one stopped.
        assert [s.from_station for s in segs] == list(r.profile.station_names[:-1])
        assert [s.to_station for s in segs] == list(r.profile.station_names[1:])


@pytest.mark.parametrize("index", [0, 1])
def test_distances_and_times_add_up(index: int) -> None:
    r = _runs(0.5)[index]
    segs = r.profile.segments
    assert sum(s.distance_m for s in segs) == pytest.approx(TERMINAL_TO_TERMINAL_M, abs=1e-6)
    assert r.profile.position_m[-1] == pytest.approx(TERMINAL_TO_TERMINAL_M, abs=1e-6)
    assert r.profile.run_time_s == pytest.approx(sum(s.run_time_s for s in segs), rel=1e-12)
    assert (r.dwell_s[0], r.dwell_s[-1]) == (0.0, 0.0)  # no dwell at the terminals
    assert r.dwell_time_s == pytest.approx(DWELL_S)
    assert r.total_time_s == pytest.approx(r.profile.run_time_s + DWELL_S, rel=1e-12)
    assert r.distance_m == pytest.approx(TERMINAL_TO_TERMINAL_M, abs=1e-6)
    total_s = r.profile.run_time_s + DWELL_S
    assert r.commercial_speed_mps == pytest.approx(TERMINAL_TO_TERMINAL_M / total_s, rel=1e-12)


def test_the_energy_saved_share_is_against_the_minimum_run() -> None:
    eco = _runs(0.5, 5.0)[0]
    flat = _runs(0.5)[0]
    saved = flat.profile.line_energy_j - eco.profile.line_energy_j
    assert eco.line_energy_saved_share == pytest.approx(saved / flat.profile.line_energy_j)
    assert 0.0 < eco.line_energy_saved_share < 1.0
    assert flat.line_energy_saved_share == 0.0


def test_dwell_follows_the_station_order() -> None:
    up, down = _runs(0.5)
    assert up.dwell_s == tuple(reversed(down.dwell_s))
    long_stops = {"University", "Astana Arena", "Baiterek", "House of Ministries"}
    for name, dwell in zip(up.profile.station_names[1:-1], up.dwell_s[1:-1], strict=True):
        assert dwell == (30.0 if name in long_stops else 25.0), name


def test_heavier_load_never_runs_faster() -> None:
    """More passengers: more mass to accelerate for the same effort, and the same braking."""
    by_load = [_runs(load) for load in LOADS]
    for lighter, heavier in itertools.pairwise(by_load):
        for light_run, heavy_run in zip(lighter, heavier, strict=True):
            pairs = zip(light_run.profile.segments, heavy_run.profile.segments, strict=True)
            for light, heavy in pairs:
                assert heavy.run_time_s >= light.run_time_s - 1e-9, light.from_station
            assert heavy_run.profile.run_time_s > light_run.profile.run_time_s


@pytest.mark.parametrize("load", [0.0, 1.0])
def test_no_segment_beats_the_speed_bound(load: float) -> None:
    """At best a segment is covered at the top speed all the way: t ≥ D / min(line, train max)."""
    scenario = _scenario()
    top = min(scenario.line.max_speed_kmh, scenario.rolling_stock.max_speed_kmh) / 3.6  # 80 km/h
    for r in _runs(load):
        for s in r.minimum.segments:
            assert s.run_time_s >= s.distance_m / top
            assert s.max_speed_mps <= top + 1e-9


def test_without_allowance_the_run_is_the_flat_out_run() -> None:
    for r in _runs(0.5):
        assert r.profile is r.minimum
        assert r.allowance_pct == 0.0


def test_allowance_lengthens_each_direction() -> None:
    """5 % allowance: run time = flat-out × 1.05 (within 1 %), dwell unchanged."""
    for flat, eco in zip(_runs(0.5), _runs(0.5, 5.0), strict=True):
        assert eco.profile.run_time_s == pytest.approx(flat.profile.run_time_s * 1.05, rel=0.01)
        assert eco.dwell_time_s == flat.dwell_time_s
        assert eco.minimum.run_time_s == pytest.approx(flat.profile.run_time_s, rel=1e-12)


def test_a_segment_is_driven_as_the_published_time_allows() -> None:
    """`segment_drive`: slower than the allowance run, that run slowed; between the flat-out and
    the allowance run, the flat-out run slowed; never faster than flat out."""
    run = _runs(0.5, 7.0)[0]
    j = run.profile.stop_index
    for k in (0, 5, len(j) - 2):
        planned = float(run.profile.time_s[j[k + 1]] - run.profile.time_s[j[k]])
        least = float(run.minimum.time_s[j[k + 1]] - run.minimum.time_s[j[k]])
        assert least < planned
        assert run.segment_times_s[k] == pytest.approx((planned, least))
        profile, stretch = run.segment_drive(k, 1.25 * planned)
        assert profile is run.profile
        assert stretch == pytest.approx(0.8)
        between = 0.5 * (least + planned)
        profile, stretch = run.segment_drive(k, between)
        assert profile is run.minimum
        assert stretch == pytest.approx(least / between)
        assert run.segment_drive(k, 0.5 * least) == (run.minimum, 1.0)
