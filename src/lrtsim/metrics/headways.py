"""Headway regularity: TCQSM's headway adherence, per station and direction and for the line.

TCQSM 3rd ed. (TCRP Report 165, 2013), ch. 5, headway adherence:

    cv_h = SD(actual headway − scheduled headway) / mean scheduled headway

with the level-of-service bands A ≤ 0.21 < B ≤ 0.30 < C ≤ 0.39 < D ≤ 0.52 < E ≤ 0.74 < F of the
2nd edition (TCRP Report 100, 2003, Part 3, fixed-route headway adherence): the 3rd edition
keeps the measure and its service levels but drops the letter grades.
A departure's actual headway is the time since the previous train that left the same station in
the same direction (the gap a passenger on the platform saw, whatever train it was, planned or
not); its scheduled headway is the time since the previous planned departure there in the plan.
So a cancelled train shows as one long actual headway on the next train, and a late train as a
long headway followed by a short one. Departures are every stop of a trip but its last; the
first departure of the day at a station has no headway. The SD is the population one (ddof 0)
and the line's figure pools every headway of every station and direction. A train running late
by the same amount all day has cv_h 0: the measure is of evenness, not of lateness (that is
punctuality's).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lrtsim.metrics.tables import STOP_TIMES_COLUMNS, departure_rows, require_columns

LOS_BANDS = (("A", 0.21), ("B", 0.30), ("C", 0.39), ("D", 0.52), ("E", 0.74))
"""TCQSM fixed-route headway adherence LOS (letters of the 2nd ed., Part 3): the highest cv_h
of each band (two decimals, as tabulated); above 0.74 is F."""

LOS_HALF_STEP = 0.005
"""Half the table's last digit: the bands meet where a cv_h rounds up to the next one."""

REGULARITY_COLUMNS = (
    "direction",  # "up" | "down"
    "station",  # str
    "station_index",  # int
    "headways",  # int: departures with an actual and a scheduled headway
    "mean_scheduled_headway_s",  # float
    "sd_deviation_s",  # float: SD of actual − scheduled headway
    "cv_h",  # float: sd_deviation_s / mean_scheduled_headway_s
    "los",  # str: TCQSM LOS band A–F
)
"""`Regularity.by_stop`: one row per station and direction with at least one headway, by
direction (up first) then station index."""


@dataclass(frozen=True, eq=False)
class Regularity:
    """Headway adherence of the line (pooled) and of each station and direction."""

    cv_h: float
    """The line's cv_h, every headway pooled; NaN without headways."""
    headways: int
    by_stop: pd.DataFrame
    """`REGULARITY_COLUMNS`."""

    @property
    def los(self) -> str:
        """The line's TCQSM LOS band."""
        return los_band(self.cv_h)


def los_band(cv_h: float) -> str:
    """TCQSM headway-adherence LOS (A–F, the 2nd edition's letters) of a cv_h, read as printed,
    to two decimals: a band holds the values below its top + 0.005 (0.2149 is A, 0.215 is B);
    "" for NaN."""
    if not math.isfinite(cv_h):
        return ""
    for band, top in LOS_BANDS:
        if cv_h < top + LOS_HALF_STEP:
            return band
    return "F"


def headway_deviations(stop_times: pd.DataFrame) -> pd.DataFrame:
    """Every departure with both headways: direction, station, station_index, trip_id,
    scheduled_headway_s, actual_headway_s and deviation_s = actual − scheduled."""
    require_columns(stop_times, STOP_TIMES_COLUMNS, "stop_times")
    keys = ["direction", "station"]
    times = {c: stop_times[c].astype(float) for c in ("planned_departure_s", "actual_departure_s")}
    departures = stop_times.assign(**times)[departure_rows(stop_times)]
    planned = departures[np.isfinite(departures["planned_departure_s"].to_numpy())]
    planned = planned.sort_values([*keys, "planned_departure_s"], kind="stable")
    scheduled = planned.groupby(keys, sort=False)["planned_departure_s"].diff()
    served = departures[np.isfinite(departures["actual_departure_s"].to_numpy())]
    served = served.sort_values([*keys, "actual_departure_s"], kind="stable")
    actual = served.groupby(keys, sort=False)["actual_departure_s"].diff()
    table = served[[*keys, "station_index", "trip_id"]].assign(
        actual_headway_s=actual, scheduled_headway_s=scheduled.reindex(served.index)
    )
    table = table.dropna(subset=["actual_headway_s", "scheduled_headway_s"])
    deviation = table["actual_headway_s"] - table["scheduled_headway_s"]
    result: pd.DataFrame = table.assign(deviation_s=deviation).reset_index(drop=True)
    return result


def _cv(deviation: pd.Series, scheduled: pd.Series) -> float:
    mean = float(scheduled.mean()) if len(scheduled) else math.nan
    if not len(deviation) or not mean > 0:
        return math.nan
    return float(np.std(deviation.to_numpy(dtype=float))) / mean


def line_cv_h(stop_times: pd.DataFrame) -> float:
    """The line's cv_h alone (`Regularity.cv_h`, without the table by stop)."""
    table = headway_deviations(stop_times)
    return _cv(table["deviation_s"], table["scheduled_headway_s"])


def regularity(stop_times: pd.DataFrame) -> Regularity:
    """TCQSM headway adherence of a stop-times table (`STOP_TIMES_COLUMNS`)."""
    table = headway_deviations(stop_times)
    rows = []
    for (direction, station), g in table.groupby(["direction", "station"], sort=False):
        cv = _cv(g["deviation_s"], g["scheduled_headway_s"])
        rows.append(
            {
                "direction": direction,
                "station": station,
                "station_index": int(g["station_index"].iloc[0]),
                "headways": len(g),
                "mean_scheduled_headway_s": float(g["scheduled_headway_s"].mean()),
                "sd_deviation_s": float(np.std(g["deviation_s"].to_numpy(dtype=float))),
                "cv_h": cv,
                "los": los_band(cv),
            }
        )
    by_stop = pd.DataFrame(rows, columns=list(REGULARITY_COLUMNS))
    if len(by_stop):
        order = by_stop["direction"].map({"up": 0, "down": 1})
        by_stop = (
            by_stop.assign(_order=order)
            .sort_values(["_order", "station_index"], kind="stable")
            .drop(columns="_order")
            .reset_index(drop=True)
        )
    return Regularity(
        cv_h=_cv(table["deviation_s"], table["scheduled_headway_s"]),
        headways=len(table),
        by_stop=by_stop,
    )
