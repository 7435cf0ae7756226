"""Builders of test inputs: rolling stock and lines from keyword arguments.

Everything is built through the public schema (`RollingStock`, `Line`), with the units a scenario
file uses (km, km/h, kN, kW), so each test states its inputs the way a user would: a train is one
of the presets below with what the test changes, a line its station chainages with the track
data the test gives. A scenario *file* for the command line is the embedded text with checked
replacements (`replaced`, `without_geometry`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lrtsim.model.schema import Line, RollingStock, Station

TEXTBOOK: Mapping[str, Any] = {
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
"""A 'textbook' train: no resistance, huge effort and power, acceleration capped at 1 m/s².

The acceleration is constant (the cap) and braking is constant, so run times have closed forms.
"""

LRV: Mapping[str, Any] = {
    "name": "synthetic LRV",
    "length_m": 45.0,
    "mass_t": 80.0,
    "rotating_mass_factor": 1.08,
    "max_speed_kmh": 80.0,
    "max_tractive_effort_kn": 130.0,
    "max_power_kw": 900.0,
    "max_accel_mps2": 1.1,
    "service_brake_mps2": 1.1,
    "davis_a_kn": 1.5,
    "davis_b_kn_per_kmh": 0.012,
    "davis_c_kn_per_kmh2": 0.0004,
    "seats": 100,
    "standing_area_m2": 60.0,
    "doors_per_side": 8,
}
"""A light-rail train with resistance and a power limit (so acceleration falls with speed)."""

ASTANA_LIKE: Mapping[str, Any] = {
    "name": "astana-like",
    "length_m": 60.0,
    "mass_t": 112.0,
    "rotating_mass_factor": 1.08,
    "max_speed_kmh": 80.0,
    "max_tractive_effort_kn": 180.0,
    "max_power_kw": 1340.0,
    "max_accel_mps2": 1.0,
    "service_brake_mps2": 1.0,
    "davis_a_kn": 1.8,
    "davis_b_kn_per_kmh": 0.015,
    "davis_c_kn_per_kmh2": 0.00043,
    "seats": 144,
    "standing_area_m2": 84.0,
    "doors_per_side": 12,
}
"""A train with the numbers of the Astana one (base speed P/F = 1340/180 = 7.4 m/s), written out
here rather than read from the embedded scenario."""


def build_stock(base: Mapping[str, Any] = TEXTBOOK, /, **overrides: Any) -> RollingStock:
    """The preset `base` with `overrides` (a field the preset lacks keeps the schema default;
    `max_accel_mps2=None` removes the cap)."""
    return RollingStock(**{**base, **overrides})


def build_line(
    station_km: Sequence[float],
    max_speed_kmh: float = 72.0,
    *,
    name: str = "test line",
    names: Iterable[str] | None = None,
    **fields: Any,
) -> Line:
    """A line with stations at the given chainages, named `names` in order (S0, S1, ... by
    default; a string names one station a letter); other fields passed through."""
    labels = [f"S{i}" for i in range(len(station_km))] if names is None else list(names)
    assert len(labels) == len(station_km), (labels, station_km)
    stations = [Station(name=n, km=km) for n, km in zip(labels, station_km, strict=True)]
    return Line(name=name, max_speed_kmh=max_speed_kmh, stations=stations, **fields)


# ------------------------------------------------------------------------- scenario files (TOML)
def replaced(text: str, *changes: tuple[str, str]) -> str:
    """`text` with each `(old, new)` of `changes` replaced in turn, each `old` asserted present
    first (so that a change to the embedded scenario cannot leave a test on an unchanged copy)."""
    for old, new in changes:
        assert old in text, f"{old!r} is not in the scenario text"
        text = text.replace(old, new)
    return text


def without_geometry(text: str) -> str:
    """The scenario file without its `[line.geometry]` table (so no GTFS feed can be written)."""
    head, _, rest = text.partition("\n[line.geometry]\n")
    _, _, tail = rest.partition("\n[rolling_stock]\n")
    assert tail, "the Astana scenario has [line.geometry] before [rolling_stock]"
    return f"{head}\n[rolling_stock]\n{tail}"


TEST_TRAM: dict[str, Any] = {
    "name": "Test tram",
    "length_m": 30,
    "mass_t": 40,
    "max_speed_kmh": 70,
    "max_tractive_effort_kn": 90,
    "max_power_kw": 600,
    "service_brake_mps2": 1.0,
    "davis_a_kn": 1.0,
    "davis_b_kn_per_kmh": 0.01,
    "davis_c_kn_per_kmh2": 0.0003,
    "seats": 60,
    "standing_area_m2": 40,
    "doors_per_side": 4,
}
"""A small tram for scenario-file tests (the keys a scenario needs, round numbers)."""
