"""`s_to_clock`: seconds after midnight as HH:MM, rounded to the nearest minute, down or up."""

from __future__ import annotations

import pytest

from lrtsim.model.units import s_to_clock


@pytest.mark.parametrize(
    ("seconds", "nearest", "down", "up"),
    [
        (0.0, "00:00", "00:00", "00:00"),
        (21_600.0, "06:00", "06:00", "06:00"),  # a whole minute is the same every way
        (21_629.0, "06:00", "06:00", "06:01"),
        (21_631.0, "06:01", "06:00", "06:01"),
        (21_659.9, "06:01", "06:00", "06:01"),
        (86_399.0, "24:00", "23:59", "24:00"),
        (90_061.0, "25:01", "25:01", "25:02"),  # past midnight the hours go on past 24
        (108_000.0, "30:00", "30:00", "30:00"),
    ],
)
def test_each_rounding_gives_the_expected_clock(
    seconds: float, nearest: str, down: str, up: str
) -> None:
    assert s_to_clock(seconds) == nearest
    assert s_to_clock(seconds, "nearest") == nearest
    assert s_to_clock(seconds, "down") == down
    assert s_to_clock(seconds, "up") == up


def test_down_and_up_bracket_the_time() -> None:
    for seconds in range(0, 7_200, 7):
        lo, hi = s_to_clock(seconds, "down"), s_to_clock(seconds, "up")
        lo_s = int(lo[:2]) * 3600 + int(lo[3:]) * 60
        hi_s = int(hi[:2]) * 3600 + int(hi[3:]) * 60
        assert lo_s <= seconds <= hi_s
        assert hi_s - lo_s in (0, 60)


def test_an_unknown_rounding_is_refused() -> None:
    with pytest.raises(ValueError, match="rounding must be"):
        s_to_clock(60.0, "half")  # type: ignore[arg-type]


def test_s_to_hms_passes_24_hours_and_reads_back() -> None:
    from lrtsim.model.units import s_to_hms

    assert s_to_hms(0) == "00:00:00"
    assert s_to_hms(3599) == "00:59:59"
    assert s_to_hms(25 * 3600 + 61) == "25:01:01"
    for seconds in (0, 59, 3600, 86_399, 90_061, 107_999):
        h, m, s = (int(x) for x in s_to_hms(seconds).split(":"))
        assert (h * 3600 + m * 60 + s, m < 60, s < 60) == (seconds, True, True)
