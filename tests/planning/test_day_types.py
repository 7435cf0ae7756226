"""Service by day type: the scenario keys, their validation, one plan per day type, the tables.

The small line of plan_support carries the cases: its demand binds some periods, so a demand
factor changes the headways. Astana's embedded weekday + weekend service is checked as data.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from plan_support import small_scenario_data

from lrtsim.demand.profile import hourly_shares
from lrtsim.dynamics import line_runs
from lrtsim.dynamics.load_cases import CAPACITY_LOAD, PLANNING_LOAD
from lrtsim.dynamics.runtime import running_times
from lrtsim.errors import LrtsimError, ScenarioError
from lrtsim.model.load import embedded_text, load_scenario, scenario_from_dict
from lrtsim.model.schema import WEEKDAYS, Scenario
from lrtsim.planning.day_types import (
    EVERY_DAY,
    DayPlan,
    combined_tables,
    day_scenario,
    design_day,
    make_day_plans,
    service_days_note,
)
from lrtsim.planning.plan import make_plan
from lrtsim.planning.tables import BLOCK_COLUMNS, TIMETABLE_COLUMNS

WEEKEND_PROFILE = [0.0] * 7 + [1.0] * 15 + [0.0] * 2
"""Equal shares 07:00–22:00."""


def with_day_types(data: dict[str, Any], day_types: list[dict[str, Any]]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    out.setdefault("service", {})["day_types"] = day_types
    return out


def small_with_days() -> dict[str, Any]:
    """The small line with weekday service and a thinner, later weekend."""
    return with_day_types(
        small_scenario_data(),
        [
            {"name": "weekday", "days": list(WEEKDAYS[:5])},
            {
                "name": "weekend",
                "days": ["saturday", "sunday"],
                "start": "07:00",
                "end": "22:00",
                "periods": [{"from": "07:00", "to": "22:00", "max_headway_s": 900}],
                "demand_factor": 0.5,
                "hourly_profile": WEEKEND_PROFILE,
            },
        ],
    )


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    return info.value.problems


@pytest.fixture(scope="module")
def small() -> Scenario:
    return scenario_from_dict(small_with_days())


@pytest.fixture(scope="module")
def small_plans(small: Scenario) -> tuple[DayPlan, ...]:
    return make_day_plans(small)


# ------------------------------------------------------------------------------ the day plans
def test_one_plan_per_day_type_in_order(small_plans: tuple[DayPlan, ...]) -> None:
    assert [p.day_type for p in small_plans] == ["weekday", "weekend"]
    assert small_plans[0].days == WEEKDAYS[:5]
    assert small_plans[1].days == ("saturday", "sunday")


def test_the_design_day_needs_the_most_trains(small_plans: tuple[DayPlan, ...]) -> None:
    design = design_day(small_plans)
    fleets = [p.plan.circulation.fleet_required for p in small_plans]
    assert design.plan.circulation.fleet_required == max(fleets)
    assert design is small_plans[fleets.index(max(fleets))]  # the first on a tie
    with pytest.raises(ValueError, match="no day plans"):
        design_day(())


def test_a_day_type_without_overrides_is_the_plan_of_service(
    small: Scenario, small_plans: tuple[DayPlan, ...]
) -> None:
    base = make_plan(small.model_copy(update={"service": small.service.model_copy(update={
        "day_types": []})}))  # fmt: skip
    pd.testing.assert_frame_equal(small_plans[0].plan.timetable, base.timetable)
    pd.testing.assert_frame_equal(small_plans[0].plan.blocks, base.blocks)


def test_the_runs_are_computed_once_for_all_day_types(
    small: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two day types enter the running-time search twice in all (the minimum runs and the
    planned ones), not twice each; the plans are those planned one by one."""
    calls: list[float] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["load"])
        return running_times(*args, **kwargs)

    monkeypatch.setattr(line_runs, "running_times", counted)
    plans = make_day_plans(small)
    assert sorted(calls) == [PLANNING_LOAD, CAPACITY_LOAD]
    monkeypatch.undo()
    for day_type, plan in zip(small.service.day_types, plans, strict=True):
        alone = make_plan(day_scenario(small, day_type))
        pd.testing.assert_frame_equal(plan.plan.timetable, alone.timetable)
        pd.testing.assert_frame_equal(plan.plan.blocks, alone.blocks)


def test_runs_of_another_line_are_refused(small: Scenario) -> None:
    """Runs built for one scenario are not used for one with another train (a bug: ValueError)."""
    runs = line_runs.line_runs(small)
    heavier = small.rolling_stock.model_copy(update={"mass_t": small.rolling_stock.mass_t + 5})
    other = small.model_copy(update={"rolling_stock": heavier})
    with pytest.raises(ValueError, match="runs are small's"):
        make_plan(other, runs=runs)
    # A day type's scenario shares line, train, allowance and dwells: accepted.
    assert line_runs.line_runs(day_scenario(small, small.service.day_types[1]), runs) is runs


def test_the_weekend_runs_its_own_hours_periods_and_demand(
    small: Scenario, small_plans: tuple[DayPlan, ...]
) -> None:
    weekday, weekend = (p.plan for p in small_plans)
    tt = weekend.timetable
    assert tt["departure_s"].min() >= 7 * 3600
    first_departures = tt.groupby("trip_id")["departure_s"].first()
    assert first_departures.max() < 22 * 3600
    assert [(p.from_s, p.to_s) for p in weekend.periods] == [(7 * 3600, 22 * 3600)]
    assert all(p.headway_s <= 900 for p in weekend.periods)
    # Half the boardings, spread as the weekend profile says.
    assert weekend.od.total == pytest.approx(0.5 * weekday.od.total, rel=1e-9)
    assert weekend.od.total == pytest.approx(0.5 * small.demand.daily_boardings, rel=1e-9)
    by_hour = weekend.od.trips.sum(axis=(1, 2)) / weekend.od.total
    np.testing.assert_allclose(by_hour, np.array(WEEKEND_PROFILE) / sum(WEEKEND_PROFILE))
    assert weekend.trips < weekday.trips


def test_day_scenario_applies_only_what_the_day_type_gives(small: Scenario) -> None:
    weekday, weekend = small.service.day_types
    same = day_scenario(small, weekday)
    assert same.service.day_types == []
    assert same.service.periods == small.service.periods
    assert (same.service.start, same.service.end) == (small.service.start, small.service.end)
    assert same.demand == small.demand
    other = day_scenario(small, weekend)
    assert (other.service.start, other.service.end) == ("07:00", "22:00")
    assert [p.max_headway_s for p in other.service.periods] == [900]
    assert other.demand.daily_boardings == 0.5 * small.demand.daily_boardings
    assert other.demand.hourly_profile == WEEKEND_PROFILE
    assert other.service.dwell == small.service.dwell
    assert other.line == small.line


def test_without_day_types_one_plan_runs_every_day() -> None:
    scenario = scenario_from_dict(small_scenario_data())
    (only,) = make_day_plans(scenario)
    assert only.day_type == EVERY_DAY
    assert only.days == WEEKDAYS
    pd.testing.assert_frame_equal(only.plan.timetable, make_plan(scenario).timetable)


def test_a_given_matrix_follows_the_demand_factor(small: Scenario) -> None:
    n = len(small.line.stations)
    matrix = np.full((n, n), 100.0)
    np.fill_diagonal(matrix, 0.0)
    # With daily_boardings the planner scales the matrix to each day's boardings.
    plans = make_day_plans(small, matrix)
    assert plans[1].plan.od.total == pytest.approx(0.5 * small.demand.daily_boardings)
    # Without, the matrix is the weekday's and the factor scales it.
    bare = small.model_copy(
        update={"demand": small.demand.model_copy(update={"daily_boardings": 0.0})}
    )
    plans = make_day_plans(bare, matrix)
    assert plans[0].plan.od.total == pytest.approx(matrix.sum())
    assert plans[1].plan.od.total == pytest.approx(0.5 * matrix.sum())


def test_a_planning_error_names_its_day_type() -> None:
    data = small_with_days()
    data["service"]["day_types"][1]["demand_factor"] = 10.0
    scenario = scenario_from_dict(data)
    with pytest.raises(LrtsimError, match=r"^day type 'weekend': "):
        make_day_plans(scenario)


# ---------------------------------------------------------------------------- combined tables
def test_combined_tables_have_unique_ids_per_day_type(small_plans: tuple[DayPlan, ...]) -> None:
    timetable, blocks = combined_tables(small_plans)
    assert list(timetable.columns) == ["day_type", *TIMETABLE_COLUMNS]
    assert list(blocks.columns) == ["day_type", *BLOCK_COLUMNS]
    assert len(timetable) == sum(len(p.plan.timetable) for p in small_plans)
    assert len(blocks) == sum(len(p.plan.blocks) for p in small_plans)
    for plan in small_plans:
        mine = timetable[timetable["day_type"] == plan.day_type]
        expected = (plan.day_type + "-" + plan.plan.timetable["trip_id"].astype(str)).tolist()
        assert mine["trip_id"].tolist() == expected
        assert mine["block_id"].str.startswith(plan.day_type + "-").all()
        np.testing.assert_array_equal(mine["arrival_s"], plan.plan.timetable["arrival_s"])
        rows = blocks[blocks["day_type"] == plan.day_type]
        assert rows["block_id"].str.startswith(plan.day_type + "-").all()
        # Blocks run the trips of their own day type, and only those.
        run = set(rows.loc[rows["activity"] == "trip", "trip_id"])
        assert run == set(mine["trip_id"])
        assert (rows.loc[rows["activity"] != "trip", "trip_id"] == "").all()
    # No trip or train is shared between day types.
    per_trip = timetable.groupby("trip_id")["day_type"].nunique()
    assert (per_trip == 1).all()
    assert (blocks.groupby("block_id")["day_type"].nunique() == 1).all()


def test_one_day_type_keeps_the_planned_ids() -> None:
    scenario = scenario_from_dict(small_scenario_data())
    plans = make_day_plans(scenario)
    timetable, blocks = combined_tables(plans)
    assert (timetable["day_type"] == EVERY_DAY).all()
    pd.testing.assert_frame_equal(
        timetable.drop(columns="day_type"), plans[0].plan.timetable, check_dtype=False
    )
    assert blocks["block_id"].tolist() == plans[0].plan.blocks["block_id"].tolist()


def test_combined_tables_refuse_repeated_day_types(small_plans: tuple[DayPlan, ...]) -> None:
    with pytest.raises(ValueError, match="repeat"):
        combined_tables((small_plans[0], small_plans[0]))
    with pytest.raises(ValueError, match="no day plans"):
        combined_tables(())


# -------------------------------------------------------------------------------------- note
def test_the_note_says_when_every_day_gets_the_same_service(small: Scenario) -> None:
    note = service_days_note(scenario_from_dict(small_scenario_data()))
    assert note is not None
    assert "same service every day" in note
    assert "[[service.day_types]]" in note
    assert service_days_note(small) is None
    data = small_with_days()
    data["service"]["day_types"][1]["days"] = ["saturday"]
    note = service_days_note(scenario_from_dict(data))
    assert note is not None
    assert note.startswith("no service on sunday")


# -------------------------------------------------------------------------------- validation
def test_day_types_are_valid_and_optional(small: Scenario) -> None:
    assert [t.name for t in small.service.day_types] == ["weekday", "weekend"]
    weekday = small.service.day_types[0]
    assert (weekday.start, weekday.end, weekday.periods) == (None, None, None)
    assert (weekday.demand_factor, weekday.hourly_profile) == (1.0, None)
    assert scenario_from_dict(small_scenario_data()).service.day_types == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda d: d[1].update(name="weekday"),
            "service.day_types[1].name: 'weekday' is already the name of service.day_types[0]",
        ),
        (
            lambda d: d[1]["days"].append("friday"),
            "service.day_types[1].days[2]: 'friday' is already a day of service.day_types[0] "
            "('weekday'); a day has one service",
        ),
        (
            lambda d: d[0]["days"].append("monday"),
            "service.day_types[0].days: lists monday more than once",
        ),
        (lambda d: d[1]["days"].append("funday"), "service.day_types[1].days[2]: 'funday'"),
        (lambda d: d[1].update(days=[]), "service.day_types[1].days: "),
        (lambda d: d[1].update(name="week end"), "service.day_types[1].name: 'week end'"),
        (lambda d: d[1].update(colour="red"), "service.day_types[1].colour: unknown key"),
        (lambda d: d[1].update(demand_factor=-1), "service.day_types[1].demand_factor: -1"),
        (
            lambda d: d[1].update(hourly_profile=[1.0] * 23),
            "service.day_types[1].hourly_profile: ",
        ),
        (lambda d: d[1].update(hourly_profile="sunday"), "unknown preset 'sunday'"),
        (lambda d: d[1].update(end="06:30"), "service.day_types[1].end: 06:30 is not after"),
        (lambda d: d[1].update(start="25:61"), "service.day_types[1].start: "),
        (
            lambda d: d[1]["periods"].append({"from": "22:00", "to": "22:30", "max_headway_s": 60}),
            "service.day_types[1].periods[1]: 22:00–22:30 lies outside the service day 07:00–22:00",
        ),
        (
            lambda d: d[1]["periods"].insert(
                0, {"from": "12:00", "to": "13:00", "max_headway_s": 600}
            ),
            "service.day_types[1].periods[1].from: 07:00 starts before the previous period ends",
        ),
        (
            # Own hours, inherited periods: the small line's periods start at 06:00.
            lambda d: d[1].pop("periods"),
            "service.day_types[1]: inherits service.periods[0] (06:00–07:00)",
        ),
        (
            # Own periods, inherited hours (06:00–22:00 on the small line).
            lambda d: [d[1].pop("start"), d[1].pop("end"), d[1]["periods"][0].update(to="22:45")],
            "service.day_types[1].periods[0]: 07:00–22:45 lies outside the service day 06:00–22:00",
        ),
    ],
)
def test_bad_day_types_are_reported_with_their_key_path(edit: Any, expected: str) -> None:
    data = small_with_days()
    edit(data["service"]["day_types"])
    problems = problems_of(data)
    assert any(p.startswith(expected) or expected in p for p in problems), problems


def test_every_day_type_problem_is_reported_at_once() -> None:
    data = small_with_days()
    types = data["service"]["day_types"]
    types.append({"name": "weekend", "days": ["sunday", "saturday"]})
    problems = problems_of(data)
    paths = {p.split(":")[0] for p in problems}
    assert paths == {
        "service.day_types[2].name",
        "service.day_types[2].days[0]",
        "service.day_types[2].days[1]",
    }, problems


# ------------------------------------------------------------------------------------ Astana
def test_astana_has_weekday_and_weekend_service() -> None:
    astana = load_scenario("astana")
    weekday, weekend = astana.service.day_types
    assert (weekday.name, tuple(weekday.days)) == ("weekday", WEEKDAYS[:5])
    assert (weekend.name, tuple(weekend.days)) == ("weekend", WEEKDAYS[5:])
    assert (weekday.periods, weekday.demand_factor) == (None, 1.0)
    assert 0 < weekend.demand_factor < 1
    assert service_days_note(astana) is None
    # The weekend profile has no boardings in hours without trains.
    shares = hourly_shares(day_scenario(astana, weekend).demand)
    start, end = int(astana.service.start[:2]), int(astana.service.end[:2])
    assert shares[:start].sum() == 0
    assert shares[end:].sum() == 0
    assert shares.sum() == pytest.approx(1.0)
    # Every assumed number is marked as such in the file.
    text = embedded_text("astana")
    block = text[text.index("# Day types") : text.index("[gtfs]")]
    assert "ESTIMATE" in block
    assert "ASSUMPTION" in block
    assert tomllib.loads(text)["service"]["day_types"][1]["demand_factor"] == 0.6


def test_the_documented_example_is_a_valid_scenario() -> None:
    """The `[[service.day_types]]` example of docs/scenario-format.md, put into Astana."""
    docs = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"
    text = docs.read_text(encoding="utf-8")
    section = text[text.index("#### `[[service.day_types]]`") :]
    example = section[section.index("```toml") + len("```toml") : section.index("```\n\n")]
    data = tomllib.loads(embedded_text("astana"))
    data["service"]["day_types"] = tomllib.loads(example)["service"]["day_types"]
    scenario = scenario_from_dict(data)
    assert [t.name for t in scenario.service.day_types] == ["weekday", "weekend"]
    assert scenario.service.day_types[1].start == "07:00"
