"""The service plan of a scenario: demand → headways → timetable → circulation → fleet."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.capacity.analysis import HeadwayAnalysis, analyse
from lrtsim.demand.loads import LineLoads, line_loads
from lrtsim.demand.od import OdMatrix, build_od, in_vehicle_time_s
from lrtsim.dynamics.nonstop import nonstop_run
from lrtsim.dynamics.runtime import DirectionRun, running_times
from lrtsim.model.schema import Scenario
from lrtsim.planning import service
from lrtsim.planning.circulation import Circulation, DepotLink, circulate
from lrtsim.planning.service import PeriodPlan
from lrtsim.planning.timetable import build_timetable

SHUNT_SPEED_MPS = 25 / 3.6
"""Speed of depot moves on the main line between the junction and the terminal."""
PLANNING_LOAD = 0.5
"""Running times of the timetable are for half-full trains (the day's typical load)."""


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


def depot_link(scenario: Scenario) -> DepotLink:
    """The depot's junction, nearer terminal and the costs of reaching each terminal."""
    line = scenario.line
    first, last = line.stations[0], line.stations[-1]
    depot_km = line.depot.km if line.depot else first.km
    near_is_first = abs(depot_km - first.km) <= abs(depot_km - last.km)
    near, far = (first, last) if near_is_first else (last, first)
    out = nonstop_run(scenario, "up" if near_is_first else "down")
    back = nonstop_run(scenario, "down" if near_is_first else "up")
    # From the junction to the terminal platform on the main line, at shunting speed.
    main_line_m = abs(depot_km - near.km) * 1000.0
    access_m = (line.depot.access_m if line.depot else 0.0) + main_line_m
    access_s = (line.depot.access_time_s if line.depot else 0.0) + main_line_m / SHUNT_SPEED_MPS
    return DepotLink(
        name=line.depot.name if line.depot else f"{near.name} sidings",
        near_terminal=near.name,
        far_terminal=far.name,
        access_s=access_s,
        access_m=access_m,
        deadhead_out_s=out.run_time_s,
        deadhead_back_s=back.run_time_s,
        deadhead_m=float(out.position_m[-1]),
    )


def _stop_times(run: DirectionRun) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Arrival and departure at each stop of one trip, in line order (station 0 first)."""
    arrival = [0.0]
    departure = [run.dwell_s[0]]
    for k, segment in enumerate(run.profile.segments):
        arrival.append(departure[-1] + segment.run_time_s)
        departure.append(arrival[-1] + run.dwell_s[k + 1])
    a, d = np.array(arrival), np.array(departure)
    if run.direction == "down":
        a, d = a[::-1], d[::-1]
    return a, d


def make_plan(
    scenario: Scenario, daily_matrix: npt.NDArray[np.float64] | None = None
) -> ServicePlan:
    """Plan the scenario's service day; `daily_matrix` replaces the gravity model's OD."""
    capacity = analyse(scenario)
    runs = running_times(scenario, load=PLANNING_LOAD, allowance_pct=scenario.service.allowance_pct)
    up, down = runs
    a_up, d_up = _stop_times(up)
    a_down, d_down = _stop_times(down)
    od = build_od(scenario, in_vehicle_time_s(a_up, d_up, a_down, d_down), daily_matrix)
    loads = line_loads(od)
    where = f"{capacity.bottleneck.where} ({capacity.bottleneck.kind})"
    trip_s = max(run.total_time_s for run in runs)
    plans = service.design(scenario, loads, capacity.line_min_headway_s, where, trip_s)
    turn = {t.name: t.turnaround_s for t in capacity.terminals}
    layover = {name: max(scenario.service.layover_s, turn[name]) for name in turn}
    first, last = scenario.line.stations[0].name, scenario.line.stations[-1].name
    timetable = build_timetable(scenario, runs, loads, plans, (layover[first], layover[last]))
    depot = depot_link(scenario)
    circulation = circulate(timetable, plans, depot, layover, scenario.service.spare_ratio)
    durations = timetable.groupby("trip_id").agg(
        direction=("direction", "first"),
        start=("departure_s", "first"),
        end=("arrival_s", "last"),
    )
    peak = max(plans, key=lambda p: p.max_load_pax_per_h)
    in_peak = durations[(durations["start"] >= peak.from_s) & (durations["start"] < peak.to_s)]
    if in_peak.empty:
        in_peak = durations
    run_up = float(
        (
            in_peak[in_peak["direction"] == "up"]["end"]
            - in_peak[in_peak["direction"] == "up"]["start"]
        ).max()
    )
    run_down = float(
        (
            in_peak[in_peak["direction"] == "down"]["end"]
            - in_peak[in_peak["direction"] == "down"]["start"]
        ).max()
    )
    cycle = run_up + run_down + sum(layover.values())
    return ServicePlan(
        od=od,
        loads=loads,
        capacity=capacity,
        runs=tuple(runs),
        periods=tuple(plans),
        circulation=circulation,
        cycle_time_s=cycle,
    )
