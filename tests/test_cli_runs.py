"""`lrtsim runs list | show | compare`, run as real processes on a catalogue filled through the
API: the tables, the JSON and its schemas, unknown ids and catalogues that cannot be read, and an
absent catalogue that is read as empty and not created.

All commands start together from one module fixture.
"""

from __future__ import annotations

import json
import math
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lrtsim.io.catalogue import Catalogue
from lrtsim.io.json_style import tidy
from support.cli import failed_cleanly, ok, one_json_object, run_all

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "docs" / "json"

IDS = {
    "calm": "a1b2c3d4-1111-4111-8111-111111111111",
    "blocked": "a1b2ffff-2222-4222-8222-222222222222",
    "failed": "c0ffee00-3333-4333-8333-333333333333",
    "killed": "dead0000-4444-4444-8444-444444444444",
}
CALM: dict[str, Any] = {
    "punctuality_pct": 96.25,
    "mean_wait_s": 212.46,
    "excess_wait_s": 31.04,
    "peak_load_factor": 0.81234,
    "energy_kwh": 12345.678,
    "trains_used": 18,
}
BLOCKED: dict[str, Any] = {
    **CALM,
    "punctuality_pct": 88.5,
    "mean_wait_s": math.nan,
    "excess_wait_s": 97.52,
    "peak_load_factor": 0.81234 - 0.0001,  # a difference that rounds to zero
    "trains_used": 19,
}
BLOCKED_OPTIONS = {
    "incidents": [{"at": "08:15", "kind": "track_blocked", "duration_min": 12.0}],
    "control": "holding",
}
LARGEST_SEED = 2**63 - 1


def _fill(db: Path) -> None:
    """Four runs, oldest first: complete, complete (disturbed), failed, killed."""
    queue = iter(uuid.UUID(i) for i in IDS.values())
    with pytest.MonkeyPatch.context() as patch, Catalogue.open(db) as catalogue:
        patch.setattr("lrtsim.io.catalogue.uuid.uuid4", lambda: next(queue))

        def start(seed: int, options: dict[str, Any]) -> str:
            return catalogue.start(
                scenario="astana",
                scenario_hash="5e" * 32,
                seed=seed,
                options=options,
                lrtsim_version="0.1.0",
            )

        calm = start(42, {"incidents": [], "control": "none"})
        catalogue.complete(calm, folder="runs/astana-20250601-081500", kpis=CALM)
        blocked = start(LARGEST_SEED, BLOCKED_OPTIONS)
        catalogue.complete(blocked, folder="runs/astana-20250601-081600", kpis=BLOCKED)
        catalogue.fail(start(7, {}), "astana: 1 problem")
        start(8, {})
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with sqlite3.connect(db) as conn:  # the last run's process was killed: it has gone
        conn.execute("UPDATE runs SET pid = ? WHERE id = ?", (gone.pid, IDS["killed"]))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli_runs")
    _fill(folder / "runs" / "catalogue.sqlite")
    (folder / "empty").mkdir()
    (folder / "notes.sqlite").write_text("not a database\n" * 100, encoding="utf-8")
    return folder


COMMANDS: dict[str, list[str]] = {
    "list": ["runs", "list"],
    "list_json": ["runs", "list", "--json"],
    "list_folder_db": ["runs", "list", "--db", "runs"],
    "show": ["runs", "show", "a1b2c"],
    "show_json": ["runs", "show", "a1b2ff", "--json"],
    "show_failed": ["runs", "show", "c0ffee"],
    "show_killed": ["runs", "show", "dead", "--json"],
    "compare": ["runs", "compare", "a1b2c", "a1b2f"],
    "compare_json": ["runs", "compare", "a1b2c", "a1b2f", "--json"],
    "unknown": ["runs", "show", "ffff0000"],
    "ambiguous": ["runs", "compare", "a1b2", "c0ff"],
    "too_short": ["runs", "show", "a1b"],
    "no_kpis": ["runs", "compare", "a1b2c", "c0ffee"],
    "bad_url": ["runs", "list", "--db", "://nowhere"],
    "no_dialect": ["runs", "show", "a1b2c", "--db", "nosuchdb://me:secret@host/lrt"],
    "not_a_database": ["runs", "list", "--db", "notes.sqlite"],
    "under_a_file": ["runs", "list", "--db", "/dev/null/x"],
    "help": ["runs", "--help"],
}
ABSENT: dict[str, list[str]] = {
    "absent": ["runs", "list"],
    "absent_json": ["runs", "list", "--json"],
    "absent_show": ["runs", "show", "a1b2c"],
}


@pytest.fixture(scope="module")
def runs(workdir: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    done = run_all(COMMANDS, workdir)
    done.update(run_all(ABSENT, workdir / "empty"))
    return done


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _db(workdir: Path) -> str:
    return str(workdir / "runs" / "catalogue.sqlite")


# ------------------------------------------------------------------------------------------ list
def test_list_shows_every_run_newest_first(runs: dict[str, Any]) -> None:
    text = ok(runs["list"]).stdout
    lines = {
        key: next(line for line in text.splitlines() if i[:8] in line) for key, i in IDS.items()
    }
    order = sorted(IDS, key=lambda key: text.index(IDS[key][:8]))
    assert order == ["killed", "failed", "blocked", "calm"]
    assert "a1b2c3d4-" not in text  # ids are shortened to 8 characters
    assert all(f" {'5e' * 4} " in line for line in lines.values())  # the inputs' hash
    assert "complete" in lines["calm"]
    assert "failed" in lines["failed"]
    assert "interrupted" in lines["killed"]
    assert str(LARGEST_SEED) in lines["blocked"]
    for kpis, key in ((CALM, "calm"), (BLOCKED, "blocked")):
        assert f"{kpis['punctuality_pct']:.1f} %" in lines[key]
        assert f"{kpis['excess_wait_s']:.1f} s" in lines[key]
        assert f" {kpis['trains_used']} " in lines[key]


def test_list_json_follows_its_schema(runs: dict[str, Any], workdir: Path) -> None:
    payload = one_json_object(runs["list_json"])
    jsonschema.validate(payload, _schema("runs-list"))
    assert payload["catalogue"] == _db(workdir)
    listed = payload["runs"]
    assert [r["id"] for r in listed] == [IDS[k] for k in ("killed", "failed", "blocked", "calm")]
    assert [r["status"] for r in listed] == ["interrupted", "failed", "complete", "complete"]
    assert listed[0]["stored_status"] == "running"
    assert listed[2]["seed"] == LARGEST_SEED
    assert listed[2]["options"] == BLOCKED_OPTIONS
    assert listed[2]["kpis"] == tidy({k: (None if v != v else v) for k, v in BLOCKED.items()})
    assert listed[2]["kpis"]["mean_wait_s"] is None
    assert listed[1]["error"] == "astana: 1 problem"
    assert listed[0]["ended_at"] is None
    assert listed[0]["duration_s"] is None


def test_a_folder_db_reads_its_catalogue(runs: dict[str, Any]) -> None:
    assert ok(runs["list_folder_db"]).stdout == runs["list"].stdout


def test_an_absent_catalogue_has_no_runs_and_is_not_created(
    runs: dict[str, Any], workdir: Path
) -> None:
    db = workdir / "empty" / "runs" / "catalogue.sqlite"
    assert ok(runs["absent"]).stdout.strip() == f"No runs recorded in {db}."
    payload = one_json_object(runs["absent_json"])
    jsonschema.validate(payload, _schema("runs-list"))
    assert payload == {"catalogue": str(db), "runs": []}
    failed_cleanly(runs["absent_show"], f"no run 'a1b2c' in {db} (it records no runs)")
    assert list((workdir / "empty").iterdir()) == []


# ------------------------------------------------------------------------------------------ show
def test_show_gives_every_field_and_the_kpis(runs: dict[str, Any]) -> None:
    text = ok(runs["show"]).stdout
    for value in (IDS["calm"], "5e" * 32, "42", "runs/astana-20250601-081500", "0.1.0"):
        assert value in text
    assert '{"incidents": [], "control": "none"}' in text
    assert f"{CALM['mean_wait_s']:.1f} s" in text
    assert f"{CALM['energy_kwh']:,.0f} kWh" in text
    assert f"{CALM['peak_load_factor']:.3f}" in text


def test_show_json_follows_its_schema(runs: dict[str, Any], workdir: Path) -> None:
    payload = one_json_object(runs["show_json"])
    jsonschema.validate(payload, _schema("runs-show"))
    run = payload["run"]
    assert (run["id"], run["seed"], run["status"]) == (IDS["blocked"], LARGEST_SEED, "complete")
    assert run["folder"] == "runs/astana-20250601-081600"
    assert run["kpis"]["peak_load_factor"] == round(BLOCKED["peak_load_factor"], 4)
    assert run["kpis"]["energy_kwh"] == round(BLOCKED["energy_kwh"], 3)
    assert run["duration_s"] >= 0
    assert payload["catalogue"] == _db(workdir)


def test_show_a_failed_and_a_killed_run(runs: dict[str, Any]) -> None:
    text = ok(runs["show_failed"]).stdout
    assert "astana: 1 problem" in text
    assert "No KPIs: the run is failed." in text
    killed = one_json_object(runs["show_killed"])
    jsonschema.validate(killed, _schema("runs-show"))
    assert (killed["run"]["status"], killed["run"]["stored_status"]) == ("interrupted", "running")
    assert killed["run"]["kpis"] is None


# --------------------------------------------------------------------------------------- compare
def test_compare_table_gives_both_values_and_the_difference(runs: dict[str, Any]) -> None:
    lines = ok(runs["compare"]).stdout.splitlines()
    row = {
        label: next(line for line in lines if line.startswith(f"│ {label} "))
        for label in ("punctuality", "excess wait", "mean wait", "trains used")
    }
    a, b = CALM["punctuality_pct"], BLOCKED["punctuality_pct"]
    assert f"{a:.1f} %" in row["punctuality"]
    assert f"{b:.1f} %" in row["punctuality"]
    assert f"{b - a:+.1f} pp" in row["punctuality"]
    assert f"{100 * (b - a) / a:+.1f} %" in row["punctuality"]
    wait_a, wait_b = CALM["excess_wait_s"], BLOCKED["excess_wait_s"]
    assert f"{wait_b - wait_a:+.1f} s" in row["excess wait"]
    assert row["mean wait"].count("—") == 3  # run 2's is null: no difference, no change
    assert f"+{BLOCKED['trains_used'] - CALM['trains_used']} " in row["trains used"]
    (factor,) = [line for line in lines if line.startswith("│ peak load factor")]
    assert " +0.000 " in factor  # a difference that rounds to zero has no minus sign
    assert f"inputs {'5e' * 4}" in lines[0]


def test_compare_json_follows_its_schema(runs: dict[str, Any]) -> None:
    payload = one_json_object(runs["compare_json"])
    jsonschema.validate(payload, _schema("runs-compare"))
    assert (payload["run_1"]["id"], payload["run_2"]["id"]) == (IDS["calm"], IDS["blocked"])
    found = payload["differences"]
    assert list(found) == list(CALM)
    for key in ("punctuality_pct", "excess_wait_s", "energy_kwh", "trains_used"):
        a, b = CALM[key], BLOCKED[key]
        assert found[key]["run_1"] == round(a, 3)
        assert found[key]["run_2"] == round(b, 3)
        assert found[key]["difference"] == round(b - a, 3)
        assert found[key]["change_pct"] == round(100 * (b - a) / abs(a), 3)
    assert found["mean_wait_s"] == {
        "run_1": CALM["mean_wait_s"],
        "run_2": None,
        "difference": None,
        "change_pct": None,
    }
    assert isinstance(found["trains_used"]["difference"], int)


# ---------------------------------------------------------------------------------------- errors
def test_ids_that_name_no_single_run_exit_2(runs: dict[str, Any], workdir: Path) -> None:
    failed_cleanly(runs["unknown"], f"no run 'ffff0000' in {_db(workdir)}")
    failed_cleanly(runs["ambiguous"], "run id 'a1b2' is ambiguous", "a1b2c3d4-1111", "a1b2ffff")
    failed_cleanly(runs["too_short"], "run id 'a1b' is too short")
    failed_cleanly(runs["no_kpis"], "run c0ffee00 is failed: it has no KPIs to compare")


def test_catalogues_that_cannot_be_read_exit_2(runs: dict[str, Any], workdir: Path) -> None:
    failed_cleanly(runs["bad_url"], "cannot open catalogue ://nowhere: not a SQLAlchemy URL")
    failed_cleanly(runs["no_dialect"], "nosuchdb://me:***@host/lrt", "no database 'nosuchdb'")
    assert "secret" not in runs["no_dialect"].stderr
    failed_cleanly(
        runs["not_a_database"],
        f"cannot read catalogue {workdir / 'notes.sqlite'}: file is not a database",
    )
    failed_cleanly(runs["under_a_file"], "/dev/null/x: /dev/null is not a folder")


def test_help_lists_the_commands_and_imports_no_database(runs: dict[str, Any]) -> None:
    text = ok(runs["help"]).stdout
    for command in ("list", "show", "compare"):
        assert command in text
    probe = "import sys, lrtsim.cli; print('sqlalchemy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
