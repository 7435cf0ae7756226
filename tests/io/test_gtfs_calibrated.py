"""`lrtsim import-gtfs --calibrate` on the real TriMet MAX Green feed, end to end.

The command writes the calibrated scenario as TOML: it loads back to the report's scenario, every
fitted zone carries its "calibrated from the schedule of FEED, route R" comment, and the JSON
follows its schema with the issue's goals (fitted direction within 2 % per segment and 0.5 % end
to end, held-out direction within 5 % end to end). The planner on the written file runs the
number of trains the report says. Without `--calibrate` the JSON's `calibration` is null.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lrtsim.io.gtfs.calibrated import CalibratedImport, calibrate_import
from lrtsim.io.gtfs.import_scenario import import_gtfs
from lrtsim.model.load import load_scenario, scenario_from_toml
from support.cli import run_cli

REPO = Path(__file__).resolve().parents[2]
FEED = REPO.parent / "shared" / "data" / "feeds" / "trimet-max-green-2021.zip"
ROUTE = "200"
SCHEMA = REPO / "docs" / "json" / "import-gtfs.schema.json"

needs_feed = pytest.mark.skipif(not FEED.is_file(), reason=f"{FEED} is absent")


@pytest.fixture(scope="module")
def calibrated() -> CalibratedImport:
    return calibrate_import(import_gtfs(FEED, ROUTE))


@pytest.fixture(scope="module")
def command(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("calibrate")
    run = run_cli(
        ["import-gtfs", str(FEED), "--route", ROUTE, "--calibrate", "--json", "--out", "g.toml"],
        folder,
    )
    assert run.returncode == 0, run.stderr
    return folder, json.loads(run.stdout)


@needs_feed
def test_the_written_toml_is_the_calibrated_scenario(calibrated: CalibratedImport) -> None:
    assert scenario_from_toml(calibrated.toml, source="calibrated") == calibrated.scenario
    assert calibrated.scenario != import_gtfs(FEED, ROUTE).scenario


@needs_feed
def test_every_fitted_zone_says_where_it_comes_from(calibrated: CalibratedImport) -> None:
    zones = calibrated.report.fit.zones
    assert zones, "TriMet Green runs slower than its unrestricted time somewhere"
    lines = calibrated.toml.splitlines()
    start = lines.index("speed_limits = [")
    rows = lines[start + 1 : start + 1 + len(calibrated.scenario.line.speed_limits)]
    origin = f"calibrated from the schedule of {FEED.name}, route {ROUTE}"
    assert len(rows) == len(zones)
    for row, zone in zip(rows, zones, strict=True):
        assert f"kmh = {zone.kmh:g}" in row
        assert origin in row
        assert f"{zone.from_station} → {zone.to_station}" in row
    block = "\n".join(lines[max(0, start - 8) : start])
    assert "CALIBRATED from the schedule of" in block
    assert "cannot tell" in block
    written = tomllib.loads(calibrated.toml)["service"]
    assert written["allowance_pct"] == calibrated.report.fit.allowance_pct


@needs_feed
def test_the_command_meets_the_goals_and_follows_its_schema(
    command: tuple[Path, dict[str, Any]],
) -> None:
    folder, payload = command
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(payload, schema)
    cal = payload["calibration"]
    fitted, held = cal["fitted"], cal["held_out"]
    assert (fitted["direction_id"], held["direction_id"]) == (0, 1)
    errors = [abs(g["error_pct"]) for g in fitted["segments"] if g["error_pct"] is not None]
    assert max(errors) <= 2.0
    assert abs(fitted["totals"]["error_pct"]) <= 0.5
    assert abs(held["totals"]["error_pct"]) <= 5.0
    # The before run is the imported scenario: far faster than the schedule.
    assert fitted["totals"]["before_s"] < 0.8 * fitted["totals"]["scheduled_s"]
    written = load_scenario(str(folder / "g.toml"))
    limits = [(z.from_km, z.to_km, z.kmh) for z in written.line.speed_limits]
    assert limits == [(z["from_km"], z["to_km"], z["kmh"]) for z in cal["zones"]]


@needs_feed
def test_the_plan_of_the_written_scenario_runs_the_reported_trains(
    command: tuple[Path, dict[str, Any]],
) -> None:
    folder, payload = command
    run = run_cli(["plan", "g.toml", "--json", "--out", "plan"], folder)
    assert run.returncode == 0, run.stderr
    plan = json.loads(run.stdout)
    service = payload["calibration"]["service"]
    (day,) = plan["day_types"]
    assert day["fleet_in_service_peak"] == service["planned_in_service_peak"]
    assert day["fleet_required"] == service["planned_fleet"]
    assert service["feed_in_service_peak"] >= 1


@needs_feed
def test_without_calibrate_there_is_no_calibration(tmp_path: Path) -> None:
    run = run_cli(["import-gtfs", str(FEED), "--route", ROUTE, "--json"], tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["calibration"] is None


def test_a_feed_without_a_usable_other_direction_is_calibrated_without_the_check(
    tmp_path: Path,
) -> None:
    from test_gtfs_import import synthetic_feed

    feed = synthetic_feed(tmp_path / "f.zip")  # its one direction_id 1 trip has a single stop
    run = run_cli(["import-gtfs", str(feed), "--route", "R1", "--calibrate", "--json"], tmp_path)
    assert run.returncode == 0, run.stderr
    cal = json.loads(run.stdout)["calibration"]
    assert cal["held_out"] is None
    assert any(n.startswith("no held-out direction: direction_id 1") for n in cal["notes"])
    jsonschema.validate(json.loads(run.stdout), json.loads(SCHEMA.read_text(encoding="utf-8")))
