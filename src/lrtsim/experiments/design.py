"""Robust service design: the longest peak headway (so the smallest fleet) whose simulated days
meet every target at its percentile (`lrtsim experiment design --vary peak_headway`).

Each headway tried is a Monte Carlo run of the same days (the same seeds: common random
numbers, so two headways differ by the headway alone). The search is a bisection over the
clock-face headways from the line's minimum to the day's longest policy headway; it assumes a
longer peak headway never serves better, and always tries the answer's longer neighbour, so the
evidence shows the step where the targets stop holding.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lrtsim.errors import LrtsimError
from lrtsim.experiments.stats import STATISTICS, Estimate, KpiSummary
from lrtsim.experiments.stopping import STOPPING_KPIS
from lrtsim.planning.service import CLOCK_FACE_S, periods

if TYPE_CHECKING:
    from lrtsim.experiments.days import PreparedDay
    from lrtsim.model.schema import Scenario

VARIABLES = ("peak_headway",)
"""What `--vary` may name: the policy headway of the design day's peak periods."""

_TARGET = re.compile(
    r"^\s*(?P<kpi>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op><=|>=)\s*(?P<value>[^@\s]+)\s*"
    r"(?:@\s*(?P<stat>[A-Za-z0-9]+)\s*)?$"
)


@dataclass(frozen=True)
class Target:
    """`kpi` `op` `threshold` at `statistic` over the days, e.g. excess_wait_s <= 60 at p90."""

    kpi: str
    op: str
    threshold: float
    statistic: str

    @property
    def text(self) -> str:
        return f"{self.kpi}{self.op}{self.threshold:g}@{self.statistic}"

    def holds(self, value: float) -> bool:
        """Whether `value` meets the target (NaN never does)."""
        if not math.isfinite(value):
            return False
        return value <= self.threshold if self.op == "<=" else value >= self.threshold


def parse_target(text: str) -> Target:
    """`KPI<=VALUE@STAT` or `KPI>=VALUE@STAT` (STAT one of mean, p50, p90, p95; mean when left
    out) as a target; `LrtsimError` naming what is wrong."""
    match = _TARGET.match(text)
    if match is None:
        raise LrtsimError(
            f"'{text}' is not KPI<=VALUE@STATISTIC or KPI>=VALUE@STATISTIC "
            "(e.g. excess_wait_s<=60@p90)"
        )
    kpi, op, raw, stat = match["kpi"], match["op"], match["value"], match["stat"] or "mean"
    if kpi not in STOPPING_KPIS:
        raise LrtsimError(
            f"'{kpi}' is not a KPI a target may name; one of {', '.join(STOPPING_KPIS)}"
        )
    try:
        threshold = float(raw)
    except ValueError:
        raise LrtsimError(
            f"'{raw}' is not a number (the target's value, in {kpi}'s unit)"
        ) from None
    if not math.isfinite(threshold):
        raise LrtsimError(f"the target's value must be a finite number, not {raw}")
    if stat not in STATISTICS:
        raise LrtsimError(
            f"'{stat}' is not a statistic of the days; one of {', '.join(STATISTICS)}"
        )
    return Target(kpi=kpi, op=op, threshold=threshold, statistic=stat)


@dataclass(frozen=True)
class Check:
    """One target at one headway: the statistic's estimate and interval, whether it holds, and
    whether the interval lies wholly on that side (`clear`) or straddles the threshold."""

    target: Target
    estimate: Estimate
    met: bool
    clear: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target.text,
            "value": _plain(self.estimate.value),
            "low": _plain(self.estimate.low),
            "high": _plain(self.estimate.high),
            "met": self.met,
            "clear": self.clear,
        }


def check(target: Target, summary: KpiSummary) -> Check:
    """Judge `target` on the point estimate of its statistic; `clear` when its whole interval
    is on the same side of the threshold."""
    e = summary.estimate(target.statistic)
    met = target.holds(e.value)
    clear = target.holds(e.low) == met and target.holds(e.high) == met
    return Check(target=target, estimate=e, met=met, clear=clear)


@dataclass(frozen=True)
class Point:
    """One headway tried: the policy set, the peak headway the planner ran, the fleet, the
    KPI summaries of its days and each target's check."""

    policy_headway_s: float
    peak_headway_s: float
    fleet: int
    trains_in_service: int
    days: int
    summaries: tuple[KpiSummary, ...]
    checks: tuple[Check, ...]

    @property
    def met(self) -> bool:
        return all(c.met for c in self.checks)

    @property
    def failing(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.met)

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy_headway_s": self.policy_headway_s,
            "peak_headway_s": self.peak_headway_s,
            "fleet": self.fleet,
            "trains_in_service": self.trains_in_service,
            "days": self.days,
            "met": self.met,
            "checks": [c.as_dict() for c in self.checks],
            "summaries": {s.kpi: s.as_dict() for s in self.summaries},
        }


def peak_periods(scenario: Scenario, day_type: str) -> tuple[list[int], float, float]:
    """Indices of the design day's peak periods (those at its shortest policy headway), that
    headway and the day's longest policy headway."""
    from lrtsim.planning.day_types import day_scenario, day_types

    kind = next(d for d in day_types(scenario) if d.name == day_type)
    day = periods(day_scenario(scenario, kind))
    if not day:
        raise LrtsimError(f"day type '{day_type}' has no periods to vary")
    shortest = min(p.max_headway_s for p in day)
    peaks = [i for i, p in enumerate(day) if p.max_headway_s == shortest]
    return peaks, shortest, max(p.max_headway_s for p in day)


def with_peak_headway(scenario: Scenario, day_type: str, headway_s: float) -> Scenario:
    """`scenario` with the policy headway of `day_type`'s peak periods set to `headway_s`
    (in that day type's own periods when it has them, else in `[service].periods`)."""
    from lrtsim.planning.day_types import day_scenario, day_types

    peaks, _, _ = peak_periods(scenario, day_type)
    kinds = day_types(scenario)
    kind = next(d for d in kinds if d.name == day_type)
    changed = [
        p.model_copy(update={"max_headway_s": float(headway_s)}) if i in peaks else p
        for i, p in enumerate(periods(day_scenario(scenario, kind)))
    ]
    service = scenario.service
    if kind.periods is not None:
        updated = [
            d.model_copy(update={"periods": changed}) if d.name == day_type else d
            for d in service.day_types
        ]
        new_service = service.model_copy(update={"day_types": updated})
    else:
        new_service = service.model_copy(update={"periods": changed})
    return scenario.model_copy(update={"service": new_service})


def candidates(min_headway_s: float, longest_s: float) -> list[float]:
    """The clock-face headways from the line's minimum to the day's longest policy headway."""
    got = [float(h) for h in CLOCK_FACE_S if min_headway_s - 1e-9 <= h <= longest_s + 1e-9]
    if not got:
        raise LrtsimError(
            f"no clock-face headway lies between the line's minimum of {min_headway_s:.0f} s "
            f"and the day's longest policy headway of {longest_s:.0f} s"
        )
    return got


def point_from(
    policy_headway_s: float,
    prepared: PreparedDay,
    peaks: Sequence[int],
    days: int,
    summaries: Sequence[KpiSummary],
    targets: Sequence[Target],
) -> Point:
    """A tried headway's point, from its plan and its days' summaries."""
    plan = prepared.design.plan
    by_kpi = {s.kpi: s for s in summaries}
    missing = [t.kpi for t in targets if t.kpi not in by_kpi]
    if missing:
        raise LrtsimError(
            f"the simulated days give no value of {', '.join(missing)} (a target names it)"
        )
    return Point(
        policy_headway_s=float(policy_headway_s),
        peak_headway_s=min(plan.periods[i].headway_s for i in peaks),
        fleet=plan.circulation.fleet_required,
        trains_in_service=plan.circulation.in_service_peak,
        days=days,
        summaries=tuple(summaries),
        checks=tuple(check(t, by_kpi[t.kpi]) for t in targets),
    )


@dataclass(frozen=True)
class Answer:
    """The search's outcome: every point tried (in headway order), the longest headway meeting
    every target (None when even the shortest fails) and its longer neighbour, if tried."""

    points: tuple[Point, ...]
    best: Point | None
    neighbour: Point | None


def search(headways: Sequence[float], evaluate: Callable[[float], Point]) -> Answer:
    """Bisection for the longest of `headways` (ascending) whose point meets every target,
    trying the shortest first and the answer's longer neighbour always."""
    tried: dict[float, Point] = {}

    def at(i: int) -> Point:
        h = headways[i]
        if h not in tried:
            tried[h] = evaluate(h)
        return tried[h]

    if not at(0).met:
        best_i = -1
    else:
        lo, hi = 0, len(headways)  # headways[lo] meets; every index >= hi is known to fail
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if at(mid).met:
                lo = mid
            else:
                hi = mid
        best_i = lo
    if best_i + 1 < len(headways):
        at(best_i + 1)
    points = tuple(tried[h] for h in sorted(tried))
    best = tried[headways[best_i]] if best_i >= 0 else None
    nxt = best_i + 1
    neighbour = tried.get(headways[nxt]) if nxt < len(headways) else None
    return Answer(points=points, best=best, neighbour=neighbour)


def reasoning(answer: Answer, targets: Sequence[Target], longest_s: float) -> list[str]:
    """The answer in sentences a planner can check against the evidence table."""
    lines: list[str] = []
    if answer.best is None:
        first = answer.points[0]
        lines.append(
            "No peak headway meets every target: even the shortest, "
            f"{minutes(first.policy_headway_s)}, fails{_fails(first)}."
        )
        return lines
    b = answer.best
    lines.append(
        f"The longest peak headway meeting every target is {minutes(b.peak_headway_s)}: "
        f"{b.trains_in_service} trains in service at the peak, a fleet of {b.fleet} with spares."
    )
    lines.append("At it: " + "; ".join(_verdict(c) for c in b.checks) + ".")
    unsure = [c for c in b.checks if not c.clear]
    if unsure:
        lines.append(
            "Marginal: the interval of "
            + ", ".join(c.target.text for c in unsure)
            + " straddles its threshold; more days (--days) would settle it."
        )
    n = answer.neighbour
    if n is None:
        lines.append(
            f"No longer headway was tried: {minutes(longest_s)} is the day's longest policy "
            "headway, so the targets do not bind within the policy."
        )
    else:
        lines.append(
            f"The next longer, {minutes(n.policy_headway_s)} (fleet {n.fleet}), fails{_fails(n)}."
        )
    return lines


def _verdict(c: Check) -> str:
    return (
        f"the {c.target.statistic} of {c.target.kpi} is {c.estimate.value:.3g} "
        f"[{c.estimate.low:.3g}–{c.estimate.high:.3g}] {c.target.op} {c.target.threshold:g}"
    )


def _fails(p: Point) -> str:
    return ": " + "; ".join(
        f"the {c.target.statistic} of {c.target.kpi} is {c.estimate.value:.3g} "
        f"[{c.estimate.low:.3g}–{c.estimate.high:.3g}], not {c.target.op} {c.target.threshold:g}"
        for c in p.failing
    )


def minutes(s: float) -> str:
    """A headway as 'M:SS min' (400 s: '6:40 min')."""
    whole = round(s)
    return f"{whole // 60}:{whole % 60:02d} min"


def _plain(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None
