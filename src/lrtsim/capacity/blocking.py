"""Blocking times: the stretch of time each block section is reserved for one train.

For block [B_j, B_{j+1}) a train's blocking time starts when its head passes the approach point —
the last point from which it could still stop before B_j (p + v·t_r + v²/2b ≥ B_j) — and ends when
its tail has cleared B_{j+1} plus the overlap (`safety_margin_m`), plus the release time
(`reaction_time_s`). Where the train stops at B_j anyway (a starting signal at a platform end), the
block need only be clear when it departs, less the reaction time. The stairway of these intervals
is the classic blocking-time diagram; the minimum headway of two trains is the closest packing of
their stairways. Hansen & Pachl (eds.), *Railway Timetabling & Operations*, 2nd ed. (2014), ch. 3.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lrtsim.capacity.separation import SeparationRule
from lrtsim.capacity.timeline import Timeline
from lrtsim.model.arrays import read_only

FloatArray = npt.NDArray[np.float64]
STOP_TOLERANCE_M = 1.0


@dataclass(frozen=True, eq=False)
class Stairway:
    """Blocking time of each block for one trip; times relative to the trip's departure
    (read-only arrays)."""

    from_m: FloatArray
    to_m: FloatArray
    start_s: FloatArray
    end_s: FloatArray

    def __post_init__(self) -> None:
        read_only(self)

    def shifted(self, departure_s: float) -> tuple[FloatArray, FloatArray]:
        """Absolute (start, end) of every block for a trip departing at `departure_s`."""
        return self.start_s + departure_s, self.end_s + departure_s


def approach_points_m(trip: Timeline, rule: SeparationRule, boundaries_m: FloatArray) -> FloatArray:
    """For each boundary, the first position from which the train could no longer stop before it."""
    reach = trip.position_m + rule.braking_distance_m(trip.speed_mps)
    # reach is not monotone (it drops where the train brakes), so take its running maximum.
    running = np.maximum.accumulate(reach)
    index = np.searchsorted(running, boundaries_m, side="left")
    index = np.clip(index, 0, len(trip.position_m) - 1)
    return np.minimum(trip.position_m[index], boundaries_m)


def blocking_starts_m(
    trip: Timeline, rule: SeparationRule, entry_m: FloatArray, *, stop_rule: bool = True
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Where the blocking time of each block (entered at `entry_m`) starts, and whether it is
    the head leaving that point: with the stop rule, a block entered at a stop is claimed when
    the train leaves the stop (less the reaction time); any other when the head reaches the
    block's approach point."""
    approach = approach_points_m(trip, rule, entry_m)
    leaves = np.zeros(len(entry_m), dtype=np.bool_)
    if stop_rule:
        gap = np.min(np.abs(entry_m[:, None] - trip.stop_m[None, :]), axis=1)
        leaves = gap <= STOP_TOLERANCE_M
    return np.where(leaves, entry_m, approach), leaves


def release_points_m(trip: Timeline, rule: SeparationRule, exit_m: FloatArray) -> FloatArray:
    """Where the head is when the tail has cleared each block's exit and its overlap."""
    return np.asarray(exit_m + rule.safety_margin_m + trip.train_length_m, dtype=np.float64)


def stairway(
    trip: Timeline, rule: SeparationRule, boundaries_m: FloatArray, *, stop_rule: bool = True
) -> Stairway:
    """Blocking times of `trip` for blocks between consecutive `boundaries_m`."""
    b = np.asarray(boundaries_m, dtype=np.float64)
    entry, exit_ = b[:-1], b[1:]
    start_m, leaves = blocking_starts_m(trip, rule, entry, stop_rule=stop_rule)
    start = np.where(
        leaves, trip.departure_at(start_m) - rule.reaction_time_s, trip.arrival_at(start_m)
    )
    release_m = release_points_m(trip, rule, exit_)
    end = trip.departure_at(release_m) + rule.reaction_time_s
    # Past the last stop the train turns back: the terminal analysis covers those blocks.
    end = np.where(release_m <= trip.end_m + 1e-9, end, np.nan)
    return Stairway(from_m=entry, to_m=exit_, start_s=start, end_s=end)


def min_headway_s(leader: Stairway, follower: Stairway) -> tuple[float, int]:
    """Least departure gap so the follower's stairway never overlaps the leader's, and the block
    where they touch."""
    gap = leader.end_s - follower.start_s
    j = int(np.nanargmax(gap))
    return float(gap[j]), j


def overlapping_blocks(
    leader: Stairway, leader_dep_s: float, follower: Stairway, follower_dep_s: float
) -> npt.NDArray[np.int64]:
    """Blocks where two trips' blocking times overlap (a conflict), by their absolute times."""
    _, l_end = leader.shifted(leader_dep_s)
    f_start, _ = follower.shifted(follower_dep_s)
    return np.flatnonzero(np.nan_to_num(l_end, nan=-np.inf) - 1e-9 > f_start)


def fixed_block_boundaries_m(
    stop_m: FloatArray, block_length_m: float, signals_m: FloatArray | None = None
) -> FloatArray:
    """Signal positions: given ones plus every stop, else every stop with plain-line blocks of at
    most `block_length_m` between them, evenly spaced."""
    if signals_m is not None and len(signals_m):
        inside = signals_m[(signals_m > stop_m[0]) & (signals_m < stop_m[-1])]
        return np.unique(np.concatenate([stop_m, inside]))
    parts = [stop_m[:1]]
    for a, b in itertools.pairwise(stop_m):
        n = max(1, int(np.ceil((b - a) / block_length_m - 1e-9)))
        parts.append(np.linspace(a, b, n + 1)[1:])
    return np.concatenate(parts)


def virtual_boundaries_m(stop_m: FloatArray, step_m: float) -> FloatArray:
    """Moving block drawn as blocks of `step_m`: its blocking times approach the continuous
    rule as the step shrinks (used for stairway plots and UIC 406 compression)."""
    return fixed_block_boundaries_m(stop_m, step_m)
