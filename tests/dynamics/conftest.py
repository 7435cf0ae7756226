"""Shared builders for the physics tests: rolling stock and lines from keyword arguments.

Everything is built through the public schema (`RollingStock`, `Line`), with the units a scenario
file uses (km, km/h, kN, kW), so each test states its inputs the way a user would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lrtsim.model.schema import Line, RollingStock, Station

G = 9.80665
"""Standard gravity, m/s² (the tests' own constant, not lrtsim's)."""


def build_stock(**overrides: Any) -> RollingStock:
    """A 'textbook' train: no resistance, huge effort and power, acceleration capped at 1 m/s².

    With these defaults the acceleration is constant (the cap) and braking is constant, so run
    times have closed forms. Tests override what they need.
    """
    values: dict[str, Any] = {
        "name": "test train",
        "length_m": 30.0,
        "mass_t": 50.0,
        "rotating_mass_factor": 1.0,
        "max_speed_kmh": 300.0,
        "max_tractive_effort_kn": 2000.0,
        "max_power_kw": 50_000.0,
        "max_accel_mps2": 1.0,
        "service_brake_mps2": 0.8,
        "davis_a_kn": 0.0,
        "davis_b_kn_per_kmh": 0.0,
        "davis_c_kn_per_kmh2": 0.0,
        "seats": 0,
        "standing_area_m2": 0.0,
        "doors_per_side": 1,
    }
    values.update(overrides)
    return RollingStock(**values)


def build_line(station_km: list[float], max_speed_kmh: float = 72.0, **fields: Any) -> Line:
    """A line with stations S0, S1, ... at the given chainages; other fields passed through."""
    stations = [Station(name=f"S{i}", km=km) for i, km in enumerate(station_km)]
    return Line(name="test line", max_speed_kmh=max_speed_kmh, stations=stations, **fields)


@pytest.fixture(scope="session")
def make_stock() -> Callable[..., RollingStock]:
    """Factory of rolling stock (see `build_stock`)."""
    return build_stock


@pytest.fixture(scope="session")
def make_line() -> Callable[..., Line]:
    """Factory of lines (see `build_line`)."""
    return build_line
