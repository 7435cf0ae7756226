"""Experiments in the results catalogue: recorded and read back as runs are (started, complete,
failed, killed; by prefix or `latest`), and a catalogue of schema version 1 — built here with that
version's own DDL — read as it is and upgraded, whole or not at all, by its first write."""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lrtsim.io.catalogue import SCHEMA_VERSION, Catalogue, CatalogueError

SRC = Path(__file__).resolve().parents[2] / "src"
HASH = "7a" * 32
OPTIONS: dict[str, Any] = {
    "engine": "local",
    "workers": 2,
    "until_ci": {"kpi": "excess_wait_s", "half_width": 0.5},
    "set": {"headway_s": [240, 300, math.nan]},
}
SUMMARY: dict[str, Any] = {
    "scenario": "astana",
    "days": 40,
    "summaries": {
        "excess_wait_s": {
            "kpi": "excess_wait_s",
            "days": 40,
            "mean": {"value": 31.25, "low": 30.5, "high": math.nan},
        }
    },
}

V1_DDL = """
CREATE TABLE runs (
    id VARCHAR(36) NOT NULL,
    scenario TEXT NOT NULL,
    scenario_hash VARCHAR(64) NOT NULL,
    seed BIGINT NOT NULL,
    options TEXT NOT NULL,
    lrtsim_version TEXT NOT NULL,
    started_at VARCHAR(32) NOT NULL,
    ended_at VARCHAR(32),
    status VARCHAR(16) NOT NULL,
    folder TEXT,
    kpis TEXT,
    error TEXT,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX ix_runs_started_at ON runs (started_at);
CREATE TABLE catalogue_meta (
    "key" VARCHAR(64) NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY ("key")
);
INSERT INTO catalogue_meta VALUES ('schema_version', '1');
"""
"""The tables of a version-1 catalogue, as lrtsim 0.1 (schema version 1) created them."""

V1_RUNS = [
    (
        "0a1b2c3d-1111-4111-8111-111111111111",
        "astana",
        "5e" * 32,
        42,
        '{"incidents": [], "control": "none"}',
        "0.1.0",
        "2025-06-01T08:15:00.000000+00:00",
        "2025-06-01T08:16:30.250000+00:00",
        "complete",
        "runs/astana-20250601-081500",
        '{"punctuality_pct": 96.25, "mean_wait_s": null, "trains_used": 18}',
        None,
        4242,
        "elsewhere",
    ),
    (
        "0a1bffff-2222-4222-8222-222222222222",
        "astana",
        "5e" * 32,
        2**63 - 1,
        "{}",
        "0.1.0",
        "2025-06-01T08:20:00.000000+00:00",
        "2025-06-01T08:20:01.000000+00:00",
        "failed",
        None,
        None,
        "astana: 1 problem",
        4243,
        "elsewhere",
    ),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "runs" / "catalogue.sqlite"


@pytest.fixture
def catalogue(db: Path) -> Iterator[Catalogue]:
    with Catalogue.open(db) as opened:
        yield opened


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    """A version-1 catalogue holding two runs (of another host)."""
    path = tmp_path / "v1.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(V1_DDL)
    conn.executemany(f"INSERT INTO runs VALUES ({', '.join('?' * 14)})", V1_RUNS)
    conn.commit()
    conn.close()
    return path


def _start(catalogue: Catalogue, kind: str = "montecarlo", seed: int = 7) -> str:
    return catalogue.start_experiment(
        kind=kind,
        scenario="astana",
        scenario_hash=HASH,
        seed=seed,
        options=OPTIONS,
        lrtsim_version="0.2.0",
    )


def _query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of `sql`, read with Python's own sqlite3 (not through the catalogue)."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


def _version(db: Path) -> str:
    ((value,),) = _query(db, "SELECT value FROM catalogue_meta WHERE key = 'schema_version'")
    return str(value)


def _tables(db: Path) -> set[str]:
    return {name for (name,) in _query(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def _schema(db: Path) -> set[tuple[str, str, str]]:
    """Every table and index with its SQL, whitespace aside."""
    rows = _query(db, "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")
    return {(kind, name, " ".join(sql.split())) for kind, name, sql in rows}


def _no_nan(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_no_nan(v) for v in value]
    return None if isinstance(value, float) and math.isnan(value) else value


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(SRC)}


# ------------------------------------------------------------------------------------ round trip
def test_a_completed_experiment_reads_back_as_recorded(catalogue: Catalogue, db: Path) -> None:
    before = datetime.now(UTC)
    experiment_id = _start(catalogue)
    catalogue.complete_experiment(
        experiment_id, folder="montecarlo-astana", days=40, summary=SUMMARY
    )
    after = datetime.now(UTC)

    e = catalogue.get_experiment(experiment_id)
    assert uuid.UUID(e.id).version == 4
    assert (e.kind, e.scenario, e.scenario_hash, e.seed, e.days) == (
        "montecarlo",
        "astana",
        HASH,
        7,
        40,
    )
    assert e.options == _no_nan(OPTIONS)
    assert e.summary == _no_nan(SUMMARY)
    assert e.lrtsim_version == "0.2.0"
    assert e.status == e.stored_status == "complete"
    assert (e.folder, e.error) == ("montecarlo-astana", None)
    assert (e.pid, e.host) == (os.getpid(), socket.gethostname())
    assert e.ended_at is not None
    assert before <= e.started_at <= e.ended_at <= after
    assert e.duration_s == (e.ended_at - e.started_at).total_seconds()
    assert catalogue.experiments() == [e]
    assert catalogue.runs() == []  # an experiment is not a run

    ((summary_text, days),) = _query(db, "SELECT summary, days FROM experiments")
    stored = json.loads(summary_text, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert stored["summaries"]["excess_wait_s"]["mean"]["high"] is None
    assert days == 40


def test_a_failed_experiment_keeps_its_reason_and_has_no_result(catalogue: Catalogue) -> None:
    experiment_id = _start(catalogue, kind="sweep")
    catalogue.fail_experiment(experiment_id, "LrtsimError: --set headway_s: not a number")
    e = catalogue.get_experiment(experiment_id)
    assert (e.kind, e.status, e.error) == (
        "sweep",
        "failed",
        "LrtsimError: --set headway_s: not a number",
    )
    assert (e.folder, e.summary, e.days) == (None, None, None)
    assert e.ended_at is not None
    assert e.ended_at >= e.started_at


def test_an_experiment_ends_once(catalogue: Catalogue) -> None:
    experiment_id = _start(catalogue)
    catalogue.fail_experiment(experiment_id, "stopped")
    with pytest.raises(
        CatalogueError, match=f"experiment {experiment_id} as complete: it is already failed"
    ):
        catalogue.complete_experiment(experiment_id, folder="x", days=1, summary={})
    assert catalogue.get_experiment(experiment_id).status == "failed"
    with pytest.raises(CatalogueError, match="has no such experiment"):
        catalogue.fail_experiment(str(uuid.uuid4()), "x")


def test_runs_and_experiments_are_kept_apart(catalogue: Catalogue) -> None:
    run_id = catalogue.start(
        scenario="astana", scenario_hash=HASH, seed=1, options={}, lrtsim_version="0.2.0"
    )
    experiment_id = _start(catalogue)
    with pytest.raises(CatalogueError, match=f"no experiment '{run_id}'"):
        catalogue.get_experiment(run_id)
    with pytest.raises(CatalogueError, match=f"no run '{experiment_id}'"):
        catalogue.get(experiment_id)
    with pytest.raises(CatalogueError, match="has no such run"):  # an experiment is not a run
        catalogue.complete(experiment_id, folder="x", kpis={})
    with pytest.raises(CatalogueError, match="has no such experiment"):
        catalogue.complete_experiment(run_id, folder="x", days=1, summary={})
    assert [r.id for r in catalogue.runs()] == [run_id]
    assert [e.id for e in catalogue.experiments()] == [experiment_id]


def test_bad_values_are_refused_and_nothing_is_recorded(catalogue: Catalogue) -> None:
    with pytest.raises(CatalogueError, match="kind 'robust': the kinds are montecarlo, sweep"):
        _start(catalogue, kind="robust")
    for seed in (2**63, -1):
        with pytest.raises(CatalogueError, match=f"seed {seed}"):
            _start(catalogue, seed=seed)
    assert catalogue.experiments() == []
    experiment_id = _start(catalogue)
    for days in (-1, 2.5, True):
        with pytest.raises(CatalogueError, match="days must be a whole number from 0"):
            catalogue.complete_experiment(experiment_id, folder="x", days=days, summary={})  # type: ignore[arg-type]
    assert catalogue.get_experiment(experiment_id).status == "running"


def test_experiments_are_listed_newest_first(catalogue: Catalogue) -> None:
    ids = [_start(catalogue, kind=kind, seed=seed) for seed, kind in enumerate(("design", "sweep"))]
    assert [e.id for e in catalogue.experiments()] == ids[::-1]
    assert [e.kind for e in catalogue.experiments()] == ["sweep", "design"]


# ------------------------------------------------------------------------------------- by prefix
def test_an_experiment_is_found_by_a_unique_prefix_or_latest(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(CatalogueError, match=r"no experiment in .*: it records no experiments"):
        catalogue.get_experiment("latest")
    queue = iter(
        uuid.UUID(i)
        for i in ("beef1234-0000-4000-8000-000000000001", "beef9999-0000-4000-8000-000000000002")
    )
    monkeypatch.setattr("lrtsim.io.catalogue.uuid.uuid4", lambda: next(queue))
    one, two = _start(catalogue, seed=1), _start(catalogue, seed=2)
    assert catalogue.get_experiment("beef1").id == one
    assert catalogue.get_experiment("BEEF9").id == two
    assert catalogue.get_experiment(" Latest ").id == two
    catalogue.complete_experiment(one, folder="a", days=3, summary={})
    assert catalogue.get_experiment("latest").id == two  # the newest is the last started
    with pytest.raises(CatalogueError, match="experiment id 'beef' is ambiguous") as ambiguous:
        catalogue.get_experiment("beef")
    assert one[:13] in str(ambiguous.value)
    assert two[:13] in str(ambiguous.value)
    with pytest.raises(CatalogueError, match=f"no experiment 'beee' in {catalogue.where}$"):
        catalogue.get_experiment("beee")
    with pytest.raises(CatalogueError, match="experiment id 'bee' is too short"):
        catalogue.get_experiment("bee")
    with pytest.raises(CatalogueError, match="no experiment 'be%_'"):
        catalogue.get_experiment("be%_")


def test_reading_experiments_of_an_absent_catalogue_creates_nothing(tmp_path: Path) -> None:
    with Catalogue.open(tmp_path / "runs" / "catalogue.sqlite") as catalogue:
        assert catalogue.experiments() == []
        with pytest.raises(CatalogueError, match=r"'abcd' in .* \(it records no experiments\)"):
            catalogue.get_experiment("abcd")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- schema version 1
def test_a_version_1_catalogue_is_read_as_it_is(v1: Path) -> None:
    before = v1.read_bytes()
    with Catalogue.open(v1) as catalogue:
        runs = catalogue.runs()
        assert [r.id for r in runs] == [V1_RUNS[1][0], V1_RUNS[0][0]]
        assert runs[0].seed == 2**63 - 1
        assert runs[1].kpis == {"punctuality_pct": 96.25, "mean_wait_s": None, "trains_used": 18}
        assert catalogue.get("0a1b2").status == "complete"
        assert catalogue.experiments() == []
        with pytest.raises(CatalogueError, match="\\(it records no experiments\\)"):
            catalogue.get_experiment("abcd")
    assert v1.read_bytes() == before  # reading never writes, never upgrades
    assert _version(v1) == "1"


def test_the_first_experiment_upgrades_a_version_1_catalogue(v1: Path, tmp_path: Path) -> None:
    stored_runs = _query(v1, "SELECT * FROM runs ORDER BY id")
    with Catalogue.open(v1) as catalogue:
        experiment_id = _start(catalogue)
        catalogue.complete_experiment(experiment_id, folder="mc", days=40, summary=SUMMARY)
        assert [e.id for e in catalogue.experiments()] == [experiment_id]
        assert [r.id for r in catalogue.runs()] == [V1_RUNS[1][0], V1_RUNS[0][0]]
    assert _version(v1) == str(SCHEMA_VERSION) == "2"
    assert _query(v1, "SELECT * FROM runs ORDER BY id") == stored_runs  # the runs untouched
    fresh = tmp_path / "fresh.sqlite"
    with Catalogue.open(fresh) as catalogue:
        _start(catalogue)
    assert _schema(v1) == _schema(fresh)  # upgraded, it is what a new catalogue is
    with Catalogue.open(v1) as reopened:  # and it reads as a version-2 catalogue
        assert reopened.get_experiment("latest").summary == _no_nan(SUMMARY)


def test_recording_a_run_upgrades_a_version_1_catalogue_too(v1: Path) -> None:
    with Catalogue.open(v1) as catalogue:
        run_id = catalogue.start(
            scenario="astana", scenario_hash=HASH, seed=3, options={}, lrtsim_version="0.2.0"
        )
        assert catalogue.runs()[0].id == run_id
        assert catalogue.experiments() == []
    assert _version(v1) == "2"
    assert "experiments" in _tables(v1)


def test_an_upgrade_that_fails_leaves_the_catalogue_at_version_1(v1: Path) -> None:
    # Someone's own index holds the name of the experiments table's index: the table is
    # created, then its index fails; the whole upgrade must roll back.
    conn = sqlite3.connect(v1)
    conn.execute("CREATE INDEX ix_experiments_started_at ON runs (seed)")
    conn.commit()
    conn.close()
    before = v1.read_bytes()
    with Catalogue.open(v1) as catalogue:
        with pytest.raises(CatalogueError) as failed:
            _start(catalogue)
        assert str(failed.value).startswith(f"cannot write catalogue {v1}: ")
        assert "ix_experiments_started_at already exists" in str(failed.value)
        assert len(catalogue.runs()) == 2  # still read, as version 1
    assert v1.read_bytes() == before
    assert _version(v1) == "1"
    assert "experiments" not in _tables(v1)
    assert _query(v1, "PRAGMA integrity_check") == [("ok",)]


def test_a_version_2_catalogue_without_its_experiments_table_is_refused(db: Path) -> None:
    with Catalogue.open(db) as catalogue:
        _start(catalogue)
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE experiments")
    conn.commit()
    conn.close()
    with pytest.raises(CatalogueError, match="is not an lrtsim catalogue: it has no 'experiments'"):
        Catalogue.open(db)


def test_a_database_with_its_own_experiments_table_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE experiments (trial INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(CatalogueError, match="has a 'experiments' table but no 'catalogue_meta'"):
        Catalogue.open(other)


def test_two_processes_upgrading_at_once_both_record(v1: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    each = 10
    code = f"""
        import pathlib, sys, time
        from lrtsim.io.catalogue import Catalogue
        c = Catalogue.open({str(v1)!r})  # opened at version 1
        c.runs()
        while not pathlib.Path({str(go)!r}).exists():
            time.sleep(0.005)
        for i in range({each}):
            e = c.start_experiment(kind="montecarlo", scenario="p" + sys.argv[1],
                                   scenario_hash={HASH!r}, seed=i, options={{}},
                                   lrtsim_version="0.2.0")
            c.complete_experiment(e, folder=f"mc/{{i}}", days=i, summary={{"days": i}})
    """
    children = [
        subprocess.Popen([*_python(code), str(n)], stderr=subprocess.PIPE, text=True, env=_env())
        for n in (1, 2)
    ]
    time.sleep(0.5)  # both importing or waiting
    go.touch()
    results = [(c.wait(timeout=120), c.communicate()[1]) for c in children]
    assert all(code == 0 for code, _ in results), results
    assert _version(v1) == "2"
    rows = _query(v1, "SELECT scenario, days, status FROM experiments")
    assert len(rows) == 2 * each
    for name in ("p1", "p2"):
        assert sorted(d for s, d, _ in rows if s == name) == list(range(each))
    assert {status for _, _, status in rows} == {"complete"}
    assert len(_query(v1, "SELECT id FROM runs")) == len(V1_RUNS)


# ------------------------------------------------------------------------------ real processes
def test_a_killed_experiment_is_read_as_interrupted(db: Path) -> None:
    code = f"""
        import time
        from lrtsim.io.catalogue import Catalogue
        c = Catalogue.open({str(db)!r})
        print(c.start_experiment(kind="montecarlo", scenario="astana", scenario_hash={HASH!r},
                                 seed=3, options={{}}, lrtsim_version="0.2.0"), flush=True)
        time.sleep(120)
    """
    child = subprocess.Popen(_python(code), stdout=subprocess.PIPE, text=True, env=_env())
    try:
        assert child.stdout is not None
        experiment_id = child.stdout.readline().strip()
        with Catalogue.open(db) as catalogue:
            alive = catalogue.get_experiment(experiment_id)
            assert (alive.status, alive.pid) == ("running", child.pid)
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            killed = catalogue.get_experiment(experiment_id)
            assert (killed.status, killed.stored_status) == ("interrupted", "running")
            assert (killed.ended_at, killed.summary, killed.folder, killed.days) == (
                None,
                None,
                None,
                None,
            )
            assert [e.status for e in catalogue.experiments()] == ["interrupted"]
    finally:
        child.kill()
        child.wait()
    assert _query(db, "SELECT status FROM experiments") == [("running",)]  # reading never writes
