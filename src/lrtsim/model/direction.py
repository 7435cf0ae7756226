"""Direction of travel: `up` runs in line order (first station to last), `down` against it.

The one place the flip is made: which station a run starts from, the stations in running order,
the sign of chainage along the run, GTFS's direction_id. Tables and JSON carry the strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt

Direction = Literal["up", "down"]
DIRECTIONS: tuple[Direction, Direction] = ("up", "down")
"""Both directions, up first; GTFS direction_id is the index in this tuple."""

T = TypeVar("T")
Km = TypeVar("Km", float, npt.NDArray[np.float64])


def line_order(n: int, direction: Direction) -> tuple[int, ...]:
    """Indices (line order) of `n` stations in the order a train running `direction` meets them.

    The flip is its own inverse: indexing a running-order sequence with it gives line order.
    """
    return tuple(range(n)) if direction == "up" else tuple(range(n - 1, -1, -1))


def running_order(items: Sequence[T], direction: Direction) -> tuple[T, ...]:
    """`items` given in line order, in running order (or back: the flip is its own inverse)."""
    return tuple(items[i] for i in line_order(len(items), direction))


def running_index(n: int, direction: Direction, index: int) -> int:
    """Position in running order of the station at line index `index` (and back)."""
    return index if direction == "up" else n - 1 - index


def origin_index(n: int, direction: Direction) -> int:
    """Line index of the station a run in `direction` starts from."""
    return running_index(n, direction, 0)


def sign(direction: Direction) -> float:
    """+1 when chainage grows along the run (up), −1 when it falls (down)."""
    return 1.0 if direction == "up" else -1.0


def along_m(km: Km, origin_km: float, direction: Direction) -> Km:
    """Metres from chainage `origin_km` to chainage `km` (a number or an array) in the
    direction of travel: negative behind the origin."""
    return (km - origin_km) * 1000.0 if direction == "up" else (origin_km - km) * 1000.0


def direction_id(direction: Direction) -> int:
    """GTFS direction_id: 0 for up, 1 for down."""
    return DIRECTIONS.index(direction)


def opposite(direction: Direction) -> Direction:
    """The other direction."""
    return "down" if direction == "up" else "up"


def heading(from_index: float, to_index: float) -> Direction:
    """The direction from one point of the line to another (by index or chainage): up when it
    increases."""
    return "up" if to_index > from_index else "down"
