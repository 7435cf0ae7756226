"""Where every train of a plan is at any second: the planned runs laid on the timetable.

Each trip follows its direction's planned run profile (`DirectionRun.profile`, the allowance run
of the timetable) from stop to stop, slowed to the published departure and arrival (published
times are whole seconds, so a segment differs from the profile by under a second; where it is
shorter, the flat-out run slowed to it); it stands at each stop from arrival to departure, and
at the terminal during its layover. The profiles are kept once per direction and each trip holds
only its stop times, so a day's motion costs the timetable and the runs. Depot moves are off the
line: a train on one has no position.

Used for the time–distance diagram, the live positions of a planned day and, as the reference,
to test a simulated day with no variability against the plan.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.dynamics.runtime import DirectionRun
from lrtsim.model.direction import DIRECTIONS, Direction, running_index

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class TripMotion:
    """One trip: its stops in running order with the published times."""

    trip_id: str
    block_id: str
    direction: Direction
    stop_sequence: tuple[int, ...]
    running_stop: tuple[int, ...]
    """Index of each stop in its direction's running order (into the profile's stops)."""
    arrival_s: tuple[float, ...]
    departure_s: tuple[float, ...]

    @property
    def start_s(self) -> float:
        """Departure from the first stop."""
        return self.departure_s[0]

    @property
    def end_s(self) -> float:
        """Arrival at the last stop."""
        return self.arrival_s[-1]


@dataclass(frozen=True)
class Layover:
    """A train standing at a station from `from_s` to `to_s`, waiting to run `trip`."""

    block_id: str
    trip: TripMotion
    from_s: float
    to_s: float
    km: float


@dataclass(frozen=True)
class Position:
    """A train at one moment: where, how fast, on which trip, and its next stop."""

    block_id: str
    trip_id: str
    direction: Direction
    km: float
    speed_mps: float
    next_stop_sequence: int
    """The stop of `trip_id` it is at (standing) or heading for; in a layover, the first stop
    of the trip it waits to run."""
    standing: bool


@dataclass(frozen=True, eq=False)
class PlanMotion:
    """The motion of every trip of a plan, answering `position_at(t)`."""

    runs: dict[Direction, DirectionRun]
    trips: tuple[TripMotion, ...]
    """Ordered by departure."""
    layovers: tuple[Layover, ...] = ()
    """Trains standing at a station before a trip (at a terminal, or a gate to the depot)."""
    _starts: list[float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", [t.start_s for t in self.trips])

    def trip_position(self, trip: TripMotion, t_s: float) -> Position:
        """Where `trip` is at `t_s` (within its span): standing at a stop, or on a segment."""
        profile = self.runs[trip.direction].profile
        stops = profile.stop_index
        for k in range(len(trip.running_stop)):
            if trip.arrival_s[k] <= t_s <= trip.departure_s[k] or (
                k == len(trip.running_stop) - 1 and t_s >= trip.arrival_s[k]
            ):
                i = int(stops[trip.running_stop[k]])
                return Position(trip.block_id, trip.trip_id, trip.direction,
                                float(profile.km[i]), 0.0, trip.stop_sequence[k], True)  # fmt: skip
            if k + 1 < len(trip.running_stop) and t_s < trip.arrival_s[k + 1]:
                a, b = int(stops[trip.running_stop[k]]), int(stops[trip.running_stop[k + 1]])
                return self._on_segment(trip, k, a, b, t_s)
        raise ValueError(f"{trip.trip_id} does not run at {t_s:g} s")

    def _on_segment(self, trip: TripMotion, k: int, a: int, b: int, t_s: float) -> Position:
        """Position between stop k and k + 1: the planned run's segment, slowed to the published
        time (v = dx/dt of the slowed run). Where the published time is shorter than the planned
        run (rounding to whole seconds), the flat-out run slowed to it instead: the timetable
        never publishes a segment faster than that, so no train runs above its limits."""
        run = self.runs[trip.direction]
        planned = trip.arrival_s[k + 1] - trip.departure_s[k]
        profile, stretch = run.segment_drive(trip.running_stop[k], planned)
        time = profile.time_s[a : b + 1] - profile.time_s[a]
        local = (t_s - trip.departure_s[k]) * stretch
        km = float(np.interp(local, time, profile.km[a : b + 1]))
        speed = float(np.interp(local, time, profile.speed_mps[a : b + 1])) * stretch
        return Position(trip.block_id, trip.trip_id, trip.direction, km, speed,
                        trip.stop_sequence[k + 1], False)  # fmt: skip

    def position_at(self, t_s: float) -> list[Position]:
        """Every train on the line at `t_s`: on a trip, or standing in a layover."""
        out: list[Position] = []
        last = bisect.bisect_right(self._starts, t_s)
        for trip in self.trips[:last]:
            if trip.start_s <= t_s <= trip.end_s:
                out.append(self.trip_position(trip, t_s))
        for lay in self.layovers:
            if lay.from_s < t_s < lay.to_s:
                out.append(Position(lay.block_id, lay.trip.trip_id, lay.trip.direction, lay.km,
                                    0.0, lay.trip.stop_sequence[0], True))  # fmt: skip
        return sorted(out, key=lambda p: p.block_id)

    def sample(self, trip: TripMotion, step_s: float = 1.0) -> pd.DataFrame:
        """`trip` every `step_s` seconds from departure to arrival (and at both ends): time_s,
        km, speed_mps — for drawing the time–distance diagram."""
        times = np.append(np.arange(trip.start_s, trip.end_s, step_s), trip.end_s)
        rows = [self.trip_position(trip, float(t)) for t in times]
        return pd.DataFrame(
            {
                "time_s": times,
                "km": [p.km for p in rows],
                "speed_mps": [p.speed_mps for p in rows],
            }
        )


def plan_motion(
    runs: tuple[DirectionRun, ...], timetable: pd.DataFrame, blocks: pd.DataFrame | None = None
) -> PlanMotion:
    """The motion of a plan's trips (`ServicePlan.runs`, `.timetable`) and, given its blocks,
    the trains standing at terminals between trips."""
    by_direction = {r.direction: r for r in runs}
    n = len(by_direction[DIRECTIONS[0]].profile.stop_index)
    trips: list[TripMotion] = []
    for trip_id, rows in timetable.groupby("trip_id", sort=False):
        rows = rows.sort_values("stop_sequence")
        direction: Direction = rows["direction"].iloc[0]
        trips.append(
            TripMotion(
                trip_id=str(trip_id),
                block_id=str(rows["block_id"].iloc[0]),
                direction=direction,
                stop_sequence=tuple(int(s) for s in rows["stop_sequence"]),
                running_stop=tuple(
                    running_index(n, direction, int(i)) for i in rows["station_index"]
                ),
                arrival_s=tuple(float(t) for t in rows["arrival_s"]),
                departure_s=tuple(float(t) for t in rows["departure_s"]),
            )
        )
    trips.sort(key=lambda t: (t.start_s, t.trip_id))
    layovers: list[Layover] = []
    if blocks is not None:
        up = by_direction["up"].profile
        km_of = {name: float(up.km[int(i)]) for name, i in zip(up.station_names, up.stop_index,
                                                                strict=True)}  # fmt: skip
        by_id = {t.trip_id: t for t in trips}
        ordered = blocks.sort_values(["block_id", "sequence"], kind="stable")
        records = cast(list[dict[str, Any]], ordered.to_dict("records"))
        for _, group in itertools.groupby(records, key=lambda r: r["block_id"]):
            visits = list(group)
            for k, row in enumerate(visits):
                if row["activity"] != "layover" or not row["end_s"] > row["start_s"]:
                    continue
                following = next((r["trip_id"] for r in visits[k + 1 :] if r["activity"] == "trip"),
                                 None)  # fmt: skip
                where = str(row["from_station"])
                if following is None or where not in km_of:
                    continue  # waiting to go back to the depot: shown with the trip before
                trip = by_id[str(following)]
                start, end = float(row["start_s"]), float(row["end_s"])
                layovers.append(Layover(str(row["block_id"]), trip, start, end, km_of[where]))
    return PlanMotion(by_direction, tuple(trips), tuple(layovers))
