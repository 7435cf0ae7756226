"""Short moves at low speed (turnbacks, shunts): the same engine on a level stretch with a cap.

The capacity layer asks for these rather than doing its own kinematics, so every running time in
lrtsim comes from the speed-envelope engine.
"""

from __future__ import annotations

import numpy as np

from lrtsim.dynamics.envelope import run
from lrtsim.dynamics.profile import RunProfile
from lrtsim.dynamics.track import RunTrack
from lrtsim.dynamics.train import TrainParams


def move(
    train: TrainParams, distance_m: float, limit_mps: float, *, load: float, step_m: float = 0.5
) -> RunProfile:
    """From a stand to a stand over `distance_m` of level straight track, at most `limit_mps`."""
    track = RunTrack(
        direction="up",
        station_names=("from", "to"),
        stop_m=np.array([0.0, distance_m]),
        origin_km=0.0,
        base_limit_mps=limit_mps,
        limit_zones=(),
        gradient_zones=(),
        curve_zones=(),
    )
    return run(track, train, load=load, max_step_m=step_m)


def time_at(profile: RunProfile, position_m: float) -> float:
    """When the head of a run passes `position_m` (clamped to the run)."""
    return float(np.interp(position_m, profile.position_m, profile.time_s))
