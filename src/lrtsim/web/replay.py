"""The replay clock of a simulated day: started, paused, moved to a time of day and sped up by a
client, always inside the day's service window.

The simulated time is kept as (position at the last change, monotonic time of that change): a
clock that runs adds the monotonic time since then times the speed. The clocks are injected,
so tests drive them exactly.

A replay's feeds tell replay time: the GTFS-Realtime header's timestamp (when the content was
made, https://gtfs.org/realtime/reference/#message-feedheader) is the POSIX time of the
simulated now on the service date the replay publishes, so that it agrees with the feed's
predictions and positions, whatever the speed. Each time the clock goes back (a seek to an
earlier time, a start over from the window's end) it begins a new lap: the caller publishes
lap n on the n-th running date after the first, so the timestamps keep going forward and the
trips stay those of a date the static calendar runs. The timestamp is also held at the
largest value given so far (`max(last, …)`), for a calendar with no date left.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from lrtsim.errors import ArgumentError

MIN_SPEED = 1.0
MAX_SPEED = 3600.0
"""The speed factors a replay takes: from real time to an hour a second."""

_HMS = re.compile(r"^(\d{1,2}):([0-5]\d):([0-5]\d)$")


@dataclass(frozen=True)
class ReplayState:
    """The clock as a client sees it."""

    now_s: float
    """Simulated time of day, s after midnight."""
    running: bool
    """Running and not yet at the end of the window."""
    speed: float
    start_s: float
    end_s: float
    lap: int
    """Times the clock went back; 0 until then."""


@dataclass(frozen=True)
class Instant:
    """What one feed is made for, read at once: the simulated now, its lap, its header time."""

    now_s: float
    """Whole seconds after midnight."""
    lap: int
    timestamp: int
    """POSIX seconds, never less than one given before."""


PosixOf = Callable[[int, float], int]
"""POSIX seconds of (lap, seconds after midnight)."""


def seconds_of_day(text: str) -> float:
    """'HH:MM:SS' (hours may pass 24, as GTFS writes times after midnight) in seconds."""
    match = _HMS.fullmatch(text)
    if match is None:
        raise ArgumentError("at", f"'{text}' is not a time of day HH:MM:SS")
    hours, minutes, seconds = (int(g) for g in match.groups())
    return hours * 3600.0 + minutes * 60.0 + seconds


def time_of_day(seconds: float) -> str:
    """Seconds after midnight as 'HH:MM:SS' (whole seconds, rounded down)."""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


class ReplayClock:
    """The simulated time of a replay: paused at the window's start until started."""

    def __init__(
        self,
        window_s: tuple[float, float],
        *,
        speed: float = 60.0,
        posix: PosixOf,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        start_s, end_s = (float(v) for v in window_s)
        if not (math.isfinite(start_s) and math.isfinite(end_s)) or end_s < start_s:
            raise ArgumentError("window_s", f"{window_s} is not a window (start ≤ end, finite)")
        self._start_s, self._end_s = start_s, end_s
        self._monotonic, self._posix = monotonic, posix
        self._speed = _checked_speed(speed)
        self._position_s = start_s
        self._anchor = monotonic()
        self._running = False
        self._lap = 0
        self._last_timestamp = 0
        self._lock = threading.Lock()

    def now_s(self) -> float:
        """The simulated time of day (s after midnight), within the service window."""
        with self._lock:
            return self._now()

    def start(self) -> None:
        """Run from where the clock is (from the start of the window when it is at its end)."""
        with self._lock:
            now = self._now()
            if self._running and now < self._end_s:
                return
            if now >= self._end_s > self._start_s:
                self._lap += 1
            self._position_s = self._start_s if now >= self._end_s else now
            self._anchor, self._running = self._monotonic(), True

    def pause(self) -> None:
        """Stop where the clock is."""
        with self._lock:
            self._position_s, self._running = self._now(), False
            self._anchor = self._monotonic()

    def seek(self, at: str | float) -> None:
        """Move to `at` ('HH:MM:SS' or seconds after midnight), clamped to the window; the
        clock keeps running or stays paused (a clock run to the end stays stopped). Moving back
        begins a new lap."""
        target = seconds_of_day(at) if isinstance(at, str) else float(at)
        if not math.isfinite(target):
            raise ArgumentError("at", f"{at} is not a time of day")
        with self._lock:
            position = min(max(target, self._start_s), self._end_s)
            now = self._now()
            if now >= self._end_s:
                self._running = False
            if position < now:
                self._lap += 1
            self._position_s, self._anchor = position, self._monotonic()

    def set_speed(self, speed: float) -> None:
        """Simulated seconds per real second from now on (`MIN_SPEED` to `MAX_SPEED`)."""
        checked = _checked_speed(speed)
        with self._lock:
            self._position_s, self._anchor = self._now(), self._monotonic()
            self._speed = checked

    def instant(self) -> Instant:
        """The simulated now in whole seconds, its lap and the header timestamp for a feed of
        it (see the module's docstring), read together: one second, one content, one stamp."""
        with self._lock:
            now = float(math.floor(self._now()))
            self._last_timestamp = max(self._last_timestamp, self._posix(self._lap, now))
            return Instant(now_s=now, lap=self._lap, timestamp=self._last_timestamp)

    def state(self) -> ReplayState:
        """The clock now."""
        with self._lock:
            now = self._now()
            return ReplayState(
                now_s=now,
                running=self._running and now < self._end_s,
                speed=self._speed,
                start_s=self._start_s,
                end_s=self._end_s,
                lap=self._lap,
            )

    def _now(self) -> float:
        if not self._running:
            return self._position_s
        ran = (self._monotonic() - self._anchor) * self._speed
        return min(self._position_s + max(ran, 0.0), self._end_s)


def _checked_speed(speed: float) -> float:
    """`speed` as a float, or `ArgumentError` when it is not from `MIN_SPEED` to `MAX_SPEED`."""
    value = float(speed)
    if not (math.isfinite(value) and MIN_SPEED <= value <= MAX_SPEED):
        raise ArgumentError("speed", f"{speed} is not allowed: from {MIN_SPEED:g} to {MAX_SPEED:g}")
    return value
