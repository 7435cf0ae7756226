"""Live vehicle states against the static feed and the simulated day, computed independently."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from rt_support import INSTANTS_S, Case

from lrtsim.errors import LrtsimError
from lrtsim.io.gtfs_rt import live_day, on_lap, service_window_s, vehicles

EARTH_M = 6_371_000.0

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _instants(case: Case) -> list[float]:
    _start, end = service_window_s(case.live)
    return [*INSTANTS_S, end + 600.0]


def _in_progress(case: Case, t_s: float) -> set[str]:
    """Trips whose train has left its first stop and not reached its last at t_s, from the
    day's stop times (served stops only)."""
    st = case.run.result.stop_times.dropna(subset=["actual_arrival_s"])
    first = st.groupby("trip_id")["actual_departure_s"].first()
    last = st.groupby("trip_id")["actual_arrival_s"].max()
    return {str(t) for t in first.index if first[t] <= t_s <= last[t]}


def _distance_to_polyline_m(lat: float, lon: float, pts: np.ndarray) -> float:
    """Least distance from a point to a lat/lon polyline, on a local flat projection."""
    k = np.cos(np.radians(lat))
    xy = np.column_stack(
        [np.radians(pts[:, 1] - lon) * k * EARTH_M, np.radians(pts[:, 0] - lat) * EARTH_M]
    )
    a, b = xy[:-1], xy[1:]
    ab = b - a
    u = np.clip(-(a * ab).sum(axis=1) / np.maximum((ab * ab).sum(axis=1), 1e-12), 0.0, 1.0)
    closest = a + u[:, None] * ab
    return float(np.min(np.hypot(closest[:, 0], closest[:, 1])))


def test_the_trains_listed_are_the_trips_in_progress(case: Case) -> None:
    prefix = f"{case.run.design.day_type}-" if len(case.run.day_plans) > 1 else ""
    counted = 0
    for t_s in _instants(case):
        listed = vehicles(case.live, t_s)
        expected = {prefix + t for t in _in_progress(case, t_s)}
        assert {v.trip_id for v in listed} == expected
        assert len(listed) == len(expected)
        ids = [v.vehicle_id for v in listed]
        assert ids == sorted(ids)
        assert len(set(ids)) == len(ids)
        counted += len(listed)
    assert counted > 0
    assert vehicles(case.live, service_window_s(case.live)[1] + 600.0) == []
    assert vehicles(case.live, service_window_s(case.live)[0] - 1.0) == []


def test_ids_and_start_times_are_the_static_feeds(case: Case) -> None:
    trips = case.tables["trips.txt"].set_index("trip_id")
    st = case.tables["stop_times.txt"]
    first_arrival = st.groupby("trip_id")["arrival_time"].first()
    pairs = set(zip(st["trip_id"], st["stop_id"], st["stop_sequence"].astype(int), strict=True))
    stops = case.tables["stops.txt"].set_index("stop_id")["stop_name"]
    for t_s in INSTANTS_S:
        for v in vehicles(case.live, t_s):
            assert v.trip_id in trips.index
            assert v.route_id == trips.loc[v.trip_id, "route_id"]
            assert v.vehicle_id == trips.loc[v.trip_id, "block_id"]
            assert v.direction_id == int(trips.loc[v.trip_id, "direction_id"])
            assert v.start_time == first_arrival[v.trip_id]
            assert (v.trip_id, v.stop_id, v.stop_sequence) in pairs
            assert v.next_stop_name == stops[v.stop_id]


def test_positions_lie_on_the_trips_shape(case: Case) -> None:
    trips = case.tables["trips.txt"].set_index("trip_id")
    shapes = case.tables["shapes.txt"].astype({"shape_pt_sequence": int})
    for t_s in INSTANTS_S:
        for v in vehicles(case.live, t_s):
            rows = shapes[shapes["shape_id"] == trips.loc[v.trip_id, "shape_id"]]
            pts = rows.sort_values("shape_pt_sequence")[["shape_pt_lat", "shape_pt_lon"]]
            assert _distance_to_polyline_m(v.lat, v.lon, pts.to_numpy(dtype=float)) < 50.0
            assert 0.0 <= v.bearing_deg < 360.0


def test_speed_load_and_status_within_bounds(case: Case) -> None:
    top_mps = case.run.scenario.rolling_stock.max_speed_kmh / 3.6
    stations_km = {s.name: s.km for s in case.run.scenario.line.stations}
    statuses = set()
    for t_s in np.arange(6 * 3600.0, 23 * 3600.0, 97.0):
        for v in vehicles(case.live, float(t_s)):
            assert 0.0 <= v.speed_mps <= top_mps + 1e-6
            assert 0 <= v.load_pax <= v.capacity_pax
            assert v.capacity_pax == case.run.result.capacity_pax
            statuses.add(v.status)
            if v.status == "STOPPED_AT":
                assert v.speed_mps == 0.0
                assert v.km == pytest.approx(stations_km[v.next_stop_name], abs=0.06)
    assert statuses == {"STOPPED_AT", "IN_TRANSIT_TO"}


def test_the_service_date_is_one_the_calendar_runs(plain: Case) -> None:
    calendar = plain.tables["calendar.txt"].set_index("service_id")
    row = calendar.loc[plain.run.design.day_type]
    day = dt.datetime.strptime(plain.live.service_date, "%Y%m%d").date()
    assert row[WEEKDAYS[day.weekday()]] == "1"
    assert row["start_date"] <= plain.live.service_date <= row["end_date"]
    sunday = dt.date(2027, 1, 3)
    assert sunday.weekday() == 6
    with pytest.raises(LrtsimError, match="service_date"):
        live_day(plain.run, service_date=f"{sunday:%Y%m%d}")
    monday = live_day(plain.run, service_date="20270104")
    assert monday.service_date == "20270104"


def test_by_default_the_day_is_published_on_the_first_running_date_from_today(
    plain: Case,
) -> None:
    zone = ZoneInfo(plain.tables["agency.txt"]["agency_timezone"].iloc[0])
    today = f"{dt.datetime.now(zone).date():%Y%m%d}"
    dates = plain.live.running_dates
    assert list(dates) == sorted(set(dates))
    assert dates[0] >= plain.tables["calendar.txt"]["start_date"].iloc[0]
    later = [d for d in dates if d >= today]
    assert plain.live.service_date == (later[0] if later else dates[-1])


def test_each_lap_is_the_next_running_date_until_the_calendar_ends(plain: Case) -> None:
    dates = plain.live.running_dates
    k = dates.index(plain.live.service_date)
    assert on_lap(plain.live, 0) is plain.live
    one = on_lap(plain.live, 1)
    assert one.service_date == dates[k + 1]
    row = plain.tables["calendar.txt"].set_index("service_id").loc[plain.run.design.day_type]
    day = dt.datetime.strptime(one.service_date, "%Y%m%d")
    assert row[WEEKDAYS[day.weekday()]] == "1"
    noon = day.replace(hour=12, tzinfo=ZoneInfo(one.timezone))
    assert one.service_day_posix_s == int(noon.timestamp()) - 12 * 3600
    assert one.arrival_s is plain.live.arrival_s
    assert on_lap(plain.live, len(dates) + 5).service_date == dates[-1]
