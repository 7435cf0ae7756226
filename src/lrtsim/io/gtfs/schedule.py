"""The feed's schedule: services by day type (calendar.txt), trips.txt and stop_times.txt.

One GTFS service per day type: `service_id` is the day type's name, and calendar.txt runs it on
its days of the week from `gtfs.start_date` to `gtfs.end_date`. Without day types the one
service, `daily`, runs every day.

Times are seconds after midnight of the service day, written as HH:MM:SS and rounded to whole
seconds (half up). Hours pass 24 for service after midnight, as GTFS requires.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.errors import LrtsimError
from lrtsim.io.gtfs.geometry import FloatArray, shape_id
from lrtsim.model.direction import DIRECTIONS, direction_id, sign
from lrtsim.model.names import stop_ids
from lrtsim.model.schema import WEEKDAYS, Scenario
from lrtsim.model.units import s_to_hms
from lrtsim.planning.day_types import (
    DAY_TYPE_COLUMN,
    EVERY_DAY,
    DayPlan,
    combined_tables,
    day_types,
)
from lrtsim.planning.plan import ServicePlan
from lrtsim.planning.tables import TIMETABLE_COLUMNS

FeedSource = Sequence[DayPlan] | ServicePlan | pd.DataFrame
"""What a feed is made from: the day plans (`make_day_plans`), or for one service every day a
single `ServicePlan` or its timetable. A timetable with a `day_type` column (as from
`combined_tables`) is split into the scenario's day types."""

DISTANCE_TOLERANCE_M = 1.0
"""Largest allowed gap between a timetable's `distance_m` and the stop's chainage."""


def services(
    scenario: Scenario, source: FeedSource
) -> tuple[pd.DataFrame, dict[str, tuple[str, ...]]]:
    """The timetable of every day type (a `day_type` column; ids unique across day types) and
    the days of the week of each day type, in the order the services are published."""
    if isinstance(source, ServicePlan):
        source = (DayPlan(day_type=EVERY_DAY, days=WEEKDAYS, plan=source),)
    if isinstance(source, pd.DataFrame):
        if DAY_TYPE_COLUMN not in source.columns:
            return source.assign(**{DAY_TYPE_COLUMN: EVERY_DAY}), {EVERY_DAY: WEEKDAYS}
        known = {t.name: tuple(d for d in WEEKDAYS if d in t.days) for t in day_types(scenario)}
        used = list(dict.fromkeys(source[DAY_TYPE_COLUMN].astype(str)))
        unknown = [name for name in used if name not in known]
        if unknown:
            raise ValueError(
                f"timetable: day_type {unknown} is not a day type of the scenario "
                f"({', '.join(known)})"
            )
        return source, {name: known[name] for name in used}
    plans = tuple(source)
    if not plans:
        raise LrtsimError(f"scenario '{scenario.name}': no day plans, so there is no GTFS feed")
    timetable, _ = combined_tables(plans)
    return timetable, {p.day_type: tuple(p.days) for p in plans}


def checked_timetable(
    scenario: Scenario, timetable: pd.DataFrame, shape_m: dict[str, FloatArray]
) -> pd.DataFrame:
    """The timetable in trip then stop order, after checking the planning contract."""
    columns = [DAY_TYPE_COLUMN, *TIMETABLE_COLUMNS]
    missing = [c for c in columns if c not in timetable.columns]
    if missing:
        raise ValueError(f"timetable lacks the columns {missing} (see TIMETABLE_COLUMNS)")
    if timetable.empty:
        raise LrtsimError(
            f"scenario '{scenario.name}': the timetable has no trips, so there is no GTFS feed"
        )
    tt = timetable.loc[:, columns].copy()
    tt["trip_id"] = tt["trip_id"].astype(str)
    tt[DAY_TYPE_COLUMN] = tt[DAY_TYPE_COLUMN].astype(str)
    order = pd.Series(pd.factorize(tt["trip_id"])[0], index=tt.index)
    tt = (
        tt.assign(_order=order)
        .sort_values(["_order", "stop_sequence"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )

    def bad(mask: npt.NDArray[np.bool_] | pd.Series, what: str) -> None:
        rows = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(rows):
            trips = ", ".join(dict.fromkeys(tt["trip_id"].iloc[rows[:50]]))
            raise ValueError(f"timetable: {what} (trips {trips})")

    stations = scenario.line.stations
    index = tt["station_index"].to_numpy()
    bad((index < 0) | (index >= len(stations)), "station_index outside line.stations")
    names = np.array([s.name for s in stations], dtype=object)[index.astype(np.int64)]
    bad(tt["station"].astype(str).to_numpy() != names, "station does not match station_index")
    ids = np.array(stop_ids(stations), dtype=object)[index.astype(np.int64)]
    bad(tt["stop_id"].astype(str).to_numpy() != ids, "stop_id is not the station's public id")
    bad(~tt["direction"].isin(DIRECTIONS), "direction is neither 'up' nor 'down'")
    expected_id = tt["direction"].map({d: direction_id(d) for d in DIRECTIONS})
    bad(tt["direction_id"] != expected_id, "direction_id does not match direction")
    for column in ("block_id", "direction", "period", DAY_TYPE_COLUMN):
        bad(tt.groupby("trip_id")[column].transform("nunique") > 1, f"{column} varies in a trip")
    bad(tt["block_id"].astype(str).str.strip() == "", "empty block_id")
    bad(tt.groupby("trip_id")["trip_id"].transform("size") < 2, "a trip has fewer than 2 stops")

    arrival = tt["arrival_s"].to_numpy(dtype=np.float64)
    departure = tt["departure_s"].to_numpy(dtype=np.float64)
    bad(~np.isfinite(arrival) | ~np.isfinite(departure), "missing or infinite times")
    bad((arrival < 0) | (departure < arrival), "negative time or departure before arrival")

    same = (tt["trip_id"] == tt["trip_id"].shift()).to_numpy()
    step = np.diff(tt["stop_sequence"].to_numpy(dtype=np.int64), prepend=0)
    bad(same & (step <= 0), "stop_sequence repeats or decreases")
    prev_departure = np.concatenate([[np.nan], departure[:-1]])
    bad(same & (arrival < prev_departure), "arrival before the departure from the previous stop")
    moved = np.diff(index, prepend=0) * tt["direction"].map(sign).to_numpy()
    bad(same & (moved <= 0), "stations do not follow the line in the trip's direction")

    up = (tt["direction"] == "up").to_numpy()
    dist = np.where(up, shape_m["up"][index], shape_m["down"][index])
    first = tt.groupby("trip_id", sort=False)["station_index"].transform("first").to_numpy()
    first_dist = np.where(up, shape_m["up"][first], shape_m["down"][first])
    gap = np.abs(tt["distance_m"].to_numpy(dtype=np.float64) - (dist - first_dist))
    bad(
        ~(gap <= DISTANCE_TOLERANCE_M),
        f"distance_m differs from the stations' km by more than {DISTANCE_TOLERANCE_M:g} m",
    )
    return tt


def trips_table(scenario: Scenario, tt: pd.DataFrame) -> pd.DataFrame:
    firsts = tt.groupby("trip_id", sort=False).first()
    lasts = tt.groupby("trip_id", sort=False).last()
    return pd.DataFrame(
        {
            "route_id": scenario.gtfs.route_id,
            "service_id": firsts[DAY_TYPE_COLUMN].astype(str).to_numpy(),
            "trip_id": firsts.index.astype(str),
            "trip_headsign": lasts["station"].astype(str).to_numpy(),
            "direction_id": firsts["direction_id"].astype("int64").to_numpy(),
            "block_id": firsts["block_id"].astype(str).to_numpy(),
            "shape_id": [shape_id(scenario, d) for d in firsts["direction"]],
        }
    )


def stop_times_table(
    tt: pd.DataFrame, shape_m: dict[str, FloatArray], decimals: int
) -> pd.DataFrame:
    """stop_times.txt: the timetable's rows with its own trip and stop ids (checked against the
    scenario by `checked_timetable`), so a live feed built from the same tables matches."""
    index = tt["station_index"].to_numpy(dtype=np.int64)
    up = (tt["direction"] == "up").to_numpy()
    dist = np.where(up, shape_m["up"][index], shape_m["down"][index])
    return pd.DataFrame(
        {
            "trip_id": tt["trip_id"].astype(str).to_numpy(),
            "arrival_time": clock(whole_seconds(tt["arrival_s"])),
            "departure_time": clock(whole_seconds(tt["departure_s"])),
            "stop_id": tt["stop_id"].astype(str).to_numpy(),
            "stop_sequence": tt["stop_sequence"].to_numpy(dtype=np.int64),
            "timepoint": 1,
            "shape_dist_traveled": np.round(dist, decimals),
        }
    )


def calendar_table(scenario: Scenario, days: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """One row per service (day type): 1 on its days of the week, 0 on the others."""
    pub = scenario.gtfs
    table: dict[str, object] = {"service_id": list(days)}
    for day in WEEKDAYS:
        table[day] = [int(day in on) for on in days.values()]
    table["start_date"] = pub.start_date
    table["end_date"] = pub.end_date
    return pd.DataFrame(table)


def whole_seconds(times: pd.Series) -> npt.NDArray[np.int64]:
    """Seconds rounded half up: monotone, so order and arrival ≤ departure survive rounding."""
    return np.floor(times.to_numpy(dtype=np.float64) + 0.5).astype(np.int64)


def clock(seconds: npt.NDArray[np.int64]) -> list[str]:
    """HH:MM:SS, hours past 24 after midnight."""
    return [s_to_hms(s) for s in seconds.tolist()]
