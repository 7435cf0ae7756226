"""UIC 406 compression: a handmade timetable worked by hand, then a regular Astana hour.

Handmade stairways over three blocks [0, 1000), [1000, 2000), [2000, 3000) (times relative to
each trip's departure):

    fast  A: start (−5, 20, 50),  end (40, 75, 110)
    slow  B: start (−5, 30, 80),  end (55, 110, 160)

A follower k is packed behind its leader k−1 by max_j(end_{k−1, j} − start_{k, j}):

    B behind A: max(40 + 5, 75 − 30, 110 − 80) = max(45, 45, 30) = 45 s
    A behind B: max(55 + 5, 110 − 20, 160 − 50) = max(60, 90, 110) = 110 s

Timetable over a 600 s period: A at 0 s, B at 130 s, A at 290 s, B at 470 s (irregular). In that
order the compressed departures are 0, 45, 155, 200 s, and the occupation runs from the first
start (A: −5) to the last end (B departing at 200: 200 + 160 = 360): 365 s, 60.8 % of 600 s.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lrtsim.capacity.analysis import HeadwayAnalysis, regular_service_occupancy
from lrtsim.capacity.blocking import Stairway
from lrtsim.capacity.uic406 import Section, Trip, occupancy
from lrtsim.errors import LrtsimError

FROM = np.array([0.0, 1000.0, 2000.0])
TO = np.array([1000.0, 2000.0, 3000.0])
FAST = Stairway(FROM, TO, np.array([-5.0, 20.0, 50.0]), np.array([40.0, 75.0, 110.0]))
SLOW = Stairway(FROM, TO, np.array([-5.0, 30.0, 80.0]), np.array([55.0, 110.0, 160.0]))
WHOLE = Section("whole", 0.0, 3000.0)
MIDDLE = Section("middle block", 1000.0, 2000.0)
PERIOD = 600.0


def timetable() -> list[Trip]:
    return [Trip(0.0, FAST), Trip(130.0, SLOW), Trip(290.0, FAST), Trip(470.0, SLOW)]


def test_handmade_timetable_by_hand() -> None:
    (whole,) = occupancy(timetable(), [WHOLE], PERIOD)
    assert whole.trips == 4
    assert whole.occupation_s == pytest.approx(45 + 110 + 45 + 160 + 5)  # 365 s
    assert whole.share == pytest.approx(365 / 600)


def test_one_section_by_hand() -> None:
    """Block [1000, 2000) alone: B behind A 75 − 30 = 45, A behind B 110 − 20 = 90; departures
    0, 45, 135, 180; from A's start 20 to the last B's end 180 + 110 = 290: 270 s."""
    (middle,) = occupancy(timetable(), [MIDDLE], PERIOD)
    assert middle.occupation_s == pytest.approx(45 + 90 + 45 + 110 - 20)
    assert middle.occupation_s == pytest.approx(270.0)


def test_the_order_is_kept() -> None:
    """The trips are compressed in their timetable order, not re-ordered to pack tighter. The
    list order does not matter (they are sorted by departure), the timetable order does:
    B, A, B, A gives 110 + 45 + 110 = 265 s of offsets, then from B's start −5 to the last A's
    end 265 + 110: 380 s, more than the 365 s of A, B, A, B."""
    shuffled = [timetable()[i] for i in (2, 0, 3, 1)]
    assert occupancy(shuffled, [WHOLE], PERIOD)[0].occupation_s == pytest.approx(365.0)
    swapped = [Trip(0.0, SLOW), Trip(130.0, FAST), Trip(290.0, SLOW), Trip(470.0, FAST)]
    assert occupancy(swapped, [WHOLE], PERIOD)[0].occupation_s == pytest.approx(380.0)


def test_departure_times_do_not_matter_once_compressed() -> None:
    spread = [Trip(0.0, FAST), Trip(50.0, SLOW), Trip(300.0, FAST), Trip(599.0, SLOW)]
    assert occupancy(spread, [WHOLE], PERIOD)[0].occupation_s == pytest.approx(365.0)


@pytest.mark.parametrize(("stairs", "span"), [(FAST, 115.0), (SLOW, 165.0)])
def test_a_single_train_occupies_its_own_blocking_span(stairs: Stairway, span: float) -> None:
    """One train: from its first blocking start to its last end (A: −5 → 110, B: −5 → 160)."""
    (whole,) = occupancy([Trip(100.0, stairs)], [WHOLE], PERIOD)
    assert whole.occupation_s == pytest.approx(span)
    assert whole.occupation_s == pytest.approx(np.max(stairs.end_s) - np.min(stairs.start_s))


def test_occupancy_rises_as_trains_are_added() -> None:
    trips = timetable()
    shares = [occupancy(trips[:k], [WHOLE, MIDDLE], PERIOD) for k in range(1, 5)]
    for section in (0, 1):
        values = [s[section].share for s in shares]
        assert all(b > a for a, b in itertools.pairwise(values)), values
    # whole: A alone −5 → 110 = 115; + B: 45 + 160 + 5 = 210; + A: 45 + 110 + 110 + 5 = 270;
    # + B: 365. Middle block: 75 − 20 = 55; 45 + 110 − 20 = 135; 135 + 75 − 20 = 190; 270.
    assert [s[0].occupation_s for s in shares] == pytest.approx([115.0, 210.0, 270.0, 365.0])
    assert [s[1].occupation_s for s in shares] == pytest.approx([55.0, 135.0, 190.0, 270.0])


def test_blocks_past_the_terminus_and_empty_inputs() -> None:
    """A NaN end (past the last stop) leaves the block out: two A trips cut after two blocks
    pack at max(40 + 5, 75 − 20) = 55 s (the third block's 110 − 50 = 60 would have bound),
    occupation 55 + 75 + 5 = 135 s. No trips or no blocks: nothing."""
    cut = Stairway(FROM, TO, FAST.start_s, np.array([40.0, 75.0, np.nan]))
    (whole,) = occupancy([Trip(0.0, cut), Trip(10.0, cut)], [WHOLE], PERIOD)
    assert whole.occupation_s == pytest.approx(135.0)
    empty = occupancy([], [WHOLE], PERIOD)[0]
    assert (empty.trips, empty.occupation_s) == (0, 0.0)
    nowhere = occupancy(timetable(), [Section("beyond", 5000.0, 6000.0)], PERIOD)[0]
    assert nowhere.occupation_s == 0.0
    with pytest.raises(ValueError, match="period"):
        occupancy(timetable(), [WHOLE], 0.0)


# ---------------------------------------------------------------------------------- Astana
def test_astana_regular_hour(astana_analysis: HeadwayAnalysis) -> None:
    """12 trains 300 s apart in one hour, per direction. Identical stairways pack at each
    section's own headway h_s = max_j (end_j − start_j) over its blocks, so the compressed
    occupation is 11·h_s + (the section's blocking span of one train)."""
    result = regular_service_occupancy(astana_analysis, 300.0)
    for d in astana_analysis.directions:
        stairs = d.stairway
        stops, names = d.trip.stop_m, d.trip.stop_names
        items = result[d.direction]
        assert len(items) == len(stops) - 1 == 17
        for i, o in enumerate(items):
            assert o.section == f"{names[i]} – {names[i + 1]}"
            assert o.trips == 12
            inside = (stairs.from_m >= stops[i] - 1e-6) & (stairs.to_m <= stops[i + 1] + 1e-6)
            inside &= ~np.isnan(stairs.end_s)
            start, end = stairs.start_s[inside], stairs.end_s[inside]
            h_section = float(np.max(end - start))
            span = float(np.max(end) - np.min(start))
            assert o.share == pytest.approx((11 * h_section + span) / 3600.0, rel=1e-12)
            # a section never needs more than the direction's whole stairway headway
            assert h_section <= float(np.nanmax(stairs.end_s - stairs.start_s)) + 1e-9
            assert 0 < o.share < 1


def test_astana_occupancy_rises_with_frequency(astana_analysis: HeadwayAnalysis) -> None:
    sparse = regular_service_occupancy(astana_analysis, 600.0)
    dense = regular_service_occupancy(astana_analysis, 300.0)
    for direction in ("up", "down"):
        for a, b in zip(sparse[direction], dense[direction], strict=True):
            assert b.share > a.share


def test_regular_service_rejects_a_bad_headway(astana_analysis: HeadwayAnalysis) -> None:
    for bad in (0.0, -5.0, 3601.0):
        with pytest.raises(LrtsimError, match="headway"):
            regular_service_occupancy(astana_analysis, bad)
