"""What a published schedule says about service: periods and headways, layovers, trains out.

Plain functions over the trips of one service date (`ServiceTrip`), the way a GTFS feed gives
them: departure from the first stop, arrival at the last, the block (vehicle duty) when the feed
has `block_id`, and whether the trip runs the scenario's whole line.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from lrtsim.model.direction import Direction
from lrtsim.planning.service import CLOCK_FACE_S

AWAY_AFTER_S = 3600.0
"""A block idle longer than this between two trips has left the line (to the depot or to a route
the feed does not show), so it is not in service in between."""

HEADWAY_CHANGE = 0.2
"""A gap between departures more than 20 % off the current period's headway starts a period."""

CLOCK_FACE_SNAP = 0.02
"""A period's median headway within 2 % of a clock-face headway (one dividing the hour) is
taken as that headway: the feed's times are rounded (TriMet: to 5 s)."""


@dataclass(frozen=True)
class ServiceTrip:
    """One trip of the route on the service date."""

    trip_id: str
    direction: Direction
    """The scenario's direction it runs in."""
    block_id: str
    """The vehicle duty it belongs to; '' when the feed has none."""
    departure_s: float
    arrival_s: float
    full_length: bool
    """True when it runs the whole line, terminal to terminal, stopping everywhere."""


@dataclass(frozen=True)
class FeedService:
    """The route's trips on one typical service date of the feed."""

    date: str
    """YYYYMMDD, or '' when the feed has no calendar."""
    trips: tuple[ServiceTrip, ...]


@dataclass(frozen=True)
class FeedPeriod:
    """A stretch of the day with one headway between full-length departures."""

    from_s: int
    to_s: int
    headway_s: float


def feed_periods(departures_s: Sequence[float]) -> tuple[FeedPeriod, ...]:
    """Periods of one headway from the departure times of one direction.

    Consecutive gaps stay in a period while each is within `HEADWAY_CHANGE` of the period's
    median gap; a period runs from its first departure (down to the minute) to the next period's
    first, the last one to the minute after its last departure. Its headway is the median gap,
    snapped to a clock-face headway within `CLOCK_FACE_SNAP`. Fewer than two departures: none.
    """
    times = sorted(departures_s)
    if len(times) < 2:
        return ()
    gaps = [b - a for a, b in itertools.pairwise(times)]
    runs: list[list[int]] = []
    for k, gap in enumerate(gaps):
        if runs:
            typical = statistics.median(gaps[j] for j in runs[-1])
            if abs(gap - typical) <= HEADWAY_CHANGE * typical:
                runs[-1].append(k)
                continue
        runs.append([k])
    out = []
    for r, run in enumerate(runs):
        start = 60 * math.floor(times[run[0]] / 60.0)
        last = r == len(runs) - 1
        end = (
            60 * (math.floor(times[-1] / 60.0) + 1)
            if last
            else 60 * math.floor(times[runs[r + 1][0]] / 60.0)
        )
        out.append(FeedPeriod(start, end, _snapped(statistics.median(gaps[j] for j in run))))
    return tuple(p for p in out if p.to_s > p.from_s)


def _snapped(headway_s: float) -> float:
    near = min(CLOCK_FACE_S, key=lambda h: abs(h - headway_s))
    if abs(near - headway_s) <= CLOCK_FACE_SNAP * near:
        return float(near)
    return float(round(headway_s))


def _by_block(trips: Sequence[ServiceTrip]) -> list[list[ServiceTrip]]:
    """Trips grouped by block, each block in departure order; a trip without block is alone."""
    blocks: dict[str, list[ServiceTrip]] = {}
    alone = []
    for trip in trips:
        if trip.block_id:
            blocks.setdefault(trip.block_id, []).append(trip)
        else:
            alone.append([trip])
    ordered = [sorted(b, key=lambda t: t.departure_s) for _, b in sorted(blocks.items())]
    return ordered + alone


def terminal_layovers_s(trips: Sequence[ServiceTrip]) -> dict[str, tuple[float, ...]]:
    """Layovers between two full-length trips of one block that turn at a terminal, by terminal:
    'end' (after an up trip) and 'start' (after a down trip); gaps over `AWAY_AFTER_S` excluded."""
    out: dict[str, list[float]] = {"start": [], "end": []}
    for block in _by_block(trips):
        for a, b in itertools.pairwise(block):
            gap = b.departure_s - a.arrival_s
            turns = a.full_length and b.full_length and a.direction != b.direction
            if turns and 0.0 <= gap <= AWAY_AFTER_S:
                out["end" if a.direction == "up" else "start"].append(gap)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def vehicles_in_service(trips: Sequence[ServiceTrip]) -> tuple[int, float]:
    """Most blocks in service at once, and when: a block is in service on its trips and in the
    layovers between them, unless idle longer than `AWAY_AFTER_S` (a sweep over the spans)."""
    events: list[tuple[float, int]] = []
    for block in _by_block(trips):
        start, end = block[0].departure_s, block[0].arrival_s
        for trip in block[1:]:
            if trip.departure_s - end > AWAY_AFTER_S:
                events += [(start, 1), (end, -1)]
                start = trip.departure_s
            end = max(end, trip.arrival_s)
        events += [(start, 1), (end, -1)]
    count = best = 0
    when = 0.0
    for t, step in sorted(events):
        count += step
        if count > best:
            best, when = count, t
    return best, when


def departures_s(
    trips: Sequence[ServiceTrip], direction: Direction, *, full_length: bool = True
) -> list[float]:
    """Departure times of one direction's trips (only full-length ones unless told)."""
    return sorted(
        t.departure_s
        for t in trips
        if t.direction == direction and (t.full_length or not full_length)
    )
