"""A run between the terminals without stopping: empty (deadhead) moves of the circulation."""

from __future__ import annotations

import dataclasses

from lrtsim.dynamics.envelope import DEFAULT_STEP_M, run
from lrtsim.dynamics.profile import RunProfile
from lrtsim.dynamics.track import run_track
from lrtsim.dynamics.train import train_params
from lrtsim.model.direction import Direction
from lrtsim.model.schema import Scenario


def nonstop_run(scenario: Scenario, direction: Direction, *, load: float = 0.0) -> RunProfile:
    """Terminal to terminal with no intermediate stop, at the line's limits."""
    track = run_track(scenario.line, direction)
    track = dataclasses.replace(
        track,
        stop_m=track.stop_m[[0, -1]],
        station_names=(track.station_names[0], track.station_names[-1]),
    )
    train = train_params(scenario.rolling_stock, load)
    return run(track, train, load=load, max_step_m=DEFAULT_STEP_M)
