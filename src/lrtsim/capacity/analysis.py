"""Headway analysis of a scenario: every station, interstation and terminal, and the bottleneck."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from lrtsim.capacity import headway, terminal
from lrtsim.capacity.blocking import (
    Stairway,
    fixed_block_boundaries_m,
    stairway,
    virtual_boundaries_m,
)
from lrtsim.capacity.headway import Headway
from lrtsim.capacity.separation import SeparationRule
from lrtsim.capacity.terminal import Terminal, TerminalHeadway
from lrtsim.capacity.timeline import Timeline, timeline
from lrtsim.capacity.uic406 import Occupancy, Section, Trip, occupancy
from lrtsim.dynamics.line_runs import LineRuns, line_runs
from lrtsim.dynamics.load_cases import CAPACITY_LOAD
from lrtsim.dynamics.runtime import dwell_times_s
from lrtsim.dynamics.train import train_params
from lrtsim.errors import ArgumentError, LrtsimError
from lrtsim.model.direction import Direction, along_m, origin_index
from lrtsim.model.schema import Scenario, Station, station_dwell_s

VIRTUAL_BLOCK_M = 10.0
"""Block length used to draw moving block as a stairway and to compress it (UIC 406)."""


@dataclass(frozen=True, eq=False)
class DirectionCapacity:
    """One direction's trip, separation rule and headways."""

    direction: Direction
    trip: Timeline
    rule: SeparationRule
    stairway: Stairway
    stations: tuple[Headway, ...]
    lines: tuple[Headway, ...]


@dataclass(frozen=True, eq=False)
class HeadwayAnalysis:
    """Minimum headways of a scenario's line and what binds them."""

    scenario: str
    signalling: str
    directions: tuple[DirectionCapacity, ...]
    terminals: tuple[TerminalHeadway, ...]
    bottleneck: Headway
    passengers_per_train_standard: float
    passengers_per_train_crush: float

    @property
    def line_min_headway_s(self) -> float:
        """The binding minimum headway of the whole line."""
        return self.bottleneck.min_headway_s

    @property
    def trains_per_hour(self) -> float:
        """Line capacity in trains per hour per direction."""
        return 3600.0 / self.line_min_headway_s

    @property
    def passengers_per_hour_per_direction(self) -> float:
        """Capacity in passengers per hour per direction at the scenario's loading standard."""
        return self.trains_per_hour * self.passengers_per_train_standard

    @property
    def crush_passengers_per_hour_per_direction(self) -> float:
        """Capacity in passengers per hour per direction at crush load."""
        return self.trains_per_hour * self.passengers_per_train_crush

    def direction(self, direction: Direction) -> DirectionCapacity:
        """The analysis of one direction."""
        return next(d for d in self.directions if d.direction == direction)


def separation_rule(scenario: Scenario, trip: Timeline, direction: Direction) -> SeparationRule:
    """The scenario's signalling expressed in the coordinate of one direction's run."""
    sig = scenario.signalling
    boundaries = np.zeros(0)
    if sig.kind == "fixed_block":
        stations = scenario.line.stations
        origin = stations[origin_index(len(stations), direction)].km
        signals = None
        if sig.block_boundaries_km:
            km = np.asarray(sig.block_boundaries_km)
            signals = along_m(km, origin, direction)
        boundaries = fixed_block_boundaries_m(trip.stop_m, sig.block_length_m, signals)
    return SeparationRule(
        kind=sig.kind,
        safety_margin_m=sig.safety_margin_m,
        reaction_time_s=sig.reaction_time_s,
        brake_mps2=scenario.rolling_stock.service_brake_mps2,
        train_length_m=scenario.rolling_stock.length_m,
        block_boundaries_m=boundaries,
    )


def analyse(
    scenario: Scenario, *, dwell_s: float | None = None, runs: LineRuns | None = None
) -> HeadwayAnalysis:
    """Minimum headways at every station, interstation and terminal, with the bottleneck.

    `dwell_s` replaces every station's dwell (the terminals' too) when given. The running times
    are the minimum runs of `runs` (the scenario's `LineRuns`; built here when not given).
    """
    if dwell_s is not None and not 0 <= dwell_s <= 3600:
        raise ArgumentError("dwell_s", f"{dwell_s:g} is outside 0..3600 s")
    margin = scenario.signalling.operating_margin_s
    directions: list[DirectionCapacity] = []
    for run in line_runs(scenario, runs).minimum:
        dwells = dwell_times_s(scenario, run.direction)
        if dwell_s is not None:
            dwells = tuple(
                0.0 if i in (0, len(dwells) - 1) else dwell_s for i in range(len(dwells))
            )
        trip = timeline(run.minimum, dwells, scenario.rolling_stock.length_m)
        rule = separation_rule(scenario, trip, run.direction)
        if rule.kind == "moving_block":
            stations, lines = headway.moving_block(trip, rule, run.direction, margin)
            stairs = stairway(trip, rule, virtual_boundaries_m(trip.stop_m, VIRTUAL_BLOCK_M))
        else:
            stations, lines, stairs = headway.fixed_block(trip, rule, run.direction, margin)
        directions.append(
            DirectionCapacity(run.direction, trip, rule, stairs, tuple(stations), tuple(lines))
        )
    terminals = _terminals(scenario, directions, dwell_s)
    candidates: list[Headway] = [h for d in directions for h in (*d.stations, *d.lines)]
    for t in terminals:
        candidates.append(Headway(t.name, "terminal", t.direction, t.min_headway_s, t))
    bottleneck = max(candidates, key=lambda h: h.min_headway_s)
    stock = scenario.rolling_stock
    return HeadwayAnalysis(
        scenario=scenario.name,
        signalling=scenario.signalling.kind,
        directions=tuple(directions),
        terminals=tuple(terminals),
        bottleneck=bottleneck,
        passengers_per_train_standard=stock.capacity_at(
            scenario.service.loading_standard_pax_per_m2
        ),
        passengers_per_train_crush=stock.capacity_at(stock.crush_standing_pax_per_m2),
    )


def _terminals(
    scenario: Scenario, directions: list[DirectionCapacity], dwell_s: float | None
) -> list[TerminalHeadway]:
    up = next(d for d in directions if d.direction == "up")
    down = next(d for d in directions if d.direction == "down")
    train = train_params(scenario.rolling_stock, CAPACITY_LOAD)
    margin = scenario.signalling.operating_margin_s
    ends: tuple[tuple[Literal["start", "end"], Station, DirectionCapacity, DirectionCapacity], ...]
    ends = (
        ("start", scenario.line.stations[0], down, up),
        ("end", scenario.line.stations[-1], up, down),
    )
    out = []
    for end, station, inbound, outbound in ends:
        own = station_dwell_s(station, scenario.service.dwell)
        site = Terminal(
            name=station.name,
            end=end,
            direction=inbound.direction,
            turnback=getattr(scenario.signalling.turnback, end),
            train=train,
            rule=outbound.rule,
            operating_margin_s=margin,
            load=CAPACITY_LOAD,
            tail_length_m=getattr(scenario.line.tail_tracks_m, end),
            inbound=inbound.trip,
            outbound=outbound.trip,
            dwell_s=own if dwell_s is None else dwell_s,
        )
        out.append(terminal.headway(site))
    return out


def regular_service_occupancy(
    analysis: HeadwayAnalysis, headway_s: float, period_s: float = 3600.0
) -> dict[Direction, list[Occupancy]]:
    """UIC 406 occupancy of each interstation by trains every `headway_s` over `period_s`."""
    if headway_s <= 0 or headway_s > period_s:
        raise LrtsimError(f"headway {headway_s:g} s must be in (0, {period_s:g}] s")
    count = int(period_s // headway_s)
    out: dict[Direction, list[Occupancy]] = {}
    for d in analysis.directions:
        stops, names = d.trip.stop_m, d.trip.stop_names
        sections = [
            Section(
                f"{names[i]} – {names[i + 1]}",
                float(stops[i]),
                float(stops[i + 1]),
                (names[i], names[i + 1]),
            )
            for i in range(len(stops) - 1)
        ]
        trips = [Trip(k * headway_s, d.stairway) for k in range(count)]
        out[d.direction] = occupancy(trips, sections, period_s)
    return out
