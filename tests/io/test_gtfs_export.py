"""GTFS export of the Astana scenario from a timetable: a valid feed, geometry consistent.

The timetable is built here from the dynamics layer alone (the planning layer is not needed):
trips every 10 minutes from 06:00 to 24:30 in both directions, stop times from the minimum-time
run and the scenario's dwells, in exactly the columns of `TIMETABLE_COLUMNS`. A timetable is
published as one service every day. Feeds from day plans: test_gtfs_day_types.py.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gtfs_support import partridge_feed, read_table, validation_date

from lrtsim.dynamics.runtime import running_times
from lrtsim.errors import LrtsimError
from lrtsim.io import atomic, gtfs
from lrtsim.io.gtfs import archive, gtfs_tables, validate_gtfs, write_gtfs
from lrtsim.model.geometry import chainage_m, haversine_m, project_points
from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Scenario
from lrtsim.planning.tables import TIMETABLE_COLUMNS

HEADWAY_S = 600
FIRST_S = 6 * 3600
LAST_S = 24 * 3600 + 30 * 60
TRAINS = 8


def make_timetable(
    scenario: Scenario, *, first_s: int = FIRST_S, last_s: int = LAST_S
) -> pd.DataFrame:
    """Trips every HEADWAY_S in both directions; down trips leave 5 minutes after up ones."""
    rows: list[dict[str, object]] = []
    names = [s.name for s in scenario.line.stations]
    for run in running_times(scenario):
        profile = run.profile
        up = run.direction == "up"
        order = list(range(len(names))) if up else list(reversed(range(len(names))))
        stop_t = profile.time_s[profile.stop_index]
        stop_m = profile.position_m[profile.stop_index]
        dwell = np.asarray(run.dwell_s)
        before = np.concatenate([[0.0], np.cumsum(dwell)[:-1]])
        offset = 0 if up else HEADWAY_S // 2
        for k, start in enumerate(range(first_s + offset, last_s + 1, HEADWAY_S)):
            trip_id = f"{'U' if up else 'D'}{k + 1:03d}"
            hour = start // 3600
            for seq, station in enumerate(order):
                arrival = start + stop_t[seq] + before[seq]
                rows.append(
                    {
                        "trip_id": trip_id,
                        "block_id": f"train-{(k + (0 if up else TRAINS // 2)) % TRAINS + 1:02d}",
                        "direction": run.direction,
                        "direction_id": 0 if up else 1,
                        "period": f"{hour:02d}:00-{hour + 1:02d}:00",
                        "stop_sequence": seq + 1,
                        "station": names[station],
                        "station_index": station,
                        "stop_id": scenario.line.stations[station].code,
                        "arrival_s": float(arrival),
                        "departure_s": float(arrival + dwell[seq]),
                        "distance_m": float(stop_m[seq]),
                    }
                )
    return pd.DataFrame(rows, columns=list(TIMETABLE_COLUMNS))


@pytest.fixture(scope="module")
def astana() -> Scenario:
    return load_scenario("astana")


@pytest.fixture(scope="module")
def timetable(astana: Scenario) -> pd.DataFrame:
    return make_timetable(astana)


@pytest.fixture(scope="module")
def feed_path(
    astana: Scenario, timetable: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    path = tmp_path_factory.mktemp("gtfs") / "gtfs.zip"
    write_gtfs(path, astana, timetable)
    return path


def without_geometry(scenario: Scenario) -> Scenario:
    return scenario.model_copy(update={"line": scenario.line.model_copy(update={"geometry": None})})


def to_seconds(clock: pd.Series) -> np.ndarray:
    parts = clock.str.split(":", expand=True).astype(int)
    return (parts[0] * 3600 + parts[1] * 60 + parts[2]).to_numpy()


# --------------------------------------------------------------------------------- validators
def test_validate_gtfs_reports_nothing_for_the_feed(feed_path: Path, astana: Scenario) -> None:
    """gtfs-validator (the canonical rules): no error, no warning; partridge loads it."""
    assert validate_gtfs(feed_path, on=validation_date(astana)) == []


def test_validate_gtfs_reports_a_broken_feed(
    feed_path: Path, tmp_path: Path, astana: Scenario
) -> None:
    """The validators really run: a feed with a bad route_type and an unknown stop fails."""
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(feed_path) as src, zipfile.ZipFile(broken, "w") as dst:
        for name in src.namelist():
            text = src.read(name).decode("utf-8")
            if name == "routes.txt":
                text = text.replace(",0,00A3E0,", ",9,00A3E0,")
            if name == "stop_times.txt":
                text = text.replace(",118,", ",999,", 1)
            dst.writestr(name, text)
    problems = validate_gtfs(broken, on=validation_date(astana))
    errors = [m for kind, m in problems if kind == "error"]
    warnings = [m for kind, m in problems if kind == "warning"]
    assert any(m.startswith("foreign_key_violation") and "999" in m for m in errors), problems
    assert any(m.startswith("unexpected_enum_value") and "route_type" in m for m in warnings)


def test_validate_gtfs_reports_an_unreadable_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    problems = validate_gtfs(junk)
    assert problems
    assert all(kind == "error" for kind, _ in problems)
    assert any("gtfs-validator" in m for _, m in problems)
    assert any("partridge" in m for _, m in problems)
    with pytest.raises(LrtsimError, match="no such file"):
        validate_gtfs(tmp_path / "missing.zip")


def test_partridge_sees_every_trip_and_stop_time(feed_path: Path, timetable: pd.DataFrame) -> None:
    pfeed = partridge_feed(feed_path)
    assert set(pfeed.trips["trip_id"]) == set(timetable["trip_id"])
    assert len(pfeed.stop_times) == len(timetable)
    assert len(pfeed.stops) == 18
    assert set(pfeed.shapes["shape_id"]) == {"LRT1-up", "LRT1-down"}


# --------------------------------------------------------------------------------------- times
def test_times_never_go_backwards_and_pass_midnight(
    feed_path: Path, timetable: pd.DataFrame
) -> None:
    st = read_table(feed_path, "stop_times.txt")
    assert st["arrival_time"].str.fullmatch(r"\d\d:[0-5]\d:[0-5]\d").all()
    assert st["departure_time"].str.fullmatch(r"\d\d:[0-5]\d:[0-5]\d").all()
    arrival, departure = to_seconds(st["arrival_time"]), to_seconds(st["departure_time"])
    assert (departure >= arrival).all()
    same_trip = (st["trip_id"] == st["trip_id"].shift()).to_numpy()
    assert (arrival[1:][same_trip[1:]] > departure[:-1][same_trip[1:]]).all()
    assert (st["stop_sequence"].astype(int).diff()[same_trip] > 0).all()
    # Whole seconds, at most half a second from the plan.
    assert np.abs(arrival - timetable["arrival_s"].to_numpy()).max() <= 0.5
    assert np.abs(departure - timetable["departure_s"].to_numpy()).max() <= 0.5
    # The last up trip leaves Airport at 24:30 and reaches Nurly Zhol after 25:00.
    last_up = st[st["trip_id"] == "U112"]
    assert last_up["departure_time"].iloc[0] == "24:30:00"
    assert last_up["arrival_time"].iloc[-1].startswith("25:")
    assert st["arrival_time"].str.startswith("24:").any()


def test_rounding_keeps_departure_after_arrival(astana: Scenario) -> None:
    """Times a fraction apart round to equal or ordered whole seconds, never backwards."""
    tt = make_timetable(astana, first_s=FIRST_S, last_s=FIRST_S)
    up = tt[tt["direction"] == "up"].copy()
    up["arrival_s"] = up["arrival_s"].round() + 0.49
    up["departure_s"] = up["arrival_s"] + 0.02  # 0.49 → 0, 0.51 → 1: ordered after rounding
    up.loc[up.index[0], "departure_s"] = up["arrival_s"].iloc[0]
    up.loc[up.index[-1], "departure_s"] = up["arrival_s"].iloc[-1]
    st = gtfs_tables(astana, up)["stop_times.txt"]
    arrival, departure = to_seconds(st["arrival_time"]), to_seconds(st["departure_time"])
    assert (departure >= arrival).all()
    assert (arrival[1:] >= departure[:-1]).all()


# ------------------------------------------------------------------------------------ geometry
def test_stop_distances_match_the_shapes(feed_path: Path) -> None:
    """A stop's shape_dist_traveled is where the stop projects onto its trip's shape (< 1 m)."""
    stops = read_table(feed_path, "stops.txt").set_index("stop_id")
    shapes = read_table(feed_path, "shapes.txt")
    trips = read_table(feed_path, "trips.txt").set_index("trip_id")
    st = read_table(feed_path, "stop_times.txt")
    st["shape_id"] = trips.loc[st["trip_id"], "shape_id"].to_numpy()
    for sid, points in shapes.groupby("shape_id"):
        points = points.sort_values("shape_pt_sequence", key=lambda s: s.astype(int))
        lon = points["shape_pt_lon"].astype(float).to_numpy()
        lat = points["shape_pt_lat"].astype(float).to_numpy()
        line = list(zip(lon.tolist(), lat.tolist(), strict=True))
        dist = points["shape_dist_traveled"].astype(float).to_numpy()
        assert dist[0] == 0.0
        assert (np.diff(dist) > 0).all()
        # The shape's distances are its own length along the polyline (haversine).
        steps = haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:])
        np.testing.assert_allclose(np.diff(dist), steps, atol=0.02)
        mine = st[st["shape_id"] == sid].drop_duplicates("stop_id")
        xy = [
            (float(stops.loc[s, "stop_lon"]), float(stops.loc[s, "stop_lat"]))
            for s in mine["stop_id"]
        ]
        along, offset = project_points(line, xy)
        sdt = mine["shape_dist_traveled"].astype(float).to_numpy()
        assert np.abs(along - sdt).max() < 1.0, sid
        assert offset.max() < 5.0, sid
        # Every trip of the shape uses the same distance at a given stop.
        per_stop = st[st["shape_id"] == sid].groupby("stop_id")["shape_dist_traveled"].nunique()
        assert (per_stop == 1).all()


def test_shapes_run_from_the_first_stop_to_the_last(feed_path: Path) -> None:
    stops = read_table(feed_path, "stops.txt").set_index("stop_id")
    shapes = read_table(feed_path, "shapes.txt")
    ends = {"LRT1-up": ("101", "118"), "LRT1-down": ("118", "101")}
    assert set(shapes["shape_id"]) == set(ends)
    for sid, (first, last) in ends.items():
        points = shapes[shapes["shape_id"] == sid]
        points = points.sort_values("shape_pt_sequence", key=lambda s: s.astype(int))
        lon = points["shape_pt_lon"].astype(float).to_numpy()
        lat = points["shape_pt_lat"].astype(float).to_numpy()
        for k, stop in ((0, first), (-1, last)):
            gap = haversine_m(
                lon[[k]],
                lat[[k]],
                np.array([float(stops.loc[stop, "stop_lon"])]),
                np.array([float(stops.loc[stop, "stop_lat"])]),
            )
            assert gap[0] < 3.0, (sid, stop, gap)
        # Length of the shape = chainage between the terminals (21.101 km).
        total = float(points["shape_dist_traveled"].iloc[-1])
        assert total == pytest.approx(21_101.0, abs=0.01)
    up = shapes[shapes["shape_id"] == "LRT1-up"]
    down = shapes[shapes["shape_id"] == "LRT1-down"]
    np.testing.assert_array_equal(
        up["shape_pt_lat"].to_numpy()[::-1], down["shape_pt_lat"].to_numpy()
    )


def test_shapes_are_cut_and_extended_at_the_stations(
    astana: Scenario, timetable: pd.DataFrame
) -> None:
    """A track that starts after the first station and runs on past the last one gives the
    same shapes: extended back to the first station along the first segment, cut at the last."""
    geometry = astana.line.geometry
    assert geometry is not None
    track = list(geometry.track)
    (x0, y0), (x1, y1) = track[0], track[1]
    start = (x0 + 0.4 * (x1 - x0), y0 + 0.4 * (y1 - y0))  # 34 m into the first segment
    (xa, ya), (xb, yb) = track[-2], track[-1]
    beyond = (xb + 0.5 * (xb - xa), yb + 0.5 * (yb - ya))  # 1.3 km past the last vertex
    start_km = float(chainage_m([track[0], start])[-1]) / 1000
    moved = geometry.model_copy(
        update={"track": [start, *track[1:-1], (xb, yb), beyond], "track_start_km": start_km}
    )
    scenario = astana.model_copy(
        update={"line": astana.line.model_copy(update={"geometry": moved})}
    )
    trips = timetable[timetable["trip_id"].isin(["U001", "D001"])]
    got = gtfs_tables(scenario, trips)["shapes.txt"]
    want = gtfs_tables(astana, trips)["shapes.txt"]
    # The moved track has one more vertex, at its new start, 34 m from the first station.
    added = np.isclose(got["shape_pt_lon"], start[0], rtol=0, atol=1e-7) & np.isclose(
        got["shape_pt_lat"], start[1], rtol=0, atol=1e-7
    )
    assert added.sum() == 2
    got = got[~added].reset_index(drop=True)
    assert len(got) == len(want)
    assert (got["shape_id"] == want["shape_id"]).all()
    gap = haversine_m(
        got["shape_pt_lon"].to_numpy(),
        got["shape_pt_lat"].to_numpy(),
        want["shape_pt_lon"].to_numpy(),
        want["shape_pt_lat"].to_numpy(),
    )
    assert gap.max() < 0.1
    np.testing.assert_allclose(got["shape_dist_traveled"], want["shape_dist_traveled"], atol=0.05)
    assert got["shape_dist_traveled"].max() == pytest.approx(21_101.0, abs=0.01)


def test_short_trips_use_the_direction_shape_with_offsets(
    astana: Scenario, timetable: pd.DataFrame
) -> None:
    """A trip starting mid-line keeps the direction's shape; its distances are offset."""
    trip = timetable[timetable["trip_id"] == "D001"].iloc[3:10].copy()
    trip["stop_sequence"] = np.arange(1, len(trip) + 1)
    trip["distance_m"] -= trip["distance_m"].iloc[0]
    tables = gtfs_tables(astana, trip)
    st = tables["stop_times.txt"]
    full = timetable[timetable["trip_id"] == "D001"]["distance_m"].iloc[3:10].to_numpy()
    np.testing.assert_allclose(st["shape_dist_traveled"], full, atol=0.01)
    assert tables["trips.txt"]["shape_id"].tolist() == ["LRT1-down"]
    assert tables["trips.txt"]["trip_headsign"].tolist() == [trip["station"].iloc[-1]]


# ---------------------------------------------------------------------------- the other tables
def test_route_is_light_rail_with_the_scenario_names(feed_path: Path, astana: Scenario) -> None:
    routes = read_table(feed_path, "routes.txt")
    assert routes["route_type"].tolist() == ["0"]
    assert routes["route_id"].tolist() == [astana.gtfs.route_id]
    assert routes["route_color"].tolist() == ["00A3E0"]
    assert routes["agency_id"].tolist() == read_table(feed_path, "agency.txt")["agency_id"].tolist()
    agency = read_table(feed_path, "agency.txt")
    assert agency["agency_timezone"].tolist() == ["Asia/Almaty"]


def test_trips_reference_the_shape_of_their_direction(
    feed_path: Path, timetable: pd.DataFrame
) -> None:
    trips = read_table(feed_path, "trips.txt")
    shape_of = {"0": "LRT1-up", "1": "LRT1-down"}
    assert (trips["shape_id"] == trips["direction_id"].map(shape_of)).all()
    headsign = trips.set_index("trip_id")["trip_headsign"]
    assert set(headsign[trips["direction_id"].eq("0").to_numpy()]) == {"Nurly Zhol"}
    assert set(headsign[trips["direction_id"].eq("1").to_numpy()]) == {"Airport"}
    blocks = timetable.groupby("trip_id")["block_id"].first()
    assert (trips.set_index("trip_id")["block_id"] == blocks.loc[trips["trip_id"]].to_numpy()).all()
    assert trips["service_id"].nunique() == 1


def test_every_stop_has_coordinates(feed_path: Path, astana: Scenario) -> None:
    stops = read_table(feed_path, "stops.txt")
    assert stops["stop_id"].tolist() == [s.code for s in astana.line.stations]
    assert stops["stop_name"].tolist() == [s.name for s in astana.line.stations]
    lat, lon = stops["stop_lat"].astype(float), stops["stop_lon"].astype(float)
    assert lat.between(50.9, 51.2).all()
    assert lon.between(71.3, 71.6).all()
    used = set(read_table(feed_path, "stop_times.txt")["stop_id"])
    assert used == set(stops["stop_id"])


def test_calendar_and_feed_info_cover_the_publication_dates(
    feed_path: Path, astana: Scenario
) -> None:
    calendar = read_table(feed_path, "calendar.txt")
    assert len(calendar) == 1
    row = calendar.iloc[0]
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    assert [row[d] for d in days] == ["1"] * 7
    assert (row["start_date"], row["end_date"]) == (astana.gtfs.start_date, astana.gtfs.end_date)
    info = read_table(feed_path, "feed_info.txt").iloc[0]
    assert info["feed_start_date"] == astana.gtfs.start_date
    assert info["feed_end_date"] == astana.gtfs.end_date
    assert info["feed_version"] == astana.gtfs.feed_version
    assert info["feed_publisher_url"] == astana.gtfs.agency_url


def test_archive_holds_the_gtfs_files_as_utf8(feed_path: Path) -> None:
    with zipfile.ZipFile(feed_path) as zipped:
        # Astana's stations have Kazakh and Russian names: translations.txt is there too.
        assert zipped.namelist() == list(gtfs.GTFS_FILES)
        text = zipped.read("stop_times.txt").decode("utf-8")
    assert text.startswith("trip_id,arrival_time,departure_time,stop_id,stop_sequence,")
    assert "Unnamed" not in text


# --------------------------------------------------------------------------------- writing
def test_write_is_atomic_and_reproducible(
    astana: Scenario, timetable: pd.DataFrame, feed_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "gtfs.zip"
    write_gtfs(path, astana, timetable)
    assert os.listdir(tmp_path) == ["gtfs.zip"]
    assert path.read_bytes() == feed_path.read_bytes()  # same input, same bytes


@pytest.mark.parametrize("where", ["zip", "rename"])
def test_failed_write_leaves_the_old_file(
    astana: Scenario,
    timetable: pd.DataFrame,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    path = tmp_path / "gtfs.zip"
    path.write_bytes(b"the previous feed")

    def fail(*_: object) -> bytes:
        raise RuntimeError("disk on fire")

    def fail_replace(*_: object) -> None:
        raise OSError(28, "No space left on device")

    if where == "zip":
        monkeypatch.setattr(archive, "zip_bytes", fail)
        with pytest.raises(RuntimeError, match="disk on fire"):
            write_gtfs(path, astana, timetable)
    else:
        monkeypatch.setattr(atomic.os, "replace", fail_replace)
        with pytest.raises(LrtsimError, match=r"(?i)no space left"):
            write_gtfs(path, astana, timetable)
    assert path.read_bytes() == b"the previous feed"
    assert os.listdir(tmp_path) == ["gtfs.zip"]


# ---------------------------------------------------------------------------------- bad input
def test_scenario_without_geometry_is_refused(astana: Scenario, timetable: pd.DataFrame) -> None:
    with pytest.raises(LrtsimError, match=r"no GTFS feed: the scenario has no \[line.geometry\]"):
        gtfs_tables(without_geometry(astana), timetable)


def test_geometry_without_station_points_is_refused(
    astana: Scenario, timetable: pd.DataFrame
) -> None:
    geometry = astana.line.geometry
    assert geometry is not None
    bare = geometry.model_copy(update={"stations": []})
    scenario = astana.model_copy(update={"line": astana.line.model_copy(update={"geometry": bare})})
    with pytest.raises(LrtsimError, match=r"line\.geometry has no stations"):
        gtfs_tables(scenario, timetable)


def test_stations_far_from_their_km_are_refused(astana: Scenario, timetable: pd.DataFrame) -> None:
    geometry = astana.line.geometry
    assert geometry is not None
    shifted = geometry.model_copy(update={"track_start_km": 1.0})
    scenario = astana.model_copy(
        update={"line": astana.line.model_copy(update={"geometry": shifted})}
    )
    with pytest.raises(LrtsimError, match="track_start_km"):
        gtfs_tables(scenario, timetable)


def test_bad_publication_dates_are_refused(astana: Scenario, timetable: pd.DataFrame) -> None:
    late = astana.model_copy(
        update={"gtfs": astana.gtfs.model_copy(update={"start_date": "20280101"})}
    )
    with pytest.raises(LrtsimError, match=r"is before gtfs\.start_date"):
        gtfs_tables(late, timetable)
    odd = astana.model_copy(
        update={"gtfs": astana.gtfs.model_copy(update={"end_date": "20271340"})}
    )
    with pytest.raises(LrtsimError, match="not a real date"):
        gtfs_tables(odd, timetable)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.drop(columns="distance_m"), "lacks the columns"),
        (lambda t: t.iloc[:0], "no trips"),
        (lambda t: t.assign(direction_id=0), "direction_id does not match"),
        (lambda t: t.assign(station_index=t["station_index"] + 1), "outside line.stations|match"),
        (lambda t: t.assign(distance_m=t["distance_m"] * 1.01), "distance_m differs"),
        (lambda t: t.assign(departure_s=t["arrival_s"] - 1), "departure before arrival"),
        (
            lambda t: t.assign(arrival_s=t["arrival_s"].where(t["stop_sequence"] != 3, 0.0)),
            "arrival before the departure",
        ),
    ],
)
def test_timetables_breaking_the_contract_are_refused(
    astana: Scenario, timetable: pd.DataFrame, change: object, message: str
) -> None:
    assert callable(change)
    with pytest.raises((ValueError, LrtsimError), match=message):
        gtfs_tables(astana, change(timetable))
