"""Terminal platforms in the simulated day: a platform holds one train, from the capacity
layer's resources (`capacity.terminal`).

`crossover_before`: each of the n platform tracks is taken when the arrival route is set (the
resource's `arrival_into_platform` before the arrival) and held until the train has left over
the crossover (`departure_over_crossover` after its departure). `tail_track`: the arrival
platform is taken `approach` before the arrival and held while the train unloads and runs off
into the tail track (`unloading`, `route_setting_and_reaction`, `clearing`); the tail track and
departure platform are in the terminal's turnaround, which the train's next departure waits for.
A train that would arrive with no platform free stands at the home signal before the terminal
until one is (the signal clears when the route can be set).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from lrtsim.capacity.terminal import TerminalHeadway
from lrtsim.model.direction import Direction


@dataclass(eq=False)
class Platforms:
    """The platform tracks arriving trains need at one terminal, and who holds them (mutable)."""

    name: str
    direction: Direction
    """The direction trains arrive in."""
    count: int
    take_before_s: float
    """A train takes its platform this long before it arrives."""
    hold_after_arrival_s: float | None
    """Released this long after the arrival (tail track); None: when it has left (crossover)."""
    clear_after_departure_s: float
    """Released this long after the departure (crossover before the platforms)."""
    held: dict[int, float] = field(default_factory=dict)
    """Train number → when it releases its platform (infinity: not known yet)."""
    waiting: set[int] = field(default_factory=set)
    """Trains standing at the home signal for a platform."""

    def free_from_s(self, now: float) -> float:
        """When a platform is next free for an arriving train (now if one is)."""
        for number, release in list(self.held.items()):
            if release <= now:
                del self.held[number]
        if len(self.held) < self.count:
            return now
        releases = sorted(self.held.values())
        return releases[len(self.held) - self.count]

    def reserve(self, number: int) -> None:
        """A train's route to a platform is set: the platform is its own until it releases it."""
        self.held[number] = math.inf

    def arrive(self, number: int, now: float) -> None:
        """A train has arrived on a platform."""
        self.waiting.discard(number)
        after = self.hold_after_arrival_s
        self.held[number] = math.inf if after is None else now + after

    def leave(self, number: int, now: float, *, departing: bool) -> None:
        """The train at the platform leaves it: departing over the crossover, or otherwise gone
        (to the depot, or on an empty move) after the terminal's turnaround."""
        if number in self.held and self.hold_after_arrival_s is None:
            self.held[number] = now + (self.clear_after_departure_s if departing else 0.0)


def platforms(terminal: TerminalHeadway) -> Platforms:
    """The arriving platforms of one terminal from its capacity resources."""
    if terminal.kind == "crossover_before":
        r = terminal.resource("platforms")
        parts = dict(r.parts_s)
        return Platforms(
            name=terminal.name,
            direction=terminal.direction,
            count=r.count,
            take_before_s=parts["arrival_into_platform"],
            hold_after_arrival_s=None,
            clear_after_departure_s=parts["departure_over_crossover"],
        )
    r = terminal.resource("arrival_platform")
    parts = dict(r.parts_s)
    return Platforms(
        name=terminal.name,
        direction=terminal.direction,
        count=1,
        take_before_s=parts["approach"],
        hold_after_arrival_s=parts["unloading"]
        + parts["route_setting_and_reaction"]
        + parts["clearing"],
        clear_after_departure_s=0.0,
    )
