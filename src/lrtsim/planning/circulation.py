"""Vehicle circulation: chain trips into blocks at the terminals, with depot moves.

Trips are taken in order of departure. A train that arrived at the terminal and has finished its
layover (the longer of `service.layover_s` and the terminal's least turnaround from the capacity
layer) takes the next departure there; of several ready trains the one ready most recently goes,
so that when service thins the trains that have waited longest are the surplus: a train that
would wait longer than twice the current headway goes back to the depot.

When no train is ready a new one comes out of the depot. Its way to the terminal passes the
gate: the first station a train from the depot's junction meets on its way there (the terminal
itself when the depot joins the line at or beyond it). Inside service hours a train whose gate
is not the terminal runs there in passenger service (a positioning trip from the gate, on a
whole minute, clear of the other trains leaving the gate in that direction); otherwise, or if no
such trip fits, it runs empty straight from the junction. Going back to the depot is the same in
reverse. So a depot at one end runs its trains to the far end as ordinary trips when service
ramps up there, and a depot mid-line sends trains toward either terminal and never runs one
empty back past its junction. At the end of service every train returns to the depot. The fleet
is the most trains out of the depot at once, plus spares. Ceder, *Public Transit Planning and
Operation*, 2nd ed. (2016), ch. 5–6.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.model.direction import Direction, heading
from lrtsim.planning.service import PeriodPlan, headway_at
from lrtsim.planning.tables import BLOCK_COLUMNS, TIMETABLE_COLUMNS, trip_rows
from lrtsim.planning.timetable import trip_id as make_trip_id

EMPTY_ACTIVITIES = ("pull_out", "deadhead", "pull_in")
"""Activities that run without passengers."""


@dataclass(frozen=True)
class Leg:
    """One empty move of a train: to or from the depot, or between two stations."""

    activity: str
    """"pull_out" | "deadhead" | "pull_in"."""
    from_station: str
    to_station: str
    duration_s: float
    distance_m: float


@dataclass(frozen=True, eq=False)
class DepotLink:
    """Where the depot joins the line, and the empty moves between it and the stations."""

    name: str
    junction_km: float
    station_index: Mapping[str, int]
    """Every station's index in line.stations."""
    gate: Mapping[str, str]
    """For each terminal: the first station a train from the junction meets on its way there."""
    pull_out: Mapping[str, tuple[Leg, ...]]
    """For each terminal and gate: the empty moves from the depot to that station."""
    pull_in: Mapping[str, tuple[Leg, ...]]
    """For each terminal and gate: the empty moves from that station to the depot."""


TripMaker = Callable[[Direction, float, str, int, int], list[dict[str, object]]]
"""(direction, departure, trip id, first station index, last station index) → timetable rows."""


@dataclass(frozen=True, eq=False)
class Positioning:
    """What circulation needs to run a train between the gate and a terminal in service."""

    make_trip: TripMaker
    start_s: float
    """Service hours: a positioning trip departs in [start_s, end_s)."""
    end_s: float
    min_gap_s: float
    """Least time between its departure and another train's from the same station and way."""


@dataclass(frozen=True, eq=False)
class Circulation:
    """Blocks, the timetable with block ids, and the fleet figures."""

    blocks: pd.DataFrame
    timetable: pd.DataFrame
    in_service_peak: int
    spares: int
    positioning_trips: tuple[str, ...] = field(default=())
    """Trips added to the timetable to take trains to or from the depot in passenger service."""

    @property
    def fleet_required(self) -> int:
        """Trains to own: the peak out of the depot plus spares."""
        return self.in_service_peak + self.spares

    @property
    def train_km(self) -> float:
        """Kilometres run by all trains, in service and empty."""
        return float(self.blocks["distance_m"].sum()) / 1000.0

    @property
    def empty_km(self) -> float:
        """Kilometres run without passengers: depot moves and deadheads."""
        empty = self.blocks["activity"].isin(EMPTY_ACTIVITIES)
        return float(self.blocks.loc[empty, "distance_m"].sum()) / 1000.0

    @property
    def empty_share(self) -> float:
        """Empty kilometres as a share of all kilometres run (0 when no train runs)."""
        return self.empty_km / self.train_km if self.train_km > 0 else 0.0

    @property
    def train_hours(self) -> float:
        """Hours all trains spend out of the depot."""
        spans = self.blocks.groupby("block_id").agg(start=("start_s", "min"), end=("end_s", "max"))
        return float((spans["end"] - spans["start"]).sum()) / 3600.0

    @property
    def depot_moves(self) -> int:
        """Pull-outs plus pull-ins."""
        return int(self.blocks["activity"].isin(["pull_out", "pull_in"]).sum())


def out_of_depot(blocks: pd.DataFrame) -> tuple[int, float]:
    """Most blocks active at once and when (a sweep over start and end times)."""
    start, end = _spans(blocks)
    events = sorted(
        [(t, 1) for t in start.tolist()] + [(t, -1) for t in end.tolist()],
        key=lambda e: (e[0], e[1]),
    )
    count = best = 0
    when = 0.0
    for t, step in events:
        count += step
        if count > best:
            best, when = count, t
    return best, when


def trains_out_at(blocks: pd.DataFrame, t_s: float) -> int:
    """Blocks (trains) out of the depot at time `t_s`: started at or before it, not yet back."""
    start, end = _spans(blocks)
    return int(((start <= t_s) & (end > t_s)).sum())


def _spans(blocks: pd.DataFrame) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Each block's first start and last end (in the order blocks first appear)."""
    code, ids = pd.factorize(blocks["block_id"])
    if (code < 0).any():
        raise ValueError("block_id is missing in some rows")
    start = np.full(len(ids), np.inf)
    end = np.full(len(ids), -np.inf)
    np.fmin.at(start, code, blocks["start_s"].to_numpy(dtype=float))
    np.fmax.at(end, code, blocks["end_s"].to_numpy(dtype=float))
    return start, end


Rows = list[dict[str, object]]


def _gap_s(taken: list[float], t: float) -> float:
    """Time from `t` to the nearest of the sorted times `taken` (infinite when there are none)."""
    k = bisect.bisect_left(taken, t)
    return min((abs(t - taken[j]) for j in (k - 1, k) if 0 <= j < len(taken)), default=math.inf)


def _num(row: dict[str, object], column: str) -> float:
    """A timetable row's time or distance as a float."""
    value = row[column]
    assert isinstance(value, float | int)
    return float(value)


def _best_slot(
    candidates: list[Rows],
    departures: Mapping[tuple[str, str], list[float]],
    min_gap_s: float,
    headway_s: float,
) -> Rows | None:
    """The candidate trip furthest from the other trains' departures at every station it serves
    (any gap of half a headway will do); of equals the first one. None when every candidate
    leaves some station closer than `min_gap_s` to another train."""
    best: tuple[float, Rows] | None = None
    for trip in candidates:
        gap = min(
            _gap_s(
                departures.get((str(r["direction"]), str(r["station"])), []), _num(r, "departure_s")
            )
            for r in trip
        )
        if gap < min_gap_s - 1e-9:
            continue
        score = min(gap, headway_s / 2.0)
        if best is None or score > best[0] + 1e-9:
            best = (score, trip)
    return None if best is None else best[1]


def _renumbered(
    timetable: pd.DataFrame, rows: list[dict[str, object]]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Timetable in trip order (up first, then by departure); ids `direction-number-hhmm`."""
    trips = trip_rows(timetable)
    direction_id = trips.first_of(timetable["direction_id"])
    # By direction, then departure; of equal ones, the timetable's order (lexsort is stable).
    order = np.lexsort((trips.first_of(timetable["departure_s"]), direction_id))
    in_direction = direction_id[order]
    group_start = np.searchsorted(in_direction, in_direction, side="left")
    number = np.arange(len(order)) - group_start + 1
    olds = trips.trips.to_numpy()[order].tolist()
    new = {
        str(old): make_trip_id(d, k, s)
        for old, d, k, s in zip(
            olds,
            trips.first_of(timetable["direction"])[order].tolist(),
            number.tolist(),
            trips.first_of(timetable["departure_s"])[order].tolist(),
            strict=True,
        )
    }
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    rows_in_order = np.lexsort((timetable["stop_sequence"].to_numpy(), rank[trips.code]))
    out = timetable.iloc[rows_in_order]
    out["trip_id"] = out["trip_id"].map(new)
    for row in rows:
        if row["trip_id"]:
            row["trip_id"] = new[str(row["trip_id"])]
    return out.reset_index(drop=True), new


@dataclass
class _BlockRows:
    """The blocks table as it is written: one row per activity, numbered within each block."""

    rows: Rows = field(default_factory=list)
    sequence: dict[str, int] = field(default_factory=dict)
    block_of: dict[str, str] = field(default_factory=dict)
    """The block of every trip run so far."""

    def add(
        self, block: str, activity: str, trip: str, a: str, b: str, t0: float, t1: float, m: float
    ) -> None:
        """One activity of `block` from `a` at `t0` to `b` at `t1`, `m` metres."""
        self.sequence[block] = self.sequence.get(block, 0) + 1
        self.rows.append(
            {
                "block_id": block,
                "sequence": self.sequence[block],
                "activity": activity,
                "trip_id": trip,
                "from_station": a,
                "to_station": b,
                "start_s": t0,
                "end_s": t1,
                "distance_m": m,
            }
        )
        if trip:
            self.block_of[trip] = block

    def wait(self, block: str, where: str, t0: float, t1: float) -> None:
        """A layover at `where`."""
        self.add(block, "layover", "", where, where, t0, t1, 0.0)

    def legs(self, block: str, legs: tuple[Leg, ...], t: float) -> float:
        """Empty moves one after the other from `t`; the time the last one ends."""
        for leg in legs:
            self.add(block, leg.activity, "", leg.from_station, leg.to_station, t,
                     t + leg.duration_s, leg.distance_m)  # fmt: skip
            t += leg.duration_s
        return t

    def frame(self) -> pd.DataFrame:
        """The BLOCK_COLUMNS table, by block then sequence."""
        blocks = pd.DataFrame(self.rows, columns=list(BLOCK_COLUMNS))
        return blocks.sort_values(["block_id", "sequence"], kind="stable").reset_index(drop=True)


@dataclass
class _Positioner:
    """Finds positioning trips between a gate and a terminal that keep clear of every train."""

    depot: DepotLink
    plans: list[PeriodPlan]
    positioning: Positioning | None
    departures: dict[tuple[str, str], list[float]]
    """Departures from every station by (direction, station), sorted; grows with each trip."""
    added: Rows = field(default_factory=list)
    added_ids: list[str] = field(default_factory=list)

    def _way(self, a: str, b: str) -> Direction:
        return heading(self.depot.station_index[a], self.depot.station_index[b])

    def _trip(self, direction: Direction, t: float, a: str, b: str) -> Rows:
        assert self.positioning is not None
        trip = f"positioning-{len(self.added_ids) + 1}"
        index = self.depot.station_index
        return self.positioning.make_trip(direction, t, trip, index[a], index[b])

    def _in_service(self, t: float) -> bool:
        assert self.positioning is not None
        return self.positioning.start_s <= t < self.positioning.end_s

    def towards(self, terminal: str, need_by: float) -> Rows | None:
        """A trip from the gate arriving at `terminal` by `need_by`, if one fits."""
        gate = self.depot.gate[terminal]
        if self.positioning is None or gate == terminal:
            return None
        direction = self._way(gate, terminal)
        trial = self._trip(direction, need_by, gate, terminal)
        span = _num(trial[-1], "arrival_s") - _num(trial[0], "departure_s")
        latest = 60.0 * math.floor((need_by - span) / 60.0)
        headway = headway_at(self.plans, latest)
        candidates = []
        for k in range(int(headway // 60.0) + 3):
            t = latest - 60.0 * k
            if not self._in_service(t):
                continue
            trip_rows = self._trip(direction, t, gate, terminal)
            if _num(trip_rows[-1], "arrival_s") <= need_by + 1e-9:
                candidates.append(trip_rows)
        return _best_slot(candidates, self.departures, self.positioning.min_gap_s, headway)

    def away(self, terminal: str, leave_from: float) -> Rows | None:
        """A trip from `terminal` to its gate leaving from `leave_from` on, if one fits."""
        gate = self.depot.gate[terminal]
        if self.positioning is None or gate == terminal:
            return None
        direction = self._way(terminal, gate)
        earliest = 60.0 * math.ceil(leave_from / 60.0 - 1e-9)
        headway = headway_at(self.plans, earliest)
        candidates = [
            self._trip(direction, t, terminal, gate)
            for t in (earliest + 60.0 * k for k in range(int(headway // 60.0) + 1))
            if self._in_service(t)
        ]
        return _best_slot(candidates, self.departures, self.positioning.min_gap_s, headway)

    def take(self, trip_rows: Rows) -> str:
        """Add the trip to the timetable and to the departures later trips keep clear of."""
        trip = str(trip_rows[0]["trip_id"])
        self.added.extend(trip_rows)
        self.added_ids.append(trip)
        for r in trip_rows:
            key = (str(r["direction"]), str(r["station"]))
            bisect.insort(self.departures.setdefault(key, []), _num(r, "departure_s"))
        return trip


def _departures(timetable: pd.DataFrame) -> dict[tuple[str, str], list[float]]:
    """Every departure time of the timetable by (direction, station), each list sorted."""
    out: dict[tuple[str, str], list[float]] = {}
    for key in zip(
        timetable["direction"].tolist(),
        timetable["station"].tolist(),
        timetable["departure_s"].tolist(),
        strict=True,
    ):
        out.setdefault((str(key[0]), str(key[1])), []).append(float(key[2]))
    for times in out.values():
        times.sort()
    return out


Ready = tuple[float, float, str]
"""A train at a terminal: (ready to leave at, arrived at, block id)."""


def circulate(
    timetable: pd.DataFrame,
    plans: list[PeriodPlan],
    depot: DepotLink,
    layover_s: dict[str, float],
    spare_ratio: float,
    positioning: Positioning | None = None,
) -> Circulation:
    """Blocks for every trip of `timetable`; `layover_s` is the least layover at each station
    where a train may start a trip (the terminals, and the gates with `positioning`)."""
    trips = trip_rows(timetable)
    # Trips in order of departure (of equal ones, the timetable's order).
    by_start = np.argsort(trips.first_of(timetable["departure_s"]), kind="stable")
    firsts = {
        "trip_id": trips.trips.to_numpy()[by_start],
        "origin": trips.first_of(timetable["station"])[by_start],
        "destination": trips.last_of(timetable["station"])[by_start],
        "start": trips.first_of(timetable["departure_s"])[by_start],
        "end": trips.last_of(timetable["arrival_s"])[by_start],
        "distance": trips.last_of(timetable["distance_m"])[by_start],
    }
    names = sorted(depot.station_index, key=lambda s: depot.station_index[s])
    terminals = (names[0], names[-1])
    # At each terminal: a heap of trains still in their layover, and the trains ready to go in
    # the order they became ready (every train in the heap becomes ready after all of these).
    laying_over: dict[str, list[Ready]] = {t: [] for t in terminals}
    ready: dict[str, deque[Ready]] = {t: deque() for t in terminals}
    out_rows = _BlockRows()
    finder = _Positioner(
        depot,
        plans,
        positioning,
        _departures(timetable),
    )

    def run_positioning(block: str, trip_rows: Rows) -> float:
        """Run a positioning trip in `block`; the time it arrives."""
        trip = finder.take(trip_rows)
        first, last = trip_rows[0], trip_rows[-1]
        end = _num(last, "arrival_s")
        out_rows.add(block, "trip", trip, str(first["station"]), str(last["station"]),
                     _num(first, "departure_s"), end, _num(last, "distance_m"))  # fmt: skip
        return end

    def pull_in(block: str, where: str, arrived: float, t: float) -> None:
        """Wait out the layover, then back to the depot: in service to the gate if a trip fits,
        then empty."""
        trip_rows = finder.away(where, t)
        if trip_rows is not None:
            out_rows.wait(block, where, arrived, _num(trip_rows[0], "departure_s"))
            end = run_positioning(block, trip_rows)
            where, arrived, t = depot.gate[where], end, end + layover_s[depot.gate[where]]
        if t > arrived:
            out_rows.wait(block, where, arrived, t)
        out_rows.legs(block, depot.pull_in[where], t)

    def pull_out(block: str, origin: str, start: float) -> None:
        """Out of the depot to be ready at `origin` for a trip at `start`."""
        trip_rows = finder.towards(origin, start - layover_s[origin])
        if trip_rows is not None:
            gate = depot.gate[origin]
            first = _num(trip_rows[0], "departure_s")
            t = first - layover_s[gate]
            legs = depot.pull_out[gate]
            out_rows.legs(block, legs, t - sum(leg.duration_s for leg in legs))
            out_rows.wait(block, gate, t, first)
            end = run_positioning(block, trip_rows)
            out_rows.wait(block, origin, end, start)
            return
        t = start - layover_s[origin]
        legs = depot.pull_out[origin]
        out_rows.legs(block, legs, t - sum(leg.duration_s for leg in legs))
        out_rows.wait(block, origin, t, start)

    count = 0
    columns = ("trip_id", "origin", "destination", "start", "end", "distance")
    for trip_id, origin, destination, start, end, distance in zip(
        *(firsts[c].tolist() for c in columns), strict=True
    ):
        heap, queue = laying_over[origin], ready[origin]
        while heap and heap[0][0] <= start + 1e-9:
            queue.append(heapq.heappop(heap))
        # A train that would wait longer than twice the headway goes back to the depot.
        patience = 2.0 * headway_at(plans, start)
        while queue and queue[0][0] + patience < start:
            _, arrived, block = queue.popleft()
            pull_in(block, origin, arrived, arrived + layover_s[origin])
        if queue:
            # The train ready most recently goes: when service thins, the surplus is the trains
            # that have waited longest, and they are the ones sent to the depot.
            _, arrived, block = queue.pop()
            out_rows.wait(block, origin, arrived, start)
        else:
            count += 1
            block = f"B{count:03d}"
            pull_out(block, origin, start)
        out_rows.add(block, "trip", trip_id, origin, destination, start, end, distance)
        heapq.heappush(laying_over[destination], (end + layover_s[destination], end, block))
    for terminal in terminals:
        for available, arrived, block in (*ready[terminal], *sorted(laying_over[terminal])):
            pull_in(block, terminal, arrived, available)
    out = timetable.copy()
    if finder.added:
        extra = pd.DataFrame(finder.added).assign(block_id="")[list(TIMETABLE_COLUMNS)]
        out = pd.concat([out, extra], ignore_index=True)
    out["block_id"] = out["trip_id"].map(out_rows.block_of)
    out, new_id = _renumbered(out, out_rows.rows)
    blocks = out_rows.frame()
    peak, _ = out_of_depot(blocks)
    return Circulation(
        blocks=blocks,
        timetable=out,
        in_service_peak=peak,
        spares=math.ceil(spare_ratio * peak - 1e-9),
        positioning_trips=tuple(sorted(new_id[t] for t in finder.added_ids)),
    )
