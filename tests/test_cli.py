"""The `lrtsim` command line, run as a real process: `runtime` (JSON contract and table) and
`scenario show | validate | export` on the embedded Astana scenario.

All commands are started together by one module fixture: each process spends most of a second
importing, and the running-time engine compiles (cached) on first use.
"""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path
from typing import Any

import pytest

from lrtsim.model.load import embedded_text, load_scenario
from lrtsim.model.schema import Scenario
from support.cli import is_number, ok, one_json_object, run_all
from support.scenarios import replaced


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    (folder / "mine.toml").write_text(embedded_text("astana"), encoding="utf-8")
    bracket = replaced(
        embedded_text("astana"),
        ('name = "Theatre"', 'name = "[/x] Theatre"'),
        ('station = "Theatre"', 'station = "[/x] Theatre"'),
        (
            "punctuality_window_s = [-60, 180]",
            'punctuality_window_s = [-30, 120]\nincidents = [{ at = "08:15", kind = '
            '"station_closed", station = "[/x] Theatre", direction = "up", duration_min = 20 }]',
        ),
        (
            'strategy = "none"',
            'strategy = "holding"\ntimepoints = ["Airport", "[/x] Theatre"]',
        ),
    )
    (folder / "bracket.toml").write_text(bracket, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def runs(workdir: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    commands = {
        "json": ["runtime", "--json"],
        "json_up": ["runtime", "--direction", "up", "--json"],
        "json_up_allowance": ["runtime", "--direction", "up", "--allowance", "5", "--json"],
        "json_up_full": ["runtime", "astana", "--direction", "up", "--load", "1", "--json"],
        "json_file_down": ["runtime", "mine.toml", "--direction", "down", "--json"],
        "table": ["runtime"],
        "show": ["scenario", "show", "astana"],
        "show_default": ["scenario", "show"],
        "export": ["scenario", "export", "astana"],
        "validate_exported": ["scenario", "validate", "mine.toml"],
        "show_bracket": ["scenario", "show", "bracket.toml"],
    }
    return run_all(commands, workdir)


@pytest.fixture(scope="module")
def astana() -> Scenario:
    return load_scenario("astana")


DIRECTION_KEYS = {
    "direction": str,
    "from": str,
    "to": str,
    "run_time_s": float,
    "dwell_time_s": float,
    "total_time_s": float,
    "traction_energy_kwh": float,
    "line_energy_kwh": float,
    "segments": list,
}
SEGMENT_KEYS = {
    "from": str,
    "to": str,
    "distance_m": float,
    "run_time_s": float,
    "max_speed_kmh": float,
    "traction_energy_kwh": float,
}


def check_types(obj: dict[str, Any], keys: dict[str, type]) -> None:
    for key, kind in keys.items():
        assert key in obj, f"missing {key!r} in {sorted(obj)}"
        if kind is float:
            assert is_number(obj[key]), (key, obj[key])
        else:
            assert isinstance(obj[key], kind), (key, obj[key])


# ------------------------------------------------------------------------------ runtime --json
def test_json_contract(runs: dict[str, Any], astana: Scenario) -> None:
    payload = one_json_object(runs["json"])
    assert payload["scenario"] == "astana"
    assert is_number(payload["load"])
    assert payload["load"] == 0.5
    directions = payload["directions"]
    assert isinstance(directions, list)
    assert [d["direction"] for d in directions] == ["up", "down"]
    names = [s.name for s in astana.line.stations]
    for d in directions:
        check_types(d, DIRECTION_KEYS)
        assert d["segments"], "no segments"
        for segment in d["segments"]:
            check_types(segment, SEGMENT_KEYS)
        order = names if d["direction"] == "up" else names[::-1]
        assert [d["from"], d["to"]] == [order[0], order[-1]]
        assert [g["from"] for g in d["segments"]] == order[:-1]
        assert [g["to"] for g in d["segments"]] == order[1:]


def test_up_runs_airport_to_nurly_zhol(runs: dict[str, Any]) -> None:
    up, down = one_json_object(runs["json"])["directions"]
    assert (up["from"], up["to"]) == ("Airport", "Nurly Zhol")
    assert (down["from"], down["to"]) == ("Nurly Zhol", "Airport")


def test_segments_chain_end_to_start(runs: dict[str, Any]) -> None:
    for d in one_json_object(runs["json"])["directions"]:
        segments = d["segments"]
        assert segments[0]["from"] == d["from"]
        assert segments[-1]["to"] == d["to"]
        for a, b in itertools.pairwise(segments):
            assert a["to"] == b["from"]


def test_segment_distances_are_station_gaps(runs: dict[str, Any], astana: Scenario) -> None:
    km = {s.name: s.km for s in astana.line.stations}
    for d in one_json_object(runs["json"])["directions"]:
        for g in d["segments"]:
            gap_m = abs(km[g["to"]] - km[g["from"]]) * 1000
            assert g["distance_m"] == pytest.approx(gap_m, abs=0.5)
        total = sum(g["distance_m"] for g in d["segments"])
        assert total == pytest.approx(abs(km[d["to"]] - km[d["from"]]) * 1000, abs=1.0)


def test_segment_values_are_physical(runs: dict[str, Any], astana: Scenario) -> None:
    top = min(astana.line.max_speed_kmh, astana.rolling_stock.max_speed_kmh)
    for d in one_json_object(runs["json"])["directions"]:
        for g in d["segments"]:
            assert g["run_time_s"] > 0
            assert 0 < g["max_speed_kmh"] <= top + 0.01
            assert g["traction_energy_kwh"] > 0
            # no faster than the segment's distance at top speed
            assert g["run_time_s"] > g["distance_m"] / (top / 3.6)
        rounding = 0.0005 * len(d["segments"]) + 0.001
        energy = sum(g["traction_energy_kwh"] for g in d["segments"])
        assert energy == pytest.approx(d["traction_energy_kwh"], abs=rounding)


def test_total_is_run_plus_dwell(runs: dict[str, Any], astana: Scenario) -> None:
    base = astana.service.dwell.base_s
    inner = astana.line.stations[1:-1]
    dwell = sum(s.dwell_s if s.dwell_s is not None else base for s in inner)
    for d in one_json_object(runs["json"])["directions"]:
        assert d["total_time_s"] == pytest.approx(d["run_time_s"] + d["dwell_time_s"], abs=0.011)
        assert d["dwell_time_s"] == pytest.approx(dwell)
        assert dwell == 12 * 25 + 4 * 30


def test_segment_run_times_add_up_within_rounding(runs: dict[str, Any]) -> None:
    """Each value is rounded to 0.01 s, so the sum may drift by half a hundredth per segment."""
    for d in one_json_object(runs["json"])["directions"]:
        total = sum(g["run_time_s"] for g in d["segments"])
        assert total == pytest.approx(d["run_time_s"], abs=0.005 * (len(d["segments"]) + 1))


def test_segment_run_times_add_up_within_a_hundredth(runs: dict[str, Any]) -> None:
    for d in one_json_object(runs["json"])["directions"]:
        total = sum(g["run_time_s"] for g in d["segments"])
        assert abs(total - d["run_time_s"]) <= 0.01 + 1e-9, (d["direction"], total)


def test_direction_up_only(runs: dict[str, Any]) -> None:
    payload = one_json_object(runs["json_up"])
    (up,) = payload["directions"]
    assert up["direction"] == "up"
    both_up = one_json_object(runs["json"])["directions"][0]
    assert up["run_time_s"] == pytest.approx(both_up["run_time_s"], abs=0.01)


def test_direction_down_from_a_file(runs: dict[str, Any]) -> None:
    (down,) = one_json_object(runs["json_file_down"])["directions"]
    assert down["direction"] == "down"
    assert (down["from"], down["to"]) == ("Nurly Zhol", "Airport")
    both_down = one_json_object(runs["json"])["directions"][1]
    assert down["run_time_s"] == pytest.approx(both_down["run_time_s"], abs=0.01)


def test_allowance_stretches_the_run_and_saves_energy(runs: dict[str, Any]) -> None:
    flat_out = one_json_object(runs["json_up"])["directions"][0]
    (eco,) = one_json_object(runs["json_up_allowance"])["directions"]
    assert eco["run_time_s"] == pytest.approx(1.05 * flat_out["run_time_s"], rel=0.01)
    assert eco["line_energy_kwh"] < flat_out["line_energy_kwh"]
    assert eco["dwell_time_s"] == flat_out["dwell_time_s"]


def test_full_load_costs_time_and_energy(runs: dict[str, Any]) -> None:
    half = one_json_object(runs["json_up"])
    full = one_json_object(runs["json_up_full"])
    assert full["load"] == 1.0
    (h,), (f,) = half["directions"], full["directions"]
    assert f["traction_energy_kwh"] > h["traction_energy_kwh"]
    assert f["run_time_s"] >= h["run_time_s"] - 0.01


# ------------------------------------------------------------------------------- runtime table
def test_table_names_every_station(runs: dict[str, Any], astana: Scenario) -> None:
    out = ok(runs["table"]).stdout
    for station in astana.line.stations:
        assert station.name in out, station.name
    assert "up: Airport → Nurly Zhol" in out
    assert "down: Nurly Zhol → Airport" in out
    assert out.count("terminal to terminal") == 2


# ------------------------------------------------------------------------------------ scenario
@pytest.mark.parametrize("key", ["show", "show_default"])
def test_scenario_show(key: str, runs: dict[str, Any], astana: Scenario) -> None:
    out = ok(runs[key]).stdout
    for station in astana.line.stations:
        assert station.name in out, station.name
    assert "capacity 480" in out
    assert (
        "Operations: dwell cv 0.15, running-time cv 0.02; random failures none; control none; "
        "punctual from -60 to +180 s; 0 incidents." in out
    )
    assert "Depot: Airport depot" in out
    assert f"{len(astana.line.curves)} curves" in out


def test_export_prints_the_embedded_toml(runs: dict[str, Any]) -> None:
    assert ok(runs["export"]).stdout == embedded_text("astana")


def test_validate_an_exported_file(runs: dict[str, Any]) -> None:
    run = ok(runs["validate_exported"])
    assert "mine.toml is a valid scenario ('astana')" in run.stdout


def test_show_prints_names_verbatim(runs: dict[str, Any]) -> None:
    out = ok(runs["show_bracket"]).stdout
    assert "[/x] Theatre" in out
    assert "control holding (headway) at Airport, [/x] Theatre, at most 120 s" in out
    assert "punctual from -30 to +120 s; 1 incident." in out
    assert "  Incident 1: 08:15 station_closed at [/x] Theatre (up), 20 min." in out
