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


def trains_used(stop_times: pd.DataFrame) -> int:
    """Trains in service at once at the busiest moment: blocks counted from their first actual
    stop time to their last, layovers between trips included (`STOP_TIMES_COLUMNS`). A train
    that runs a morning and an evening block is one train, not two."""
    require_columns(stop_times, STOP_TIMES_COLUMNS, "stop_times")
    arrival = stop_times["actual_arrival_s"].to_numpy(dtype=float)
    departure = stop_times["actual_departure_s"].to_numpy(dtype=float)
    served = pd.DataFrame(
        {
            "block_id": stop_times["block_id"].to_numpy(),
            "t": np.fmin(arrival, departure),
            "u": np.fmax(arrival, departure),
        }
    ).dropna(subset=["t"])
    if served.empty:
        return 0
    spans = served.groupby("block_id").agg(start=("t", "min"), end=("u", "max"))
    # Sweep: a block ending at the moment another starts hands its place over.
    starts = [(float(t), 1) for t in spans["start"]]
    ends = [(float(t), -1) for t in spans["end"]]
    events = sorted(starts + ends, key=lambda e: (e[0], e[1]))
    count = best = 0
    for _, step in events:
        count += step
        best = max(best, count)
    return best


def energy_kwh(runs: pd.DataFrame) -> float:
    """Energy drawn from the line, kWh, regeneration credited (line_energy_j is already net of
    what braking trains fed back)."""
    require_columns(runs, RUN_COLUMNS, "runs")
    return float(runs["line_energy_j"].to_numpy(dtype=float).sum()) / JOULES_PER_KWH
