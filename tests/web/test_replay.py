"""The replay clock, driven by injected clocks: start, pause, seek, speed, the window, and a
header timestamp that never goes backwards."""

from __future__ import annotations

import pytest

from lrtsim.errors import ArgumentError
from lrtsim.web.replay import ReplayClock, seconds_of_day, time_of_day

WINDOW = (5 * 3600.0, 25 * 3600.0)


class FakeClock:
    """A clock that moves only when told."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def clock(speed: float = 60.0) -> tuple[ReplayClock, FakeClock, FakeClock]:
    mono, wall = FakeClock(100.0), FakeClock(1_700_000_000.5)
    return ReplayClock(WINDOW, speed=speed, monotonic=mono, wall=wall), mono, wall


def test_paused_at_the_start_until_started() -> None:
    replay, mono, _ = clock()
    mono.now += 50
    assert replay.now_s() == WINDOW[0]
    assert not replay.state().running


def test_runs_at_its_speed_and_pauses_where_it_is() -> None:
    replay, mono, _ = clock(speed=60)
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
    replay, mono, _ = clock(speed=10)
    replay.start()
    mono.now += 6
    replay.set_speed(3600)
    mono.now += 2
    assert replay.now_s() == WINDOW[0] + 60 + 7200
    assert replay.state().speed == 3600


def test_seek_is_clamped_to_the_window_and_keeps_running_or_paused() -> None:
    replay, mono, _ = clock(speed=2)
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
    replay, mono, _ = clock(speed=3600)
    replay.start()
    mono.now += 100
    assert replay.now_s() == WINDOW[1]
    assert not replay.state().running
    replay.start()  # from the end: starts over
    assert replay.now_s() == WINDOW[0]


def test_the_header_timestamp_never_goes_backwards() -> None:
    replay, mono, wall = clock()
    replay.start()
    first = replay.header_timestamp()
    assert first == 1_700_000_000
    mono.now += 30
    wall.now += 30
    second = replay.header_timestamp()
    replay.seek("05:00:00")  # the simulated time goes back: the timestamp does not
    wall.now -= 120  # nor when the wall clock is set back
    third = replay.header_timestamp()
    wall.now += 200
    fourth = replay.header_timestamp()
    assert first < second == third < fourth
    assert fourth == 1_700_000_110


@pytest.mark.parametrize("speed", [0.5, 0, 3601, float("nan"), float("inf")])
def test_a_speed_out_of_range_is_refused(speed: float) -> None:
    replay, _, _ = clock()
    with pytest.raises(ArgumentError, match="speed"):
        replay.set_speed(speed)
    assert replay.state().speed == 60


@pytest.mark.parametrize("text", ["8:15", "08:61:00", "x", "08:15:00 ", "-1:00:00"])
def test_a_bad_time_is_refused(text: str) -> None:
    replay, _, _ = clock()
    with pytest.raises(ArgumentError, match="at"):
        replay.seek(text)
    assert replay.now_s() == WINDOW[0]


def test_times_of_day_round_trip() -> None:
    assert time_of_day(seconds_of_day("25:03:09")) == "25:03:09"
    assert seconds_of_day("00:00:01") == 1.0
