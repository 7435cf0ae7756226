"""Running times of a line per direction: flat out or with an energy-saving allowance."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from lrtsim.dynamics.energy_saving import EcoRun, eco_run
from lrtsim.dynamics.envelope import DEFAULT_STEP_M
from lrtsim.dynamics.load_cases import PLANNING_LOAD
from lrtsim.dynamics.profile import RunProfile
from lrtsim.dynamics.track import run_track
from lrtsim.dynamics.train import train_params
from lrtsim.errors import LrtsimError
from lrtsim.model.direction import DIRECTIONS, Direction, running_order
from lrtsim.model.schema import Scenario, station_dwell_s


@dataclass(frozen=True, eq=False)
class DirectionRun:
    """One direction: the run as driven, the flat-out run, and the dwell at each stop."""

    direction: Direction
    eco: EcoRun
    dwell_s: tuple[float, ...]
    """Dwell at each station in running order; terminals have none."""
    allowance_pct: float

    @property
    def profile(self) -> RunProfile:
        """The run as driven (the minimum-time run when there is no allowance)."""
        return self.eco.profile

    @property
    def minimum(self) -> RunProfile:
        """The minimum-time run."""
        return self.eco.minimum

    @property
    def dwell_time_s(self) -> float:
        """Total dwell at intermediate stations."""
        return sum(self.dwell_s)

    @property
    def total_time_s(self) -> float:
        """Terminal to terminal, dwells included."""
        return self.profile.run_time_s + self.dwell_time_s

    @property
    def distance_m(self) -> float:
        """Terminal to terminal along the track."""
        return sum(g.distance_m for g in self.profile.segments)

    @property
    def commercial_speed_mps(self) -> float:
        """Distance over the terminal-to-terminal time, dwells included (TCQSM's commercial
        or schedule speed)."""
        return self.distance_m / self.total_time_s

    @functools.cached_property
    def segment_times_s(self) -> tuple[tuple[float, float], ...]:
        """Per stop-to-stop segment k (running order): the driven run's time and the flat-out
        run's."""
        p, m, j = self.profile, self.minimum, self.profile.stop_index
        return tuple(
            (float(p.time_s[j[k + 1]] - p.time_s[j[k]]), float(m.time_s[j[k + 1]] - m.time_s[j[k]]))
            for k in range(len(j) - 1)
        )

    def segment_drive(self, k: int, time_s: float) -> tuple[RunProfile, float]:
        """How segment k is driven to last `time_s`: the driven run slowed to it if it is that
        slow, else the flat-out run slowed to it, never faster than flat out. Returns the profile
        and the stretch ≤ 1 (its speeds × stretch, its times ÷ stretch)."""
        planned, least = self.segment_times_s[k]
        if time_s >= planned - 1e-9:
            return self.profile, min(planned / time_s, 1.0) if time_s > 0 else 1.0
        return self.minimum, min(least / time_s, 1.0) if time_s > 0 else 1.0

    @property
    def line_energy_saved_share(self) -> float:
        """Energy from the line saved by the allowance, as a share of the minimum-time run's."""
        return self.eco.line_energy_saved_j / self.minimum.line_energy_j


def dwell_times_s(scenario: Scenario, direction: Direction) -> tuple[float, ...]:
    """Each station's dwell (its own `dwell_s`, else `service.dwell.base_s`); 0 at terminals."""
    stations = running_order(scenario.line.stations, direction)
    inner = [station_dwell_s(s, scenario.service.dwell) for s in stations[1:-1]]
    return (0.0, *inner, 0.0)


def running_times(
    scenario: Scenario,
    directions: tuple[Direction, ...] = DIRECTIONS,
    *,
    load: float = PLANNING_LOAD,
    allowance_pct: float = 0.0,
    max_step_m: float = DEFAULT_STEP_M,
) -> list[DirectionRun]:
    """Runs of the line in each direction at a load (fraction of capacity) and an allowance."""
    if not 0.0 <= load <= 1.5:
        raise LrtsimError(f"load {load:g} is outside 0..1.5 (a fraction of the train's capacity)")
    if not 0.0 <= allowance_pct <= 200.0:
        raise LrtsimError(f"allowance {allowance_pct:g} % is outside 0..200 %")
    train = train_params(scenario.rolling_stock, load)
    out = []
    for direction in directions:
        track = run_track(scenario.line, direction)
        eco = eco_run(track, train, allowance_pct, load=load, max_step_m=max_step_m)
        out.append(
            DirectionRun(
                direction=direction,
                eco=eco,
                dwell_s=dwell_times_s(scenario, direction),
                allowance_pct=allowance_pct,
            )
        )
    return out
