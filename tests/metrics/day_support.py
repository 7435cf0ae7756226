"""The Astana plan's undisturbed day: its stop times (actual = planned), a few
hundred passengers each riding the first train the timetable offers them (found by scanning every
trip, `metrics_support.BruteSchedule`), the stop visits they make and the runs of the blocks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from metrics_support import NAN, BruteSchedule

from lrtsim.metrics.tables import (
    PASSENGER_COLUMNS,
    RUN_COLUMNS,
    STOP_VISIT_COLUMNS,
    stop_times_from_timetable,
)
from lrtsim.model.load import load_scenario
from lrtsim.planning.plan import ServicePlan, make_plan

PASSENGERS = 400
ENERGY_PER_RUN_J = 3.6e6
"""Each run draws 1 kWh in the synthetic runs table."""


@dataclass(frozen=True, eq=False)
class Day:
    plan: ServicePlan
    stop_times: pd.DataFrame
    passengers: pd.DataFrame
    stop_visits: pd.DataFrame
    runs: pd.DataFrame


def _passengers(plan: ServicePlan, count: int, seed: int) -> pd.DataFrame:
    timetable = plan.timetable
    stations = list(timetable.sort_values("station_index")["station"].unique())
    schedule = BruteSchedule(timetable)
    rng = np.random.default_rng(seed)
    start, end = float(timetable["departure_s"].min()), float(timetable["arrival_s"].max())
    rows = []
    for pid in range(count):
        o, d = rng.choice(len(stations), size=2, replace=False)
        arrival = float(rng.uniform(start - 600.0, end))
        dep, arr, trip_id = schedule.first_train(stations[o], stations[d], arrival)
        boarded = np.isfinite(dep)
        rows.append(
            {
                "passenger_id": pid,
                "origin": stations[o],
                "destination": stations[d],
                "direction": "up" if d > o else "down",
                "arrival_s": arrival,
                "board_s": dep if boarded else NAN,
                "alight_s": arr if boarded else NAN,
                "trip_id": trip_id,
                "denied_boardings": 0,
            }
        )
    return pd.DataFrame(rows, columns=list(PASSENGER_COLUMNS))


def _stop_visits(timetable: pd.DataFrame, riders: pd.DataFrame) -> pd.DataFrame:
    rode = riders[riders["trip_id"] != ""]
    on = rode.groupby(["trip_id", "origin"]).size()
    off = rode.groupby(["trip_id", "destination"]).size()
    rows = []
    for trip_id, g in timetable.sort_values(["trip_id", "stop_sequence"]).groupby("trip_id"):
        load = 0
        for _, r in g.iterrows():
            b = int(on.get((trip_id, r["station"]), 0))
            a = int(off.get((trip_id, r["station"]), 0))
            load += b - a
            rows.append(
                {
                    "trip_id": trip_id,
                    "stop_sequence": r["stop_sequence"],
                    "station": r["station"],
                    "direction": r["direction"],
                    "boarded": b,
                    "alighted": a,
                    "load_on_departure": load,
                    "left_behind": 0,
                }
            )
    return pd.DataFrame(rows, columns=list(STOP_VISIT_COLUMNS))


def _runs(blocks: pd.DataFrame) -> pd.DataFrame:
    moving = blocks[blocks["activity"] != "layover"]
    return pd.DataFrame(
        {
            "block_id": moving["block_id"].to_numpy(),
            "trip_id": moving["trip_id"].to_numpy(),
            "distance_m": moving["distance_m"].to_numpy(dtype=float),
            "line_energy_j": np.full(len(moving), ENERGY_PER_RUN_J),
        },
        columns=list(RUN_COLUMNS),
    )


def astana_day() -> Day:
    """The Astana plan's undisturbed day."""
    plan = make_plan(load_scenario("astana"))
    riders = _passengers(plan, PASSENGERS, seed=9)
    return Day(
        plan=plan,
        stop_times=stop_times_from_timetable(plan.timetable),
        passengers=riders,
        stop_visits=_stop_visits(plan.timetable, riders),
        runs=_runs(plan.blocks),
    )
