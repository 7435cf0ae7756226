"""Minimum headway of identical trains following each other, at every station and on the line.

Moving block: a follower whose head is at x with speed v needs the leader's tail at least
v·t_r + v²/(2b) + margin ahead, so with both trains on the same timeline shifted by h,

    h(x) = t_dep(x + v·t_r + v²/2b + margin + L) − t_arr(x),   h = max_x h(x) + t_r + margin,

t_arr and t_dep being when the head reaches and leaves a position (they differ by the dwell at a
stop); the reaction time t_r counts once as distance run before braking and once as the delay
before the leader's new position releases the track, as in the fixed-block blocking time.
Where the follower is stopping at a station the term is the TCQSM station headway: the leader's
dwell, then clearing the platform by its length and the margin, while the follower approaches at
its braking curve (TCQSM 3rd ed., TCRP Report 165, 2013, ch. 8). Fixed block: the closest
packing of two blocking-time stairways (`blocking.py`). Each value is attributed to the first
stop within [x, x + separation] (a station headway, with the leader's dwell in it) or, if none,
to the line between stops.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from lrtsim.capacity.blocking import Stairway, stairway
from lrtsim.capacity.separation import FloatArray, SeparationRule
from lrtsim.capacity.terminal import TerminalHeadway
from lrtsim.capacity.timeline import Timeline
from lrtsim.model.direction import Direction


@dataclass(frozen=True, kw_only=True)
class HeadwayParts:
    """What a station or open-line headway is made of, s; they add up to it, and a part that
    does not apply is None.

    Station: approach, dwell, clearing, release, margin. Open line, moving block: braking,
    length and margin, release, margin; fixed block: blocking, margin.
    """

    approach_s: float | None = None
    """The follower's run from where it must start braking for the stop to the stop."""
    dwell_s: float | None = None
    """The leader's dwell at the stop."""
    clearing_s: float | None = None
    """The leader leaving until its tail is clear by the follower's need (and the margin)."""
    braking_s: float | None = None
    """The follower running its braking distance (with reaction)."""
    length_and_margin_s: float | None = None
    """The leader running on by its length and the safety margin."""
    blocking_s: float | None = None
    """The longest blocking time of one block."""
    release_s: float | None = None
    """The reaction time before the track the leader leaves is released."""
    margin_s: float
    """The operating margin."""

    def components(self) -> dict[str, float]:
        """The parts that apply, keyed as in the JSON output (`approach` … `operating_margin`)."""
        named = (
            ("approach", self.approach_s),
            ("dwell", self.dwell_s),
            ("clearing", self.clearing_s),
            ("braking_distance", self.braking_s),
            ("train_length_and_margin", self.length_and_margin_s),
            ("blocking", self.blocking_s),
            ("release", self.release_s),
            ("operating_margin", self.margin_s),
        )
        return {key: value for key, value in named if value is not None}

    @property
    def total_s(self) -> float:
        """The headway they make."""
        return sum(self.components().values())


@dataclass(frozen=True)
class Headway:
    """A minimum headway and what it is made of."""

    where: str
    kind: Literal["station", "line", "terminal"]
    direction: Direction
    min_headway_s: float
    parts: HeadwayParts | TerminalHeadway
    """A station's or the open line's parts, or the terminal's resources."""
    position_m: float = 0.0
    """Follower's head position where the constraint binds (run coordinate)."""
    between: tuple[str, str] | None = None
    """For the open line: the stations before and after it, in the direction of travel."""

    def components(self) -> dict[str, float]:
        """What it is made of, s, keyed as in the JSON output; the values add up to it."""
        return self.parts.components()


def _station_headway(
    trip: Timeline, s: int, direction: Direction, parts: HeadwayParts, position_m: float
) -> Headway:
    """The headway at stop s of `trip`, from its parts."""
    return Headway(trip.stop_names[s], "station", direction, parts.total_s, parts, position_m)


def _line_headway(
    trip: Timeline, i: int, direction: Direction, parts: HeadwayParts, position_m: float
) -> Headway:
    """The open line's headway between stops i and i + 1 of `trip`, from its parts."""
    pair = (trip.stop_names[i], trip.stop_names[i + 1])
    where = f"{pair[0]} – {pair[1]}"
    return Headway(where, "line", direction, parts.total_s, parts, position_m, pair)


def _attribute(trip: Timeline, x: FloatArray, y: FloatArray) -> np.ndarray:
    """Index of the first intermediate stop in [x, y] for each pair, or -1 (the line).

    The first stop is excluded: a train leaving the origin terminal has no dwell there to wait
    for, so that constraint belongs to the line beyond it.
    """
    stops = trip.stop_m
    first = np.maximum(np.searchsorted(stops, x - 1e-6, side="left"), 1)
    found = np.full(len(x), -1)
    inside = first < len(stops)
    candidate = np.where(inside, first, 0)
    ok = inside & (stops[candidate] <= y + 1e-6)
    found[ok] = candidate[ok]
    return found


def _segment(trip: Timeline, x: FloatArray) -> np.ndarray:
    """Index of the interstation each position lies in (a stop starts its segment)."""
    index = np.searchsorted(trip.stop_m, x + 1e-6, side="right") - 1
    return np.clip(index, 0, len(trip.stop_m) - 2)


def moving_block(
    trip: Timeline, rule: SeparationRule, direction: Direction, operating_margin_s: float
) -> tuple[list[Headway], list[Headway]]:
    """Station headways (intermediate stops) and line headways (per interstation), moving block."""
    x, v = trip.position_m, trip.speed_mps
    reach = x + rule.braking_distance_m(v)
    y = reach + rule.safety_margin_m + trip.train_length_m
    usable = y <= trip.end_m
    x, v, reach, y = x[usable], v[usable], reach[usable], y[usable]
    h = trip.departure_at(y) - trip.arrival_at(x)
    stop = _attribute(trip, x, y)
    stations: list[Headway] = []
    for s in range(1, len(trip.stop_m) - 1):
        mask = stop == s
        if not mask.any():
            continue
        k = np.flatnonzero(mask)[int(np.argmax(h[mask]))]
        xs = float(trip.stop_m[s])
        approach = float(trip.arrival_at(xs) - trip.arrival_at(x[k]))
        dwell = float(trip.departure_at(xs) - trip.arrival_at(xs))
        clearing = float(trip.departure_at(y[k]) - trip.departure_at(xs))
        parts = HeadwayParts(
            approach_s=approach,
            dwell_s=dwell,
            clearing_s=clearing,
            release_s=rule.reaction_time_s,
            margin_s=operating_margin_s,
        )
        stations.append(_station_headway(trip, s, direction, parts, float(x[k])))
    lines: list[Headway] = []
    segment = _segment(trip, x)
    for i in range(len(trip.stop_m) - 1):
        mask = (stop == -1) & (segment == i)
        if not mask.any():
            continue
        k = np.flatnonzero(mask)[int(np.argmax(h[mask]))]
        braking = float(trip.arrival_at(reach[k]) - trip.arrival_at(x[k]))
        rest = float(trip.departure_at(y[k]) - trip.arrival_at(reach[k]))
        parts = HeadwayParts(
            braking_s=braking,
            length_and_margin_s=rest,
            release_s=rule.reaction_time_s,
            margin_s=operating_margin_s,
        )
        lines.append(_line_headway(trip, i, direction, parts, float(x[k])))
    return stations, lines


def fixed_block(
    trip: Timeline,
    rule: SeparationRule,
    direction: Direction,
    operating_margin_s: float,
) -> tuple[list[Headway], list[Headway], Stairway]:
    """Station and line headways from one trip's blocking-time stairway, fixed block."""
    stairs = stairway(trip, rule, rule.block_boundaries_m)
    span_end = stairs.to_m + rule.safety_margin_m + trip.train_length_m
    defined = span_end <= trip.end_m
    approach_m = np.interp(stairs.start_s, trip.arrival_s, trip.position_m)
    stop = _attribute(trip, approach_m, span_end)
    own = stairs.end_s - stairs.start_s
    stations: list[Headway] = []
    for s in range(1, len(trip.stop_m) - 1):
        mask = defined & (stop == s)
        if not mask.any():
            continue
        j = np.flatnonzero(mask)[int(np.argmax(own[mask]))]
        xs = float(trip.stop_m[s])
        parts = HeadwayParts(
            approach_s=float(trip.arrival_at(xs) - stairs.start_s[j]),
            dwell_s=float(trip.departure_at(xs) - trip.arrival_at(xs)),
            clearing_s=float(stairs.end_s[j] - rule.reaction_time_s - trip.departure_at(xs)),
            release_s=rule.reaction_time_s,
            margin_s=operating_margin_s,
        )
        stations.append(_station_headway(trip, s, direction, parts, float(approach_m[j])))
    lines: list[Headway] = []
    segment = _segment(trip, stairs.from_m)
    for i in range(len(trip.stop_m) - 1):
        mask = defined & (stop == -1) & (segment == i)
        if not mask.any():
            continue
        j = np.flatnonzero(mask)[int(np.argmax(own[mask]))]
        parts = HeadwayParts(blocking_s=float(own[j]), margin_s=operating_margin_s)
        lines.append(_line_headway(trip, i, direction, parts, float(stairs.from_m[j])))
    return stations, lines, stairs
