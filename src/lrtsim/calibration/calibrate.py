"""The one entry point: fit a scenario to a published schedule and check it three ways.

1. `fit.fit_schedule` on the fitted direction (dwells, a speed zone per segment, the allowance
   the schedule can hold);
2. the feed's service periods and layover put into the scenario (`service_check`);
3. the held-out direction against the calibrated scenario (`held_out`);
4. the planner's day on the calibrated scenario against the feed's trips and trains
   (`service_check.compare_service`).
"""

from __future__ import annotations

from dataclasses import dataclass

from lrtsim.calibration.feed_service import FeedService
from lrtsim.calibration.fit import Fit, fit_schedule, validated
from lrtsim.calibration.held_out import HeldOutCheck, held_out_check
from lrtsim.calibration.schedule import DirectionSchedule
from lrtsim.calibration.service_check import (
    ServiceComparison,
    compare_service,
    with_feed_service,
)
from lrtsim.dynamics.envelope import DEFAULT_STEP_M
from lrtsim.errors import LrtsimError
from lrtsim.model.schema import Scenario


@dataclass(frozen=True, eq=False)
class CalibrationReport:
    """The calibrated scenario, its fit, the held-out check and the service comparison."""

    scenario: Scenario
    """The calibrated scenario, validated; with the feed's periods and layover when given."""
    fit: Fit
    held_out: HeldOutCheck | None
    service: ServiceComparison | None
    notes: tuple[str, ...]


def calibrate(
    scenario: Scenario,
    fitted: DirectionSchedule,
    held_out: DirectionSchedule | None = None,
    feed_service: FeedService | None = None,
    *,
    keep_allowance: bool = False,
    max_step_m: float = DEFAULT_STEP_M,
) -> CalibrationReport:
    """Calibrate `scenario` to `fitted` (its direction must be `up`), then check it against the
    `held_out` direction (`down`) and the planner against `feed_service`, where given."""
    if fitted.direction != "up":
        raise LrtsimError("the fitted schedule must be direction up (the scenario's own order)")
    if held_out is not None and held_out.direction == fitted.direction:
        raise LrtsimError("the held-out schedule must be the other direction (down)")
    fit = fit_schedule(scenario, fitted, keep_allowance=keep_allowance, max_step_m=max_step_m)
    notes = list(fit.notes)
    calibrated = fit.scenario
    if feed_service is not None:
        with_service, service_notes = with_feed_service(calibrated, feed_service, "up")
        calibrated = validated(with_service, f"{scenario.name} calibrated")
        notes += service_notes
    check = (
        None
        if held_out is None
        else held_out_check(calibrated, held_out, before=scenario, max_step_m=max_step_m)
    )
    service = None if feed_service is None else compare_service(calibrated, feed_service)
    return CalibrationReport(
        scenario=calibrated, fit=fit, held_out=check, service=service, notes=tuple(notes)
    )
