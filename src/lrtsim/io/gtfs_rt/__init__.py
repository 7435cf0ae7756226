"""GTFS-Realtime from a simulated day (https://gtfs.org/realtime/reference/): VehiclePositions
and TripUpdates consistent with the run's static gtfs.zip (same trip, route and stop ids,
stop_sequence, start_time, direction_id; positions on its shapes).

`live_day(run)` precomputes a day once; `vehicles(live, t_s)` lists the trains at an instant;
`vehicle_positions_feed` and `trip_updates_feed` serialize FULL_DATASET FeedMessages.
"""

from lrtsim.io.gtfs_rt.feed import feed_json, trip_updates_feed, vehicle_positions_feed
from lrtsim.io.gtfs_rt.live import (
    LiveDay,
    VehicleState,
    live_day,
    on_lap,
    posix_s,
    service_window_s,
    vehicles,
)

__all__ = [
    "LiveDay",
    "VehicleState",
    "feed_json",
    "live_day",
    "on_lap",
    "posix_s",
    "service_window_s",
    "trip_updates_feed",
    "vehicle_positions_feed",
    "vehicles",
]
