"""A train of the simulated day: one block's state as it runs (mutable, owned by the day)."""

from __future__ import annotations

from lrtsim.model.direction import Direction
from lrtsim.simulation.trajectory import Piece


class Train:
    """One train (a block) during the day: where it is and what it is doing (mutable)."""

    def __init__(self, number: int, block_id: str, failures_m: list[float]) -> None:
        self.number = number
        self.block_id = block_id
        self.direction: Direction | None = None
        self.visit = -1
        """The visit it stands at, or runs to."""
        self.piece: Piece | None = None
        self.running = False
        self.on_track = False
        self.held = False
        """Standing at a platform before a red signal (a blocked interstation ahead)."""
        self.waiting = False
        """Standing short, held by what is known of its leader (resumed when more is)."""
        self.dependent = False
        """Its current run was shaped by its leader (replanned when the leader's plan changes)."""
        self.version = 0
        self.obstacles: list[tuple[float, float, float]] = []
        """Red signals of its current run: (position, from, until)."""
        self.own: tuple[int, float] | None = None
        """A stop of its own on the current run (a failure): (grid point, seconds)."""
        self.failures_m = failures_m
        self.distance_m = 0.0
        self.delay_s = 0.0
        """Its lateness at its last arrival or departure (negative: early)."""
