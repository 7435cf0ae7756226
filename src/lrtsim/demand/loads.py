"""What an OD matrix puts on the line: boardings, alightings and link loads by hour."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lrtsim.demand.od import OdMatrix
from lrtsim.model.arrays import read_only
from lrtsim.model.direction import DIRECTIONS, Direction, direction_id, origin_index

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class LineLoads:
    """Hourly boardings and alightings per station and direction, and link loads (read-only).

    Arrays are indexed [direction, hour, station] or [direction, hour, link], the direction as in
    `DIRECTIONS` (up first), stations in line order; link k joins station k and k + 1.
    """

    stations: tuple[str, ...]
    directional_boardings: FloatArray
    directional_alightings: FloatArray
    link_loads: FloatArray

    def __post_init__(self) -> None:
        read_only(self)

    def boardings_in(self, direction: Direction) -> FloatArray:
        """Boardings per hour and station (line order) of trains running `direction`."""
        return np.asarray(self.directional_boardings[direction_id(direction)], dtype=np.float64)

    def alightings_in(self, direction: Direction) -> FloatArray:
        """Alightings per hour and station (line order) from trains running `direction`."""
        return np.asarray(self.directional_alightings[direction_id(direction)], dtype=np.float64)

    def link_in(self, direction: Direction) -> FloatArray:
        """Passengers per hour on each link (line order) in `direction`."""
        return np.asarray(self.link_loads[direction_id(direction)], dtype=np.float64)

    def on_arrival_in(self, direction: Direction) -> FloatArray:
        """Per hour and station (line order), the load of the link a train running `direction`
        arrives on; none at the station it starts from."""
        link = self.link_in(direction)
        start = origin_index(link.shape[1] + 1, direction)
        return np.insert(link, start, 0.0, axis=1)

    @property
    def boardings(self) -> FloatArray:
        """Boardings per hour and station, both directions."""
        return np.asarray(self.directional_boardings.sum(axis=0), dtype=np.float64)

    @property
    def alightings(self) -> FloatArray:
        """Alightings per hour and station, both directions."""
        return np.asarray(self.directional_alightings.sum(axis=0), dtype=np.float64)

    def peak(self) -> tuple[int, Direction, int, float]:
        """Peak hour, peak direction, maximum load link and its load (passengers per hour); up
        on a tie."""
        d, hour, link = np.unravel_index(int(np.argmax(self.link_loads)), self.link_loads.shape)
        return int(hour), DIRECTIONS[int(d)], int(link), float(self.link_loads[d, hour, link])


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
        directional_boardings=np.stack([up.sum(axis=2), down.sum(axis=2)]),
        directional_alightings=np.stack([up.sum(axis=1), down.sum(axis=1)]),
        link_loads=np.maximum(np.stack([link_up, link_down]), 0.0),
    )
