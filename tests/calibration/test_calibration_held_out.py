"""The held-out check: a scenario fitted on one direction, run the other way."""

from __future__ import annotations

import pytest
from calibration_support import DWELL_S, bare, schedule_of, truth

from lrtsim.calibration.fit import Fit, fit_schedule
from lrtsim.calibration.held_out import held_out_check
from lrtsim.calibration.schedule import DirectionSchedule


@pytest.fixture(scope="module")
def fitted() -> Fit:
    return fit_schedule(bare(3.0), schedule_of(truth(3.0)))


def test_the_other_direction_of_the_truth_is_reproduced(fitted: Fit) -> None:
    """One set of symmetric zones on a level line: the truth's down run is the calibrated one."""
    down = schedule_of(truth(3.0), "down")
    check = held_out_check(fitted.scenario, down, before=bare(3.0))
    assert check.direction == "down"
    assert [g.from_station for g in check.segments] == [f"S{i}" for i in range(7, 0, -1)]
    assert check.worst_error_pct <= 0.5
    assert abs(check.end_to_end_error_pct) <= 0.1
    assert check.before_total_s < check.scheduled_total_s  # the bare line runs faster
    assert check.scheduled_dwell_s == sum(d for d in DWELL_S if d is not None)
    assert check.calibrated_dwell_s == check.scheduled_dwell_s


def test_a_segment_that_differs_by_direction_shows(fitted: Fit) -> None:
    down = schedule_of(truth(3.0), "down")
    slower = list(down.run_s)
    slower[2] = float(slower[2] or 0.0) * 1.25
    check = held_out_check(fitted.scenario, DirectionSchedule("down", tuple(slower), down.dwell_s))
    assert check.segments[2].error_pct == pytest.approx(100 * (1 / 1.25 - 1), abs=0.5)
    share = (slower[2] - float(down.run_s[2] or 0.0)) / check.scheduled_total_s
    assert check.end_to_end_error_pct == pytest.approx(-100 * share, abs=0.15)


def test_unknown_segments_stay_out_of_the_total(fitted: Fit) -> None:
    down = schedule_of(truth(3.0), "down")
    partial = (None, *down.run_s[1:])
    check = held_out_check(fitted.scenario, DirectionSchedule("down", partial, down.dwell_s))
    assert check.segments[0].error_pct is None
    assert check.scheduled_total_s == pytest.approx(sum(float(t or 0.0) for t in partial))
    assert check.calibrated_total_s == pytest.approx(
        sum(g.calibrated_s for g in check.segments[1:])
    )


def test_timepoint_spans_sum_the_segments_between_timepoints(fitted: Fit) -> None:
    down = schedule_of(truth(3.0), "down")
    flags = (True, False, True, False, False, True, False, False)  # the last end counts anyway
    timed = DirectionSchedule("down", down.run_s, down.dwell_s, flags)
    check = held_out_check(fitted.scenario, timed)
    assert [(p.from_station, p.to_station, p.segments) for p in check.spans] == [
        ("S7", "S5", 2),
        ("S5", "S2", 3),
        ("S2", "S0", 2),
    ]
    run = [float(t or 0.0) for t in down.run_s]
    assert [p.scheduled_s for p in check.spans] == pytest.approx(
        [sum(run[:2]), sum(run[2:5]), sum(run[5:])]
    )
    assert sum(p.calibrated_s for p in check.spans) == pytest.approx(check.calibrated_total_s)
    assert held_out_check(fitted.scenario, down).spans == ()
