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

from dataclasses import dataclass, field

import numpy as np

from lrtsim.capacity.blocking import approach_points_m
from lrtsim.capacity.separation import SeparationRule
from lrtsim.capacity.timeline import Timeline
from lrtsim.dynamics.moves import move, time_at
from lrtsim.dynamics.train import TrainParams
from lrtsim.errors import LrtsimError
from lrtsim.model.schema import Turnback
from lrtsim.model.units import kmh_to_mps

RUN_ON_M = 200.0
"""Extra distance given to a move so that braking for its end does not touch the times we read."""


@dataclass(frozen=True)
class TerminalHeadway:
    """Minimum headway of one terminal, its binding resource and each resource's occupation."""

    name: str
    end: str
    kind: str
    min_headway_s: float
    binding: str
    """The key of `occupation_s` that sets the headway."""
    occupation_s: dict[str, float]
    """Seconds one train holds each resource, keyed by identifier: `crossover` and `platforms`
    (one platform's holding ÷ the number of platforms), or `arrival_platform`, `tail_track` and
    `departure_platform`."""
    conflicts: tuple[str, ...]
    turnaround_s: float
    """Least time from arrival at the terminal to departure from it (for circulation)."""
    components_s: dict[str, float] = field(default_factory=dict)


def _through_time(train: TrainParams, distance_m: float, limit_mps: float, load: float) -> float:
    """Time to travel `distance_m` from a stand at no more than `limit_mps`, not stopping."""
    profile = move(train, distance_m + RUN_ON_M, limit_mps, load=load)
    return time_at(profile, distance_m)


def _stopping_time(train: TrainParams, distance_m: float, limit_mps: float, load: float) -> float:
    """Time to travel `distance_m` from a stand to a stand at no more than `limit_mps`."""
    return move(train, distance_m, limit_mps, load=load).run_time_s


def crossover_before(
    name: str,
    end: str,
    tb: Turnback,
    train: TrainParams,
    rule: SeparationRule,
    operating_margin_s: float,
    load: float,
) -> TerminalHeadway:
    """Terminal with a scissors crossover before n platform tracks."""
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
    occupation = {"crossover": crossover, "platforms": platform / tb.platforms}
    binding = max(occupation, key=lambda k: occupation[k])
    conflicts = (
        f"arrival and departure routes cross on the scissors crossover: each train holds it "
        f"{route + arrival_hold:.0f} s arriving and {route + departure_hold:.0f} s leaving",
        f"each of the {tb.platforms} platform tracks is held {platform:.0f} s per train "
        f"(arrival from the route being set {route + platform_in:.0f} s, layover "
        f"{tb.min_layover_s:.0f} s, departure {route + departure_hold:.0f} s); they are used "
        "in turn",
    )
    components = {
        "route_setting_and_reaction": 2 * route,
        "arrival_over_crossover": arrival_hold,
        "departure_over_crossover": departure_hold,
    }
    if binding != "crossover":
        components = {
            "arrival_into_platform": (route + platform_in) / tb.platforms,
            "layover": tb.min_layover_s / tb.platforms,
            "departure_over_crossover": (route + departure_hold) / tb.platforms,
        }
    components["operating_margin"] = operating_margin_s
    return TerminalHeadway(
        name=name,
        end=end,
        kind="crossover_before",
        min_headway_s=occupation[binding] + operating_margin_s,
        binding=binding,
        occupation_s=occupation,
        conflicts=conflicts,
        turnaround_s=tb.min_layover_s,
        components_s=components,
    )


def tail_track(
    name: str,
    end: str,
    tb: Turnback,
    train: TrainParams,
    rule: SeparationRule,
    operating_margin_s: float,
    load: float,
    tail_length_m: float,
    inbound: Timeline,
    outbound: Timeline,
    dwell_s: float,
) -> TerminalHeadway:
    """Terminal where trains reverse in a tail track beyond the platforms."""
    vx = kmh_to_mps(tb.crossover_speed_kmh)
    length = train.length_m
    crossover_far = tb.crossover_clearance_m + tb.crossover_length_m
    # The reversing train stops just clear of the crossover; the tail track must hold it there
    # with the safety margin to its end.
    stand = crossover_far + tb.crossover_clearance_m + length
    if stand > tail_length_m - rule.safety_margin_m:
        need = stand + rule.safety_margin_m
        raise LrtsimError(
            f"the tail track beyond {name} ({tail_length_m:.0f} m) is too short to turn a "
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
    occupation = {
        "arrival_platform": arrival_platform,
        "tail_track": tail,
        "departure_platform": departure_platform,
    }
    binding = max(occupation, key=lambda k: occupation[k])
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
    parts = {
        "arrival_platform": {
            "approach": approach,
            "unloading": dwell_s,
            "route_setting_and_reaction": route,
            "clearing": clear_platform,
        },
        "tail_track": {
            "route_setting_and_reaction": 2 * route,
            "move_in": move_in,
            "reversal": tb.min_layover_s,
            "move_out_clear": out_clear,
        },
        "departure_platform": {
            "route_setting_and_reaction": route,
            "move_out": move_out.run_time_s,
            "loading": dwell_s,
            "clearing": leave,
        },
    }[binding]
    parts["operating_margin"] = operating_margin_s
    return TerminalHeadway(
        name=name,
        end=end,
        kind="tail_track",
        min_headway_s=occupation[binding] + operating_margin_s,
        binding=binding,
        occupation_s=occupation,
        conflicts=conflicts,
        turnaround_s=dwell_s
        + route
        + move_in
        + tb.min_layover_s
        + route
        + move_out.run_time_s
        + dwell_s,
        components_s=parts,
    )
