"""Monotonic properties of the headway analysis, and moving block against fixed block.

Longer dwell, longer train, weaker brakes, larger safety margin, longer reaction time, larger
operating margin: never a shorter headway — for the line (`line_min_headway_s`), for every station
and for each direction's worst station-or-line value. Checked through `analysis.analyse` on a
synthetic five-station line with a tight curve, on the same line with fixed block, and on Astana;
then on random lines with hypothesis.
"""

from __future__ import annotations

from typing import Any

import pytest
from capacity_support import synthetic_scenario, variant
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrtsim.capacity.analysis import HeadwayAnalysis, analyse
from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Curve, Scenario

Key = tuple[str, str]
TOL = 1e-9


def station_headways(a: HeadwayAnalysis) -> dict[Key, float]:
    return {(h.where, h.direction): h.min_headway_s for d in a.directions for h in d.stations}


def direction_worst(a: HeadwayAnalysis) -> dict[str, float]:
    """Each direction's worst station or line headway (terminals apart)."""
    return {
        d.direction: max(h.min_headway_s for h in (*d.stations, *d.lines)) for d in a.directions
    }


def assert_not_shorter(base: HeadwayAnalysis, other: HeadwayAnalysis, label: str) -> None:
    s0, s1 = station_headways(base), station_headways(other)
    assert s0.keys() == s1.keys(), label
    shorter = {k: (s0[k], s1[k]) for k in s0 if s1[k] < s0[k] - TOL}
    assert not shorter, f"{label}: stations got shorter {shorter}"
    w0, w1 = direction_worst(base), direction_worst(other)
    for direction in w0:
        assert w1[direction] >= w0[direction] - TOL, (label, direction, w0, w1)


def scenarios() -> dict[str, Scenario]:
    return {
        "synthetic": synthetic_scenario(),
        "synthetic fixed block": synthetic_scenario(signalling={"kind": "fixed_block"}),
        "astana": load_scenario("astana"),
    }


SCENARIOS = scenarios()

# (what, key, change to a value that should never shorten a headway), small and large steps.
CHANGES: list[tuple[str, str, Any]] = [
    ("longer train +1 m", "rolling_stock.length_m", lambda v: v + 1.0),
    ("longer train +10 m", "rolling_stock.length_m", lambda v: v + 10.0),
    ("weaker brakes −0.01", "rolling_stock.service_brake_mps2", lambda v: v - 0.01),
    ("weaker brakes ×0.8", "rolling_stock.service_brake_mps2", lambda v: v * 0.8),
    ("safety margin +1 m", "signalling.safety_margin_m", lambda v: v + 1.0),
    ("safety margin +15 m", "signalling.safety_margin_m", lambda v: v + 15.0),
    ("reaction time +0.1 s", "signalling.reaction_time_s", lambda v: v + 0.1),
    ("reaction time +1 s", "signalling.reaction_time_s", lambda v: v + 1.0),
    ("operating margin +5 s", "signalling.operating_margin_s", lambda v: v + 5.0),
]


def changed(scenario: Scenario, key: str, change: Any) -> Scenario:
    section, field = key.split(".")
    return variant(scenario, **{key: change(getattr(getattr(scenario, section), field))})


@pytest.fixture(scope="module")
def base() -> dict[str, HeadwayAnalysis]:
    return {name: analyse(s) for name, s in SCENARIOS.items()}


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize(("what", "key", "change"), CHANGES, ids=[c[0] for c in CHANGES])
def test_stations_never_shorter(
    base: dict[str, HeadwayAnalysis], name: str, what: str, key: str, change: Any
) -> None:
    other = analyse(changed(SCENARIOS[name], key, change))
    assert_not_shorter(base[name], other, f"{name}, {what}")


def line_cases() -> list[Any]:
    out = []
    for name in SCENARIOS:
        for what, key, change in CHANGES:
            out.append(pytest.param(name, key, change, id=f"{name}-{what}"))
    return out


@pytest.mark.parametrize(("name", "key", "change"), line_cases())
def test_line_min_headway_never_shorter(
    base: dict[str, HeadwayAnalysis], name: str, key: str, change: Any
) -> None:
    other = analyse(changed(SCENARIOS[name], key, change))
    assert other.line_min_headway_s >= base[name].line_min_headway_s - TOL


def test_tail_track_terminal_never_shorter_with_a_larger_margin(
    base: dict[str, HeadwayAnalysis],
) -> None:
    astana = SCENARIOS["astana"]
    for margin in (51.0, 65.0):
        other = analyse(variant(astana, **{"signalling.safety_margin_m": margin}))
        for t0, t1 in zip(base["astana"].terminals, other.terminals, strict=True):
            assert t1.min_headway_s >= t0.min_headway_s - TOL, (t0.name, margin)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_longer_dwell_never_shorter(base: dict[str, HeadwayAnalysis], name: str) -> None:
    scenario = SCENARIOS[name]
    longest = max(s.dwell_s or scenario.service.dwell.base_s for s in scenario.line.stations)
    previous = base[name]
    # From the scenario's own dwells to a dwell ≥ all of them, then upward in steps.
    for dwell in (longest, longest + 0.5, longest + 10.0, 2 * longest + 30.0):
        other = analyse(scenario, dwell_s=dwell)
        assert_not_shorter(previous, other, f"{name}, dwell {dwell}")
        assert other.line_min_headway_s >= previous.line_min_headway_s - TOL
        previous = other


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_station_headway_rises_one_for_one_with_dwell(name: str) -> None:
    """Where the station binds, a dwell Δ seconds longer delays the leader by exactly Δ."""
    a20, a40 = analyse(SCENARIOS[name], dwell_s=20.0), analyse(SCENARIOS[name], dwell_s=40.0)
    s20, s40 = station_headways(a20), station_headways(a40)
    for key in s20:
        assert s40[key] - s20[key] == pytest.approx(20.0, abs=0.05), key


def test_line_headways_do_not_depend_on_dwell() -> None:
    astana = SCENARIOS["astana"]
    short, long = analyse(astana, dwell_s=0.0), analyse(astana, dwell_s=100.0)
    for d0, d1 in zip(short.directions, long.directions, strict=True):
        for h0, h1 in zip(d0.lines, d1.lines, strict=True):
            assert h0.where == h1.where
            # the grid alone moves a line value by up to one step's time near a stop (~1.5 s)
            assert h1.min_headway_s == pytest.approx(h0.min_headway_s, abs=1.5), h0.where


# ---------------------------------------------------------------------- moving vs fixed block
def fixed(scenario: Scenario, block_m: float) -> Scenario:
    return variant(
        scenario, **{"signalling.kind": "fixed_block", "signalling.block_length_m": block_m}
    )


@pytest.mark.parametrize("name", ["synthetic", "astana"])
@pytest.mark.parametrize("block_m", [150.0, 400.0, 800.0])
def test_moving_block_never_worse_than_fixed_block(
    base: dict[str, HeadwayAnalysis], name: str, block_m: float
) -> None:
    mb = base[name]
    fb = analyse(fixed(SCENARIOS[name], block_m))
    assert mb.line_min_headway_s <= fb.line_min_headway_s + TOL
    s_mb, s_fb = station_headways(mb), station_headways(fb)
    assert s_mb.keys() == s_fb.keys()
    for key, h in s_mb.items():
        assert h <= s_fb[key] + TOL, (key, h, s_fb[key])
    w_mb, w_fb = direction_worst(mb), direction_worst(fb)
    for direction, h in w_mb.items():
        assert h <= w_fb[direction] + TOL
    # shorter blocks approach moving block from above
    assert fb.line_min_headway_s >= mb.line_min_headway_s


def test_shorter_blocks_never_worse() -> None:
    scenario = SCENARIOS["synthetic"]
    worst = [max(direction_worst(analyse(fixed(scenario, m))).values()) for m in (800, 400, 200)]
    mb = max(direction_worst(analyse(scenario)).values())
    assert worst[0] >= worst[1] >= worst[2] >= mb


def test_every_station_has_a_fixed_block_headway() -> None:
    fb = analyse(fixed(SCENARIOS["synthetic"], 1500.0))
    assert station_headways(fb).keys() == station_headways(analyse(SCENARIOS["synthetic"])).keys()


# ----------------------------------------------------------------------------- random lines
@st.composite
def random_lines(draw: st.DrawFn) -> Scenario:
    n = draw(st.integers(3, 6))
    gaps = [draw(st.integers(50, 160)) * 10.0 for _ in range(n - 1)]  # 500–1600 m
    km = [0.0]
    for g in gaps:
        km.append(round(km[-1] + g / 1000.0, 3))
    curves: list[Curve] = []
    if draw(st.booleans()):
        # a curve inside the first interstation, 100 m long, radius 150–600 m
        start = round(km[0] + draw(st.floats(0.1, 0.3)) * gaps[0] / 1000.0, 3)
        radius = draw(st.sampled_from([150.0, 250.0, 400.0, 600.0]))
        curves = [Curve(from_km=start, to_km=round(start + 0.1, 3), radius_m=radius)]
    return synthetic_scenario(
        km,
        curves=curves,
        dwell_base_s=draw(st.sampled_from([10.0, 20.0, 35.0, 50.0])),
        signalling={
            "safety_margin_m": draw(st.sampled_from([10.0, 40.0, 80.0])),
            "reaction_time_s": draw(st.sampled_from([0.5, 2.0, 4.0])),
        },
        stock={"length_m": draw(st.sampled_from([30.0, 45.0, 75.0]))},
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenario=random_lines(),
    change=st.sampled_from(CHANGES),
    # blocks of at most 400 m: every interstation (≥ 500 m) is split
    block_m=st.sampled_from([150.0, 250.0, 400.0]),
)
def test_random_lines(scenario: Scenario, change: tuple[str, str, Any], block_m: float) -> None:
    what, key, step = change
    a = analyse(scenario)
    other = analyse(changed(scenario, key, step))
    assert_not_shorter(a, other, what)
    assert other.line_min_headway_s >= a.line_min_headway_s - TOL
    longer_dwell = analyse(scenario, dwell_s=scenario.service.dwell.base_s + 7.0)
    assert_not_shorter(a, longer_dwell, "dwell + 7 s")
    fb = analyse(fixed(scenario, block_m))
    assert a.line_min_headway_s <= fb.line_min_headway_s + TOL
    s_mb, s_fb = station_headways(a), station_headways(fb)
    assert s_mb.keys() == s_fb.keys()
    for k, h in s_mb.items():
        assert h <= s_fb[k] + TOL, (k, h, s_fb[k])
