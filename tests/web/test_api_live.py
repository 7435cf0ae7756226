"""The live endpoints of the session's Astana run on a live service: its line, trains that
move, station queues, the replay clock over HTTP, GTFS-Realtime feeds that parse, validate
against the run's own gtfs.zip and never stamp backwards, and a bounded load."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pandas as pd
import pytest
from google.transit import gtfs_realtime_pb2 as rt
from gtfs_rt_validator.api import Mode, Request, prepare_feed, resolve_roles, validate
from live_support import paced_load
from server_support import Server

from lrtsim.io.catalogue import Catalogue, default_url

ASTANA_LAT, ASTANA_LON = 51.13, 71.43
NEAR_DEG = 0.3
"""Every point of the line lies within this of the city's centre (about 30 km)."""

RULES = {"E003", "E004", "E011", "E022", "E023", "E025", "E029"}
LOAD_RATE_PER_S, LOAD_DURATION_S = 200.0, 20.0


@pytest.fixture(scope="module")
def client(session_server: Server) -> Iterator[httpx.Client]:
    with session_server.client() as opened:
        yield opened


@pytest.fixture(scope="module")
def run_id(astana_run: dict) -> str:
    return str(astana_run["run"]["id"])


@pytest.fixture(scope="module")
def static(client: httpx.Client, run_id: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The run's gtfs.zip as served (its path) and its tables."""
    answer = client.get(f"/api/runs/{run_id}/gtfs.zip")
    assert answer.status_code == 200
    path = tmp_path_factory.mktemp("static") / "gtfs.zip"
    path.write_bytes(answer.content)
    with zipfile.ZipFile(io.BytesIO(answer.content)) as z:
        tables = {n: pd.read_csv(z.open(n), dtype=str) for n in z.namelist()}
    return {"path": path, "tables": tables}


def replay(client: httpx.Client, run_id: str, **body: object) -> httpx.Response:
    return client.post(f"/api/runs/{run_id}/replay", json=body)


def test_the_line_is_in_km_order_near_astana(client: httpx.Client, run_id: str) -> None:
    line = client.get(f"/api/runs/{run_id}/line").json()
    kms = [s["km"] for s in line["stations"]]
    assert len(kms) > 2
    assert kms == sorted(kms)
    assert line["length_km"] == pytest.approx(kms[-1] - kms[0])
    points = [(s["lat"], s["lon"]) for s in line["stations"]] + [tuple(p) for p in line["track"]]
    assert len(line["track"]) > len(kms)
    assert all(abs(a - ASTANA_LAT) < NEAR_DEG and abs(o - ASTANA_LON) < NEAR_DEG for a, o in points)
    window = line["window"]
    assert window["start_s"] < window["end_s"]
    assert window["start"] == "06:00:00" or window["start_s"] >= 4 * 3600


def test_trains_move_and_run_trips_of_the_static_feed(
    client: httpx.Client, run_id: str, static: dict
) -> None:
    first = client.get(f"/api/runs/{run_id}/positions", params={"t": "08:00:00"}).json()
    later = client.get(f"/api/runs/{run_id}/positions", params={"t": "08:00:30"}).json()
    assert first["t"] == "08:00:00"
    assert first["t_s"] == 8 * 3600
    assert len(first["trains"]) > 2
    where = {t["vehicle_id"]: t["km"] for t in first["trains"]}
    moved = [
        t for t in later["trains"] if t["vehicle_id"] in where and t["km"] != where[t["vehicle_id"]]
    ]
    assert moved, "no train moved in 30 s"
    trips = set(static["tables"]["trips.txt"]["trip_id"])
    stops = set(static["tables"]["stops.txt"]["stop_id"])
    for train in first["trains"] + later["trains"]:
        assert train["trip_id"] in trips
        assert train["stop_id"] in stops
        assert train["status"] in ("STOPPED_AT", "IN_TRANSIT_TO")
        assert 0 <= train["load_pax"] <= train["capacity_pax"]


def test_stations_have_queues_in_the_peak(client: httpx.Client, run_id: str) -> None:
    peak = client.get(f"/api/runs/{run_id}/stations", params={"t": "08:00:00"}).json()
    night = client.get(f"/api/runs/{run_id}/stations", params={"t": "03:00:00"}).json()
    assert peak["t"] == "08:00:00"
    assert sum(s["waiting_pax"] for s in peak["stations"]) > 0
    assert all(s["waiting_pax"] >= 0 for s in peak["stations"])
    assert all(s["waiting_pax"] == 0 for s in night["stations"])


@pytest.mark.parametrize("t", ["8:00", "08:61:00", "x", "25:00"])
def test_a_bad_time_is_422(client: httpx.Client, run_id: str, t: str) -> None:
    for what in ("positions", "stations"):
        answer = client.get(f"/api/runs/{run_id}/{what}", params={"t": t})
        assert answer.status_code == 422
        assert answer.json()["status"] == 422


def test_unknown_and_unfinished_runs(session_server: Server, client: httpx.Client) -> None:
    with Catalogue.open(default_url(session_server.runs_dir)) as catalogue:
        unfinished = catalogue.start(
            scenario="astana", scenario_hash="1" * 64, seed=1, options={}, lrtsim_version="0"
        )
    missing = "00000000-0000-4000-8000-000000000000"
    paths = ["line", "positions", "stations", "replay"]
    for path in paths:
        assert client.get(f"/api/runs/{missing}/{path}").status_code == 404
        assert client.get(f"/api/runs/{unfinished}/{path}").status_code == 409
    for feed in ("vehicle-positions", "trip-updates"):
        assert client.get(f"/gtfs-rt/{missing}/{feed}").status_code == 404
        assert client.get(f"/gtfs-rt/{unfinished}/{feed}").status_code == 409
    assert client.get("/gtfs-rt/not-a-uuid/trip-updates").status_code == 422


def test_the_replay_clock_over_http(client: httpx.Client, run_id: str) -> None:
    state = replay(client, run_id, action="seek", at="08:00:00").json()
    assert state == {**state, "running": False, "now": "08:00:00", "now_s": 8 * 3600.0}
    positions = client.get(f"/api/runs/{run_id}/positions").json()
    assert positions["t"] == "08:00:00"  # t left out: the clock's now
    started = replay(client, run_id, action="start", speed=600).json()
    assert started["running"]
    assert started["speed"] == 600
    paused = replay(client, run_id, action="pause").json()
    assert not paused["running"]
    assert paused["now_s"] > 8 * 3600
    again = client.get(f"/api/runs/{run_id}/replay").json()
    assert again["now_s"] == paused["now_s"]
    early = replay(client, run_id, action="seek", at="01:00:00").json()
    assert early["now_s"] == early["start_s"]  # clamped to the window
    bad = [
        replay(client, run_id, action="seek"),
        replay(client, run_id, action="seek", at="8 o'clock"),
        replay(client, run_id, action="start", speed=0.5),
        replay(client, run_id, action="start", speed=4000),
        replay(client, run_id, action="rewind"),
        replay(client, run_id, action="start", extra=1),
    ]
    assert [b.status_code for b in bad] == [422] * len(bad)
    assert client.get(f"/api/runs/{run_id}/replay").json()["now_s"] == early["now_s"]


def feed(client: httpx.Client, run_id: str, kind: str) -> rt.FeedMessage:
    answer = client.get(f"/gtfs-rt/{run_id}/{kind}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/x-protobuf"
    return rt.FeedMessage.FromString(answer.content)


def posix_of(static: dict, date: str, t_s: float) -> int:
    """POSIX seconds of `t_s` after the GTFS day zero (noon − 12 h) of `date` in the feed's zone."""
    zone = ZoneInfo(static["tables"]["agency.txt"]["agency_timezone"].iloc[0])
    day = dt.datetime.strptime(date, "%Y%m%d").replace(hour=12, tzinfo=zone)
    return int(day.timestamp()) - 12 * 3600 + int(t_s)


def next_running_date(static: dict, trip_id: str, date: str) -> str:
    """The next date after `date` on which the feed's calendar.txt runs the trip's service."""
    trips = static["tables"]["trips.txt"].set_index("trip_id")
    calendar = static["tables"]["calendar.txt"].set_index("service_id")
    row = calendar.loc[trips.loc[trip_id, "service_id"]]
    names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    day = dt.datetime.strptime(date, "%Y%m%d").date() + dt.timedelta(days=1)
    while row[names[day.weekday()]] != "1":
        day += dt.timedelta(days=1)
    return f"{day:%Y%m%d}"


def test_the_feeds_tell_replay_time_and_a_seek_back_is_the_next_service_date(
    client: httpx.Client, run_id: str, static: dict
) -> None:
    late_state = replay(client, run_id, action="seek", at="17:30:00").json()
    late = feed(client, run_id, "vehicle-positions")
    date = late_state["service_date"]
    assert late.header.timestamp == posix_of(static, date, 17.5 * 3600)
    assert late.header.incrementality == rt.FeedHeader.FULL_DATASET
    assert {e.vehicle.trip.start_date for e in late.entity} == {date}
    assert {e.vehicle.timestamp for e in late.entity} == {late.header.timestamp}

    early_state = replay(client, run_id, action="seek", at="07:00:00").json()
    assert early_state["lap"] == late_state["lap"] + 1
    next_date = next_running_date(static, late.entity[0].vehicle.trip.trip_id, date)
    assert early_state["service_date"] == next_date
    early = feed(client, run_id, "vehicle-positions")
    updates = feed(client, run_id, "trip-updates")
    assert (
        early.header.timestamp == updates.header.timestamp == posix_of(static, next_date, 7 * 3600)
    )
    assert late.header.timestamp < early.header.timestamp
    assert {e.trip_update.trip.start_date for e in updates.entity} == {next_date}
    predicted = [
        u.arrival.time
        for e in updates.entity
        for u in e.trip_update.stop_time_update
        if u.HasField("arrival")
    ]
    assert min(predicted) >= early.header.timestamp - 600
    assert max(predicted) <= early.header.timestamp + 3 * 3600
    late_trips = {e.vehicle.trip.trip_id for e in late.entity}
    early_trips = {e.vehicle.trip.trip_id for e in early.entity}
    assert late_trips
    assert early_trips
    assert late_trips != early_trips


def test_the_feeds_validate_against_the_runs_gtfs_zip(
    client: httpx.Client, run_id: str, static: dict, tmp_path: Path
) -> None:
    prepared = prepare_feed(static["path"], mode=Mode.MODERN)
    for n, at in enumerate(("06:30:00", "08:20:00", "17:30:00")):
        replay(client, run_id, action="seek", at=at)
        vp_msg = feed(client, run_id, "vehicle-positions")
        tu_msg = feed(client, run_id, "trip-updates")
        assert len(vp_msg.entity) > 0
        assert len(tu_msg.entity) > 0
        tu, vp = tmp_path / f"tu{n}.pb", tmp_path / f"vp{n}.pb"
        tu.write_bytes(tu_msg.SerializeToString())
        vp.write_bytes(vp_msg.SerializeToString())
        result = validate(
            Request(
                mode=Mode.MODERN,
                gtfs=prepared,
                inputs=resolve_roles({"tu": str(tu), "vp": str(vp)}),
                at=dt.datetime.fromtimestamp(tu_msg.header.timestamp, dt.UTC),
            )
        )
        written = result.write(tmp_path / f"report{n}")
        report = json.loads(written.report.read_text())
        assert set(report["summary"]["rulesRun"]) >= RULES
        assert result.error_ids() == (), report["notices"]
        assert json.loads(written.system_errors.read_text())["notices"] == []


def test_the_json_format(client: httpx.Client, run_id: str) -> None:
    replay(client, run_id, action="seek", at="08:00:00")
    binary = feed(client, run_id, "vehicle-positions")
    answer = client.get(f"/gtfs-rt/{run_id}/vehicle-positions", params={"format": "json"})
    assert answer.headers["content-type"].startswith("application/json")
    data = answer.json()
    assert data["header"]["incrementality"] == "FULL_DATASET"
    assert int(data["header"]["timestamp"]) >= binary.header.timestamp
    assert [e["vehicle"]["vehicle"]["id"] for e in data["entity"]] == [
        e.vehicle.vehicle.id for e in binary.entity
    ]
    updates = client.get(f"/gtfs-rt/{run_id}/trip-updates", params={"format": "json"}).json()
    assert all("trip_update" in e for e in updates["entity"])
    other = client.get(f"/gtfs-rt/{run_id}/trip-updates", params={"format": "xml"})
    assert other.status_code == 422


def test_a_bounded_load_on_vehicle_positions(
    session_server: Server, client: httpx.Client, run_id: str
) -> None:
    replay(client, run_id, action="seek", at="08:00:00")
    replay(client, run_id, action="start", speed=60)
    url = f"{session_server.url}/gtfs-rt/{run_id}/vehicle-positions"
    load = paced_load(url, LOAD_RATE_PER_S, LOAD_DURATION_S)
    replay(client, run_id, action="pause")
    print(f"\n{LOAD_RATE_PER_S:g} requests/s for {LOAD_DURATION_S:g} s: {load.summary()}")
    assert load.statuses == {"200": int(LOAD_RATE_PER_S * LOAD_DURATION_S)}
