"""GTFS import of the TriMet MAX Green Line (route 200) and of small synthetic feeds.

The real feed lives in `../shared/data/feeds/` beside the checkout; the tests that need it are
skipped when it is absent. Expected values (the stop pattern, station names, shape length,
median times) are recomputed here from the zip with the standard library's `csv`, independently
of the pandas code under test.

What the comparison found (see docs/validation.md): every segment's scheduled time is above
lrtsim's minimum (ratio 1.18–2.06, 1.45 overall). The street-running downtown segments on the
Portland Mall are near 2, because the feed carries no street speed limits or traffic signals;
the grade-separated I-205 and Banfield segments are 1.18–1.30.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import statistics
import tomllib
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from lrtsim.calibration.compare import SegmentComparison, compare_running_times, comparison_total
from lrtsim.cli import app
from lrtsim.errors import LrtsimError
from lrtsim.io.gtfs.chainage import detect_unit
from lrtsim.io.gtfs.import_scenario import GtfsImport, import_gtfs, line_max_speed_kmh
from lrtsim.model.geometry import project_points
from lrtsim.model.load import load_scenario, scenario_from_toml
from lrtsim.model.vehicle_data import DEFAULT_VEHICLE, vehicle_data
from support.cli import run_all

REPO = Path(__file__).resolve().parents[2]
FEED = REPO.parent / "shared" / "data" / "feeds" / "trimet-max-green-2021.zip"
ROUTE = "200"

needs_feed = pytest.mark.skipif(not FEED.is_file(), reason=f"{FEED} is absent")


# ----------------------------------------------------------------- the feed, read by hand
def read_csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    with archive.open(name) as fh:
        return list(csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8-sig")))


def seconds(text: str) -> int:
    h, m, s = (int(x) for x in text.split(":"))
    return h * 3600 + m * 60 + s


def haversine(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle metres on the mean sphere, written out again for the tests."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


class HandRead:
    """The chosen pattern of route 200, direction 0, found with plain Python."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as z:
            trips = [t for t in read_csv(z, "trips.txt") if t["route_id"] == ROUTE]
            ids = {t["trip_id"] for t in trips}
            rows = [r for r in read_csv(z, "stop_times.txt") if r["trip_id"] in ids]
            self.stops = {s["stop_id"]: s for s in read_csv(z, "stops.txt")}
            shapes = read_csv(z, "shapes.txt")
        by_trip: dict[str, list[dict[str, str]]] = {}
        for r in rows:
            by_trip.setdefault(r["trip_id"], []).append(r)
        for seq in by_trip.values():
            seq.sort(key=lambda r: int(r["stop_sequence"]))
        zero = [t for t in trips if t["direction_id"] == "0"]
        pattern_of = {
            t["trip_id"]: tuple(r["stop_id"] for r in by_trip[t["trip_id"]]) for t in zero
        }
        longest = max(len(p) for p in pattern_of.values())
        counts = Counter(p for p in pattern_of.values() if len(p) == longest)
        self.pattern = counts.most_common(1)[0][0]
        self.trips = [by_trip[t] for t, p in pattern_of.items() if p == self.pattern]
        shape_ids = Counter(t["shape_id"] for t in zero if pattern_of[t["trip_id"]] == self.pattern)
        self.shape_id = shape_ids.most_common(1)[0][0]
        points = sorted(
            (p for p in shapes if p["shape_id"] == self.shape_id),
            key=lambda p: int(p["shape_pt_sequence"]),
        )
        self.track = [(float(p["shape_pt_lon"]), float(p["shape_pt_lat"])) for p in points]
        self.shape_length_m = sum(
            haversine(*a, *b) for a, b in zip(self.track[:-1], self.track[1:], strict=True)
        )
        self.shape_feed_length = float(points[-1]["shape_dist_traveled"]) - float(
            points[0]["shape_dist_traveled"]
        )

    def name(self, stop_id: str) -> str:
        parent = self.stops[stop_id].get("parent_station", "")
        return self.stops[parent]["stop_name"] if parent else self.stops[stop_id]["stop_name"]

    def scheduled_s(self, i: int) -> float:
        """Median over the pattern's trips of arrival at stop i+1 − departure from stop i."""
        return statistics.median(
            seconds(t[i + 1]["arrival_time"]) - seconds(t[i]["departure_time"]) for t in self.trips
        )


@pytest.fixture(scope="module")
def hand() -> HandRead:
    if not FEED.is_file():
        pytest.skip(f"{FEED} is absent")
    return HandRead(FEED)


@pytest.fixture(scope="module")
def green() -> GtfsImport:
    if not FEED.is_file():
        pytest.skip(f"{FEED} is absent")
    return import_gtfs(FEED, ROUTE)


@pytest.fixture(scope="module")
def comparison(green: GtfsImport) -> tuple[SegmentComparison, ...]:
    return compare_running_times(green.scenario, green.times.run_s)


# ------------------------------------------------------------------ stations and chainage
def test_stations_follow_the_feeds_most_common_full_length_pattern(
    green: GtfsImport, hand: HandRead
) -> None:
    stations = green.scenario.line.stations
    assert len(hand.pattern) == 23
    assert len(stations) == len(hand.pattern)  # no two platforms of one parent in a row
    assert [s.code for s in stations] == list(hand.pattern)
    assert [s.name for s in stations] == [hand.name(s) for s in hand.pattern]
    assert stations[0].name.startswith("PSU South")
    assert stations[-1].name.startswith("Clackamas Town Center")
    assert green.pattern.direction_id == 0
    assert len(green.pattern.trip_ids) == len(hand.trips)
    assert green.pattern.shape_id == hand.shape_id


def test_chainage_increases_and_spans_the_shape_in_metres(
    green: GtfsImport, hand: HandRead
) -> None:
    km = np.array([s.km for s in green.scenario.line.stations])
    assert km[0] == 0.0
    assert (np.diff(km) > 0).all()
    # TriMet gives shape_dist_traveled in feet: 75,566 "units" for a 23.0 km shape.
    assert hand.shape_feed_length / hand.shape_length_m == pytest.approx(3.2808, rel=0.01)
    assert green.distance_unit == "feet"
    # The stops are 119 m and 18 m inside the shape's ends, so the stations span a little less.
    assert km[-1] * 1000 == pytest.approx(hand.shape_length_m, rel=0.02)
    assert km[-1] * 1000 < hand.shape_length_m
    first = float(hand.trips[0][0]["shape_dist_traveled"])
    feet = [(float(r["shape_dist_traveled"]) - first) * 0.3048 for r in hand.trips[0]]
    np.testing.assert_allclose(km * 1000, feet, atol=0.6)  # km is rounded to the metre


def test_station_coordinates_lie_on_the_track(green: GtfsImport) -> None:
    geometry = green.scenario.line.geometry
    assert geometry is not None
    along, offset = project_points(geometry.track, geometry.stations)
    assert offset.max() < 30.0  # platform stops are beside the track centreline
    # Haversine chainage along the track from track_start_km agrees with each station's km (the
    # feed's feet) within 25 m: the two measures drift apart by up to 21 m (0.1 %) by Gateway.
    km = np.array([s.km for s in green.scenario.line.stations])
    np.testing.assert_allclose(geometry.track_start_km + along / 1000, km, rtol=0, atol=0.025)


def test_dwells_are_the_feeds_medians(green: GtfsImport, hand: HandRead) -> None:
    stations = green.scenario.line.stations
    for i in range(1, len(stations) - 1):
        expected = statistics.median(
            seconds(t[i]["departure_time"]) - seconds(t[i]["arrival_time"]) for t in hand.trips
        )
        assert stations[i].dwell_s == pytest.approx(expected)
    assert stations[0].dwell_s is None
    assert stations[-1].dwell_s is None


# ----------------------------------------------------------------------------- the TOML
def test_the_toml_round_trips_to_an_equal_scenario(green: GtfsImport) -> None:
    again = scenario_from_toml(green.toml, source="imported")
    assert again == green.scenario
    assert again.line.gradients == []  # GTFS has no elevations
    for key in ("mass_t", "davis_a_kn", "standing_area_m2"):
        line = next(n for n in green.toml.splitlines() if n.startswith(f"{key} ="))
        before = green.toml.splitlines()[green.toml.splitlines().index(line) - 1]
        assert before.startswith("# "), f"{key} has no reason above it"
    assert "55 mph" in green.toml
    assert green.scenario.gtfs.agency_name == "TriMet"
    assert green.scenario.gtfs.route_color == "008852"
    assert green.scenario.gtfs.start_date == "20211017"


# ------------------------------------------------------------------------------- curves
def test_curves_have_plausible_radii_where_the_track_bends(green: GtfsImport) -> None:
    curves = green.scenario.line.curves
    assert len(curves) >= 20
    assert all(50 <= c.radius_m <= 3000 for c in curves)
    assert all(0 <= c.from_km < c.to_km <= green.scenario.line.stations[-1].km for c in curves)
    # The tight ones (street corners, the Steel Bridge approaches) are downtown, between
    # Union Station (km 2.06) and Rose Quarter (km 3.29); none that tight on the I-205 line.
    tight = [c for c in curves if c.radius_m < 100]
    assert tight
    assert all(2.0 < c.from_km < 3.3 for c in tight)
    assert all(c.cant_mm == 0 for c in tight)
    i205 = [c for c in curves if c.from_km > 12.2]
    assert i205
    assert min(c.radius_m for c in i205) >= 250
    assert any("digitising kinks" in n for n in green.notes)


# ----------------------------------------------------------------------- the comparison
def test_scheduled_times_are_the_feeds_medians(
    comparison: tuple[SegmentComparison, ...], hand: HandRead
) -> None:
    assert len(comparison) == len(hand.pattern) - 1
    for i, row in enumerate(comparison):
        assert row.scheduled_s == pytest.approx(hand.scheduled_s(i))


def test_every_segment_takes_longer_in_the_schedule_than_lrtsims_minimum(
    comparison: tuple[SegmentComparison, ...],
) -> None:
    """The minimum is a lower bound: a ratio below 1 would mean wrong chainage or a too-fast
    vehicle. Found: 1.18 (NE 60th → NE 82nd, I-84) to 2.06 (downtown street running)."""
    ratios = [r.ratio for r in comparison]
    assert all(r is not None and r >= 1.0 for r in ratios), ratios
    total = comparison_total(comparison)
    assert total.ratio is not None
    assert 1.2 < total.ratio < 1.8
    assert total.distance_m == pytest.approx(sum(r.distance_m for r in comparison))
    # Downtown street running (first six segments) is padded more than the I-205 section.
    downtown = [r.ratio for r in comparison[:6]]
    i205 = [r.ratio for r in comparison[15:21]]
    assert min(x for x in downtown if x) > max(x for x in i205 if x)


def test_schedule_adds_up_to_the_feeds_trip_time(green: GtfsImport, hand: HandRead) -> None:
    """Segment medians plus dwell medians give the median terminal-to-terminal trip time."""
    trip = statistics.median(
        seconds(t[-1]["arrival_time"]) - seconds(t[0]["departure_time"]) for t in hand.trips
    )
    run = sum(x for x in green.times.run_s if x is not None)
    dwell = sum(x for x in green.times.dwell_s[1:-1] if x is not None)
    assert run + dwell == pytest.approx(trip, abs=60)


# ---------------------------------------------------------------- units, synthetic feeds
@pytest.mark.parametrize(
    ("factor", "unit"),
    [(1.0, "metres"), (1 / 0.3048, "feet"), (0.001, "kilometres"), (1 / 1609.344, "miles")],
)
def test_units_are_recognised_from_the_length_ratio(factor: float, unit: str) -> None:
    metres = 12_345.0
    assert detect_unit(metres * factor * 1.03, metres) is not None
    found = detect_unit(metres * factor * 0.98, metres)
    assert found is not None
    assert found[0] == unit


def test_an_unknown_unit_is_not_guessed() -> None:
    assert detect_unit(12_345.0 * 2.0, 12_345.0) is None
    assert detect_unit(0.0, 100.0) is None


def local_to_lon_lat(x: float, y: float) -> tuple[float, float]:
    lat0, lon0 = 45.5, -122.6
    lat = lat0 + math.degrees(y / 6_371_008.8)
    lon = lon0 + math.degrees(x / (6_371_008.8 * math.cos(math.radians(lat0))))
    return round(lon, 7), round(lat, 7)


def synthetic_feed(path: Path, *, dist: str = "metres", drop: tuple[str, ...] = ()) -> Path:
    """A 2 km line: 1 km east, a 90° left curve of R = 300 m, then north; three stops.

    `dist`: 'metres' or 'none' (no shape_dist_traveled anywhere).
    """
    track: list[tuple[float, float]] = [(float(x), 0.0) for x in range(0, 1001, 50)]
    for k in range(1, 31):
        a = math.radians(3 * k)
        track.append((1000 + 300 * math.sin(a), 300 - 300 * math.cos(a)))
    track += [(1300.0, 300.0 + y) for y in range(50, 701, 50)]
    cum = [0.0]
    for (x1, y1), (x2, y2) in itertools.pairwise(track):
        cum.append(cum[-1] + math.hypot(x2 - x1, y2 - y1))
    stop_at = [100.0, 900.0, cum[-1] - 50.0]
    stop_xy = (
        [np.interp(s, cum, [p[0] for p in track]) for s in stop_at],
        [np.interp(s, cum, [p[1] for p in track]) for s in stop_at],
    )
    with_dist = dist == "metres"
    files: dict[str, str] = {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Test,https://x.org,UTC\n",
        "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\n"
        "R1,A,1,Test Line,0\nR2,A,2,Ghost,0\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
        "start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20241231\n",
        "trips.txt": "route_id,service_id,trip_id,direction_id,shape_id\n"
        + "".join(f"R1,WK,T{i},0,S1\n" for i in range(3))
        + "R1,WK,B0,1,S1\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
        + "".join(
            f"P{i},Stop {i},{local_to_lon_lat(x, y)[1]},{local_to_lon_lat(x, y)[0]}\n"
            for i, (x, y) in enumerate(zip(*stop_xy, strict=True))
        ),
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence"
        + (",shape_dist_traveled\n" if with_dist else "\n")
        + "".join(
            f"T{t},{_hms(t * 600 + base)},{_hms(t * 600 + base + dwell)},P{i},{i + 1}"
            + (f",{stop_at[i]:.1f}\n" if with_dist else "\n")
            for t in range(3)
            for i, (base, dwell) in enumerate([(21600, 0), (21700, 20), (21900, 0)])
        )
        + "B0,07:00:00,07:00:00,P2,1"
        + (",0\n" if with_dist else "\n"),
        "shapes.txt": "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence"
        + (",shape_dist_traveled\n" if with_dist else "\n")
        + "".join(
            f"S1,{local_to_lon_lat(x, y)[1]},{local_to_lon_lat(x, y)[0]},{k}"
            + (f",{cum[k]:.2f}\n" if with_dist else "\n")
            for k, (x, y) in enumerate(track)
        ),
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, text in files.items():
            if name not in drop:
                z.writestr(name, text)
    return path


def _hms(s: int) -> str:
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


@pytest.mark.parametrize("dist", ["metres", "none"])
def test_a_synthetic_feed_imports_with_its_known_geometry(tmp_path: Path, dist: str) -> None:
    feed = synthetic_feed(tmp_path / "f.zip", dist=dist)
    imported = import_gtfs(feed, "R1")
    km = [s.km for s in imported.scenario.line.stations]
    length = 1000 + 300 * math.pi / 2 + 700  # straight, quarter circle, straight
    assert km[-1] * 1000 == pytest.approx(length - 150, abs=3)  # stops 100 m and 50 m inside
    assert km[1] * 1000 == pytest.approx(800, abs=3)
    if dist == "metres":
        assert imported.distance_unit == "metres"
    else:
        assert imported.distance_unit is None
        assert "projected" in imported.chainage_source
    curve = max(imported.scenario.line.curves, key=lambda c: c.to_km - c.from_km)
    assert curve.radius_m == pytest.approx(300, rel=0.15)
    assert curve.from_km == pytest.approx(0.9, abs=0.03)  # curve starts 900 m after stop 0
    assert imported.scenario.line.stations[1].dwell_s == 20
    assert imported.times.run_s == (100.0, 180.0)
    assert scenario_from_toml(imported.toml) == imported.scenario


def test_the_written_vehicle_is_the_shipped_data_file_with_its_reasons(tmp_path: Path) -> None:
    imported = import_gtfs(synthetic_feed(tmp_path / "f.zip"), "R1")
    vehicle = vehicle_data(DEFAULT_VEHICLE)
    assert tomllib.loads(imported.toml)["rolling_stock"] == vehicle.rolling_stock()
    lines = imported.toml.splitlines()
    table = lines.index("[rolling_stock]")
    for v in vehicle.values:
        at = next(i for i in range(table, len(lines)) if lines[i].startswith(f"{v.key} = "))
        above = list(itertools.takewhile(lambda n: n.startswith("# "), reversed(lines[:at])))
        assert " ".join(n[2:] for n in reversed(above)) == v.reason, v.key


@pytest.mark.parametrize("dist", ["metres", "none"])
def test_nothing_of_another_feed_is_written_into_an_imported_scenario(
    tmp_path: Path, dist: str
) -> None:
    """The synthetic feed names no operator: neither may its scenario (comments included)."""
    imported = import_gtfs(synthetic_feed(tmp_path / "f.zip", dist=dist), "R1")
    text = imported.toml.lower()
    for word in ("trimet", "portland", "max green", "type 4", "type 5", "green line"):
        assert word not in text, word
    line, vehicle = imported.scenario.line, imported.scenario.rolling_stock
    assert vehicle.max_speed_kmh <= line.max_speed_kmh < vehicle.max_speed_kmh + 10


@pytest.mark.parametrize(
    ("vehicle_kmh", "line_kmh"), [(88.5, 90.0), (90.0, 90.0), (70.1, 80.0), (105.0, 110.0)]
)
def test_the_line_speed_is_the_vehicles_rounded_up(vehicle_kmh: float, line_kmh: float) -> None:
    assert line_max_speed_kmh(vehicle_kmh) == line_kmh


@pytest.mark.parametrize(
    ("build", "route", "message"),
    [
        ("missing", "R1", "no such file"),
        ("not_zip", "R1", "not a zip file"),
        ("no_stops", "R1", "has no stops.txt"),
        ("ok", "R9", "route 'R9' is not in"),
        ("ok", "R2", "has no trips"),
        ("no_shapes", "R1", "no shapes.txt"),
    ],
)
def test_user_errors_are_lrtsim_errors(
    tmp_path: Path, build: str, route: str, message: str
) -> None:
    path = tmp_path / "feed.zip"
    if build == "not_zip":
        path.write_text("route_id\n", encoding="utf-8")
    elif build == "no_stops":
        synthetic_feed(path, drop=("stops.txt",))
    elif build == "no_shapes":
        synthetic_feed(path, drop=("shapes.txt",))
    elif build == "ok":
        synthetic_feed(path)
    with pytest.raises(LrtsimError, match=message.replace("(", r"\(")):
        import_gtfs(path, route)


# ------------------------------------------------------------------------------ the CLI
# Two real processes (a good run that writes the scenario, and a bad one) prove the exit codes
# and the absence of tracebacks end to end; the other cases run in-process through typer's
# CliRunner, which spares a few seconds of interpreter start-up each.
@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The real processes, started together; then `scenario validate` of the written file."""
    if not FEED.is_file():
        pytest.skip(f"{FEED} is absent")
    folder = tmp_path_factory.mktemp("gtfs_cli")
    commands = {
        "table": ["import-gtfs", str(FEED), "--route", ROUTE, "--out", "green.toml"],
        "unknown_route": ["import-gtfs", str(FEED), "--route", "999"],
    }
    runs: dict[str, Any] = run_all(commands, folder)
    runs["validate"] = CliRunner().invoke(app, ["scenario", "validate", str(folder / "green.toml")])
    runs["folder"] = folder
    return runs


def test_cli_prints_the_segment_table_and_writes_the_scenario(cli_runs: dict[str, Any]) -> None:
    run = cli_runs["table"]
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    for header in ("from", "to", "distance m", "scheduled s", "lrtsim min s", "ratio", "total"):
        assert header in run.stdout
    assert "SE Fuller Rd MAX Station" in run.stdout
    written = cli_runs["folder"] / "green.toml"
    assert written.is_file()
    assert not list(cli_runs["folder"].glob(".green.toml.*"))  # no temporary file left over
    assert load_scenario(str(written)).name == "trimet-max-green-line"
    validate = cli_runs["validate"]
    assert validate.exit_code == 0, validate.output
    assert "ok" in validate.stdout


def test_cli_unknown_route_exits_2_in_a_real_process(cli_runs: dict[str, Any]) -> None:
    run = cli_runs["unknown_route"]
    assert run.returncode == 2
    assert "Traceback" not in run.stdout + run.stderr
    assert run.stderr.startswith("error: route '999' is not in")
    assert "200 (MAX Green Line)" in run.stderr  # the message lists the feed's routes
    assert run.stdout == ""


def test_cli_json_is_one_object_with_segments_and_totals() -> None:
    if not FEED.is_file():
        pytest.skip(f"{FEED} is absent")
    run = CliRunner().invoke(app, ["import-gtfs", str(FEED), "--route", ROUTE, "--json"])
    assert run.exit_code == 0, run.output
    payload = json.loads(run.stdout)
    assert payload["scenario"] == "trimet-max-green-line"
    assert payload["route"] == {"id": "200", "name": "MAX Green Line"}
    assert payload["pattern"]["direction_id"] == 0
    assert len(payload["pattern"]["stop_ids"]) == 23
    segments = payload["segments"]
    assert len(segments) == 22
    for seg in segments:
        assert set(seg) == {"from", "to", "distance_m", "scheduled_s", "minimum_s", "ratio"}
        assert seg["ratio"] == pytest.approx(seg["scheduled_s"] / seg["minimum_s"], rel=1e-3)
    totals = payload["totals"]
    assert totals["scheduled_s"] == pytest.approx(sum(s["scheduled_s"] for s in segments))
    assert totals["minimum_s"] == pytest.approx(sum(s["minimum_s"] for s in segments), abs=0.05)
    assert payload["out"] is None


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "nope.zip: no such file"),
        ("not_zip", "is not a zip file"),
        ("under_a_file", "is a file, not a folder"),
        ("no_shapes", "no shapes.txt"),
    ],
)
def test_cli_bad_input_exits_2_with_one_message(tmp_path: Path, case: str, message: str) -> None:
    feed = tmp_path / "feed.zip"
    out: list[str] = []
    if case == "missing":
        feed = tmp_path / "nope.zip"
    elif case == "not_zip":
        feed.write_text("hello", encoding="utf-8")
    elif case == "under_a_file":
        synthetic_feed(feed)
        (tmp_path / "a_file").write_text("x\n", encoding="utf-8")
        out = ["--out", str(tmp_path / "a_file" / "x.toml")]
    else:
        synthetic_feed(feed, drop=("shapes.txt",))
    run = CliRunner().invoke(app, ["import-gtfs", str(feed), "--route", "R1", *out])
    assert run.exit_code == 2
    assert isinstance(run.exception, SystemExit)  # typer.Exit(2), not an escaped exception
    assert run.stderr.startswith("error: ")
    assert message in run.stderr
    assert run.stdout == ""
