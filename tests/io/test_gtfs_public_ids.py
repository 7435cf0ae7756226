"""The timetable and the GTFS feed share their public ids: trip_id, block_id and stop_id of every
timetable row are those of stop_times.txt and trips.txt, so a live feed built from the timetable
matches the static one. A timetable whose stop_id is not the station's is refused."""

from __future__ import annotations

import pandas as pd
import pytest
from gtfs_support import scenario_and_plans

from lrtsim.io.gtfs import gtfs_tables
from lrtsim.model.schema import Scenario
from lrtsim.planning.day_types import DayPlan, combined_tables


@pytest.fixture(scope="module")
def astana() -> tuple[Scenario, tuple[DayPlan, ...]]:
    return scenario_and_plans("astana")


def test_every_stop_time_carries_the_timetable_ids(
    astana: tuple[Scenario, tuple[DayPlan, ...]],
) -> None:
    scenario, plans = astana
    timetable, _ = combined_tables(plans)
    tables = gtfs_tables(scenario, plans)
    stops = tables["stops.txt"]
    # The stop ids the feed publishes, station by station, read from stops.txt by name.
    by_name = dict(zip(stops["stop_name"], stops["stop_id"], strict=True))
    assert [by_name[s.name] for s in scenario.line.stations] == list(
        timetable.drop_duplicates("station_index").sort_values("station_index")["stop_id"]
    )
    stop_times = tables["stop_times.txt"]
    key = ["trip_id", "stop_sequence"]
    joined = timetable.merge(stop_times, on=key, suffixes=("", "_gtfs"), validate="1:1")
    assert len(joined) == len(timetable) == len(stop_times)
    assert (joined["stop_id"] == joined["stop_id_gtfs"]).all()
    trips = tables["trips.txt"].set_index("trip_id")
    blocks = timetable.groupby("trip_id")["block_id"].first()
    assert blocks.sort_index().equals(trips["block_id"].sort_index())


def test_a_timetable_with_a_wrong_stop_id_is_refused(
    astana: tuple[Scenario, tuple[DayPlan, ...]],
) -> None:
    scenario, plans = astana
    timetable, _ = combined_tables(plans)
    broken = timetable.copy()
    broken.loc[broken.index[3], "stop_id"] = "somewhere-else"
    with pytest.raises(ValueError, match="stop_id is not the station's public id"):
        gtfs_tables(scenario, broken)
    assert isinstance(gtfs_tables(scenario, timetable)["stop_times.txt"], pd.DataFrame)
