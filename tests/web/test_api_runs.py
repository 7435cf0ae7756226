"""`/api/runs` on a live service: one run of Astana from its request to its report and GTFS
feed, runs of the CLI in the same catalogue, and a bad request refused before it is queued."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from server_support import RUN_SEED, Server

from lrtsim.io.catalogue import Catalogue, default_url
from lrtsim.io.gtfs import validate_gtfs
from lrtsim.metrics.kpis import KPI_JSON_KEYS
from lrtsim.model.load import load_scenario
from lrtsim.pipeline import STEPS

SEED = RUN_SEED


@pytest.fixture(scope="module")
def server(session_server: Server) -> Server:
    """The session's service: the one the shared Astana run ran on."""
    return session_server


@pytest.fixture(scope="module")
def finished(astana_run: dict) -> dict:
    """The session's Astana run: its first answer and its end."""
    return astana_run


def test_a_run_is_accepted_with_a_uuid_and_its_progress(finished: dict) -> None:
    first = finished["first"]
    assert first["status"] in ("queued", "running")
    assert len(first["id"]) == 36
    assert first["seed"] == SEED
    assert first["progress"]["done"] == 0
    assert first["progress"]["total"] > len(STEPS)


def test_the_run_completes_with_its_kpis(finished: dict) -> None:
    run = finished["run"]
    assert run["status"] == "complete", run
    assert run["error"] is None
    assert list(run["kpis"]) == list(KPI_JSON_KEYS)
    assert run["kpis"]["train_km"] > 0
    assert 0.0 <= run["kpis"]["punctuality_pct"] <= 100.0


def test_the_report_is_served(server: Server, finished: dict) -> None:
    with server.client() as client:
        report = client.get(finished["run"]["report_url"])
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/html")
    assert load_scenario("astana").line.name in report.text


def test_the_gtfs_zip_is_a_valid_feed(server: Server, finished: dict, tmp_path: Path) -> None:
    with server.client() as client:
        feed = client.get(f"/api/runs/{finished['run']['id']}/gtfs.zip")
    assert feed.status_code == 200
    assert "stop_times.txt" in zipfile.ZipFile(io.BytesIO(feed.content)).namelist()
    path = tmp_path / "gtfs.zip"
    path.write_bytes(feed.content)
    scenario = load_scenario("astana")
    day = dt.datetime.strptime(scenario.gtfs.start_date, "%Y%m%d").date()
    assert validate_gtfs(path, on=day) == []


def test_the_run_is_in_the_catalogue_the_cli_reads(server: Server, finished: dict) -> None:
    with Catalogue.open(default_url(server.runs_dir)) as catalogue:
        record = catalogue.get(finished["run"]["id"])
    assert record.status == "complete"
    assert record.seed == SEED
    assert record.folder is not None
    assert (Path(record.folder) / "report.html").is_file()
    assert record.kpis == finished["run"]["kpis"]


def test_runs_of_the_cli_are_listed_too(server: Server, finished: dict) -> None:
    with Catalogue.open(default_url(server.runs_dir)) as catalogue:
        other = catalogue.start(
            scenario="by-hand",
            scenario_hash="0" * 64,
            seed=3,
            options={"incidents": []},
            lrtsim_version="0",
        )
        catalogue.fail(other, "stopped by Ctrl-C (SIGINT)")
    with server.client() as client:
        listed = {r["id"]: r for r in client.get("/api/runs").json()}
    assert listed[other]["status"] == "failed"
    assert listed[other]["error"] == "stopped by Ctrl-C (SIGINT)"
    assert listed[finished["run"]["id"]]["status"] == "complete"


def test_a_bad_incident_is_422_before_anything_is_queued(server: Server, finished: dict) -> None:
    with server.client() as client:
        before = len(client.get("/api/runs").json())
        bad = client.post(
            "/api/runs",
            json={"scenario": "astana", "incidents": ["08:15,track_blocked,Baiterek,Nowhere,12"]},
        )
        unknown = client.post("/api/runs", json={"scenario": "nowhere"})
        control = client.post("/api/runs", json={"scenario": "astana", "control": "magic"})
        after = len(client.get("/api/runs").json())
    assert bad.status_code == 422
    assert any("incidents 1" in p and "Nowhere" in p for p in bad.json()["problems"])
    assert unknown.status_code == 422
    assert control.status_code == 422
    assert after == before


def test_unknown_and_unfinished_runs_have_no_files(server: Server) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    with server.client() as client:
        assert client.get(f"/api/runs/{missing}").status_code == 404
        assert client.get(f"/api/runs/{missing}/report").status_code == 404
        assert client.get(f"/api/runs/{missing}/gtfs.zip").status_code == 404
