"""Fit a scenario to the published schedule of one direction: dwells, speed zones, allowance.

1. Dwells: each intermediate station takes the schedule's dwell where it publishes one; where it
   publishes arrival = departure the scenario's dwell stays and the segment's scheduled time is
   taken to include it (`schedule.run_targets_s`).
2. Zones: one speed restriction per segment over its whole interstation (`zones`), speeds found
   together so that the run the timetable uses (load `PLANNING_LOAD`, the scenario's allowance
   driven to save energy) takes each segment's scheduled time (`solve.solve_zones`). A segment
   whose schedule is at or below its unrestricted time gets no zone.
3. Allowance: energy-saving driving spends the allowance where the train runs fast (coasting
   from high speed saves the most energy), so on a line whose schedule has its slack in slow
   sections the fast segments can end up slower than scheduled with no zone left to remove. When
   a segment misses by more than `TOLERANCE_PCT` for that reason, the allowance is lowered to
   the largest multiple of `ALLOWANCE_STEP_PCT` (bisection) with which every segment meets its
   schedule, unless `keep_allowance`; the notes say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from lrtsim.calibration.schedule import (
    DirectionSchedule,
    check_fits,
    included_dwells_s,
    run_targets_s,
    with_dwells,
)
from lrtsim.calibration.solve import Solution, driven_run, solve_zones
from lrtsim.calibration.spans import CheckedSpan, timepoint_spans
from lrtsim.calibration.totals import ErrorPct, SegmentTotals
from lrtsim.calibration.zones import rounded_kmh, with_zones, zone_extent_km
from lrtsim.dynamics.envelope import DEFAULT_STEP_M
from lrtsim.dynamics.load_cases import PLANNING_LOAD
from lrtsim.model.direction import Direction, running_index
from lrtsim.model.load import scenario_from_dict
from lrtsim.model.schema import Scenario

TOLERANCE_PCT = 0.5
"""A segment meets its schedule when its time is within this share of it."""

ALLOWANCE_STEP_PCT = 0.1
"""Resolution of a lowered allowance."""


@dataclass(frozen=True)
class FittedZone:
    """A fitted speed restriction over one interstation (line order)."""

    segment: int
    """Index of the line segment: `line.stations[segment]` to `[segment + 1]`."""
    from_station: str
    to_station: str
    from_km: float
    to_km: float
    kmh: float


@dataclass(frozen=True)
class SegmentFit(ErrorPct):
    """One segment of the fitted direction: schedule, before and after calibration."""

    from_station: str
    to_station: str
    distance_m: float
    scheduled_s: float | None
    """As published (it includes `includes_dwell_s`)."""
    includes_dwell_s: float
    """The dwell at the segment's end inside its scheduled time (0 when dwells are published)."""
    before_s: float
    """The scenario as given, its allowance driven to save energy (+ `includes_dwell_s`)."""
    calibrated_s: float
    """The calibrated scenario, the same way."""
    zone_kmh: float | None


@dataclass(frozen=True, eq=False)
class Fit(SegmentTotals):
    """A calibrated scenario, what was fitted, and how close it comes to the schedule."""

    scenario: Scenario
    direction: Direction
    zones: tuple[FittedZone, ...]
    segments: tuple[SegmentFit, ...]
    allowance_pct: float
    """The allowance the calibrated scenario carries."""
    requested_allowance_pct: float
    """The allowance of the scenario as given."""
    rounds: int
    """Runs of the line the fit took, over every allowance tried."""
    notes: tuple[str, ...]
    spans: tuple[CheckedSpan, ...] = ()
    """From timepoint to timepoint of the schedule (empty when it marks none)."""


def validated(scenario: Scenario, source: str) -> Scenario:
    """The scenario through every rule a scenario file passes (`model.load.scenario_from_dict`)."""
    return scenario_from_dict(scenario.model_dump(by_alias=True), source)


def fit_schedule(
    scenario: Scenario,
    schedule: DirectionSchedule,
    *,
    keep_allowance: bool = False,
    load: float = PLANNING_LOAD,
    max_step_m: float = DEFAULT_STEP_M,
) -> Fit:
    """Calibrate `scenario` to the schedule of one direction (see the module docstring)."""
    check_fits(schedule, scenario)
    direction = schedule.direction
    dwelled = with_dwells(scenario, schedule)
    targets = run_targets_s(dwelled, schedule)
    requested = scenario.service.allowance_pct
    flat = [
        g.run_time_s for g in driven_run(dwelled, direction, 0.0, load, max_step_m).profile.segments
    ]
    # Below the flat-out time no allowance or zone can help: such segments do not count.
    reachable = [
        i for i, t in enumerate(targets) if t is not None and t >= flat[i] - tolerance_s(t)
    ]

    def solve(allowance: float, start: dict[int, float] | None = None) -> Solution:
        return solve_zones(
            dwelled, direction, targets, allowance, load=load, step_m=max_step_m, start_kmh=start
        )

    def meets(solution: Solution, segments: list[int]) -> bool:
        return all(
            abs(solution.run_s[i] - float(targets[i] or 0.0)) <= tolerance_s(targets[i])
            for i in segments
        )

    solution = solve(requested)
    rounds = solution.rounds
    allowance = requested
    if not keep_allowance and requested > 0 and not meets(solution, reachable):
        low_solution = solve(0.0)
        rounds += low_solution.rounds
        # Only what the allowance makes miss counts: a segment missed without one stays missed.
        attainable = [i for i in reachable if meets(low_solution, [i])]
        if not meets(solution, attainable):
            steps_high, steps_low = round(requested / ALLOWANCE_STEP_PCT), 0
            while steps_high - steps_low > 1:
                mid = (steps_low + steps_high) // 2
                trial = solve(round(mid * ALLOWANCE_STEP_PCT, 6), low_solution.speeds)
                rounds += trial.rounds
                if meets(trial, attainable):
                    steps_low, low_solution = mid, trial
                else:
                    steps_high = mid
            allowance, solution = round(steps_low * ALLOWANCE_STEP_PCT, 6), low_solution

    speeds = {seg: rounded_kmh(v) for seg, v in solution.speeds_kmh}
    service = dwelled.service.model_copy(update={"allowance_pct": allowance})
    calibrated = validated(
        with_zones(dwelled.model_copy(update={"service": service}), speeds),
        f"{scenario.name} calibrated",
    )
    zones = tuple(
        FittedZone(
            segment=seg,
            from_station=calibrated.line.stations[seg].name,
            to_station=calibrated.line.stations[seg + 1].name,
            from_km=zone_extent_km(calibrated, seg)[0],
            to_km=zone_extent_km(calibrated, seg)[1],
            kmh=v,
        )
        for seg, v in sorted(speeds.items())
    )
    rows = _rows(scenario, calibrated, schedule, speeds, requested, allowance, load, max_step_m)
    notes = _notes(schedule, rows, flat, targets, requested, allowance, keep_allowance)
    return Fit(
        scenario=calibrated,
        direction=direction,
        zones=zones,
        segments=rows,
        allowance_pct=allowance,
        requested_allowance_pct=requested,
        rounds=rounds,
        notes=notes,
        spans=timepoint_spans(rows, schedule.timepoint),
    )


def tolerance_s(target_s: float | None) -> float:
    """What `TOLERANCE_PCT` allows on a target time."""
    return 0.0 if target_s is None else TOLERANCE_PCT / 100.0 * target_s


def _rows(
    original: Scenario,
    calibrated: Scenario,
    schedule: DirectionSchedule,
    speeds: dict[int, float],
    requested: float,
    allowance: float,
    load: float,
    step_m: float,
) -> tuple[SegmentFit, ...]:
    direction = schedule.direction
    before = driven_run(original, direction, requested, load, step_m).profile.segments
    after = driven_run(calibrated, direction, allowance, load, step_m).profile.segments
    included = included_dwells_s(calibrated, schedule)
    n = len(after)
    return tuple(
        SegmentFit(
            from_station=g.from_station,
            to_station=g.to_station,
            distance_m=g.distance_m,
            scheduled_s=schedule.run_s[i],
            includes_dwell_s=included[i],
            before_s=b.run_time_s + included[i],
            calibrated_s=g.run_time_s + included[i],
            zone_kmh=speeds.get(running_index(n, direction, i)),
        )
        for i, (g, b) in enumerate(zip(after, before, strict=True))
    )


def _notes(
    schedule: DirectionSchedule,
    rows: tuple[SegmentFit, ...],
    flat_s: list[float],
    targets: tuple[float | None, ...],
    requested: float,
    allowance: float,
    keep_allowance: bool,
) -> tuple[str, ...]:
    notes: list[str] = []
    if schedule.dwells_published:
        unpublished = sum(d is None for d in schedule.dwell_s[1:-1])
        notes.append(
            "dwells: the schedule's at every intermediate station"
            if not unpublished
            else f"dwells: the schedule's where published; {unpublished} station(s) keep the "
            "dwell model's and the segment into each includes it"
        )
    else:
        notes.append(
            "the schedule publishes no dwells (arrival = departure): the dwell model stays, and "
            "each segment's scheduled time is taken to include the dwell at its end"
        )

    def names(indices: list[int]) -> str:
        return ", ".join(
            f"{i + 1} ({rows[i].from_station} → {rows[i].to_station})" for i in indices
        )

    timed = [i for i, t in enumerate(targets) if t is not None]
    below = [i for i in timed if float(targets[i] or 0.0) < flat_s[i] - tolerance_s(targets[i])]
    free = [i for i in timed if rows[i].zone_kmh is None and i not in below]
    missed = [i for i in timed if i not in below and abs(rows[i].error_pct or 0.0) > TOLERANCE_PCT]
    untimed = [i for i, t in enumerate(targets) if t is None]
    if untimed:
        notes.append(f"no scheduled time, so no zone: segment(s) {names(untimed)}")
    if below:
        notes.append(
            f"scheduled faster than lrtsim's flat-out minimum, so not reproducible (check the "
            f"chainage, the vehicle and the curves): segment(s) {names(below)}"
        )
    if free:
        notes.append(
            "scheduled at or below lrtsim's unrestricted time, so no restriction: segment(s) "
            + names(free)
        )
    if allowance < requested:
        notes.append(
            f"allowance lowered from {requested:g} % to {allowance:.1f} %: driven to save energy, "
            "an allowance is spent coasting where the train runs fast, and the schedule leaves "
            "too little time there; this is the largest allowance (in steps of "
            f"{ALLOWANCE_STEP_PCT:g} %) with every segment within {TOLERANCE_PCT:g} % of its "
            "schedule"
        )
    elif keep_allowance and missed:
        notes.append(
            f"the {requested:g} % allowance was kept as asked, and segment(s) {names(missed)} "
            f"miss their schedule by more than {TOLERANCE_PCT:g} %"
        )
    if missed and not keep_allowance:
        notes.append(
            f"segment(s) {names(missed)} miss their schedule by more than {TOLERANCE_PCT:g} %"
        )
    return tuple(notes)
