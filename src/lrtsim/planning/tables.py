"""The planning layer's tables: their columns are a contract with GTFS export and simulation.

Times are seconds after midnight of the service day (they may pass 86 400 for service after
midnight). Distances are metres along the trip from its first stop.
"""

from __future__ import annotations

TIMETABLE_COLUMNS = (
    "trip_id",  # str, unique
    "block_id",  # str: the train (vehicle duty) that runs the trip
    "direction",  # "up" | "down"
    "direction_id",  # int: 0 for up, 1 for down (GTFS)
    "period",  # str: the service period the trip departs in, e.g. "07:00-09:00"
    "stop_sequence",  # int, 1-based along the trip
    "station",  # str: station name
    "station_index",  # int: index of the station in line.stations
    "arrival_s",  # float
    "departure_s",  # float (= arrival_s at the last stop)
    "distance_m",  # float: along the trip from its first stop (GTFS shape_dist_traveled)
)
"""One row per trip and stop, in trip order then stop order."""

BLOCK_COLUMNS = (
    "block_id",  # str
    "sequence",  # int, 1-based within the block
    "activity",  # "pull_out" | "trip" | "layover" | "deadhead" | "pull_in"
    "trip_id",  # str: the trip for activity "trip", else ""
    "from_station",  # str: where the activity starts (the depot's name for pull_out)
    "to_station",  # str: where it ends (the depot's name for pull_in)
    "start_s",  # float
    "end_s",  # float
    "distance_m",  # float: train-metres run (0 for layovers)
)
"""One row per activity of each train, in time order."""
