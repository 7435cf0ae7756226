"""GTFS-Realtime FeedMessages of a `LiveDay` at an instant, with gtfs-realtime-bindings
(https://gtfs.org/realtime/reference/).

Both feeds are FULL_DATASET (`FeedHeader.incrementality`): each message is the whole state at
`t_s`, its header `timestamp` the POSIX time the caller gives (the replay clock's).

- VehiclePositions: one `VehiclePosition` per train on a trip (`live.vehicles`), its
  `TripDescriptor` (trip_id, route_id, direction_id, start_time, start_date, SCHEDULED), its
  `VehicleDescriptor` (id: the static block_id; label: the train's own name), `Position`
  (lat, lon, bearing in degrees from north, speed in m/s), `current_stop_sequence` and
  `stop_id` of the stop it is at or goes to, `current_status`, `timestamp`, `occupancy_status`.
- TripUpdates: one `TripUpdate` per trip running at `t_s` or whose first departure is within
  the next hour (`HORIZON_S`), with a `StopTimeUpdate` for each stop not yet left: arrival and
  departure `time` = the simulated time (the prediction: the simulated day is what will
  happen), `delay` against stop_times.txt; a stop the simulated train does not serve is
  SKIPPED. A trip the simulated day did not run is CANCELED.

Predicted times are whole POSIX seconds, made strictly increasing along the trip (each stop's
arrival after the previous departure, departure no earlier than arrival) so that rounding never
makes two stops' times equal (validator rules E022, E025).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from google.protobuf import json_format
from google.transit import gtfs_realtime_pb2 as rt

from lrtsim.io.gtfs_rt.live import LiveDay, current_stop, running_trips, vehicles

HORIZON_S = 3600.0
"""TripUpdates cover the trips that start (first departure) within this time from now."""

GTFS_RT_VERSION = "2.0"

_STATUS = {
    "STOPPED_AT": rt.VehiclePosition.STOPPED_AT,
    "IN_TRANSIT_TO": rt.VehiclePosition.IN_TRANSIT_TO,
}


def _message(timestamp: int) -> rt.FeedMessage:
    msg = rt.FeedMessage()
    msg.header.gtfs_realtime_version = GTFS_RT_VERSION
    msg.header.incrementality = rt.FeedHeader.FULL_DATASET
    msg.header.timestamp = int(timestamp)
    return msg


def _trip(descriptor: rt.TripDescriptor, live: LiveDay, i: int) -> None:
    descriptor.trip_id = live.trip_id[i]
    descriptor.route_id = live.route_id[i]
    descriptor.direction_id = int(live.direction_id[i])
    descriptor.start_time = live.start_time[i]
    descriptor.start_date = live.service_date


def vehicle_positions_feed(live: LiveDay, t_s: float, timestamp: int) -> bytes:
    """The VehiclePositions FeedMessage at `t_s` (seconds after the service day's midnight),
    serialized; `timestamp` (POSIX) is the header's and each position's."""
    msg = _message(timestamp)
    index = {trip: i for i, trip in enumerate(live.trip_id)}
    for v in vehicles(live, t_s):
        entity = msg.entity.add()
        entity.id = f"vp-{v.vehicle_id}"
        vp = entity.vehicle
        _trip(vp.trip, live, index[v.trip_id])
        vp.trip.schedule_relationship = rt.TripDescriptor.SCHEDULED
        vp.vehicle.id = v.vehicle_id
        vp.vehicle.label = live.vehicle_label[index[v.trip_id]]
        vp.position.latitude = v.lat
        vp.position.longitude = v.lon
        vp.position.bearing = v.bearing_deg
        vp.position.speed = v.speed_mps
        vp.current_stop_sequence = v.stop_sequence
        vp.stop_id = v.stop_id
        vp.current_status = _STATUS[v.status]
        vp.timestamp = int(timestamp)
        vp.occupancy_status = rt.VehiclePosition.OccupancyStatus.Value(v.occupancy)
    return bytes(msg.SerializeToString())


def trip_updates_feed(live: LiveDay, t_s: float, timestamp: int) -> bytes:
    """The TripUpdates FeedMessage at `t_s`: the trips running or starting within
    `HORIZON_S`, their predictions from the simulated day, serialized."""
    msg = _message(timestamp)
    running = set(running_trips(live, t_s).tolist())
    soon = (live.first_departure_s > t_s) & (live.first_departure_s <= t_s + HORIZON_S)
    coming = np.flatnonzero(soon & live.operated).tolist()
    cancelled = ~live.operated & (live.last_arrival_s >= t_s)
    cancelled &= live.scheduled_start_s <= t_s + HORIZON_S
    for i in sorted(running | set(coming) | set(np.flatnonzero(cancelled).tolist())):
        entity = msg.entity.add()
        entity.id = f"tu-{live.trip_id[i]}"
        tu = entity.trip_update
        _trip(tu.trip, live, i)
        tu.vehicle.id = live.vehicle_id[i]
        tu.vehicle.label = live.vehicle_label[i]
        tu.timestamp = int(timestamp)
        if not live.operated[i]:
            tu.trip.schedule_relationship = rt.TripDescriptor.CANCELED
            continue
        tu.trip.schedule_relationship = rt.TripDescriptor.SCHEDULED
        _stop_time_updates(tu, live, i, t_s, running=i in running)
    return bytes(msg.SerializeToString())


def _stop_time_updates(
    tu: rt.TripUpdate, live: LiveDay, i: int, t_s: float, *, running: bool
) -> None:
    """Every stop of trip i not yet left at `t_s`, in order, with strictly increasing times; on
    the way to a stop, those passed without stopping since the last one left are SKIPPED."""
    a, b = int(live.stop_start[i]), int(live.stop_start[i + 1])
    first = a
    if running:
        first, standing = current_stop(live, i, t_s)
        if not standing:
            left = np.flatnonzero(live.served[a:first])
            first = a + int(left[-1]) + 1 if left.size else a
    served = live.served[first:b]
    rows = np.arange(first, b)
    base = live.service_day_posix_s
    arrival = (np.floor(np.nan_to_num(live.arrival_s[first:b]) + 0.5) + base).astype(np.int64)
    departure = (np.floor(np.nan_to_num(live.departure_s[first:b]) + 0.5) + base).astype(np.int64)
    arrival_list, departure_list = arrival.tolist(), departure.tolist()
    last = -1
    for k in range(rows.size):
        if not served[k]:
            continue
        arrival_list[k] = max(arrival_list[k], last + 1)
        departure_list[k] = max(departure_list[k], arrival_list[k])
        last = departure_list[k]
    sched_arr = live.scheduled_arrival_s[first:b].tolist()
    sched_dep = live.scheduled_departure_s[first:b].tolist()
    sequences = live.stop_sequence[first:b].tolist()
    for k, row in enumerate(rows.tolist()):
        update = tu.stop_time_update.add()
        update.stop_sequence = sequences[k]
        update.stop_id = live.stop_id[row]
        if not served[k]:
            update.schedule_relationship = rt.TripUpdate.StopTimeUpdate.SKIPPED
            continue
        update.schedule_relationship = rt.TripUpdate.StopTimeUpdate.SCHEDULED
        update.arrival.time = arrival_list[k]
        update.arrival.delay = arrival_list[k] - base - sched_arr[k]
        update.departure.time = departure_list[k]
        update.departure.delay = departure_list[k] - base - sched_dep[k]


def feed_json(feed: bytes) -> dict[str, Any]:
    """A serialized FeedMessage as JSON (protobuf's json_format, field names as in the proto)."""
    msg = rt.FeedMessage.FromString(feed)
    return dict(json_format.MessageToDict(msg, preserving_proto_field_name=True))
