"""A GTFS calendar by day type: one service_id per day type, its days of the week, its trips.

Astana's day plans (weekday Monday–Friday, weekend Saturday–Sunday) are exported and the feed
is read back as text, as a consumer reads it; the counts come from the plans themselves.
"""

from __future__ import annotations

import pandas as pd
import pytest
from gtfs_support import scenario_and_plans

from lrtsim.io.gtfs import gtfs_tables
from lrtsim.model.schema import WEEKDAYS, Scenario
from lrtsim.planning.day_types import EVERY_DAY, DayPlan, combined_tables


@pytest.fixture(scope="module")
def astana() -> tuple[Scenario, tuple[DayPlan, ...]]:
    return scenario_and_plans("astana")


@pytest.fixture(scope="module")
def tables(astana: tuple[Scenario, tuple[DayPlan, ...]]) -> dict[str, pd.DataFrame]:
    scenario, plans = astana
    return gtfs_tables(scenario, plans)


def test_calendar_has_one_service_per_day_type(
    astana: tuple[Scenario, tuple[DayPlan, ...]], tables: dict[str, pd.DataFrame]
) -> None:
    scenario, _ = astana
    calendar = tables["calendar.txt"].set_index("service_id")
    assert list(calendar.index) == [t.name for t in scenario.service.day_types]
    for day_type in scenario.service.day_types:
        row = calendar.loc[day_type.name]
        assert [int(row[d]) for d in WEEKDAYS] == [int(d in day_type.days) for d in WEEKDAYS]
        assert (row["start_date"], row["end_date"]) == (
            scenario.gtfs.start_date,
            scenario.gtfs.end_date,
        )
    # Every day of the week runs exactly one service.
    assert (calendar[list(WEEKDAYS)].sum(axis=0) == 1).all()


def test_each_service_runs_its_own_day_plan(
    astana: tuple[Scenario, tuple[DayPlan, ...]], tables: dict[str, pd.DataFrame]
) -> None:
    _, plans = astana
    trips = tables["trips.txt"]
    stop_times = tables["stop_times.txt"]
    assert trips["trip_id"].is_unique
    for plan in plans:
        mine = trips[trips["service_id"] == plan.day_type]
        assert len(mine) == plan.plan.trips
        assert mine["trip_id"].str.startswith(plan.day_type + "-").all()
        blocks = set(plan.day_type + "-" + plan.plan.timetable["block_id"].astype(str))
        assert set(mine["block_id"]) == blocks
        rows = stop_times[stop_times["trip_id"].isin(mine["trip_id"])]
        assert len(rows) == len(plan.plan.timetable)
        # First departures as planned, in whole seconds.
        first = rows.groupby("trip_id", sort=False)["departure_time"].first()
        planned = plan.plan.timetable.groupby("trip_id", sort=False)["departure_s"].first()
        seconds = [int(h) * 3600 + int(m) * 60 + int(s) for h, m, s in first.str.split(":")]
        assert seconds == [int(v + 0.5) for v in planned]
    # A train's block belongs to one service: no block runs on two day types.
    assert (trips.groupby("block_id")["service_id"].nunique() == 1).all()


def test_the_weekend_is_not_the_weekday_service(
    astana: tuple[Scenario, tuple[DayPlan, ...]], tables: dict[str, pd.DataFrame]
) -> None:
    """The scenario's weekend differs (fewer boardings, a 10-minute policy all day): so do the
    weekend trips."""
    _, (weekday, weekend) = astana
    trips = tables["trips.txt"]
    per_service = trips["service_id"].value_counts()
    assert per_service["weekend"] == weekend.plan.trips < per_service["weekday"]
    assert weekend.plan.od.total < weekday.plan.od.total


def test_a_combined_timetable_gives_the_same_feed(
    astana: tuple[Scenario, tuple[DayPlan, ...]], tables: dict[str, pd.DataFrame]
) -> None:
    """`combined_tables` output (with its day_type column) is accepted as the feed's source."""
    scenario, plans = astana
    timetable, _ = combined_tables(plans)
    again = gtfs_tables(scenario, timetable)
    assert set(again) == set(tables)
    for name, table in tables.items():
        pd.testing.assert_frame_equal(again[name], table, check_dtype=False, obj=name)


def test_one_plan_or_a_bare_timetable_is_one_service_every_day(
    astana: tuple[Scenario, tuple[DayPlan, ...]],
) -> None:
    scenario, (weekday, _) = astana
    for source in (weekday.plan, weekday.plan.timetable):
        tables = gtfs_tables(scenario, source)
        calendar = tables["calendar.txt"]
        assert calendar["service_id"].tolist() == [EVERY_DAY]
        assert calendar[list(WEEKDAYS)].to_numpy().tolist() == [[1] * 7]
        assert set(tables["trips.txt"]["service_id"]) == {EVERY_DAY}
        assert tables["trips.txt"]["trip_id"].tolist() == list(
            dict.fromkeys(weekday.plan.timetable["trip_id"].astype(str))
        )


def test_without_day_types_the_feed_runs_every_day() -> None:
    scenario, plans = scenario_and_plans("no_day_types")
    calendar = gtfs_tables(scenario, plans)["calendar.txt"]
    assert calendar["service_id"].tolist() == [EVERY_DAY]
    assert calendar[list(WEEKDAYS)].to_numpy().tolist() == [[1] * 7]


def test_a_timetable_of_an_unknown_day_type_is_refused(
    astana: tuple[Scenario, tuple[DayPlan, ...]],
) -> None:
    scenario, plans = astana
    timetable, _ = combined_tables(plans)
    timetable = timetable.assign(day_type=timetable["day_type"].replace("weekend", "holiday"))
    with pytest.raises(ValueError, match=r"day_type \['holiday'\] is not a day type"):
        gtfs_tables(scenario, timetable)


def test_a_trip_in_two_day_types_is_refused(astana: tuple[Scenario, tuple[DayPlan, ...]]) -> None:
    scenario, plans = astana
    timetable, _ = combined_tables(plans)
    first = timetable["trip_id"] == timetable["trip_id"].iloc[0]
    timetable.loc[first & (timetable["stop_sequence"] > 5), "day_type"] = "weekend"
    with pytest.raises(ValueError, match="day_type varies in a trip"):
        gtfs_tables(scenario, timetable)
