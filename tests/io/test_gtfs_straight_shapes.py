"""A feed from station coordinates alone (`[line.geometry]` without `track`): straight-line
shapes; and `gtfs_unavailable_reason`, which says in words why a scenario gives no feed."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import numpy as np
import pandas as pd
import pytest
from gtfs_support import few_trips, scenario_and_plans, without_track

from lrtsim.errors import LrtsimError, ScenarioError
from lrtsim.io.gtfs import gtfs_tables, gtfs_unavailable_reason
from lrtsim.model.geometry import haversine_m
from lrtsim.model.load import embedded_text, load_scenario, scenario_from_dict
from lrtsim.model.schema import Scenario


@pytest.fixture(scope="module")
def straight() -> tuple[Scenario, dict[str, pd.DataFrame]]:
    scenario, plans = scenario_and_plans("straight")
    return scenario, gtfs_tables(scenario, plans)


def with_geometry(scenario: Scenario, **update: object) -> Scenario:
    geometry = scenario.line.geometry
    assert geometry is not None
    line = scenario.line.model_copy(update={"geometry": geometry.model_copy(update=update)})
    return scenario.model_copy(update={"line": line})


def test_straight_shapes_join_the_stations_in_order(
    straight: tuple[Scenario, dict[str, pd.DataFrame]],
) -> None:
    scenario, tables = straight
    shapes = tables["shapes.txt"]
    geometry = scenario.line.geometry
    assert geometry is not None
    assert not geometry.track
    xy = np.array(geometry.stations)
    km = np.array([s.km for s in scenario.line.stations])
    up = shapes[shapes["shape_id"] == "LRT1-up"]
    down = shapes[shapes["shape_id"] == "LRT1-down"]
    # One vertex per station, at the station, carrying the station's chainage.
    np.testing.assert_allclose(up["shape_pt_lon"], xy[:, 0], atol=1e-7)
    np.testing.assert_allclose(up["shape_pt_lat"], xy[:, 1], atol=1e-7)
    np.testing.assert_allclose(up["shape_dist_traveled"], (km - km[0]) * 1000, atol=0.005)
    np.testing.assert_allclose(down["shape_pt_lon"], xy[::-1, 0], atol=1e-7)
    np.testing.assert_allclose(down["shape_dist_traveled"], (km[-1] - km[::-1]) * 1000, atol=0.005)
    assert up["shape_pt_sequence"].tolist() == list(range(1, len(xy) + 1))
    # The distances are the line's, longer than the straight lines drawn (the track curves).
    drawn = haversine_m(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1]).sum()
    assert up["shape_dist_traveled"].iloc[-1] > drawn


def test_stop_distances_are_the_vertices_of_the_straight_shape(
    straight: tuple[Scenario, dict[str, pd.DataFrame]],
) -> None:
    """Interpolating the shape at a stop's shape_dist_traveled lands on the stop."""
    _, tables = straight
    stops = tables["stops.txt"].set_index("stop_id")
    shapes = tables["shapes.txt"]
    trips = tables["trips.txt"].set_index("trip_id")
    st = tables["stop_times.txt"]
    for sid, rows in st.groupby(st["trip_id"].map(trips["shape_id"])):
        shape = shapes[shapes["shape_id"] == sid]
        lon = np.interp(
            rows["shape_dist_traveled"], shape["shape_dist_traveled"], shape["shape_pt_lon"]
        )
        lat = np.interp(
            rows["shape_dist_traveled"], shape["shape_dist_traveled"], shape["shape_pt_lat"]
        )
        gap = haversine_m(
            lon,
            lat,
            stops.loc[rows["stop_id"], "stop_lon"].to_numpy(),
            stops.loc[rows["stop_id"], "stop_lat"].to_numpy(),
        )
        assert gap.max() < 0.05, sid


def test_the_track_gives_the_same_stops_and_distances(
    straight: tuple[Scenario, dict[str, pd.DataFrame]],
) -> None:
    """Only the shapes' vertices change between the two geometries; the stop times do not."""
    scenario, tables = straight
    _, plans = scenario_and_plans("no_day_types")
    with_track = gtfs_tables(load_scenario("astana"), plans[0].plan)
    for name in ("stops.txt", "stop_times.txt", "trips.txt", "calendar.txt"):
        pd.testing.assert_frame_equal(tables[name], with_track[name], obj=name)
    assert len(with_track["shapes.txt"]) > len(tables["shapes.txt"])
    assert gtfs_unavailable_reason(scenario) is None


# ------------------------------------------------------------------------------ the schema
def astana_data() -> dict[str, Any]:
    return tomllib.loads(embedded_text("astana"))


def test_geometry_with_stations_only_is_a_valid_scenario() -> None:
    data = astana_data()
    del data["line"]["geometry"]["track"]
    scenario = scenario_from_dict(data)
    assert scenario.line.geometry is not None
    assert scenario.line.geometry.track == []
    assert len(scenario.line.geometry.stations) == len(scenario.line.stations)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda g: [g.pop("track"), g.pop("stations")],
            "line.geometry: needs `track` (the polyline, [lon, lat] pairs), `stations`",
        ),
        (
            lambda g: g.update(track=g["track"][:1]),
            "line.geometry.track: a polyline needs at least 2 points",
        ),
        (
            lambda g: [g.pop("track"), g.update(stations=g["stations"][:5])],
            "line.geometry.stations: has 5 points but line.stations has 18",
        ),
    ],
)
def test_bad_geometry_is_reported_with_its_key_path(edit: Any, expected: str) -> None:
    data = astana_data()
    edit(data["line"]["geometry"])
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    assert any(p.startswith(expected) for p in info.value.problems), info.value.problems


# -------------------------------------------------------------------- gtfs_unavailable_reason
def test_astana_can_be_published() -> None:
    astana = load_scenario("astana")
    assert gtfs_unavailable_reason(astana) is None
    assert gtfs_unavailable_reason(without_track(astana)) is None


def _moved_station(scenario: Scenario, index: int, to: tuple[float, float]) -> Scenario:
    geometry = scenario.line.geometry
    assert geometry is not None
    points = list(geometry.stations)
    points[index] = to
    return with_geometry(scenario, stations=points)


def _cases() -> list[tuple[str, Any, str]]:
    astana = load_scenario("astana")
    bare = without_track(astana)
    geometry = bare.line.geometry
    assert geometry is not None
    first = geometry.stations[0]
    return [
        (
            "no geometry",
            astana.model_copy(update={"line": astana.line.model_copy(update={"geometry": None})}),
            r"^the scenario has no \[line\.geometry\]: a GTFS feed needs the coordinates of "
            r"every station \(line\.geometry\.stations",
        ),
        ("no stations", with_geometry(astana, stations=[]), r"^line\.geometry has no stations"),
        (
            "too few stations",
            with_geometry(bare, stations=geometry.stations[:-1]),
            r"^line\.geometry\.stations has 17 points but line\.stations has 18",
        ),
        (
            "two stations at one point",
            _moved_station(bare, 1, first),
            r"^line\.geometry\.stations\[1\]: 'Atameken' has the coordinates of 'Airport'",
        ),
        (
            "a station far off",
            _moved_station(bare, 5, (first[0] + 0.5, first[1] + 0.3)),
            r"^line\.geometry\.stations\[5\]: 'Astana Zhuldyzy' and 'Nura' are \d+\.\d\d km apart "
            r"as the crow flies but 0\.68 km along the line",
        ),
        (
            "km off the track",
            with_geometry(astana, track_start_km=1.0),
            r"^line\.geometry\.stations\[0\]: 'Airport' at .* is 1000 m from the track at its km 0 "
            r"\(at most 200 m\)",
        ),
        (
            "a one-point track",
            with_geometry(astana, track=[(71.4, 51.1), (71.4, 51.1)]),
            r"^line\.geometry\.track: all its points are at one place",
        ),
        (
            "dates out of order",
            astana.model_copy(
                update={"gtfs": astana.gtfs.model_copy(update={"start_date": "20280101"})}
            ),
            r"^gtfs\.end_date: 20271130 is before gtfs\.start_date 20280101",
        ),
        (
            "no date",
            astana.model_copy(
                update={"gtfs": astana.gtfs.model_copy(update={"end_date": "20270230"})}
            ),
            r"^gtfs\.end_date: '20270230' is not a real date \(YYYYMMDD\)",
        ),
    ]


CASES = _cases()


@pytest.mark.parametrize(("case", "scenario", "pattern"), CASES, ids=[c[0] for c in CASES])
def test_the_reason_names_the_problem(case: str, scenario: Scenario, pattern: str) -> None:
    reason = gtfs_unavailable_reason(scenario)
    assert reason is not None, case
    assert re.search(pattern, reason), reason
    # And writing the feed fails with the same words.
    _, plans = scenario_and_plans("no_day_types")
    with pytest.raises(LrtsimError) as info:
        gtfs_tables(scenario, few_trips(plans))
    assert str(info.value) == f"scenario '{scenario.name}': no GTFS feed: {reason}"
