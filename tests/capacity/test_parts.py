"""Typed headway results: a headway's parts and a terminal's resources, as the JSON has them."""

from __future__ import annotations

import pytest

from lrtsim.capacity.analysis import HeadwayAnalysis
from lrtsim.capacity.headway import HeadwayParts
from lrtsim.capacity.terminal import Resource, TerminalHeadway


def test_parts_list_what_applies_in_order() -> None:
    station = HeadwayParts(approach_s=20.0, dwell_s=25.0, clearing_s=18.0, release_s=3.0,
                           margin_s=15.0)  # fmt: skip
    assert list(station.components().items()) == [
        ("approach", 20.0),
        ("dwell", 25.0),
        ("clearing", 18.0),
        ("release", 3.0),
        ("operating_margin", 15.0),
    ]
    assert station.total_s == 81.0
    line = HeadwayParts(braking_s=30.0, length_and_margin_s=12.0, release_s=3.0, margin_s=15.0)
    assert list(line.components()) == [
        "braking_distance",
        "train_length_and_margin",
        "release",
        "operating_margin",
    ]
    assert HeadwayParts(blocking_s=70.0, margin_s=10.0).components() == {
        "blocking": 70.0,
        "operating_margin": 10.0,
    }


def test_a_terminal_is_bound_by_its_longest_occupation() -> None:
    platforms = Resource(
        "platforms", 130.0, (("arrival_into_platform", 50.0), ("layover", 80.0)), 2
    )
    crossover = Resource("crossover", 60.0, (("route_setting_and_reaction", 60.0),))
    t = TerminalHeadway(
        "T", "end", "crossover_before", "up", (crossover, platforms), (), 60.0, 15.0
    )
    assert platforms.occupation_s == 65.0
    assert t.binding is platforms
    assert t.resource("crossover") is crossover
    assert t.min_headway_s == 80.0
    assert t.components() == {
        "arrival_into_platform": 25.0,
        "layover": 40.0,
        "operating_margin": 15.0,
    }


def test_every_headway_adds_up(astana_analysis: HeadwayAnalysis) -> None:
    a = astana_analysis
    for d in a.directions:
        for h in (*d.stations, *d.lines):
            assert isinstance(h.parts, HeadwayParts)
            assert sum(h.components().values()) == h.min_headway_s
    for t in a.terminals:
        assert sum(t.components().values()) == pytest.approx(t.min_headway_s, abs=1e-9)
        assert t.direction == ("up" if t.end == "end" else "down")
