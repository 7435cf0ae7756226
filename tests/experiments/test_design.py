"""Robust design: target parsing, the peak-headway change, the bisection's answer and evidence."""

from __future__ import annotations

import math

import pytest

from lrtsim.errors import LrtsimError
from lrtsim.experiments import design as d
from lrtsim.experiments.stats import Estimate, KpiSummary
from lrtsim.model.load import load_scenario
from lrtsim.planning.service import CLOCK_FACE_S, periods


def test_target_parses_kpi_operator_value_and_statistic() -> None:
    t = d.parse_target(" excess_wait_s <= 60 @ p90 ")
    assert (t.kpi, t.op, t.threshold, t.statistic) == ("excess_wait_s", "<=", 60.0, "p90")
    assert d.parse_target("punctuality_pct>=95").statistic == "mean"
    assert t.holds(60.0)
    assert not t.holds(60.1)
    assert not t.holds(math.nan)
    assert d.parse_target("punctuality_pct>=95@p50").holds(95.0)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("excess_wait_s=60@p90", "is not KPI<=VALUE"),
        ("nope_s<=60@p90", "'nope_s' is not a KPI"),
        ("excess_wait_s<=abc@p90", "'abc' is not a number"),
        ("excess_wait_s<=nan@p90", "finite"),
        ("excess_wait_s<=inf@p90", "finite"),
        ("excess_wait_s<=60@p99", "'p99' is not a statistic"),
    ],
)
def test_bad_targets_say_why(text: str, says: str) -> None:
    with pytest.raises(LrtsimError, match=says):
        d.parse_target(text)


def test_peak_headway_changes_only_the_peak_periods() -> None:
    s = load_scenario("astana")
    peaks, policy, longest = d.peak_periods(s, "weekday")
    before = periods(s)
    assert [before[i].max_headway_s for i in peaks] == [policy] * len(peaks)
    assert policy == min(p.max_headway_s for p in before)
    assert longest == max(p.max_headway_s for p in before)
    changed = periods(d.with_peak_headway(s, "weekday", 420.0))
    for i, (a, b) in enumerate(zip(before, changed, strict=True)):
        assert b.max_headway_s == (420.0 if i in peaks else a.max_headway_s)
        assert (a.from_, a.to) == (b.from_, b.to)


def test_candidates_are_the_clock_face_values_in_range() -> None:
    got = d.candidates(131.0, 600.0)
    assert got == [float(h) for h in CLOCK_FACE_S if 131.0 <= h <= 600.0]
    with pytest.raises(LrtsimError, match="no clock-face headway"):
        d.candidates(601.0, 600.0)


def _point(headway_s: float, value: float, threshold: float) -> d.Point:
    target = d.Target("excess_wait_s", "<=", threshold, "p90")
    e = Estimate(value, value - 1.0, value + 1.0)
    summary = KpiSummary("excess_wait_s", 20, 0, e, e, e, e, 0.95, 2000)
    return d.Point(headway_s, headway_s, int(3600 // headway_s), 0, 20, (summary,),
                   (d.check(target, summary),))  # fmt: skip


@pytest.mark.parametrize("threshold", [0.5, 3.0, 7.2, 12.0, 100.0])
def test_search_finds_the_longest_headway_meeting_and_tries_its_neighbour(
    threshold: float,
) -> None:
    """A KPI rising with the headway: the answer is the last headway at or under the threshold,
    found in fewer tries than a scan, and the next longer one is in the evidence, failing."""
    headways = [120.0, 150.0, 180.0, 240.0, 300.0, 360.0, 450.0, 600.0, 720.0, 900.0]
    tried: list[float] = []

    def evaluate(h: float) -> d.Point:
        tried.append(h)
        return _point(h, h / 60.0, threshold)

    answer = d.search(headways, evaluate)
    meeting = [h for h in headways if h / 60.0 <= threshold]
    assert (len(tried) == len(set(tried)) and len(tried) < len(headways)) or threshold >= 15
    if not meeting:
        assert answer.best is None
        assert answer.neighbour is not None
        assert answer.neighbour.policy_headway_s == headways[0]
        assert "No peak headway meets" in d.reasoning(answer, [], 900.0)[0]
        return
    assert answer.best is not None
    assert answer.best.policy_headway_s == max(meeting)
    nxt = headways.index(max(meeting)) + 1
    if nxt < len(headways):
        assert answer.neighbour is not None
        assert not answer.neighbour.met
        assert answer.neighbour.policy_headway_s == headways[nxt]
        assert f"The next longer, {d.minutes(headways[nxt])}" in " ".join(
            d.reasoning(answer, [], 900.0)
        )
    else:
        assert answer.neighbour is None
    assert [p.policy_headway_s for p in answer.points] == sorted(tried)


def test_check_is_clear_only_when_the_interval_is_on_one_side() -> None:
    t = d.Target("excess_wait_s", "<=", 10.0, "p90")
    straddle = KpiSummary("excess_wait_s", 5, 0, *(Estimate(9.5, 8.0, 11.0),) * 4, 0.95, 2000)
    c = d.check(t, straddle)
    assert c.met
    assert not c.clear
    inside = KpiSummary("excess_wait_s", 5, 0, *(Estimate(5.0, 4.0, 6.0),) * 4, 0.95, 2000)
    assert d.check(t, inside).clear
