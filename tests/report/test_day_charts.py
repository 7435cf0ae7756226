"""The time–distance diagram: planned against simulated trips, incidents shaded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from chart_checks import check_section

from lrtsim.pipeline import RunResult
from lrtsim.report.chart_axes import clock_date, station_km
from lrtsim.report.day_charts import default_window, label_on_right, marey_section
from lrtsim.report.marey_data import Band


def _seconds(date: str) -> float:
    return float((pd.Timestamp(date) - pd.Timestamp(0)).total_seconds())


def test_marey_charts_are_titled_and_saved(astana_run: RunResult, astana_calm: RunResult) -> None:
    section = marey_section(astana_run)
    assert [c.key for c in section.charts] == ["marey", "marey-day"]
    check_section(section)
    check_section(marey_section(astana_calm))


def _has_points(
    t_s: np.ndarray, y: np.ndarray, want_t: np.ndarray, want_y: np.ndarray, tol_s: float
) -> np.ndarray:
    """For each wanted (time, km), whether the line has a point within `tol_s` at that km."""
    keep = np.isfinite(t_s)
    order = np.argsort(t_s[keep])
    t, k = t_s[keep][order], y[keep][order]
    found = np.zeros(len(want_t), dtype=bool)
    for shift in range(-12, 13):  # trains at one time: several points near it
        i = np.clip(np.searchsorted(t, want_t) + shift, 0, len(t) - 1)
        found |= (np.abs(t[i] - want_t) <= tol_s) & (np.abs(k[i] - want_y) < 1e-3)
    return found


def test_simulated_points_are_the_actual_stop_times_at_station_chainage(
    astana_run: RunResult,
) -> None:
    st = astana_run.result.stop_times
    km = station_km(astana_run.day)
    for chart in marey_section(astana_run).charts:
        for direction in ("up", "down"):
            trace = next(
                t for t in chart.figure.data if t.name.startswith(f"simulated {direction}")
            )
            t_s = np.asarray(trace.x, dtype=float) / 1000.0
            y = np.asarray(trace.y, dtype=float)
            rows = st[st["direction"] == direction]
            for col in ("actual_arrival_s", "actual_departure_s"):
                want = rows[col].to_numpy(float)
                assert np.isfinite(want).all()
                where = km[rows["station_index"].to_numpy(int)]
                # float32 on the chart: 8 ms at most at these times.
                assert _has_points(t_s, y, want, where, 0.01).all(), (chart.key, col)
            # And no point of the line is off the line's chainage or the day's times.
            assert np.nanmin(y) >= km.min() - 1e-3
            assert np.nanmax(y) <= km.max() + 1e-3


def test_planned_lines_are_the_timetable(astana_run: RunResult) -> None:
    chart = marey_section(astana_run).charts[0]
    planned = chart.figure.data[0]
    st = astana_run.result.stop_times
    t_s = np.asarray(planned.x, dtype=float) / 1000.0
    finite = t_s[np.isfinite(t_s)]
    # Two points per stop (arrival and departure), one gap per trip.
    assert len(finite) == 2 * len(st)
    assert np.isnan(t_s).sum() == st["trip_id"].nunique()
    assert sorted(finite) == pytest.approx(
        sorted(np.r_[st["planned_arrival_s"], st["planned_departure_s"]]), abs=0.01
    )
    assert planned.line.dash == "dash"


def test_every_incident_is_one_shaded_rectangle_over_its_time_and_section(
    astana_run: RunResult,
) -> None:
    km = {s.name: s.km for s in astana_run.day.line.stations}
    for chart in marey_section(astana_run).charts:
        shapes = [s for s in chart.figure.layout.shapes if s.type == "rect"]
        incidents = astana_run.day.operations.incidents
        assert len(shapes) == len(incidents) == 1
        for shape, incident in zip(shapes, incidents, strict=True):
            assert _seconds(shape.x0) == pytest.approx(incident.at_s)
            assert _seconds(shape.x1) == pytest.approx(incident.at_s + incident.duration_s)
            a, b = (km[x] for x in incident.between)
            assert (shape.y0, shape.y1) == (min(a, b), max(a, b))


def test_the_chart_opens_on_the_first_incident(
    astana_run: RunResult, astana_calm: RunResult
) -> None:
    start, end = default_window(astana_run)
    at = astana_run.day.operations.incidents[0].at_s
    assert start < at < at + 720 < end
    assert end - start >= 3600
    xaxis = marey_section(astana_run).charts[0].figure.layout.xaxis
    assert list(xaxis.range) == [clock_date(start), clock_date(end)]
    assert xaxis.rangeslider.visible
    # Without an incident: the morning's busiest hour of the plan.
    calm = default_window(astana_calm)
    loads = astana_calm.design.plan.loads.link_loads.max(axis=(0, 2))
    assert calm == (3600.0 * int(np.argmax(loads[:12])), 3600.0 * (int(np.argmax(loads[:12])) + 1))
    assert not list(marey_section(astana_calm).charts[0].figure.layout.shapes)


def test_stations_label_the_distance_axis(astana_run: RunResult) -> None:
    yaxis = marey_section(astana_run).charts[0].figure.layout.yaxis
    assert list(yaxis.ticktext) == [s.name for s in astana_run.day.line.stations]
    assert list(yaxis.tickvals) == [s.km for s in astana_run.day.line.stations]


def _day_span_s(run: RunResult) -> tuple[float, float]:
    """The day's stop times, out to the half hours around them."""
    st = run.result.stop_times
    first = np.nanmin(st[["planned_departure_s", "actual_departure_s"]].to_numpy(float))
    last = np.nanmax(st[["planned_arrival_s", "actual_arrival_s"]].to_numpy(float))
    return 1800.0 * np.floor(first / 1800.0), 1800.0 * np.ceil(last / 1800.0)


def test_slider_and_whole_day_span_the_day_not_the_labels(astana_run: RunResult) -> None:
    first, last = _day_span_s(astana_run)
    day = [clock_date(first), clock_date(last)]
    main, whole = marey_section(astana_run).charts
    slider = main.figure.layout.xaxis.rangeslider
    assert list(slider.range) == day
    assert slider.autorange is False
    assert main.figure.layout.xaxis.autorange is False
    assert list(whole.figure.layout.xaxis.range) == day
    assert list(whole.figure.layout.xaxis.rangeslider.range) == day
    # the incident labels stay inside the time axis: each starts or ends inside the window
    for chart in (main, whole):
        lo, hi = (_seconds(x) for x in chart.figure.layout.xaxis.range)
        for note in chart.figure.layout.annotations:
            assert lo <= _seconds(note.x) <= hi
            assert note.xanchor == ("right" if _seconds(note.x) > (lo + hi) / 2 else "left")


def test_a_late_incident_label_is_anchored_right() -> None:
    band = Band(20 * 3600.0, 20.5 * 3600.0, 3.0, 4.0, "late")
    assert label_on_right(band, (6 * 3600.0, 23 * 3600.0))
    assert not label_on_right(band, (19 * 3600.0, 23 * 3600.0))
