"""RunProfile: the immutable result of one run, as arrays for plots and simulation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lrtsim.dynamics.regime import Regime
from lrtsim.model.arrays import read_only
from lrtsim.model.direction import Direction
from lrtsim.model.units import J_PER_KWH

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Segment:
    """One stop-to-stop segment of a run (no dwell)."""

    from_station: str
    to_station: str
    distance_m: float
    run_time_s: float
    max_speed_mps: float
    traction_energy_j: float
    braking_energy_j: float
    line_energy_j: float

    @property
    def traction_energy_kwh(self) -> float:
        """Traction energy at the wheel in kWh."""
        return self.traction_energy_j / J_PER_KWH


@dataclass(frozen=True)
class Strategy:
    """How the train is driven: flat out, or holding `cruise_mps` and coasting to `brake_mps`."""

    cruise_mps: float = float("inf")
    brake_mps: float = float("inf")

    @property
    def is_minimum_time(self) -> bool:
        """True for the flat-out run (no speed cap, no coasting)."""
        return self.cruise_mps == float("inf") and self.brake_mps == float("inf")


@dataclass(frozen=True, eq=False)
class RunProfile:
    """Position, time, speed and effort along one terminal-to-terminal run, with its segments.

    Arrays are over the same grid, and read-only; `position_m` is metres from the first stop in
    the direction of travel and `km` the line chainage. `effort_n[k]` and `mode[k]` hold over the
    step k → k+1; `mode` holds `Regime` codes (read one with `regime`).
    """

    direction: Direction
    station_names: tuple[str, ...]
    stop_index: npt.NDArray[np.int64]
    position_m: FloatArray
    km: FloatArray
    time_s: FloatArray
    speed_mps: FloatArray
    effort_n: FloatArray
    mode: npt.NDArray[np.int8]
    limit_mps: FloatArray
    """Speed allowed with the head at each point (static limits with the train-length rule)."""
    segments: tuple[Segment, ...]
    strategy: Strategy
    load: float
    aux_power_w: float

    def __post_init__(self) -> None:
        read_only(self)

    def regime(self, step: int) -> Regime:
        """What the train does over step `step` (k → k+1); STOP at the last point."""
        return Regime(int(self.mode[step]))

    @property
    def run_time_s(self) -> float:
        """Terminal-to-terminal running time, dwells excluded."""
        return float(self.time_s[-1])

    @property
    def traction_energy_j(self) -> float:
        """Energy at the wheel while motoring."""
        return sum(s.traction_energy_j for s in self.segments)

    @property
    def braking_energy_j(self) -> float:
        """Energy at the wheel while braking."""
        return sum(s.braking_energy_j for s in self.segments)

    @property
    def line_energy_j(self) -> float:
        """Energy drawn from the supply: traction / η + auxiliaries − recovered braking energy."""
        return sum(s.line_energy_j for s in self.segments)

    @property
    def max_speed_mps(self) -> float:
        """Highest speed of the run."""
        return float(self.speed_mps.max())

    @property
    def power_w(self) -> FloatArray:
        """Power at the wheel over each step (effort × mean step speed)."""
        v = self.speed_mps
        mean = np.concatenate([0.5 * (v[:-1] + v[1:]), [0.0]])
        return np.asarray(self.effort_n * mean, dtype=np.float64)
