"""Every run of a line that the later layers read, from one object built once.

Capacity reads the minimum-time runs of full trains (`CAPACITY_LOAD`); planning reads the runs
of half-full trains with the scenario's allowance, driven to save energy (`PLANNING_LOAD`), and
the empty non-stop moves of its depot link. A `LineRuns` computes each on first use and keeps
it, so that a service plan, or the plans of all day types (which share line, train, allowance
and dwells), enter the physics once for each run they need.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from lrtsim.dynamics.load_cases import CAPACITY_LOAD, PLANNING_LOAD
from lrtsim.dynamics.nonstop import empty_run_s
from lrtsim.dynamics.runtime import DirectionRun, running_times
from lrtsim.model.schema import Scenario


@dataclass(frozen=True, eq=False)
class LineRuns:
    """The runs of one scenario's line, each computed when first asked for and then kept."""

    scenario: Scenario
    _empty_s: dict[tuple[float, float], float] = field(default_factory=dict, init=False, repr=False)

    @functools.cached_property
    def minimum(self) -> tuple[DirectionRun, DirectionRun]:
        """Minimum-time runs up and down at `CAPACITY_LOAD` (no allowance), for headways."""
        up, down = running_times(self.scenario, ("up", "down"), load=CAPACITY_LOAD)
        return up, down

    @functools.cached_property
    def planned(self) -> tuple[DirectionRun, DirectionRun]:
        """Runs up and down at `PLANNING_LOAD` with `service.allowance_pct`, for the timetable."""
        allowance = self.scenario.service.allowance_pct
        up, down = running_times(self.scenario, load=PLANNING_LOAD, allowance_pct=allowance)
        return up, down

    def empty_s(self, from_km: float, to_km: float) -> float:
        """Seconds of an empty non-stop move between two chainages (`nonstop.empty_run_s`)."""
        key = (from_km, to_km)
        if key not in self._empty_s:
            self._empty_s[key] = empty_run_s(self.scenario, from_km, to_km)
        return self._empty_s[key]

    def serve(self, scenario: Scenario) -> LineRuns:
        """These runs, after checking they are `scenario`'s: the same line, train, allowance and
        dwells (what a day type cannot change). A mismatch is a bug: ValueError."""
        mine = self.scenario
        same = (
            _same(scenario.line, mine.line)
            and _same(scenario.rolling_stock, mine.rolling_stock)
            and scenario.service.allowance_pct == mine.service.allowance_pct
            and _same(scenario.service.dwell, mine.service.dwell)
        )
        if not same:
            raise ValueError(f"these runs are {mine.name}'s, not those of {scenario.name}")
        return self


def _same(a: object, b: object) -> bool:
    return a is b or a == b


def line_runs(scenario: Scenario, runs: LineRuns | None = None) -> LineRuns:
    """`runs` if given (checked to be the scenario's), else new runs of the scenario's line."""
    return LineRuns(scenario) if runs is None else runs.serve(scenario)
