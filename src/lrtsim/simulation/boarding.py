"""Passengers at the platforms and on the trains: alighting, first-come-first-served boarding up
to a capacity, and those left behind.

The waiting passengers of a station form one queue per destination (a cohort per
origin–destination pair), each in order of arrival; passenger ids follow arrival time, so the
order of the whole platform is the order of ids. When a train opens its doors at a stop visit:

1. everyone on board for this station alights;
2. the passengers who are on the platform (arrived by the time the doors open) and whose
   destination is one of the train's later stops may board; if they fit in the room left
   (capacity − load, whole passengers) they all board, else the earliest arrivals do, first
   come first served across all their destinations — the "room"-th smallest id found by a
   binary search over the queues, not a loop per passenger;
3. the others who could have boarded are left behind, and each of them counts one denied
   boarding (as London Underground counts it in excess wait; TCQSM 3rd ed., TCRP Report 165,
   2013, ch. 5: passengers left behind by a full train wait for the next one).

Passengers arriving while the doors are open wait for the next train: the boardings of a visit
are known when the train arrives, which is what the dwell model needs. The per-passenger result
is exact (every passenger's boarding visit and denied boardings), at a cost of a few operations
per queue and per passenger boarding or left behind (numba kernels).

`PassengerState` holds the queues and the trains' loads for one day; `serve_visit` serves one
stop visit (what the train simulation calls at each arrival), `serve_visits` a whole table of
visits in time order in one compiled loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numba import njit

from lrtsim.simulation.arrivals import Arrivals

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

NOT_BOARDED = -1
"""`PassengerState.board_visit` of a passenger who has not boarded (yet)."""


@njit(cache=True)
def _count_up_to(members: IntArray, lo: int, hi: int, limit: int) -> int:
    """How many of members[lo:hi] (ascending ids) are at most `limit`."""
    return int(np.searchsorted(members[lo:hi], limit, side="right"))


@njit(cache=True)
def _visit(
    visit: int,
    origin: int,
    doors_open_s: float,
    destinations: IntArray,
    room: int,
    n: int,
    members: IntArray,
    member_arrival_s: FloatArray,
    start: IntArray,
    stop: IntArray,
    head: IntArray,
    upto: IntArray,
    board_visit: IntArray,
    board_s: FloatArray,
    denied: IntArray,
    onboard_row: IntArray,
) -> tuple[int, int]:
    """Board at one stop visit; return (boarded, left behind). State arrays change in place.

    Queue c = origin·n + destination holds members[start[c]:stop[c]] (ids ascending); those
    before head[c] have boarded, those from head[c] to upto[c] are waiting on the platform
    (upto[c] moves forward as doors open later). `onboard_row[d]` counts the train's passengers
    for station d and gains the boarders.
    """
    waiting = 0
    for d in destinations:
        c = origin * n + d
        u = upto[c]
        while u < stop[c] and member_arrival_s[u] <= doors_open_s:
            u += 1
        upto[c] = u
        waiting += u - head[c]
    if waiting == 0:
        return 0, 0
    if waiting <= room:
        for d in destinations:
            c = origin * n + d
            for k in range(head[c], upto[c]):
                board_visit[members[k]] = visit
                board_s[members[k]] = doors_open_s
            onboard_row[d] += upto[c] - head[c]
            head[c] = upto[c]
        return waiting, 0
    # Too many: the `room` earliest (smallest ids) board. Binary search for the largest id
    # that boards: the smallest x with `room` waiting ids at most x (ids are distinct).
    threshold = -1
    if room > 0:
        lo = -1
        hi = 0
        for d in destinations:
            c = origin * n + d
            if upto[c] > head[c]:
                hi = max(hi, members[upto[c] - 1])
        while hi - lo > 1:
            mid = (lo + hi) // 2
            count = 0
            for d in destinations:
                c = origin * n + d
                count += _count_up_to(members, head[c], upto[c], mid)
            if count >= room:
                hi = mid
            else:
                lo = mid
        threshold = hi
    for d in destinations:
        c = origin * n + d
        last = head[c] + _count_up_to(members, head[c], upto[c], threshold)
        for k in range(head[c], last):
            board_visit[members[k]] = visit
            board_s[members[k]] = doors_open_s
        for k in range(last, upto[c]):
            denied[members[k]] += 1
        onboard_row[d] += last - head[c]
        head[c] = last
    return room, waiting - room


@njit(cache=True)
def _serve_all(
    order: IntArray,
    trip: IntArray,
    station: IntArray,
    doors_open_s: FloatArray,
    trip_end: IntArray,
    capacity: int,
    n: int,
    members: IntArray,
    member_arrival_s: FloatArray,
    start: IntArray,
    stop: IntArray,
    head: IntArray,
    upto: IntArray,
    board_visit: IntArray,
    board_s: FloatArray,
    denied: IntArray,
    onboard: IntArray,
    load: IntArray,
    out: IntArray,
) -> None:
    """Serve visits (rows of trip-ordered arrays: visit v's later stops are v+1 … trip_end[v]−1)
    in the order `order`; out[v] = boarded, alighted, load on arrival, load on departure, left
    behind."""
    for v in order:
        t = trip[v]
        s = station[v]
        alighted = onboard[t, s]
        onboard[t, s] = 0
        load[t] -= alighted
        out[v, 2] = load[t] + alighted
        room = max(capacity - load[t], 0)
        boarded, left = _visit(
            v,
            s,
            doors_open_s[v],
            station[v + 1 : trip_end[v]],
            room,
            n,
            members,
            member_arrival_s,
            start,
            stop,
            head,
            upto,
            board_visit,
            board_s,
            denied,
            onboard[t],
        )
        load[t] += boarded
        out[v, 0] = boarded
        out[v, 1] = alighted
        out[v, 3] = load[t]
        out[v, 4] = left


@dataclass(frozen=True)
class VisitOutcome:
    """What happened at one stop visit (passengers)."""

    boarded: int
    alighted: int
    load_on_arrival: int
    load_on_departure: int
    left_behind: int


def whole_capacity(capacity_pax: float) -> int:
    """Whole passengers a train takes: the capacity rounded down."""
    if not math.isfinite(capacity_pax) or capacity_pax < 0:
        raise ValueError(f"a train's capacity must be a finite number ≥ 0, not {capacity_pax}")
    return math.floor(capacity_pax + 1e-9)


class PassengerState:
    """The platforms' queues and every train's passengers during one simulated day (mutable).

    Built from the day's `Arrivals` and the number of trips; the caller serves stop visits in
    time order (at one station the doors of successive visits open at non-decreasing times).
    `board_visit[p]` is the visit passenger p boarded at (`NOT_BOARDED` until then),
    `denied[p]` their denied boardings so far; `onboard[trip, station]` who is on board for
    where, `load[trip]` the train's passengers.
    """

    def __init__(self, arrivals: Arrivals, trips: int) -> None:
        n = len(arrivals.stations)
        cell = arrivals.origin * n + arrivals.destination
        # By pair, then id (stable); 16-bit keys sort by radix, several times faster.
        key = cell.astype(np.uint16) if n * n <= np.iinfo(np.uint16).max else cell
        members = np.argsort(key, kind="stable").astype(np.int64)
        sizes = np.bincount(cell, minlength=n * n).astype(np.int64)
        self.stations = n
        self.members = members
        self.member_arrival_s = np.ascontiguousarray(arrivals.arrival_s[members])
        self.start = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        self.stop = np.cumsum(sizes).astype(np.int64)
        self.head = self.start.copy()
        self.upto = self.start.copy()
        self.board_visit = np.full(len(arrivals), NOT_BOARDED, dtype=np.int64)
        self.board_s = np.full(len(arrivals), np.nan)
        """When each passenger boarded (the doors opened, or the boarding pass of a held train)."""
        self.denied = np.zeros(len(arrivals), dtype=np.int64)
        self.onboard = np.zeros((trips, n), dtype=np.int64)
        self.load = np.zeros(trips, dtype=np.int64)
        self.last_open_s = np.full(n, -np.inf)
        """When doors last opened at each station (`serve_visit` checks the order)."""

    def serve_visit(
        self,
        visit: int,
        trip: int,
        station: int,
        doors_open_s: float,
        later_stops: IntArray,
        capacity_pax: float,
    ) -> VisitOutcome:
        """Serve one stop visit: trip `trip` opens its doors at `station` at `doors_open_s`;
        `later_stops` are the stations it still stops at (the destinations it serves);
        boarders are recorded as boarding at `visit` (the caller's number for the visit).
        Doors must open at a station no earlier than they last did there."""
        if doors_open_s < self.last_open_s[station]:
            raise ValueError(
                f"doors open at station {station} at {doors_open_s} s, before the last visit "
                f"there at {self.last_open_s[station]} s: serve visits in time order"
            )
        self.last_open_s[station] = doors_open_s
        alighted = int(self.onboard[trip, station])
        self.onboard[trip, station] = 0
        self.load[trip] -= alighted
        on_arrival = int(self.load[trip]) + alighted
        room = max(whole_capacity(capacity_pax) - int(self.load[trip]), 0)
        boarded, left = _visit(
            visit,
            station,
            float(doors_open_s),
            np.ascontiguousarray(later_stops, dtype=np.int64),
            room,
            self.stations,
            self.members,
            self.member_arrival_s,
            self.start,
            self.stop,
            self.head,
            self.upto,
            self.board_visit,
            self.board_s,
            self.denied,
            self.onboard[trip],
        )
        self.load[trip] += boarded
        return VisitOutcome(
            boarded=int(boarded),
            alighted=alighted,
            load_on_arrival=on_arrival,
            load_on_departure=int(self.load[trip]),
            left_behind=int(left),
        )

    def serve_visits(
        self,
        order: IntArray,
        trip: IntArray,
        station: IntArray,
        doors_open_s: FloatArray,
        trip_end: IntArray,
        capacity_pax: float,
    ) -> IntArray:
        """Serve many visits in one compiled loop, in the order `order` (row numbers).

        The rows are in trip order (a trip's visits consecutive, by stop sequence) and
        `trip_end[v]` is one past the last row of v's trip, so v's later stops are the rows
        after it. Returns one row per visit: boarded, alighted, load on arrival, load on
        departure, left behind; a visit's number is its row.
        """
        out = np.zeros((station.size, 5), dtype=np.int64)
        _serve_all(
            np.ascontiguousarray(order, dtype=np.int64),
            np.ascontiguousarray(trip, dtype=np.int64),
            np.ascontiguousarray(station, dtype=np.int64),
            np.ascontiguousarray(doors_open_s, dtype=np.float64),
            np.ascontiguousarray(trip_end, dtype=np.int64),
            whole_capacity(capacity_pax),
            self.stations,
            self.members,
            self.member_arrival_s,
            self.start,
            self.stop,
            self.head,
            self.upto,
            self.board_visit,
            self.board_s,
            self.denied,
            self.onboard,
            self.load,
            out,
        )
        return out
