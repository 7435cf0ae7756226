"""Each direction's track as the simulated trains drive it: the dynamics layer's grid, runs and
forces, and the signalling rule of the capacity layer (one source of truth for both).

A direction's positions are metres from its first terminal in the direction of travel, on the
grid of the timetable's run profile (`DirectionRun.profile`); the flat-out run shares the grid.
A segment's free run is one of those profiles between two stops slowed to the segment's time;
a run that passes a stop without stopping (a closed station) is the dynamics engine's run on
the same grid with no stop between its ends (`dynamics.envelope.run_on_grid`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from lrtsim.capacity.separation import SeparationRule
from lrtsim.dynamics.envelope import kernel_params, run_on_grid, track_force_n
from lrtsim.dynamics.profile import RunProfile, Strategy
from lrtsim.dynamics.runtime import DirectionRun
from lrtsim.dynamics.track import RunTrack, run_track
from lrtsim.dynamics.train import TrainParams, train_params
from lrtsim.model.direction import Direction
from lrtsim.model.schema import Scenario

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class FreeRun:
    """A segment's free run: grid points a..b driven as `profile` from its index `offset`,
    slowed by `stretch` ≤ 1 (speeds × stretch, times ÷ stretch), lasting `time_s`."""

    a: int
    b: int
    kind: str
    """"planned", "minimum" or "through" (non-stop past closed stops)."""
    profile: RunProfile
    offset: int
    stretch: float
    time_s: float
    line_energy_j: float

    @property
    def speeds_mps(self) -> FloatArray:
        """The profile's speeds at a..b, not slowed."""
        i = self.offset
        return np.asarray(self.profile.speed_mps[i : i + self.b - self.a + 1], dtype=np.float64)

    @property
    def times_s(self) -> FloatArray:
        """Time at each point a..b from the start, slowed."""
        i = self.offset
        t = self.profile.time_s[i : i + self.b - self.a + 1]
        return np.asarray((t - t[0]) / self.stretch, dtype=np.float64)

    @property
    def w(self) -> FloatArray:
        """v² at each point a..b, slowed (0 at both ends: it starts and stops at a stand)."""
        v = self.speeds_mps * self.stretch
        w = v * v
        w[0] = 0.0
        w[-1] = 0.0
        return np.asarray(w, dtype=np.float64)


@dataclass(eq=False)
class DirectionTrack:
    """One direction: grid, the two planned profiles, forces, physics and signalling."""

    direction: Direction
    run: DirectionRun
    track: RunTrack
    planned: RunProfile
    minimum: RunProfile
    x: FloatArray
    stop_j: IntArray
    """Grid index of each stop in running order."""
    track_n: FloatArray
    p: FloatArray
    """`dynamics.envelope.kernel_params` of the train at the timetable's load."""
    train: TrainParams
    rule: SeparationRule
    reach_m: dict[tuple[int, int, str], float] = field(default_factory=dict)
    """(segment, profile) → the farthest point its free run's braking curve reaches."""
    _through: dict[tuple[int, int], RunProfile] = field(default_factory=dict)
    _energy: list[tuple[float, float]] = field(default_factory=list)
    """Per segment k → k + 1: the driven and the flat-out run's line energy."""

    def __post_init__(self) -> None:
        self._energy = [
            (p.line_energy_j, m.line_energy_j)
            for p, m in zip(self.planned.segments, self.minimum.segments, strict=True)
        ]

    @property
    def blocks_m(self) -> FloatArray:
        """Fixed-block signal positions (empty under moving block)."""
        return self.rule.block_boundaries_m

    def free_run(self, k: int, s: int, time_s: float) -> FreeRun:
        """From stop k to stop s (running order, s > k) in `time_s`: the timetable's profile
        slowed to it if it is that slow, else the flat-out one slowed to it, never faster than
        flat out (a shorter time_s is raised to it). Stops between k and s are passed without
        stopping (the non-stop run)."""
        a, b = int(self.stop_j[k]), int(self.stop_j[s])
        if s > k + 1:
            profile = self.through(a, b)
            least = float(profile.time_s[-1] - profile.time_s[0])
            time = max(time_s, least)
            energy = sum(g.line_energy_j for g in profile.segments)
            return FreeRun(a, b, "through", profile, 0, least / time, time, energy)
        time = max(time_s, self.run.segment_times_s[k][1])
        profile, stretch = self.run.segment_drive(k, time)
        if profile is self.planned:
            return FreeRun(a, b, "planned", profile, a, stretch, time, self._energy[k][0])
        return FreeRun(a, b, "minimum", profile, a, stretch, time, self._energy[k][1])

    def through(self, a: int, b: int) -> RunProfile:
        """The flat-out run from grid point a to b stopping nowhere between (cached); its
        arrays are indexed from a."""
        key = (a, b)
        if key not in self._through:
            x = self.x[a : b + 1]
            stops = np.array([0, b - a], dtype=np.int64)
            limit = self.planned.limit_mps[a : b + 1]
            force = self.track_n[a : b + 1]
            sub = RunTrack(
                direction=self.direction,
                station_names=(self.track.station_names[0], self.track.station_names[-1]),
                stop_m=np.array([x[0], x[-1]]),
                origin_km=self.track.origin_km,
                base_limit_mps=self.track.base_limit_mps,
                limit_zones=self.track.limit_zones,
                gradient_zones=self.track.gradient_zones,
                curve_zones=self.track.curve_zones,
            )
            self._through[key] = run_on_grid(
                sub, self.train, Strategy(), x, stops, limit, force, self.planned.load
            )
        return self._through[key]

    def reach(self, free: FreeRun) -> float:
        """The farthest point ahead the free run's braking curve ever reaches: the most of
        x + v·t_r + v²/(2b) over its points. A leader whose tail less the margin lies beyond it
        never constrains the run (slowing it only lowers the curve)."""
        key = (free.a, free.b, free.kind)
        if key not in self.reach_m:
            x = self.x[free.a : free.b + 1]
            bd = np.asarray(self.rule.braking_distance_m(free.speeds_mps))
            self.reach_m[key] = float(np.max(x + bd))
        return self.reach_m[key]


def direction_tracks(
    scenario: Scenario, runs: tuple[DirectionRun, ...], rules: dict[Direction, SeparationRule]
) -> dict[Direction, DirectionTrack]:
    """Both directions' tracks for a plan's runs (`ServicePlan.runs`) and the capacity layer's
    separation rules (`ServicePlan.capacity.directions[].rule`)."""
    out: dict[Direction, DirectionTrack] = {}
    for run in runs:
        planned = run.profile
        minimum = run.minimum
        if planned.position_m.shape != minimum.position_m.shape:
            raise ValueError("the timetable's run and the flat-out run are on different grids")
        train = train_params(scenario.rolling_stock, planned.load)
        track = run_track(scenario.line, run.direction)
        x = np.asarray(planned.position_m, dtype=np.float64)
        out[run.direction] = DirectionTrack(
            direction=run.direction,
            run=run,
            track=track,
            planned=planned,
            minimum=minimum,
            x=x,
            stop_j=np.asarray(planned.stop_index, dtype=np.int64),
            track_n=track_force_n(track, x, train),
            p=kernel_params(train),
            train=train,
            rule=rules[run.direction],
        )
    return out


def track_k(track: DirectionTrack, j: int) -> int:
    """Running index of the stop at or before grid point j."""
    return int(np.searchsorted(track.stop_j, j, side="right")) - 1
