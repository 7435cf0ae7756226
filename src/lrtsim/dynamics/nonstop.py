"""Runs that stop nowhere between two points of the line: the empty moves of the circulation.

A deadhead across the line, and the main-line part of a depot move (from the junction to a
station, or back), start from a stand and end at a stand, at the line's limits between the
terminals and at most `SHUNT_SPEED_KMH` beyond them (the tail track and the depot link's end on
the main line), with the line's gradients and curves wherever it has them. The beyond-terminal
limit binds, by the train-length rule, until the whole train has passed the terminal's stop.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from lrtsim.dynamics.envelope import DEFAULT_STEP_M, run
from lrtsim.dynamics.profile import RunProfile
from lrtsim.dynamics.track import RunTrack, Zone, run_track
from lrtsim.dynamics.train import TrainParams, train_params
from lrtsim.model.direction import Direction, along_m, heading
from lrtsim.model.schema import Line, Scenario
from lrtsim.model.units import kmh_to_mps

SHUNT_SPEED_KMH = 25.0
"""Speed limit of moves beyond the terminal platforms (tail tracks, toward a depot junction)."""
SAME_POINT_KM = 1e-9
"""Points closer than this (a micrometre) are one point: no run between them."""


def nonstop_track(line: Line, from_km: float, to_km: float) -> RunTrack:
    """The track from `from_km` to `to_km` (distinct) as one stop-to-stop segment.

    Positions stay those of the direction's run (0 at its first terminal), so the part beyond
    a terminal has negative positions or ones past the last stop; it gets the shunting limit.
    """
    if abs(to_km - from_km) < SAME_POINT_KM:
        raise ValueError("a non-stop run needs two different points")
    direction: Direction = heading(from_km, to_km)
    track = run_track(line, direction)
    start_m, end_m = (along_m(km, track.origin_km, direction) for km in (from_km, to_km))
    last_m = float(track.stop_m[-1])
    shunt = kmh_to_mps(SHUNT_SPEED_KMH)
    beyond = []
    if start_m < 0.0:
        beyond.append(Zone(start_m, 0.0, shunt))
    if end_m > last_m:
        beyond.append(Zone(last_m, end_m, shunt))
    return dataclasses.replace(
        track,
        stop_m=np.array([start_m, end_m]),
        station_names=(f"km {from_km:g}", f"km {to_km:g}"),
        limit_zones=(*track.limit_zones, *beyond),
    )


def nonstop_run(
    line: Line, train: TrainParams, from_km: float, to_km: float, *, load: float = 0.0
) -> RunProfile:
    """From a stand at `from_km` to a stand at `to_km` (distinct), stopping nowhere between."""
    track = nonstop_track(line, from_km, to_km)
    return run(track, train, load=load, max_step_m=DEFAULT_STEP_M)


def empty_run_s(scenario: Scenario, from_km: float, to_km: float) -> float:
    """Seconds of an empty train's non-stop move from `from_km` to `to_km` (0 if the same)."""
    if abs(to_km - from_km) < SAME_POINT_KM:
        return 0.0
    train = train_params(scenario.rolling_stock, 0.0)
    return nonstop_run(scenario.line, train, from_km, to_km, load=0.0).run_time_s
