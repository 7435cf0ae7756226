"""Energy bookkeeping of a run checked against work integrals computed here, independently.

Between two stands the kinetic energy is zero at both ends, so the work of the effort at the
wheel goes entirely into running resistance and the track (gradient and curve) forces:

    traction work − braking work = ∫ R(v(x)) dx + ∫ m·g·(i + r_c)(x)/1000 dx,

with R the Davis resistance (v in km/h) and (i + r_c) averaged over the body [x − L, x]. Both
integrals are taken here by the trapezoid rule over the run's own grid, with the body average
done by exact overlap of each zone with [x − L, x].
"""

from __future__ import annotations

import numpy as np
import pytest

from lrtsim.dynamics.energy_saving import eco_run
from lrtsim.dynamics.envelope import run
from lrtsim.dynamics.regime import Regime
from lrtsim.dynamics.track import run_track
from lrtsim.dynamics.train import train_params
from lrtsim.model.schema import Curve, Gradient, Line, RollingStock, SpeedLimit, TailTracks
from support.scenarios import LRV, build_line, build_stock

G = 9.80665
LOAD = 0.5


def _stock() -> RollingStock:
    return build_stock(
        LRV,
        name="balance",
        length_m=50,
        max_tractive_effort_kn=170,
        max_power_kw=1000,
        max_accel_mps2=1.0,
        service_brake_mps2=1.0,
        davis_b_kn_per_kmh=0.014,
        davis_c_kn_per_kmh2=0.0005,
        traction_efficiency=0.85,
        regen_efficiency=0.6,
        aux_power_kw=90,
    )


def _line() -> Line:
    return build_line(
        [0.0, 1.4, 2.3, 4.0],
        80,
        name="balance",
        names="ABCD",
        tail_tracks_m=TailTracks(start=150, end=150),
        gradients=[
            Gradient(from_km=-0.15, to_km=0.2, permille=15),  # under the train at the start
            Gradient(from_km=0.6, to_km=1.1, permille=-30),
            Gradient(from_km=1.6, to_km=2.2, permille=35),
            Gradient(from_km=2.8, to_km=3.9, permille=-12),
        ],
        curves=[
            Curve(from_km=0.3, to_km=0.5, radius_m=180),
            Curve(from_km=1.8, to_km=2.0, radius_m=350),
            Curve(from_km=3.2, to_km=3.5, radius_m=120, cant_mm=40),
        ],
        speed_limits=[SpeedLimit(from_km=2.9, to_km=3.1, kmh=45)],
    )


def _davis_n(stock: RollingStock, v_mps: np.ndarray) -> np.ndarray:
    vk = 3.6 * v_mps
    return 1000.0 * (
        stock.davis_a_kn + stock.davis_b_kn_per_kmh * vk + stock.davis_c_kn_per_kmh2 * vk**2
    )


def _track_n_per_kn(line: Line, direction: str, length: float, x: np.ndarray) -> np.ndarray:
    """Body-averaged gradient + Röckl curve resistance (N/kN) with the head at each x."""
    first = line.stations[0].km if direction == "up" else line.stations[-1].km
    sign = 1.0 if direction == "up" else -1.0

    def to_run(from_km: float, to_km: float) -> tuple[float, float]:
        ends = sorted((sign * (from_km - first) * 1000.0, sign * (to_km - first) * 1000.0))
        return ends[0], ends[1]

    zones = [(*to_run(g.from_km, g.to_km), sign * g.permille) for g in line.gradients]
    for c in line.curves:
        r = c.radius_m
        roeckl = 500.0 / (r - 30.0) if r < 300.0 else 650.0 / (r - 55.0)
        zones.append((*to_run(c.from_km, c.to_km), roeckl))
    out = np.zeros(len(x))
    for a, b, value in zones:
        overlap = np.clip(np.minimum(x, b) - np.maximum(x - length, a), 0.0, None)
        out += value * overlap / length
    return out


def _trapezoid(y: np.ndarray, x: np.ndarray) -> float:
    return float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(x)))


@pytest.mark.parametrize("direction", ["up", "down"])
def test_work_balances_per_segment(direction: str) -> None:
    stock, line = _stock(), _line()
    profile = run(run_track(line, direction), train_params(stock, LOAD), load=LOAD)
    x, v, effort = profile.position_m, profile.speed_mps, profile.effort_n
    # Static mass: 80 t + 0.5 · (100 + 60·4) · 70 kg = 80 000 + 11 900 = 91 900 kg.
    mass = 80_000.0 + LOAD * (100 + 60 * 4.0) * 70.0
    assert mass == pytest.approx(91_900.0)
    resistance = _davis_n(stock, v)
    track = mass * G * _track_n_per_kn(line, direction, stock.length_m, x) / 1000.0
    work = effort[:-1] * np.diff(x)

    for k, seg in enumerate(profile.segments):
        i, j = int(profile.stop_index[k]), int(profile.stop_index[k + 1])
        assert v[i] == 0.0  # kinetic energy zero at both ends
        assert v[j] == 0.0
        w = work[i:j]
        traction = float(w[w > 0].sum())
        braking = float(-w[w < 0].sum())
        assert seg.traction_energy_j == pytest.approx(traction, rel=1e-12)
        assert seg.braking_energy_j == pytest.approx(braking, rel=1e-12)
        lost = _trapezoid(resistance[i : j + 1], x[i : j + 1])
        lifted = _trapezoid(track[i : j + 1], x[i : j + 1])
        assert traction > 0
        assert braking > 0
        assert lost > 0
        assert traction == pytest.approx(lost + lifted + braking, rel=0.01), f"segment {k}"
    # The case is not trivial: the track work is a real share of the balance somewhere.
    assert np.abs(track).max() > 0.02 * mass * G


def test_line_energy_formula() -> None:
    """Line energy = traction / η + auxiliaries · run time − braking · regeneration share."""
    stock, line = _stock(), _line()
    profile = run(run_track(line, "up"), train_params(stock, LOAD), load=LOAD)
    for seg in profile.segments:
        expected = (
            seg.traction_energy_j / 0.85 + 90_000.0 * seg.run_time_s - seg.braking_energy_j * 0.6
        )
        assert seg.line_energy_j == pytest.approx(expected, rel=1e-12)
    total = (
        profile.traction_energy_j / 0.85
        + 90_000.0 * profile.run_time_s
        - profile.braking_energy_j * 0.6
    )
    assert profile.line_energy_j == pytest.approx(total, rel=1e-12)
    assert profile.run_time_s == pytest.approx(sum(s.run_time_s for s in profile.segments))


def test_effort_stays_within_the_traction_curve() -> None:
    """Effort ≤ max effort, and effort × speed ≤ max power (to the grid's averaging, 0.1 %)."""
    stock, line = _stock(), _line()
    profile = run(run_track(line, "up"), train_params(stock, LOAD), load=LOAD)
    v = profile.speed_mps
    mean_v = 0.5 * (v[:-1] + v[1:])
    effort = profile.effort_n[:-1]
    assert effort.max() <= 170_000.0 * (1 + 1e-9)
    assert (effort * mean_v).max() <= 1_000_000.0 * 1.001
    # ... and the power limit is reached: the train does run on it.
    assert (effort * mean_v).max() >= 1_000_000.0 * 0.99
    # Braking is at the service rate: the deceleration over braking steps never exceeds b.
    dw = np.diff(v**2) / np.diff(profile.position_m)
    assert (-dw / 2).max() <= 1.0 + 1e-9


@pytest.mark.parametrize("allowance", [5.0, 10.0, 20.0])
def test_work_balances_when_coasting(allowance: float) -> None:
    """The same balance on energy-saving runs: coasting steps carry no effort, so the speed they
    lose must be paid by resistance and track alone. Flat-out runs balance to ~1e-6; 0.1 % here.
    """
    stock, line = _stock(), _line()
    train = train_params(stock, LOAD)
    profile = eco_run(run_track(line, "up"), train, allowance, load=LOAD).profile
    assert np.any(profile.mode == Regime.COAST)
    x, v = profile.position_m, profile.speed_mps
    resistance = _davis_n(stock, v)
    track = train.mass_kg * G * _track_n_per_kn(line, "up", stock.length_m, x) / 1000.0
    for k, seg in enumerate(profile.segments):
        i, j = int(profile.stop_index[k]), int(profile.stop_index[k + 1])
        lost = _trapezoid(resistance[i : j + 1], x[i : j + 1])
        lifted = _trapezoid(track[i : j + 1], x[i : j + 1])
        balance = seg.traction_energy_j - seg.braking_energy_j
        assert balance == pytest.approx(lost + lifted, abs=1e-3 * seg.traction_energy_j), k
