"""Blocking times and station separations counted from departures, for actual dwells.

A `Stairway` gives each block's blocking time from the trip's departure at its origin, planned
dwells included. A simulation whose trains dwell as long as their passengers take needs the
same times counted from the departure at the last stop before each one: between two stops the
train runs as planned, so the time from leaving stop k to any point before stop k + 1 does not
depend on any dwell. `segment_blocking` gives, for each block, the stop-to-stop segment in
which its blocking time starts and ends and the offset from the departure at that segment's
first stop; the actual start is that departure plus the offset (Hansen & Pachl (eds.), *Railway
Timetabling & Operations*, 2nd ed. (2014), ch. 3: a blocking time is built from the running
time and fixed margins, so it moves with the departure it follows).

A station headway is approach + the leader's dwell + clearing + release + margin (TCQSM 3rd
ed., ch. 8); `station_separation_s` is that headway without the dwell, to which a simulation
adds the dwell the leader actually makes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lrtsim.capacity.blocking import (
    Stairway,
    blocking_starts_m,
    release_points_m,
    stairway,
)
from lrtsim.capacity.headway import Headway, HeadwayParts
from lrtsim.capacity.separation import FloatArray, SeparationRule
from lrtsim.capacity.timeline import Timeline

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class SegmentBlocking:
    """Blocking time of each block, each end counted from the departure at a stop.

    Block j is claimed at the departure from stop `start_stop[j]` plus `start_s[j]` and
    released at the departure from stop `end_stop[j]` plus `end_s[j]` (NaN where the release
    lies past the last stop: the terminal analysis covers those blocks). A stop index is also
    the index of the segment that starts there. `start_s` is negative where a block entered at
    a platform is claimed the reaction time before the train leaves it.
    """

    from_m: FloatArray
    to_m: FloatArray
    start_stop: IntArray
    start_s: FloatArray
    end_stop: IntArray
    end_s: FloatArray

    def stairway(self, departure_s: FloatArray) -> Stairway:
        """The stairway of a trip that leaves its stops at `departure_s` (one time per stop in
        running order, counted from the departure at the first; the last is not read)."""
        d = np.asarray(departure_s, dtype=np.float64)
        return Stairway(
            from_m=self.from_m,
            to_m=self.to_m,
            start_s=d[self.start_stop] + self.start_s,
            end_s=d[self.end_stop] + self.end_s,
        )


def segment_blocking(
    trip: Timeline, rule: SeparationRule, boundaries_m: FloatArray, *, stop_rule: bool = True
) -> SegmentBlocking:
    """`blocking.stairway(trip, rule, boundaries_m)` counted from the departure at each stop.

    A blocking time that starts when the head reaches a point starts in the segment that ends
    at or beyond it; one that starts or ends when the head leaves a point (a platform's starting
    signal, the tail clearing the overlap) in the segment that starts at or before it.
    """
    stairs = stairway(trip, rule, boundaries_m, stop_rule=stop_rule)
    start_m, leaves = blocking_starts_m(trip, rule, stairs.from_m, stop_rule=stop_rule)
    start_stop = np.where(leaves, trip.segment_leaving(start_m), trip.segment_reaching(start_m))
    end_stop = trip.segment_leaving(release_points_m(trip, rule, stairs.to_m))
    departure = trip.stop_departure_s
    return SegmentBlocking(
        from_m=stairs.from_m,
        to_m=stairs.to_m,
        start_stop=start_stop,
        start_s=stairs.start_s - departure[start_stop],
        end_stop=end_stop,
        end_s=stairs.end_s - departure[end_stop],
    )


def station_separation_s(headway: Headway) -> float:
    """A station headway without the leader's dwell: approach + clearing + release + margin.

    The headway behind a leader that dwells d seconds there is this plus d.
    """
    parts = headway.parts
    if headway.kind != "station" or not isinstance(parts, HeadwayParts) or parts.dwell_s is None:
        raise ValueError(f"{headway.where} is a {headway.kind} headway, not a station's")
    return headway.min_headway_s - parts.dwell_s
