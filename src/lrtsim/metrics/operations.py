"""What running the day took: trips planned and operated, train-km, trains used, energy."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lrtsim.metrics.tables import RUN_COLUMNS, STOP_TIMES_COLUMNS, require_columns

JOULES_PER_KWH = 3.6e6


def trips_planned(stop_times: pd.DataFrame) -> int:
    """Trips with at least one planned stop (`STOP_TIMES_COLUMNS`)."""
    require_columns(stop_times, STOP_TIMES_COLUMNS, "stop_times")
    planned = np.isfinite(stop_times["planned_arrival_s"].to_numpy(dtype=float)) | np.isfinite(
        stop_times["planned_departure_s"].to_numpy(dtype=float)
    )
    return int(stop_times.loc[planned, "trip_id"].nunique())


def trips_operated(stop_times: pd.DataFrame) -> int:
    """Trips (planned or not) that served at least one stop."""
    require_columns(stop_times, STOP_TIMES_COLUMNS, "stop_times")
    served = np.isfinite(stop_times["actual_arrival_s"].to_numpy(dtype=float)) | np.isfinite(
        stop_times["actual_departure_s"].to_numpy(dtype=float)
    )
    return int(stop_times.loc[served, "trip_id"].nunique())


def train_km(runs: pd.DataFrame) -> float:
    """Train-kilometres run (`RUN_COLUMNS`), in service and empty."""
    require_columns(runs, RUN_COLUMNS, "runs")
    return float(runs["distance_m"].to_numpy(dtype=float).sum()) / 1000.0


def trains_used(runs: pd.DataFrame) -> int:
    """Trains (distinct block_id) that ran some distance."""
    require_columns(runs, RUN_COLUMNS, "runs")
    ran = runs["distance_m"].to_numpy(dtype=float) > 0
    return int(runs.loc[ran, "block_id"].nunique())


def energy_kwh(runs: pd.DataFrame) -> float:
    """Energy drawn from the line, kWh, regeneration credited (line_energy_j is already net of
    what braking trains fed back)."""
    require_columns(runs, RUN_COLUMNS, "runs")
    return float(runs["line_energy_j"].to_numpy(dtype=float).sum()) / JOULES_PER_KWH
