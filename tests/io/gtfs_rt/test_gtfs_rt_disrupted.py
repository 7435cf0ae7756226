"""GTFS-Realtime on disrupted days: the stops a train does not serve (a station closed, short
turns) are SKIPPED in TripUpdates and never a VehiclePosition's stop, a trip the day did not
run is CANCELED within the TripUpdates horizon, and both feeds still pass the validator."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from google.transit import gtfs_realtime_pb2 as rt
from gtfs_rt_validator.api import Mode, prepare_feed
from rt_support import CANCEL_AT_S, Case, trips_to_cancel, validate_feeds

from lrtsim.io.gtfs_rt import posix_s, trip_updates_feed, vehicle_positions_feed, vehicles
from lrtsim.io.gtfs_rt.feed import HORIZON_S
from lrtsim.model.direction import DIRECTIONS, along_m

SKIPPED = rt.TripUpdate.StopTimeUpdate.SKIPPED
SCHEDULED = rt.TripUpdate.StopTimeUpdate.SCHEDULED
STEP_S = 20.0
"""Spacing of the instants the disrupted periods are read at."""


@pytest.fixture(params=["closed", "turned"], scope="package")
def disrupted(request: pytest.FixtureRequest) -> Case:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


def _rows(case: Case, trip: int) -> range:
    return range(int(case.live.stop_start[trip]), int(case.live.stop_start[trip + 1]))


def _affected(case: Case) -> list[int]:
    """The trips with a stop their train does not serve."""
    return [i for i in range(len(case.live.trip_id)) if not case.live.served[_rows(case, i)].all()]


def _instants(case: Case) -> list[float]:
    """Every STEP_S from 10 min before the first affected trip is scheduled to start to the
    last affected trip's last arrival."""
    trips = _affected(case)
    start = float(case.live.scheduled_start_s[trips].min()) - 600.0
    end = float(case.live.last_arrival_s[trips].max())
    return [float(t) for t in np.arange(start, end + STEP_S, STEP_S)]


def _feeds(case: Case, t_s: float) -> tuple[rt.FeedMessage, rt.FeedMessage]:
    stamp = posix_s(case.live, t_s)
    vp = rt.FeedMessage.FromString(vehicle_positions_feed(case.live, t_s, stamp))
    tu = rt.FeedMessage.FromString(trip_updates_feed(case.live, t_s, stamp))
    return vp, tu


def _not_left(case: Case, trip: int, t_s: float, *, running: bool) -> list[int]:
    """Rows of the trip's stops not yet left at `t_s`: all of a trip not started, else the stop
    its train stands at and those after, or those after the last stop it left (a stop it does
    not serve is passed, so never left, and is behind it once it reaches the next one)."""
    live = case.live
    rows = list(_rows(case, trip))
    if not running:
        return rows
    last = [r for r in rows if live.served[r] and live.arrival_s[r] <= t_s][-1]
    standing = t_s <= live.departure_s[last]
    return [r for r in rows if r > last or (standing and r == last)]


def test_unserved_stops_are_skipped_and_served_ones_predicted(disrupted: Case) -> None:
    live = disrupted.live
    index = {trip: i for i, trip in enumerate(live.trip_id)}
    skipped_seen = 0
    for t_s in _instants(disrupted):
        _, tu = _feeds(disrupted, t_s)
        running = {v.trip_id for v in vehicles(live, t_s)}
        skipped, unserved_ahead = 0, 0
        for entity in tu.entity:
            u = entity.trip_update
            assert u.trip.schedule_relationship == rt.TripDescriptor.SCHEDULED
            i = index[u.trip.trip_id]
            expected = _not_left(disrupted, i, t_s, running=u.trip.trip_id in running)
            assert [s.stop_sequence for s in u.stop_time_update] == [
                int(live.stop_sequence[r]) for r in expected
            ]
            unserved_ahead += int((~live.served[expected]).sum())
            last_time = 0
            for s, row in zip(u.stop_time_update, expected, strict=True):
                assert s.stop_id == live.stop_id[row]
                if not live.served[row]:
                    assert s.schedule_relationship == SKIPPED
                    assert not s.HasField("arrival")
                    assert not s.HasField("departure")
                    skipped += 1
                    continue
                assert s.schedule_relationship == SCHEDULED
                assert s.arrival.time > last_time
                assert s.departure.time >= s.arrival.time
                last_time = s.departure.time
        assert skipped == unserved_ahead
        skipped_seen += skipped
    assert skipped_seen > 0


def test_a_skipped_stop_ahead_of_the_train_is_in_its_trip_update(disrupted: Case) -> None:
    """Between the stop before a skipped one and the stop after it, the train has not passed
    the skipped stop yet: riders there must still be told it will not stop."""
    live = disrupted.live
    km_of = {s.name: s.km for s in disrupted.run.scenario.line.stations}
    index = {trip: i for i, trip in enumerate(live.trip_id)}
    ahead_seen = 0
    for t_s in _instants(disrupted):
        _, tu = _feeds(disrupted, t_s)
        updates = {e.trip_update.trip.trip_id: e.trip_update for e in tu.entity}
        for v in vehicles(live, t_s):
            i, d = index[v.trip_id], v.direction_id
            unserved = [r for r in _rows(disrupted, i) if not live.served[r]]
            if not unserved:
                continue
            here = along_m(np.array([v.km]), live.origin_km[d], DIRECTIONS[d])[0]
            stops = np.array([km_of[live.stop_name[r]] for r in unserved])
            ahead = along_m(stops, live.origin_km[d], DIRECTIONS[d]) > here + 1.0
            listed = {
                s.stop_sequence: s.schedule_relationship
                for s in updates[v.trip_id].stop_time_update
            }
            for r in np.array(unserved)[ahead].tolist():
                assert listed[int(live.stop_sequence[r])] == SKIPPED
                ahead_seen += 1
    assert ahead_seen > 0


def test_trains_stand_and_head_only_at_stops_they_serve(disrupted: Case) -> None:
    live = disrupted.live
    index = {trip: i for i, trip in enumerate(live.trip_id)}
    on_affected = 0
    affected = set(_affected(disrupted))
    for t_s in _instants(disrupted):
        vp, _ = _feeds(disrupted, t_s)
        for entity in vp.entity:
            p = entity.vehicle
            i = index[p.trip.trip_id]
            rows = [
                r for r in _rows(disrupted, i) if live.stop_sequence[r] == p.current_stop_sequence
            ]
            assert len(rows) == 1
            row = rows[0]
            assert live.served[row]
            assert p.stop_id == live.stop_id[row]
            if p.current_status == rt.VehiclePosition.STOPPED_AT:
                assert live.arrival_s[row] <= t_s <= live.departure_s[row]
            else:
                assert p.current_status == rt.VehiclePosition.IN_TRANSIT_TO
                assert t_s < live.arrival_s[row]
                before = [r for r in _rows(disrupted, i) if r < row and live.served[r]]
                assert all(live.departure_s[r] < t_s for r in before)
            on_affected += i in affected
    assert on_affected > 0


def test_a_trip_beginning_mid_line_skips_its_first_stops_until_it_starts(turned: Case) -> None:
    """A train turned short starts its next trip at the crossover: before it leaves, its
    TripUpdate skips the stops behind it; once it runs, they are no longer listed."""
    live = turned.live
    mid_line = [i for i in _affected(turned) if not live.served[_rows(turned, i)[0]]]
    assert mid_line
    for i in mid_line:
        rows = list(_rows(turned, i))
        first = next(k for k, r in enumerate(rows) if live.served[r])
        start_s = float(live.first_departure_s[i])
        assert start_s == live.departure_s[rows[first]]
        _, before = _feeds(turned, start_s - 60.0)
        update = next(
            e.trip_update for e in before.entity if e.trip_update.trip.trip_id == live.trip_id[i]
        )
        relationships = [s.schedule_relationship for s in update.stop_time_update]
        assert relationships[:first] == [SKIPPED] * first
        assert relationships[first] == SCHEDULED
        vp, after = _feeds(turned, start_s + 1.0)
        update = next(
            e.trip_update for e in after.entity if e.trip_update.trip.trip_id == live.trip_id[i]
        )
        behind = int(live.stop_sequence[rows[first - 1]])
        assert all(s.stop_sequence > behind for s in update.stop_time_update)
        assert live.trip_id[i] in {e.vehicle.trip.trip_id for e in vp.entity}


def test_a_cancelled_trip_is_canceled_from_an_hour_before_it_to_its_end(
    cancelled: Case, plain: Case
) -> None:
    live = cancelled.live
    trips = np.flatnonzero(~live.operated).tolist()
    assert trips == sorted(trips_to_cancel(plain.live, CANCEL_AT_S))
    first_arrival = cancelled.tables["stop_times.txt"].groupby("trip_id")["arrival_time"].first()
    for i in trips:
        start_s = float(live.scheduled_start_s[i])
        end_s = float(live.scheduled_arrival_s[_rows(cancelled, i)[-1]])
        ran_s = (float(plain.live.first_departure_s[i]), float(plain.live.last_arrival_s[i]))
        grid = np.arange(start_s - HORIZON_S - 120.0, end_s + 120.0, 60.0).tolist()
        edges = [start_s - HORIZON_S - 1.0, start_s - HORIZON_S, start_s, end_s, end_s + 1.0]
        for t_s in sorted({*grid, *edges, *ran_s, CANCEL_AT_S}):
            vp, tu = _feeds(cancelled, t_s)
            assert live.trip_id[i] not in {e.vehicle.trip.trip_id for e in vp.entity}
            found = [
                e.trip_update for e in tu.entity if e.trip_update.trip.trip_id == live.trip_id[i]
            ]
            assert len(found) == int(start_s - HORIZON_S <= t_s <= end_s), t_s
            for u in found:
                assert u.trip.schedule_relationship == rt.TripDescriptor.CANCELED
                assert len(u.stop_time_update) == 0
                assert u.trip.start_time == first_arrival[live.trip_id[i]]
                assert u.trip.route_id == live.route_id[i]
                assert u.trip.direction_id == live.direction_id[i]
                assert u.vehicle.id == live.vehicle_id[i]


def test_cancelling_changes_only_the_cancelled_trips(cancelled: Case, plain: Case) -> None:
    gone = {cancelled.live.trip_id[i] for i in np.flatnonzero(~cancelled.live.operated)}
    vp_c, tu_c = _feeds(cancelled, CANCEL_AT_S)
    vp_p, tu_p = _feeds(plain, CANCEL_AT_S)
    plain_tu = {e.trip_update.trip.trip_id: e for e in tu_p.entity}
    assert {e.trip_update.trip.trip_id for e in tu_c.entity} == set(plain_tu)
    assert gone <= set(plain_tu)
    for e in tu_c.entity:
        if e.trip_update.trip.trip_id not in gone:
            assert e.SerializeToString() == plain_tu[e.trip_update.trip.trip_id].SerializeToString()
    kept = [e.SerializeToString() for e in vp_p.entity if e.vehicle.trip.trip_id not in gone]
    assert [e.SerializeToString() for e in vp_c.entity] == kept
    assert len(kept) < len(vp_p.entity)


TRIP_ONLY_IN_TU = re.compile(r"trip_id (\S+) is in TripUpdates but not in VehiclePositions")
VEHICLE_ONLY_IN_TU = re.compile(r"vehicle_id (\S+) is in TripUpdates but not in VehiclePositions")


def _validator_instants(case: Case) -> list[float]:
    """The cancellation instant and half an hour before each cancelled trip; or three instants
    in the disruption and, for up to three trips skipping a stop mid-trip, the instant halfway
    between the stops around it."""
    live = case.live
    if not live.operated.all():
        trips = np.flatnonzero(~live.operated)
        return [CANCEL_AT_S, *(live.scheduled_start_s[trips] - HORIZON_S / 2).tolist()]
    trips = _affected(case)
    lo, hi = float(live.first_departure_s[trips].min()), float(live.last_arrival_s[trips].max())
    out = [float(t) for t in np.linspace(lo, hi, 5)[1:-1]]
    gaps = []
    for i in trips:
        served = [r for r in _rows(case, i) if live.served[r]]
        gaps += [(a, b) for a, b in itertools.pairwise(served) if b > a + 1][:1]
    return out + [float(live.departure_s[a] + live.arrival_s[b]) / 2 for a, b in gaps[:3]]


@pytest.mark.parametrize("name", ["closed", "turned", "cancelled"])
def test_the_disrupted_feeds_validate(
    name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    case: Case = request.getfixturevalue(name)
    feed = prepare_feed(case.zip_path, mode=Mode.MODERN)
    for n, t_s in enumerate(_validator_instants(case)):
        checked = validate_feeds(case, feed, t_s, tmp_path / str(n))
        report = checked.report
        assert {"E041", "E043", "E044", "P007", "P008"} <= set(report["summary"]["rulesRun"])
        assert checked.errors == ()
        assert checked.system_errors == []
        assert {notice["code"] for notice in report["notices"]} <= {"W003"}, report["notices"]
        on_trips = vehicles(case.live, t_s)
        trains = {v.trip_id for v in on_trips}
        blocks = {v.vehicle_id for v in on_trips}
        for notice in report["notices"]:
            for sample in notice["sampleNotices"]:
                trip = TRIP_ONLY_IN_TU.match(sample["prefix"])
                block = VEHICLE_ONLY_IN_TU.match(sample["prefix"])
                assert trip or block, sample
                if trip:
                    assert trip.group(1) not in trains
                if block:
                    assert block.group(1) not in blocks
