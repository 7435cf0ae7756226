"""`lrtsim plan`, run as a real process: the JSON contract, the files, the table, bad input.

All commands start together from one module fixture (each process spends most of its time
importing), in a scratch folder holding the scenario files the cases need. The numbers are
compared with `make_plan` computed in this process.
"""

from __future__ import annotations

import functools
import json
import math
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from lrtsim.model.load import embedded_text, load_scenario, scenario_from_toml
from lrtsim.planning.day_types import DAY_TYPE_COLUMN, DayPlan, make_day_plans
from lrtsim.planning.plan import ServicePlan
from lrtsim.planning.tables import BLOCK_COLUMNS, TIMETABLE_COLUMNS
from support.cli import in_parallel, run_cli
from support.scenarios import replaced, without_geometry

CONTRACT = {
    "fleet_required": int,
    "fleet_in_service_peak": int,
    "spares": int,
    "cycle_time_s": float,
    "trips": int,
    "train_km": float,
}
PERIOD_CONTRACT = {
    "from": str,
    "to": str,
    "headway_s": float,
    "trains_in_service": int,
    "max_load_pax": int,
    "load_factor": float,
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli_plan")
    text = embedded_text("astana")
    heavy = replaced(text, ("daily_boardings = 90000", "daily_boardings = 2000000"))
    (folder / "heavy.toml").write_text(heavy, encoding="utf-8")
    bad = replaced(text, ("layover_s = 180", "layover_s = -5"))
    (folder / "bad.toml").write_text(bad, encoding="utf-8")
    no_geometry = without_geometry(text)
    assert scenario_from_toml(no_geometry, source="no_geometry").line.geometry is None
    (folder / "no_geometry.toml").write_text(no_geometry, encoding="utf-8")
    (folder / "a_file.txt").write_text("not a folder\n", encoding="utf-8")
    for name in ("bad", "heavy", "into_file", "is_file"):
        (folder / name).mkdir()
    return folder


COMMANDS: dict[str, list[str]] = {
    "json": ["plan", "--out", "out_json", "--json"],
    "table": ["plan", "astana", "--out", "out_table"],
    "bad": ["plan", "bad.toml", "--out", "out_bad", "--json"],
    "heavy": ["plan", "heavy.toml", "--out", "out_heavy"],
    "into_file": ["plan", "--out", "a_file.txt/plan", "--json"],
    "is_file": ["plan", "--out", "a_file.txt"],
    "no_geometry": ["plan", "no_geometry.toml", "--out", "out_no_geometry", "--json"],
}


@pytest.fixture(scope="module")
def results(workdir: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    # Each case runs in its own subfolder copy of the inputs, so that a stray default output
    # folder (plan-<name>) would be seen.
    def one(name: str) -> subprocess.CompletedProcess[str]:
        cwd = workdir / name if name in ("bad", "heavy", "into_file", "is_file") else workdir
        for f in ("heavy.toml", "bad.toml", "a_file.txt"):
            target = cwd / f
            if cwd != workdir and not target.exists():
                target.write_bytes((workdir / f).read_bytes())
        return run_cli(COMMANDS[name], cwd)

    return in_parallel({name: functools.partial(one, name) for name in COMMANDS})


@pytest.fixture(scope="module")
def day_plans() -> tuple[DayPlan, ...]:
    return make_day_plans(load_scenario("astana"))


@pytest.fixture(scope="module")
def library_plan(day_plans: tuple[DayPlan, ...]) -> ServicePlan:
    """The design day: the day type that needs the most trains (the JSON's top level)."""
    return max(day_plans, key=lambda d: d.plan.circulation.fleet_required).plan


@pytest.fixture(scope="module")
def payload(results: dict[str, subprocess.CompletedProcess[str]]) -> dict[str, Any]:
    done = results["json"]
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, done.stdout
    data = json.loads(lines[0])
    assert isinstance(data, dict)
    return data


def test_json_follows_the_contract(payload: dict[str, Any]) -> None:
    for key, kind in CONTRACT.items():
        assert key in payload, key
        assert type(payload[key]) is kind, (key, payload[key])
    assert isinstance(payload["periods"], list)
    assert payload["periods"]
    for period in payload["periods"]:
        for key, kind in PERIOD_CONTRACT.items():
            assert type(period[key]) is kind, (key, period[key])
        for key in ("from", "to"):
            hours, minutes = period[key].split(":")
            assert len(hours) == 2
            assert len(minutes) == 2
            assert 0 <= int(minutes) < 60


def test_json_numbers_match_the_library(payload: dict[str, Any], library_plan: ServicePlan) -> None:
    c = library_plan.circulation
    assert payload["fleet_required"] == c.fleet_required
    assert payload["fleet_in_service_peak"] == c.in_service_peak
    assert payload["spares"] == c.spares
    assert payload["fleet_required"] == payload["fleet_in_service_peak"] + payload["spares"]
    assert payload["trips"] == library_plan.trips
    assert payload["cycle_time_s"] == pytest.approx(library_plan.cycle_time_s, abs=0.05)
    assert payload["train_km"] == pytest.approx(c.train_km, abs=0.05)
    assert payload["empty_km"] == pytest.approx(c.empty_km, abs=0.0005)
    assert payload["positioning_trips"] == len(c.positioning_trips)
    assert len(payload["periods"]) == len(library_plan.periods)
    spans = c.blocks.groupby("block_id").agg(start=("start_s", "min"), end=("end_s", "max"))
    for got, p in zip(payload["periods"], library_plan.periods, strict=True):
        assert f"{got['from']}-{got['to']}" == p.label
        assert got["headway_s"] == p.headway_s
        assert got["max_load_pax"] == round(p.max_load_per_train_pax)
        assert got["load_factor"] == pytest.approx(p.load_factor, abs=1e-4)
        assert got["load_factor"] == pytest.approx(
            got["max_load_pax"] / p.train_capacity_pax, abs=2e-3
        )
        mid = 0.5 * (p.from_s + p.to_s)
        out = int(((spans["start"] <= mid) & (spans["end"] > mid)).sum())
        assert got["trains_in_service"] == out
        # Enough trains for the headway over a round trip (the cycle) at mid-period.
        assert got["trains_in_service"] >= math.floor(payload["cycle_time_s"] / p.headway_s)


def test_json_writes_the_three_files(
    workdir: Path, payload: dict[str, Any], day_plans: tuple[DayPlan, ...]
) -> None:
    folder = workdir / "out_json"
    listed = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert listed == ["blocks.csv", "gtfs.zip", "timetable.csv"] == payload["files"]
    timetable = pd.read_csv(folder / "timetable.csv", keep_default_na=False)
    blocks = pd.read_csv(folder / "blocks.csv", keep_default_na=False)
    assert tuple(timetable.columns) == (DAY_TYPE_COLUMN, *TIMETABLE_COLUMNS)
    assert tuple(blocks.columns) == (DAY_TYPE_COLUMN, *BLOCK_COLUMNS)
    by_day = {d["name"]: d for d in payload["day_types"]}
    assert set(timetable[DAY_TYPE_COLUMN]) == set(by_day) == {d.day_type for d in day_plans}
    for day in day_plans:
        tt = timetable[timetable[DAY_TYPE_COLUMN] == day.day_type]
        bl = blocks[blocks[DAY_TYPE_COLUMN] == day.day_type]
        figures = by_day[day.day_type]
        assert tt["trip_id"].nunique() == figures["trips"] == day.plan.trips
        assert bl["distance_m"].sum() / 1000.0 == pytest.approx(figures["train_km"], abs=0.05)
        assert len(tt) == len(day.plan.timetable)
        assert len(bl) == len(day.plan.blocks)
    # The trip's train in blocks.csv is the timetable's block_id.
    trip_rows = blocks[blocks["activity"] == "trip"]
    block_of = dict(zip(trip_rows["trip_id"], trip_rows["block_id"], strict=True))
    assert len(block_of) == timetable["trip_id"].nunique()
    for trip, block in timetable.groupby("trip_id")["block_id"].first().items():
        assert block_of[trip] == block
    with zipfile.ZipFile(folder / "gtfs.zip") as feed:
        names = set(feed.namelist())
    assert {"stop_times.txt", "trips.txt", "stops.txt", "routes.txt", "calendar.txt"} <= names


def test_table_names_every_period_and_the_fleet(
    workdir: Path,
    results: dict[str, subprocess.CompletedProcess[str]],
    library_plan: ServicePlan,
) -> None:
    done = results["table"]
    assert done.returncode == 0, done.stderr
    text = done.stdout
    lines = text.splitlines()
    for p in library_plan.periods:
        a, b = p.label.split("-")
        assert any(a in line and b in line for line in lines), p.label
    c = library_plan.circulation
    assert f"Fleet: {c.fleet_required} trains" in text
    assert f"{c.in_service_peak} in service" in text
    assert f"{library_plan.trips} trips" in text
    assert f"{c.train_km:,.0f} train-km of which {c.empty_km:,.0f} empty" in text
    assert len(c.positioning_trips) > 0
    assert f"({len(c.positioning_trips)} of them positioning" in text
    assert "Traceback" not in done.stderr
    assert (workdir / "out_table" / "timetable.csv").is_file()


def test_bad_scenario_exits_2_without_files(
    workdir: Path, results: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    done = results["bad"]
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "layover_s" in done.stderr
    assert done.stdout == ""
    folder = workdir / "bad"
    assert sorted(p.name for p in folder.iterdir()) == ["a_file.txt", "bad.toml", "heavy.toml"]


def test_demand_above_capacity_exits_2_with_the_numbers(
    workdir: Path, results: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    done = results["heavy"]
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    message = " ".join(done.stderr.split())
    assert "passengers/h" in message
    assert "trains/h" in message
    assert "minimum headway is 118 s" in message
    folder = workdir / "heavy"
    assert not (folder / "out_heavy").exists()
    assert not any(p.name.startswith("plan-") for p in folder.iterdir())


@pytest.mark.parametrize("name", ["into_file", "is_file"])
def test_out_into_a_file_exits_2_cleanly(
    name: str, workdir: Path, results: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    done = results[name]
    assert done.returncode == 2, done.stdout
    assert "Traceback" not in done.stderr
    assert "cannot write" in done.stderr or "is a file; give a folder" in done.stderr
    assert done.stdout == ""
    folder = workdir / name
    assert (folder / "a_file.txt").read_text(encoding="utf-8") == "not a folder\n"
    assert not any(p.name.startswith("plan-") for p in folder.iterdir())


def test_scenario_without_geometry_fails_whole_or_not_at_all(
    workdir: Path, results: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    done = results["no_geometry"]
    assert "Traceback" not in done.stderr
    folder = workdir / "out_no_geometry"
    written = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    if done.returncode == 0:
        assert {"timetable.csv", "blocks.csv"} <= set(written)
    else:
        assert done.returncode == 2
        assert written == [], f"exit {done.returncode} but wrote {written}"
