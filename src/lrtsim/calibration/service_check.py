"""The service check: the feed's periods and layovers put into the scenario, and the planner's
trips per hour and trains in service set against the feed's.

The calibrated scenario takes from the feed:

- `service.periods`: the periods of one headway of the fitted direction's full-length departures
  (`feed_service.feed_periods`), each headway as the period's `max_headway_s`. The planner then
  runs that headway wherever demand does not ask for more (an imported scenario has none).
- `service.layover_s`: the mean over the two terminals of the least layover the feed gives a
  block between two full-length trips. The planner holds one least layover at both terminals and
  adds the slack that makes a whole number of headways per cycle, so the sum of the two least
  layovers is what keeps the cycle, and the number of trains, the feed's.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

import pandas as pd

from lrtsim.calibration.feed_service import (
    FeedPeriod,
    FeedService,
    departures_s,
    feed_periods,
    terminal_layovers_s,
    vehicles_in_service,
)
from lrtsim.model.direction import Direction
from lrtsim.model.schema import WEEKDAYS, Period, Scenario, clock_to_s
from lrtsim.model.units import s_to_clock
from lrtsim.planning.day_types import DayPlan, make_day_plans

DIRECTIONS: tuple[Direction, Direction] = ("up", "down")

MAX_HEADWAY_S = 7200.0
"""The longest `max_headway_s` a scenario takes; a longer gap in the feed is entered at it."""


@dataclass(frozen=True)
class TerminalLayover:
    """The feed's layovers at one terminal between full-length trips of a block."""

    terminal: str
    count: int
    least_s: float
    median_s: float


@dataclass(frozen=True)
class PeriodService:
    """One period: its headway, and trips per hour in the feed and in the plan (up, down)."""

    from_s: int
    to_s: int
    headway_s: float
    feed_trips_per_h: tuple[float, float]
    """Full-length trips departing in the period, per hour."""
    feed_all_trips_per_h: tuple[float, float]
    """All the route's trips departing in the period (short turns too), per hour."""
    planned_trips_per_h: tuple[float, float]

    @property
    def label(self) -> str:
        """HH:MM–HH:MM."""
        return f"{s_to_clock(self.from_s)}–{s_to_clock(self.to_s)}"


@dataclass(frozen=True)
class ServiceComparison:
    """The feed's service on its typical date against the planner's for the same day."""

    date: str
    day_type: str
    periods: tuple[PeriodService, ...]
    layovers: tuple[TerminalLayover, ...]
    layover_s: float
    """The calibrated scenario's `service.layover_s`."""
    feed_in_service_peak: int
    feed_peak_at_s: float
    planned_in_service_peak: int
    planned_fleet: int
    """Trains the plan needs to own: in service at the peak plus spares."""
    planned_cycle_s: float


def with_feed_service(
    scenario: Scenario, feed: FeedService, direction: Direction
) -> tuple[Scenario, tuple[str, ...]]:
    """The scenario with the feed's periods and layover (see the module docstring), and notes.

    Not validated. Periods are clipped to the scenario's service day and their headways to
    `MAX_HEADWAY_S`.
    """
    notes: list[str] = []
    update: dict[str, object] = {}
    start, end = clock_to_s(scenario.service.start), clock_to_s(scenario.service.end)
    periods = [
        FeedPeriod(max(p.from_s, start), min(p.to_s, end), min(p.headway_s, MAX_HEADWAY_S))
        for p in feed_periods(departures_s(feed.trips, direction))
    ]
    periods = [p for p in periods if p.to_s > p.from_s]
    if periods:
        update["periods"] = [
            Period.model_validate(
                {
                    "from": s_to_clock(p.from_s),
                    "to": s_to_clock(p.to_s),
                    "max_headway_s": p.headway_s,
                }
            )
            for p in periods
        ]
        shown = ", ".join(
            f"{s_to_clock(p.from_s)}–{s_to_clock(p.to_s)} every {p.headway_s:g} s" for p in periods
        )
        notes.append(f"service periods from the feed's full-length {direction} departures: {shown}")
    else:
        notes.append("fewer than two full-length departures in the feed: the periods stay")
    layovers = terminal_layovers_s(feed.trips)
    if all(layovers.values()):
        first, last = min(layovers["start"]), min(layovers["end"])
        update["layover_s"] = float(round(statistics.fmean((first, last))))
        notes.append(
            f"layover_s {update['layover_s']:g} s: the mean of the least layovers the feed gives "
            f"a block at the terminals ({first:g} s at the first, {last:g} s at the last)"
        )
    else:
        notes.append("the feed's blocks never turn at both terminals: layover_s stays")
    service = scenario.service.model_copy(update=update)
    return scenario.model_copy(update={"service": service}), tuple(notes)


def _day_plan(plans: tuple[DayPlan, ...], date: str) -> DayPlan:
    """The day plan that runs on the date's weekday (the first plan without a date)."""
    if len(date) == 8 and date.isdigit():
        weekday = WEEKDAYS[dt.date(int(date[:4]), int(date[4:6]), int(date[6:])).weekday()]
        for plan in plans:
            if weekday in plan.days:
                return plan
    return plans[0]


def _per_hour(times: list[float], from_s: int, to_s: int) -> float:
    return sum(from_s <= t < to_s for t in times) * 3600.0 / (to_s - from_s)


def compare_service(scenario: Scenario, feed: FeedService) -> ServiceComparison:
    """Plan the scenario's day (`planning.day_types.make_day_plans`) and set it against the feed:
    trips per hour in each of the scenario's periods and trains in service at the peak."""
    day = _day_plan(make_day_plans(scenario), feed.date)
    plan = day.plan
    n_stations = len(scenario.line.stations)
    trips = _planned_trips(plan.timetable, n_stations)
    periods = []
    for p in scenario.service.periods:
        a, b = clock_to_s(p.from_), clock_to_s(p.to)

        def rate(
            times: dict[Direction, list[float]], a: int = a, b: int = b
        ) -> tuple[float, float]:
            return (_per_hour(times["up"], a, b), _per_hour(times["down"], a, b))

        periods.append(
            PeriodService(
                from_s=a,
                to_s=b,
                headway_s=p.max_headway_s,
                feed_trips_per_h=rate({d: departures_s(feed.trips, d) for d in DIRECTIONS}),
                feed_all_trips_per_h=rate(
                    {d: departures_s(feed.trips, d, full_length=False) for d in DIRECTIONS}
                ),
                planned_trips_per_h=rate(trips),
            )
        )
    layovers = terminal_layovers_s(feed.trips)
    names = {"start": scenario.line.stations[0].name, "end": scenario.line.stations[-1].name}
    peak, when = vehicles_in_service(feed.trips)
    return ServiceComparison(
        date=feed.date,
        day_type=day.day_type,
        periods=tuple(periods),
        layovers=tuple(
            TerminalLayover(names[k], len(v), min(v), statistics.median(v))
            for k, v in layovers.items()
            if v
        ),
        layover_s=scenario.service.layover_s,
        feed_in_service_peak=peak,
        feed_peak_at_s=when,
        planned_in_service_peak=plan.circulation.in_service_peak,
        planned_fleet=plan.circulation.fleet_required,
        planned_cycle_s=plan.cycle_time_s,
    )


def _planned_trips(timetable: pd.DataFrame, n_stations: int) -> dict[Direction, list[float]]:
    """Departure times of the plan's terminal-to-terminal trips by direction."""
    spans = timetable.groupby("trip_id").agg(
        direction=("direction", "first"), start=("departure_s", "first"), stops=("station", "size")
    )
    whole = spans[spans["stops"] == n_stations]
    return {
        d: sorted(float(t) for t in whole[whole["direction"] == d]["start"]) for d in DIRECTIONS
    }
