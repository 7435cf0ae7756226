"""Crowding: the share of passengers denied boarding, and the peak load factor."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from lrtsim.errors import ArgumentError
from lrtsim.metrics.tables import PASSENGER_COLUMNS, STOP_VISIT_COLUMNS, require_columns


def denied_boarding_pct(passengers: pd.DataFrame) -> float:
    """Share of passengers (`PASSENGER_COLUMNS`, every one of them, served or not) who could
    not board at least one train because it was full, %; NaN with no passengers."""
    require_columns(passengers, PASSENGER_COLUMNS, "passengers")
    if not len(passengers):
        return math.nan
    denied = passengers["denied_boardings"].to_numpy(dtype=float)
    return 100.0 * float((denied >= 1).sum()) / len(passengers)


def check_capacity(capacity: float) -> float:
    """The train capacity (passengers) as a float; ArgumentError unless finite and positive."""
    value = float(capacity)
    if not (math.isfinite(value) and value > 0):
        raise ArgumentError("capacity", f"must be a positive number of passengers; got {capacity}")
    return value


def peak_load_factor(stop_visits: pd.DataFrame, capacity: float) -> float:
    """The highest load on leaving a stop (`STOP_VISIT_COLUMNS`) over the train's `capacity`
    (passengers; the caller's standard: at the planning loading standard a value above 1 is a
    train over it, at crush capacity it never exceeds 1); NaN with no stop visits."""
    require_columns(stop_visits, STOP_VISIT_COLUMNS, "stop_visits")
    cap = check_capacity(capacity)
    loads = stop_visits["load_on_departure"].to_numpy(dtype=float)
    return float(np.max(loads)) / cap if len(loads) else math.nan
