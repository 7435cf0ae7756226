"""Energy-saving driving: spend a running-time allowance where it saves the most energy.

Optimal train control (Pontryagin's maximum principle) gives four regimes: full traction,
speed holding at V, coasting, full braking (Howlett & Pudney, *Energy-Efficient Train Control*,
1995; Albrecht et al., "The key principles of optimal train control", Transp. Res. B 94, 2016).
On level track the Hamiltonian is constant, so one holding speed V serves every segment of the
run (one Lagrange multiplier for the total time), and coasting ends at the speed U where

    R(V) + V·R'(V) = η·R(U) + V²·R'(V) / U,    η = traction efficiency × regen efficiency,

R being the running resistance: equating the Hamiltonian while holding and at the switch from
coasting to braking. The allowance fixes V by bisection on the run time. For allowances too small
to cruise at all below the limits, the coasting speed alone is searched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lrtsim.dynamics.envelope import (
    DEFAULT_STEP_M,
    run_on_grid,
    run_time_on_grid,
    track_force_n,
)
from lrtsim.dynamics.profile import RunProfile, Strategy
from lrtsim.dynamics.roots import brent_root
from lrtsim.dynamics.track import RunTrack, grid, head_limit_mps
from lrtsim.dynamics.train import TrainParams
from lrtsim.errors import PhysicsError
from lrtsim.model.units import KMH_PER_MPS

TIME_TOLERANCE = 1e-4
"""Relative tolerance of the time search (the contract asks for 1 %)."""


DRIVING_METHODS = {
    "minimum_time": "minimum time",
    "hold_coast_brake": "hold, coast, brake (optimal-control switching)",
    "reduced_cruise": "cruise at reduced speed",
}
"""Identifiers of the ways a run is driven, with their description."""


@dataclass(frozen=True, eq=False)
class EcoRun:
    """A run that meets a target time with the least energy found, beside the flat-out run."""

    profile: RunProfile
    minimum: RunProfile
    target_time_s: float
    method: str
    """How the train is driven: a key of `DRIVING_METHODS`."""

    @property
    def line_energy_saved_j(self) -> float:
        """Energy from the line saved against the minimum-time run."""
        return self.minimum.line_energy_j - self.profile.line_energy_j

    @property
    def traction_energy_saved_j(self) -> float:
        """Traction energy at the wheel saved against the minimum-time run."""
        return self.minimum.traction_energy_j - self.profile.traction_energy_j


def brake_speed_mps(cruise_mps: float, train: TrainParams) -> float:
    """Speed U at which coasting gives way to braking, for holding speed V (level track)."""
    eta = train.traction_efficiency * train.regen_efficiency

    def slope(v: float) -> float:
        """dR/dv in N per m/s, R = A + B·kv + C·(kv)² with k = 3.6 km/h per m/s."""
        k = KMH_PER_MPS
        return k * train.davis_b_n_per_kmh + 2 * k**2 * train.davis_c_n_per_kmh2 * v

    v = cruise_mps
    lhs = train.resistance_n(v) + v * slope(v)

    def balance(u: float) -> float:
        return eta * train.resistance_n(u) + v * v * slope(v) / u - lhs

    low = 1e-3
    if balance(low) <= 0 or balance(v) >= 0:
        return low  # resistance does not grow with speed: coast to a stand
    return brent_root(balance, low, v, xtol=1e-6)


def eco_run(
    track: RunTrack,
    train: TrainParams,
    allowance_pct: float,
    *,
    load: float = 0.0,
    max_step_m: float = DEFAULT_STEP_M,
) -> EcoRun:
    """The least-energy run found that takes the minimum time plus `allowance_pct` (± 0.01 %)."""
    x, stop_index = grid(track.stop_m, max_step_m)
    top = min(track.base_limit_mps, train.max_speed_mps)
    limit = head_limit_mps(x, top, track.limit_zones, train.length_m)
    force = track_force_n(track, x, train)

    def drive(strategy: Strategy) -> RunProfile:
        return run_on_grid(track, train, strategy, x, stop_index, limit, force, load)

    def time_of(strategy: Strategy) -> float:
        return run_time_on_grid(track, train, strategy, x, stop_index, limit, force)

    minimum = drive(Strategy())
    target = minimum.run_time_s * (1 + allowance_pct / 100.0)
    if allowance_pct <= 0:
        return EcoRun(minimum, minimum, target, "minimum_time")

    candidates = [
        (
            "hold_coast_brake",
            _optimal_family(drive, time_of, train, top, target),
        ),
        ("reduced_cruise", _cruise_family(drive, time_of, top, target)),
    ]
    found = [(name, p) for name, p in candidates if p is not None]
    if not found:
        raise PhysicsError(
            f"an allowance of {allowance_pct:g} % ({target:.0f} s) cannot be met: even holding "
            "walking pace the run is faster; use a smaller allowance"
        )
    name, best = min(found, key=lambda item: item[1].line_energy_j)
    return EcoRun(best, minimum, target, name)


def _bisect(time_of: Callable[[float], float], lo: float, hi: float, target: float) -> float | None:
    """Parameter in [lo, hi] whose run time meets target; time decreases with the parameter."""
    t_lo, t_hi = time_of(lo), time_of(hi)
    if not (t_hi <= target <= t_lo):
        return None
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        t_mid = time_of(mid)
        if abs(t_mid - target) <= TIME_TOLERANCE * target:
            return mid
        if t_mid > target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


Driver = Callable[[Strategy], RunProfile]
Timer = Callable[[Strategy], float]
"""The run time alone of the run a `Driver` would make: what the searches read at each step."""


def _optimal_family(
    drive: Driver, time_of: Timer, train: TrainParams, top: float, target: float
) -> RunProfile | None:

    def with_cruise(v: float) -> Strategy:
        return Strategy(cruise_mps=v, brake_mps=brake_speed_mps(v, train))

    v = _bisect(lambda v: time_of(with_cruise(v)), 1.0, top, target)
    if v is not None:
        return drive(with_cruise(v))
    # Allowance too small to hold below the limits: coast from higher speeds only.
    u_top = brake_speed_mps(top, train)

    def with_brake(u: float) -> Strategy:
        return Strategy(brake_mps=u)

    u = _bisect(lambda u: time_of(with_brake(u)), u_top, top * 1.001, target)
    return drive(with_brake(u)) if u is not None else None


def _cruise_family(drive: Driver, time_of: Timer, top: float, target: float) -> RunProfile | None:

    def with_cruise(v: float) -> Strategy:
        return Strategy(cruise_mps=v)

    v = _bisect(lambda v: time_of(with_cruise(v)), 1.0, top * (1 + 1e-9), target)
    return drive(with_cruise(v)) if v is not None else None
