"""VehiclePositions and TripUpdates: they parse, use the static feed's ids, and their
predictions are the simulated day's, in increasing order."""

from __future__ import annotations

import numpy as np
from google.transit import gtfs_realtime_pb2 as rt
from rt_support import INSTANTS_S, Case

from lrtsim.io.gtfs_rt import (
    feed_json,
    posix_s,
    service_window_s,
    trip_updates_feed,
    vehicle_positions_feed,
    vehicles,
)


def _instants(case: Case) -> list[float]:
    return [*INSTANTS_S, service_window_s(case.live)[1] + 600.0]


def _feeds(case: Case, t_s: float) -> tuple[rt.FeedMessage, rt.FeedMessage]:
    stamp = posix_s(case.live, t_s)
    vp = rt.FeedMessage.FromString(vehicle_positions_feed(case.live, t_s, stamp))
    tu = rt.FeedMessage.FromString(trip_updates_feed(case.live, t_s, stamp))
    return vp, tu


def test_headers_are_full_datasets_at_the_given_time(plain: Case) -> None:
    for t_s in _instants(plain):
        for msg in _feeds(plain, t_s):
            assert msg.header.gtfs_realtime_version == "2.0"
            assert msg.header.incrementality == rt.FeedHeader.FULL_DATASET
            assert msg.header.timestamp == posix_s(plain.live, t_s)


def test_vehicle_positions_are_the_vehicles(case: Case) -> None:
    trips = case.tables["trips.txt"].set_index("trip_id")
    for t_s in _instants(case):
        vp, _ = _feeds(case, t_s)
        states = vehicles(case.live, t_s)
        assert len(vp.entity) == len(states)
        for entity, v in zip(vp.entity, states, strict=True):
            p = entity.vehicle
            assert p.trip.trip_id == v.trip_id
            assert p.trip.trip_id in trips.index
            assert p.trip.route_id == trips.loc[v.trip_id, "route_id"]
            assert p.trip.direction_id == int(trips.loc[v.trip_id, "direction_id"])
            assert p.trip.start_date == case.live.service_date
            assert p.vehicle.id == trips.loc[v.trip_id, "block_id"]
            assert p.stop_id == v.stop_id
            assert p.current_stop_sequence == v.stop_sequence
            assert abs(p.position.latitude - v.lat) < 1e-5
            assert abs(p.position.speed - v.speed_mps) < 1e-3
            status = rt.VehiclePosition.VehicleStopStatus.Name(p.current_status)
            assert status == v.status
    assert feed_json(vehicle_positions_feed(case.live, INSTANTS_S[1], 1))["entity"]


def test_trip_updates_predict_the_simulated_day(case: Case) -> None:
    st = case.tables["stop_times.txt"]
    first_arrival = st.groupby("trip_id")["arrival_time"].first()
    static_ids = set(case.tables["stops.txt"]["stop_id"])
    routes = set(case.tables["routes.txt"]["route_id"])
    base = case.live.service_day_posix_s
    sim = case.run.result.stop_times
    prefix = f"{case.run.design.day_type}-" if len(case.run.day_plans) > 1 else ""
    sim_arrival = {
        (prefix + str(r.trip_id), int(r.stop_sequence)): r.actual_arrival_s
        for r in sim.itertuples()
    }
    seen = 0
    for t_s in _instants(case):
        stamp = posix_s(case.live, t_s)
        _, tu = _feeds(case, t_s)
        running = {v.trip_id for v in vehicles(case.live, t_s)}
        assert running <= {e.trip_update.trip.trip_id for e in tu.entity}
        for entity in tu.entity:
            u = entity.trip_update
            assert u.trip.trip_id in first_arrival.index
            assert u.trip.route_id in routes
            assert u.trip.start_time == first_arrival[u.trip.trip_id]
            times = []
            for s in u.stop_time_update:
                assert s.stop_id in static_ids
                if s.schedule_relationship == rt.TripUpdate.StopTimeUpdate.SKIPPED:
                    continue
                assert s.departure.time >= s.arrival.time
                times += [s.arrival.time, s.departure.time]
                predicted = sim_arrival[(u.trip.trip_id, s.stop_sequence)] + base
                assert abs(s.arrival.time - predicted) <= 1.0 + 1e-6
                seen += 1
            assert all(b > a for a, b in zip(times[1::2], times[2::2], strict=False))
            sequences = [s.stop_sequence for s in u.stop_time_update]
            assert sequences == sorted(set(sequences))
            if u.stop_time_update:
                assert u.stop_time_update[-1].departure.time >= stamp  # no trip already over
                passed = [s for s in u.stop_time_update if s.departure.time < stamp]
                assert not passed
            first_departure = min((s.departure.time for s in u.stop_time_update), default=0)
            assert first_departure <= stamp + 3600 or u.trip.trip_id in running
    assert seen > 0


def test_the_blockage_shows_as_delays(plain: Case, blocked: Case) -> None:
    t_s = 8 * 3600 + 20 * 60.0

    def delays(case: Case) -> np.ndarray:
        _, tu = _feeds(case, t_s)
        return np.array(
            [s.arrival.delay for e in tu.entity for s in e.trip_update.stop_time_update]
        )

    assert delays(blocked).max() > delays(plain).max() + 120
