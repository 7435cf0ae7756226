"""`--set PATH=V1,V2,…`: key paths and their indices, values and their types, the grid's order,
and every way a setting is refused (each naming its `--set PATH=VALUE` and the reason)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from lrtsim.errors import LrtsimError
from lrtsim.experiments import overrides as o
from lrtsim.experiments.sweep import sweep_grid
from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Scenario

HEADWAY = "service.periods[1].max_headway_s"


@pytest.fixture(scope="module")
def astana() -> Scenario:
    return load_scenario("astana")


def grid(base: Scenario, *settings: str) -> o.Grid:
    return o.build_grid(base, [o.parse_setting(s) for s in settings], "astana")


def refusal(base: Scenario, *settings: str) -> str:
    with pytest.raises(LrtsimError) as caught:
        grid(base, *settings)
    return str(caught.value)


# ------------------------------------------------------------------------------ paths and values
@pytest.mark.parametrize(
    ("path", "keys"),
    [
        ("operations.dwell_cv", ("operations", "dwell_cv")),
        (HEADWAY, ("service", "periods", 1, "max_headway_s")),
        ("service.day_types[1].periods[0].to", ("service", "day_types", 1, "periods", 0, "to")),
        ("a[2][3]", ("a", 2, 3)),
        ("seed", ("seed",)),
    ],
)
def test_a_key_path_is_dotted_keys_with_list_indices(path: str, keys: tuple[Any, ...]) -> None:
    assert o.parse_path(path) == keys


@pytest.mark.parametrize("path", ["", "a..b", "a.", ".a", "a[", "a[-1]", "a[x]", "1a", "a b"])
def test_a_malformed_key_path_is_named(path: str) -> None:
    with pytest.raises(LrtsimError, match="is not a key path"):
        o.parse_path(path)


def test_values_split_at_commas_outside_brackets_braces_and_quotes() -> None:
    text = ' 1, [2, 3], { a = 4, b = "x,y" }, "p, q", \'r,s\', holding '
    assert o.split_values(text) == [
        "1",
        "[2, 3]",
        '{ a = 4, b = "x,y" }',
        '"p, q"',
        "'r,s'",
        "holding",
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("240", 240),
        ("0.2", 0.2),
        ("1e3", 1000.0),
        ("true", True),
        ('"2030"', "2030"),
        ("holding", "holding"),
        ("07:30", "07:30"),
        ("07:30:00", "07:30:00"),
        ("[0.5, 1]", [0.5, 1]),
        ('{ from = "07:00", to = "10:00" }', {"from": "07:00", "to": "10:00"}),
    ],
)
def test_a_value_is_read_as_toml_else_as_its_text(text: str, value: Any) -> None:
    got = o.parse_value(text)
    assert got == value
    assert type(got) is type(value)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("operations.dwell_cv", "--set operations.dwell_cv: not PATH=V1,V2"),
        ("operations.dwell_cv=", "--set operations.dwell_cv=: no values"),
        ("operations.dwell_cv= ", "no values"),
        ("operations.dwell_cv=0.1,,0.2", "--set operations.dwell_cv=0.1,,0.2: an empty value"),
        ("service..x=1", "--set service..x=1: 'service..x' is not a key path"),
    ],
)
def test_a_malformed_setting_names_itself(text: str, says: str) -> None:
    with pytest.raises(LrtsimError, match=None) as caught:
        o.parse_setting(text)
    assert says in str(caught.value)


def test_with_value_copies_along_the_path_and_leaves_the_original(astana: Scenario) -> None:
    raw = o.scenario_dict(astana)
    before = o.scenario_dict(astana)
    keys = o.parse_path(HEADWAY)
    changed = o.with_value(raw, keys, 123.0)
    assert raw == before
    assert o.current_value(changed, keys) == 123.0
    assert changed["line"] is raw["line"]  # what the path does not cross is shared
    assert changed["service"]["periods"][0] is raw["service"]["periods"][0]
    added = o.with_value(raw, ("operations", "control", "crossovers"), ["Baiterek"])
    assert added["operations"]["control"]["crossovers"] == ["Baiterek"]


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("service.periods[9].max_headway_s", "service.periods has 5 entries, so no [9]"),
        ("operations.dwell_cv.x", "operations.dwell_cv is a value (0.15), not a table"),
        ("service[0]", "service is a table, not a list: it has no [0]"),
        ("service.periods.x", "service.periods is a list, not a table: it has no key 'x'"),
        ("servic.periods[1].x", "servic.periods is not in the scenario, so it has no [1]"),
    ],
)
def test_a_path_that_goes_nowhere_says_where_it_stops(
    astana: Scenario, path: str, says: str
) -> None:
    with pytest.raises(LrtsimError) as caught:
        o.with_value(o.scenario_dict(astana), o.parse_path(path), 1)
    assert says in str(caught.value)


# ----------------------------------------------------------------------------------------- grid
def test_the_grid_is_every_combination_the_last_setting_fastest(astana: Scenario) -> None:
    g = grid(astana, f"{HEADWAY}=240,300,360", "operations.dwell_cv=0.2,0.4")
    assert [p.index for p in g.points] == list(range(6))
    assert [p.values for p in g.points] == [
        (240.0, 0.2),
        (240.0, 0.4),
        (300.0, 0.2),
        (300.0, 0.4),
        (360.0, 0.2),
        (360.0, 0.4),
    ]
    assert [p.choice for p in g.points][:3] == [(0, 0), (0, 1), (1, 0)]
    assert [p.texts for p in g.points][-1] == ("360", "0.4")
    for p in g.points:
        assert p.scenario.service.periods[1].max_headway_s == p.values[0]
        assert p.scenario.operations.dwell_cv == p.values[1]
        # Nothing else changed: the other periods and the seed are the base's.
        assert p.scenario.service.periods[0] == astana.service.periods[0]
        assert p.scenario.seed == astana.seed
    assert (
        g.points[2].scenario.model_copy(
            update={"operations": astana.operations, "service": astana.service}
        )
        == astana.model_copy()
    )


def test_a_point_with_the_base_values_is_the_base_scenario(astana: Scenario) -> None:
    g = grid(astana, f"operations.dwell_cv={astana.operations.dwell_cv!r}")
    assert g.points[0].scenario == astana


def test_values_are_fitted_to_the_values_they_replace(astana: Scenario) -> None:
    g = grid(astana, f"{HEADWAY}=240", "line.name=2030", "operations.control.strategy=holding")
    (point,) = g.points
    assert point.values == (240.0, "2030", "holding")
    assert type(point.values[0]) is float
    assert point.scenario.line.name == "2030"
    assert point.scenario.operations.control.strategy == "holding"


def test_a_whole_list_entry_may_be_set(astana: Scenario) -> None:
    g = grid(astana, 'service.periods[1]={ from = "07:00", to = "10:00", max_headway_s = 240 }')
    assert g.points[0].scenario.service.periods[1].max_headway_s == 240.0


# ---------------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("settings", "says"),
    [
        (
            ["operations.dwel_cv=0.2"],
            "--set operations.dwel_cv=0.2: operations.dwel_cv: unknown key; did you mean "
            "'dwell_cv'?",
        ),
        (
            [f"{HEADWAY.replace('[1]', '[7]')}=240"],
            "--set service.periods[7].max_headway_s=240: service.periods has 5 entries",
        ),
        (
            [f"{HEADWAY}=abc"],
            f"--set {HEADWAY}=abc: {HEADWAY}: 'abc' is not allowed: input should be a valid number",
        ),
        ([f"{HEADWAY}=true"], f"--set {HEADWAY}=true: {HEADWAY}: true is not allowed"),
        ([f"{HEADWAY}=nan"], f"--set {HEADWAY}=nan: nan is not allowed: must be a finite number"),
        ([f"{HEADWAY}=inf"], f"--set {HEADWAY}=inf: inf is not allowed: must be a finite number"),
        (["operations.dwell_cv=[0.1, nan]"], "must be a finite number"),
        (
            [f"{HEADWAY}=300,-5"],
            f"--set {HEADWAY}=-5: {HEADWAY}: -5.0 is not allowed: input should be greater than 0",
        ),
        (
            ["operations.control.strategy=holding,short_turn"],
            "--set operations.control.strategy=short_turn: operations.control.crossovers:",
        ),
        ([f"{HEADWAY}=240,300", f"{HEADWAY}=360"], f"{HEADWAY} is given twice"),
        ([f"{HEADWAY}=240,240.0"], f"--set {HEADWAY}=240.0: the value is given twice"),
        (
            [f"{HEADWAY}=240", 'service.periods[1]={ from = "07:00", to = "10:00" }'],
            f"--set {HEADWAY}=…: inside --set service.periods[1]=…",
        ),
        (["seed=1,2"], "--set seed=…: every point runs from the same base seed"),
    ],
)
def test_a_refused_setting_names_its_value_and_the_reason(
    astana: Scenario, settings: list[str], says: str
) -> None:
    with pytest.raises(LrtsimError) as caught:
        sweep_grid(astana, [o.parse_setting(s) for s in settings], "astana")
    assert says in str(caught.value)


def test_every_refused_value_is_named_at_once(astana: Scenario) -> None:
    text = refusal(astana, f"{HEADWAY}=-5,300,0", "operations.dwell_cv=0.2,-1")
    assert text.startswith("3 problems with the --set values:")
    for bad in (f"{HEADWAY}=-5:", f"{HEADWAY}=0:", "operations.dwell_cv=-1:"):
        assert f"--set {bad}" in text
    assert "=300:" not in text


def test_values_that_fail_only_together_are_named_together(astana: Scenario) -> None:
    # Period 1 may end at 11:00 only if period 2 starts then: fine with one value, not the other.
    text = refusal(astana, "service.periods[1].to=11:00", "service.periods[2].from=11:00,10:00")
    assert (
        "--set service.periods[1].to=11:00 --set service.periods[2].from=10:00: "
        "service.periods[2].from: 10:00 starts before the previous period ends"
    ) in text
    assert "from=11:00:" not in text
    ok = grid(astana, "service.periods[1].to=11:00", "service.periods[2].from=11:00")
    assert ok.points[0].scenario.service.periods[1].to == "11:00"


def test_no_setting_and_too_many_points_are_refused(astana: Scenario) -> None:
    with pytest.raises(LrtsimError, match="at least one"):
        o.build_grid(astana, [], "astana")
    many = ",".join(str(0.01 + i / 100_000) for i in range(o.MAX_POINTS // 10 + 1))
    text = refusal(
        astana,
        f"{HEADWAY}=" + ",".join(str(60 * i) for i in range(1, 11)),
        f"operations.dwell_cv={many}",
    )
    assert f"10 × {o.MAX_POINTS // 10 + 1} = " in text
    assert f"more than the {o.MAX_POINTS:,} allowed" in text


def test_a_value_is_fitted_only_where_the_type_is_plain() -> None:
    assert o.fitted(300.0, 240, "240") == 240.0
    assert o.fitted("name", 2030, "2030") == "2030"
    assert o.fitted(True, 1, "1") == 1
    assert math.isnan(o.parse_value("nan"))
