"""Numba kernels of the speed-envelope method, in w = v² over position.

With w = v², dw/dx = 2·a, so braking at a constant rate is exact on any grid and traction is
integrated by classical Runge–Kutta (RK4) over each step. The kernels know forces and nothing of
stations or signals; `envelope.py` assembles them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from lrtsim.model.units import KMH_PER_MPS

FloatArray = npt.NDArray[np.float64]

LIMIT = 0
"""Mode codes of a step: held at the limit (cruise), accelerating, coasting, braking, stopped
(plain ints for numba; `regime.Regime` names them)."""
ACCEL = 1
COAST = 2
BRAKE = 3
STOP = 4


@njit(cache=True)
def _resistance(v: float, a_n: float, b_n: float, c_n: float) -> float:
    vk = v * KMH_PER_MPS  # a module global: numba freezes it into the compiled kernel
    r: float = a_n + b_n * vk + c_n * vk * vk
    return r


@njit(cache=True)
def _traction_accel(
    w: float, track_n: float, p: FloatArray
) -> float:  # p: m_eff, fmax, pmax, amax, A, B, C
    v = np.sqrt(w) if w > 0.0 else 0.0
    effort = p[1]
    if v * p[1] > p[2]:
        effort = p[2] / v
    a: float = (effort - _resistance(v, p[4], p[5], p[6]) - track_n) / p[0]
    return min(a, float(p[3]))


@njit(cache=True)
def _coast_accel(w: float, track_n: float, p: FloatArray) -> float:
    v = np.sqrt(w) if w > 0.0 else 0.0
    a: float = (-_resistance(v, p[4], p[5], p[6]) - track_n) / p[0]
    return a


@njit(cache=True)
def _accel(w: float, track_n: float, p: FloatArray, coast: bool) -> float:
    return _coast_accel(w, track_n, p) if coast else _traction_accel(w, track_n, p)


@njit(cache=True)
def _rk4(w0: float, dx: float, f0: float, f1: float, p: FloatArray, coast: bool) -> float:
    """One RK4 step of dw/dx = 2·a(w, x); the track force varies linearly over the step."""
    fm = 0.5 * (f0 + f1)
    k1 = 2.0 * _accel(w0, f0, p, coast)
    k2 = 2.0 * _accel(w0 + 0.5 * dx * k1, fm, p, coast)
    k3 = 2.0 * _accel(w0 + 0.5 * dx * k2, fm, p, coast)
    k4 = 2.0 * _accel(w0 + dx * k3, f1, p, coast)
    return w0 + dx / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


@njit(cache=True)
def backward_pass(
    x: FloatArray,
    limit_w: FloatArray,
    is_stop: npt.NDArray[np.bool_],
    brake_mps2: float,
    coast_above_w: float,
    track_n: FloatArray,
    p: FloatArray,
) -> tuple[FloatArray, npt.NDArray[np.int8]]:
    """Envelope from the end: brake at a constant rate back from every stop and lower limit.

    Above `coast_above_w` (U²) the curve back from a stop is a coasting curve instead, so the
    train coasts down to U and then brakes (np.inf: no coasting, the minimum-time run).
    """
    n = x.shape[0]
    w = np.empty(n)
    mode = np.empty(n, dtype=np.int8)
    w[n - 1] = 0.0
    mode[n - 1] = STOP
    for k in range(n - 2, -1, -1):
        if is_stop[k]:
            w[k] = 0.0
            mode[k] = STOP
            continue
        dx = x[k + 1] - x[k]
        if w[k + 1] < coast_above_w:
            cand = w[k + 1] + 2.0 * brake_mps2 * dx
            cmode = BRAKE
            if cand > coast_above_w:
                # Braking starts inside this step: coast over the part before it, so that the
                # result varies continuously with U.
                d_brake = (coast_above_w - w[k + 1]) / (2.0 * brake_mps2)
                f_switch = track_n[k + 1] + (track_n[k] - track_n[k + 1]) * d_brake / dx
                cand = _rk4(coast_above_w, -(dx - d_brake), f_switch, track_n[k], p, True)
        else:
            cand = _rk4(w[k + 1], -dx, track_n[k + 1], track_n[k], p, True)
            cmode = COAST
            if cand < w[k + 1]:
                # Coasting would gain speed (steep downhill): hold the speed by braking instead,
                # so that the envelope never sinks toward zero between stops.
                cand = w[k + 1]
                cmode = LIMIT
        if cand >= limit_w[k]:
            w[k] = limit_w[k]
            mode[k] = LIMIT
        else:
            w[k] = max(cand, 0.0)
            mode[k] = cmode
    return w, mode


@njit(cache=True)
def forward_pass(
    x: FloatArray,
    envelope_w: FloatArray,
    envelope_mode: npt.NDArray[np.int8],
    track_n: FloatArray,
    p: FloatArray,
) -> tuple[FloatArray, npt.NDArray[np.int8], bool, int]:
    """Accelerate at full effort from every stop until the envelope is met, then follow it.

    Returns w, the mode of each step (k → k+1), and (False, k) if the train stalls at k.
    """
    n = x.shape[0]
    w = np.empty(n)
    mode = np.empty(n, dtype=np.int8)
    w[0] = 0.0
    for k in range(n - 1):
        dx = x[k + 1] - x[k]
        if w[k] >= envelope_w[k + 1] and (
            _traction_accel(w[k], track_n[k], p) > 0.0
            and _traction_accel(w[k], track_n[k + 1], p) > 0.0
        ):
            # The train could still accelerate and the envelope does not rise: it binds.
            acc = np.inf
        else:
            acc = _rk4(w[k], dx, track_n[k], track_n[k + 1], p, False)
        if envelope_w[k + 1] <= 0.0 and k + 1 < n - 1 and envelope_mode[k + 1] != STOP:
            return w, mode, False, k
        if acc < envelope_w[k + 1]:
            if acc <= 0.0:
                return w, mode, False, k
            w[k + 1] = acc
            mode[k] = ACCEL
        else:
            w[k + 1] = envelope_w[k + 1]
            if w[k] == envelope_w[k] and envelope_mode[k] != STOP:
                # On the envelope at both ends: the step is what the backward pass made it.
                mode[k] = envelope_mode[k]
            else:
                # Meeting the envelope within the step: effort from the force balance.
                mode[k] = ACCEL if w[k + 1] >= w[k] else BRAKE
    mode[n - 1] = STOP
    return w, mode, True, -1


@njit(cache=True)
def step_quantities(
    x: FloatArray, w: FloatArray, mode: npt.NDArray[np.int8], track_n: FloatArray, p: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Time at each point and the effort at the wheel over each step (N; negative = braking).

    Time: dt = 2·dx / (v0 + v1), exact when acceleration is constant over the step. Effort:
    the force balance m_eff·a = F − R(v) − F_track with a = Δw / 2dx; zero while coasting.
    """
    n = x.shape[0]
    t = np.empty(n)
    effort = np.zeros(n)
    t[0] = 0.0
    for k in range(n - 1):
        dx = x[k + 1] - x[k]
        v0 = np.sqrt(max(w[k], 0.0))
        v1 = np.sqrt(max(w[k + 1], 0.0))
        t[k + 1] = t[k] + 2.0 * dx / (v0 + v1) if v0 + v1 > 0.0 else t[k]
        if mode[k] == COAST:
            effort[k] = 0.0
        else:
            vm = 0.5 * (v0 + v1)
            a = (w[k + 1] - w[k]) / (2.0 * dx)
            fm = 0.5 * (track_n[k] + track_n[k + 1])
            effort[k] = p[0] * a + _resistance(vm, p[4], p[5], p[6]) + fm
    return t, effort
