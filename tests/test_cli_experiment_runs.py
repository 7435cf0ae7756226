"""`lrtsim experiment list | show`, run as real processes on a catalogue filled through the API:
the tables, the JSON and its schemas, unknown ids and catalogues that cannot be read exiting 2, an
absent catalogue read as empty and not created, and a version-1 catalogue read without change.

All commands start together from one module fixture.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lrtsim.io.catalogue import Catalogue
from support.cli import failed_cleanly, ok, one_json_object, run_all

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "docs" / "json"

IDS = {
    "montecarlo": "e1e2e3e4-1111-4111-8111-111111111111",
    "sweep": "e1e2ffff-2222-4222-8222-222222222222",
    "failed": "fa11ed00-3333-4333-8333-333333333333",
    "killed": "dead0000-4444-4444-8444-444444444444",
}
RUN_ID = "0123abcd-5555-4555-8555-555555555555"
LARGEST_SEED = 2**63 - 1
OPTIONS = {"engine": "local", "workers": 2, "until_ci": "excess_wait_s=0.5", "days": 100}


def _estimate(value: float, half_width: float) -> dict[str, float]:
    return {"value": value, "low": value - half_width, "high": value + half_width}


def _kpi(kpi: str, value: float, half_width: float) -> dict[str, Any]:
    return {
        "kpi": kpi,
        "days": 40,
        "missing": 0,
        "level": 0.95,
        "resamples": 2000,
        "mean": _estimate(value, half_width),
        "p50": _estimate(value, half_width),
        "p90": _estimate(value + 10, half_width),
        "p95": _estimate(value + 20, half_width),
    }


SUMMARY: dict[str, Any] = {
    "scenario": "astana",
    "day_type": "weekday",
    "seed": 42,
    "days": 40,
    "workers": 2,
    "summaries": {
        "excess_wait_s": _kpi("excess_wait_s", 31.25, 0.375),
        "energy_kwh": _kpi("energy_kwh", 52421.0, 71.0),
    },
    "until_ci": {"kpi": "excess_wait_s", "half_width": 0.5, "met": True, "max_days": 100},
}
"""A Monte Carlo's summary.json (`montecarlo.schema.json` without `out` and `files`)."""


def _fill(db: Path) -> None:
    """Four experiments, oldest first: Monte Carlo complete, sweep complete, failed, killed;
    and one run."""
    queue = iter(uuid.UUID(i) for i in [*IDS.values(), RUN_ID])
    with pytest.MonkeyPatch.context() as patch, Catalogue.open(db) as catalogue:
        patch.setattr("lrtsim.io.catalogue.uuid.uuid4", lambda: next(queue))

        def start(kind: str, seed: int) -> str:
            return catalogue.start_experiment(
                kind=kind,
                scenario="astana",
                scenario_hash="5e" * 32,
                seed=seed,
                options=OPTIONS,
                lrtsim_version="0.2.0",
            )

        mc = start("montecarlo", 42)
        catalogue.complete_experiment(mc, folder="montecarlo-astana", days=40, summary=SUMMARY)
        sweep = start("sweep", LARGEST_SEED)
        catalogue.complete_experiment(sweep, folder="sweep-astana", days=6, summary={"cells": 3})
        catalogue.fail_experiment(start("design", 7), "no headway meets the targets")
        start("montecarlo", 8)
        catalogue.start(
            scenario="astana", scenario_hash="5e" * 32, seed=1, options={}, lrtsim_version="0.2.0"
        )
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    conn = sqlite3.connect(db)  # the last experiment's process was killed: it has gone
    conn.execute("UPDATE experiments SET pid = ? WHERE id = ?", (gone.pid, IDS["killed"]))
    conn.commit()
    conn.close()


V1_DDL = """
CREATE TABLE runs (id VARCHAR(36) NOT NULL, scenario TEXT NOT NULL,
    scenario_hash VARCHAR(64) NOT NULL, seed BIGINT NOT NULL, options TEXT NOT NULL,
    lrtsim_version TEXT NOT NULL, started_at VARCHAR(32) NOT NULL, ended_at VARCHAR(32),
    status VARCHAR(16) NOT NULL, folder TEXT, kpis TEXT, error TEXT, pid INTEGER NOT NULL,
    host TEXT NOT NULL, PRIMARY KEY (id));
CREATE INDEX ix_runs_started_at ON runs (started_at);
CREATE TABLE catalogue_meta ("key" VARCHAR(64) NOT NULL, value TEXT NOT NULL, PRIMARY KEY ("key"));
INSERT INTO catalogue_meta VALUES ('schema_version', '1');
INSERT INTO runs VALUES ('0a1b2c3d-1111-4111-8111-111111111111', 'astana', '5e5e', 42, '{}',
    '0.1.0', '2025-06-01T08:15:00.000000+00:00', '2025-06-01T08:16:00.000000+00:00', 'complete',
    'runs/astana-20250601-081500', '{"trains_used": 18}', NULL, 4242, 'elsewhere');
"""
"""A version-1 catalogue (the tables of lrtsim's schema version 1) holding one run."""


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli_experiments")
    _fill(folder / "runs" / "catalogue.sqlite")
    (folder / "empty").mkdir()
    (folder / "notes.sqlite").write_text("not a database\n" * 100, encoding="utf-8")
    conn = sqlite3.connect(folder / "v1.sqlite")
    conn.executescript(V1_DDL)
    conn.commit()
    conn.close()
    return folder


COMMANDS: dict[str, list[str]] = {
    "list": ["experiment", "list"],
    "list_json": ["experiment", "list", "--json"],
    "list_folder_db": ["experiment", "list", "--db", "runs"],
    "show": ["experiment", "show", "e1e2e3"],
    "show_json": ["experiment", "show", "e1e2e3", "--json"],
    "show_sweep_json": ["experiment", "show", "e1e2f", "--json"],
    "show_failed": ["experiment", "show", "fa11"],
    "show_killed": ["experiment", "show", "latest", "--json"],
    "runs_list": ["runs", "list"],
    "run_is_no_experiment": ["experiment", "show", RUN_ID[:8]],
    "unknown": ["experiment", "show", "ffff0000"],
    "ambiguous": ["experiment", "show", "e1e2"],
    "too_short": ["experiment", "show", "e1e"],
    "bad_url": ["experiment", "list", "--db", "://nowhere"],
    "no_dialect": ["experiment", "show", "e1e2e3", "--db", "nosuchdb://me:secret@host/lrt"],
    "not_a_database": ["experiment", "list", "--db", "notes.sqlite"],
    "under_a_file": ["experiment", "show", "e1e2e3", "--db", "/dev/null/x"],
    "v1_list_json": ["experiment", "list", "--db", "v1.sqlite", "--json"],
    "v1_runs_json": ["runs", "list", "--db", "v1.sqlite", "--json"],
    "help": ["experiment", "--help"],
}
ABSENT: dict[str, list[str]] = {
    "absent": ["experiment", "list"],
    "absent_json": ["experiment", "list", "--json"],
    "absent_show": ["experiment", "show", "latest"],
}


@pytest.fixture(scope="module")
def runs(workdir: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    v1_before = (workdir / "v1.sqlite").read_bytes()
    done = run_all(COMMANDS, workdir)
    done.update(run_all(ABSENT, workdir / "empty"))
    assert (workdir / "v1.sqlite").read_bytes() == v1_before  # reading never upgrades
    return done


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _db(workdir: Path) -> str:
    return str(workdir / "runs" / "catalogue.sqlite")


def test_the_summary_recorded_is_a_monte_carlo_summary() -> None:
    jsonschema.validate({**SUMMARY, "out": "mc", "files": ["days.parquet"]}, _schema("montecarlo"))


# ------------------------------------------------------------------------------------------ list
def test_list_shows_every_experiment_newest_first(runs: dict[str, Any]) -> None:
    text = ok(runs["list"]).stdout
    lines = {
        key: next(line for line in text.splitlines() if i[:8] in line) for key, i in IDS.items()
    }
    order = sorted(IDS, key=lambda key: text.index(IDS[key][:8]))
    assert order == ["killed", "failed", "sweep", "montecarlo"]
    assert "e1e2e3e4-" not in text  # ids are shortened to 8 characters
    assert RUN_ID[:8] not in text  # runs are not experiments
    assert all(f" {'5e' * 4} " in line for line in lines.values())
    for key, kind, status in (
        ("montecarlo", "montecarlo", "complete"),
        ("sweep", "sweep", "complete"),
        ("failed", "design", "failed"),
        ("killed", "montecarlo", "interrupted"),
    ):
        assert f" {kind} " in lines[key]
        assert f" {status} " in lines[key]
    assert " 40 " in lines["montecarlo"]
    assert str(LARGEST_SEED) in lines["sweep"]


def test_list_json_follows_its_schema(runs: dict[str, Any], workdir: Path) -> None:
    payload = one_json_object(runs["list_json"])
    jsonschema.validate(payload, _schema("experiments-list"))
    assert payload["catalogue"] == _db(workdir)
    listed = payload["experiments"]
    assert [e["id"] for e in listed] == [
        IDS[k] for k in ("killed", "failed", "sweep", "montecarlo")
    ]
    assert [e["kind"] for e in listed] == ["montecarlo", "design", "sweep", "montecarlo"]
    assert [e["status"] for e in listed] == ["interrupted", "failed", "complete", "complete"]
    assert [e["days"] for e in listed] == [None, None, 6, 40]
    assert listed[0]["stored_status"] == "running"
    assert (listed[0]["ended_at"], listed[0]["duration_s"]) == (None, None)
    assert listed[1]["error"] == "no headway meets the targets"
    assert listed[2]["seed"] == LARGEST_SEED
    assert listed[3]["summary"] == SUMMARY
    assert all(e["options"] == OPTIONS for e in listed)


def test_a_folder_db_reads_its_catalogue(runs: dict[str, Any]) -> None:
    assert ok(runs["list_folder_db"]).stdout == runs["list"].stdout


def test_runs_list_shows_runs_and_counts_the_experiments(runs: dict[str, Any]) -> None:
    text = ok(runs["runs_list"]).stdout
    assert RUN_ID[:8] in text
    assert not any(i[:8] in text for i in IDS.values())
    assert f"It records {len(IDS)} experiments too: lrtsim experiment list shows them." in text


def test_an_absent_catalogue_has_no_experiments_and_is_not_created(
    runs: dict[str, Any], workdir: Path
) -> None:
    db = workdir / "empty" / "runs" / "catalogue.sqlite"
    assert ok(runs["absent"]).stdout.strip() == f"No experiments recorded in {db}."
    payload = one_json_object(runs["absent_json"])
    jsonschema.validate(payload, _schema("experiments-list"))
    assert payload == {"catalogue": str(db), "experiments": []}
    failed_cleanly(runs["absent_show"], f"no experiment in {db}: it records no experiments")
    assert list((workdir / "empty").iterdir()) == []


def test_a_version_1_catalogue_reads_with_its_runs_and_no_experiments(
    runs: dict[str, Any], workdir: Path
) -> None:
    payload = one_json_object(runs["v1_list_json"])
    jsonschema.validate(payload, _schema("experiments-list"))
    assert payload == {"catalogue": str(workdir / "v1.sqlite"), "experiments": []}
    listed = one_json_object(runs["v1_runs_json"])
    jsonschema.validate(listed, _schema("runs-list"))
    assert [(r["id"][:8], r["kpis"]) for r in listed["runs"]] == [("0a1b2c3d", {"trains_used": 18})]


# ------------------------------------------------------------------------------------------ show
def test_show_gives_every_field_and_the_statistics(runs: dict[str, Any]) -> None:
    lines = ok(runs["show"]).stdout.splitlines()
    text = "\n".join(lines)
    for value in (IDS["montecarlo"], "5e" * 32, "montecarlo-astana", "0.2.0", "excess_wait_s=0.5"):
        assert value in text
    assert "[95 % confidence interval]" in text
    (wait,) = [line for line in lines if line.startswith("│ excess_wait_s ")]
    mean = SUMMARY["summaries"]["excess_wait_s"]["mean"]
    assert f"{mean['value']:.1f} s [{mean['low']:.1f}–{mean['high']:.1f}]" in wait
    p95 = SUMMARY["summaries"]["excess_wait_s"]["p95"]
    assert f"{p95['value']:.1f} s [{p95['low']:.1f}–{p95['high']:.1f}]" in wait
    (energy,) = [line for line in lines if line.startswith("│ energy_kwh ")]
    assert f"{SUMMARY['summaries']['energy_kwh']['mean']['value']:,.0f} kWh" in energy
    (rule,) = [line for line in lines if line.startswith("│ until_ci ")]
    assert '"met": true' in rule


def test_show_json_follows_its_schema(runs: dict[str, Any], workdir: Path) -> None:
    payload = one_json_object(runs["show_json"])
    jsonschema.validate(payload, _schema("experiments-show"))
    e = payload["experiment"]
    assert (e["id"], e["kind"], e["seed"], e["days"]) == (IDS["montecarlo"], "montecarlo", 42, 40)
    assert e["summary"] == SUMMARY
    assert e["duration_s"] >= 0
    assert payload["catalogue"] == _db(workdir)
    sweep = one_json_object(runs["show_sweep_json"])
    jsonschema.validate(sweep, _schema("experiments-show"))
    assert sweep["experiment"]["summary"] == {"cells": 3}


def test_show_a_failed_and_a_killed_experiment(runs: dict[str, Any]) -> None:
    text = ok(runs["show_failed"]).stdout
    assert "no headway meets the targets" in text
    assert "No summary: the experiment is failed." in text
    killed = one_json_object(runs["show_killed"])  # `latest`: the last started
    jsonschema.validate(killed, _schema("experiments-show"))
    e = killed["experiment"]
    assert (e["id"], e["status"], e["stored_status"]) == (IDS["killed"], "interrupted", "running")
    assert e["summary"] is None


# ---------------------------------------------------------------------------------------- errors
def test_ids_that_name_no_single_experiment_exit_2(runs: dict[str, Any], workdir: Path) -> None:
    failed_cleanly(runs["unknown"], f"no experiment 'ffff0000' in {_db(workdir)}")
    failed_cleanly(runs["run_is_no_experiment"], f"no experiment '{RUN_ID[:8]}'")
    failed_cleanly(
        runs["ambiguous"], "experiment id 'e1e2' is ambiguous", "e1e2e3e4-1111", "e1e2ffff"
    )
    failed_cleanly(runs["too_short"], "experiment id 'e1e' is too short")


def test_catalogues_that_cannot_be_read_exit_2(runs: dict[str, Any], workdir: Path) -> None:
    failed_cleanly(runs["bad_url"], "cannot open catalogue ://nowhere: not a SQLAlchemy URL")
    failed_cleanly(runs["no_dialect"], "nosuchdb://me:***@host/lrt", "no database 'nosuchdb'")
    assert "secret" not in runs["no_dialect"].stderr
    failed_cleanly(
        runs["not_a_database"],
        f"cannot read catalogue {workdir / 'notes.sqlite'}: file is not a database",
    )
    failed_cleanly(runs["under_a_file"], "/dev/null/x: /dev/null is not a folder")


def test_help_lists_the_commands(runs: dict[str, Any]) -> None:
    text = ok(runs["help"]).stdout
    for command in ("montecarlo", "sweep", "design", "list", "show"):
        assert f"  {command} " in text
