"""The service plan of a scenario: demand → headways → timetable → circulation → fleet."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.capacity.analysis import HeadwayAnalysis, analyse
from lrtsim.capacity.timeline import timeline
from lrtsim.demand.loads import LineLoads, line_loads
from lrtsim.demand.od import OdMatrix, build_od, in_vehicle_time_s
from lrtsim.dynamics.line_runs import LineRuns, line_runs
from lrtsim.dynamics.runtime import DirectionRun
from lrtsim.model.direction import DIRECTIONS, line_order
from lrtsim.model.schema import Scenario, clock_to_s, station_dwell_s
from lrtsim.planning import service
from lrtsim.planning.circulation import Circulation, DepotLink, Leg, Positioning, circulate
from lrtsim.planning.service import PeriodPlan
from lrtsim.planning.tables import trip_rows
from lrtsim.planning.timetable import TripBuilder, build_timetable


@dataclass(frozen=True, eq=False)
class ServicePlan:
    """Everything the planner decides for one service day."""

    od: OdMatrix
    loads: LineLoads
    capacity: HeadwayAnalysis
    runs: tuple[DirectionRun, ...]
    periods: tuple[PeriodPlan, ...]
    circulation: Circulation
    cycle_time_s: float

    @property
    def timetable(self) -> pd.DataFrame:
        """Every trip and stop, with its block."""
        return self.circulation.timetable

    @property
    def blocks(self) -> pd.DataFrame:
        """Every train's activities."""
        return self.circulation.blocks

    @property
    def trips(self) -> int:
        """Number of trips in both directions."""
        return int(self.timetable["trip_id"].nunique())


def _whole(seconds: float) -> float:
    return float(math.ceil(seconds - 1e-6))


def depot_link(scenario: Scenario, runs: LineRuns | None = None) -> DepotLink:
    """The depot's junction, each terminal's gate, and the empty moves to and from the line.

    A junction beyond the stations (or at a terminal) joins the line at its nearer terminal: the
    gate of both terminals, and a train for the far one runs empty from the near one (a
    deadhead). A junction between two stations has a gate on each side, the station next to it,
    and a train runs straight from the junction to either terminal. A depot move takes the
    access time between depot and junction plus the dynamics layer's non-stop run between the
    junction and the station (`dynamics.nonstop`), each end at a stand; `runs` (the scenario's
    `LineRuns`, built here when not given) times them.
    """
    empty_s = line_runs(scenario, runs).empty_s
    line = scenario.line
    stations = line.stations
    first, last = stations[0], stations[-1]
    depot_km = line.depot.km if line.depot else first.km
    name = line.depot.name if line.depot else f"{first.name} sidings"
    access_m = line.depot.access_m if line.depot else 0.0
    access_s = line.depot.access_time_s if line.depot else 0.0
    index = {s.name: i for i, s in enumerate(stations)}
    km = {s.name: s.km for s in stations}
    pull_out: dict[str, tuple[Leg, ...]] = {}
    pull_in: dict[str, tuple[Leg, ...]] = {}

    def depot_move(station: str) -> tuple[float, float]:
        metres = access_m + 1000.0 * abs(km[station] - depot_km)
        return _whole(access_s + empty_s(depot_km, km[station])), metres

    def direct(station: str) -> None:
        out_s, metres = depot_move(station)
        in_s = _whole(access_s + empty_s(km[station], depot_km))
        pull_out[station] = (Leg("pull_out", name, station, out_s, metres),)
        pull_in[station] = (Leg("pull_in", station, name, in_s, metres),)

    if not first.km < depot_km < last.km:
        near, far = (
            (first, last)
            if abs(depot_km - first.km) <= abs(depot_km - last.km)
            else (
                last,
                first,
            )
        )
        gate = {first.name: near.name, last.name: near.name}
        direct(near.name)
        metres = 1000.0 * abs(far.km - near.km)
        there = Leg("deadhead", near.name, far.name, _whole(empty_s(near.km, far.km)), metres)
        back = Leg("deadhead", far.name, near.name, _whole(empty_s(far.km, near.km)), metres)
        pull_out[far.name] = (*pull_out[near.name], there)
        pull_in[far.name] = (back, *pull_in[near.name])
    else:
        below = max((s for s in stations if s.km <= depot_km), key=lambda s: s.km)
        above = min((s for s in stations if s.km >= depot_km), key=lambda s: s.km)
        gate = {first.name: below.name, last.name: above.name}
        for station in {first.name, last.name, below.name, above.name}:
            direct(station)
    return DepotLink(
        name=name,
        junction_km=depot_km,
        station_index=index,
        gate=gate,
        pull_out=pull_out,
        pull_in=pull_in,
    )


def _stop_times(
    run: DirectionRun, train_length_m: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Arrival and departure at each stop of one trip, in line order (station 0 first)."""
    trip = timeline(run.profile, run.dwell_s, train_length_m)
    # Running order back to line order: the same flip.
    order = list(line_order(len(run.dwell_s), run.direction))
    return trip.stop_arrival_s[order], trip.stop_departure_s[order]


def make_plan(
    scenario: Scenario,
    daily_matrix: npt.NDArray[np.float64] | None = None,
    *,
    runs: LineRuns | None = None,
    capacity: HeadwayAnalysis | None = None,
) -> ServicePlan:
    """Plan the scenario's service day; `daily_matrix` replaces the gravity model's OD.

    Every running time comes from `runs` (the scenario's `LineRuns`; built here when not given):
    the minimum runs for the headways, the planned runs for the timetable, the empty moves.
    `capacity` is the scenario's headway analysis (`analyse`; made here when not given).
    """
    runs = line_runs(scenario, runs)
    if capacity is None:
        capacity = analyse(scenario, runs=runs)
    elif capacity.scenario != scenario.name:
        raise ValueError(f"headways of {capacity.scenario!r}, not of {scenario.name!r}")
    up, down = runs.planned
    length_m = scenario.rolling_stock.length_m
    a_up, d_up = _stop_times(up, length_m)
    a_down, d_down = _stop_times(down, length_m)
    od = build_od(scenario, in_vehicle_time_s(a_up, d_up, a_down, d_down), daily_matrix)
    loads = line_loads(od)
    where = f"{capacity.bottleneck.where} ({capacity.bottleneck.kind})"
    trip_s = max(run.total_time_s for run in (up, down))
    plans = service.design(scenario, loads, capacity.line_min_headway_s, where, trip_s)
    turn = {t.name: t.turnaround_s for t in capacity.terminals}
    # Whole seconds, rounded up: every published time is a whole second and no minimum is cut.
    layover = {name: _whole(max(scenario.service.layover_s, turn[name])) for name in turn}
    first, last = scenario.line.stations[0].name, scenario.line.stations[-1].name
    builder = TripBuilder(scenario, {r.direction: r for r in (up, down)}, loads, tuple(plans))
    timetable = build_timetable(builder, (layover[first], layover[last]))
    depot = depot_link(scenario, runs)
    # At a gate between the terminals a train entering or leaving service stands at the platform
    # for the station's dwell (it does not reverse there, and must not block the trains behind).
    dwell = scenario.service.dwell
    own = {s.name: station_dwell_s(s, dwell) for s in scenario.line.stations}
    starts = {**{g: _whole(own[g]) for g in depot.gate.values()}, **layover}
    positioning = Positioning(
        make_trip=lambda d, t, trip, a, b: builder.rows(d, t, trip, a, b),
        start_s=clock_to_s(scenario.service.start),
        end_s=clock_to_s(scenario.service.end),
        min_gap_s=math.ceil(capacity.line_min_headway_s - 1e-6),
    )
    circulation = circulate(
        timetable, plans, depot, starts, scenario.service.spare_ratio, positioning
    )
    trips = trip_rows(timetable)
    direction = trips.first_of(timetable["direction"])
    start = trips.first_of(timetable["departure_s"]).astype(float)
    span = trips.last_of(timetable["arrival_s"]).astype(float) - start
    peak = max(plans, key=lambda p: p.max_load_pax_per_h)
    in_peak = (start >= peak.from_s) & (start < peak.to_s)
    if not in_peak.any():
        in_peak[:] = True
    # The longest trip of each direction in the peak, and the layovers at both ends.
    cycle = 0.0
    for d in DIRECTIONS:
        spans = span[in_peak & (direction == d)]
        cycle += float(spans.max()) if len(spans) else 0.0
    cycle += sum(layover.values())
    return ServicePlan(
        od=od,
        loads=loads,
        capacity=capacity,
        runs=(up, down),
        periods=tuple(plans),
        circulation=circulation,
        cycle_time_s=cycle,
    )
