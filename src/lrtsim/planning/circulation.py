"""Vehicle circulation: chain trips into blocks at the terminals, with depot moves.

Trips are taken in order of departure. A train that arrived at the terminal and has finished its
layover (the longer of `service.layover_s` and the terminal's least turnaround from the capacity
layer) takes the next departure there; of several ready trains the one ready most recently goes,
so that when service thins the trains that have waited longest are the surplus: a train that
would wait longer than twice the current headway goes back to the depot.
When no train is ready a new one is pulled out of the depot: to the depot-end terminal over the
access track, or on across the line as an empty (deadhead) run to the far terminal. At the end of
service every train runs back to the depot. The fleet is the most trains out of the depot at
once, plus spares. Ceder, *Public Transit Planning and Operation*, 2nd ed. (2016), ch. 5–6.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import pandas as pd

from lrtsim.planning.service import PeriodPlan, headway_at
from lrtsim.planning.tables import BLOCK_COLUMNS


@dataclass(frozen=True)
class DepotLink:
    """Where the depot joins the line and what reaching each terminal from it costs."""

    name: str
    near_terminal: str
    far_terminal: str
    access_s: float
    access_m: float
    deadhead_out_s: float
    """Empty run from the near terminal to the far one (non-stop, from the dynamics layer)."""
    deadhead_back_s: float
    """Empty run from the far terminal back to the near one."""
    deadhead_m: float


@dataclass(frozen=True, eq=False)
class Circulation:
    """Blocks, the timetable with block ids, and the fleet figures."""

    blocks: pd.DataFrame
    timetable: pd.DataFrame
    in_service_peak: int
    spares: int

    @property
    def fleet_required(self) -> int:
        """Trains to own: the peak out of the depot plus spares."""
        return self.in_service_peak + self.spares

    @property
    def train_km(self) -> float:
        """Kilometres run by all trains, in service and empty."""
        return float(self.blocks["distance_m"].sum()) / 1000.0

    @property
    def train_hours(self) -> float:
        """Hours all trains spend out of the depot."""
        spans = self.blocks.groupby("block_id").agg(start=("start_s", "min"), end=("end_s", "max"))
        return float((spans["end"] - spans["start"]).sum()) / 3600.0

    @property
    def depot_moves(self) -> int:
        """Pull-outs plus pull-ins."""
        return int(self.blocks["activity"].isin(["pull_out", "pull_in"]).sum())


def out_of_depot(blocks: pd.DataFrame) -> tuple[int, float]:
    """Most blocks active at once and when (a sweep over start and end times)."""
    spans = blocks.groupby("block_id").agg(start=("start_s", "min"), end=("end_s", "max"))
    events = sorted(
        [(t, 1) for t in spans["start"]] + [(t, -1) for t in spans["end"]],
        key=lambda e: (e[0], e[1]),
    )
    count = best = 0
    when = 0.0
    for t, step in events:
        count += step
        if count > best:
            best, when = count, t
    return best, when


def circulate(
    timetable: pd.DataFrame,
    plans: list[PeriodPlan],
    depot: DepotLink,
    layover_s: dict[str, float],
    spare_ratio: float,
) -> Circulation:
    """Blocks for every trip of `timetable`; `layover_s` is the least layover per terminal."""
    firsts = timetable.groupby("trip_id", sort=False).agg(
        start=("departure_s", "first"),
        end=("arrival_s", "last"),
        origin=("station", "first"),
        destination=("station", "last"),
        distance=("distance_m", "last"),
    )
    firsts = firsts.sort_values("start", kind="stable")
    ready: dict[str, deque[tuple[float, float, str]]] = {
        depot.near_terminal: deque(),
        depot.far_terminal: deque(),
    }
    rows: list[dict[str, object]] = []
    sequence: dict[str, int] = {}
    block_of: dict[str, str] = {}

    def add(
        block: str, activity: str, trip: str, a: str, b: str, t0: float, t1: float, m: float
    ) -> None:
        sequence[block] = sequence.get(block, 0) + 1
        rows.append(
            {
                "block_id": block,
                "sequence": sequence[block],
                "activity": activity,
                "trip_id": trip,
                "from_station": a,
                "to_station": b,
                "start_s": t0,
                "end_s": t1,
                "distance_m": m,
            }
        )

    def pull_in(block: str, at: str, arrived: float, t: float) -> None:
        """Wait out the layover, run empty to the near terminal if needed, enter the depot."""
        if t > arrived:
            add(block, "layover", "", at, at, arrived, t, 0.0)
        if at == depot.far_terminal:
            end = t + depot.deadhead_back_s
            add(block, "deadhead", "", at, depot.near_terminal, t, end, depot.deadhead_m)
            t = end
        stop = t + depot.access_s
        add(block, "pull_in", "", depot.near_terminal, depot.name, t, stop, depot.access_m)

    count = 0
    for trip_id, trip in firsts.iterrows():
        origin, destination = str(trip["origin"]), str(trip["destination"])
        start, end = float(trip["start"]), float(trip["end"])
        queue = ready[origin]
        patience = 2.0 * headway_at(plans, start)
        while queue and queue[0][0] + patience < start:
            _, arrived, block = queue.popleft()
            pull_in(block, origin, arrived, arrived + layover_s[origin])
        ready_now = [i for i, item in enumerate(queue) if item[0] <= start + 1e-9]
        if ready_now:
            # The train ready most recently goes: when service thins, the surplus is the trains
            # that have waited longest, and they are the ones sent to the depot.
            _, arrived, block = queue[ready_now[-1]]
            del queue[ready_now[-1]]
            add(block, "layover", "", origin, origin, arrived, start, 0.0)
        else:
            count += 1
            block = f"B{count:03d}"
            t = start - layover_s[origin]
            if origin == depot.far_terminal:
                t0 = t - depot.deadhead_out_s
                add(
                    block,
                    "pull_out",
                    "",
                    depot.name,
                    depot.near_terminal,
                    t0 - depot.access_s,
                    t0,
                    depot.access_m,
                )
                add(block, "deadhead", "", depot.near_terminal, origin, t0, t, depot.deadhead_m)
            else:
                add(
                    block, "pull_out", "", depot.name, origin, t - depot.access_s, t, depot.access_m
                )
            add(block, "layover", "", origin, origin, t, start, 0.0)
        add(block, "trip", str(trip_id), origin, destination, start, end, float(trip["distance"]))
        block_of[str(trip_id)] = block
        ready[destination].append((end + layover_s[destination], end, block))
        ready[destination] = deque(sorted(ready[destination]))
    for terminal, queue in ready.items():
        for available, arrived, block in queue:
            pull_in(block, terminal, arrived, available)
    blocks = pd.DataFrame(rows, columns=list(BLOCK_COLUMNS))
    blocks = blocks.sort_values(["block_id", "sequence"], kind="stable").reset_index(drop=True)
    out = timetable.copy()
    out["block_id"] = out["trip_id"].map(block_of)
    peak, _ = out_of_depot(blocks)
    spares = math.ceil(spare_ratio * peak - 1e-9)
    return Circulation(blocks=blocks, timetable=out, in_service_peak=peak, spares=spares)
