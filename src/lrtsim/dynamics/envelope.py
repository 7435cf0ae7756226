"""Minimum running time (and driving strategies) by the speed-envelope method.

Stages, each testable on its own: the static limit at the head with the train-length rule
(`track.head_limit_mps`), the braking envelope back from every lower limit and stop
(`kernels.backward_pass`), the traction curve forward from every stop (`kernels.forward_pass`),
then times and efforts (`kernels.step_quantities`). After Brünger & Dahlhaus, "Running time
estimation", in Hansen & Pachl (eds.), *Railway Timetabling & Operations* (2014), ch. 4.
"""

from __future__ import annotations

import numpy as np

from lrtsim.dynamics import kernels
from lrtsim.dynamics.profile import FloatArray, RunProfile, Segment, Strategy
from lrtsim.dynamics.track import RunTrack, body_average, grid, head_limit_mps
from lrtsim.dynamics.train import TrainParams
from lrtsim.errors import PhysicsError

DEFAULT_STEP_M = 1.0


def kernel_params(train: TrainParams) -> FloatArray:
    """Train numbers in the order the kernels read them."""
    return np.array(
        [
            train.inertial_mass_kg,
            train.max_effort_n,
            train.max_power_w,
            train.max_accel_mps2,
            train.davis_a_n,
            train.davis_b_n_per_kmh,
            train.davis_c_n_per_kmh2,
        ]
    )


def track_force_n(track: RunTrack, x: FloatArray, train: TrainParams) -> FloatArray:
    """Gradient plus curve resistance on the train body, in N (small-angle: sin i ≈ i)."""
    gradient = body_average(x, track.gradient_zones, train.length_m)
    curve = body_average(x, track.curve_zones, train.length_m)
    return np.asarray(train.weight_n * (gradient + curve) / 1000.0, dtype=np.float64)


def run(
    track: RunTrack,
    train: TrainParams,
    strategy: Strategy | None = None,
    *,
    load: float = 0.0,
    max_step_m: float = DEFAULT_STEP_M,
) -> RunProfile:
    """One terminal-to-terminal run stopping at every station, driven by `strategy`."""
    strategy = strategy or Strategy()
    x, stop_index = grid(track.stop_m, max_step_m)
    base = min(track.base_limit_mps, train.max_speed_mps)
    limit = head_limit_mps(x, base, track.limit_zones, train.length_m)
    force = track_force_n(track, x, train)
    return run_on_grid(track, train, strategy, x, stop_index, limit, force, load)


def run_on_grid(
    track: RunTrack,
    train: TrainParams,
    strategy: Strategy,
    x: FloatArray,
    stop_index: np.ndarray,
    limit: FloatArray,
    force: FloatArray,
    load: float,
) -> RunProfile:
    """The envelope passes on a prepared grid (reused when searching for a driving strategy)."""
    w, mode, t, effort = _passes(track, train, strategy, x, stop_index, limit, force)
    speed = np.sqrt(np.maximum(w, 0.0))
    segments = _segments(track, train, x, t, speed, effort, stop_index)
    return RunProfile(
        direction=track.direction,
        station_names=track.station_names,
        stop_index=stop_index,
        position_m=x,
        km=track.km_at(x),
        time_s=t,
        speed_mps=speed,
        effort_n=effort,
        mode=mode,
        limit_mps=limit,
        segments=segments,
        strategy=strategy,
        load=load,
        aux_power_w=train.aux_power_w,
    )


def run_time_on_grid(
    track: RunTrack,
    train: TrainParams,
    strategy: Strategy,
    x: FloatArray,
    stop_index: np.ndarray,
    limit: FloatArray,
    force: FloatArray,
) -> float:
    """`run_on_grid(…).run_time_s` without the profile: the same passes, for a search that reads
    only the time of each run it tries."""
    _, _, t, _ = _passes(track, train, strategy, x, stop_index, limit, force)
    return float(t[-1])


def _passes(
    track: RunTrack,
    train: TrainParams,
    strategy: Strategy,
    x: FloatArray,
    stop_index: np.ndarray,
    limit: FloatArray,
    force: FloatArray,
) -> tuple[FloatArray, np.ndarray, FloatArray, FloatArray]:
    """Speed squared, mode, time and effort at every grid point: braking envelope, traction
    curve, then times and efforts. PhysicsError where the train stalls."""
    p = kernel_params(train)
    is_stop = np.zeros(len(x), dtype=np.bool_)
    is_stop[stop_index] = True
    cap_w = np.minimum(limit, strategy.cruise_mps) ** 2
    cap_w[is_stop] = 0.0
    coast_w = strategy.brake_mps**2
    envelope_w, envelope_mode = kernels.backward_pass(
        x, cap_w, is_stop, train.brake_mps2, coast_w, force, p
    )
    w, mode, ok, at = kernels.forward_pass(x, envelope_w, envelope_mode, force, p)
    if not ok:
        km = float(track.km_at(np.array([x[at]]))[0])
        raise PhysicsError(
            f"the train stalls at km {km:.3f} running {track.direction}: its tractive effort "
            "cannot overcome the gradient, curve and running resistance there"
        )
    t, effort = kernels.step_quantities(x, w, mode, force, p)
    return w, mode, t, effort


def _segments(
    track: RunTrack,
    train: TrainParams,
    x: FloatArray,
    t: FloatArray,
    speed: FloatArray,
    effort: FloatArray,
    stop_index: np.ndarray,
) -> tuple[Segment, ...]:
    work = effort[:-1] * np.diff(x)
    starts = stop_index[:-1]
    traction_j = np.add.reduceat(np.maximum(work, 0.0), starts)
    braking_j = np.add.reduceat(np.maximum(-work, 0.0), starts)
    peak = np.maximum.reduceat(speed, starts)
    out = []
    for i in range(len(stop_index) - 1):
        a, b = int(stop_index[i]), int(stop_index[i + 1])
        traction, braking = float(traction_j[i]), float(braking_j[i])
        run_time = float(t[b] - t[a])
        line = (
            traction / train.traction_efficiency
            + train.aux_power_w * run_time
            - braking * train.regen_efficiency
        )
        out.append(
            Segment(
                from_station=track.station_names[i],
                to_station=track.station_names[i + 1],
                distance_m=float(x[b] - x[a]),
                run_time_s=run_time,
                max_speed_mps=float(peak[i]),
                traction_energy_j=traction,
                braking_energy_j=braking,
                line_energy_j=line,
            )
        )
    return tuple(out)
