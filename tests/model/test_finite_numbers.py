"""Every float of the schema refuses NaN and infinity, with its key path.

The float fields are found by walking the pydantic models, so a field added later is covered
without touching this file: `FULL` must only give it a valid value (a test says which are missing).
"""

from __future__ import annotations

import copy
import math
import types
import typing
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel
from test_bad_input import BASE, to_toml

from lrtsim.dynamics.track import grid
from lrtsim.errors import GridTooLargeError, ScenarioError
from lrtsim.model import checks
from lrtsim.model.load import key_path, scenario_from_dict, scenario_from_toml
from lrtsim.model.schema import Scenario

Slot = tuple[int | str, ...]
"""A key path into the scenario: table keys and list indexes."""

# Every table and every optional key given, each with a valid value.
FULL: dict[str, Any] = copy.deepcopy(BASE)
FULL["line"].update(
    depot={"name": "D", "km": 0.1, "access_m": 500.0, "access_time_s": 120.0},
    gradients=[{"from_km": 0.0, "to_km": 1.0, "permille": 5.0}],
    curves=[{"from_km": 0.2, "to_km": 0.6, "radius_m": 400.0, "cant_mm": 80.0}],
    speed_limits=[{"from_km": 0.2, "to_km": 0.6, "kmh": 40.0}],
    tail_tracks_m={"start": 200.0, "end": 200.0},
    cant_mm=100.0,
    cant_deficiency_mm=75.0,
    rail_centres_mm=1500.0,
    geometry={
        "track": [[71.40, 51.10], [71.40, 51.13]],
        "stations": [[71.40, 51.10], [71.40, 51.1108], [71.40, 51.1225]],
        "track_start_km": 0.0,
    },
)
FULL["line"]["stations"][0].update(dwell_s=40.0)
FULL["line"]["stations"][1].update(dwell_s=30.0)
FULL["rolling_stock"].update(
    rotating_mass_factor=1.08,
    max_accel_mps2=1.2,
    standing_capacity_pax_per_m2=4.0,
    crush_standing_pax_per_m2=6.0,
    traction_efficiency=0.85,
    regen_efficiency=0.3,
    aux_power_kw=50.0,
)
FULL["signalling"] = {
    "kind": "fixed_block",
    "safety_margin_m": 50.0,
    "reaction_time_s": 3.0,
    "block_length_m": 400.0,
    "block_boundaries_km": [0.5, 1.5],
    "operating_margin_s": 10.0,
    "turnback": {
        "start": {
            "crossover_speed_kmh": 25.0,
            "route_setting_s": 10.0,
            "min_layover_s": 60.0,
            "crossover_length_m": 50.0,
            "crossover_clearance_m": 10.0,
        },
        "end": {
            "kind": "tail_track",
            "crossover_speed_kmh": 25.0,
            "route_setting_s": 10.0,
            "min_layover_s": 60.0,
            "crossover_length_m": 50.0,
            "crossover_clearance_m": 10.0,
        },
    },
}
FULL["demand"] = {
    "daily_boardings": 1000.0,
    "hourly_profile": [1.0] * 24,
    "weights": [{"station": "B", "production": 2.0, "attraction": 1.5}],
    "gravity_beta": 0.1,
}
FULL["service"] = {
    "periods": [{"from": "07:00", "to": "09:00", "max_headway_s": 300.0}],
    "loading_standard_pax_per_m2": 4.0,
    "layover_s": 180.0,
    "spare_ratio": 0.1,
    "allowance_pct": 5.0,
    "dwell": {
        "base_s": 25.0,
        "per_boarding_s": 1.5,
        "per_alighting_s": 1.2,
        "crowding_factor": 1.3,
    },
    "day_types": [
        {
            "name": "weekend",
            "days": ["saturday", "sunday"],
            "start": "07:00",
            "end": "22:00",
            "periods": [{"from": "08:00", "to": "10:00", "max_headway_s": 600.0}],
            "demand_factor": 0.6,
            "hourly_profile": [1.0] * 24,
        }
    ],
}
FULL["operations"] = {
    "dwell_cv": 0.15,
    "run_time_cv": 0.02,
    "incidents": [
        {"at": "08:15", "kind": "track_blocked", "between": ["A", "B"], "duration_min": 12.0}
    ],
    "failure_rate_per_train_km": 1e-4,
    "failure_recovery_min": 10.0,
    "control": {"strategy": "holding", "max_hold_s": 90.0},
    "punctuality_window_s": [-60.0, 180.0],
}
FULL["gtfs"] = {"agency_timezone": "Asia/Almaty"}


# ------------------------------------------------------------------- the schema's float slots
def _float_slots(annotation: Any) -> list[Slot]:
    """Key paths (relative to a value of this type) where a float lives."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _float_slots(typing.get_args(annotation)[0])
    if annotation is float:
        return [()]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        slots: list[Slot] = []
        for name, info in annotation.model_fields.items():
            key = info.alias or name
            slots += [(key, *s) for s in _float_slots(info.annotation)]
        return slots
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return list(dict.fromkeys(s for arg in args for s in _float_slots(arg)))
    if origin is list:
        return [(0, *s) for s in _float_slots(args[0])]
    if origin is tuple:
        return [(i, *s) for i, arg in enumerate(args) for s in _float_slots(arg)]
    if origin is dict:
        raise AssertionError(f"a dict field ({annotation}): teach this test where its floats are")
    return []


SLOTS = _float_slots(Scenario)


def _get(data: Any, slot: Slot) -> Any:
    for part in slot:
        data = data[part]
    return data


def _with(slot: Slot, value: float) -> dict[str, Any]:
    data = copy.deepcopy(FULL)
    _get(data, slot[:-1])[slot[-1]] = value
    return data


def _has(slot: Slot) -> bool:
    try:
        _get(FULL, slot)
    except (KeyError, IndexError):
        return False
    return True


def test_full_scenario_is_valid_and_sets_every_float() -> None:
    scenario = scenario_from_dict(copy.deepcopy(FULL))
    assert scenario.line.depot is not None
    missing = [key_path(s) for s in SLOTS if not _has(s)]
    assert not missing, f"give FULL a valid value for {missing}"
    assert all(isinstance(_get(FULL, s), int | float) for s in SLOTS)


def test_the_walk_finds_floats_in_lists_and_tuples() -> None:
    paths = {key_path(s) for s in SLOTS}
    assert {
        "line.stations[0].km",
        "line.geometry.track[0][1]",
        "demand.hourly_profile[0]",
        "signalling.block_boundaries_km[0]",
        "demand.weights[0].production",
        "signalling.turnback.end.crossover_length_m",
    } <= paths
    assert len(paths) >= 60


@pytest.mark.parametrize("text", ["nan", "inf", "-inf"])
@pytest.mark.parametrize("slot", SLOTS, ids=key_path)
def test_every_float_refuses_nan_and_infinity(slot: Slot, text: str) -> None:
    """One problem, at the float's key path, saying what the number must be (TOML text in)."""
    value = float(text)
    with pytest.raises(ScenarioError) as info:
        scenario_from_toml(to_toml(_with(slot, value)), source="f.toml")
    assert info.value.problems == [
        f"{key_path(slot)}: {text} is not allowed: must be a finite number"
    ]


@pytest.mark.parametrize("slot", SLOTS, ids=key_path)
def test_finite_values_in_place_of_nan_stay_valid(slot: Slot) -> None:
    """Control: the slot itself is writable, so the NaN test fails for the NaN alone."""
    scenario_from_dict(_with(slot, _get(FULL, slot)))


# ------------------------------------------------------------------------- the grid guard
def test_grid_points_counts_without_allocating() -> None:
    assert checks.grid_points([1000.0], 1.0) == 1001
    assert checks.grid_points([1000.0, 10.0], 1.0, min_steps=20) == 1 + 1000 + 20


def test_grid_over_the_limit_is_refused_with_the_reason() -> None:
    length_m = 500_000.0
    step_m = 0.005
    with pytest.raises(GridTooLargeError) as info:
        checks.grid_points([length_m], step_m)
    message = str(info.value)
    assert f"{checks.MAX_GRID_POINTS:,}" in message
    assert "500 km" in message
    assert "0.005 m" in message
    needed = length_m / checks.MAX_GRID_POINTS
    assert f"{needed:.2g} m" in message


@pytest.mark.parametrize("step_m", [0.0, -1.0, math.nan, math.inf])
def test_grid_step_must_be_a_positive_finite_number(step_m: float) -> None:
    with pytest.raises(GridTooLargeError, match="step"):
        checks.grid_points([1000.0], step_m)


def test_the_runtime_engine_refuses_a_huge_grid() -> None:
    stop_m = np.array([0.0, 250_000.0, 500_000.0])
    with pytest.raises(GridTooLargeError, match="points"):
        grid(stop_m, 0.005)
