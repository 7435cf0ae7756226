"""Terminal turnback capacity: each resource a reversing train uses, and for how long.

A terminal's minimum headway is the longest occupation of any of its resources by one train
(divided by the number of identical resources used in turn), plus the operating margin: in a
steady cycle every train uses each resource once. Moves over the crossover and into the tail
track run at the crossover speed and their times come from the dynamics engine
(`dynamics.moves`). TCQSM 3rd ed. (TCRP Report 165, 2013), ch. 8 (terminal capacity); Pachl,
*Railway Operation and Control* (2018), ch. 6.

`crossover_before`: a scissors crossover before a terminal with n platform tracks. Conflict: the
arrival route and the departure route cross on the crossover, so each train holds it twice — from
the moment the arriving train must see its route (braking distance before the crossover) until
its tail has cleared it, and from the departure until the departing train's tail has cleared it.
Each platform is held from arrival over the crossover, through the layover, until the departing
tail clears the crossover; n platforms are used in turn.

`tail_track`: trains unload at the arrival platform, run on over the crossover into the tail
track, reverse, and come back over the crossover to the departure platform. Conflicts: the
arrival platform is held until the train has run off it into the tail track (the follower cannot
arrive before); the single tail track is held from the move in until the reversing train's tail
has cleared the crossover on the way out; the departure platform from the move out until the
departing tail has cleared it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from lrtsim.capacity.blocking import approach_points_m
from lrtsim.capacity.separation import SeparationRule
from lrtsim.capacity.timeline import Timeline
from lrtsim.dynamics.moves import move, time_at
from lrtsim.dynamics.train import TrainParams
from lrtsim.errors import LrtsimError
from lrtsim.model.direction import Direction
from lrtsim.model.schema import Turnback
from lrtsim.model.units import kmh_to_mps

RUN_ON_M = 200.0
"""Extra distance given to a move so that braking for its end does not touch the times we read."""


@dataclass(frozen=True, eq=False)
class Terminal:
    """What a terminal's turnback capacity is computed from."""

    name: str
    end: Literal["start", "end"]
    """Which end of the line (line order) it is at."""
    direction: Direction
    """The direction trains arrive in."""
    turnback: Turnback
    train: TrainParams
    rule: SeparationRule
    """Signalling in the coordinate of the departing run."""
    operating_margin_s: float
    load: float
    tail_length_m: float
    """Tail track beyond the platforms (`tail_track` only)."""
    inbound: Timeline
    """The trip arriving at the terminal, and the one leaving it (`tail_track` only)."""
    outbound: Timeline
    dwell_s: float
    """Unloading and loading at the platform (`tail_track` only)."""


@dataclass(frozen=True)
class Resource:
    """A resource a reversing train holds: for how long, made of what, and how many identical
    ones are used in turn."""

    name: str
    """`crossover` and `platforms`, or `arrival_platform`, `tail_track` and
    `departure_platform`."""
    held_s: float
    """Seconds one train holds one of them."""
    parts_s: tuple[tuple[str, float], ...]
    """What `held_s` is made of, in order."""
    count: int = 1

    @property
    def occupation_s(self) -> float:
        """Seconds of each headway it takes: one train's holding ÷ the number used in turn."""
        return self.held_s / self.count


@dataclass(frozen=True)
class TerminalHeadway:
    """Minimum headway of one terminal, its binding resource and each resource's occupation."""

    name: str
    end: str
    kind: str
    direction: Direction
    """The direction trains arrive in."""
    resources: tuple[Resource, ...]
    conflicts: tuple[str, ...]
    turnaround_s: float
    """Least time from arrival at the terminal to departure from it (for circulation)."""
    margin_s: float
    """The operating margin added to the binding occupation."""

    @property
    def binding(self) -> Resource:
        """The resource with the longest occupation, which sets the headway (the first on a tie)."""
        return max(self.resources, key=lambda r: r.occupation_s)

    @property
    def min_headway_s(self) -> float:
        """The binding occupation plus the operating margin."""
        return self.binding.occupation_s + self.margin_s

    def resource(self, name: str) -> Resource:
        """The resource called `name`."""
        return next(r for r in self.resources if r.name == name)

    def components(self) -> dict[str, float]:
        """What the headway is made of: the binding resource's parts (÷ its count) and the
        operating margin, keyed as in `parts_s`."""
        b = self.binding
        return {**{k: v / b.count for k, v in b.parts_s}, "operating_margin": self.margin_s}


def _through_time(train: TrainParams, distance_m: float, limit_mps: float, load: float) -> float:
    """Time to travel `distance_m` from a stand at no more than `limit_mps`, not stopping."""
    profile = move(train, distance_m + RUN_ON_M, limit_mps, load=load)
    return time_at(profile, distance_m)


def _stopping_time(train: TrainParams, distance_m: float, limit_mps: float, load: float) -> float:
    """Time to travel `distance_m` from a stand to a stand at no more than `limit_mps`."""
    return move(train, distance_m, limit_mps, load=load).run_time_s


def _terminal_headway(
    t: Terminal,
    kind: str,
    resources: tuple[Resource, ...],
    conflicts: tuple[str, ...],
    turnaround_s: float,
) -> TerminalHeadway:
    """What a layout found at terminal `t`, with the terminal's name, end, direction and margin."""
    return TerminalHeadway(
        name=t.name,
        end=t.end,
        kind=kind,
        direction=t.direction,
        resources=resources,
        conflicts=conflicts,
        turnaround_s=turnaround_s,
        margin_s=t.operating_margin_s,
    )


def headway(t: Terminal) -> TerminalHeadway:
    """The terminal's turnback capacity for its layout (`turnback.kind`)."""
    return crossover_before(t) if t.turnback.kind == "crossover_before" else tail_track(t)


def crossover_before(t: Terminal) -> TerminalHeadway:
    """Terminal with a scissors crossover before n platform tracks."""
    tb, train, rule, load = t.turnback, t.train, t.rule, t.load
    vx = kmh_to_mps(tb.crossover_speed_kmh)
    length = train.length_m
    sight_m = float(rule.braking_distance_m(vx))
    # Arrival: cruising at vx from the sighting point, over the crossover, to a stand at the
    # platform stop, which lies L + clearance beyond the crossover.
    lead_m = 100.0
    x0 = lead_m + sight_m
    x1 = x0 + tb.crossover_length_m
    stop = x1 + tb.crossover_clearance_m + length
    arrival = move(train, stop, vx, load=load)
    arrival_hold = time_at(arrival, x1 + length) - time_at(arrival, lead_m)
    # The platform is reserved with the arrival route, from the sighting point to the stop.
    platform_in = arrival.run_time_s - time_at(arrival, lead_m)
    departure_hold = _through_time(
        train, length + tb.crossover_clearance_m + tb.crossover_length_m, vx, load
    )
    route = tb.route_setting_s + rule.reaction_time_s
    crossover = 2 * route + arrival_hold + departure_hold
    platform = route + platform_in + tb.min_layover_s + route + departure_hold
    resources = (
        Resource(
            "crossover",
            crossover,
            (
                ("route_setting_and_reaction", 2 * route),
                ("arrival_over_crossover", arrival_hold),
                ("departure_over_crossover", departure_hold),
            ),
        ),
        Resource(
            "platforms",
            platform,
            (
                ("arrival_into_platform", route + platform_in),
                ("layover", tb.min_layover_s),
                ("departure_over_crossover", route + departure_hold),
            ),
            tb.platforms,
        ),
    )
    conflicts = (
        f"arrival and departure routes cross on the scissors crossover: each train holds it "
        f"{route + arrival_hold:.0f} s arriving and {route + departure_hold:.0f} s leaving",
        f"each of the {tb.platforms} platform tracks is held {platform:.0f} s per train "
        f"(arrival from the route being set {route + platform_in:.0f} s, layover "
        f"{tb.min_layover_s:.0f} s, departure {route + departure_hold:.0f} s); they are used "
        "in turn",
    )
    return _terminal_headway(t, "crossover_before", resources, conflicts, tb.min_layover_s)


def tail_track(t: Terminal) -> TerminalHeadway:
    """Terminal where trains reverse in a tail track beyond the platforms."""
    tb, train, rule, load, dwell_s = t.turnback, t.train, t.rule, t.load, t.dwell_s
    inbound, outbound = t.inbound, t.outbound
    vx = kmh_to_mps(tb.crossover_speed_kmh)
    length = train.length_m
    crossover_far = tb.crossover_clearance_m + tb.crossover_length_m
    # The reversing train stops just clear of the crossover; the tail track must hold it there
    # with the safety margin to its end.
    stand = crossover_far + tb.crossover_clearance_m + length
    if stand > t.tail_length_m - rule.safety_margin_m:
        need = stand + rule.safety_margin_m
        raise LrtsimError(
            f"the tail track beyond {t.name} ({t.tail_length_m:.0f} m) is too short to turn a "
            f"{length:.0f} m train behind the crossover: it needs at least {need:.0f} m "
            "(crossover clearance and length, the train, the safety margin); lengthen "
            "line.tail_tracks_m or use turnback kind 'crossover_before'"
        )
    route = tb.route_setting_s + rule.reaction_time_s
    # Arrival platform: the follower may arrive only once the leader has left it by L + margin.
    clear_platform = _through_time(train, length + rule.safety_margin_m, vx, load)
    # The follower's approach: from the first point where it could no longer stop short of the
    # platform stop (its braking distance with reaction reaches it) to the stop.
    (approach_from,) = approach_points_m(inbound, rule, np.array([inbound.end_m]))
    approach = float(inbound.arrival_at(inbound.end_m) - inbound.arrival_at(approach_from))
    arrival_platform = approach + dwell_s + route + clear_platform
    # Tail track: in, reverse, out until the tail has cleared the crossover.
    move_in = _stopping_time(train, stand, vx, load)
    move_out = move(train, stand, vx, load=load)
    out_clear = time_at(move_out, stand - tb.crossover_clearance_m)
    tail = route + move_in + tb.min_layover_s + route + out_clear
    # Departure platform: the move out, loading, and the departing tail clearing the platform.
    leave = float(outbound.departure_at(length + rule.safety_margin_m) - outbound.departure_s[0])
    departure_platform = route + move_out.run_time_s + dwell_s + leave
    resources = (
        Resource(
            "arrival_platform",
            arrival_platform,
            (
                ("approach", approach),
                ("unloading", dwell_s),
                ("route_setting_and_reaction", route),
                ("clearing", clear_platform),
            ),
        ),
        Resource(
            "tail_track",
            tail,
            (
                ("route_setting_and_reaction", 2 * route),
                ("move_in", move_in),
                ("reversal", tb.min_layover_s),
                ("move_out_clear", out_clear),
            ),
        ),
        Resource(
            "departure_platform",
            departure_platform,
            (
                ("route_setting_and_reaction", route),
                ("move_out", move_out.run_time_s),
                ("loading", dwell_s),
                ("clearing", leave),
            ),
        ),
    )
    conflicts = (
        f"arrival platform held {arrival_platform:.0f} s: the follower's approach "
        f"{approach:.0f} s, unloading {dwell_s:.0f} s, route {route:.0f} s, running off it "
        f"{clear_platform:.0f} s",
        f"tail track held {tail:.0f} s: in {route + move_in:.0f} s, reversal "
        f"{tb.min_layover_s:.0f} s, out until the crossover is clear {route + out_clear:.0f} s; "
        "moves in and out cross the arrival and departure routes on the crossover",
        f"departure platform held {departure_platform:.0f} s: move out "
        f"{route + move_out.run_time_s:.0f} s, loading {dwell_s:.0f} s, clearing {leave:.0f} s",
    )
    turnaround_s = (
        dwell_s + route + move_in + tb.min_layover_s + route + move_out.run_time_s + dwell_s
    )
    return _terminal_headway(t, "tail_track", resources, conflicts, turnaround_s)
