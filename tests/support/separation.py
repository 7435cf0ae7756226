"""Separation checked from positions alone, for the plan now and the simulated day next.

Written from the rule's definition, not from lrtsim's capacity code: under moving block a
follower's head must stay behind its leader's tail by at least v·t_r + v²/(2b) + margin, v being
the follower's speed (Pachl, *Railway Operation and Control*, ch. 3). Only trains running on the
same track in the same direction between the terminals count: a train standing in a layover is
on a terminal platform or siding, and the terminal's own resources separate it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Running:
    """A train at one moment: its head's chainage, speed and direction of travel."""

    train: str
    direction: str
    km: float
    speed_mps: float


@dataclass(frozen=True)
class Shortfall:
    """How much closer than allowed a follower came to its leader, and when."""

    time_s: float
    leader: str
    follower: str
    gap_m: float
    required_m: float


def shortfalls(
    moments: Iterable[tuple[float, list[Running]]],
    *,
    train_length_m: float,
    reaction_s: float,
    brake_mps2: float,
    margin_m: float,
    tolerance_m: float = 0.5,
) -> list[Shortfall]:
    """Every moment a follower was closer to its leader's tail than moving block allows."""
    found: list[Shortfall] = []
    for t, trains in moments:
        for direction, sign in (("up", 1.0), ("down", -1.0)):
            mine = sorted(
                (r for r in trains if r.direction == direction), key=lambda r: sign * r.km
            )
            for follower, leader in itertools.pairwise(mine):
                gap = sign * (leader.km - follower.km) * 1000.0 - train_length_m
                v = follower.speed_mps
                required = v * reaction_s + v * v / (2.0 * brake_mps2) + margin_m
                if gap < required - tolerance_m:
                    found.append(Shortfall(t, leader.train, follower.train, gap, required))
    return found
