"""The service date a replay publishes and the POSIX times of its seconds after midnight.

GTFS-Realtime (https://gtfs.org/realtime/reference/#message-tripdescriptor) names a trip's day by
`start_date` (YYYYMMDD, the service date of the static feed) and gives predicted times as POSIX
seconds (`StopTimeEvent.time`). A static feed's times are seconds from "noon minus 12 h" of the
service date in the agency's timezone (https://gtfs.org/schedule/reference/#stop_timestxt),
which is midnight except on the days clocks change.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

from lrtsim.errors import LrtsimError

WEEKDAY_COLUMNS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""calendar.txt's day columns, in `date.weekday()` order."""


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise LrtsimError(f"{what}: '{text}' is not a date YYYYMMDD") from None


def running_dates(calendar: pd.DataFrame, service_id: str) -> tuple[dt.date, dt.date, set[int]]:
    """The first and last date of calendar.txt's row for `service_id` and the weekdays it runs."""
    rows = calendar[calendar["service_id"].astype(str) == service_id]
    if rows.empty:
        raise LrtsimError(f"service_id '{service_id}' is not in the static feed's calendar.txt")
    row = rows.iloc[0]
    days = {i for i, name in enumerate(WEEKDAY_COLUMNS) if int(row[name]) == 1}
    start = _date(str(row["start_date"]), "calendar.txt start_date")
    end = _date(str(row["end_date"]), "calendar.txt end_date")
    return start, end, days


def service_dates(calendar: pd.DataFrame, service_id: str) -> tuple[str, ...]:
    """Every date (YYYYMMDD, in order) on which calendar.txt runs `service_id`."""
    start, end, days = running_dates(calendar, service_id)
    dates, day = [], start
    while day <= end:
        if day.weekday() in days:
            dates.append(f"{day:%Y%m%d}")
        day += dt.timedelta(days=1)
    if not dates:
        raise LrtsimError(
            f"calendar.txt runs service '{service_id}' on no date from {start:%Y%m%d} "
            f"to {end:%Y%m%d}"
        )
    return tuple(dates)


def service_date(calendar: pd.DataFrame, service_id: str, timezone: str, wanted: str | None) -> str:
    """`wanted` (YYYYMMDD) after checking that the calendar runs `service_id` on it; by default
    the first date from today (in the agency's timezone) on which it does, or the calendar's
    last such date when today is past its end."""
    dates = service_dates(calendar, service_id)
    if wanted is not None:
        _date(wanted, "service_date")
        if wanted not in dates:
            start, end, days = running_dates(calendar, service_id)
            raise LrtsimError(
                f"service_date: the static feed's calendar does not run service '{service_id}' "
                f"on {wanted} (it runs from {start:%Y%m%d} to {end:%Y%m%d} on "
                f"{', '.join(WEEKDAY_COLUMNS[d] for d in sorted(days))})"
            )
        return wanted
    today = f"{dt.datetime.now(ZoneInfo(timezone)).date():%Y%m%d}"
    return next((d for d in dates if d >= today), dates[-1])


def service_day_posix_s(date: str, timezone: str) -> int:
    """POSIX time of the service date's zero of GTFS times: noon local time minus 12 hours."""
    day = _date(date, "service_date")
    noon = dt.datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(timezone))
    return int(noon.timestamp()) - 12 * 3600


def clock_s(text: str) -> int:
    """Seconds after midnight of a GTFS time HH:MM:SS (hours may pass 24)."""
    h, m, s = (int(x) for x in text.split(":"))
    return 3600 * h + 60 * m + s
