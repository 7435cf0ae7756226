"""The signalling system's separation rule: how far a follower must stay behind its leader.

Moving block (CBTC): the follower's limit of movement authority is the leader's tail less a safety
margin, and it must always be able to stop there: gap ≥ v·t_r + v²/(2b) + margin (reaction time
t_r, service brake rate b). Fixed block: a train may enter a block only when it and its overlap are
clear, and must see that before it reaches its braking point. Pachl, *Railway Operation and
Control* (2018), ch. 3 and 6; TCQSM 3rd ed. (TCRP Report 165, 2013), ch. 8.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from lrtsim.model.arrays import read_only

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SeparationRule:
    """Signalling parameters of one direction, with fixed-block signal positions if any."""

    kind: Literal["moving_block", "fixed_block"]
    safety_margin_m: float
    reaction_time_s: float
    brake_mps2: float
    train_length_m: float
    block_boundaries_m: FloatArray
    """Fixed block: signal positions in the run's coordinate (empty for moving block; read-only)."""

    def __post_init__(self) -> None:
        read_only(self)

    def braking_distance_m(self, speed_mps: FloatArray | float) -> FloatArray:
        """Distance to stop from `speed_mps`: reaction, then service braking."""
        v = np.asarray(speed_mps, dtype=np.float64)
        return np.asarray(v * self.reaction_time_s + v * v / (2.0 * self.brake_mps2))

    def required_gap_m(self, speed_mps: FloatArray | float) -> FloatArray:
        """Moving block: least distance from the follower's head to the leader's tail."""
        return np.asarray(self.braking_distance_m(speed_mps) + self.safety_margin_m)
