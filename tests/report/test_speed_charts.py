"""The report's running-times section: speed profiles and tables against the `DirectionRun`s."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from chart_checks import check_chart, check_station_names, trace, values

from lrtsim.pipeline import RunResult
from lrtsim.report.sections import Section, Table
from lrtsim.report.speed_charts import sample_index, speed_section


@pytest.fixture(scope="module")
def section(astana_calm: RunResult) -> Section:
    return speed_section(astana_calm)


def test_one_chart_per_direction(section: Section, astana_calm: RunResult) -> None:
    assert [c.key for c in section.charts] == ["speed-up", "speed-down"]
    for chart in section.charts:
        check_chart(chart)
        check_station_names(chart, astana_calm.scenario.line)


@pytest.mark.parametrize("i", [0, 1])
def test_traces_are_the_runs(section: Section, astana_calm: RunResult, i: int) -> None:
    chart = section.charts[i]
    least, planned = astana_calm.runs.minimum[i], astana_calm.runs.planned[i]
    fast, sched = trace(chart, "minimum-time run"), trace(chart, "scheduled run")
    assert max(values(fast, "y")) == pytest.approx(least.profile.max_speed_mps * 3.6, abs=1e-9)
    assert max(values(sched, "y")) == pytest.approx(planned.profile.max_speed_mps * 3.6, abs=1e-9)
    # the x axis is line chainage in both directions: down runs from the last station back
    stations = astana_calm.scenario.line.stations
    ends = (stations[0].km, stations[-1].km)
    assert (fast.x[0], fast.x[-1]) == pytest.approx(ends if i == 0 else ends[::-1], abs=1e-9)
    # drawn light: a tenth of the points or fewer
    assert len(fast.x) < len(least.profile.km) / 5


@pytest.mark.parametrize("i", [0, 1])
def test_downsampled_profile_keeps_its_shape(astana_calm: RunResult, i: int) -> None:
    for run in (astana_calm.runs.minimum[i], astana_calm.runs.planned[i]):
        p = run.profile
        k = sample_index(p)
        assert (p.speed_mps[k] <= p.limit_mps[k] + 1e-9).all()
        assert set(p.stop_index.tolist()) <= set(k.tolist())
        assert p.speed_mps[k].max() == p.speed_mps.max()
        # every change of regime is drawn, and no gap is wider than the sampling step (to the
        # next grid point)
        change = np.flatnonzero(np.diff(p.mode.astype(int)) != 0)
        assert set(change.tolist()) <= set(k.tolist())
        assert np.diff(p.position_m[k]).max() <= 10.0 + np.diff(p.position_m).max() + 1e-9


def test_limit_trace_is_the_limit_the_head_meets(section: Section, astana_calm: RunResult) -> None:
    p = astana_calm.runs.minimum[0].profile
    limit = trace(section.charts[0], "speed limit")
    k = sample_index(p)
    assert np.array(limit.y) == pytest.approx(p.limit_mps[k] * 3.6)


def _table(section: Section, title: str) -> Table:
    return next(t for t in section.tables if t.title == title)


def _clock_s(text: str) -> float:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)


@pytest.mark.parametrize("i", [0, 1])
def test_running_time_table_totals(section: Section, astana_calm: RunResult, i: int) -> None:
    least, planned = astana_calm.runs.minimum[i], astana_calm.runs.planned[i]
    table = _table(section, "Running times by interstation")
    body, total = table.rows[:-1], table.rows[-1]
    assert len(body) == len(least.profile.segments)
    assert total[0] == "total"
    assert float(total[1]) * 1000 == pytest.approx(least.distance_m, abs=0.5)
    first = 2 + 3 * i  # this direction's columns: minimum, scheduled, top speed
    assert float(total[first]) == pytest.approx(least.profile.run_time_s, abs=0.05)
    assert float(total[first + 1]) == pytest.approx(planned.profile.run_time_s, abs=0.05)
    assert sum(float(r[first]) for r in body) == pytest.approx(
        least.profile.run_time_s, abs=0.05 * 17
    )
    assert sum(float(r[first + 1]) for r in body) == pytest.approx(
        planned.profile.run_time_s, abs=0.05 * 17
    )
    names = astana_calm.scenario.line.stations
    assert [r[0] for r in body] == [f"{a.name} – {b.name}" for a, b in itertools.pairwise(names)]
    # A row is one interstation in both directions: the down run's segment over the same track.
    line_order = least.profile.segments if i == 0 else least.profile.segments[::-1]
    for row, seg in zip(body, line_order, strict=True):
        assert float(row[first]) == pytest.approx(seg.run_time_s, abs=0.05)
        assert float(row[1]) * 1000 == pytest.approx(seg.distance_m, abs=0.5)
    dwells = {round(d) for d in planned.dwell_s[1:-1]}
    assert all(f"{d} s" in table.note for d in dwells)


def _full_trip_times_s(run: RunResult, direction: str) -> list[float]:
    """Each full-length trip's time in the timetable, by a pandas group-by (not the report's)."""
    tt = run.design.plan.timetable
    last = len(run.scenario.line.stations) - 1
    ends = (0, last) if direction == "up" else (last, 0)
    g = tt.groupby("trip_id").agg(
        d=("direction", "first"),
        a=("station_index", "first"),
        b=("station_index", "last"),
        t0=("departure_s", "first"),
        t1=("arrival_s", "last"),
    )
    full = g[(g.d == direction) & (g.a == ends[0]) & (g.b == ends[1])]
    return list(full.t1 - full.t0)


@pytest.mark.parametrize("i", [0, 1])
def test_trip_table_gives_least_dwell_and_timetable_times(
    section: Section, astana_calm: RunResult, i: int
) -> None:
    least, planned = astana_calm.runs.minimum[i], astana_calm.runs.planned[i]
    trip = _table(section, "Terminal to terminal").rows[i]
    assert _clock_s(trip[3]) == pytest.approx(least.total_time_s, abs=0.5)
    assert _clock_s(trip[4]) == pytest.approx(planned.total_time_s, abs=0.5)
    times = _full_trip_times_s(astana_calm, least.direction)
    assert len(times) > 100
    assert _clock_s(trip[5]) == pytest.approx(float(np.median(times)), abs=0.5)
    low, high = trip[6].split(" ")[0].split("–")
    assert (_clock_s(low), _clock_s(high)) == (min(times), max(times))
    assert f"({len(times)} trips)" in trip[6]
    # the timetable's dwells grow with passengers: its trips are longer than the least-dwell one
    assert min(times) > planned.total_time_s
    speed = planned.distance_m / float(np.median(times)) * 3.6
    assert float(trip[7]) == pytest.approx(speed, abs=0.05)
    assert float(trip[7]) < planned.commercial_speed_mps * 3.6
    if i == 0:
        assert f"{speed:.1f} km/h" in section.text[0]


def test_running_time_note_says_least_dwells(section: Section) -> None:
    note = _table(section, "Running times by interstation").note
    assert "Least dwells" in note
    assert "grow with the passengers" in note
