"""Where a period's "max load" comes from: the hours its trains run in and the busiest of them,
so that the report's plan tables can say which hour a period is priced at.

The rule is the planner's (`planning.service.design`): a period's load is the highest hourly
link load, either direction, from the period's start until one terminal-to-terminal trip (the
longer direction's scheduled run with least dwells) after its end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from lrtsim.planning.plan import ServicePlan
    from lrtsim.planning.service import PeriodPlan


def design_trip_s(plan: ServicePlan) -> float:
    """The terminal-to-terminal trip the planner adds to a period's end: the longer of its two
    directions' scheduled run with each station's least dwell."""
    return max(run.total_time_s for run in plan.runs)


def load_hours(period: PeriodPlan, trip_s: float) -> tuple[int, ...]:
    """The hours of the day (0–23) the period's trains run in: from its start until `trip_s`
    after its end (as `planning.service.design` reads them)."""
    last = int(period.to_s - 1 + trip_s) // 3600
    return tuple(h % 24 for h in range(period.from_s // 3600, last + 1))


def busiest_hour(plan: ServicePlan, period: PeriodPlan) -> int:
    """The hour (0–23) whose link load is the period's `max_load_pax_per_h`: the first hour of
    `load_hours` with the highest load, either direction."""
    hourly_max = np.asarray(plan.loads.link_loads).max(axis=(0, 2))
    hours = load_hours(period, design_trip_s(plan))
    return hours[int(np.argmax(hourly_max[list(hours)]))]


def hour_span(hour: int) -> str:
    """'07:00–08:00'."""
    return f"{hour:02d}:00–{(hour + 1) % 24:02d}:00"


def load_rule_text(plan: ServicePlan) -> str:
    """The rule in words, with the plan's trip time, for a table's note."""
    return (
        "Max load: the highest hourly link load, either direction, in any hour the period's "
        f"trains run in, from its start until one terminal-to-terminal trip "
        f"({design_trip_s(plan) / 60:.0f} min) after its end (the planner's rule, so that a "
        "period's last trains are not overloaded by the next one's peak); 'busiest hour' is "
        "the hour it comes from, often in the next period. Per train: that load over the "
        "period's headway; load factor: per train ÷ train capacity at the loading standard. It "
        "is a design figure: the demand section's heatmap gives each hour's load ÷ the places "
        "actually timetabled in that hour."
    )
