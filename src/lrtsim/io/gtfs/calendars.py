"""Import side: the service dates of a feed (calendar.txt, calendar_dates.txt) and the route's
service day on a typical date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lrtsim.errors import LrtsimError
from lrtsim.io.gtfs.read import Feed, numbers, seconds_after_midnight


@dataclass(frozen=True)
class ServiceSpan:
    """The service day of the route in one direction, on a typical date of the feed."""

    date: str
    """YYYYMMDD, or '' when the feed has no calendar (then every trip counts)."""
    dates_alike: int
    """How many dates of the feed run the same set of services as `date`."""
    trips: int
    first_departure_s: float
    last_arrival_s: float


def service_dates(feed: Feed) -> dict[str, set[str]]:
    """Active service_ids on each date (YYYYMMDD), from calendar.txt and calendar_dates.txt.

    calendar.txt gives weekly patterns between start_date and end_date; calendar_dates.txt adds
    (exception_type 1) or removes (2) a service on a date, as the GTFS reference defines.
    """
    active: dict[str, set[str]] = {}
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    calendar = feed.calendar
    if (
        calendar is not None
        and not calendar.empty
        and {"service_id", "start_date", "end_date"} <= set(calendar.columns)
    ):
        for record in calendar.to_dict(orient="records"):
            try:
                first = dt.datetime.strptime(str(record["start_date"]), "%Y%m%d").date()
                last = dt.datetime.strptime(str(record["end_date"]), "%Y%m%d").date()
            except ValueError:
                continue
            runs = [str(record.get(day, "0")) == "1" for day in days]
            day = first
            while day <= last and (last - first).days <= 3660:
                if runs[day.weekday()]:
                    active.setdefault(day.strftime("%Y%m%d"), set()).add(str(record["service_id"]))
                day += dt.timedelta(days=1)
    dates = feed.calendar_dates
    if (
        dates is not None
        and not dates.empty
        and {"service_id", "date", "exception_type"} <= set(dates.columns)
    ):
        for service_id, date, kind in zip(
            dates["service_id"], dates["date"], dates["exception_type"], strict=True
        ):
            if kind == "1":
                active.setdefault(str(date), set()).add(str(service_id))
            elif kind == "2":
                active.get(str(date), set()).discard(str(service_id))
    return active


def service_span(feed: Feed, trips: pd.DataFrame, direction_id: int) -> ServiceSpan:
    """First departure and last arrival of the direction's trips on a typical date.

    A feed mixes service days (weekdays, weekends, holidays, special events such as New Year's
    Eve). The typical date is the first of the dates whose set of services running the route is
    the most common one (ties: more trips, then the earlier date): the busiest date alone would
    pick a special event. Without a calendar, every trip counts.
    """
    direction = (
        numbers(trips["direction_id"]) if "direction_id" in trips.columns else np.zeros(len(trips))
    )
    mine = trips[np.nan_to_num(direction, nan=0.0).astype(int) == direction_id]
    chosen_date, alike = "", 0
    chosen = mine
    if "service_id" in trips.columns:
        per_service = trips["service_id"].value_counts()
        days: dict[frozenset[str], list[str]] = {}
        for date, services in sorted(service_dates(feed).items()):
            running = frozenset(s for s in services if int(per_service.get(s, 0)) > 0)
            if running:
                days.setdefault(running, []).append(date)
        if days:
            running_set, dates = max(
                days.items(),
                key=lambda kv: (
                    len(kv[1]),
                    sum(int(per_service.get(s, 0)) for s in kv[0]),
                    -int(kv[1][0]) if kv[1][0].isdigit() else 0,
                ),
            )
            chosen_date, alike = dates[0], len(dates)
            chosen = mine[mine["service_id"].isin(running_set)]
    rows = feed.stop_times[feed.stop_times["trip_id"].isin(chosen["trip_id"])]
    times = np.concatenate(
        [
            seconds_after_midnight(rows["departure_time"]),
            seconds_after_midnight(rows["arrival_time"]),
        ]
    )
    if not np.isfinite(times).any():
        raise LrtsimError("the route's trips have no times in stop_times.txt")
    return ServiceSpan(
        date=chosen_date,
        dates_alike=alike,
        trips=len(chosen),
        first_departure_s=float(np.nanmin(times)),
        last_arrival_s=float(np.nanmax(times)),
    )
