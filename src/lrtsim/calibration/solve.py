"""The zone speeds that make a scenario's driven run take given segment times.

The run is the timetable's: `dynamics.runtime.running_times` at a load, with an allowance driven
to save energy (`dynamics.energy_saving`). That strategy has one holding speed and one coasting
speed for the whole run, set so that the run takes the minimum time plus the allowance, so every
zone moves every segment's time a little. The speeds are therefore found together: each round
runs the line once and moves every zone's speed by a Newton step on its own segment (the slope of
the last two rounds when it is negative, else that of the trapezoidal run of `cruise_speed_kmh`),
until every segment is within `TOLERANCE_S`. The allowance search stops on a tolerance of the
run's total time (1e-4), so the driven run's times move in small steps as the zones change: the
rounds stop when no round has improved on the best for `STALL_ROUNDS`, and the best is kept.
New zones are added only in a round where the zoned segments fit, and zones that hardly bind are
dropped at the end (`IDLE_PCT`), so that no segment keeps a zone it does not need.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from lrtsim.calibration.zones import (
    MIN_ZONE_KMH,
    cruise_speed_kmh,
    line_segment,
    with_zones,
)
from lrtsim.dynamics.runtime import DirectionRun, running_times
from lrtsim.dynamics.train import train_params
from lrtsim.model.direction import Direction
from lrtsim.model.schema import Scenario
from lrtsim.model.units import KMH_PER_MPS

TOLERANCE_S = 0.05
"""A segment is fitted when its driven time is this close to its target."""

MAX_ROUNDS = 60
"""Runs of the line one fit may take."""

STALL_ROUNDS = 8
"""A fit stops when this many rounds in a row have not improved on its best."""

MAX_STEP_FACTOR = 1.5
"""A zone's speed changes by at most this factor (or its inverse) in one round."""

IDLE_PCT = 1.0
"""A zone within this share of the speed the train reaches there unrestricted hardly binds: it
is dropped at the end when the fit holds as well without it."""


@dataclass(frozen=True)
class Solution:
    """Zone speeds (line segment → km/h) and the driven times they give (running order)."""

    speeds_kmh: tuple[tuple[int, float], ...]
    run_s: tuple[float, ...]
    worst_s: float
    """Largest miss of a segment that has a zone or is faster than its target."""
    rounds: int

    @property
    def speeds(self) -> dict[int, float]:
        """The zone speeds as a dict."""
        return dict(self.speeds_kmh)


def driven_run(
    scenario: Scenario, direction: Direction, allowance_pct: float, load: float, step_m: float
) -> DirectionRun:
    """The run the timetable uses: at `load`, with the allowance driven to save energy."""
    return running_times(
        scenario, (direction,), load=load, allowance_pct=allowance_pct, max_step_m=step_m
    )[0]


def misses_s(
    run_s: Sequence[float], targets_s: Sequence[float | None], zones: Mapping[int, float]
) -> list[float]:
    """What counts against a fit, per segment in running order: the miss of a zoned segment,
    the shortfall of an unzoned one that runs faster than its target (a zone can slow it), and
    nothing where no zone can help: no target, an unzoned segment that is slower, a zone at
    `MIN_ZONE_KMH` that is still faster."""
    out = []
    for i, (t, target) in enumerate(zip(run_s, targets_s, strict=True)):
        if target is None:
            out.append(0.0)
        elif i in zones:
            floored = zones[i] <= MIN_ZONE_KMH and t < target
            out.append(0.0 if floored else t - target)
        else:
            out.append(min(t - target, 0.0))
    return out


def solve_zones(
    scenario: Scenario,
    direction: Direction,
    targets_s: Sequence[float | None],
    allowance_pct: float,
    *,
    load: float,
    step_m: float,
    start_kmh: Mapping[int, float] | None = None,
) -> Solution:
    """Zone speeds making each segment's driven time its target (see the module docstring).

    Segments without a target get no zone, nor do those whose unrestricted time is already at or
    above it; a zone whose speed rises past what the train reaches there is dropped. `start_kmh`
    (line segment → km/h) starts the search from an earlier solution.
    """
    n = len(targets_s)
    train = train_params(scenario.rolling_stock, load)
    free = driven_run(scenario, direction, allowance_pct, load, step_m)
    distance_m = [g.distance_m for g in free.profile.segments]
    peak_kmh = [g.max_speed_mps * KMH_PER_MPS for g in free.minimum.segments]
    line_of = {i: line_segment(direction, i, n) for i in range(n)}

    def guess(i: int) -> float:
        target = targets_s[i]
        v = None if target is None else cruise_speed_kmh(distance_m[i], target, train)
        return max(MIN_ZONE_KMH, min(peak_kmh[i], v if v is not None else peak_kmh[i]))

    def attempt(zones: dict[int, float], rounds: int) -> Solution:
        """Drive the line with zones keyed by running-order index."""
        trial = with_zones(scenario, {line_of[i]: v for i, v in zones.items()})
        run = driven_run(trial, direction, allowance_pct, load, step_m)
        run_s = tuple(g.run_time_s for g in run.profile.segments)
        worst = max((abs(m) for m in misses_s(run_s, targets_s, zones)), default=0.0)
        speeds = tuple(sorted((line_of[i], v) for i, v in zones.items()))
        return Solution(speeds, run_s, worst, rounds)

    zones: dict[int, float] = {}
    if start_kmh:
        back = {seg: i for i, seg in line_of.items()}
        zones = {back[seg]: v for seg, v in start_kmh.items() if targets_s[back[seg]] is not None}
    if not zones:
        run_s = [g.run_time_s for g in free.profile.segments]
        zones = {i: guess(i) for i, t in enumerate(targets_s) if t is not None and run_s[i] < t}
    previous: dict[int, tuple[float, float]] = {}
    best: Solution | None = None
    since_best = 0
    rounds = 0
    while rounds < MAX_ROUNDS:
        rounds += 1
        now = attempt(zones, rounds)
        if best is None or now.worst_s < best.worst_s:
            best, since_best = now, 0
        else:
            since_best += 1
        if now.worst_s <= TOLERANCE_S or since_best >= STALL_ROUNDS:
            break
        miss = misses_s(now.run_s, targets_s, zones)
        # New zones only once the zoned segments fit: while they move, the driving strategy
        # moves too, and a segment too fast for a while may not need a zone in the end.
        settled = all(abs(miss[i]) <= TOLERANCE_S for i in zones)
        zones = _next_speeds(
            zones, previous, now.run_s, targets_s, miss, distance_m, peak_kmh, guess, settled
        )
    assert best is not None
    # Zones that hardly bind (within IDLE_PCT of the unrestricted peak) go if the fit holds.
    back = {seg: i for i, seg in line_of.items()}
    zones = {back[seg]: v for seg, v in best.speeds_kmh}
    kept = {i: v for i, v in zones.items() if v < peak_kmh[i] * (1.0 - IDLE_PCT / 100.0)}
    if len(kept) < len(zones):
        rounds += 1
        lean = attempt(kept, rounds)
        if lean.worst_s <= max(best.worst_s, TOLERANCE_S):
            best = lean
    return Solution(best.speeds_kmh, best.run_s, best.worst_s, rounds)


def _next_speeds(
    zones: dict[int, float],
    previous: dict[int, tuple[float, float]],
    run_s: Sequence[float],
    targets_s: Sequence[float | None],
    miss: Sequence[float],
    distance_m: Sequence[float],
    peak_kmh: Sequence[float],
    guess: Callable[[int], float],
    add: bool,
) -> dict[int, float]:
    """One Newton step per zone; new zones where an unzoned segment runs too fast, if `add`.

    Records each zone's (speed, time) in `previous`, for the next round's secant.
    """
    out: dict[int, float] = {}
    for i, target in enumerate(targets_s):
        if target is None:
            continue
        if i not in zones:
            if add and miss[i] < -TOLERANCE_S:
                out[i] = guess(i)
            continue
        v = zones[i]
        slope = _slope_s_per_kmh(v, distance_m[i], previous.get(i), run_s[i])
        previous[i] = (v, run_s[i])
        step = -miss[i] / slope
        new = min(max(v + step, v / MAX_STEP_FACTOR, MIN_ZONE_KMH), v * MAX_STEP_FACTOR)
        if new >= peak_kmh[i]:
            previous.pop(i, None)  # the zone no longer binds: drop it
            continue
        out[i] = new
    return out


def _slope_s_per_kmh(
    v_kmh: float, distance_m: float, last: tuple[float, float] | None, t_s: float
) -> float:
    """d(time)/d(speed) of a segment: the secant of the last two rounds when it falls, else the
    trapezoidal run's −d / v² (the acceleration and braking terms are left out: near the
    triangular run they would flatten the slope and the step would overshoot)."""
    if last is not None and abs(v_kmh - last[0]) > 1e-6:
        secant = (t_s - last[1]) / (v_kmh - last[0])
        if secant < 0:
            return secant
    v_mps = v_kmh / KMH_PER_MPS
    return -distance_m / (v_mps * v_mps) / KMH_PER_MPS
