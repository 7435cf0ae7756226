"""A discrete-event kernel: a heap of scheduled events and a step that pops the next one.

Events are ordered by time, then by a priority (lower first; each event kind gives its own,
so that, say, a train's arrival is handled before a departure due at the same instant), then by
the order they were scheduled in: equal keys never compare the events themselves, and the same
schedule always runs in the same order. The kernel knows nothing of trains, stations or
passengers; the domain modules schedule events and handle them (SimPy's `Environment.step`,
Müller & Vignaux, SimPy 4 documentation, "Discrete event simulation": a clock, an event queue
and a step, with processes built on top).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

E = TypeVar("E")


@dataclass(frozen=True)
class Scheduled(Generic[E]):
    """One entry of the queue: what happens (`event`), when, and its place among equals."""

    time_s: float
    priority: int
    sequence: int
    event: E


class Kernel(Generic[E]):
    """The event queue and the clock of one simulation run.

    `schedule` puts an event on the queue, `step` handles the next one, `run` steps until a
    time or until the queue is empty. The clock only moves forward: an event can be scheduled
    for now (it runs after those already due now with a priority no higher) but never before.
    """

    def __init__(self, start_s: float = 0.0) -> None:
        if not math.isfinite(start_s):
            raise ValueError(f"the clock must start at a finite time, not {start_s}")
        self._now_s = float(start_s)
        self._queue: list[tuple[float, int, int, E]] = []
        self._sequence = 0

    @property
    def now_s(self) -> float:
        """The time of the event being handled (or of the last one, or where `run` stopped)."""
        return self._now_s

    def __len__(self) -> int:
        """Events still on the queue."""
        return len(self._queue)

    def schedule(self, time_s: float, event: E, priority: int = 0) -> Scheduled[E]:
        """Put `event` on the queue at `time_s` (not before now) with `priority` (lower first)."""
        if not math.isfinite(time_s):
            raise ValueError(f"an event must have a finite time, not {time_s}")
        if time_s < self._now_s:
            raise ValueError(f"an event at {time_s} s is in the past (now {self._now_s} s)")
        entry = (float(time_s), int(priority), self._sequence, event)
        self._sequence += 1
        heapq.heappush(self._queue, entry)
        return Scheduled(*entry)

    def push(self, time_s: float, event: E, priority: int = 0) -> None:
        """`schedule` without building its receipt: for the simulation's many events."""
        if not time_s >= self._now_s or time_s == math.inf:
            self.schedule(time_s, event, priority)  # raises, with the reason
        heapq.heappush(self._queue, (time_s, priority, self._sequence, event))
        self._sequence += 1

    def peek_s(self) -> float:
        """Time of the next event; infinity when the queue is empty."""
        return self._queue[0][0] if self._queue else math.inf

    def step(self) -> Scheduled[E]:
        """Take the next event off the queue and move the clock to its time."""
        if not self._queue:
            raise IndexError("no event left to step to")
        entry = heapq.heappop(self._queue)
        self._now_s = entry[0]
        return Scheduled(*entry)

    def run(self, handle: Callable[[Kernel[E], E], None], until_s: float = math.inf) -> int:
        """Step and `handle(kernel, event)` every event due at or before `until_s`; return how
        many ran.

        The handler may schedule further events; those due by `until_s` run in this call. With
        a finite `until_s` the clock ends there (the events after it stay on the queue), else at
        the last event handled.
        """
        if until_s < self._now_s:
            raise ValueError(f"cannot run until {until_s} s: the clock is at {self._now_s} s")
        count = 0
        while self._queue and self._queue[0][0] <= until_s:
            entry = heapq.heappop(self._queue)
            self._now_s = entry[0]
            handle(self, entry[3])
            count += 1
        if math.isfinite(until_s):
            self._now_s = float(until_s)
        return count
