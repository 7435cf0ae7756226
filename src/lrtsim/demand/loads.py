"""What an OD matrix puts on the line: boardings, alightings and link loads by hour."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from lrtsim.demand.od import OdMatrix

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class LineLoads:
    """Hourly boardings and alightings per station and direction, and link loads.

    Arrays are indexed [hour, station] or [hour, link]; link k joins station k and k+1 (line
    order) in both directions.
    """

    stations: tuple[str, ...]
    boardings_up: FloatArray
    alightings_up: FloatArray
    boardings_down: FloatArray
    alightings_down: FloatArray
    link_up: FloatArray
    link_down: FloatArray

    @property
    def boardings(self) -> FloatArray:
        """Boardings per hour and station, both directions."""
        return self.boardings_up + self.boardings_down

    @property
    def alightings(self) -> FloatArray:
        """Alightings per hour and station, both directions."""
        return self.alightings_up + self.alightings_down

    def peak(self) -> tuple[int, Literal["up", "down"], int, float]:
        """Peak hour, peak direction, maximum load link and its load (passengers per hour)."""
        up = np.unravel_index(int(np.argmax(self.link_up)), self.link_up.shape)
        down = np.unravel_index(int(np.argmax(self.link_down)), self.link_down.shape)
        if self.link_up[up] >= self.link_down[down]:
            return int(up[0]), "up", int(up[1]), float(self.link_up[up])
        return int(down[0]), "down", int(down[1]), float(self.link_down[down])


def line_loads(od: OdMatrix) -> LineLoads:
    """Boardings, alightings and link loads of an OD matrix on a single line."""
    t = od.trips
    upper = np.triu(np.ones(t.shape[1:]), k=1)
    lower = np.tril(np.ones(t.shape[1:]), k=-1)
    up, down = t * upper, t * lower
    # Load on link k (k → k+1) going up: trips with origin ≤ k and destination ≥ k+1, i.e. the
    # running sum of boardings minus alightings up to station k.
    link_up = np.cumsum(up.sum(axis=2) - up.sum(axis=1), axis=1)[:, :-1]
    # Going down, link k (k+1 → k) carries trips with origin ≥ k+1 and destination ≤ k.
    net_down = down.sum(axis=2) - down.sum(axis=1)
    link_down = np.cumsum(net_down[:, ::-1], axis=1)[:, ::-1][:, 1:]
    return LineLoads(
        stations=od.stations,
        boardings_up=up.sum(axis=2),
        alightings_up=up.sum(axis=1),
        boardings_down=down.sum(axis=2),
        alightings_down=down.sum(axis=1),
        link_up=np.maximum(link_up, 0.0),
        link_down=np.maximum(link_down, 0.0),
    )
