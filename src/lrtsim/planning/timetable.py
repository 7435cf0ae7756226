"""The timetable: every trip in both directions with its arrival and departure at each station.

Departures repeat at each period's headway from the period's start (clock-face when the
headway divides the hour); where two periods meet, the gap is never shorter than the shorter
headway nor longer than the longer one. Running times per segment come from the dynamics layer
with the scenario's allowance (driven to save energy); dwells from the dwell model with the
boardings and alightings of a train in that hour (TCQSM 3rd ed., ch. 4: dwell = door time +
passenger flow time per door channel, raised by crowding).
"""

from __future__ import annotations

import pandas as pd

from lrtsim.demand.loads import LineLoads
from lrtsim.dynamics.runtime import DirectionRun
from lrtsim.model.schema import Scenario, clock_to_s
from lrtsim.planning.service import PeriodPlan, headway_at
from lrtsim.planning.tables import TIMETABLE_COLUMNS

CHANNELS_PER_DOOR = 2
"""Light-rail doors are double-width: two passenger streams each."""


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


def dwell_s(
    scenario: Scenario,
    boardings: float,
    alightings: float,
    load_on_arrival: float,
    minimum_s: float,
) -> float:
    """Dwell of one train at one stop: base + flow time per door channel, crowding applied."""
    model = scenario.service.dwell
    channels = scenario.rolling_stock.doors_per_side * CHANNELS_PER_DOOR
    flow = (model.per_boarding_s * boardings + model.per_alighting_s * alightings) / channels
    if load_on_arrival > scenario.rolling_stock.seats:
        flow *= model.crowding_factor
    return max(model.base_s + flow, minimum_s)


def _trip_rows(
    scenario: Scenario,
    run: DirectionRun,
    loads: LineLoads,
    headway: float,
    start: float,
    trip_id: str,
    period: str,
) -> list[dict[str, object]]:
    profile = run.profile
    n = len(scenario.line.stations)
    order = list(range(n)) if run.direction == "up" else list(range(n - 1, -1, -1))
    board = loads.boardings_up if run.direction == "up" else loads.boardings_down
    alight = loads.alightings_up if run.direction == "up" else loads.alightings_down
    link = loads.link_up if run.direction == "up" else loads.link_down
    per_train = headway / 3600.0
    stations = scenario.line.stations
    base = scenario.service.dwell.base_s
    positions = profile.position_m[profile.stop_index]
    rows: list[dict[str, object]] = []
    t = start
    for seq, idx in enumerate(order):
        hour = int(t // 3600) % 24
        arrival = t
        last = seq == n - 1
        if seq == 0 or last:
            departure = arrival
        else:
            previous_link = idx - 1 if run.direction == "up" else idx
            on_board = link[hour, previous_link] * per_train
            own_dwell = stations[idx].dwell_s
            own = own_dwell if own_dwell is not None else base
            departure = arrival + dwell_s(
                scenario,
                board[hour, idx] * per_train,
                alight[hour, idx] * per_train,
                on_board,
                own,
            )
        rows.append(
            {
                "trip_id": trip_id,
                "direction": run.direction,
                "direction_id": 0 if run.direction == "up" else 1,
                "period": period,
                "stop_sequence": seq + 1,
                "station": stations[idx].name,
                "station_index": idx,
                "arrival_s": arrival,
                "departure_s": departure,
                "distance_m": float(positions[seq]),
            }
        )
        if not last:
            t = departure + profile.segments[seq].run_time_s
    return rows


def _direction_rows(
    scenario: Scenario,
    run: DirectionRun,
    loads: LineLoads,
    plans: list[PeriodPlan],
    offsets: dict[str, float],
) -> list[dict[str, object]]:
    start, end = clock_to_s(scenario.service.start), clock_to_s(scenario.service.end)
    rows: list[dict[str, object]] = []
    for k, t in enumerate(departure_times(plans, start, end, offsets)):
        period = next((p.label for p in plans if p.from_s <= t < p.to_s), plans[-1].label)
        trip_id = f"{run.direction}-{k + 1:03d}-{int(t // 3600):02d}{int(t % 3600 // 60):02d}"
        rows += _trip_rows(scenario, run, loads, headway_at(plans, t), t, trip_id, period)
    return rows


def _longest_trip_by_period(rows: list[dict[str, object]]) -> dict[str, float]:
    table = pd.DataFrame(rows)
    spans = table.groupby("trip_id").agg(
        period=("period", "first"), start=("departure_s", "first"), end=("arrival_s", "last")
    )
    longest = (spans["end"] - spans["start"]).groupby(spans["period"]).max()
    return {str(k): float(v) for k, v in longest.items()}


def return_offset_s(
    up_s: float, down_s: float, layover_end_s: float, layover_start_s: float, headway_s: float
) -> float:
    """Offset of the return departures on the headway grid that needs the fewest trains.

    A train's cycle is up_s + layover + wait + down_s + layover + wait, a whole number of
    headways; the two waits add up to the same least slack for a range of offsets, and the
    offset chosen splits that slack evenly between the terminals (whole seconds).
    """
    busy = up_s + layover_end_s + down_s + layover_start_s
    slack = (-busy) % headway_s
    return float(round((up_s + layover_end_s + slack / 2.0) % headway_s))


def build_timetable(
    scenario: Scenario,
    runs: list[DirectionRun],
    loads: LineLoads,
    plans: list[PeriodPlan],
    layover_s: tuple[float, float] = (0.0, 0.0),
) -> pd.DataFrame:
    """All trips of the day, both directions, as the TIMETABLE_COLUMNS table (no block ids).

    Direction up departs on each period's grid; direction down on the same grid shifted by the
    offset that lets trains turn at both terminals (least layovers `layover_s` at the first and
    the last station) with the fewest trains in the busiest period (`return_offset_s`).
    """
    up, down = runs
    up_rows = _direction_rows(scenario, up, loads, plans, {})
    trial = _direction_rows(scenario, down, loads, plans, {})
    up_time, down_time = _longest_trip_by_period(up_rows), _longest_trip_by_period(trial)
    # One offset for the day, from the period that needs the most trains (the shortest
    # headway): taken modulo each period's headway, the grids of all periods line up at their
    # boundaries whenever the headways are multiples of one another.
    peak = min(plans, key=lambda p: p.headway_s)
    offset = return_offset_s(
        up_time.get(peak.label, up.total_time_s),
        down_time.get(peak.label, down.total_time_s),
        layover_s[1],
        layover_s[0],
        peak.headway_s,
    )
    offsets = {p.label: offset % p.headway_s for p in plans}
    rows = up_rows + _direction_rows(scenario, down, loads, plans, offsets)
    table = pd.DataFrame(rows)
    table["block_id"] = ""
    return table[list(TIMETABLE_COLUMNS)]
