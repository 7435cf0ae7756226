"""The timetable: every trip in both directions with its arrival and departure at each station.

Departures repeat at each period's headway from the period's start (clock-face when the
headway divides the hour); where two periods meet, the gap is never shorter than the shorter
headway nor longer than the longer one. Running times per segment come from the dynamics layer
with the scenario's allowance (driven to save energy); dwells from the dwell model
(`planning.dwell`, TCQSM 3rd ed., ch. 4) with the boardings and alightings of a train in that
hour.

Published times are whole seconds: each stop's time is the exact one rounded to the nearest
second, raised where rounding would make a dwell shorter than the station's own or a run shorter
than the flat-out one, so no published time is faster than the train can run. The raises add up
only where a run has no allowance over flat out: with the default 5 % a trip stays within a
second of its exact time; with none, whole seconds cost about half a second a segment.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from lrtsim.demand.loads import LineLoads
from lrtsim.dynamics.runtime import DirectionRun
from lrtsim.model.direction import Direction, direction_id, line_order, running_index
from lrtsim.model.names import stop_ids
from lrtsim.model.schema import Scenario, clock_to_s, station_dwell_s
from lrtsim.planning.dwell import dwell_s
from lrtsim.planning.service import PeriodPlan, headway_at
from lrtsim.planning.tables import TIMETABLE_COLUMNS


def departure_times(
    plans: list[PeriodPlan],
    start_s: float,
    end_s: float,
    offsets: dict[str, float] | None = None,
) -> list[float]:
    """Departure times from one terminal over the service day.

    Each period runs on its own grid (period start + its offset + k·headway). Where periods
    meet, the first departure of the new one is its first grid time at least the shorter headway
    after the last one; if that leaves a gap longer than the longer headway, the new grid starts
    at the period start or the shorter headway after the last departure, whichever is later, so
    every gap lies between the two headways.
    """
    times: list[float] = []
    for p in plans:
        h = p.headway_s
        t = float(p.from_s) + (offsets or {}).get(p.label, 0.0)
        if times:
            last = times[-1]
            previous = headway_at(plans, last)
            low, high = min(previous, h), max(previous, h)
            while t - last < low - 1e-6:
                t += h
            if t - last > high + 1e-6:
                t = max(float(p.from_s), last + low)
        while t < p.to_s - 1e-9:
            if start_s - 1e-9 <= t <= end_s + 1e-9:
                times.append(t)
            t += h
    return times


def whole_second(t_s: float) -> float:
    """The nearest whole second (halves up)."""
    return float(math.floor(t_s + 0.5))


def ceil_s(t_s: float) -> float:
    """A duration rounded up to a whole second (within a microsecond counts as whole)."""
    return float(math.ceil(t_s - 1e-6))


@dataclass(frozen=True, eq=False)
class TripBuilder:
    """Stop times of one trip departing at a given time: the one rule for every trip of the day."""

    scenario: Scenario
    runs: dict[Direction, DirectionRun]
    loads: LineLoads
    plans: tuple[PeriodPlan, ...]

    def period_of(self, t_s: float) -> PeriodPlan:
        """The period a departure at `t_s` belongs to (the last one after the last period)."""
        return next((p for p in self.plans if p.from_s <= t_s < p.to_s), self.plans[-1])

    @functools.cached_property
    def _line(self) -> dict[Direction, _Direction]:
        """Per direction, in running order, the numbers every trip reads (as plain floats)."""
        stations = self.scenario.line.stations
        n = len(stations)
        dwell = self.scenario.service.dwell
        ids = stop_ids(stations)
        out = {}
        for direction, run in self.runs.items():
            order = line_order(n, direction)
            columns = list(order)
            loads = self.loads
            profile = run.profile
            out[direction] = _Direction(
                order=order,
                names=tuple(stations[i].name for i in order),
                stop_ids=tuple(ids[i] for i in order),
                own_dwell_s=tuple(station_dwell_s(stations[i], dwell) for i in order),
                run_s=tuple(s.run_time_s for s in profile.segments),
                least_run_s=tuple(ceil_s(s.run_time_s) for s in run.minimum.segments),
                position_m=tuple(float(x) for x in profile.position_m[profile.stop_index]),
                boardings=loads.boardings_in(direction)[:, columns].tolist(),
                alightings=loads.alightings_in(direction)[:, columns].tolist(),
                on_arrival=loads.on_arrival_in(direction)[:, columns].tolist(),
            )
        return out

    def rows(
        self,
        direction: Direction,
        start_s: float,
        trip_id: str,
        first: int | None = None,
        last: int | None = None,
    ) -> list[dict[str, object]]:
        """Timetable rows (block id empty) of a trip leaving station index `first` at `start_s`
        and ending at station index `last` (default: terminal to terminal)."""
        model, stock = self.scenario.service.dwell, self.scenario.rolling_stock
        line = self._line[direction]
        n = len(line.order)
        first_seq = 0 if first is None else running_index(n, direction, first)
        last_seq = n - 1 if last is None else running_index(n, direction, last)
        per_train = headway_at(list(self.plans), start_s) / 3600.0
        period = self.period_of(start_s).label
        origin_m = line.position_m[first_seq]
        rows: list[dict[str, object]] = []
        t = float(start_s)  # the exact time; published times are rounded from it
        departed = 0.0
        for seq in range(first_seq, last_seq + 1):
            arrival = whole_second(t)
            if seq > first_seq:
                arrival = max(arrival, departed + line.least_run_s[seq - 1])
            if seq in (first_seq, last_seq):
                departure, leave = arrival, t
            else:
                hour = int(arrival // 3600) % 24
                own = line.own_dwell_s[seq]
                leave = t + dwell_s(
                    model,
                    line.boardings[hour][seq] * per_train,
                    line.alightings[hour][seq] * per_train,
                    line.on_arrival[hour][seq] * per_train,
                    doors_per_side=stock.doors_per_side,
                    seats=stock.seats,
                    minimum_s=own,
                )
                departure = max(whole_second(leave), arrival + ceil_s(own))
            rows.append(
                {
                    "trip_id": trip_id,
                    "direction": direction,
                    "direction_id": direction_id(direction),
                    "period": period,
                    "stop_sequence": seq - first_seq + 1,
                    "station": line.names[seq],
                    "station_index": line.order[seq],
                    "stop_id": line.stop_ids[seq],
                    "arrival_s": arrival,
                    "departure_s": departure,
                    "distance_m": line.position_m[seq] - origin_m,
                }
            )
            departed = departure
            if seq < last_seq:
                t = leave + line.run_s[seq]
        return rows


@dataclass(frozen=True)
class _Direction:
    order: tuple[int, ...]
    """Station indices in running order."""
    names: tuple[str, ...]
    stop_ids: tuple[str, ...]
    own_dwell_s: tuple[float, ...]
    run_s: tuple[float, ...]
    """Segment running times as driven."""
    least_run_s: tuple[float, ...]
    """Flat-out segment running times, rounded up to whole seconds."""
    position_m: tuple[float, ...]
    boardings: list[list[float]]
    """[hour][running-order stop]."""
    alightings: list[list[float]]
    on_arrival: list[list[float]]
    """[hour][running-order stop]: the hourly load on the link into the stop."""


def trip_id(direction: Direction, number: int, start_s: float) -> str:
    """`up-007-0630`: direction, number in the direction's departure order, departure hhmm."""
    return f"{direction}-{number:03d}-{int(start_s // 3600):02d}{int(start_s % 3600 // 60):02d}"


def _direction_rows(
    builder: TripBuilder, direction: Direction, offsets: dict[str, float]
) -> list[dict[str, object]]:
    service = builder.scenario.service
    start, end = clock_to_s(service.start), clock_to_s(service.end)
    rows: list[dict[str, object]] = []
    for k, t in enumerate(departure_times(list(builder.plans), start, end, offsets)):
        rows += builder.rows(direction, t, trip_id(direction, k + 1, t))
    return rows


def _longest_trip_by_period(rows: list[dict[str, object]]) -> dict[str, float]:
    """Per period, the longest trip departing in it (last arrival − first departure); `rows`
    hold each trip's stops together, in stop order, as `TripBuilder.rows` makes them."""
    longest: dict[str, float] = {}
    for first, last in _trip_ends(rows):
        period = str(first["period"])
        span = _seconds(last, "arrival_s") - _seconds(first, "departure_s")
        longest[period] = max(longest.get(period, span), span)
    return longest


def _seconds(row: dict[str, object], column: str) -> float:
    value = row[column]
    assert isinstance(value, float | int)
    return float(value)


def _trip_ends(
    rows: list[dict[str, object]],
) -> list[tuple[dict[str, object], dict[str, object]]]:
    """The first and the last row of each trip of `rows` (each trip's rows together)."""
    ends = []
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i]["trip_id"] != rows[start]["trip_id"]:
            ends.append((rows[start], rows[i - 1]))
            start = i
    return ends


def return_offset_s(
    up_s: float, down_s: float, layover_end_s: float, layover_start_s: float, headway_s: float
) -> float:
    """Offset of the return departures on the headway grid that needs the fewest trains.

    A train's cycle is up_s + layover + wait + down_s + layover + wait, a whole number of
    headways; the two waits add up to the same least slack for a range of offsets, and the
    offset chosen splits that slack evenly between the terminals: in whole minutes when the
    headway is whole minutes and a whole minute lies in the range (the nearest to the middle),
    else in whole seconds.
    """
    busy = up_s + layover_end_s + down_s + layover_start_s
    slack = (-busy) % headway_s
    if slack > headway_s - 1e-6:
        slack = 0.0
    earliest = up_s + layover_end_s
    middle = earliest + slack / 2.0
    if headway_s % 60.0 == 0.0:
        minutes = range(
            math.ceil(earliest / 60.0 - 1e-9), math.floor((earliest + slack) / 60.0 + 1e-9) + 1
        )
        if len(minutes):
            best = min(minutes, key=lambda m: (abs(60.0 * m - middle), m))
            return float(60 * best % headway_s)
    return float(round(middle) % headway_s)


def build_timetable(
    builder: TripBuilder, layover_s: tuple[float, float] = (0.0, 0.0)
) -> pd.DataFrame:
    """All trips of the day, both directions, as the TIMETABLE_COLUMNS table (no block ids).

    Direction up departs on each period's grid; direction down on the same grid shifted by the
    offset that lets trains turn at both terminals (least layovers `layover_s` at the first and
    the last station) with the fewest trains in the busiest period (`return_offset_s`); a period
    whose headway is whole minutes but where that offset is not takes its own, if that is.
    """
    plans: Sequence[PeriodPlan] = builder.plans
    up_rows = _direction_rows(builder, "up", {})
    trial = _direction_rows(builder, "down", {})
    up_time, down_time = _longest_trip_by_period(up_rows), _longest_trip_by_period(trial)

    def period_offset_s(p: PeriodPlan) -> float:
        """The return offset that suits period `p` on its own (its trips and headway)."""
        return return_offset_s(
            up_time.get(p.label, builder.runs["up"].total_time_s),
            down_time.get(p.label, builder.runs["down"].total_time_s),
            layover_s[1],
            layover_s[0],
            p.headway_s,
        )

    # One offset for the day, from the period that needs the most trains (the shortest
    # headway): taken modulo each period's headway, the grids of all periods line up at their
    # boundaries whenever the headways are multiples of one another.
    peak = min(plans, key=lambda p: p.headway_s)
    offset = period_offset_s(peak)
    offsets = {}
    for p in plans:
        own = offset % p.headway_s
        if p.headway_s % 60.0 == 0.0 and own % 60.0 != 0.0:
            # The day's offset is not on a whole minute here: this period's own, if it is.
            mine = period_offset_s(p)
            own = mine if mine % 60.0 == 0.0 else own
        offsets[p.label] = own
    rows = up_rows + _direction_rows(builder, "down", offsets)
    table = pd.DataFrame(rows)
    table["block_id"] = ""
    return table[list(TIMETABLE_COLUMNS)]
