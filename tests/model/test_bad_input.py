"""Bad scenario input: every problem is reported at once, with its key path, and the CLI exits 2.

Each case edits a small valid scenario written here (not the embedded Astana one), writes it as
TOML and runs the real command line, `python -m lrtsim.cli scenario validate FILE`. The runs are
started together by one module fixture, since each process spends most of a second importing.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from lrtsim.errors import MAX_SHOWN, ScenarioError
from lrtsim.model.load import scenario_from_dict, scenario_from_toml
from lrtsim.model.schema import Scenario
from support import cli
from support.scenarios import TEST_TRAM

# ------------------------------------------------------------------------------ a valid scenario
BASE: dict[str, Any] = {
    "name": "mini",
    "line": {
        "name": "Mini line",
        "max_speed_kmh": 80,
        "stations": [
            {"name": "A", "km": 0.0},
            {"name": "B", "km": 1.2},
            {"name": "C", "km": 2.5},
        ],
    },
    "rolling_stock": dict(TEST_TRAM),
}

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    """One TOML inline value (JSON string escapes are valid TOML basic-string escapes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def to_toml(data: dict[str, Any]) -> str:
    """Top-level scalars, then one `[table]` per top-level table with inline values inside."""
    lines = [f"{_key(k)} = {_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for key, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{_key(key)}]"]
            lines += [f"{_key(k)} = {_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def edited(edit: Callable[[dict[str, Any]], object]) -> str:
    """TOML of BASE after `edit` changed a deep copy of it."""
    data = copy.deepcopy(BASE)
    edit(data)
    return to_toml(data)


def test_base_scenario_is_valid() -> None:
    scenario = scenario_from_toml(to_toml(BASE))
    assert scenario.name == "mini"
    assert [s.name for s in scenario.line.stations] == ["A", "B", "C"]
    assert tomllib.loads(to_toml(BASE)) == BASE


# ------------------------------------------------------------------------------------ the cases
def _line(d: dict[str, Any]) -> dict[str, Any]:
    return d["line"]


def _rs(d: dict[str, Any]) -> dict[str, Any]:
    return d["rolling_stock"]


SYNTAX_ERROR = 'name = "mini"\n\n[line]\nname = "Mini line"\nmax_speed_kmh = 80 km/h\n'

WEIGHT_Z = {"station": "Z", "production": 1.0, "attraction": 1.0}
NAN, INF = float("nan"), float("inf")
GEOMETRY_TRACK = [[71.40, 51.10], [71.40, 51.1125]]


def _several(d: dict[str, Any]) -> None:
    """Eight problems in five sections: types, ranges, an unknown key and cross-value rules."""
    d["timetabel"] = {"trips": 3}
    _line(d)["stations"][2] = {"name": "A", "km": 1.0}
    _rs(d)["mass_t"] = "heavy"
    _rs(d)["regen_efficiency"] = 1.5
    d["signalling"] = {"kind": "telepathy"}
    d["demand"] = {"hourly_profile": [1.0] * 23}
    d["service"] = {"start": "22:00", "end": "06:00"}


@dataclass(frozen=True)
class Case:
    """A bad file and every problem expected from it: (key path, fragments of its message)."""

    id: str
    text: str
    problems: tuple[tuple[str, tuple[str, ...]], ...]
    cli: bool = True
    """Also run through the command line (the loader sees every case; processes cost ~1 s)."""


CASES: list[Case] = [
    Case(
        "toml_syntax_error",
        SYNTAX_ERROR,
        (("TOML syntax error at line 5, column 20", ("Expected newline",)),),
    ),
    Case(
        "toml_duplicate_key",
        'name = "a"\nname = "b"\n',
        (("TOML syntax error at line 2, column 11", ("overwrite",)),),
        cli=False,
    ),
    Case(
        "empty_file",
        "",
        (
            ("name", ("required key is missing",)),
            ("line", ("required key is missing",)),
            ("rolling_stock", ("required key is missing",)),
        ),
    ),
    Case(
        "station_km_not_increasing",
        edited(lambda d: _line(d)["stations"][2].update(km=1.0)),
        (("line.stations[2].km", ("1 is not greater than the previous station's 1.2",)),),
    ),
    Case(
        "station_km_equal",
        edited(lambda d: _line(d)["stations"][1].update(km=0.0)),
        (("line.stations[1].km", ("0 is not greater than the previous station's 0",)),),
        cli=False,
    ),
    Case(
        "duplicate_station_name",
        edited(lambda d: _line(d)["stations"][2].update(name="A")),
        (("line.stations[2].name", ("'A' is already the name of line.stations[0]",)),),
    ),
    Case(
        "missing_required_key",
        edited(lambda d: _rs(d).pop("mass_t")),
        (("rolling_stock.mass_t", ("required key is missing",)),),
    ),
    Case(
        "missing_station_km",
        edited(lambda d: _line(d)["stations"][1].pop("km")),
        (("line.stations[1].km", ("required key is missing",)),),
        cli=False,
    ),
    Case(
        "missing_rolling_stock",
        edited(lambda d: d.pop("rolling_stock")),
        (("rolling_stock", ("required key is missing",)),),
    ),
    Case(
        "missing_name",
        edited(lambda d: d.pop("name")),
        (("name", ("required key is missing",)),),
    ),
    Case(
        "single_station",
        edited(lambda d: _line(d).update(stations=_line(d)["stations"][:1])),
        (("line.stations", ("at least 2 items", "not 1")),),
    ),
    Case(
        "negative_max_speed",
        edited(lambda d: _line(d).update(max_speed_kmh=-5)),
        (("line.max_speed_kmh", ("-5", "greater than 0")),),
    ),
    Case(
        "string_for_number",
        edited(lambda d: _rs(d).update(mass_t="heavy")),
        (("rolling_stock.mass_t", ("'heavy'", "valid number")),),
    ),
    Case(
        "fraction_for_integer",
        edited(lambda d: _rs(d).update(seats=60.5)),
        (("rolling_stock.seats", ("60.5", "valid integer")),),
        cli=False,
    ),
    Case(
        "unknown_key_statoins",
        edited(lambda d: _line(d).update(statoins=_line(d).pop("stations"))),
        (
            ("line.stations", ("required key is missing",)),
            ("line.statoins", ("unknown key", "did you mean 'stations'?")),
        ),
    ),
    Case(
        "unknown_key_mass_tt",
        edited(lambda d: _rs(d).update(mass_tt=_rs(d).pop("mass_t"))),
        (
            ("rolling_stock.mass_t", ("required key is missing",)),
            ("rolling_stock.mass_tt", ("unknown key", "did you mean 'mass_t'?")),
        ),
    ),
    Case(
        "unknown_nested_key",
        edited(lambda d: d.update(service={"dwell": {"base": 20}})),
        (("service.dwell.base", ("unknown key", "did you mean 'base_s'?")),),
        cli=False,
    ),
    Case(
        "unknown_key_in_list_item",
        edited(lambda d: _line(d)["stations"][0].update(dwel_s=30)),
        (("line.stations[0].dwel_s", ("unknown key", "did you mean 'dwell_s'?")),),
        cli=False,
    ),
    Case(
        "period_from_misspelt",
        edited(
            lambda d: d.update(
                service={"periods": [{"form": "07:00", "to": "09:00", "max_headway_s": 300}]}
            )
        ),
        (
            ("service.periods[0].from", ("required key is missing",)),
            ("service.periods[0].form", ("unknown key", "did you mean 'from'?")),
        ),
        cli=False,
    ),
    Case(
        "unknown_top_level_section",
        edited(lambda d: d.update(timetable={"trips": 3})),
        (("timetable", ("unknown key", "allowed here:", "rolling_stock", "operations")),),
    ),
    Case(
        "misspelt_top_level_section",
        edited(lambda d: d.update(servise={"start": "06:00"})),
        (("servise", ("unknown key", "did you mean 'service'?")),),
    ),
    Case(
        "gradient_to_not_after_from",
        edited(
            lambda d: _line(d).update(gradients=[{"from_km": 1.0, "to_km": 0.5, "permille": 5}])
        ),
        (("line.gradients[0].to_km", ("0.5 must be greater than from_km 1",)),),
    ),
    Case(
        "gradient_off_the_line",
        edited(
            lambda d: _line(d).update(gradients=[{"from_km": 2.0, "to_km": 3.0, "permille": 5}])
        ),
        (("line.gradients[0]", ("2–3 km reaches off the line", "runs from 0 to 2.5 km")),),
    ),
    Case(
        "gradient_before_the_line",
        edited(
            lambda d: _line(d).update(
                tail_tracks_m={"start": 100},
                gradients=[{"from_km": -0.2, "to_km": 0.5, "permille": 5}],
            )
        ),
        (("line.gradients[0]", ("reaches off the line", "runs from -0.1 to 2.5 km")),),
        cli=False,
    ),
    Case(
        "gradient_too_steep",
        edited(
            lambda d: _line(d).update(gradients=[{"from_km": 0.0, "to_km": 1.0, "permille": 150}])
        ),
        (("line.gradients[0].permille", ("150", "less than or equal to 100")),),
        cli=False,
    ),
    Case(
        "overlapping_gradients",
        edited(
            lambda d: _line(d).update(
                gradients=[
                    {"from_km": 0.0, "to_km": 1.0, "permille": 5},
                    {"from_km": 0.8, "to_km": 1.5, "permille": -3},
                ]
            )
        ),
        (("line.gradients[1].from_km", ("0.8 overlaps line.gradients[0] (0–1 km)",)),),
    ),
    Case(
        "overlapping_curves",
        edited(
            lambda d: _line(d).update(
                curves=[
                    {"from_km": 0.5, "to_km": 0.9, "radius_m": 400},
                    {"from_km": 0.2, "to_km": 0.6, "radius_m": 300},
                ]
            )
        ),
        (("line.curves[0].from_km", ("0.5 overlaps line.curves[1] (0.2–0.6 km)",)),),
    ),
    Case(
        "curve_radius_too_small",
        edited(lambda d: _line(d).update(curves=[{"from_km": 0.2, "to_km": 0.6, "radius_m": 20}])),
        (("line.curves[0].radius_m", ("20", "greater than or equal to 50")),),
    ),
    Case(
        "speed_limit_to_not_after_from",
        edited(lambda d: _line(d).update(speed_limits=[{"from_km": 1.0, "to_km": 1.0, "kmh": 40}])),
        (("line.speed_limits[0].to_km", ("1 must be greater than from_km 1",)),),
        cli=False,
    ),
    Case(
        "regen_efficiency_above_one",
        edited(lambda d: _rs(d).update(regen_efficiency=1.2)),
        (("rolling_stock.regen_efficiency", ("1.2", "less than or equal to 1")),),
    ),
    Case(
        "depot_off_the_line",
        edited(
            lambda d: _line(d).update(
                depot={"name": "D", "km": 5.0, "access_m": 500, "access_time_s": 120}
            )
        ),
        (("line.depot.km", ("5 is off the line", "runs from 0 to 2.5 km")),),
    ),
    Case(
        "geometry_station_count",
        edited(
            lambda d: _line(d).update(
                geometry={"track": GEOMETRY_TRACK, "stations": GEOMETRY_TRACK}
            )
        ),
        (("line.geometry.stations", ("has 2 points but line.stations has 3",)),),
    ),
    Case(
        "geometry_lat_lon_swapped",
        edited(lambda d: _line(d).update(geometry={"track": [[51.1, 171.4], [51.1, 71.4]]})),
        (("line.geometry.track", ("point 0 (51.1, 171.4) is not a (lon, lat) pair",)),),
        cli=False,
    ),
    Case(
        "bad_signalling_kind",
        edited(lambda d: d.update(signalling={"kind": "telepathy"})),
        (("signalling.kind", ("'telepathy'", "'moving_block' or 'fixed_block'")),),
    ),
    Case(
        "bad_turnback_kind",
        edited(lambda d: d.update(signalling={"turnback": {"end": {"kind": "loop"}}})),
        (("signalling.turnback.end.kind", ("'loop'", "'crossover_before' or 'tail_track'")),),
        cli=False,
    ),
    Case(
        "block_boundaries_not_increasing",
        edited(
            lambda d: d.update(
                signalling={"kind": "fixed_block", "block_boundaries_km": [0.0, 1.0, 0.8, 2.0]}
            )
        ),
        (
            (
                "signalling.block_boundaries_km[2]",
                ("0.8 is not greater than the previous boundary 1",),
            ),
        ),
    ),
    Case(
        "block_boundary_off_the_line",
        edited(
            lambda d: d.update(signalling={"kind": "fixed_block", "block_boundaries_km": [3.0]})
        ),
        (("signalling.block_boundaries_km[0]", ("3 is off the line (0–2.5 km)",)),),
        cli=False,
    ),
    Case(
        "service_end_before_start",
        edited(lambda d: d.update(service={"start": "22:00", "end": "06:00"})),
        (("service.end", ("06:00 is not after service.start 22:00",)),),
    ),
    Case(
        "bad_hhmm",
        edited(lambda d: d.update(service={"start": "6h00"})),
        (("service.start", ("'6h00' is not a time of day as HH:MM",)),),
    ),
    Case(
        "bad_minutes_in_period",
        edited(
            lambda d: d.update(
                service={"periods": [{"from": "07:00", "to": "08:75", "max_headway_s": 300}]}
            )
        ),
        (("service.periods[0].to", ("'08:75' is not a time of day as HH:MM",)),),
        cli=False,
    ),
    Case(
        "hour_past_30",
        edited(lambda d: d.update(service={"end": "31:00"})),
        (("service.end", ("'31:00' is past 30:00",)),),
        cli=False,
    ),
    Case(
        "overlapping_periods",
        edited(
            lambda d: d.update(
                service={
                    "periods": [
                        {"from": "07:00", "to": "09:00", "max_headway_s": 300},
                        {"from": "08:30", "to": "10:00", "max_headway_s": 600},
                    ]
                }
            )
        ),
        (("service.periods[1].from", ("08:30 starts before the previous period ends",)),),
        cli=False,
    ),
    Case(
        "hourly_profile_23_values",
        edited(lambda d: d.update(demand={"hourly_profile": [1.0] * 23})),
        (("demand.hourly_profile", ("needs 24 hourly shares, got 23",)),),
    ),
    Case(
        "hourly_profile_unknown_preset",
        edited(lambda d: d.update(demand={"hourly_profile": "weekend"})),
        (("demand.hourly_profile", ("unknown preset 'weekend'", "weekday_two_peaks")),),
        cli=False,
    ),
    Case(
        "demand_weight_unknown_station",
        edited(lambda d: d.update(demand={"weights": [WEIGHT_Z]})),
        (("demand.weights[0].station", ("'Z' is not a station of the line",)),),
    ),
    Case(
        "demand_station_weighted_twice",
        edited(
            lambda d: d.update(
                demand={
                    "weights": [
                        {"station": "B", "production": 1.0, "attraction": 1.0},
                        {"station": "B", "production": 2.0, "attraction": 2.0},
                    ]
                }
            )
        ),
        (("demand.weights[1].station", ("'B' is weighted twice",)),),
        cli=False,
    ),
    Case(
        "negative_seed",
        edited(lambda d: d.update(seed=-1)),
        (("seed", ("-1", "greater than or equal to 0")),),
        cli=False,
    ),
    Case(
        "boolean_for_number",
        edited(lambda d: _rs(d).update(mass_t=True)),
        (("rolling_stock.mass_t", ("true is not allowed", "valid number")),),
        cli=False,
    ),
    Case(
        "boolean_for_choice",
        edited(lambda d: d.update(operations={"control": {"strategy": True}})),
        (("operations.control.strategy", ("true is not allowed", "'none', 'holding'")),),
        cli=False,
    ),
    Case(
        "period_outside_service_day",
        edited(
            lambda d: d.update(
                service={"periods": [{"from": "05:00", "to": "07:00", "max_headway_s": 300}]}
            )
        ),
        (("service.periods[0]", ("05:00–07:00 lies outside the service day 06:00–23:00",)),),
        cli=False,
    ),
    Case(
        "curve_without_cant_or_deficiency",
        edited(
            lambda d: _line(d).update(
                cant_deficiency_mm=0,
                curves=[{"from_km": 0.2, "to_km": 0.6, "radius_m": 300, "cant_mm": 0}],
            )
        ),
        (("line.curves[0]", ("cant and line.cant_deficiency_mm are both 0",)),),
        cli=False,
    ),
    # ---------------------------------------------------- finite numbers and sane lengths
    Case(
        "speed_limit_to_km_nan",
        edited(lambda d: _line(d).update(speed_limits=[{"from_km": 0.2, "to_km": NAN, "kmh": 40}])),
        (("line.speed_limits[0].to_km", ("nan is not allowed: must be a finite number",)),),
    ),
    Case(
        "gradient_bound_nan",
        edited(
            lambda d: _line(d).update(gradients=[{"from_km": NAN, "to_km": 1.0, "permille": 5}])
        ),
        (("line.gradients[0].from_km", ("nan is not allowed: must be a finite number",)),),
        cli=False,
    ),
    Case(
        "station_km_inf",
        edited(lambda d: _line(d)["stations"][2].update(km=INF)),
        (("line.stations[2].km", ("inf is not allowed: must be a finite number",)),),
        cli=False,
    ),
    Case(
        "station_km_nan_with_depot",
        edited(
            lambda d: (
                _line(d)["stations"][1].update(km=NAN),
                _line(d).update(
                    depot={"name": "D", "km": 1.0, "access_m": 500, "access_time_s": 120}
                ),
            )
        ),
        (("line.stations[1].km", ("nan is not allowed: must be a finite number",)),),
    ),
    Case(
        "station_km_plus_nan",
        edited(lambda d: _line(d)["stations"][1].update(km=NAN)).replace("km = nan", "km = +nan"),
        (("line.stations[1].km", ("nan is not allowed: must be a finite number",)),),
        cli=False,
    ),
    Case(
        "station_km_minus_inf",
        edited(lambda d: _line(d)["stations"][0].update(km=-INF)),
        (("line.stations[0].km", ("-inf is not allowed: must be a finite number",)),),
        cli=False,
    ),
    Case(
        "station_km_plus_inf",
        edited(lambda d: _line(d)["stations"][2].update(km=INF)).replace("km = inf", "km = +inf"),
        (("line.stations[2].km", ("inf is not allowed: must be a finite number",)),),
        cli=False,
    ),
    Case(
        "station_km_1e7",
        edited(lambda d: _line(d)["stations"][2].update(km=1e7)),
        (("line.stations[2].km", ("1e+07", "beyond ±1000 km")),),
    ),
    Case(
        "line_longer_than_500_km",
        edited(lambda d: _line(d)["stations"][2].update(km=600.0)),
        (("line.stations[2].km", ("600 is 600 km from the first station", "at most 500 km")),),
        cli=False,
    ),
    Case(
        "weight_production_inf",
        edited(
            lambda d: d.update(
                demand={"weights": [{"station": "B", "production": INF, "attraction": 1.0}]}
            )
        ),
        (("demand.weights[0].production", ("inf is not allowed: must be a finite number",)),),
    ),
    Case(
        "regen_efficiency_nan",
        edited(lambda d: _rs(d).update(regen_efficiency=NAN)),
        (("rolling_stock.regen_efficiency", ("nan is not allowed: must be a finite number",)),),
        cli=False,
    ),
    Case(
        "hourly_profile_nan_share",
        edited(lambda d: d.update(demand={"hourly_profile": [1.0] * 5 + [NAN] + [1.0] * 18})),
        (("demand.hourly_profile[5]", ("nan is not allowed: must be a finite number",)),),
        cli=False,
    ),
    Case(
        "hourly_profile_minus_inf_share",
        edited(lambda d: d.update(demand={"hourly_profile": [-INF] + [1.0] * 23})),
        (("demand.hourly_profile[0]", ("-inf is not allowed: must be a finite number",)),),
        cli=False,
    ),
    Case(
        "block_boundary_inf",
        edited(lambda d: d.update(signalling={"block_boundaries_km": [0.5, INF]})),
        (
            (
                "signalling.block_boundaries_km[1]",
                ("inf is not allowed: must be a finite number",),
            ),
        ),
        cli=False,
    ),
    Case(
        "geometry_point_nan",
        edited(lambda d: _line(d).update(geometry={"track": [[71.4, 51.1], [NAN, 51.2]]})),
        (("line.geometry.track[1][0]", ("nan is not allowed: must be a finite number",)),),
        cli=False,
    ),
    # ------------------------------------------------ validation checks what planning checks
    Case(
        "timezone_not_iana",
        edited(lambda d: d.update(gtfs={"agency_timezone": "Asia/Nowhere"})),
        (("gtfs.agency_timezone", ("'Asia/Nowhere' is not an IANA time-zone name",)),),
    ),
    Case(
        "timezone_path_like",
        edited(lambda d: d.update(gtfs={"agency_timezone": "../../etc/passwd"})),
        (("gtfs.agency_timezone", ("is not an IANA time-zone name",)),),
        cli=False,
    ),
    Case(
        "timezone_in_lower_case",
        edited(lambda d: d.update(gtfs={"agency_timezone": "asia/almaty"})),
        (("gtfs.agency_timezone", ("is not an IANA", "did you mean 'Asia/Almaty'?")),),
        cli=False,
    ),
    Case(
        "start_date_month_13",
        edited(lambda d: d.update(gtfs={"start_date": "20281301", "end_date": "20291231"})),
        (("gtfs.start_date", ("'20281301' is not a real date", "month must be in 1..12")),),
    ),
    Case(
        "start_date_with_dashes",
        edited(lambda d: d.update(gtfs={"start_date": "2026-12-01", "end_date": "20271231"})),
        (("gtfs.start_date", ("'2026-12-01' is not a real date", "eight digits are needed")),),
    ),
    Case(
        "end_date_february_30",
        edited(lambda d: d.update(gtfs={"start_date": "20270101", "end_date": "20270230"})),
        (("gtfs.end_date", ("'20270230' is not a real date", "day is out of range")),),
        cli=False,
    ),
    Case(
        "start_date_after_end_date",
        edited(lambda d: d.update(gtfs={"start_date": "20271231", "end_date": "20270101"})),
        (("gtfs.end_date", ("20270101 is before gtfs.start_date 20271231",)),),
    ),
    Case(
        "stations_closer_than_the_train",
        edited(lambda d: _line(d)["stations"][1].update(km=0.02)),
        (
            (
                "line.stations[1].km",
                ("'B' is 20 m after 'A'", "rolling_stock.length_m", "30 m"),
            ),
        ),
    ),
    Case(
        "tail_track_too_short",
        edited(lambda d: d.update(signalling={"turnback": {"end": {"kind": "tail_track"}}})),
        (("line.tail_tracks_m.end", ("tail track beyond C (0 m) is too short", "150 m")),),
    ),
    Case(
        "weights_all_zero",
        edited(
            lambda d: d.update(
                demand={
                    "daily_boardings": 1000,
                    "weights": [
                        {"station": s, "production": 0.0, "attraction": 0.0} for s in "ABC"
                    ],
                }
            )
        ),
        (("demand.weights", ("productions are all 0", "attractions are all 0")),),
        cli=False,
    ),
    Case(
        "weights_one_station_attracts",
        edited(
            lambda d: d.update(
                demand={
                    "daily_boardings": 1000,
                    "weights": [
                        {"station": "A", "production": 1.0, "attraction": 1.0},
                        {"station": "B", "production": 0.0, "attraction": 0.0},
                        {"station": "C", "production": 0.0, "attraction": 0.0},
                    ],
                }
            )
        ),
        (("demand.weights[0]", ("'A' is the only station", "nowhere to go")),),
        cli=False,
    ),
    Case(
        "geometry_station_far_from_track",
        edited(
            lambda d: _line(d).update(
                geometry={
                    "track": [[71.40, 51.10], [71.40, 51.13]],
                    "stations": [[71.40, 51.10], [71.41, 51.1108], [71.40, 51.1225]],
                }
            )
        ),
        (("line.geometry.stations[1]", ("'B'", "from the track at its km 1.2", "200 m")),),
        cli=False,
    ),
    Case(
        "geometry_stations_at_one_place",
        edited(
            lambda d: _line(d).update(
                geometry={"stations": [[71.40, 51.10], [71.40, 51.10], [71.40, 51.1117]]}
            )
        ),
        (("line.geometry.stations[1]", ("'B' has the coordinates of 'A'",)),),
        cli=False,
    ),
    Case(
        "geometry_stations_farther_than_their_km",
        edited(
            lambda d: _line(d).update(
                geometry={"stations": [[71.40, 51.10], [71.40, 51.1108], [71.40, 51.15]]}
            )
        ),
        (
            (
                "line.geometry.stations[2]",
                ("'B' and 'C' are 4.36 km apart as the crow flies but 1.30 km along the line",),
            ),
        ),
        cli=False,
    ),
    Case(
        "geometry_track_one_place",
        edited(lambda d: _line(d).update(geometry={"track": [[71.40, 51.10], [71.40, 51.10]]})),
        (("line.geometry.track", ("two distinct points",)),),
        cli=False,
    ),
    Case(
        "several_problems_at_once",
        edited(_several),
        (
            ("timetabel", ("unknown key",)),
            ("rolling_stock.mass_t", ("'heavy'", "valid number")),
            ("rolling_stock.regen_efficiency", ("1.5", "less than or equal to 1")),
            ("signalling.kind", ("'telepathy'",)),
            ("demand.hourly_profile", ("needs 24 hourly shares, got 23",)),
            ("line.stations[2].km", ("1 is not greater than the previous station's 1.2",)),
            ("line.stations[2].name", ("'A' is already the name of line.stations[0]",)),
            ("service.end", ("06:00 is not after service.start 22:00",)),
        ),
    ),
]
CASE_BY_ID = {case.id: case for case in CASES}
CLI_CASES = [case for case in CASES if case.cli]
assert len(CASE_BY_ID) == len(CASES)


# ------------------------------------------------------------------------- running the command
@dataclass
class Run:
    """One finished command, and whether it left anything in its (empty) working directory."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    left_behind: list[str] = field(default_factory=list)


def run_in_empty_folder(args: list[str], cwd: Path) -> Run:
    """The shared runner in `cwd` (made, empty), noting what the command left there."""
    cwd.mkdir(parents=True, exist_ok=True)
    proc = cli.run_cli(args, cwd, timeout=120)
    return Run(args, proc.returncode, proc.stdout, proc.stderr, sorted(os.listdir(cwd)))


def run_many(jobs: dict[str, tuple[list[str], Path]]) -> dict[str, Run]:
    calls = {key: partial(run_in_empty_folder, args, cwd) for key, (args, cwd) in jobs.items()}
    return cli.in_parallel(calls)


def problem_lines(stderr: str) -> list[str]:
    """The 'key.path: message' lines under the 'error: SOURCE: N problems' header."""
    return [line[2:] for line in stderr.splitlines() if line.startswith("  ")]


def assert_clean_failure(run: Run) -> None:
    assert run.returncode == 2, (run.args, run.returncode, run.stderr)
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    assert run.stdout == "", "nothing goes to stdout on failure"
    assert run.left_behind == [], "the command must not write files"


@pytest.fixture(scope="module")
def tmp_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bad_input")


@pytest.fixture(scope="module")
def case_runs(tmp_module: Path) -> dict[str, Run]:
    inputs = tmp_module / "in"
    inputs.mkdir()
    jobs: dict[str, tuple[list[str], Path]] = {}
    for case in CLI_CASES:
        path = inputs / f"{case.id}.toml"
        path.write_text(case.text, encoding="utf-8")
        jobs[case.id] = (["scenario", "validate", str(path)], tmp_module / "cwd" / case.id)
    return run_many(jobs)


# ------------------------------------------------------------------------------ CLI: each case
def assert_problems(case: Case, problems: list[str]) -> None:
    """Exactly the expected problems: each at its key path and saying what is wrong."""
    assert len(problems) == len(case.problems), problems
    for path, fragments in case.problems:
        matching = [p for p in problems if p.startswith(f"{path}: ")]
        assert matching, f"no problem at {path!r} in {problems}"
        assert any(all(f in p for f in fragments) for p in matching), (
            f"{path}: expected {fragments} in {matching}"
        )


@pytest.mark.parametrize("case_id", [case.id for case in CLI_CASES])
def test_validate_reports_every_problem(case_id: str, case_runs: dict[str, Run]) -> None:
    case, run = CASE_BY_ID[case_id], case_runs[case_id]
    assert_clean_failure(run)
    count = len(case.problems)
    header = run.stderr.splitlines()[0]
    assert header.startswith("error: "), header
    assert f"{case_id}.toml: " in header, header
    noun = "problem" if count == 1 else "problems"
    assert header.endswith(f": {count} {noun}"), run.stderr
    assert_problems(case, problem_lines(run.stderr))


def test_at_least_twenty_distinct_cases() -> None:
    assert len(CLI_CASES) >= 20
    assert len({case.text for case in CASES}) == len(CASES)


def test_several_problems_count(case_runs: dict[str, Run]) -> None:
    run = case_runs["several_problems_at_once"]
    assert run.stderr.splitlines()[0].endswith(": 8 problems")
    assert len(problem_lines(run.stderr)) == 8


# ------------------------------------------------------------------- CLI: arguments, not files
@pytest.fixture(scope="module")
def argument_runs(tmp_module: Path) -> dict[str, Run]:
    bad = tmp_module / "args" / "duplicate.toml"
    bad.parent.mkdir(parents=True)
    bad.write_text(CASE_BY_ID["duplicate_station_name"].text, encoding="utf-8")
    latin1 = tmp_module / "args" / "latin1.toml"
    latin1.write_bytes(to_toml(BASE).replace("Mini line", "Mini \xe9 line").encode("latin-1"))
    good = tmp_module / "args" / "good.toml"
    good.write_text(to_toml(BASE), encoding="utf-8")
    missing = tmp_module / "args" / "does_not_exist.toml"
    commands = {
        "validate_missing_file": ["scenario", "validate", str(missing)],
        "show_unknown_name": ["scenario", "show", "nowhere"],
        "export_unknown_name": ["scenario", "export", "nowhere"],
        "validate_not_utf8": ["scenario", "validate", str(latin1)],
        "runtime_bad_file": ["runtime", str(bad), "--json"],
        "runtime_load_2": ["runtime", str(good), "--load", "2", "--json"],
        "runtime_load_nan": ["runtime", str(good), "--load", "nan", "--json"],
        "runtime_direction_sideways": ["runtime", str(good), "--direction", "sideways"],
        "runtime_allowance_negative": ["runtime", str(good), "--allowance", "-1"],
    }
    return run_many({k: (v, tmp_module / "cwd_args" / k) for k, v in commands.items()})


ARGUMENT_CASES = {
    "validate_missing_file": ("does_not_exist.toml: 1 problem", "no such file"),
    "show_unknown_name": (
        "nowhere: 1 problem",
        "not a file and not an embedded scenario (embedded: astana)",
    ),
    "export_unknown_name": ("nowhere: 1 problem", "no embedded scenario 'nowhere' (have: astana)"),
    "validate_not_utf8": ("latin1.toml: 1 problem", "cannot read the file", "utf-8"),
    "runtime_bad_file": (
        "duplicate.toml: 1 problem",
        "line.stations[2].name: 'A' is already the name of line.stations[0]",
    ),
    "runtime_load_2": ("--load", "2 is not allowed: must be from 0 to 1"),
    "runtime_load_nan": ("--load", "nan is not allowed: must be a finite number"),
    "runtime_direction_sideways": ("--direction", "sideways"),
    "runtime_allowance_negative": ("--allowance", "-1 is not allowed: must be from 0 to 100"),
}


@pytest.mark.parametrize("name", list(ARGUMENT_CASES))
def test_bad_arguments_exit_2(name: str, argument_runs: dict[str, Run]) -> None:
    run = argument_runs[name]
    assert_clean_failure(run)
    for fragment in ARGUMENT_CASES[name]:
        assert fragment in run.stderr, run.stderr


# ------------------------------------------------------------------ the loader, called directly
def problems_of(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        scenario_from_toml(text, source="my.toml")
    assert info.value.source == "my.toml"
    return info.value.problems


@pytest.mark.parametrize("case_id", list(CASE_BY_ID))
def test_loader_reports_every_problem(case_id: str) -> None:
    case = CASE_BY_ID[case_id]
    assert_problems(case, problems_of(case.text))


@pytest.mark.parametrize("case_id", [case.id for case in CLI_CASES])
def test_loader_problems_match_the_cli(case_id: str, case_runs: dict[str, Run]) -> None:
    """The command prints exactly the loader's problems, one a line, in the same order."""
    assert problems_of(CASE_BY_ID[case_id].text) == problem_lines(case_runs[case_id].stderr)


def test_problems_are_path_colon_message() -> None:
    text = edited(lambda d: _line(d)["stations"][2].update(km=1.0, name="A"))
    assert problems_of(text) == [
        "line.stations[2].km: 1 is not greater than the previous station's 1.2 "
        "(stations run in order of increasing km)",
        "line.stations[2].name: 'A' is already the name of line.stations[0]",
    ]


def test_error_message_lists_every_problem() -> None:
    with pytest.raises(ScenarioError) as info:
        scenario_from_toml(edited(_several), source="several.toml")
    message = str(info.value).splitlines()
    assert message[0] == "several.toml: 8 problems"
    assert message[1:] == [f"  {p}" for p in info.value.problems]
    assert len(set(info.value.problems)) == 8


def test_syntax_error_names_line_and_column() -> None:
    (problem,) = problems_of(SYNTAX_ERROR)
    assert problem.startswith("TOML syntax error at line 5, column 20: ")
    (problem,) = problems_of('name = "unterminated\n')
    assert problem.startswith("TOML syntax error at line 1, column 21: ")


def test_default_source_name() -> None:
    with pytest.raises(ScenarioError) as info:
        scenario_from_toml("")
    assert info.value.source == "<scenario>"
    assert str(info.value).startswith("<scenario>: 3 problems")


def test_unknown_key_suggestion_or_allowed_list() -> None:
    (problem,) = problems_of(edited(lambda d: _rs(d).update(zzz=1)))
    assert problem.startswith("rolling_stock.zzz: unknown key; allowed here: name, length_m,")
    (problem,) = problems_of(edited(lambda d: d.update(operatoins={"holding": False})))
    assert problem == "operatoins: unknown key; did you mean 'operations'?"


def test_only_name_line_and_rolling_stock_are_required() -> None:
    scenario = scenario_from_dict(copy.deepcopy(BASE))
    assert isinstance(scenario, Scenario)
    assert scenario.signalling.kind == "moving_block"
    assert scenario.service.start == "06:00"
    assert scenario.demand.hourly_profile == "weekday_two_peaks"
    assert scenario.line.depot is None
    assert scenario.line.geometry is None


def test_speed_limits_may_overlap() -> None:
    """Civil speed limits may overlap (the lower applies); gradients and curves may not."""
    limits = [
        {"from_km": 0.0, "to_km": 1.0, "kmh": 60},
        {"from_km": 0.5, "to_km": 1.5, "kmh": 40},
    ]
    scenario = scenario_from_toml(edited(lambda d: _line(d).update(speed_limits=limits)))
    assert len(scenario.line.speed_limits) == 2


def test_touching_stretches_do_not_overlap() -> None:
    gradients = [
        {"from_km": 0.0, "to_km": 1.0, "permille": 5},
        {"from_km": 1.0, "to_km": 2.5, "permille": -5},
    ]
    scenario = scenario_from_toml(edited(lambda d: _line(d).update(gradients=gradients)))
    assert len(scenario.line.gradients) == 2


def test_zones_may_use_the_tail_tracks() -> None:
    def edit(d: dict[str, Any]) -> None:
        _line(d)["tail_tracks_m"] = {"start": 200, "end": 200}
        _line(d)["gradients"] = [{"from_km": -0.2, "to_km": 2.7, "permille": 3}]
        _line(d)["depot"] = {"name": "D", "km": -0.15, "access_m": 800, "access_time_s": 180}

    scenario = scenario_from_toml(edited(edit))
    assert scenario.line.depot is not None
    assert scenario.line.depot.km == -0.15


def test_hours_past_midnight_are_allowed() -> None:
    scenario = scenario_from_toml(edited(lambda d: d.update(service={"end": "25:30"})))
    assert scenario.service.end == "25:30"


def test_scenario_error_lists_at_most_max_shown() -> None:
    problems = [f"line.stations[{i}].km: bad" for i in range(MAX_SHOWN + 5)]
    error = ScenarioError("big.toml", problems)
    lines = str(error).splitlines()
    assert lines[0] == f"big.toml: {MAX_SHOWN + 5} problems"
    assert lines[1 : MAX_SHOWN + 1] == [f"  {p}" for p in problems[:MAX_SHOWN]]
    assert lines[-1] == "  … and 5 more"
    assert error.problems == problems


def test_scenario_error_formatting() -> None:
    one = ScenarioError("x.toml", ["a: b"])
    assert str(one) == "x.toml: 1 problem\n  a: b"
    two = ScenarioError("x.toml", ["a: b", "c: d"])
    assert str(two) == "x.toml: 2 problems\n  a: b\n  c: d"
    assert two.problems == ["a: b", "c: d"]


# ------------------------------------------- regressions of bugs found while writing these
def _overlap_and_unknown_weight(d: dict[str, Any]) -> None:
    _line(d)["gradients"] = [
        {"from_km": 0.0, "to_km": 1.0, "permille": 5},
        {"from_km": 0.5, "to_km": 1.5, "permille": 5},
    ]
    d["demand"] = {"weights": [WEIGHT_Z]}
    d["signalling"] = {"block_boundaries_km": [9.0]}


def test_structural_error_elsewhere_hides_no_problem() -> None:
    without = problems_of(edited(_overlap_and_unknown_weight))
    assert len(without) == 3  # the overlap, the unknown station, the boundary off the line

    def with_type_error(d: dict[str, Any]) -> None:
        _overlap_and_unknown_weight(d)
        _rs(d)["mass_t"] = "heavy"

    with_it = problems_of(edited(with_type_error))
    assert set(without) <= set(with_it), set(without) - set(with_it)


@pytest.fixture(scope="module")
def markup_runs(tmp_module: Path) -> dict[str, Run]:
    folder = tmp_module / "markup"
    folder.mkdir()
    jobs = {}
    for key, name in {"closing_tag": "[/x]", "style_tag": "[bold]C"}.items():
        path = folder / f"{key}.toml"
        path.write_text(
            edited(lambda d, n=name: _line(d)["stations"].extend([{"name": n, "km": 3.0}] * 2)),
            encoding="utf-8",
        )
        jobs[key] = (["scenario", "validate", str(path)], tmp_module / "cwd_markup" / key)
    return run_many(jobs)


def test_markup_like_name_in_error_is_printed_verbatim(markup_runs: dict[str, Run]) -> None:
    run = markup_runs["closing_tag"]
    assert_clean_failure(run)
    assert "line.stations[4].name: '[/x]' is already the name of line.stations[3]" in run.stderr


def test_style_like_name_in_error_is_printed_verbatim(markup_runs: dict[str, Run]) -> None:
    run = markup_runs["style_tag"]
    assert_clean_failure(run)
    assert "'[bold]C' is already the name of line.stations[3]" in run.stderr
