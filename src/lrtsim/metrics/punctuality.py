"""Punctuality: the share of planned departures that left within a window around their time.

A departure is on time when early ≤ actual − planned ≤ late (default −60 s and +180 s: one
minute early to three minutes late, issue 9). EN 13816:2002 lists punctuality among the
quality criteria of public transport (criterion 3, time) and leaves the window to the operator;
operators measure it as here, the share of scheduled departures inside a window (TCQSM 3rd
ed., TCRP Report 165, 2013, ch. 5, on-time performance; TTC: one minute early to five late at
terminals). It is counted over planned departures — every stop of a planned trip but its last —
and a departure that did not happen (cancelled, beyond a short turn, a closed station) is not on
time: otherwise cancelling late trains would raise punctuality. At terminals it is counted over
the first stop of each planned trip.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lrtsim.errors import ArgumentError
from lrtsim.metrics.tables import STOP_TIMES_COLUMNS, departure_rows, require_columns

DEFAULT_WINDOW_S = (-60.0, 180.0)
"""On time: from one minute early to three minutes late (issue 9)."""

TIME_TOLERANCE_S = 1e-6
"""Slack on the window's bounds: published times are whole seconds and simulated ones are kept
to the millisecond, so a microsecond only absorbs floating-point rounding of the difference."""


@dataclass(frozen=True)
class Punctuality:
    """On-time departures at all stops and at terminals (the first stop of each trip)."""

    departures: int
    """Planned departures (every stop of a planned trip but its last)."""
    on_time: int
    not_served: int
    """Planned departures that did not happen."""
    terminal_departures: int
    terminal_on_time: int

    @property
    def pct(self) -> float:
        """On-time share of all planned departures, %; NaN with none."""
        return _pct(self.on_time, self.departures)

    @property
    def terminal_pct(self) -> float:
        """On-time share of planned departures from the first stop of a trip, %; NaN with none."""
        return _pct(self.terminal_on_time, self.terminal_departures)


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else math.nan


def check_window(window_s: tuple[float, float]) -> tuple[float, float]:
    """The window (early, late) in seconds, as floats; ArgumentError unless early ≤ late, both
    finite."""
    early, late = float(window_s[0]), float(window_s[1])
    if not (math.isfinite(early) and math.isfinite(late)) or early > late:
        raise ArgumentError(
            "window_s", f"must be (early, late) with early ≤ late, finite; got {window_s}"
        )
    return early, late


def punctuality(
    stop_times: pd.DataFrame, window_s: tuple[float, float] = DEFAULT_WINDOW_S
) -> Punctuality:
    """Count the planned departures of a stop-times table (`STOP_TIMES_COLUMNS`) that left
    within `window_s` = (early, late) seconds of their planned time, bounds included."""
    require_columns(stop_times, STOP_TIMES_COLUMNS, "stop_times")
    early, late = check_window(window_s)
    planned = stop_times["planned_departure_s"].to_numpy(dtype=float)
    actual = stop_times["actual_departure_s"].to_numpy(dtype=float)
    rows = departure_rows(stop_times).to_numpy() & np.isfinite(planned)
    first = stop_times.groupby("trip_id", sort=False)["stop_sequence"].transform("min")
    terminal = rows & (stop_times["stop_sequence"] == first).to_numpy()
    with np.errstate(invalid="ignore"):
        delay = actual - planned
        on_time = (delay >= early - TIME_TOLERANCE_S) & (delay <= late + TIME_TOLERANCE_S)
    on_time &= rows
    return Punctuality(
        departures=int(rows.sum()),
        on_time=int(on_time.sum()),
        not_served=int((rows & ~np.isfinite(actual)).sum()),
        terminal_departures=int(terminal.sum()),
        terminal_on_time=int((on_time & terminal).sum()),
    )
