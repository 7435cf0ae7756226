"""`lrtsim run`, run as a real process: the run folder and its files, the JSON contract, the
catalogue row, the resolved scenario, bad input, and runs stopped halfway.

The catalogue is read here with the standard library's sqlite3, not through lrtsim, so that
what is checked is what is in the file.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest

from lrtsim.model.load import load_scenario
from lrtsim.pipeline import configure
from support.cli import cli_env, failed_cleanly, in_parallel, one_json_object, run_cli

INCIDENT = "08:15,track_blocked,Baiterek,House of Ministries,12"
FILES = {
    "report.html",
    "gtfs.zip",
    "timetable.csv",
    "blocks.csv",
    "events.parquet",
    "passengers.parquet",
    "kpis.json",
    "scenario.toml",
}
SCHEMA = json.loads(
    (Path(__file__).parents[1] / "docs" / "json" / "run.schema.json").read_text("utf-8")
)


def minimal_scenario() -> str:
    """The minimal scenario of docs/scenario-format.md: two stations, no demand, no geometry."""
    text = (Path(__file__).parents[1] / "docs" / "scenario-format.md").read_text("utf-8")
    block = re.search(r"## A minimal scenario.*?```toml\n(.*?)```", text, re.S)
    assert block is not None
    return block.group(1)


def rows(db: Path) -> list[dict[str, Any]]:
    """Every row of the catalogue's runs table (none when the file is absent)."""
    if not db.exists():
        return []
    with sqlite3.connect(db) as con:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute("SELECT * FROM runs")]


def run_folders(out: Path) -> list[Path]:
    """The run folders in `out`, hidden temporary ones included."""
    return sorted(p for p in out.iterdir() if p.is_dir()) if out.exists() else []


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The commands, started together: a disturbed run with --json, the default run, a bad
    scenario and a bad catalogue URL, each in its own folder."""
    base = tmp_path_factory.mktemp("cli_run")
    for name in ("disturbed", "default", "bad_scenario", "bad_db", "bad_out", "minimal"):
        (base / name).mkdir()
    (base / "bad_scenario" / "bad.toml").write_text(
        (Path(__file__).parents[1] / "src/lrtsim/model/scenarios/astana.toml")
        .read_text("utf-8")
        .replace("km = 1.903", "km = -1.0", 1),
        encoding="utf-8",
    )
    (base / "minimal" / "minimal.toml").write_text(minimal_scenario(), encoding="utf-8")
    commands = {
        "disturbed": [
            "run",
            "--seed",
            "1",
            "--incident",
            INCIDENT,
            "--control",
            "holding",
            "--json",
        ],
        "default": ["run", "--open"],
        "bad_scenario": ["run", "bad.toml"],
        "bad_db": ["run", "--db", "nosuchdriver://x/y"],
        "bad_out": ["run", "--out", "/proc/lrtsim-none/runs"],
        "minimal": ["run", "minimal.toml", "--json"],
    }
    # --open hands the report to the browser that BROWSER names: here, one that writes the
    # address it is given into a file.
    browser = {"BROWSER": f"sh -c 'echo %s > {base / 'opened.txt'}'"}
    done = in_parallel(
        {k: (lambda k=k, a=a: run_cli(a, base / k, env=browser)) for k, a in commands.items()}
    )
    return {"base": base, **done}


def test_the_run_folder_holds_every_file(runs: dict[str, Any]) -> None:
    payload = one_json_object(runs["disturbed"])
    jsonschema.validate(payload, SCHEMA)
    folder = runs["base"] / "disturbed" / payload["out"]
    assert folder.parent == runs["base"] / "disturbed" / "runs"
    assert folder.name.startswith("astana-")
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert present >= FILES
    pngs = {p for p in present if p.startswith("png/")}
    assert pngs, "no static charts"
    for png in pngs:
        assert (folder / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert set(payload["files"]) == present - {".lrtsim-output.json"}
    assert payload["gtfs"] == {"written": True, "reason": None}
    # No temporary folder is left beside the run folder.
    assert [p.name for p in run_folders(folder.parent)] == [folder.name]


def test_the_stages_are_named_and_timed(runs: dict[str, Any]) -> None:
    payload = one_json_object(runs["disturbed"])
    names = [s["name"] for s in payload["stages"]]
    for needed in ("running times", "simulated day", "reference day", "KPIs", "report.html"):
        assert needed in names
    assert all(s["time_s"] >= 0 for s in payload["stages"])


def test_the_run_is_recorded_complete_with_its_kpis(runs: dict[str, Any]) -> None:
    payload = one_json_object(runs["disturbed"])
    recorded = rows(runs["base"] / "disturbed" / "runs" / "catalogue.sqlite")
    assert len(recorded) == 1
    row = recorded[0]
    assert row["id"] == payload["id"]
    assert row["status"] == "complete"
    assert row["seed"] == 1
    assert row["scenario"] == "astana"
    stored = json.loads(row["kpis"])  # full precision; the JSON output rounds by unit
    assert set(stored) == set(payload["kpis"])
    for key, value in payload["kpis"].items():
        assert stored[key] == (None if value is None else pytest.approx(value, abs=1e-3)), key
    assert json.loads(row["options"])["incidents"] == [INCIDENT]
    assert Path(row["folder"]).name == Path(payload["out"]).name


def test_kpis_json_is_the_simulate_commands(runs: dict[str, Any], tmp_path: Path) -> None:
    """The run's kpis.json is byte for byte the one `lrtsim simulate` writes for the same day."""
    payload = one_json_object(runs["disturbed"])
    folder = runs["base"] / "disturbed" / payload["out"]
    day = run_cli(
        ["simulate", "--seed", "1", "--incident", INCIDENT, "--control", "holding", "--out", "day"],
        tmp_path,
    )
    assert day.returncode == 0, day.stderr
    assert (folder / "kpis.json").read_bytes() == (tmp_path / "day" / "kpis.json").read_bytes()
    events = pd.read_parquet(folder / "events.parquet")
    assert events.equals(pd.read_parquet(tmp_path / "day" / "events.parquet"))


def test_the_resolved_scenario_loads_back_and_runs_the_same_day(
    runs: dict[str, Any], tmp_path: Path
) -> None:
    payload = one_json_object(runs["disturbed"])
    folder = runs["base"] / "disturbed" / payload["out"]
    expected = configure(load_scenario("astana"), [INCIDENT], "holding")
    assert load_scenario(str(folder / "scenario.toml")) == expected
    again = run_cli(["run", str(folder / "scenario.toml"), "--seed", "1", "--json"], tmp_path)
    second = one_json_object(again)
    assert second["kpis"] == payload["kpis"]
    assert second["id"] != payload["id"]
    first_hash = rows(runs["base"] / "disturbed" / "runs" / "catalogue.sqlite")[0]
    second_hash = rows(tmp_path / "runs" / "catalogue.sqlite")[0]
    assert first_hash["scenario_hash"] == second_hash["scenario_hash"]


def test_the_default_run_prints_the_summary_and_the_report(runs: dict[str, Any]) -> None:
    done = runs["default"]
    assert done.returncode == 0, done.stderr
    for needle in ("service plan", "Fleet:", "Capacity:", "punctuality", "energy", "Report:"):
        assert needle in done.stdout, (needle, done.stdout)
    report = done.stdout.split("Report:")[1].strip().splitlines()[0].strip()
    assert (runs["base"] / "default" / report).is_file()
    # One line per stage, with its time, on stderr.
    for needle in ("running times", "simulated day", "report"):
        assert needle in done.stderr
    assert " s\n" in done.stderr


def test_open_hands_the_report_to_the_browser(runs: dict[str, Any]) -> None:
    done = runs["default"]
    assert done.returncode == 0, done.stderr
    report = done.stdout.split("Report:")[1].strip().splitlines()[0].strip()
    opened = runs["base"] / "opened.txt"
    for _ in range(100):  # the browser command runs in the background
        if opened.exists() and opened.read_text("utf-8").strip():
            break
        time.sleep(0.1)
    assert opened.read_text("utf-8").strip() == (runs["base"] / "default" / report).as_uri()


def test_a_bad_scenario_exits_2_and_writes_nothing(runs: dict[str, Any]) -> None:
    failed_cleanly(runs["bad_scenario"], "line.stations[1].km")
    out = runs["base"] / "bad_scenario" / "runs"
    assert run_folders(out) == []
    assert [r for r in rows(out / "catalogue.sqlite") if r["status"] == "complete"] == []


def test_a_bad_catalogue_url_exits_2_before_any_work(runs: dict[str, Any]) -> None:
    failed_cleanly(runs["bad_db"], "nosuchdriver://x/y")
    assert run_folders(runs["base"] / "bad_db" / "runs") == []


def test_the_minimal_scenario_of_the_docs_runs(runs: dict[str, Any]) -> None:
    """Two stations, no demand, no geometry: a report all the same, without a GTFS feed."""
    payload = one_json_object(runs["minimal"])
    jsonschema.validate(payload, SCHEMA)
    assert payload["passengers"] == 0
    assert payload["gtfs"]["written"] is False
    assert "geometry" in payload["gtfs"]["reason"]
    assert "gtfs.zip" not in payload["files"]
    assert "report.html" in payload["files"]
    assert "No gtfs.zip" not in runs["minimal"].stdout


def test_an_unwritable_out_exits_2_before_any_work(runs: dict[str, Any]) -> None:
    failed_cleanly(runs["bad_out"], "cannot write runs into /proc/lrtsim-none/runs")
    assert "running times" not in runs["bad_out"].stderr  # refused before the first step


def _started(tmp_path: Path, stage: str) -> subprocess.Popen[str]:
    """`lrtsim run` started in `tmp_path`, returned once it has finished `stage`."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "lrtsim.cli", "run", "--seed", "3"],
        cwd=tmp_path,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    seen = ""
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen += line
        if stage in line:
            return proc
    proc.kill()
    raise AssertionError(f"the run never finished {stage!r}: {seen}")


@pytest.mark.parametrize(
    ("how", "status", "code", "error"),
    [
        (signal.SIGKILL, {"running"}, -signal.SIGKILL, None),
        (signal.SIGTERM, {"failed"}, 143, "stopped by SIGTERM"),
    ],
)
def test_a_run_stopped_halfway_leaves_no_folder_and_nothing_complete(
    tmp_path: Path, how: signal.Signals, status: set[str], code: int, error: str | None
) -> None:
    proc = _started(tmp_path, "demand and service plan")
    proc.send_signal(how)
    proc.communicate(timeout=60)
    assert proc.returncode == code
    out = tmp_path / "runs"
    assert run_folders(out) == []
    recorded = rows(out / "catalogue.sqlite")
    assert len(recorded) == 1
    assert recorded[0]["status"] in status
    assert recorded[0]["folder"] is None
    assert recorded[0]["error"] == error
