"""The replay clock, driven by an injected clock: start, pause, seek, speed, the window, the
laps a going back begins, and header timestamps in replay time that never go backwards."""

from __future__ import annotations

import pytest

from lrtsim.errors import ArgumentError
from lrtsim.web.replay import ReplayClock, seconds_of_day, time_of_day

WINDOW = (5 * 3600.0, 25 * 3600.0)
DAY_ZERO_S = 1_700_000_000
"""POSIX time of lap 0's midnight: lap n's is n days later (a calendar running every day)."""


def day_posix(lap: int, t_s: float) -> int:
    return DAY_ZERO_S + 86400 * lap + int(t_s)


class FakeClock:
    """A clock that moves only when told."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def clock(speed: float = 60.0, posix: object = day_posix) -> tuple[ReplayClock, FakeClock]:
    mono = FakeClock(100.0)
    return ReplayClock(WINDOW, speed=speed, monotonic=mono, posix=posix), mono  # type: ignore[arg-type]


def test_paused_at_the_start_until_started() -> None:
    replay, mono = clock()
    mono.now += 50
    assert replay.now_s() == WINDOW[0]
    assert not replay.state().running


def test_runs_at_its_speed_and_pauses_where_it_is() -> None:
    replay, mono = clock(speed=60)
    replay.start()
    mono.now += 10
    assert replay.now_s() == WINDOW[0] + 600
    replay.pause()
    mono.now += 10
    assert replay.now_s() == WINDOW[0] + 600
    replay.start()
    mono.now += 1
    assert replay.now_s() == WINDOW[0] + 660


def test_a_new_speed_applies_from_when_it_is_set() -> None:
    replay, mono = clock(speed=10)
    replay.start()
    mono.now += 6
    replay.set_speed(3600)
    mono.now += 2
    assert replay.now_s() == WINDOW[0] + 60 + 7200
    assert replay.state().speed == 3600


def test_seek_is_clamped_to_the_window_and_keeps_running_or_paused() -> None:
    replay, mono = clock(speed=2)
    replay.seek("08:15:30")
    assert replay.now_s() == seconds_of_day("08:15:30")
    assert not replay.state().running
    replay.seek("02:00:00")
    assert replay.now_s() == WINDOW[0]
    replay.seek(30 * 3600.0)
    assert replay.now_s() == WINDOW[1]
    replay.seek("12:00:00")
    replay.start()
    mono.now += 5
    replay.seek("07:00:00")
    mono.now += 5
    assert replay.now_s() == 7 * 3600 + 10


def test_the_clock_stops_at_the_end_of_the_window() -> None:
    replay, mono = clock(speed=3600)
    replay.start()
    mono.now += 100
    assert replay.now_s() == WINDOW[1]
    assert not replay.state().running
    replay.start()  # from the end: starts over
    assert replay.now_s() == WINDOW[0]


def test_the_header_tells_replay_time_and_going_back_is_the_next_lap() -> None:
    replay, mono = clock(speed=60)
    replay.seek("08:00:00")
    first = replay.instant()
    assert (first.now_s, first.lap, first.timestamp) == (8 * 3600, 0, day_posix(0, 8 * 3600))
    replay.start()
    mono.now += 10
    running = replay.instant()
    assert running.timestamp == first.timestamp + 600
    replay.seek("06:00:00")
    back = replay.instant()
    assert back.lap == replay.state().lap == 1
    assert back.timestamp == day_posix(1, 6 * 3600) > running.timestamp
    replay.seek("07:00:00")  # forward: the same lap
    assert replay.instant().lap == 1
    replay.seek(WINDOW[1])
    replay.start()  # from the end: starts over, a new lap
    assert replay.state().lap == 2
    assert replay.instant().timestamp == day_posix(2, WINDOW[0])


def test_the_header_timestamp_is_held_when_the_dates_run_out() -> None:
    last_day = 3
    replay, _ = clock(posix=lambda lap, t: day_posix(min(lap, last_day), t))
    replay.seek("20:00:00")
    stamps = []
    for _ in range(last_day + 2):
        stamps.append(replay.instant().timestamp)
        replay.seek("06:00:00")
        stamps.append(replay.instant().timestamp)
        replay.seek("20:00:00")
    assert replay.state().lap == last_day + 2
    assert stamps == sorted(stamps)
    assert stamps[-2:] == [day_posix(last_day, 20 * 3600)] * 2


@pytest.mark.parametrize("speed", [0.5, 0, 3601, float("nan"), float("inf")])
def test_a_speed_out_of_range_is_refused(speed: float) -> None:
    replay, _ = clock()
    with pytest.raises(ArgumentError, match="speed"):
        replay.set_speed(speed)
    assert replay.state().speed == 60


@pytest.mark.parametrize("text", ["8:15", "08:61:00", "x", "08:15:00 ", "-1:00:00"])
def test_a_bad_time_is_refused(text: str) -> None:
    replay, _ = clock()
    with pytest.raises(ArgumentError, match="at"):
        replay.seek(text)
    assert replay.now_s() == WINDOW[0]


def test_times_of_day_round_trip() -> None:
    assert time_of_day(seconds_of_day("25:03:09")) == "25:03:09"
    assert seconds_of_day("00:00:01") == 1.0


def test_a_clock_run_to_the_end_stays_stopped_after_a_seek() -> None:
    replay, mono = clock(speed=3600)
    replay.start()
    mono.now += 100
    assert not replay.state().running
    replay.seek("08:00:00")
    mono.now += 10
    assert replay.now_s() == 8 * 3600
    assert not replay.state().running


def test_a_feed_instant_is_a_whole_second_with_its_own_stamp() -> None:
    replay, mono = clock(speed=1)
    replay.seek(8 * 3600 + 0.25)
    replay.start()
    first = replay.instant()
    mono.now += 0.5
    assert replay.instant() == first
    assert first.now_s == 8 * 3600
    assert first.timestamp == day_posix(0, first.now_s)
    mono.now += 0.5
    assert replay.instant().now_s == first.now_s + 1
