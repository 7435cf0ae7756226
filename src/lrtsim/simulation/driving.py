"""A train driven along one stop-to-stop segment under its movement authority (numba kernel).

The train runs over the dynamics layer's position grid, in w = v² as the speed-envelope method
does (`dynamics.kernels`): at each grid point its speed is the least of

- the free run's speed there (the timetable's run profile, slowed to the segment's time),
- what traction can reach from the point before (`dynamics.kernels._rk4`, the same forces),
- the braking curve to the end of its movement authority: the highest speed v from which it can
  still stop there after its reaction time, v·t_r + v²/(2b) = d (Pachl, *Railway Operation and
  Control*, 2018, ch. 3: the supervision of a CBTC/ETCS braking curve),
- the braking curve (without reaction) to a stop of its own on the line (a failure),

and it never brakes harder than the service rate b. Time follows as dt = 2·dx / (v₀ + v₁). The
authority is the least of the leader's tail less the margin (known as a polyline in time, the
leader standing at its last point after that), the signal before the leader under fixed block,
and red signals with their times. Where the authority does not let it on, the train stands and
the kernel finds when it may restart; if that lies beyond what is known of the leader it stops
there and says so (`WAITING`): the caller resumes it when it knows more.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

from lrtsim.dynamics.kernels import _rk4
from lrtsim.model.units import KMH_PER_MPS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DONE = 0
"""Status: the train reached the segment's end (its stop) and stands there."""
WAITING = 1
"""Status: the train stands short, held by what is known of its leader; resume it later."""
OVERFLOW = 2
"""Status: the output arrays filled before the train got anywhere (a bug, never a result)."""

RESTART_M = 5.0
"""Authority beyond a standing train's head it waits for before it restarts (no creeping)."""
CRAWL_W = 1e-2
"""v² (m²/s², 0.1 m/s) below which a train stops at the next point rather than crawl to it."""


@njit(cache=True)
def braking_limit_w(distance_m: float, brake_mps2: float, reaction_s: float) -> float:
    """v² of the highest speed that stops within `distance_m` after `reaction_s` of coasting:
    v·t_r + v²/(2b) = d, so v = b·(√(t_r² + 2d/b) − t_r)."""
    if distance_m <= 0.0:
        return 0.0
    v = brake_mps2 * (
        math.sqrt(reaction_s * reaction_s + 2.0 * distance_m / brake_mps2) - reaction_s
    )
    return v * v


@njit(cache=True)
def _lead_at(t: float, lead: FloatArray, q: int) -> tuple[float, int]:
    """The leader's (tail − margin) at t, searching its polyline forward from row q (times only
    grow while a run is driven; q < 0: a binary search); returns the value and the row to search
    from next."""
    n = lead.shape[0]
    if t >= lead[n - 1, 0]:
        return lead[n - 1, 1], n - 1
    if t <= lead[0, 0]:
        return lead[0, 1], 0
    if q < 0 or q >= n - 1 or lead[q, 0] > t:
        q = int(np.searchsorted(lead[:, 0], t, side="right")) - 1
    while lead[q + 1, 0] <= t:
        q += 1
    dt = lead[q + 1, 0] - lead[q, 0]
    f = (t - lead[q, 0]) / dt if dt > 0.0 else 1.0
    return lead[q, 1] + f * (lead[q + 1, 1] - lead[q, 1]), q


@njit(cache=True)
def _authority_from(
    t: float, lead: FloatArray, blocks_m: FloatArray, signals: FloatArray, q: int
) -> tuple[float, int]:
    """End of movement authority at time t: the leader's (tail − margin) interpolated, floored to
    the signal before it under fixed block, and any red signal showing at t; with the leader's
    row cursor q (`_lead_at`).

    `lead` is the leader's polyline, rows (time, tail − margin), the leader standing at its last
    row after it (no rows: no leader); `signals` rows are (position, red from, red until)."""
    a = math.inf
    if lead.shape[0] > 0:
        a, q = _lead_at(t, lead, q)
        if blocks_m.shape[0] > 0:
            i = np.searchsorted(blocks_m, a, side="right") - 1
            a = blocks_m[i] if i >= 0 else -math.inf
    for k in range(signals.shape[0]):
        if signals[k, 1] <= t < signals[k, 2] and signals[k, 0] < a:
            a = signals[k, 0]
    return a, q


@njit(cache=True)
def authority_m(t: float, lead: FloatArray, blocks_m: FloatArray, signals: FloatArray) -> float:
    """End of movement authority at time t (`_authority_from`, searched afresh)."""
    return _authority_from(t, lead, blocks_m, signals, -1)[0]


@njit(cache=True)
def _grid_at_or_before(x: FloatArray, a: float, g: int) -> tuple[float, int]:
    """The last grid point at or before the authority's end a, searching forward from point g
    (g < 0: a binary search): a train stops on a grid point, never a step beyond."""
    last = x.shape[0] - 1
    if a >= x[last] or not math.isfinite(a):
        return a, g
    if g < 0 or g > last or x[g] > a:
        i = int(np.searchsorted(x, a, side="right")) - 1
        return (x[i], i) if i >= 0 else (-math.inf, 0)
    while g < last and x[g + 1] <= a:
        g += 1
    return x[g], g


@njit(cache=True)
def restart_s(
    t: float, need_m: float, lead: FloatArray, blocks_m: FloatArray, signals: FloatArray
) -> float:
    """The first time ≥ t at which the authority reaches `need_m`; infinity if what is known
    (the leader's polyline, the signals' times) never lets it."""
    for _ in range(1000):
        if authority_m(t, lead, blocks_m, signals) >= need_m:
            return t
        later = math.inf
        for k in range(lead.shape[0]):  # the next corner of the leader's polyline
            if lead[k, 0] > t:
                later = min(later, lead[k, 0])
                break
        for k in range(signals.shape[0]):  # the next change of a signal
            if signals[k, 1] > t:
                later = min(later, signals[k, 1])
            if signals[k, 2] > t:
                later = min(later, signals[k, 2])
        if not math.isfinite(later):
            return math.inf
        # Within a piece of the polyline the authority rises linearly: solve for need_m.
        a0 = authority_m(t, lead, blocks_m, signals)
        a1 = authority_m(later, lead, blocks_m, signals)
        if a1 >= need_m and blocks_m.shape[0] == 0 and a1 > a0:
            cross = t + (later - t) * (need_m - a0) / (a1 - a0)
            if authority_m(cross, lead, blocks_m, signals) >= (need_m - 1e-9):
                return max(cross, t)
        t = later
    return math.inf


@njit(cache=True)
def drive(
    x: FloatArray,
    free_w: FloatArray,
    track_n: FloatArray,
    p: FloatArray,
    brake_mps2: float,
    reaction_s: float,
    j0: int,
    j_end: int,
    w0: float,
    t0: float,
    lead: FloatArray,
    blocks_m: FloatArray,
    signals: FloatArray,
    own_j: int,
    own_wait_s: float,
    out_j: IntArray,
    out_t: FloatArray,
    out_w: FloatArray,
    free_a: int,
) -> tuple[int, int, bool]:
    """Drive from grid point j0 (v² = w0, time t0) towards j_end; write the points passed (a
    standing train's point twice: when it stopped, when it restarts) to out_*; return (points
    written, status, shaped): shaped is True if the leader's assumed stand after its known
    future ever bound the speed (a longer known future may change the run). `free_w[j −
    free_a]` is the free run's v² at point j (0 at j_end); `own_j` ≥ 0 is a point where the
    train stops for `own_wait_s` on its own (a failure), else −1."""
    horizon = lead[lead.shape[0] - 1, 0] if lead.shape[0] > 0 else math.inf
    shaped = False
    q = 0  # the leader's polyline row, and the grid point, last found: searches go forward
    g = j0
    n = 0
    j = j0
    w = w0
    t = t0
    out_j[n] = j
    out_t[n] = t
    out_w[n] = w
    n += 1
    while j < j_end:
        if n + 4 >= out_j.shape[0]:
            return n, OVERFLOW, shaped
        if w <= 0.0 and j == own_j:  # standing at its own stop: wait, then go on
            t += own_wait_s
            own_j = -1
            out_j[n] = j
            out_t[n] = t
            out_w[n] = 0.0
            n += 1
        dx = x[j + 1] - x[j]
        a, q = _authority_from(t, lead, blocks_m, signals, q)
        a, g = _grid_at_or_before(x, a, g)
        limit = braking_limit_w(a - x[j + 1], brake_mps2, reaction_s)
        if w <= 0.0 and limit <= 0.0:  # standing, held: when may it restart?
            go = restart_s(t, x[j] + RESTART_M, lead, blocks_m, signals)
            if not math.isfinite(go):
                return n, WAITING, True
            if go > t:
                t = go
                out_j[n] = j
                out_t[n] = t
                out_w[n] = 0.0
                n += 1
            a = _grid_at_or_before(x, authority_m(t, lead, blocks_m, signals), -1)[0]
            limit = braking_limit_w(a - x[j + 1], brake_mps2, reaction_s)
        free = free_w[j + 1 - free_a]
        w_next = min(free, limit)
        if own_j > j:
            w_next = min(w_next, 2.0 * brake_mps2 * (x[own_j] - x[j + 1]))
        traction = _rk4(w, dx, track_n[j], track_n[j + 1], p, False)
        w_next = min(w_next, max(traction, 0.0))
        if t >= horizon and limit < free and limit < traction:
            shaped = True
        w_next = max(w_next, w - 2.0 * brake_mps2 * dx, 0.0)
        if j + 1 == j_end or j + 1 == own_j:
            w_next = 0.0  # a stop (braking at b from the point before, as the free run does)
        elif w_next < CRAWL_W:
            w_next = 0.0
        if w <= 0.0 and w_next <= 0.0 and j + 1 < j_end and j + 1 != own_j:
            # Authority lets it on but not by a whole step from a stand: wait for more.
            go = restart_s(
                t + 1e-6,
                x[j + 1] + RESTART_M,
                lead,
                blocks_m,
                signals,
            )
            if not math.isfinite(go):
                return n, WAITING, True
            t = go
            out_j[n] = j
            out_t[n] = t
            out_w[n] = 0.0
            n += 1
            continue
        v0 = math.sqrt(w)
        v1 = math.sqrt(w_next)
        if v0 + v1 > 0.0:
            t += 2.0 * dx / (v0 + v1)
        else:  # a stand-to-stand step onto the stop: accelerate, then brake, at b
            t += 2.0 * math.sqrt(dx / brake_mps2)
        j += 1
        w = w_next
        out_j[n] = j
        out_t[n] = t
        out_w[n] = w
        n += 1
    return n, DONE, shaped


@njit(cache=True)
def step_energy_j(
    x: FloatArray, j: IntArray, t: FloatArray, w: FloatArray, track_n: FloatArray, p: FloatArray
) -> tuple[float, float, float]:
    """(traction work, braking work, time) over a driven path: the effort at the wheel of each
    step from the force balance m_eff·a = F − R(v) − F_track, as `dynamics.kernels`."""
    traction = 0.0
    braking = 0.0
    for k in range(j.shape[0] - 1):
        a_idx = j[k]
        b_idx = j[k + 1]
        if b_idx == a_idx:
            continue
        dx = x[b_idx] - x[a_idx]
        vm = 0.5 * (math.sqrt(max(w[k], 0.0)) + math.sqrt(max(w[k + 1], 0.0)))
        acc = (w[k + 1] - w[k]) / (2.0 * dx)
        vk = vm * KMH_PER_MPS
        resistance = p[4] + p[5] * vk + p[6] * vk * vk
        effort = p[0] * acc + resistance + 0.5 * (track_n[a_idx] + track_n[b_idx])
        work = effort * dx
        if work > 0.0:
            traction += work
        else:
            braking -= work
    return traction, braking, t[t.shape[0] - 1] - t[0]
