"""Energy-saving runs: meet the time allowance, save energy, beat a plain speed cap.

For each allowance the eco run must take the flat-out time × (1 + allowance) within 1 %, use less
traction and less line energy than the flat-out run, and no more line energy than the best
pure-cruise run (a speed cap V and nothing else) taking the same time, whose V is found here by
our own bisection. The coasting speed U of the optimal-control switching rule is checked against
its defining equation.
"""

from __future__ import annotations

import functools

import pytest
from scipy.optimize import brentq

from lrtsim.dynamics.energy_saving import EcoRun, brake_speed_mps, eco_run
from lrtsim.dynamics.envelope import (
    DEFAULT_STEP_M,
    run,
    run_on_grid,
    run_time_on_grid,
    track_force_n,
)
from lrtsim.dynamics.profile import RunProfile, Strategy
from lrtsim.dynamics.track import RunTrack, grid, head_limit_mps, run_track
from lrtsim.dynamics.train import TrainParams, train_params
from lrtsim.errors import PhysicsError
from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Curve, Gradient, Line, RollingStock, SpeedLimit, TailTracks
from support.scenarios import ASTANA_LIKE, LRV, build_line, build_stock

ALLOWANCES = (3.0, 5.0, 10.0, 20.0)
LOAD = 0.5


def _synthetic() -> tuple[Line, RollingStock]:
    stock = build_stock(
        LRV,
        name="eco",
        length_m=40,
        mass_t=65,
        max_speed_kmh=90,
        max_tractive_effort_kn=140,
        service_brake_mps2=1.0,
        davis_a_kn=1.3,
        davis_c_kn_per_kmh2=0.00045,
        seats=90,
        standing_area_m2=55,
        doors_per_side=6,
        traction_efficiency=0.88,
        regen_efficiency=0.4,
        aux_power_kw=60,
    )
    line = build_line(
        [0.0, 1.1, 2.7, 3.6, 5.4],
        80,
        name="eco",
        names="ABCDE",
        tail_tracks_m=TailTracks(start=100, end=100),
        gradients=[
            Gradient(from_km=0.4, to_km=0.9, permille=12),
            Gradient(from_km=1.8, to_km=2.4, permille=-15),
            Gradient(from_km=4.0, to_km=4.8, permille=8),
        ],
        curves=[
            Curve(from_km=1.3, to_km=1.5, radius_m=300),
            Curve(from_km=4.9, to_km=5.1, radius_m=200),
        ],
        speed_limits=[SpeedLimit(from_km=3.0, to_km=3.2, kmh=50)],
    )
    return line, stock


@functools.cache
def _case(name: str) -> tuple[RunTrack, TrainParams]:
    if name == "astana":
        scenario = load_scenario("astana")
        line, stock = scenario.line, scenario.rolling_stock
    else:
        line, stock = _synthetic()
    return run_track(line, "up"), train_params(stock, LOAD)


@functools.cache
def _eco(name: str, allowance: float) -> EcoRun:
    track, train = _case(name)
    return eco_run(track, train, allowance, load=LOAD)


def _cruise_matching(track: RunTrack, train: TrainParams, target_s: float) -> RunProfile:
    """The pure speed-cap run taking target_s, by bisection on the cap (time falls as V rises)."""
    top = min(track.base_limit_mps, train.max_speed_mps)

    def timed(v: float) -> RunProfile:
        return run(track, train, Strategy(cruise_mps=v), load=LOAD)

    lo, hi = 1.0, top
    assert timed(hi).run_time_s <= target_s <= timed(lo).run_time_s
    for _ in range(50):  # (top − 1)/2⁵⁰: far below any change a 1 m grid can show
        mid = 0.5 * (lo + hi)
        if timed(mid).run_time_s > target_s:
            lo = mid
        else:
            hi = mid
    return timed(hi)


@pytest.mark.parametrize("name", ["astana", "synthetic"])
@pytest.mark.parametrize("allowance", ALLOWANCES)
def test_eco_run_meets_the_time_and_saves(name: str, allowance: float) -> None:
    track, train = _case(name)
    eco = _eco(name, allowance)
    flat_out = run(track, train, load=LOAD)
    assert eco.minimum.run_time_s == pytest.approx(flat_out.run_time_s, rel=1e-12)
    # Target: e.g. 5 % on a 1000 s run is 1050 s.
    assert eco.target_time_s == pytest.approx(flat_out.run_time_s * (1 + allowance / 100))
    assert eco.profile.run_time_s == pytest.approx(eco.target_time_s, rel=0.01)
    assert eco.profile.traction_energy_j < flat_out.traction_energy_j
    assert eco.profile.line_energy_j < flat_out.line_energy_j
    assert eco.traction_energy_saved_j == pytest.approx(
        flat_out.traction_energy_j - eco.profile.traction_energy_j
    )
    assert eco.line_energy_saved_j == pytest.approx(
        flat_out.line_energy_j - eco.profile.line_energy_j
    )

    cruise = _cruise_matching(track, train, eco.profile.run_time_s)
    # Both runs take the same time (to the bisection's resolution) ...
    assert cruise.run_time_s == pytest.approx(eco.profile.run_time_s, rel=1e-6)
    # ... and the eco run draws no more from the line than the best plain speed cap.
    assert eco.profile.line_energy_j <= cruise.line_energy_j * (1 + 1e-6)


@pytest.mark.parametrize("name", ["astana", "synthetic"])
def test_saving_grows_with_the_allowance(name: str) -> None:
    runs = [_eco(name, a) for a in ALLOWANCES]
    line_saved = [r.line_energy_saved_j for r in runs]
    traction_saved = [r.traction_energy_saved_j for r in runs]
    assert all(s > 0 for s in line_saved)
    assert line_saved == sorted(line_saved)
    assert len(set(line_saved)) == len(line_saved)
    assert traction_saved == sorted(traction_saved)
    assert len(set(traction_saved)) == len(traction_saved)


# ------------------------------------------------------------------------ the coasting speed U
def _resistance(train: TrainParams, v: float) -> tuple[float, float]:
    """R(v) in N and dR/dv in N/(m/s), v in m/s, from the Davis numbers (v in km/h inside)."""
    a, b, c = train.davis_a_n, train.davis_b_n_per_kmh, train.davis_c_n_per_kmh2
    vk = 3.6 * v
    return a + b * vk + c * vk * vk, 3.6 * b + 2 * 3.6 * c * vk


def _balance(train: TrainParams, v: float, u: float) -> float:
    """η·R(U) + V²·R'(V)/U − R(V) − V·R'(V): zero at the switching speed U."""
    eta = train.traction_efficiency * train.regen_efficiency
    r_v, dr_v = _resistance(train, v)
    r_u, _ = _resistance(train, u)
    return eta * r_u + v * v * dr_v / u - r_v - v * dr_v


def _train(regen: float, **davis: float) -> TrainParams:
    """The Astana-like train at 100 km/h without an acceleration cap, Davis A, B, C (kN) changed
    by `davis` keys a, b, c."""
    stock = build_stock(
        ASTANA_LIKE,
        name="u",
        max_speed_kmh=100,
        max_accel_mps2=None,
        davis_a_kn=davis.get("a", 1.8),
        davis_b_kn_per_kmh=davis.get("b", 0.015),
        davis_c_kn_per_kmh2=davis.get("c", 0.00043),
        traction_efficiency=0.85,
        regen_efficiency=regen,
    )
    return train_params(stock, LOAD)


@pytest.mark.parametrize("regen", [0.0, 0.3, 0.55, 0.9])
@pytest.mark.parametrize("v", [8.0, 15.0, 22.2, 27.0])
def test_brake_speed_solves_its_equation(regen: float, v: float) -> None:
    train = _train(regen)
    u = brake_speed_mps(v, train)
    assert 0.0 < u < v
    # The balance falls with U (its U-derivative η·R'(U) − V²·R'(V)/U² is negative for U < V,
    # η < 1), so a root at U shows as a sign change across U ± 1e-5 (the search's xtol is 1e-6).
    assert _balance(train, v, u - 1e-5) > 0.0 > _balance(train, v, u + 1e-5)
    # An independent root of the same equation.
    ours = brentq(lambda x: _balance(train, v, x), 1e-6 * v, v, xtol=1e-12)
    assert u == pytest.approx(ours, abs=2e-6)


def test_brake_speed_without_regeneration_closed_form() -> None:
    """η = 0: R(V) + V·R'(V) = V²·R'(V)/U  ⇒  U = V²·R'(V) / (R(V) + V·R'(V))."""
    train = _train(0.0)
    v = 20.0
    # At 72 km/h with A = 1.8, B = 0.015, C = 0.00043 kN (×1000 N), 0.5 load:
    # R = 1800 + 15·72 + 0.43·72² = 1800 + 1080 + 2229.12 = 5109.12 N;
    # R' = 3.6·15 + 2·3.6·0.43·72 = 54 + 222.912 = 276.912 N per m/s;
    # U = 400·276.912 / (5109.12 + 20·276.912) = 110 764.8 / 10 647.36 = 10.403 m/s.
    r, dr = 1800 + 15 * 72 + 0.43 * 72**2, 54 + 2 * 3.6 * 0.43 * 72
    assert brake_speed_mps(v, train) == pytest.approx(v * v * dr / (r + v * dr), abs=1e-5)
    assert brake_speed_mps(v, train) == pytest.approx(10.40, abs=0.01)


def test_brake_speed_with_constant_resistance_coasts_to_a_stand() -> None:
    """R' = 0 (Davis A only): the equation has no root in (0, V); coasting goes to a stand."""
    train = _train(0.55, b=0.0, c=0.0)
    assert brake_speed_mps(20.0, train) <= 1e-3


# ------------------------------------------------- the searches read the time of a full run
@pytest.mark.parametrize("name", ["astana", "synthetic"])
@pytest.mark.parametrize(
    "strategy",
    [Strategy(), Strategy(cruise_mps=12.0), Strategy(brake_mps=9.0), Strategy(15.0, 8.0)],
)
def test_the_run_time_alone_is_that_of_the_whole_run(name: str, strategy: Strategy) -> None:
    """`run_time_on_grid` (what the energy-saving bisections read) is `run_on_grid`'s time to
    the last bit: the same passes on the same grid."""
    track, train = _case(name)
    x, stop_index = grid(track.stop_m, DEFAULT_STEP_M)
    limit = head_limit_mps(
        x, min(track.base_limit_mps, train.max_speed_mps), track.limit_zones, train.length_m
    )
    force = track_force_n(track, x, train)
    whole = run_on_grid(track, train, strategy, x, stop_index, limit, force, LOAD)
    assert run_time_on_grid(track, train, strategy, x, stop_index, limit, force) == (
        whole.run_time_s
    )


def test_a_train_that_stalls_is_refused_by_both() -> None:
    """A 60 ‰ climb against 20 kN of tractive effort on a 65 t train (about 38 kN of gradient
    force alone): the run and its time alone stop with the same error, naming where."""
    _, stock = _synthetic()
    weak = train_params(stock.model_copy(update={"max_tractive_effort_kn": 20.0}), LOAD)
    line = build_line(
        [0.0, 2.0],
        80,
        name="steep",
        names="AB",
        gradients=[Gradient(from_km=0.5, to_km=1.5, permille=60)],
    )
    track = run_track(line, "up")
    x, stop_index = grid(track.stop_m, DEFAULT_STEP_M)
    limit = head_limit_mps(x, track.base_limit_mps, track.limit_zones, weak.length_m)
    force = track_force_n(track, x, weak)
    with pytest.raises(PhysicsError, match="stalls at km") as whole:
        run_on_grid(track, weak, Strategy(), x, stop_index, limit, force, LOAD)
    with pytest.raises(PhysicsError, match="stalls at km") as alone:
        run_time_on_grid(track, weak, Strategy(), x, stop_index, limit, force)
    assert str(alone.value) == str(whole.value)
