"""The tables a day hands on, simulated or planned: their columns are the contract between the
simulation, which writes them, and the KPIs (`lrtsim.metrics`), which read nothing else.

Times are seconds after midnight of the service day, as in the planning tables
(`planning.tables`); NaN marks what did not happen. A table may carry more columns than these.
"""

from __future__ import annotations

STOP_TIMES_COLUMNS = (
    "trip_id",  # str: as in the timetable
    "block_id",  # str: the train that ran (or was to run) the trip
    "direction",  # "up" | "down"
    "stop_sequence",  # int, 1-based along the trip
    "station",  # str: station name
    "station_index",  # int: index of the station in line.stations
    "planned_arrival_s",  # float: the timetable's arrival_s; NaN for a stop not in the plan
    "planned_departure_s",  # float: the timetable's departure_s; NaN for a stop not in the plan
    "actual_arrival_s",  # float: NaN where the stop was not served
    "actual_departure_s",  # float: NaN where the stop was not served
)
"""One row per trip and stop: every stop of every planned trip, served or not.

A stop the train did not serve — a cancelled trip, the part of a trip beyond a short turn, a
closed station passed without stopping — keeps its planned times and has NaN actual times. At a
short turn the train's last stop in the trip's direction has an actual arrival and a NaN actual
departure (it does not leave in that direction). At a trip's last stop the departure is the
arrival, as in the timetable; no KPI reads a departure there. Service the plan did not have
(an extra trip) may be added as rows with NaN planned times: it counts in the headways
passengers saw, never in punctuality.
"""

PASSENGER_COLUMNS = (
    "passenger_id",  # int or str, unique within a day and the same for the same passenger on
    # another simulated day of the same demand (delays are joined on it)
    "origin",  # str: station name
    "destination",  # str: station name
    "direction",  # "up" | "down"
    "arrival_s",  # float: arrival on the platform
    "board_s",  # float: the boarded train's doors opened at the origin; NaN if never boarded
    "alight_s",  # float: arrival of that train at the destination; NaN if never boarded
    "trip_id",  # str: the trip boarded; "" if never boarded
    "denied_boardings",  # int: trains the passenger could not board (full), 0 if none
)
"""One row per passenger. `board_s` is when the boarded train's doors opened at the origin (its
arrival there: the end of the wait, as `simulation.boarding` lets on those who came before the
doors opened) and `alight_s` its arrival at the destination (the end of the journey): so in the
undisturbed day a passenger's wait is exactly the timetable's, and its excess wait 0."""

STOP_VISIT_COLUMNS = (
    "trip_id",  # str
    "stop_sequence",  # int
    "station",  # str
    "direction",  # "up" | "down"
    "boarded",  # int: passengers who boarded
    "alighted",  # int: passengers who alighted
    "load_on_departure",  # int: passengers on board leaving the stop
    "left_behind",  # int: passengers who wanted this train and could not board it
)
"""One row per stop a train served (a stop it passed or never reached has no row)."""

RUN_COLUMNS = (
    "block_id",  # str: the train
    "trip_id",  # str: the trip run; "" for an empty run (pull-out, pull-in, deadhead)
    "distance_m",  # float: train-metres run
    "line_energy_j",  # float: energy drawn from the line, net of regeneration fed back
)
"""One row per run of a train, in service or empty; a train that never left the depot has none.
A run cut short (a failure, a short turn) counts the distance actually run."""
