"""Unit conversions: lrtsim works in SI inside; scenario files use the units planners use."""

from __future__ import annotations

G_MPS2 = 9.80665
"""Standard gravity (CGPM 1901)."""

PASSENGER_MASS_KG = 70.0
"""Mass of one urban-rail passenger (a common planning value; lrtsim's fixed convention)."""

KMH_PER_MPS = 3.6
J_PER_KWH = 3.6e6


def kmh_to_mps(speed_kmh: float) -> float:
    """Speed in km/h to m/s."""
    return speed_kmh / KMH_PER_MPS


def mps_to_kmh(speed_mps: float) -> float:
    """Speed in m/s to km/h."""
    return speed_mps * KMH_PER_MPS


def j_to_kwh(energy_j: float) -> float:
    """Energy in joules to kilowatt-hours."""
    return energy_j / J_PER_KWH


def s_to_clock(seconds: float) -> str:
    """Seconds after midnight as HH:MM, to the nearest minute (hours pass 24 after midnight)."""
    minutes = round(seconds / 60.0)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
