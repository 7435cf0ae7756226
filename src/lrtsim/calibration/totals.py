"""Segments compared with their schedule: each one's error, and totals over them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Compared(Protocol):
    """A segment compared with its schedule: `fit.SegmentFit` or `held_out.CheckedSegment`."""

    @property
    def from_station(self) -> str: ...
    @property
    def to_station(self) -> str: ...
    @property
    def distance_m(self) -> float: ...
    @property
    def scheduled_s(self) -> float | None: ...
    @property
    def before_s(self) -> float: ...
    @property
    def calibrated_s(self) -> float: ...
    @property
    def error_pct(self) -> float | None: ...


class ErrorPct:
    """The `error_pct` of a frozen dataclass with `scheduled_s` and `calibrated_s` fields."""

    scheduled_s: float | None
    calibrated_s: float

    @property
    def error_pct(self) -> float | None:
        """Calibrated against scheduled, in per cent of the scheduled time."""
        if self.scheduled_s is None:
            return None
        return 100.0 * (self.calibrated_s - self.scheduled_s) / self.scheduled_s


class SegmentTotals:
    """The totals of a frozen dataclass's `segments` field (`fit.Fit`, `held_out.HeldOutCheck`)."""

    segments: Sequence[Compared]

    @property
    def scheduled_total_s(self) -> float:
        """Scheduled time over the segments that have one."""
        return sum(float(g.scheduled_s) for g in self.segments if g.scheduled_s is not None)

    @property
    def calibrated_total_s(self) -> float:
        """Calibrated time over the same segments."""
        return sum(g.calibrated_s for g in self.segments if g.scheduled_s is not None)

    @property
    def before_total_s(self) -> float:
        """Time before calibration over the same segments."""
        return sum(g.before_s for g in self.segments if g.scheduled_s is not None)

    @property
    def end_to_end_error_pct(self) -> float:
        """Calibrated against scheduled over the timed segments, in per cent."""
        return 100.0 * (self.calibrated_total_s - self.scheduled_total_s) / self.scheduled_total_s

    @property
    def worst_error_pct(self) -> float:
        """Largest segment error (in absolute value), in per cent."""
        return max(abs(e) for g in self.segments if (e := g.error_pct) is not None)
