"""GTFS-Realtime `OccupancyStatus` of a train from its load
(https://gtfs.org/realtime/reference/#enum-occupancystatus).

Thresholds, from the rolling stock's seats and the capacity passengers board up to:

- `EMPTY`: nobody on board;
- `MANY_SEATS_AVAILABLE`: at most half the seats taken;
- `FEW_SEATS_AVAILABLE`: more than half, fewer than all;
- `STANDING_ROOM_ONLY`: every seat taken, below 90 % of the capacity;
- `CRUSHED_STANDING_ROOM_ONLY`: from 90 % of the capacity;
- `FULL`: at the capacity (nobody more boards).
"""

from __future__ import annotations

CRUSHED_SHARE = 0.9
"""Share of the capacity from which a train is `CRUSHED_STANDING_ROOM_ONLY`."""


def occupancy_status(load_pax: int, seats: int, capacity_pax: float) -> str:
    """The OccupancyStatus name for `load_pax` on board (thresholds in this module's docstring)."""
    if load_pax <= 0:
        return "EMPTY"
    if load_pax >= capacity_pax:
        return "FULL"
    if load_pax >= CRUSHED_SHARE * capacity_pax:
        return "CRUSHED_STANDING_ROOM_ONLY"
    if load_pax >= seats:
        return "STANDING_ROOM_ONLY"
    if load_pax <= 0.5 * seats:
        return "MANY_SEATS_AVAILABLE"
    return "FEW_SEATS_AVAILABLE"
