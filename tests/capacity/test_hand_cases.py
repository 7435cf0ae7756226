"""Headways derived by hand on idealised trips, and the terminal formulas on the Astana train.

The ideal trip (built in `capacity_support.IdealTrip`, not by lrtsim) runs S0 (0 m) → S1 (1000 m)
→ S2 (2000 m) with constant acceleration a = 1 m/s², cruise V = 16 m/s, constant braking
b = 0.8 m/s² and a dwell D = 30 s at S1. Its arithmetic, used throughout:

    accelerating 0 → 16 m/s: 16 s over V²/2a = 128 m
    braking 16 → 0 m/s:      20 s over V²/2b = 160 m
    cruise:                  1000 − 128 − 160 = 712 m in 712/16 = 44.5 s
    S0 → S1:                 16 + 44.5 + 20 = 80.5 s; arrive S1 at 80.5 s, leave at 110.5 s
    braking for S1 starts at 840 m, at 16 + (840 − 128)/16 = 60.5 s

Signalling: train length L = 30 m, safety margin m = 40 m, reaction t_r = 2 s, b = 0.8 m/s²,
operating margin 10 s; braking distance D(v) = v·t_r + v²/2b, so D(16) = 32 + 160 = 192 m.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from capacity_support import IdealTrip, make_rule, synthetic_scenario

from lrtsim.capacity import blocking, headway, terminal
from lrtsim.capacity.analysis import HeadwayAnalysis, analyse
from lrtsim.capacity.timeline import timeline
from lrtsim.dynamics.moves import move
from lrtsim.dynamics.runtime import dwell_times_s, running_times
from lrtsim.dynamics.train import train_params
from lrtsim.errors import ArgumentError, LrtsimError
from lrtsim.model.schema import Scenario

A, B, V, DWELL = 1.0, 0.8, 16.0, 30.0
L, M, TR, OP = 30.0, 40.0, 2.0, 10.0
STEP = 0.1


def ideal(v: float = V, dwell: float = DWELL) -> IdealTrip:
    return IdealTrip((0.0, 1000.0, 2000.0), a=A, b=B, v=v, dwell_s=(0.0, dwell, 0.0))


def test_the_ideal_trip_itself() -> None:
    """The builder reproduces the arithmetic of the module docstring (checks the checker)."""
    trip = ideal()
    assert trip.segment_time(0) == pytest.approx(80.5, abs=1e-12)
    assert trip.arrival(1) == pytest.approx(80.5, abs=1e-12)
    assert trip.departure(1) == pytest.approx(110.5, abs=1e-12)
    assert trip.arrival(2) == pytest.approx(80.5 + 30 + 80.5, abs=1e-12)
    tl = trip.timeline(L, STEP)
    for x, t in ((128.0, 16.0), (840.0, 60.5), (1000.0, 80.5)):
        k = int(np.argmin(np.abs(tl.position_m - x)))
        assert tl.position_m[k] == pytest.approx(x, abs=1e-9)
        assert tl.arrival_s[k] == pytest.approx(t, abs=1e-9)
    k1 = int(np.argmin(np.abs(tl.position_m - 1000.0)))
    assert tl.departure_s[k1] == pytest.approx(110.5, abs=1e-9)
    assert tl.speed_mps[k1] == 0.0
    assert np.all(np.diff(tl.position_m) > 0)
    assert np.all(np.diff(tl.arrival_s) > 0)


# --------------------------------------------------------------------------- separation rule
def test_braking_distance_and_required_gap_by_hand() -> None:
    rule = make_rule(margin=M, reaction=TR, brake=B, length=L)
    # v = 20 m/s: 20·2 + 20²/(2·0.8) = 40 + 250 = 290 m; the gap adds the 40 m margin: 330 m.
    assert float(rule.braking_distance_m(20.0)) == pytest.approx(290.0, rel=1e-12)
    assert float(rule.required_gap_m(20.0)) == pytest.approx(330.0, rel=1e-12)
    # v = 0: nothing to brake, the margin alone; v = 10: 20 + 62.5 = 82.5 m.
    np.testing.assert_allclose(rule.braking_distance_m(np.array([0.0, 10.0])), [0.0, 82.5])
    np.testing.assert_allclose(rule.required_gap_m(np.array([0.0, 10.0])), [40.0, 122.5])


# ------------------------------------------------------------------------------ block layout
def test_fixed_block_boundaries_by_hand() -> None:
    stops = np.array([0.0, 1000.0, 1900.0])
    # 1000 m at ≤ 400 m: ceil(2.5) = 3 blocks of 333.3 m; 900 m: ceil(2.25) = 3 blocks of 300 m.
    np.testing.assert_allclose(
        blocking.fixed_block_boundaries_m(stops, 400.0),
        [0.0, 1000 / 3, 2000 / 3, 1000.0, 1300.0, 1600.0, 1900.0],
    )
    # An exact multiple is not split once more: 800 m at ≤ 400 m is 2 blocks.
    np.testing.assert_allclose(
        blocking.fixed_block_boundaries_m(np.array([0.0, 800.0]), 400.0), [0.0, 400.0, 800.0]
    )
    # Given signals: those strictly between the terminals, plus every stop, once each.
    signals = np.array([-5.0, 300.0, 800.0, 1200.0, 1900.0, 2500.0])
    np.testing.assert_allclose(
        blocking.fixed_block_boundaries_m(np.array([0.0, 800.0, 1900.0]), 400.0, signals),
        [0.0, 300.0, 800.0, 1200.0, 1900.0],
    )
    # Virtual blocks: 25 m at ≤ 10 m is 3 blocks of 8.33 m.
    np.testing.assert_allclose(
        blocking.virtual_boundaries_m(np.array([0.0, 25.0]), 10.0), [0.0, 25 / 3, 50 / 3, 25.0]
    )


# ------------------------------------------------------------------------------ moving block
@pytest.mark.parametrize(
    ("v", "expected", "components"),
    [
        # V = 16: the follower is worst off where it starts braking for S1 (840 m), V/b = 20 s
        # before it stops. Its braking distance with reaction then reaches S1 + V·t_r = 1032 m,
        # so the leader's head must have left 1032 + m + L = 1102 m: 102 m from a stand at
        # a = 1 (102 ≤ 128 m: still accelerating) takes sqrt(2·102/1) = 14.2829 s after the dwell.
        #   h = 20 (approach) + 30 (dwell) + 14.2829 (clearing) + 2 (release) + 10 (margin)
        #     = 76.2829 s
        (
            16.0,
            20 + 30 + math.sqrt(204) + 2 + 10,
            {"approach": 20.0, "dwell": 30.0, "clearing": math.sqrt(204)},
        ),
        # V = 12: approach 12/0.8 = 15 s; clearing distance 12·2 + 40 + 30 = 94 m, more than the
        # 12²/2 = 72 m of acceleration: 12 s to reach 12 m/s, then 22 m at 12 m/s (1.8333 s).
        #   h = 15 + 30 + 13.8333 + 2 + 10 = 70.8333 s
        # (Here h(x) is flat for a stretch before the braking point — both trains cruise at the
        # two ends of the gap — so where it binds, and the approach/clearing split, is open.)
        (12.0, 15 + 30 + 12 + 22 / 12 + 2 + 10, {"dwell": 30.0}),
    ],
)
def test_moving_block_station_headway_by_hand(
    v: float, expected: float, components: dict[str, float]
) -> None:
    """Before the braking point the follower cruises: moving it back by u costs u/V of approach
    and saves u/v_leader ≥ u/V of clearing, so the braking point is the worst (within it the
    term D + v/b + sqrt(2(v·t_r + m + L)/a) grows with v)."""
    trip = ideal(v).timeline(L, STEP)
    rule = make_rule(margin=M, reaction=TR, brake=B, length=L)
    stations, _ = headway.moving_block(trip, rule, "up", OP)
    (s1,) = stations
    assert (s1.where, s1.kind, s1.direction) == ("S1", "station", "up")
    # Grid 0.1 m: times are read by linear interpolation over 0.1 m steps; 0.02 s covers it.
    assert s1.min_headway_s == pytest.approx(expected, abs=0.02)
    for key, value in components.items():
        assert s1.components()[key] == pytest.approx(value, abs=0.02), key
    assert s1.parts.release_s == TR
    assert s1.parts.margin_s == OP
    assert sum(s1.components().values()) == pytest.approx(s1.min_headway_s, abs=1e-9)
    if v == 16.0:
        assert s1.position_m == pytest.approx(1000 - 160, abs=STEP)


def test_moving_block_line_headway_by_hand() -> None:
    """Between stations the worst follower position is where its reach + m + L comes up to the
    next stop from behind: x* = 1000 − (192 + 40 + 30) = 738 m, cruising. The leader then still
    has to reach S1 (no dwell: it has not left the interstation yet), which takes
    (1000 − 738 − 160)/16 + 20 = 6.375 + 20 = 26.375 s after the follower passed x*:
        h = 26.375 + 2 (release) + 10 (margin) = 38.375 s (a supremum, approached as y → S1−).
    On a 0.1 m grid the last step is missed: sqrt(2·0.1/0.8) = 0.5 s less."""
    trip = ideal().timeline(L, STEP)
    rule = make_rule(margin=M, reaction=TR, brake=B, length=L)
    _, lines = headway.moving_block(trip, rule, "up", OP)
    first = next(h for h in lines if h.where == "S0 – S1")
    assert 38.375 - 0.55 <= first.min_headway_s <= 38.375 + 1e-6
    assert first.kind == "line"
    assert sum(first.components().values()) == pytest.approx(first.min_headway_s, abs=1e-9)


def test_line_headway_does_not_contain_the_next_dwell() -> None:
    """Same trip, margin 40.05 m so that the reach lands 0.05 m short of S1 on the 0.1 m grid.
    Hand value: x* = 1000 − (192 + 40.05 + 30) = 737.95 m; (1000 − 737.95 − 160)/16 + 20 + 2 + 10
    = 38.378 s whatever the dwell at S1 (the leader has not reached S1)."""
    rule = make_rule(margin=40.05, reaction=TR, brake=B, length=L)
    values = []
    for dwell in (0.0, 30.0):
        _, lines = headway.moving_block(ideal(dwell=dwell).timeline(L, STEP), rule, "up", OP)
        values.append(next(h for h in lines if h.where == "S0 – S1").min_headway_s)
    assert values[1] == pytest.approx(values[0], abs=0.01)
    assert max(values) <= 38.378 + 1e-3


# ------------------------------------------------------------------------------- fixed block
BOUNDS = [0.0, 500.0, 900.0, 1000.0, 1500.0, 2000.0]
"""Signals at both platforms' ends and at 500, 900 and 1500 m."""

# Each block's blocking time, by hand (trip departs S0 at 0 s):
#   start: the head passes the approach point p with p + D(v(p)) = entry; cruising, p = entry − 192;
#          at a stop, departure − t_r (the starting signal) instead.
#   end:   the head leaves exit + m + L (tail clear of the overlap), + t_r (release).
#   [0, 500):     start 0 − 2 = −2 (stop rule at S0)
#                 end: 570 m is cruise: 16 + (570 − 128)/16 = 43.625; + 2 = 45.625
#   [500, 900):   p = 308 (cruise): 16 + 180/16 = 27.25
#                 end: 970 m is braking for S1 (v = sqrt(2·0.8·30) = sqrt(48)):
#                 60.5 + (16 − sqrt(48))/0.8 = 71.8397; + 2 = 73.8397
#   [900, 1000):  p = 708: 16 + 580/16 = 52.25
#                 end: 1070 m is 70 m past S1: 110.5 + sqrt(2·70/1) = 122.3322; + 2 = 124.3322
#   [1000, 1500): start 110.5 − 2 = 108.5 (stop rule at S1)
#                 end: 1570 m: 110.5 + 16 + (1570 − 1128)/16 = 154.125; + 2 = 156.125
#   [1500, 2000): p = 1308: 110.5 + 16 + 180/16 = 137.75; end past the terminus: NaN
SQRT48 = math.sqrt(48.0)
HAND_START = [-2.0, 27.25, 52.25, 108.5, 137.75]
HAND_END = [45.625, 60.5 + (16 - SQRT48) / 0.8 + 2, 110.5 + math.sqrt(140) + 2, 156.125, np.nan]
HAND_APPROACH = [0.0, 308.0, 708.0, 1000.0, 1308.0]


def fixed_rule() -> blocking.SeparationRule:
    return make_rule(margin=M, reaction=TR, brake=B, length=L, boundaries=BOUNDS)


def test_fixed_block_stairway_by_hand() -> None:
    trip = ideal().timeline(L, STEP)
    stairs = blocking.stairway(trip, fixed_rule(), np.array(BOUNDS))
    np.testing.assert_allclose(stairs.from_m, BOUNDS[:-1])
    np.testing.assert_allclose(stairs.to_m, BOUNDS[1:])
    # 0.01 s: an approach point may land one 0.1 m grid step (0.006 s at 16 m/s) late.
    np.testing.assert_allclose(stairs.start_s, HAND_START, atol=0.01)
    np.testing.assert_allclose(stairs.end_s, HAND_END, atol=0.01)
    # Approach points, except where a stop rule applies (there the entry is the stop itself).
    approach = blocking.approach_points_m(trip, fixed_rule(), np.array(BOUNDS[:-1]))
    np.testing.assert_allclose(approach[1:3], HAND_APPROACH[1:3], atol=STEP + 1e-9)
    np.testing.assert_allclose(approach[4], HAND_APPROACH[4], atol=STEP + 1e-9)


def test_approach_point_while_accelerating_by_hand() -> None:
    """Boundary at 100 m, reached while accelerating (v² = 2p): p + 2·sqrt(2p) + 2p/1.6 = 100,
    i.e. 2.25·s² + 2.8284·s − 100 = 0 with s = sqrt(p): s = (−2.8284 + sqrt(8 + 900))/4.5
    = 6.0677, p = 36.817 m (the first grid point at or beyond it)."""
    trip = ideal().timeline(L, STEP)
    (p,) = blocking.approach_points_m(trip, fixed_rule(), np.array([100.0]))
    s = (-math.sqrt(8) + math.sqrt(908)) / 4.5
    assert s * s == pytest.approx(36.817, abs=1e-3)
    assert s * s <= p <= s * s + STEP + 1e-9


def test_fixed_block_min_headway_by_hand() -> None:
    """Occupations: 47.625, 46.590, 72.082, 47.625 s (the last block is NaN): the block before
    S1, [900, 1000), binds at 124.3322 − 52.25 = 72.0822 s."""
    trip = ideal().timeline(L, STEP)
    stairs = blocking.stairway(trip, fixed_rule(), np.array(BOUNDS))
    h, j = blocking.min_headway_s(stairs, stairs)
    assert j == 2
    assert h == pytest.approx(124.3322 - 52.25, abs=0.01)


def test_fixed_block_headways_by_hand() -> None:
    """S1: 72.0822 + 10 = 82.0822 s = approach 80.5 − 52.25 = 28.25, dwell 30, clearing
    122.3322 − 110.5 = 11.8322, release 2, margin 10. Line S0–S1: block [500, 900), 46.5897 + 10
    = 56.5897 s, but the block out of S0, [0, 500), is held 45.625 + 2 = 47.625 s: 57.625 s;
    line S1–S2: block [1000, 1500), 47.625 + 10 = 57.625 s."""
    trip = ideal().timeline(L, STEP)
    stations, lines, _ = headway.fixed_block(trip, fixed_rule(), "up", OP)
    (s1,) = stations
    assert s1.where == "S1"
    assert s1.min_headway_s == pytest.approx(82.0822, abs=0.01)
    expected = {
        "approach": 28.25,
        "dwell": 30.0,
        "clearing": 11.8322,
        "release": 2.0,
        "operating_margin": 10.0,
    }
    assert s1.components() == pytest.approx(expected, abs=0.01)
    by_name = {h.where: h.min_headway_s for h in lines}
    assert by_name["S0 – S1"] == pytest.approx(max(73.8397 - 27.25, 45.625 + 2) + 10, abs=0.01)
    assert by_name["S1 – S2"] == pytest.approx(57.625, abs=0.01)


def test_blocks_without_a_stop_rule_start_at_the_approach_point() -> None:
    """stop_rule=False: the block after S1 is claimed at its approach point like any other, not
    at the departure from S1: the reach x + v·t_r + v²/2b first gets to 1000 m at
    1000 − 192 = 808 m, still cruising: 16 + (808 − 128)/16 = 58.5 s (instead of 108.5 s)."""
    trip = ideal().timeline(L, STEP)
    stairs = blocking.stairway(trip, fixed_rule(), np.array(BOUNDS), stop_rule=False)
    assert stairs.start_s[3] == pytest.approx(58.5, abs=0.01)
    assert stairs.start_s[0] == pytest.approx(0.0, abs=1e-9)  # the first point: the start


# ------------------------------------------------------------------------- timeline building
def test_timeline_inserts_each_dwell_once(synthetic: Scenario) -> None:
    (run,) = running_times(synthetic, ("up",), load=1.0)
    profile = run.minimum
    dwells = (5.0, 20.0, 30.0, 40.0, 99.0)  # the last stop's dwell is ignored
    trip = timeline(profile, dwells, 45.0)
    idx = profile.stop_index
    for k in range(len(idx)):
        before = sum(dwells[:k])
        assert trip.arrival_s[idx[k]] == pytest.approx(profile.time_s[idx[k]] + before)
        dep = trip.arrival_s[idx[k]] + (dwells[k] if k < len(idx) - 1 else 0.0)
        assert trip.departure_s[idx[k]] == pytest.approx(dep)
        # The stop times in running order: arrival after the runs and dwells before it.
        runs = sum(g.run_time_s for g in profile.segments[:k])
        assert trip.stop_arrival_s[k] == pytest.approx(runs + before, abs=1e-9)
        own = dwells[k] if k < len(idx) - 1 else 0.0
        assert trip.stop_departure_s[k] == pytest.approx(runs + before + own, abs=1e-9)
    moving = np.ones(len(trip.position_m), dtype=bool)
    moving[idx[:-1]] = False
    np.testing.assert_array_equal(trip.arrival_s[moving], trip.departure_s[moving])
    assert trip.end_m == pytest.approx(profile.position_m[-1])
    # Past the end the times are a far-future sentinel, and the tail clears L behind the head.
    assert float(trip.arrival_at(trip.end_m + 1)) == 1e9
    x = 500.0
    assert float(trip.tail_clear_at(x)) == pytest.approx(float(trip.departure_at(x + 45.0)))
    with pytest.raises(ValueError, match="one dwell per stop"):
        timeline(profile, dwells[:-1], 45.0)


def test_analysis_dwell_override(synthetic: Scenario) -> None:
    a = analyse(synthetic, dwell_s=33.0)
    for d in a.directions:
        assert d.trip.dwell_s == (0.0, 33.0, 33.0, 33.0, 0.0)
        for h in d.stations:
            assert h.parts.dwell_s == pytest.approx(33.0, abs=1e-6)
    assert dwell_times_s(synthetic, "up") == (0.0, 25.0, 25.0, 25.0, 0.0)
    for bad in (-1.0, 3601.0):
        with pytest.raises(ArgumentError, match=r"^dwell_s .* is outside 0\.\.3600") as refused:
            analyse(synthetic, dwell_s=bad)
        # The library names its parameter, never a command-line flag (the CLI adds its own).
        assert refused.value.argument == "dwell_s"
        assert "--" not in str(refused.value)


# -------------------------------------------------------------------------------- terminals
# The Astana train at full load (154.56 t with the rotating-mass factor) has 180 kN: 1.15 m/s²
# before resistance, so at the crossover speed vx = 25 km/h = 6.9444 m/s it accelerates at the
# 1.0 m/s² cap and brakes at 1.0 m/s²: each move is a closed-form trapezoid. Signalling: margin
# 50 m, t_r 3 s; turnback route setting 10 s, so route + reaction = 13 s; crossover 50 m,
# clearance 10 m; L = 60 m.
VX = 25 / 3.6


def time_at(profile_x: np.ndarray, profile_t: np.ndarray, x: float) -> float:
    return float(np.interp(x, profile_x, profile_t))


def _start_site(astana: Scenario, a: HeadwayAnalysis, tail_m: float) -> terminal.Terminal:
    """Airport as the analysis sees it: margin 15 s, full load, 25 s dwell, trains arriving
    down and leaving up."""
    up, down = a.direction("up"), a.direction("down")
    train = train_params(astana.rolling_stock, 1.0)
    tb = astana.signalling.turnback.start
    return terminal.Terminal(
        "Airport", "start", "down", tb, train, up.rule, 15.0, 1.0, tail_m, down.trip, up.trip, 25.0
    )


def _end_site(astana: Scenario, a: HeadwayAnalysis, tail_m: float) -> terminal.Terminal:
    """Nurly Zhol as the analysis sees it: trains arriving up and leaving down."""
    up, down = a.direction("up"), a.direction("down")
    train = train_params(astana.rolling_stock, 1.0)
    tb = astana.signalling.turnback.end
    return terminal.Terminal(
        "Nurly Zhol", "end", "up", tb, train, down.rule, 15.0, 1.0, tail_m, up.trip, down.trip, 25.0
    )


def test_crossover_before_by_hand(astana: Scenario) -> None:
    train = train_params(astana.rolling_stock, 1.0)
    a = analyse(astana)
    tb = astana.signalling.turnback.end
    got = terminal.crossover_before(_end_site(astana, a, 200.0))
    # Geometry of the arrival: sighting distance D(vx) = 6.9444·3 + 6.9444²/2 = 44.946 m, from a
    # lead-in of 100 m: crossover 144.946 → 194.946 m, stop 194.946 + 10 + 60 = 264.946 m.
    sight = VX * 3 + VX**2 / 2
    x1 = 100 + sight + 50
    stop = x1 + 10 + 60
    arrival = move(train, stop, VX, load=1.0)
    hold_in = time_at(arrival.position_m, arrival.time_s, x1 + 60) - time_at(
        arrival.position_m, arrival.time_s, 100.0
    )
    leave = move(train, 120 + 400, VX, load=1.0)
    hold_out = time_at(leave.position_m, leave.time_s, 120.0)
    # Closed form: in, cruise 100 → stop − vx²/2 (140.833 m, 20.280 s), then brake until 10 m
    # short of the stop (v = sqrt(20)): (6.9444 − 4.4721)/1 = 2.472 s, 22.752 s in all.
    # Out, 120 m from a stand: 120/vx + vx/2 = 17.280 + 3.472 = 20.752 s.
    assert hold_in == pytest.approx((stop - VX**2 / 2 - 100) / VX + VX - math.sqrt(20), abs=0.01)
    assert hold_out == pytest.approx(120 / VX + VX / 2, abs=0.01)
    assert hold_in == pytest.approx(22.752, abs=0.01)
    assert hold_out == pytest.approx(20.752, abs=0.01)
    crossover = 2 * (10 + 3) + hold_in + hold_out  # 26 + 22.752 + 20.752 = 69.504 s
    assert got.resource("crossover").occupation_s == pytest.approx(crossover, abs=0.01)
    # A platform is reserved with the arrival route: from the sighting point (100 m) to the stop.
    platform_in = arrival.run_time_s - time_at(arrival.position_m, arrival.time_s, 100.0)
    platform = (13 + platform_in + 60 + 13 + hold_out) / 2
    assert got.resource("platforms").occupation_s == pytest.approx(platform, abs=0.01)
    assert got.binding.name == "crossover"
    assert got.min_headway_s == pytest.approx(crossover + 15.0, abs=0.01)  # 84.504 s
    assert got.min_headway_s == pytest.approx(84.504, abs=0.01)
    assert sum(got.components().values()) == pytest.approx(got.min_headway_s, abs=1e-9)
    assert got.turnaround_s == tb.min_layover_s


def test_tail_track_by_hand(astana: Scenario) -> None:
    a = analyse(astana)
    up, down = a.direction("up"), a.direction("down")
    train = train_params(astana.rolling_stock, 1.0)
    tb = astana.signalling.turnback.start
    got = terminal.tail_track(_start_site(astana, a, 200.0))
    # The train stops just clear of the crossover: clearance 10 + crossover 50 + clearance 10 +
    # train 60 = 130 m in (within 200 − 50 m margin). In: 130/vx + vx/2 + vx/2 = 18.720 + 6.944
    # = 25.664 s (a stopping trapezoid). Out until its tail has cleared the crossover's near
    # end (130 − 10 = 120 m): 10 m short of its stop, braking: 25.664 − sqrt(2·10)/1 = 21.192 s.
    move_130 = move(train, 130.0, VX, load=1.0)
    assert move_130.run_time_s == pytest.approx(130 / VX + VX, abs=0.01)
    out_clear = time_at(move_130.position_m, move_130.time_s, 120.0)
    assert out_clear == pytest.approx(130 / VX + VX - math.sqrt(20), abs=0.01)
    tail = 13 + move_130.run_time_s + tb.min_layover_s + 13 + out_clear  # 102.857 s
    assert got.resource("tail_track").occupation_s == pytest.approx(tail, abs=0.01)
    assert got.resource("tail_track").occupation_s == pytest.approx(102.857, abs=0.01)
    # Arrival platform: the follower's approach (from the first point where its reach with
    # reaction gets to the stop), unloading 25 s, route 13 s, running off L + m = 110 m from a
    # stand: 110/vx + vx/2 = 15.840 + 3.472 = 19.312 s.
    trip = down.trip
    reach = trip.position_m + trip.speed_mps * 3 + trip.speed_mps**2 / 2
    first = int(np.flatnonzero(reach >= trip.end_m)[0])
    approach = trip.arrival_s[-1] - trip.arrival_s[first]
    arrival_platform = approach + 25 + 13 + 110 / VX + VX / 2
    assert got.resource("arrival_platform").occupation_s == pytest.approx(
        arrival_platform, abs=0.02
    )
    # Departure platform: route 13, move out 25.664, loading 25, then the departing train's
    # head must have left 110 m on the up run (read off the timeline's grid point).
    k = int(np.argmin(np.abs(up.trip.position_m - 110.0)))
    assert up.trip.position_m[k] == pytest.approx(110.0)
    departure_platform = 13 + move_130.run_time_s + 25 + up.trip.arrival_s[k]
    assert got.resource("departure_platform").occupation_s == pytest.approx(
        departure_platform, abs=0.01
    )
    assert got.binding.name == "tail_track"
    assert got.min_headway_s == pytest.approx(tail + 15, abs=0.01)  # 117.857 s
    assert sum(got.components().values()) == pytest.approx(got.min_headway_s, abs=1e-9)
    turnaround = 25 + 13 + move_130.run_time_s + tb.min_layover_s + 13 + move_130.run_time_s + 25
    assert got.turnaround_s == pytest.approx(turnaround, abs=0.01)
    # The analysis uses the same numbers for Airport, and it is the Astana bottleneck.
    (airport,) = [t for t in a.terminals if t.name == "Airport"]
    assert airport.min_headway_s == pytest.approx(got.min_headway_s, abs=1e-9)
    assert a.bottleneck.where == "Airport"
    assert a.line_min_headway_s == pytest.approx(117.857, abs=0.01)


@pytest.mark.parametrize(("tail_m", "ok"), [(179.9, False), (180.0, True), (0.0, False)])
def test_tail_track_too_short(astana: Scenario, tail_m: float, ok: bool) -> None:
    """Need: clearance 10 + crossover 50 + clearance 10 + train 60 + margin 50 = 180 m."""
    site = _start_site(astana, analyse(astana), tail_m)
    if ok:
        assert terminal.tail_track(site).min_headway_s > 0
    else:
        with pytest.raises(LrtsimError, match=r"too short.*at least 180 m"):
            terminal.tail_track(site)


def test_too_short_tail_track_through_the_analysis() -> None:
    scenario = synthetic_scenario(signalling={"turnback": {"end": {"kind": "tail_track"}}})
    short = scenario.model_copy(
        update={
            "line": scenario.line.model_copy(
                update={"tail_tracks_m": scenario.line.tail_tracks_m.model_copy(update={"end": 50})}
            )
        }
    )
    with pytest.raises(LrtsimError, match="tail track beyond S4"):
        analyse(short)
