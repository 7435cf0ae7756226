"""The day's disruptions as the trains meet them: blocked interstations, closed platforms, train
failures at a place, and random failures drawn per train-km.

An incident of the scenario (`operations.incidents`) names its place by stations; here each one
becomes the running-order indices of each direction it affects, with its window in seconds.
Random failures follow a Poisson process in train-km (rate `failure_rate_per_train_km`): each
train's distances between failures are exponential, drawn from the `"failures"` stream before
the day starts, so where a train fails never depends on the order of events.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrtsim.model.direction import DIRECTIONS, Direction, running_index
from lrtsim.model.schema import Incident, Scenario

FAILURES_PER_TRAIN = 64
"""Random failures drawn per train: far more than a day can have at any plausible rate."""


@dataclass(frozen=True)
class Window:
    """An incident in one direction: from `start_s` for `duration_s`; `k` is the running index
    of the stop it is at (station) or starts from (interstation k → k + 1)."""

    number: int
    """Its place in `operations.incidents` (0-based)."""
    kind: str
    direction: Direction
    k: int
    start_s: float
    end_s: float
    between: bool
    """True for an interstation (k → k + 1), False for a station."""

    def active(self, t_s: float) -> bool:
        """True while it lasts."""
        return self.start_s <= t_s < self.end_s


def windows(scenario: Scenario) -> tuple[Window, ...]:
    """Every incident of the scenario, once per direction it affects."""
    names = [s.name for s in scenario.line.stations]
    n = len(names)
    out: list[Window] = []
    for number, incident in enumerate(scenario.operations.incidents):
        out.extend(_windows(number, incident, names, n))
    return tuple(out)


def _windows(number: int, incident: Incident, names: list[str], n: int) -> list[Window]:
    start = float(incident.at_s)
    end = start + 60.0 * incident.duration_min
    directions = DIRECTIONS if incident.direction == "both" else (incident.direction,)
    out = []
    for d in directions:
        if incident.between is not None:
            ks = sorted(running_index(n, d, names.index(x)) for x in incident.between)
            out.append(Window(number, incident.kind, d, ks[0], start, end, True))
        elif incident.station is not None:
            k = running_index(n, d, names.index(incident.station))
            out.append(Window(number, incident.kind, d, k, start, end, False))
    return out


def failure_distances_m(
    rng: np.random.Generator, rate_per_train_km: float, trains: int
) -> list[list[float]]:
    """Per train, the cumulative service distances (m) at which it fails, ascending."""
    if rate_per_train_km <= 0.0:
        return [[] for _ in range(trains)]
    gaps = rng.exponential(1000.0 / rate_per_train_km, size=(trains, FAILURES_PER_TRAIN))
    return [list(np.cumsum(row)) for row in gaps]
