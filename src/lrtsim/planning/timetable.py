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


def departure_times(plans: list[PeriodPlan], start_s: float, end_s: float) -> list[float]:
    """Departure times from one terminal over the service day.

    Each period runs on its own grid (period start + k·headway). Where periods meet, the first
    departure of the new one is its first grid time at least the shorter headway after the last
    one; if that leaves a gap longer than the longer headway, the new grid is re-anchored at the
    last departure instead, so every gap lies between the two headways.
    """
    times: list[float] = []
    for p in plans:
        h = p.headway_s
        t = float(p.from_s)
        if times:
            last = times[-1]
            previous = headway_at(plans, last)
            low, high = min(previous, h), max(previous, h)
            while t - last < low - 1e-6:
                t += h
            if t - last > high + 1e-6:
                t = last + h
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


def build_timetable(
    scenario: Scenario, runs: list[DirectionRun], loads: LineLoads, plans: list[PeriodPlan]
) -> pd.DataFrame:
    """All trips of the day, both directions, as the TIMETABLE_COLUMNS table (no block ids)."""
    start, end = clock_to_s(scenario.service.start), clock_to_s(scenario.service.end)
    times = departure_times(plans, start, end)
    rows: list[dict[str, object]] = []
    for run in runs:
        for k, t in enumerate(times):
            period = next((p.label for p in plans if p.from_s <= t < p.to_s), plans[-1].label)
            trip_id = f"{run.direction}-{k + 1:03d}-{int(t // 3600):02d}{int(t % 3600 // 60):02d}"
            rows += _trip_rows(scenario, run, loads, headway_at(plans, t), t, trip_id, period)
    table = pd.DataFrame(rows)
    table["block_id"] = ""
    return table[list(TIMETABLE_COLUMNS)]
