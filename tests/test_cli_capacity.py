"""`lrtsim capacity`, run as a real process: the JSON contract, the table, the plot, bad input.

All commands start together from one module fixture (each process spends most of its time
importing), in a scratch folder holding the scenario files the cases need.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from lrtsim.capacity.analysis import analyse
from lrtsim.model.load import embedded_text, load_scenario
from lrtsim.model.schema import Scenario
from support.cli import failed_cleanly, is_number, ok, one_json_object, run_all
from support.scenarios import replaced

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli_capacity")
    text = embedded_text("astana")
    fixed = replaced(text, ('kind = "moving_block"', 'kind = "fixed_block"'))
    (folder / "fixed.toml").write_text(fixed, encoding="utf-8")
    short = replaced(
        text,
        (
            "tail_tracks_m = { start = 200, end = 200 }",
            "tail_tracks_m = { start = 150, end = 200 }",
        ),
    )
    (folder / "short_tail.toml").write_text(short, encoding="utf-8")
    (folder / "plots").mkdir()
    (folder / "empty").mkdir()
    (folder / "a_folder.png").mkdir()
    return folder


COMMANDS: dict[str, list[str]] = {
    "json": ["capacity", "astana", "--json"],
    "json_default": ["capacity", "--json"],
    "dwell_20": ["capacity", "--dwell-s", "20", "--json"],
    "dwell_40": ["capacity", "--dwell-s", "40", "--json"],
    "table": ["capacity"],
    "plot": ["capacity", "astana", "--plot", "plots/headway.png"],
    "fixed": ["capacity", "fixed.toml", "--json"],
    "occupancy": ["capacity", "--json", "--occupancy-headway-s", "300"],
    "negative_dwell": ["capacity", "--dwell-s", "-5"],
    "huge_dwell": ["capacity", "--dwell-s", "5000", "--json"],
    "short_tail": ["capacity", "short_tail.toml", "--json"],
    "plot_no_folder": ["capacity", "--json", "--plot", "empty/missing/headway.png"],
    "plot_is_a_folder": ["capacity", "--plot", "a_folder.png"],
}


@pytest.fixture(scope="module")
def runs(workdir: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    return run_all(COMMANDS, workdir)


@pytest.fixture(scope="module")
def astana() -> Scenario:
    return load_scenario("astana")


# ------------------------------------------------------------------------------ JSON contract
def test_json_contract(runs: dict[str, Any]) -> None:
    p = one_json_object(runs["json"])
    assert is_number(p["line_min_headway_s"])
    assert p["line_min_headway_s"] > 0
    assert isinstance(p["bottleneck"], dict)
    assert isinstance(p["bottleneck"]["where"], str)
    assert p["bottleneck"]["kind"] in {"station", "line", "terminal"}
    assert is_number(p["trains_per_hour"])
    assert is_number(p["passengers_per_hour_per_direction"])
    assert isinstance(p["stations"], list)
    assert p["stations"]
    for s in p["stations"]:
        assert isinstance(s["name"], str)
        assert s["direction"] in {"up", "down"}
        assert is_number(s["min_headway_s"])
        assert isinstance(s["components_s"], dict)
        assert s["components_s"]
        for key, value in s["components_s"].items():
            assert isinstance(key, str)
            assert is_number(value)
        # the parts add up to the headway (each rounded to a thousandth)
        total = sum(s["components_s"].values())
        assert total == pytest.approx(s["min_headway_s"], abs=0.001 * len(s["components_s"]))
    assert isinstance(p["terminals"], list)
    assert len(p["terminals"]) == 2
    for t in p["terminals"]:
        assert isinstance(t["name"], str)
        assert isinstance(t["kind"], str)
        assert is_number(t["min_headway_s"])
    assert [t["name"] for t in p["terminals"]] == ["Airport", "Nurly Zhol"]
    assert [t["kind"] for t in p["terminals"]] == ["tail_track", "crossover_before"]


def test_default_scenario_is_astana(runs: dict[str, Any]) -> None:
    assert one_json_object(runs["json_default"]) == one_json_object(runs["json"])


def test_bottleneck_is_one_of_the_entries(runs: dict[str, Any]) -> None:
    p = one_json_object(runs["json"])
    b = p["bottleneck"]
    if b["kind"] == "station":
        matches = [
            s["min_headway_s"]
            for s in p["stations"]
            if s["name"] == b["where"] and s["direction"] == b["direction"]
        ]
    elif b["kind"] == "line":
        matches = [
            s["min_headway_s"]
            for s in p["lines"]
            if s["between"] == b["where"] and s["direction"] == b["direction"]
        ]
    else:
        matches = [t["min_headway_s"] for t in p["terminals"] if t["name"] == b["where"]]
    assert matches == [p["line_min_headway_s"]]
    everything = [
        *(s["min_headway_s"] for s in p["stations"]),
        *(s["min_headway_s"] for s in p["lines"]),
        *(t["min_headway_s"] for t in p["terminals"]),
    ]
    assert max(everything) == p["line_min_headway_s"]
    # Astana: the Airport tail track (see tests/capacity/test_hand_cases.py)
    assert (b["where"], b["kind"]) == ("Airport", "terminal")
    # the CLI reports what the library computes
    library = analyse(load_scenario("astana"))
    assert p["line_min_headway_s"] == pytest.approx(library.line_min_headway_s, abs=1e-3)


def test_trains_and_passengers_per_hour(runs: dict[str, Any], astana: Scenario) -> None:
    p = one_json_object(runs["json"])
    h = p["line_min_headway_s"]
    assert p["trains_per_hour"] == pytest.approx(3600 / h, abs=0.001)
    stock = astana.rolling_stock
    per_train = stock.seats + stock.standing_area_m2 * astana.service.loading_standard_pax_per_m2
    assert per_train == 144 + 84 * 4.0  # 480 passengers a train
    assert p["passengers_per_hour_per_direction"] == round(3600 / h * per_train)


def test_stations_cover_every_intermediate_station_both_ways(
    runs: dict[str, Any], astana: Scenario
) -> None:
    p = one_json_object(runs["json"])
    inner = [s.name for s in astana.line.stations[1:-1]]
    assert len(inner) == 16
    up = [s["name"] for s in p["stations"] if s["direction"] == "up"]
    down = [s["name"] for s in p["stations"] if s["direction"] == "down"]
    assert up == inner
    assert down == inner[::-1]
    assert len(p["stations"]) == 32


def test_longer_dwell_longer_station_headways(runs: dict[str, Any]) -> None:
    short = one_json_object(runs["dwell_20"])["stations"]
    long = one_json_object(runs["dwell_40"])["stations"]
    assert [(s["name"], s["direction"]) for s in short] == [
        (s["name"], s["direction"]) for s in long
    ]
    for a, b in zip(short, long, strict=True):
        assert a["components_s"]["dwell"] == 20.0
        assert b["components_s"]["dwell"] == 40.0
        assert b["min_headway_s"] > a["min_headway_s"]
        assert b["min_headway_s"] - a["min_headway_s"] == pytest.approx(20.0, abs=0.05)


def test_fixed_block_file(runs: dict[str, Any]) -> None:
    moving = one_json_object(runs["json"])
    fixed = one_json_object(runs["fixed"])
    assert fixed["signalling"] == "fixed_block"
    assert fixed["line_min_headway_s"] >= moving["line_min_headway_s"]
    for m, f in zip(moving["stations"], fixed["stations"], strict=True):
        assert (m["name"], m["direction"]) == (f["name"], f["direction"])
        assert f["min_headway_s"] >= m["min_headway_s"]


def test_occupancy_option(runs: dict[str, Any]) -> None:
    p = one_json_object(runs["occupancy"])
    uic = p["uic406"]
    assert uic["headway_s"] == 300.0
    assert uic["period_s"] == 3600.0
    assert len(uic["sections"]) == 2 * 17
    for s in uic["sections"]:
        assert s["direction"] in {"up", "down"}
        assert 0 < s["share"] < 1


# -------------------------------------------------------------------------------------- table
def test_table_names_the_bottleneck(runs: dict[str, Any], astana: Scenario) -> None:
    p = one_json_object(runs["json"])
    out = ok(runs["table"]).stdout
    b = p["bottleneck"]
    assert f"bottleneck: {b['where']} ({b['kind']}, {b['direction']})" in out
    assert f"Line minimum headway {p['line_min_headway_s']:.1f} s" in out
    assert f"{p['trains_per_hour']:.1f} trains/h" in out
    for station in astana.line.stations:
        assert station.name in out, station.name
    assert "Terminals" in out


# --------------------------------------------------------------------------------------- plot
def test_plot_is_a_png(runs: dict[str, Any], workdir: Path) -> None:
    run = ok(runs["plot"])
    png = workdir / "plots" / "headway.png"
    assert png.is_file()
    data = png.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > 10_000
    assert "Plot written to plots/headway.png" in run.stdout
    # only the plot: no temporary file left beside it
    assert sorted(p.name for p in (workdir / "plots").iterdir()) == ["headway.png"]


# ---------------------------------------------------------------------------------- bad input
def test_negative_dwell(runs: dict[str, Any]) -> None:
    failed_cleanly(runs["negative_dwell"], "--dwell-s")


def test_dwell_too_long(runs: dict[str, Any]) -> None:
    failed_cleanly(runs["huge_dwell"], "--dwell-s")


def test_tail_track_too_short(runs: dict[str, Any]) -> None:
    failed_cleanly(runs["short_tail"], "error:", "tail track beyond Airport (150 m) is too short")
    assert "at least 180 m" in runs["short_tail"].stderr


def test_plot_into_a_missing_folder_creates_it(runs: dict[str, Any], workdir: Path) -> None:
    """Every command creates missing parent folders of its outputs (docs/user-guide.md)."""
    assert runs["plot_no_folder"].returncode == 0, runs["plot_no_folder"].stderr
    written = workdir / "empty" / "missing" / "headway.png"
    assert written.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert one_json_object(runs["plot_no_folder"])["plot"] == "empty/missing/headway.png"


def test_plot_onto_a_folder(runs: dict[str, Any]) -> None:
    failed_cleanly(runs["plot_is_a_folder"], "error:")
