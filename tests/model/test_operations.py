"""The scenario's `[operations]`: incidents, random failures, control, the punctuality window.

Every rule has a failing case with its exact key path and message; incidents given as command-line
text are read into the same model and checked by the same rules; incidents survive a TOML
round trip and a text round trip.
"""

from __future__ import annotations

import copy
import re
import tomllib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrtsim.errors import ScenarioError
from lrtsim.io.toml_writer import toml_text
from lrtsim.model.incidents import incident_text, parse_incident, with_incidents
from lrtsim.model.load import embedded_text, load_scenario, scenario_from_dict, scenario_from_toml
from lrtsim.model.schema import Incident, Scenario
from support.scenarios import TEST_TRAM, replaced

NAMES = ["West", "Mangilik El", "Әуежай", "East End"]
"""Stations of the test line, in line order (a space and non-ASCII letters on purpose)."""

BASE: dict[str, Any] = {
    "name": "ops",
    "line": {
        "name": "Ops line",
        "max_speed_kmh": 80,
        "stations": [{"name": n, "km": 1.0 * i} for i, n in enumerate(NAMES)],
    },
    "rolling_stock": dict(TEST_TRAM),
    "service": {"start": "06:00", "end": "23:00"},
}

TOML = """
name = "ops"

[line]
name = "Ops line"
max_speed_kmh = 80
stations = [
  { name = "West", km = 0.0 },
  { name = "Mangilik El", km = 1.0 },
  { name = "Әуежай", km = 2.0 },
  { name = "East End", km = 3.0 },
]

[rolling_stock]
name = "Test tram"
length_m = 30
mass_t = 40
max_speed_kmh = 70
max_tractive_effort_kn = 90
max_power_kw = 600
service_brake_mps2 = 1.0
davis_a_kn = 1.0
davis_b_kn_per_kmh = 0.01
davis_c_kn_per_kmh2 = 0.0003
seats = 60
standing_area_m2 = 40
doors_per_side = 4

[operations]
dwell_cv = 0.2
run_time_cv = 0.03
failure_rate_per_train_km = 0.0001
failure_recovery_min = 15
punctuality_window_s = [-30, 120]
incidents = [
  { at = "08:15", kind = "track_blocked", between = ["Әуежай", "Mangilik El"], duration_min = 12 },
  {at="17:40", kind="station_closed", station="East End", direction="down", duration_min=20.5},
  { at = "25:30", kind = "train_failure", station = "West", duration_min = 5 },
]

[operations.control]
strategy = "holding"
mode = "headway"
timepoints = ["West", "Әуежай"]
max_hold_s = 90
crossovers = ["Mangilik El"]

[service]
start = "06:00"
end = "26:00"
"""


def with_operations(**operations: Any) -> dict[str, Any]:
    """BASE with these `[operations]` keys."""
    data = copy.deepcopy(BASE)
    data["operations"] = operations
    return data


def incident(**keys: Any) -> dict[str, Any]:
    """A valid track blockage with some keys changed (None: left out)."""
    base: dict[str, Any] = {
        "at": "08:15",
        "kind": "track_blocked",
        "between": ["West", "Mangilik El"],
        "duration_min": 12,
    }
    base.update(keys)
    return {k: v for k, v in base.items() if v is not None}


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, source="ops.toml")
    return info.value.problems


# -------------------------------------------------------------------------------- valid files
def test_a_full_operations_table_loads_as_written() -> None:
    ops = scenario_from_toml(TOML).operations
    assert (ops.dwell_cv, ops.run_time_cv) == (0.2, 0.03)
    assert ops.failure_rate_per_train_km == 1e-4
    assert ops.failure_recovery_s == 900.0
    assert ops.punctuality_window_s == (-30.0, 120.0)
    blocked, closed, failed = ops.incidents
    assert blocked.between == ("Әуежай", "Mangilik El")
    assert blocked.station is None
    assert (blocked.at_s, blocked.duration_s, blocked.direction) == (8 * 3600 + 900, 720.0, "both")
    assert (closed.station, closed.direction, closed.duration_s) == ("East End", "down", 1230.0)
    assert (failed.kind, failed.at_s) == ("train_failure", 25 * 3600 + 1800)
    control = ops.control
    assert (control.strategy, control.mode, control.max_hold_s) == ("holding", "headway", 90.0)
    assert control.crossovers == ["Mangilik El"]
    line = scenario_from_toml(TOML).line
    assert control.timepoint_names(line) == ("West", "Әуежай")


def test_incidents_may_be_written_as_an_array_of_tables() -> None:
    head = TOML.split("[operations]")[0]
    inline = head + (
        "[operations]\nincidents = [\n"
        '  { at = "08:15", kind = "track_blocked", between = ["West", "Mangilik El"], '
        "duration_min = 12 },\n"
        '  { at = "9:00", kind = "station_closed", station = "West", duration_min = 3 },\n]\n'
    )
    blocks = head + (
        '[[operations.incidents]]\nat = "08:15"\nkind = "track_blocked"\n'
        'between = ["West", "Mangilik El"]\nduration_min = 12\n\n'
        '[[operations.incidents]]\nat = "9:00"\nkind = "station_closed"\nstation = "West"\n'
        "duration_min = 3\n"
    )
    from_blocks = scenario_from_toml(blocks).operations.incidents
    assert [i.kind for i in from_blocks] == ["track_blocked", "station_closed"]
    assert from_blocks == scenario_from_toml(inline).operations.incidents


def test_the_defaults() -> None:
    scenario = scenario_from_dict(copy.deepcopy(BASE))
    ops = scenario.operations
    assert (ops.dwell_cv, ops.run_time_cv) == (0.15, 0.02)
    assert ops.incidents == []
    assert (ops.failure_rate_per_train_km, ops.failure_recovery_min) == (0.0, 10.0)
    assert ops.punctuality_window_s == (-60.0, 180.0)
    control = ops.control
    assert (control.strategy, control.mode, control.max_hold_s) == ("none", "schedule", 120.0)
    assert control.timepoints is None
    assert control.crossovers == []
    assert control.timepoint_names(scenario.line) == ("West", "East End")


def test_the_astana_scenario_keeps_validating_with_its_operations() -> None:
    astana = load_scenario("astana")
    assert astana.operations.control.strategy == "none"
    assert astana.operations.incidents == []
    assert astana.operations.control.timepoint_names(astana.line) == ("Airport", "Nurly Zhol")


def test_the_astana_scenarios_commented_examples_are_valid_when_uncommented() -> None:
    text = replaced(
        embedded_text("astana"),
        ("# incidents = [\n#   {", "incidents = [\n  {"),
        ("duration_min = 12 },\n# ]\n", "duration_min = 12 },\n]\n"),
        ('# crossovers = ["Baiterek"]', 'crossovers = ["Baiterek"]'),
        ('strategy = "none"', 'strategy = "short_turn"'),
    )
    ops = scenario_from_toml(text).operations
    assert ops.incidents == [parse_incident("08:15,track_blocked,Baiterek,House of Ministries,12")]
    assert ops.control.crossovers == ["Baiterek"]
    as_text = re.search(r'^#   --incident "(.*)"$', text, re.M)
    assert as_text is not None
    assert ops.incidents == [parse_incident(as_text.group(1))]


@pytest.mark.parametrize(
    "keys",
    [
        {"between": ["Mangilik El", "West"]},  # either order
        {"kind": "train_failure"},
        {"kind": "train_failure", "between": None, "station": "Әуежай", "direction": "up"},
        {"kind": "station_closed", "between": None, "station": "West"},
        {"at": "06:00"},  # the first minute of the day
        {"at": "23:00"},  # and its end
        {"at": "7:05", "duration_min": 1440},
        {"duration_min": 0.5},
    ],
)
def test_valid_incidents_load(keys: dict[str, Any]) -> None:
    scenario = scenario_from_dict(with_operations(incidents=[incident(**keys)]))
    assert scenario.operations.incidents[0].kind == keys.get("kind", "track_blocked")


# ------------------------------------------------------------------------------ the rules
BLOCKED_NEEDS = "track_blocked takes two adjacent stations (`between` = [A, B])"
FAILURE_NEEDS = (
    "train_failure takes two adjacent stations (`between` = [A, B]) or one station (`station` = A)"
)
CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "blocked_at_a_station",
        incident(between=None, station="West"),
        f"operations.incidents[0].station: {BLOCKED_NEEDS}, not one station",
    ),
    (
        "closed_between",
        incident(kind="station_closed"),
        "operations.incidents[0].between: station_closed takes one station (`station` = A), "
        "not two",
    ),
    (
        "failure_nowhere",
        incident(kind="train_failure", between=None),
        f"operations.incidents[0]: gives no place; {FAILURE_NEEDS}",
    ),
    (
        "failure_both_places",
        incident(kind="train_failure", station="West"),
        f"operations.incidents[0]: gives both `between` and `station`; {FAILURE_NEEDS}",
    ),
    (
        "not_adjacent",
        incident(between=["East End", "West"]),
        "operations.incidents[0].between: 'East End' and 'West' are not adjacent stations "
        "(2 stations lie between them); an incident covers one interstation, such as "
        "['West', 'Mangilik El']",
    ),
    (
        "not_adjacent_by_one",
        incident(between=["Mangilik El", "East End"]),
        "operations.incidents[0].between: 'Mangilik El' and 'East End' are not adjacent "
        "stations (1 station lies between them); an incident covers one interstation, such as "
        "['Mangilik El', 'Әуежай']",
    ),
    (
        "same_station_twice",
        incident(between=["West", "West"]),
        "operations.incidents[0].between: names 'West' twice; give two adjacent stations",
    ),
    (
        "misspelt_station",
        incident(between=["West", "Mangilk El"]),
        "operations.incidents[0].between[1]: 'Mangilk El' is not a station of the line; "
        "did you mean 'Mangilik El'?",
    ),
    (
        "station_in_the_wrong_case",
        incident(kind="station_closed", between=None, station="east end"),
        "operations.incidents[0].station: 'east end' is not a station of the line; did you "
        "mean 'East End'?",
    ),
    (
        "unknown_station",
        incident(kind="station_closed", between=None, station="Baiterek"),
        "operations.incidents[0].station: 'Baiterek' is not a station of the line (stations: "
        "West, Mangilik El, Әуежай, East End)",
    ),
    (
        "three_stations",
        incident(between=["West", "Mangilik El", "Әуежай"]),
        "operations.incidents[0].between: needs two adjacent stations [A, B], got 3 names",
    ),
    (
        "empty_name",
        incident(between=["West", ""]),
        "operations.incidents[0].between[1]: '' is not allowed: string should have at least "
        "1 character",
    ),
    (
        "before_the_day",
        incident(at="05:59"),
        "operations.incidents[0].at: 05:59 is outside the service day 06:00–23:00 "
        "(service.start–service.end)",
    ),
    (
        "after_the_day",
        incident(at="23:01"),
        "operations.incidents[0].at: 23:01 is outside the service day 06:00–23:00 "
        "(service.start–service.end)",
    ),
    (
        "past_30_hours",
        incident(at="30:01"),
        "operations.incidents[0].at: '30:01' is not allowed: '30:01' is past 30:00, the "
        "latest a service day may run",
    ),
    (
        "not_a_time",
        incident(at="8h15"),
        "operations.incidents[0].at: '8h15' is not allowed: '8h15' is not a time of day as HH:MM",
    ),
    (
        "zero_duration",
        incident(duration_min=0),
        "operations.incidents[0].duration_min: 0 is not allowed: input should be greater than 0",
    ),
    (
        "negative_duration",
        incident(duration_min=-5.0),
        "operations.incidents[0].duration_min: -5.0 is not allowed: input should be greater than 0",
    ),
    (
        "over_a_day",
        incident(duration_min=1441),
        "operations.incidents[0].duration_min: 1441 is not allowed: input should be less than "
        "or equal to 1440",
    ),
    (
        "nan_duration",
        incident(duration_min=float("nan")),
        "operations.incidents[0].duration_min: nan is not allowed: must be a finite number",
    ),
    (
        "infinite_duration",
        incident(duration_min=float("inf")),
        "operations.incidents[0].duration_min: inf is not allowed: must be a finite number",
    ),
    (
        "no_duration",
        incident(duration_min=None),
        "operations.incidents[0].duration_min: required key is missing",
    ),
    (
        "unknown_kind",
        incident(kind="fire"),
        "operations.incidents[0].kind: 'fire' is not allowed: input should be 'track_blocked', "
        "'train_failure' or 'station_closed'",
    ),
    (
        "unknown_direction",
        incident(direction="north"),
        "operations.incidents[0].direction: 'north' is not allowed: input should be 'up', "
        "'down' or 'both'",
    ),
    (
        "misspelt_key",
        incident(duration_s=600),
        "operations.incidents[0].duration_s: unknown key; did you mean 'duration_min'?",
    ),
]


@pytest.mark.parametrize(("data", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_incident_rule_names_its_key(data: dict[str, Any], expected: str) -> None:
    assert problems_of(with_operations(incidents=[data])) == [expected]


OTHER_CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "negative_failure_rate",
        {"failure_rate_per_train_km": -1e-4},
        "operations.failure_rate_per_train_km: -0.0001 is not allowed: input should be greater "
        "than or equal to 0",
    ),
    (
        "infinite_failure_rate",
        {"failure_rate_per_train_km": float("inf")},
        "operations.failure_rate_per_train_km: inf is not allowed: must be a finite number",
    ),
    (
        "instant_recovery",
        {"failure_recovery_min": 0},
        "operations.failure_recovery_min: 0 is not allowed: input should be greater than 0",
    ),
    (
        "unknown_strategy",
        {"control": {"strategy": "bunching"}},
        "operations.control.strategy: 'bunching' is not allowed: input should be 'none', "
        "'holding' or 'short_turn'",
    ),
    (
        "unknown_mode",
        {"control": {"mode": "timetable"}},
        "operations.control.mode: 'timetable' is not allowed: input should be 'schedule' or "
        "'headway'",
    ),
    (
        "no_hold",
        {"control": {"max_hold_s": 0}},
        "operations.control.max_hold_s: 0 is not allowed: input should be greater than 0",
    ),
    (
        "unknown_timepoint",
        {"control": {"timepoints": ["West", "Wets"]}},
        "operations.control.timepoints[1]: 'Wets' is not a station of the line; did you mean "
        "'West'?",
    ),
    (
        "timepoint_twice",
        {"control": {"timepoints": ["West", "East End", "West"]}},
        "operations.control.timepoints[2]: 'West' is listed twice",
    ),
    (
        "unknown_crossover",
        {"control": {"crossovers": ["Depot"]}},
        "operations.control.crossovers[0]: 'Depot' is not a station of the line (stations: "
        "West, Mangilik El, Әуежай, East End)",
    ),
    (
        "crossover_at_a_terminal",
        {"control": {"crossovers": ["Әуежай", "East End"]}},
        "operations.control.crossovers[1]: 'East End' is a terminal, where every train turns "
        "anyway; crossovers lists the intermediate stations where a train may turn back short",
    ),
    (
        "short_turns_without_crossovers",
        {"control": {"strategy": "short_turn"}},
        "operations.control.crossovers: is empty, but strategy 'short_turn' needs at least one "
        "station where a train may turn back; name the stations with a crossover",
    ),
    (
        "early_after_the_time",
        {"punctuality_window_s": [30, 180]},
        "operations.punctuality_window_s: [30, 180] must have early ≤ 0 ≤ late (seconds from "
        "the scheduled departure: early is negative, late positive)",
    ),
    (
        "late_before_the_time",
        {"punctuality_window_s": [-60, -1]},
        "operations.punctuality_window_s: [-60, -1] must have early ≤ 0 ≤ late (seconds from "
        "the scheduled departure: early is negative, late positive)",
    ),
    (
        "window_over_an_hour",
        {"punctuality_window_s": [-60, 3601]},
        "operations.punctuality_window_s: [-60, 3601] reaches beyond ±3600 s (one hour)",
    ),
    (
        "window_of_three",
        {"punctuality_window_s": [-60, 0, 180]},
        "operations.punctuality_window_s: needs two numbers [early, late], got 3",
    ),
    (
        "window_nan",
        {"punctuality_window_s": [float("nan"), 180]},
        "operations.punctuality_window_s[0]: nan is not allowed: must be a finite number",
    ),
    (
        "old_key",
        {"short_turns": True},
        "operations.short_turns: unknown key; allowed here: dwell_cv, run_time_cv, incidents, "
        "failure_rate_per_train_km, failure_recovery_min, control, punctuality_window_s",
    ),
]


@pytest.mark.parametrize(
    ("data", "expected"), [c[1:] for c in OTHER_CASES], ids=[c[0] for c in OTHER_CASES]
)
def test_every_other_rule_names_its_key(data: dict[str, Any], expected: str) -> None:
    assert problems_of(with_operations(**data)) == [expected]


def test_an_empty_window_at_the_scheduled_time_is_allowed() -> None:
    ops = scenario_from_dict(with_operations(punctuality_window_s=[0, 0])).operations
    assert ops.punctuality_window_s == (0.0, 0.0)


def test_every_problem_is_reported_at_once_even_beside_broken_sections() -> None:
    data = with_operations(
        incidents=[incident(at="05:00"), incident(between=["West", "East End"])],
        control={"crossovers": ["Nowhere"]},
    )
    data["rolling_stock"]["mass_t"] = -1  # a structural problem elsewhere
    problems = problems_of(data)
    assert problems[0].startswith("rolling_stock.mass_t: -1 is not allowed")
    assert [p.split(":")[0] for p in problems[1:]] == [
        "operations.incidents[0].at",
        "operations.incidents[1].between",
        "operations.control.crossovers[0]",
    ]


def test_with_day_types_the_time_must_fall_in_one_of_their_days() -> None:
    data = with_operations(incidents=[incident(at="24:30")])
    data["service"]["day_types"] = [
        {"name": "weekday", "days": ["monday"]},
        {"name": "friday", "days": ["friday"], "end": "25:00"},
    ]
    assert scenario_from_dict(copy.deepcopy(data)).operations.incidents[0].at == "24:30"
    data["operations"]["incidents"] = [incident(at="25:10")]
    assert problems_of(data) == [
        "operations.incidents[0].at: 25:10 is outside every service day (weekday 06:00–23:00, "
        "friday 06:00–25:00)"
    ]


def test_with_a_broken_day_only_the_day_is_reported() -> None:
    data = with_operations(incidents=[incident(at="08:00")])
    data["service"]["end"] = "05:00"
    assert problems_of(data) == ["service.end: 05:00 is not after service.start 06:00"]


def test_with_stations_out_of_order_only_the_times_are_checked() -> None:
    data = with_operations(incidents=[incident(at="05:00", between=["West", "East End"])])
    data["line"]["stations"][1]["km"] = 5.0
    problems = problems_of(data)
    assert "operations.incidents[0].at: 05:00 is outside the service day" in " ".join(problems)
    assert not any("between" in p for p in problems)


# ----------------------------------------------------------------- incidents as command-line text
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "08:15,track_blocked,Baiterek,House of Ministries,12",
            Incident(
                at="08:15",
                kind="track_blocked",
                between=("Baiterek", "House of Ministries"),
                duration_min=12,
            ),
        ),
        (
            "08:15,station_closed,Baiterek,20",
            Incident(at="08:15", kind="station_closed", station="Baiterek", duration_min=20),
        ),
        (
            "08:15,train_failure,Baiterek,House of Ministries,5",
            Incident(
                at="08:15",
                kind="train_failure",
                between=("Baiterek", "House of Ministries"),
                duration_min=5,
            ),
        ),
        (
            "7:05,train_failure,Baiterek,2.5,direction=down",
            Incident(
                at="7:05",
                kind="train_failure",
                station="Baiterek",
                direction="down",
                duration_min=2.5,
            ),
        ),
    ],
)
def test_incident_text_reads_into_the_model_and_back(text: str, expected: Incident) -> None:
    assert parse_incident(text) == expected
    assert incident_text(expected) == text


def test_incident_text_allows_spaces_and_the_option_anywhere() -> None:
    text = " 08:15 , direction = up, track_blocked,  Baiterek ,House of Ministries, 12.0 "
    assert parse_incident(text) == Incident(
        at="08:15",
        kind="track_blocked",
        between=("Baiterek", "House of Ministries"),
        direction="up",
        duration_min=12,
    )


GRAMMAR = "AT,KIND,A[,B],DURATION_MIN[,direction=up|down|both]"
TEXT_CASES = [
    (
        "08:15,station_closed,20",
        f"needs {GRAMMAR}: the time, the kind, one station or two adjacent stations and the "
        "duration in minutes, but has 3 items",
    ),
    (
        "08:15",
        f"needs {GRAMMAR}: the time, the kind, one station or two adjacent stations and the "
        "duration in minutes, but has 1 item",
    ),
    (
        "08:15,track_blocked,A,B,C,12",
        f"needs {GRAMMAR}: the time, the kind, one station or two adjacent stations and the "
        "duration in minutes, but has 6 items (3 station names)",
    ),
    (
        "08:15,track_blocked,A,B",
        f"'B' is not a number of minutes (the duration is the last item before any option; "
        f"items: {GRAMMAR})",
    ),
    ("08:15,track_blocked,A,,B,12", f"item 4 is empty (items: {GRAMMAR})"),
    (
        "08:15,track_blocked,A,B,12,dir=up",
        "unknown option 'dir' in item 6 (options: direction); a station name cannot start with "
        "a word and '='",
    ),
    ("08:15,track_blocked,A,B,12,direction=up,direction=down", "gives direction twice"),
    ("08:15,track_blocked,A,B,0", "duration_min: 0 is not allowed: input should be greater than 0"),
    ("08:15,track_blocked,A,B,nan", "duration_min: nan is not allowed: must be a finite number"),
    (
        "08:15,track_blocked,A,B,12,direction=left",
        "direction: 'left' is not allowed: input should be 'up', 'down' or 'both'",
    ),
    (
        "8.15,blocked,A,B,12",
        "at: '8.15' is not allowed: '8.15' is not a time of day as HH:MM",
    ),
]


@pytest.mark.parametrize(("text", "expected"), TEXT_CASES)
def test_bad_incident_text_says_what_is_wrong(text: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_incident(text)
    assert info.value.problems[0] == expected
    assert str(info.value).startswith(f"incident '{text}': ")


def test_a_bad_time_and_kind_are_both_reported() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_incident("8.15,blocked,A,B,12")
    assert [p.split(":")[0] for p in info.value.problems] == ["at", "kind"]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    data = with_operations(incidents=[incident()])
    return scenario_from_dict(data)


def test_command_line_incidents_come_after_the_scenarios_own(scenario: Scenario) -> None:
    texts = ["08:15,station_closed,Әуежай,20", "9:00,train_failure,East End,Әуежай,5,direction=up"]
    result = with_incidents(scenario, texts)
    assert result.operations.incidents == [
        scenario.operations.incidents[0],
        *(parse_incident(t) for t in texts),
    ]
    assert len(scenario.operations.incidents) == 1  # the scenario given is left as it was
    assert result.line == scenario.line
    assert result.operations.control == scenario.operations.control


def test_command_line_incidents_are_checked_as_the_files_are(scenario: Scenario) -> None:
    texts = [
        "08:15,station_closed,Әуежай,20",  # fine
        "08:15,track_blocked,West,East End,12",
        "05:00,station_closed,Wset,20",
        "08:15,track_blocked,West,12",
        "08:15,track_blocked,West,Mangilik El,12,direction=sideways",
        "08:15,track_blocked",
    ]
    with pytest.raises(ScenarioError) as info:
        with_incidents(scenario, texts)
    file_message = problems_of(with_operations(incidents=[incident(between=["West", "East End"])]))
    assert info.value.source == "ops"
    assert info.value.problems == [
        "--incident 2 (between): " + file_message[0].partition(": ")[2],
        "--incident 3 (station): 'Wset' is not a station of the line; did you mean 'West'?",
        "--incident 3 (at): 05:00 is outside the service day 06:00–23:00 "
        "(service.start–service.end)",
        f"--incident 4 (station): {BLOCKED_NEEDS}, not one station",
        "--incident 5 (direction): 'sideways' is not allowed: input should be 'up', 'down' or "
        "'both'",
        f"--incident 6: needs {GRAMMAR}: the time, the kind, one station or two adjacent "
        "stations and the duration in minutes, but has 2 items",
    ]


def test_the_label_and_source_are_the_callers(scenario: Scenario) -> None:
    with pytest.raises(ScenarioError) as info:
        with_incidents(scenario, ["08:15,station_closed,Nowhere,20"], label="incident", source="x")
    assert str(info.value).splitlines()[0] == "x: 1 problem"
    assert info.value.problems[0].startswith("incident 1 (station): 'Nowhere' is not a station")


def test_no_texts_leave_the_scenario_as_it_is(scenario: Scenario) -> None:
    assert with_incidents(scenario, []) == scenario


def test_a_name_the_grammar_cannot_carry_is_refused_by_the_writer() -> None:
    bad = Incident(at="08:00", kind="station_closed", station="Gate, north", duration_min=1)
    with pytest.raises(ValueError, match="cannot be written"):
        incident_text(bad)


# ------------------------------------------------------------------------------- round trips
@st.composite
def valid_incidents(draw: st.DrawFn) -> Incident:
    """Any incident valid on the test line and its 06:00–23:00 day."""
    minute = draw(st.integers(6 * 60, 23 * 60))
    hours, minutes = divmod(minute, 60)
    at = draw(st.sampled_from([f"{hours:02d}:{minutes:02d}", f"{hours}:{minutes:02d}"]))
    kind = draw(st.sampled_from(["track_blocked", "train_failure", "station_closed"]))
    i = draw(st.integers(0, len(NAMES) - 2))
    pair = draw(st.sampled_from([(NAMES[i], NAMES[i + 1]), (NAMES[i + 1], NAMES[i])]))
    at_station = kind == "station_closed" or (kind == "train_failure" and draw(st.booleans()))
    place: dict[str, Any] = {"station": NAMES[i]} if at_station else {"between": pair}
    return Incident(
        at=at,
        kind=kind,
        direction=draw(st.sampled_from(["up", "down", "both"])),
        duration_min=draw(
            st.floats(min_value=0, max_value=1440, exclude_min=True, allow_nan=False)
            | st.integers(1, 1440).map(float)
        ),
        **place,
    )


@settings(max_examples=60, deadline=None)
@given(incidents=st.lists(valid_incidents(), max_size=4))
def test_valid_incidents_survive_toml_export_and_reload(incidents: list[Incident]) -> None:
    scenario = scenario_from_dict(copy.deepcopy(BASE))
    scenario = scenario.model_copy(
        update={"operations": scenario.operations.model_copy(update={"incidents": incidents})}
    )
    text = toml_text(scenario.model_dump(by_alias=True, exclude_none=True))
    assert "incidents = [" in text or not incidents
    back = scenario_from_toml(text)
    assert back.operations.incidents == incidents
    assert back == scenario
    assert tomllib.loads(text)["operations"]["punctuality_window_s"] == [-60.0, 180.0]


@settings(max_examples=60, deadline=None)
@given(item=valid_incidents())
def test_valid_incidents_survive_the_text_form(item: Incident) -> None:
    text = incident_text(item)
    assert parse_incident(text) == item
    scenario = scenario_from_dict(copy.deepcopy(BASE))
    assert with_incidents(scenario, [text]).operations.incidents == [item]
