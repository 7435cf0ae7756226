"""The held-out check: the calibrated scenario against the schedule of the direction not fitted.

One set of zones serves both directions, so the other direction's schedule tests the fit on data
it has not seen: what differs by direction (gradients, which the feed does not give; junctions
and signals met one way only; platforms on another street) shows up here.
"""

from __future__ import annotations

from dataclasses import dataclass

from lrtsim.calibration.schedule import DirectionSchedule, included_dwells_s
from lrtsim.calibration.solve import driven_run
from lrtsim.calibration.spans import CheckedSpan, timepoint_spans
from lrtsim.calibration.totals import ErrorPct, SegmentTotals
from lrtsim.dynamics.envelope import DEFAULT_STEP_M
from lrtsim.dynamics.load_cases import PLANNING_LOAD
from lrtsim.dynamics.runtime import dwell_times_s
from lrtsim.model.direction import Direction
from lrtsim.model.schema import Scenario


@dataclass(frozen=True)
class CheckedSegment(ErrorPct):
    """One segment of the held-out direction: scheduled, before and after calibration."""

    from_station: str
    to_station: str
    distance_m: float
    scheduled_s: float | None
    before_s: float
    """The scenario before calibration (its own allowance), + the dwell the schedule includes."""
    calibrated_s: float


@dataclass(frozen=True)
class HeldOutCheck(SegmentTotals):
    """The held-out direction segment by segment, and end to end."""

    direction: Direction
    segments: tuple[CheckedSegment, ...]
    scheduled_dwell_s: float | None
    """Published dwells at the intermediate stations, summed (None when none are published)."""
    calibrated_dwell_s: float
    """The calibrated scenario's dwells in this direction, summed."""
    spans: tuple[CheckedSpan, ...]
    """From timepoint to timepoint of the held-out schedule (empty when it marks none)."""


def held_out_check(
    calibrated: Scenario,
    schedule: DirectionSchedule,
    *,
    before: Scenario | None = None,
    load: float = PLANNING_LOAD,
    max_step_m: float = DEFAULT_STEP_M,
) -> HeldOutCheck:
    """The calibrated scenario's driven run in the schedule's direction, segment by segment.

    Runs use each scenario's own allowance. Where the schedule publishes no dwells, its segment
    times include the dwell at their end, so that dwell is added to lrtsim's running time.
    """
    direction = schedule.direction
    after = driven_run(calibrated, direction, calibrated.service.allowance_pct, load, max_step_m)
    first = before or calibrated
    earlier = driven_run(first, direction, first.service.allowance_pct, load, max_step_m)
    included = included_dwells_s(calibrated, schedule)
    segments = tuple(
        CheckedSegment(
            from_station=g.from_station,
            to_station=g.to_station,
            distance_m=g.distance_m,
            scheduled_s=t,
            before_s=b.run_time_s + d,
            calibrated_s=g.run_time_s + d,
        )
        for g, b, t, d in zip(
            after.profile.segments, earlier.profile.segments, schedule.run_s, included, strict=True
        )
    )
    published = [d for d in schedule.dwell_s[1:-1] if d is not None]
    return HeldOutCheck(
        direction=direction,
        segments=segments,
        scheduled_dwell_s=sum(published) if published else None,
        calibrated_dwell_s=sum(dwell_times_s(calibrated, direction)),
        spans=timepoint_spans(segments, schedule.timepoint),
    )
