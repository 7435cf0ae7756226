"""Property test: on random lines and trains, the run never breaks a limit anywhere on the body.

The limits are rebuilt here from the `Line` (civil limits, and curve limits from
v² = R·g·(cant + deficiency)/rail centres), in run coordinates for each direction. A zone [a, b)
binds while the head is in [a, b + L] (the tail has not yet cleared it); at every grid point the
speed must be within every zone binding there, within the line and train maximum, zero at the
stops (and only there), and time must increase strictly.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrtsim.dynamics.envelope import run
from lrtsim.dynamics.track import run_track
from lrtsim.dynamics.train import train_params
from lrtsim.model.schema import Curve, Gradient, Line, RollingStock, SpeedLimit, TailTracks
from support.scenarios import build_line

G = 9.80665
TOL = 1e-9


@st.composite
def lines(draw: st.DrawFn) -> Line:
    n = draw(st.integers(2, 6))
    gaps = draw(st.lists(st.floats(0.25, 2.5), min_size=n - 1, max_size=n - 1))
    km = np.round(np.concatenate([[0.0], np.cumsum(gaps)]), 3)
    tail = draw(st.floats(0.0, 300.0))
    low, high = -tail / 1000.0, float(km[-1]) + tail / 1000.0

    def stretch(max_len: float) -> tuple[float, float]:
        a = draw(st.floats(low, high - 0.01))
        length = draw(st.floats(0.01, max_len))
        return a, min(a + length, high)

    limits = []
    for _ in range(draw(st.integers(0, 4))):
        a, b = stretch(1.0)
        limits.append(SpeedLimit(from_km=a, to_km=b, kmh=draw(st.floats(15.0, 100.0))))
    # Curves and gradients must not overlap each other: cut a sorted list of points in pairs.
    cuts = sorted(draw(st.lists(st.floats(low, high), min_size=0, max_size=8, unique=True)))
    curves = [
        Curve(
            from_km=a,
            to_km=b,
            radius_m=draw(st.floats(50.0, 2000.0)),
            cant_mm=draw(st.one_of(st.none(), st.floats(0.0, 150.0))),
        )
        for a, b in zip(cuts[::2], cuts[1::2], strict=False)
        if b > a
    ]
    cuts = sorted(draw(st.lists(st.floats(low, high), min_size=0, max_size=6, unique=True)))
    gradients = [
        Gradient(from_km=a, to_km=b, permille=draw(st.floats(-20.0, 20.0)))
        for a, b in zip(cuts[::2], cuts[1::2], strict=False)
        if b > a
    ]
    return build_line(
        [float(k) for k in km],
        draw(st.floats(40.0, 120.0)),
        name="random",
        speed_limits=limits,
        curves=curves,
        gradients=gradients,
        tail_tracks_m=TailTracks(start=tail, end=tail),
        cant_mm=draw(st.floats(0.0, 150.0)),
        cant_deficiency_mm=draw(st.floats(50.0, 120.0)),
    )


@st.composite
def trains(draw: st.DrawFn) -> RollingStock:
    tare_t = draw(st.floats(30.0, 200.0))
    seats = draw(st.integers(0, 200))
    area = draw(st.floats(0.0, 100.0))
    full_t = tare_t + (seats + 4.0 * area) * 0.070  # at load 1 (4 pax/m², 70 kg each)
    # Effort 8–30 % of the full-load weight, above the worst resistance: grade 20 ‰ + curve
    # (Röckl at R = 50 m: 500/20 = 25 ‰) + Davis (≤ 2 + 2.4 + 14.7 ‰ at 120 km/h with the
    # per-tonne coefficients below), so no train stalls; base speed P/F of 2–15 m/s, so the
    # power limit binds at speed.
    effort_kn = draw(st.floats(0.08, 0.30)) * full_t * G
    base_speed = draw(st.floats(2.0, 15.0))
    return RollingStock(
        name="random",
        length_m=draw(st.floats(20.0, 120.0)),
        mass_t=tare_t,
        max_speed_kmh=draw(st.floats(40.0, 120.0)),
        max_tractive_effort_kn=effort_kn,
        max_power_kw=effort_kn * base_speed,
        max_accel_mps2=draw(st.one_of(st.none(), st.floats(0.5, 1.5))),
        service_brake_mps2=draw(st.floats(0.6, 1.3)),
        davis_a_kn=draw(st.floats(0.0, 0.02)) * full_t,
        davis_b_kn_per_kmh=draw(st.floats(0.0, 0.0002)) * full_t,
        davis_c_kn_per_kmh2=draw(st.floats(0.0, 0.00001)) * full_t,
        seats=seats,
        standing_area_m2=area,
        doors_per_side=4,
    )


def _limit_spans(line: Line, direction: str) -> list[tuple[float, float, float]]:
    """(from, to, m/s) of every civil and curve limit in the direction's run coordinate."""
    first = line.stations[0].km if direction == "up" else line.stations[-1].km
    sign = 1.0 if direction == "up" else -1.0
    spans = [(z.from_km, z.to_km, z.kmh / 3.6) for z in line.speed_limits]
    for c in line.curves:
        cant = line.cant_mm if c.cant_mm is None else c.cant_mm
        v = math.sqrt(c.radius_m * G * (cant + line.cant_deficiency_mm) / line.rail_centres_mm)
        spans.append((c.from_km, c.to_km, v))
    out = []
    for a_km, b_km, v in spans:
        a, b = sorted((sign * (a_km - first) * 1000.0, sign * (b_km - first) * 1000.0))
        out.append((a, b, v))
    return out


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(line=lines(), stock=trains(), load=st.floats(0.0, 1.0))
def test_speed_within_every_limit_on_the_body(line: Line, stock: RollingStock, load: float) -> None:
    train = train_params(stock, load)
    for direction in ("up", "down"):
        profile = run(run_track(line, direction), train, load=load)
        x, v, t = profile.position_m, profile.speed_mps, profile.time_s
        top = min(line.max_speed_kmh, stock.max_speed_kmh) / 3.6
        assert v.max() <= top + TOL
        for a, b, limit in _limit_spans(line, direction):
            binding = (x >= a) & (x <= b + stock.length_m)
            assert np.all(v[binding] <= limit + TOL), (direction, a, b, limit)
        # Stops where the stations are, standing there and nowhere else.
        km = [s.km for s in line.stations]
        first = km[0] if direction == "up" else km[-1]
        np.testing.assert_allclose(
            x[profile.stop_index], sorted(abs(k - first) * 1000.0 for k in km), atol=1e-6
        )
        assert np.all(v[profile.stop_index] == 0.0)
        moving = np.ones(len(x), dtype=bool)
        moving[profile.stop_index] = False
        assert np.all(v[moving] > 0.0)
        assert np.all(np.diff(t) > 0.0)
        # The limit reported with the profile is respected and no looser than the zones.
        assert np.all(v <= profile.limit_mps + TOL)
