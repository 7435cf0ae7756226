"""Fitted speed restrictions: one zone per segment, from station to station.

A zone covers its whole interstation, station km to station km. That extent is the same in both
directions and for any train (the part of a segment spent accelerating or braking depends on the
vehicle, its load and the zone's own speed), and while the train accelerates away from a station
or brakes into one a zone above its speed does not bind anyway. The one effect beyond the
segment is the train-length rule: the tail must clear the zone, so a zone also holds the first
train length of the following segment (the fit iterates over all segments at once, so this is
taken into account).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from lrtsim.dynamics.train import TrainParams
from lrtsim.model.direction import Direction, running_index
from lrtsim.model.schema import Scenario, SpeedLimit
from lrtsim.model.units import mps_to_kmh

MIN_ZONE_KMH = 5.0
"""Slowest restriction the fit sets: a schedule slower than this is standing, not running."""

ZONE_DECIMALS = 2
"""Zone speeds are written to 0.01 km/h (a change of under 0.05 % in a segment's time)."""


def line_segment(direction: Direction, index: int, n_segments: int) -> int:
    """Line segment (station i → i + 1 of `line.stations`) of a segment in running order."""
    return running_index(n_segments, direction, index)


def zone_extent_km(scenario: Scenario, segment: int) -> tuple[float, float]:
    """From and to km of the zone over line segment `segment` (station km to station km)."""
    stations = scenario.line.stations
    return stations[segment].km, stations[segment + 1].km


def with_zones(scenario: Scenario, speeds_kmh: Mapping[int, float]) -> Scenario:
    """The scenario with a restriction over each line segment of `speeds_kmh`, added to its own
    speed limits (curve limits, the line's and the vehicle's maximum speed still apply).

    Not validated: the zones lie between stations, so inside the line (call
    `model.load.scenario_from_dict` on the result that is kept).
    """
    zones = [
        SpeedLimit(
            from_km=zone_extent_km(scenario, i)[0],
            to_km=zone_extent_km(scenario, i)[1],
            kmh=float(kmh),
        )
        for i, kmh in sorted(speeds_kmh.items())
    ]
    line = scenario.line.model_copy(update={"speed_limits": [*scenario.line.speed_limits, *zones]})
    return scenario.model_copy(update={"line": line})


def cruise_speed_kmh(distance_m: float, time_s: float, train: TrainParams) -> float | None:
    """Speed v of a trapezoidal run that covers `distance_m` in `time_s`: accelerate at a to v,
    hold it, brake at b, so t = d / v + v / 2 · (1 / a + 1 / b) (the lower root).

    Vuchic, *Urban Transit Systems and Technology* (2007), §3.2 (interstation travel time). None
    when even the triangular run (no holding) takes longer: no speed needs restricting.
    """
    accel = min(train.max_accel_mps2, train.max_effort_n / train.inertial_mass_kg)
    k = 0.5 * (1.0 / accel + 1.0 / train.brake_mps2)
    disc = time_s * time_s - 4.0 * k * distance_m
    if disc < 0:
        return None
    return mps_to_kmh((time_s - math.sqrt(disc)) / (2.0 * k))


def rounded_kmh(speed_kmh: float) -> float:
    """A fitted speed as written to the scenario."""
    return round(speed_kmh, ZONE_DECIMALS)
