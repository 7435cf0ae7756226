"""Unit conversions: lrtsim works in SI inside; scenario files use the units planners use."""

from __future__ import annotations

import math
from typing import Literal

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


Rounding = Literal["nearest", "down", "up"]
"""How `s_to_clock` rounds to a whole minute."""


def s_to_clock(seconds: float, rounding: Rounding = "nearest") -> str:
    """Seconds after midnight as HH:MM (hours pass 24 after midnight), to a whole minute.

    `rounding`: "nearest" (Python's `round`: halves to even), "down" (floor) or "up" (ceiling);
    a span's start rounded down and its end up still contains it.
    """
    if rounding == "nearest":
        minutes = round(seconds / 60.0)
    elif rounding == "down":
        minutes = math.floor(seconds / 60.0)
    elif rounding == "up":
        minutes = math.ceil(seconds / 60.0)
    else:
        raise ValueError(f"rounding must be 'nearest', 'down' or 'up', not {rounding!r}")
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def s_to_hms(seconds: int) -> str:
    """Whole seconds after midnight as HH:MM:SS (hours pass 24 after midnight, as GTFS wants)."""
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
