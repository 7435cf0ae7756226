"""The results catalogue: what a run records is what is read back, killed runs never read as
complete, ids by prefix, catalogues lrtsim cannot use refused with their name and the reason,
two processes writing at once."""

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

from lrtsim.io.catalogue import (
    SCHEMA_VERSION,
    Catalogue,
    CatalogueError,
    catalogue_url,
    default_url,
    kpi_differences,
)

SRC = Path(__file__).resolve().parents[2] / "src"
HASH = "3f" * 32
OPTIONS: dict[str, Any] = {
    "incidents": [{"at": "08:15", "kind": "track_blocked", "duration_min": 12.0}],
    "control": "holding",
}
KPIS: dict[str, Any] = {
    "punctuality_pct": 96.25,
    "mean_wait_s": math.nan,
    "excess_wait_s": 41.5,
    "peak_load_factor": 0.8125,
    "energy_kwh": None,
    "trains_used": 18,
}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "runs" / "catalogue.sqlite"


@pytest.fixture
def catalogue(db: Path) -> Iterator[Catalogue]:
    with Catalogue.open(db) as opened:
        yield opened


def _start(catalogue: Catalogue, seed: int = 7, scenario: str = "astana") -> str:
    return catalogue.start(
        scenario=scenario, scenario_hash=HASH, seed=seed, options=OPTIONS, lrtsim_version="0.1.0"
    )


def _rows(db: Path) -> list[dict[str, Any]]:
    """The stored rows, read with Python's own sqlite3 (not through the catalogue)."""
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM runs")]


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(SRC)}


# ------------------------------------------------------------------------------------ round trip
def test_a_completed_run_reads_back_as_recorded(catalogue: Catalogue, db: Path) -> None:
    before = datetime.now(UTC)
    run_id = _start(catalogue)
    catalogue.complete(run_id, folder="runs/astana-20250601-081500", kpis=KPIS)
    after = datetime.now(UTC)

    record = catalogue.get(run_id)
    assert uuid.UUID(record.id).version == 4
    assert (record.scenario, record.scenario_hash, record.seed) == ("astana", HASH, 7)
    assert record.options == OPTIONS
    assert record.lrtsim_version == "0.1.0"
    assert record.status == record.stored_status == "complete"
    assert record.folder == "runs/astana-20250601-081500"
    assert record.error is None
    assert (record.pid, record.host) == (os.getpid(), socket.gethostname())
    assert record.ended_at is not None
    assert before <= record.started_at <= record.ended_at <= after
    assert record.duration_s == (record.ended_at - record.started_at).total_seconds()
    expected = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in KPIS.items()}
    assert record.kpis == expected
    assert list(record.kpis) == list(KPIS)  # the contract's order is kept
    assert catalogue.runs() == [record]

    (row,) = _rows(db)
    stored = json.loads(row["kpis"], parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert stored["mean_wait_s"] is None
    assert row["started_at"].endswith("+00:00")
    assert datetime.fromisoformat(row["started_at"]) == record.started_at


def test_a_failed_run_keeps_its_reason_and_has_no_result(catalogue: Catalogue) -> None:
    run_id = _start(catalogue)
    catalogue.fail(run_id, "ScenarioError: astana: 1 problem")
    record = catalogue.get(run_id)
    assert record.status == "failed"
    assert record.error == "ScenarioError: astana: 1 problem"
    assert (record.folder, record.kpis) == (None, None)
    assert record.ended_at is not None
    assert record.ended_at >= record.started_at


def test_a_run_ends_once(catalogue: Catalogue) -> None:
    run_id = _start(catalogue)
    catalogue.fail(run_id, "stopped")
    with pytest.raises(CatalogueError, match=f"{run_id} as complete: it is already failed"):
        catalogue.complete(run_id, folder="x", kpis=KPIS)
    assert catalogue.get(run_id).status == "failed"
    with pytest.raises(CatalogueError, match="has no such run"):
        catalogue.complete(str(uuid.uuid4()), folder="x", kpis=KPIS)


def test_runs_are_listed_newest_first(catalogue: Catalogue) -> None:
    ids = [_start(catalogue, seed=seed) for seed in (1, 2, 3)]
    listed = catalogue.runs()
    assert [r.id for r in listed] == ids[::-1]
    assert [r.seed for r in listed] == [3, 2, 1]
    assert all(r.status == "running" for r in listed)  # this process is alive


def test_the_largest_seed_is_stored_exactly(catalogue: Catalogue, db: Path) -> None:
    largest = 2**63 - 1
    run_id = _start(catalogue, seed=largest)
    assert catalogue.get(run_id).seed == largest
    with sqlite3.connect(db) as conn:
        kind, value = conn.execute("SELECT typeof(seed), seed FROM runs").fetchone()
    assert (kind, value) == ("integer", largest)
    for bad in (2**63, -1):
        with pytest.raises(CatalogueError, match=f"seed {bad}"):
            _start(catalogue, seed=bad)
    assert len(catalogue.runs()) == 1


def test_kpi_differences_are_b_minus_a(catalogue: Catalogue) -> None:
    first, second = _start(catalogue), _start(catalogue)
    catalogue.complete(first, folder="a", kpis=KPIS)
    later = {**KPIS, "punctuality_pct": 90.0, "excess_wait_s": 0.0, "trains_used": 20}
    later["headway_cv"] = 0.25  # only in the second run
    catalogue.complete(second, folder="b", kpis=later)
    found = {d.key: d for d in kpi_differences(catalogue.get(first), catalogue.get(second))}
    assert list(found) == [*KPIS, "headway_cv"]
    p = found["punctuality_pct"]
    assert (p.a, p.b) == (96.25, 90.0)
    assert p.difference == pytest.approx(90.0 - 96.25)
    assert p.relative_change == pytest.approx((90.0 - 96.25) / 96.25)
    assert found["trains_used"].difference == 2
    assert isinstance(found["trains_used"].difference, int)
    assert found["excess_wait_s"].relative_change == pytest.approx(-1.0)
    for key in ("mean_wait_s", "energy_kwh", "headway_cv"):  # null in either run
        assert (found[key].difference, found[key].relative_change) == (None, None)
    zero = {d.key: d for d in kpi_differences(catalogue.get(second), catalogue.get(first))}
    assert zero["excess_wait_s"].difference == 41.5
    assert zero["excess_wait_s"].relative_change is None  # from 0: no relative change


# ------------------------------------------------------------------------------------- by prefix
def _fixed_ids(monkeypatch: pytest.MonkeyPatch, ids: list[str]) -> None:
    queue = iter(uuid.UUID(i) for i in ids)
    monkeypatch.setattr("lrtsim.io.catalogue.uuid.uuid4", lambda: next(queue))


def test_a_run_is_found_by_a_unique_prefix(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fixed_ids(
        monkeypatch,
        ["abcd1234-0000-4000-8000-000000000001", "abcd9999-0000-4000-8000-000000000002"],
    )
    one, two = _start(catalogue, seed=1), _start(catalogue, seed=2)
    assert catalogue.get("abcd1").id == one
    assert catalogue.get("ABCD9").id == two
    assert catalogue.get(f" {one} ").seed == 1
    with pytest.raises(CatalogueError, match="'abcd' is ambiguous") as ambiguous:
        catalogue.get("abcd")
    assert one[:13] in str(ambiguous.value)
    assert two[:13] in str(ambiguous.value)
    with pytest.raises(CatalogueError, match=f"no run 'abce' in {catalogue.where}"):
        catalogue.get("abce")
    with pytest.raises(CatalogueError, match="too short"):
        catalogue.get("abc")
    with pytest.raises(CatalogueError, match="no run 'ab%_'"):  # LIKE wildcards match nothing
        catalogue.get("ab%_")


def test_latest_is_the_newest_run(catalogue: Catalogue) -> None:
    with pytest.raises(CatalogueError, match="records no runs"):
        catalogue.get("latest")
    first = _start(catalogue, seed=1)
    assert catalogue.get("latest").id == first
    second = _start(catalogue, seed=2)
    assert catalogue.get("Latest").id == second == catalogue.runs()[0].id
    catalogue.complete(first, folder="a", kpis=KPIS)  # the newest is the last started
    assert catalogue.get("latest").id == second


# ------------------------------------------------------------------------------ where it lives
def test_urls_and_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").mkdir()
    assert catalogue_url("postgresql://me:secret@db/lrt") == "postgresql://me:secret@db/lrt"
    assert catalogue_url("mine.sqlite") == f"sqlite:///{tmp_path}/mine.sqlite"
    assert catalogue_url("runs") == f"sqlite:///{tmp_path}/runs/catalogue.sqlite"
    assert catalogue_url("later/") == f"sqlite:///{tmp_path}/later/catalogue.sqlite"
    assert default_url(Path("runs")) == catalogue_url("runs")


def test_an_odd_file_name_is_the_file_written(tmp_path: Path) -> None:
    path = tmp_path / "my runs?v=1#a%20b.sqlite"
    with Catalogue.open(path) as catalogue:
        _start(catalogue)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    assert len(_rows(path)) == 1


def test_reading_an_absent_catalogue_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "runs" / "catalogue.sqlite"
    with Catalogue.open(db) as catalogue:
        assert catalogue.runs() == []
        with pytest.raises(CatalogueError, match="it records no runs"):
            catalogue.get("abcd")
    assert list(tmp_path.iterdir()) == []


def test_a_password_is_never_shown(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError) as failed:
        Catalogue.open("nosuchdb://me:secret@host/lrt")
    assert "secret" not in str(failed.value)
    assert "nosuchdb://me:***@host/lrt" in str(failed.value)


# --------------------------------------------------------------------------- refused catalogues
@pytest.mark.parametrize(
    ("version", "why"), [(SCHEMA_VERSION + 1, " (a newer lrtsim wrote it)"), (0, "")]
)
def test_a_schema_version_lrtsim_does_not_read_is_refused_and_left_alone(
    db: Path, version: int, why: str
) -> None:
    with Catalogue.open(db) as catalogue:
        _start(catalogue)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE catalogue_meta SET value = ? WHERE key = 'schema_version'", (str(version),)
        )
    conn.close()
    before = db.read_bytes()
    with pytest.raises(CatalogueError) as refused:
        Catalogue.open(db)
    assert str(refused.value) == (
        f"{db} has schema version {version}; this lrtsim reads versions 1 to {SCHEMA_VERSION}{why}"
    )
    assert db.read_bytes() == before


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.sqlite"
    notes.write_text("my notes, not a database\n" * 100, encoding="utf-8")
    with pytest.raises(CatalogueError, match=f"cannot read catalogue {notes}: file is not a"):
        Catalogue.open(notes)
    assert notes.read_text(encoding="utf-8").startswith("my notes")


def test_a_database_with_its_own_runs_table_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE runs (lap INTEGER)")
    with pytest.raises(CatalogueError, match=f"{other} is not an lrtsim catalogue"):
        Catalogue.open(other)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("://nowhere", "not a SQLAlchemy URL"),
        ("nosuchdb://host/lrt", "SQLAlchemy has no database 'nosuchdb'"),
        ("sqlite+nosuchdriver:///x.sqlite", "SQLAlchemy has no database 'sqlite+nosuchdriver'"),
    ],
)
def test_a_url_that_cannot_be_used_is_refused(url: str, reason: str) -> None:
    with pytest.raises(CatalogueError, match="cannot open catalogue") as refused:
        Catalogue.open(url)
    assert reason in str(refused.value)


def test_a_path_under_a_file_is_refused() -> None:
    with pytest.raises(CatalogueError) as refused:
        Catalogue.open("/dev/null/x/catalogue.sqlite")
    assert str(refused.value) == (
        "cannot open catalogue /dev/null/x/catalogue.sqlite: /dev/null is not a folder"
    )


def test_a_folder_that_cannot_be_made_is_a_catalogue_error(tmp_path: Path) -> None:
    db = tmp_path / "later" / "catalogue.sqlite"
    catalogue = Catalogue.open(db)
    (tmp_path / "later").write_text("a file where the folder would go\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as refused:
        _start(catalogue)  # the real OS error of mkdir
    assert str(refused.value).startswith(f"cannot write catalogue {db}: ")
    assert "exists" in str(refused.value) or "not a directory" in str(refused.value)


# ------------------------------------------------------------------------------ real processes
def test_a_killed_run_is_read_as_interrupted(db: Path) -> None:
    code = f"""
        import time
        from lrtsim.io.catalogue import Catalogue
        c = Catalogue.open({str(db)!r})
        print(c.start(scenario="astana", scenario_hash={HASH!r}, seed=3, options={{}},
                      lrtsim_version="0.1.0"), flush=True)
        time.sleep(120)
    """
    child = subprocess.Popen(_python(code), stdout=subprocess.PIPE, text=True, env=_env())
    try:
        assert child.stdout is not None
        run_id = child.stdout.readline().strip()
        with Catalogue.open(db) as catalogue:
            alive = catalogue.get(run_id)
            assert (alive.status, alive.pid) == ("running", child.pid)
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            killed = catalogue.get(run_id)
            assert killed.status == "interrupted"
            assert killed.stored_status == "running"  # reading never writes
            assert (killed.ended_at, killed.kpis, killed.folder) == (None, None, None)
            assert [r.status for r in catalogue.runs()] == ["interrupted"]
    finally:
        child.kill()
        child.wait()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_running_row_of_another_host_stays_running(catalogue: Catalogue, db: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    here, there = _start(catalogue), _start(catalogue)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE runs SET pid = ? WHERE id = ?", (gone.pid, here))
        conn.execute("UPDATE runs SET pid = ?, host = 'elsewhere' WHERE id = ?", (gone.pid, there))
    assert catalogue.get(here).status == "interrupted"
    assert catalogue.get(there).status == "running"  # its process cannot be seen from here


def test_two_processes_writing_at_once_both_record_every_run(db: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    runs_each = 25
    code = f"""
        import pathlib, sys, time
        from lrtsim.io.catalogue import Catalogue
        c = Catalogue.open({str(db)!r})
        while not pathlib.Path({str(go)!r}).exists():
            time.sleep(0.005)
        for i in range({runs_each}):
            run = c.start(scenario="p" + sys.argv[1], scenario_hash={HASH!r}, seed=i,
                          options={{}}, lrtsim_version="0.1.0")
            c.complete(run, folder=f"runs/{{i}}", kpis={{"trains_used": i}})
    """
    children = [
        subprocess.Popen([*_python(code), str(n)], stderr=subprocess.PIPE, text=True, env=_env())
        for n in (1, 2)
    ]
    time.sleep(0.5)  # both importing or waiting
    go.touch()
    results = [(c.wait(timeout=120), c.communicate()[1]) for c in children]
    assert all(code == 0 for code, _ in results), results
    rows = _rows(db)
    assert len(rows) == 2 * runs_each == len({r["id"] for r in rows})
    assert {r["status"] for r in rows} == {"complete"}
    for name in ("p1", "p2"):
        mine = [r for r in rows if r["scenario"] == name]
        assert sorted(json.loads(r["kpis"])["trains_used"] for r in mine) == list(range(runs_each))


def test_a_folder_that_cannot_be_searched_is_a_catalogue_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    exists = Path.exists

    def refuse(path: Path) -> bool:  # as root no folder refuses to be searched: say it does
        if locked in (path, *path.parents):
            raise PermissionError(13, "Permission denied", str(path))
        return exists(path)

    monkeypatch.setattr(Path, "exists", refuse)
    db = locked / "inner" / "catalogue.sqlite"
    with pytest.raises(CatalogueError) as refused:
        Catalogue.open(db)
    assert str(refused.value) == f"cannot read catalogue {db}: permission denied"
