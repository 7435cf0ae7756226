"""A schedule's running times beside lrtsim's minimum running times, segment by segment.

A published schedule can only be slower than the technical minimum, so scheduled / minimum is at
least 1 on every segment; how far above 1 it lies, and where, shows what the schedule holds that
the scenario does not (recovery margins, signals and traffic, slow zones). The minimum is the
flat-out run of `lrtsim.dynamics.runtime.running_times` in direction `up`, with no allowance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lrtsim.dynamics.envelope import DEFAULT_STEP_M
from lrtsim.dynamics.runtime import running_times
from lrtsim.model.schema import Scenario

DEFAULT_LOAD = 0.5
"""Passenger load (fraction of planning capacity) of the minimum-time comparison runs."""


@dataclass(frozen=True)
class SegmentComparison:
    """One segment: the feed's scheduled running time beside lrtsim's minimum running time."""

    from_station: str
    to_station: str
    distance_m: float
    scheduled_s: float | None
    """The schedule's running time (for a GTFS feed: the median over the pattern's trips of
    arrival at `to` − departure from `from`); None where the schedule has none."""
    minimum_s: float
    """lrtsim's flat-out running time (no allowance, no dwell)."""

    @property
    def ratio(self) -> float | None:
        """Scheduled / minimum (above 1: the schedule has time beyond the technical minimum)."""
        if self.scheduled_s is None or self.minimum_s <= 0:
            return None
        return self.scheduled_s / self.minimum_s


def compare_running_times(
    scenario: Scenario,
    scheduled_s: Sequence[float | None],
    *,
    load: float = DEFAULT_LOAD,
    max_step_m: float = DEFAULT_STEP_M,
) -> tuple[SegmentComparison, ...]:
    """Per segment of direction `up`: scheduled time, lrtsim minimum time, their ratio.

    `scheduled_s` holds one time per segment, first station to last (None where unknown). The
    minimum comes from `running_times(scenario, ("up",), load=load, allowance_pct=0)`.
    """
    segments = running_times(
        scenario, ("up",), load=load, allowance_pct=0.0, max_step_m=max_step_m
    )[0].minimum.segments
    if len(scheduled_s) != len(segments):
        raise ValueError(
            f"{len(scheduled_s)} scheduled times for the {len(segments)} segments of "
            f"'{scenario.name}'"
        )
    return tuple(
        SegmentComparison(
            from_station=g.from_station,
            to_station=g.to_station,
            distance_m=g.distance_m,
            scheduled_s=scheduled,
            minimum_s=g.run_time_s,
        )
        for g, scheduled in zip(segments, scheduled_s, strict=True)
    )


def comparison_total(rows: Sequence[SegmentComparison]) -> SegmentComparison:
    """First to last station: summed distance and times (scheduled over segments that have it).

    The ratio of the total compares like with like: the minimum is summed over the same
    segments as the scheduled time.
    """
    timed = [r for r in rows if r.scheduled_s is not None]
    return SegmentComparison(
        from_station=rows[0].from_station,
        to_station=rows[-1].to_station,
        distance_m=sum(r.distance_m for r in rows),
        scheduled_s=sum(float(r.scheduled_s or 0.0) for r in timed) if timed else None,
        minimum_s=sum(r.minimum_s for r in (timed or rows)),
    )
