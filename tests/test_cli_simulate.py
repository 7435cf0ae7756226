"""`lrtsim simulate`, run as a real process: the JSON contract, the files and their bytes, the
table, the incident cost, bad incidents and options.

All commands start together from one module fixture (each simulated day takes about a second
and a process as long again to import). A failing case runs in a folder of its own, without
`--out`, so that a default output folder it should not write would be seen.
"""

from __future__ import annotations

import json
import subprocess
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from lrtsim.metrics.kpis import KPI_JSON_KEYS
from lrtsim.simulation.day import EVENT_COLUMNS
from lrtsim.simulation.tables import PASSENGER_COLUMNS
from support.cli import failed_cleanly, in_parallel, is_number, ok, one_json_object, run_cli

INCIDENT = "08:15,track_blocked,Baiterek,House of Ministries,12"
FILES = ["events.parquet", "kpis.json", "passengers.parquet"]
COUNTS = ("seed", "trips_planned", "trips_operated", "passengers")

COMMANDS: dict[str, list[str]] = {
    "json": ["simulate", "--json", "--out", "day"],
    "default_out": ["simulate", "astana"],  # into simulate-astana, in its own folder
    "other_seed": ["simulate", "--seed", "7", "--json", "--out", "day7"],
    "incident_table": [
        "simulate",
        "--incident",
        INCIDENT,
        "--control",
        "holding",
        "--out",
        "incident_table",
    ],
    "foreign": ["simulate", "--json", "--out", "foreign"],
    "help": ["simulate", "--help"],
}
BAD: dict[str, tuple[list[str], str]] = {
    "unknown_station": (
        ["--incident", "08:15,track_blocked,Baiterk,House of Ministries,12"],
        "'Baiterk' is not a station of the line; did you mean 'Baiterek'?",
    ),
    "not_adjacent": (
        ["--incident", "08:15,track_blocked,Airport,Nurly Zhol,12"],
        "'Airport' and 'Nurly Zhol' are not adjacent stations",
    ),
    "outside_service": (
        ["--incident", "03:00,track_blocked,Baiterek,House of Ministries,12"],
        "03:00 is outside the service day",
    ),
    "bad_grammar": (["--incident", "08:15,track_blocked,Baiterek"], "needs AT,KIND,A[,B]"),
    "second_bad": (
        ["--incident", INCIDENT, "--incident", "08:15,derailed,Baiterek,12"],
        "--incident 2 (kind)",
    ),
    "bad_control": (["--control", "sometimes"], "--control"),
    "both_bad": (
        ["--incident", "08:15,track_blocked,Airport,Nurly Zhol,12", "--control", "short_turn"],
        "2 problems",
    ),
    "short_turn_without_crossovers": (["--control", "short_turn"], "crossovers"),
    "negative_seed": (["--seed", "-1"], "--seed"),
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli_simulate")
    foreign = folder / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine\n", encoding="utf-8")
    for name in (*BAD, "default_out"):
        (folder / name).mkdir()
    return folder


@pytest.fixture(scope="module")
def runs(workdir: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    calls = {
        name: partial(run_cli, args, workdir / name if name == "default_out" else workdir)
        for name, args in COMMANDS.items()
    }
    for name, (args, _) in BAD.items():
        calls[name] = partial(run_cli, ["simulate", *args], workdir / name)
    return in_parallel(calls)


@pytest.fixture(scope="module")
def payload(runs: dict[str, subprocess.CompletedProcess[str]]) -> dict[str, Any]:
    return one_json_object(runs["json"])


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


def test_json_follows_the_contract(payload: dict[str, Any]) -> None:
    for key in COUNTS:
        assert type(payload[key]) is int, (key, payload[key])
    assert payload["seed"] == 0  # the scenario's seed
    assert list(payload["kpis"]) == list(KPI_JSON_KEYS)
    for key, value in payload["kpis"].items():
        kind = int if key == "trains_used" else float
        assert value is None or type(value) is kind, (key, value)
    assert payload["day_type"] == "weekday"
    assert payload["incident"] is None
    assert payload["incidents"] == []
    assert payload["control"] == "none"
    assert payload["out"] == "day"
    assert payload["files"] == FILES


def test_figures_agree_with_the_files(workdir: Path, payload: dict[str, Any]) -> None:
    folder = workdir / "day"
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == FILES
    saved = json.loads((folder / "kpis.json").read_text(encoding="utf-8"))
    assert saved == {k: v for k, v in payload.items() if k not in ("out", "files")}
    events = pd.read_parquet(folder / "events.parquet")
    passengers = pd.read_parquet(folder / "passengers.parquet")
    assert set(EVENT_COLUMNS) <= set(events.columns)
    assert set(PASSENGER_COLUMNS) <= set(passengers.columns)
    assert len(passengers) == payload["passengers"]
    served = events.loc[events["event"] == "arrive", "trip_id"]
    assert served.nunique() == payload["trips_operated"] == payload["trips_planned"]
    assert events["time_s"].is_monotonic_increasing
    boarded = passengers["board_s"].notna().sum()
    assert events.loc[events["event"] == "arrive", "boarded"].sum() == boarded
    assert payload["kpis"]["punctuality_pct"] is not None
    assert 0 <= payload["kpis"]["punctuality_pct"] <= 100


def test_same_seed_same_bytes_other_seed_other_bytes(
    workdir: Path, runs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    ok(runs["default_out"])
    first = _bytes(workdir / "day")
    again = _bytes(workdir / "default_out" / "simulate-astana")
    assert list(first) == list(again) == FILES
    assert first == again
    other = _bytes(workdir / "day7")
    assert one_json_object(runs["other_seed"])["seed"] == 7
    for name in FILES:
        assert other[name] != first[name], name


def test_table_gives_the_kpis_with_units_and_the_incident_cost(
    runs: dict[str, subprocess.CompletedProcess[str]], payload: dict[str, Any]
) -> None:
    text = ok(runs["incident_table"]).stdout
    for needle in ("punctuality", "mean wait", "min", " %", "kWh", " km", "trains used"):
        assert needle in text, needle
    assert f"Trips: {payload['trips_planned']} planned" in text
    assert f"Passengers: {payload['passengers']:,}" in text
    assert "1 incident, control holding" in text
    assert "passenger-hours of delay" in text
    assert "Wrote incident_table: events.parquet, kpis.json, passengers.parquet." in text
    plain = ok(runs["default_out"]).stdout
    assert "passenger-hours" not in plain
    assert "Wrote simulate-astana:" in plain


def test_kpis_json_reports_the_incident_and_its_cost(
    workdir: Path, runs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    ok(runs["incident_table"])
    got = json.loads((workdir / "incident_table" / "kpis.json").read_text(encoding="utf-8"))
    assert got["control"] == "holding"
    (incident,) = got["incidents"]
    assert incident["between"] == {"from": "Baiterek", "to": "House of Ministries"}
    assert (incident["at"], incident["kind"], incident["duration_min"]) == (
        "08:15",
        "track_blocked",
        12,
    )
    assert set(got["incident"]) == {"delay_passenger_hours", "lost_passengers"}
    assert is_number(got["incident"]["delay_passenger_hours"])
    assert type(got["incident"]["lost_passengers"]) is int
    assert got["incident"]["lost_passengers"] >= 0


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_exits_2_and_writes_nothing(
    name: str, workdir: Path, runs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    failed_cleanly(runs[name], BAD[name][1])
    assert list((workdir / name).iterdir()) == []


def test_a_folder_of_other_files_is_refused_and_kept(
    workdir: Path, runs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    failed_cleanly(runs["foreign"], "notes.txt", "--force")
    folder = workdir / "foreign"
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine\n"


def test_help_says_which_day_is_simulated(
    runs: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    text = " ".join(ok(runs["help"]).stdout.split())
    assert "design day" in text
    for flag in ("--seed", "--incident", "--control", "--out", "--force", "--json"):
        assert flag in text
