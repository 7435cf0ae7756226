"""Service design: the headway of each period from policy, demand and capacity.

Headway = the shorter of the policy maximum and the demand headway (3600 × train capacity at the
loading standard ÷ the period's maximum hourly link load), never below the capacity layer's
minimum; a clock-face value (one that divides the hour) is taken when one fits, else the value in
whole seconds (rounded down, never below the minimum). Ceder,
*Public Transit Planning and Operation*, 2nd ed. (2016), ch. 4 (max-load method); TCQSM 3rd ed.
(TCRP Report 165, 2013), ch. 8.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lrtsim.demand.loads import LineLoads
from lrtsim.errors import LrtsimError
from lrtsim.model.schema import Period, Scenario, clock_to_s
from lrtsim.model.units import s_to_clock

CLOCK_FACE_S = (
    60, 72, 75, 80, 90, 100, 120, 144, 150, 180, 200, 225, 240, 300, 360, 400, 450, 600, 720,
    900, 1200, 1800, 3600,
)  # fmt: skip
"""Headways that divide the hour: departures repeat at the same minutes every hour."""

DEFAULT_PERIODS = (
    ("early", None, "07:00", 600.0),
    ("am_peak", "07:00", "10:00", 300.0),
    ("midday", "10:00", "16:00", 600.0),
    ("pm_peak", "16:00", "19:00", 300.0),
    ("evening", "19:00", None, 600.0),
)
"""Periods used when the scenario gives none (None: the service day's start or end)."""


@dataclass(frozen=True)
class PeriodPlan:
    """One period's headway and why."""

    from_s: int
    to_s: int
    policy_headway_s: float
    demand_headway_s: float
    headway_s: float
    max_load_pax_per_h: float
    """Highest hourly link load in either direction during the period."""
    train_capacity_pax: float

    @property
    def label(self) -> str:
        """HH:MM-HH:MM."""
        return f"{s_to_clock(self.from_s)}-{s_to_clock(self.to_s)}"

    @property
    def max_load_per_train_pax(self) -> float:
        """Passengers on the most loaded train at the maximum load point."""
        return self.max_load_pax_per_h * self.headway_s / 3600.0

    @property
    def load_factor(self) -> float:
        """Maximum load per train ÷ train capacity at the loading standard."""
        return self.max_load_per_train_pax / self.train_capacity_pax


def periods(scenario: Scenario) -> list[Period]:
    """The scenario's periods, or the default ones clipped to its service day."""
    service = scenario.service
    if service.periods:
        return list(service.periods)
    start, end = clock_to_s(service.start), clock_to_s(service.end)
    out = []
    for _, a, b, headway in DEFAULT_PERIODS:
        lo = start if a is None else max(start, clock_to_s(a))
        hi = end if b is None else min(end, clock_to_s(b))
        if hi > lo:
            out.append(
                Period.model_validate(
                    {"from": s_to_clock(lo), "to": s_to_clock(hi), "max_headway_s": headway}
                )
            )
    return out


def design(
    scenario: Scenario,
    loads: LineLoads,
    min_headway_s: float,
    bottleneck: str,
    trip_s: float = 0.0,
) -> list[PeriodPlan]:
    """Headway of every period; fails with the numbers when demand needs more than capacity.

    A period's load is the highest hourly link load in any hour its trains run in: from its
    start until `trip_s` (a terminal-to-terminal trip) after its end, so that the last trains of a
    quiet period are not overloaded by the next period's peak. A policy headway below the line's
    minimum is held at the minimum.
    """
    capacity = scenario.rolling_stock.capacity_at(scenario.service.loading_standard_pax_per_m2)
    hourly_max = loads.link_loads.max(axis=(0, 2))
    plans = []
    for period in periods(scenario):
        a, b = clock_to_s(period.from_), clock_to_s(period.to)
        last = int(b - 1 + trip_s) // 3600
        hours = [h % 24 for h in range(a // 3600, last + 1)]
        max_load = float(hourly_max[hours].max())
        demand_h = 3600.0 * capacity / max_load if max_load > 0 else float("inf")
        if demand_h < min_headway_s - 1e-9:
            need = max_load / capacity
            raise LrtsimError(
                f"period {period.from_}-{period.to}: the maximum load of {max_load:,.0f} "
                f"passengers/h needs {need:.1f} trains/h of {capacity:.0f} places (a headway of "
                f"{demand_h:.0f} s), but the line's minimum headway is {min_headway_s:.0f} s "
                f"({3600 / min_headway_s:.1f} trains/h, bound by {bottleneck}); lower the demand, "
                "raise the loading standard or use longer trains"
            )
        wanted = max(min(period.max_headway_s, demand_h), min_headway_s)
        fitting = [h for h in CLOCK_FACE_S if min_headway_s - 1e-9 <= h <= wanted + 1e-9]
        headway = float(max(fitting)) if fitting else _whole_seconds(wanted, min_headway_s)
        plans.append(PeriodPlan(a, b, period.max_headway_s, demand_h, headway, max_load, capacity))
    return plans


def _whole_seconds(wanted_s: float, min_headway_s: float) -> float:
    """A headway that fits no clock-face value, in whole seconds: rounded down, unless that falls
    below the capacity minimum (then the minimum rounded up)."""
    down = math.floor(wanted_s + 1e-9)
    return float(down if down >= min_headway_s - 1e-9 else math.ceil(min_headway_s - 1e-9))


def headway_at(plans: list[PeriodPlan], t_s: float) -> float:
    """The headway of the period containing `t_s` (the nearest period outside them)."""
    for p in plans:
        if p.from_s <= t_s < p.to_s:
            return p.headway_s
    return plans[0].headway_s if t_s < plans[0].from_s else plans[-1].headway_s
