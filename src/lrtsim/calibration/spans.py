"""Running times summed from timepoint to timepoint.

Scheduling systems fix times at timepoints (GTFS `timepoint` 1) and interpolate the stops in
between, so a segment's time there says less than the time between timepoints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lrtsim.calibration.totals import Compared


@dataclass(frozen=True)
class CheckedSpan:
    """Consecutive segments from one timepoint to the next: running times summed, no dwells."""

    from_station: str
    to_station: str
    segments: int
    scheduled_s: float
    calibrated_s: float

    @property
    def error_pct(self) -> float:
        """Calibrated against scheduled, in per cent of the scheduled time."""
        return 100.0 * (self.calibrated_s - self.scheduled_s) / self.scheduled_s


def timepoint_spans(
    segments: Sequence[Compared], timepoint: Sequence[bool]
) -> tuple[CheckedSpan, ...]:
    """The segments summed between consecutive timepoints (the terminals always count as
    timepoints); spans with an unknown scheduled time are left out. No timepoints: none."""
    if not timepoint:
        return ()
    out: list[CheckedSpan] = []
    run: list[Compared] = []
    for k, segment in enumerate(segments):
        run.append(segment)
        if timepoint[k + 1] or k == len(segments) - 1:
            if all(g.scheduled_s is not None for g in run):
                out.append(
                    CheckedSpan(
                        from_station=run[0].from_station,
                        to_station=run[-1].to_station,
                        segments=len(run),
                        scheduled_s=sum(float(g.scheduled_s or 0.0) for g in run),
                        calibrated_s=sum(g.calibrated_s for g in run),
                    )
                )
            run = []
    return tuple(out)
