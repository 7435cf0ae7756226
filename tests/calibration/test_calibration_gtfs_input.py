"""What calibration reads from a GTFS feed: a small synthetic feed whose numbers the test wrote."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import pytest

from lrtsim.io.gtfs.calibration_input import CalibrationInput, calibration_input, match_stations
from lrtsim.io.gtfs.import_scenario import GtfsImport, import_gtfs
from lrtsim.io.gtfs.patterns import pattern_stations
from lrtsim.io.gtfs.read import read_feed

Read = tuple[GtfsImport, CalibrationInput]

STOP_X_M = (0.0, 500.0, 1200.0, 2000.0, 3000.0)
UP_RUN_S = (60, 75, 90, 100)
UP_DWELL_S = (0, 20, 30, 25, 0)
DOWN_RUN_S = (110, 85, 70, 65)  # End → Start, its own running order
DOWN_DWELL_S = (0, 35, 20, 15, 0)


def lon_lat(x: float, y: float) -> tuple[float, float]:
    lat0, lon0 = 45.5, -122.6
    lat = lat0 + math.degrees(y / 6_371_008.8)
    lon = lon0 + math.degrees(x / (6_371_008.8 * math.cos(math.radians(lat0))))
    return round(lon, 7), round(lat, 7)


def hms(s: float) -> str:
    s = int(s)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def stop_rows(
    trip: str, stops: list[str], start: float, run: tuple[int, ...], dwell: tuple[int, ...]
) -> str:
    rows, t = [], start
    for i, stop in enumerate(stops):
        arrival = t
        departure = arrival + dwell[i]
        rows.append(f"{trip},{hms(arrival)},{hms(departure)},{stop},{i + 1}\n")
        if i < len(run):
            t = departure + run[i]
    return "".join(rows)


def write_feed(path: Path) -> Path:
    """A straight 3 km line. Up stops U0–U4; down returns to U4, then D3 (a couplet platform 80 m
    off U3, another name), D2 and D1 (same parent stations as U2 and U1) and D0 (named like U0).
    Two blocks shuttle; one short up trip (U0–U2) runs too, on another block."""
    up_stops = [f"U{i}" for i in range(5)]
    down_stops = ["U4", "D3", "D2", "D1", "D0"]
    xy = {f"U{i}": (x, 0.0) for i, x in enumerate(STOP_X_M)}
    xy |= {"D3": (STOP_X_M[3], 80.0), "D2": (STOP_X_M[2], 15.0), "D1": (STOP_X_M[1], 15.0)}
    xy |= {"D0": (STOP_X_M[0], 15.0), "P1": (STOP_X_M[1], 8.0), "P2": (STOP_X_M[2], 8.0)}
    names = {"U0": "Start", "U1": "One", "U2": "Two", "U3": "Three 6th", "U4": "End"}
    names |= {"D0": "Start", "D1": "One", "D2": "Two", "D3": "Three 5th", "P1": "One", "P2": "Two"}
    parent = {"U1": "P1", "U2": "P2", "D1": "P1", "D2": "P2"}
    stops = "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n" + "".join(
        f"{s},{names[s]},{lon_lat(*xy[s])[1]},{lon_lat(*xy[s])[0]},"
        f"{1 if s.startswith('P') else 0},{parent.get(s, '')}\n"
        for s in xy
    )
    trips = "route_id,service_id,trip_id,direction_id,block_id,shape_id\n"
    times = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    up_time = sum(UP_RUN_S) + sum(UP_DWELL_S)
    for k in range(6):  # two blocks: up at 06:00 + 20 min·k, back down after 200 s
        block = f"B{k % 2}"
        start = 6 * 3600 + 1200 * k
        trips += f"R,WK,up{k},0,{block},SU\nR,WK,dn{k},1,{block},SD\n"
        times += stop_rows(f"up{k}", up_stops, start, UP_RUN_S, UP_DWELL_S)
        times += stop_rows(f"dn{k}", down_stops, start + up_time + 200, DOWN_RUN_S, DOWN_DWELL_S)
    trips += "R,WK,short,0,B9,SU\nR,WE,sunday,0,B8,SU\n"
    times += stop_rows("short", up_stops[:3], 9 * 3600, UP_RUN_S[:2], UP_DWELL_S[:3])
    times += stop_rows("sunday", up_stops, 9 * 3600, UP_RUN_S, UP_DWELL_S)
    shape = "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\n"
    for sid, xs in (("SU", range(0, 3001, 100)), ("SD", range(3000, -1, -100))):
        shape += "".join(
            f"{sid},{lon_lat(x, 0)[1]},{lon_lat(x, 0)[0]},{i}\n" for i, x in enumerate(xs)
        )
    files = {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Test,https://x.org,UTC\n",
        "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\nR,A,1,L,0\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
        "start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20240131\n"
        "WE,0,0,0,0,0,0,1,20240101,20240131\n",
        "trips.txt": trips,
        "stops.txt": stops,
        "stop_times.txt": times,
        "shapes.txt": shape,
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return path


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> Read:
    imported = import_gtfs(write_feed(tmp_path_factory.mktemp("feed") / "f.zip"), "R")
    return imported, calibration_input(imported)


def test_the_fitted_schedule_is_the_imports(read: Read) -> None:
    imported, inputs = read
    assert inputs.fitted.direction == "up"
    assert inputs.fitted.run_s == UP_RUN_S
    assert inputs.fitted.dwell_s == UP_DWELL_S
    assert len(imported.scenario.line.stations) == 5


def test_the_held_out_schedule_maps_onto_the_scenario_stations(read: Read) -> None:
    _, inputs = read
    held = inputs.held_out
    assert held is not None
    assert held.direction == "down"
    assert held.run_s == DOWN_RUN_S  # the down running order is the other direction's own
    assert held.dwell_s == DOWN_DWELL_S
    paired = [n for n in inputs.notes if "paired" in n]
    assert len(paired) == 1
    assert "Three 6th" in paired[0]
    assert "Three 5th" in paired[0]
    assert "(80 m)" in paired[0]


def test_the_service_trips_are_the_typical_dates(read: Read) -> None:
    _, inputs = read
    service = inputs.service
    assert service.date == "20240101"  # a Monday: weekday service, not the Sunday trip
    ids = {t.trip_id for t in service.trips}
    assert ids == {f"up{k}" for k in range(6)} | {f"dn{k}" for k in range(6)} | {"short"}
    by_id = {t.trip_id: t for t in service.trips}
    assert by_id["short"].full_length is False
    assert all(
        by_id[f"dn{k}"].full_length and by_id[f"dn{k}"].direction == "down" for k in range(6)
    )
    assert by_id["up1"].block_id == "B1"
    assert by_id["up2"].departure_s == 6 * 3600 + 2400
    assert by_id["up2"].arrival_s == 6 * 3600 + 2400 + sum(UP_RUN_S) + sum(UP_DWELL_S[:-1])


def test_a_station_without_counterpart_leaves_its_segments_unknown(read: Read) -> None:
    imported, _ = read
    feed = read_feed(imported.feed)
    other = pattern_stations(feed, ["U4", "D3", "D1", "D0"])  # skips Two
    matched, notes = match_stations(feed, imported.stations, other[::-1])
    assert matched == [0, 1, None, None, 3]  # Three has no partner once Two is gone
    assert any("no held-out counterpart" in n and "Two" in n for n in notes)
