"""A published schedule of one direction, laid over the scenario's stations.

A schedule gives, per stop-to-stop segment, arrival at the next station − departure from this
one, and per station departure − arrival. Feeds that publish equal arrival and departure times
give no dwell: the train still stands at the station, inside the time shown for the segment into
it. Such stations have `dwell_s` None here, and the running time to fit into them is the
segment's time less the scenario's own dwell there (`run_targets_s`).
"""

from __future__ import annotations

from dataclasses import dataclass

from lrtsim.dynamics.runtime import dwell_times_s
from lrtsim.errors import LrtsimError
from lrtsim.model.direction import Direction, running_order
from lrtsim.model.schema import Scenario


@dataclass(frozen=True)
class DirectionSchedule:
    """Scheduled times of one direction, in its running order over the scenario's stations."""

    direction: Direction
    run_s: tuple[float | None, ...]
    """Per segment: arrival at the next station − departure from this one; None = unknown."""
    dwell_s: tuple[float | None, ...]
    """Per station: departure − arrival; None = not published (arrival = departure), so the
    segment time into the station includes its dwell. Terminal values are not used."""
    timepoint: tuple[bool, ...] = ()
    """Per station: True where the schedule's times are exact (GTFS `timepoint` 1); between
    timepoints a scheduling system may interpolate them. Empty when unknown."""

    @property
    def dwells_published(self) -> bool:
        """True when some intermediate station has a published dwell."""
        return any(d is not None for d in self.dwell_s[1:-1])


def check_fits(schedule: DirectionSchedule, scenario: Scenario) -> None:
    """`LrtsimError` unless the schedule has one time per segment and one dwell per station."""
    n = len(scenario.line.stations)
    if (
        len(schedule.run_s) != n - 1
        or len(schedule.dwell_s) != n
        or len(schedule.timepoint) not in (0, n)
    ):
        raise LrtsimError(
            f"the {schedule.direction} schedule has {len(schedule.run_s)} segment times and "
            f"{len(schedule.dwell_s)} dwells ({len(schedule.timepoint)} timepoint flags), but the "
            f"scenario has {n} stations ({n - 1} segments); give one time per segment and one "
            "dwell (or None) and timepoint flag (or none at all) per station"
        )
    bad = [
        i
        for i, t in enumerate(schedule.run_s)
        if t is not None and not (t > 0 and t < float("inf"))
    ]
    if bad:
        raise LrtsimError(
            f"the {schedule.direction} schedule's segment time(s) {bad[:5]} are not positive "
            "finite seconds"
        )


def with_dwells(scenario: Scenario, schedule: DirectionSchedule) -> Scenario:
    """The scenario with each intermediate station's published dwell as its `dwell_s`.

    Stations without a published dwell keep their own (or the dwell model's base). When every
    intermediate station has one, `service.dwell.base_s` becomes the shortest of them: the
    timetable's dwell is the longer of the model's (base + passenger time) and the station's
    own, so a base above a station's own would lengthen its published dwell.
    """
    check_fits(schedule, scenario)
    n = len(scenario.line.stations)
    line_order = running_order(schedule.dwell_s, schedule.direction)
    published = {i: float(d) for i, d in enumerate(line_order) if 0 < i < n - 1 and d is not None}
    stations = [
        s.model_copy(update={"dwell_s": published[i]}) if i in published else s
        for i, s in enumerate(scenario.line.stations)
    ]
    service = scenario.service
    if published and len(published) == n - 2:
        dwell = service.dwell.model_copy(update={"base_s": min(published.values())})
        service = service.model_copy(update={"dwell": dwell})
    return scenario.model_copy(
        update={
            "line": scenario.line.model_copy(update={"stations": stations}),
            "service": service,
        }
    )


def included_dwells_s(scenario: Scenario, schedule: DirectionSchedule) -> tuple[float, ...]:
    """Per segment, the dwell its scheduled time includes: the scenario's dwell at the segment's
    end where the schedule publishes none there (0 at the last station and where published)."""
    check_fits(schedule, scenario)
    dwell = dwell_times_s(scenario, schedule.direction)
    last = len(dwell) - 1
    return tuple(
        dwell[end] if end < last and schedule.dwell_s[end] is None else 0.0
        for end in range(1, last + 1)
    )


def run_targets_s(scenario: Scenario, schedule: DirectionSchedule) -> tuple[float | None, ...]:
    """Running time each segment must take (running order): its scheduled time less the dwell
    that time includes (`included_dwells_s`); None where the schedule has no time."""
    included = included_dwells_s(scenario, schedule)
    return tuple(
        None if t is None else t - d for t, d in zip(schedule.run_s, included, strict=True)
    )
