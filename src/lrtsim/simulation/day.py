"""A simulated service day: every train running its block, passengers boarding, dwells from them.

No incidents and no control yet. The rules, each from the layer that owns the number:

- **Trips in block order.** Each train (block) runs its trips in block order. A trip's first
  departure is no earlier than its published one and no earlier than the previous trip's
  arrival plus the least turnaround of that terminal (`capacity.terminal`, `turnaround_s`),
  plus the planned duration of any empty move (deadhead) in between. A block's first trip
  leaves on time (the pull-out is assumed punctual).
- **Schedule-based running.** At every stop a train leaves no earlier than its published
  departure: light rail runs to a timetable, so an early train waits (TCQSM 3rd ed., TCRP
  Report 165, 2013, ch. 4: schedule-based operation at timepoints; here every stop is one).
- **Running times.** A segment takes its published running time (the dynamics layer's
  allowance run as the timetable rounds it: planned arrival at the next stop − planned
  departure) × a lognormal factor of mean 1 and coefficient of variation
  `operations.run_time_cv`, never less than the flat-out run (`run.minimum`): a late train may
  run flat out, not faster.
- **Dwells.** At an intermediate stop the doors open on arrival; the passengers alight and
  board (`boarding.PassengerState.serve_visit`, capacity at the planner's loading standard) and
  the dwell is `planning.dwell.dwell_s` of those boardings and alightings × a lognormal factor
  of mean 1 and cv `operations.dwell_cv`, at least the station's own dwell. At a trip's first
  stop the doors open when the train is ready to leave and it leaves as soon as it may (its
  passengers boarded during the layover); at its last stop everyone alights.
- **Separation** (from `capacity`, one source of truth). A station headway is measured
  between two trains' arrivals at the stop: h = approach + leader's dwell + clearing + release
  + margin (`capacity.headway`, TCQSM ch. 8). The leader's arrival plus its dwell is its
  departure, so the rule is

      arrival(follower, s) ≥ departure(leader, s) + station_separation_s(headway at s)

  at every intermediate stop s (`capacity.segments.station_separation_s`: approach + clearing
  + release + margin). The follower is held at its previous stop k until it may leave:
  departure(k) ≥ departure(leader, s) + separation − its run time k → s. This is a CBTC
  regulation simplification: the train waits at the platform, never brakes to a stand on the
  line and restarts (that, with physics from `dynamics`, is still to come). The leader at s is
  the trip before in the published order of arrivals at s in that direction; there is no
  overtaking, so the order holds. The rule is causal: the leader's departure from s is known
  once its doors have opened there (its dwell follows from its passengers) and its own leader's
  is known; until then the follower stays at k. A follower less than one running time behind
  its leader can therefore wait longer than moving block needs; at the planned headways
  (several running times) it never does. Terminal arrivals and departures are separated by
  the turnaround only (the terminal's resources are still to come).

Random draws come from the `"run_time"` and `"dwell"` streams (`seeds`), one factor per stop
of the timetable drawn before the day starts, so a draw never depends on the order of events;
passengers from the `"arrivals"` stream. Same seed, same tables.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.capacity.segments import station_separation_s
from lrtsim.model.direction import DIRECTIONS, Direction, running_index
from lrtsim.model.schema import Scenario, station_dwell_s
from lrtsim.planning.dwell import dwell_s
from lrtsim.planning.plan import ServicePlan
from lrtsim.simulation.arrivals import draw_arrivals, service_hours_s
from lrtsim.simulation.boarding import PassengerState, VisitOutcome
from lrtsim.simulation.kernel import Kernel
from lrtsim.simulation.passenger_day import VisitTable, passenger_records, visit_table
from lrtsim.simulation.seeds import generator, stream
from lrtsim.simulation.tables import PASSENGER_COLUMNS, STOP_TIMES_COLUMNS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

EVENT_COLUMNS = (
    "time_s",  # float
    "train_id",  # str: the train (= block_id)
    "block_id",  # str
    "trip_id",  # str ("" for pull_out, pull_in)
    "event",  # "pull_out" | "arrive" | "depart" | "pull_in"
    "station",  # str
    "direction",  # "up" | "down" ("" for pull_out, pull_in)
    "boarded",  # int: at an arrival, those who boarded at this visit; else 0
    "alighted",  # int: at an arrival, those who alighted; else 0
    "load",  # int: on board (arriving: before anyone alights; departing: as it leaves)
    "left_behind",  # int: at an arrival, those left on the platform by a full train; else 0
)
"""The event log, sorted by time (ties in the order the simulation decided them)."""

STOP_VISIT_COLUMNS = (
    "trip_id",
    "block_id",
    "stop_sequence",
    "station",
    "station_index",
    "direction",
    "arrival_s",
    "departure_s",
    "alighted",
    "boarded",
    "load_on_arrival",
    "load_on_departure",
    "left_behind",
    "held_s",  # float: time held at this stop by separation from the leader
)
"""One row per stop visit in timetable order (`simulation.tables.STOP_VISIT_COLUMNS` and more)."""


@dataclass(frozen=True, eq=False)
class DayResult:
    """One simulated day as tables (the contracts of `simulation.tables`, read by `metrics`)."""

    seed: int
    stop_times: pd.DataFrame
    """`STOP_TIMES_COLUMNS`, timetable order."""
    stop_visits: pd.DataFrame
    """`STOP_VISIT_COLUMNS` of this module."""
    passengers: pd.DataFrame
    """`simulation.tables.PASSENGER_COLUMNS`: stations by name, in passenger id order."""
    runs: pd.DataFrame
    """`simulation.tables.RUN_COLUMNS`, one row per trip run (empty moves not yet included)."""
    events: pd.DataFrame
    """`EVENT_COLUMNS`."""
    capacity_pax: float
    """The train capacity passengers boarded up to (the loading standard's)."""


def as_direction(label: str) -> Direction:
    """A timetable's direction label as a `Direction` (ValueError for anything else)."""
    for d in DIRECTIONS:
        if label == d:
            return d
    raise ValueError(f"unknown direction {label!r}; the directions are {', '.join(DIRECTIONS)}")


def lognormal_factors(rng: np.random.Generator, cv: float, size: int) -> FloatArray:
    """Lognormal factors of mean 1 and coefficient of variation `cv`: σ² = ln(1 + cv²),
    μ = −σ²/2 (so E = exp(μ + σ²/2) = 1). Exactly 1 when cv is 0 (nothing drawn)."""
    if cv == 0:
        return np.ones(size)
    sigma = math.sqrt(math.log1p(cv * cv))
    return np.asarray(rng.lognormal(-0.5 * sigma * sigma, sigma, size), dtype=np.float64)


@dataclass(frozen=True, eq=False)
class _Stops:
    """The timetable's stop visits in trip order (a trip's visits consecutive, by sequence)."""

    trip_id: tuple[str, ...]
    """Per visit."""
    stop_sequence: IntArray
    station_name: tuple[str, ...]
    block_id: tuple[str, ...]
    direction: tuple[Direction, ...]
    trip: IntArray
    station: IntArray
    trip_end: IntArray
    trip_start: IntArray
    planned_arrival_s: FloatArray
    planned_departure_s: FloatArray
    run_s: FloatArray
    """From this stop to the trip's next: the published time (NaN at the last stop)."""
    least_run_s: FloatArray
    """The flat-out run of that segment."""
    segment_energy_j: FloatArray
    distance_m: FloatArray
    own_dwell_s: FloatArray
    separation_s: FloatArray
    """At this stop (NaN where none applies: terminals)."""
    leader: IntArray
    """The visit of the train before at this stop and direction (−1: none)."""


def _stops(plan: ServicePlan, scenario: Scenario, visits: VisitTable) -> _Stops:
    """The numbers each stop visit reads, from the plan (times, runs, separations, leaders)."""
    tt = plan.timetable.iloc[visits.rows].reset_index(drop=True)
    n = len(scenario.line.stations)
    codes = visits.trip
    station = tt["station_index"].to_numpy(dtype=np.int64)
    arrival = tt["arrival_s"].to_numpy(dtype=np.float64)
    departure = tt["departure_s"].to_numpy(dtype=np.float64)
    direction: tuple[Direction, ...] = tuple(as_direction(str(d)) for d in tt["direction"])
    same_next = np.zeros(len(tt), dtype=bool)
    same_next[:-1] = codes[1:] == codes[:-1]
    run_s = np.full(len(tt), np.nan)
    run_s[:-1] = np.where(same_next[:-1], arrival[1:] - departure[:-1], np.nan)
    runs = {r.direction: r for r in plan.runs}
    least = np.full(len(tt), np.nan)
    energy = np.zeros(len(tt))
    distance = np.zeros(len(tt))
    for v in np.flatnonzero(same_next):
        run = runs[direction[v]]
        i = running_index(n, direction[v], int(station[v]))
        least[v] = run.minimum.segments[i].run_time_s
        energy[v] = run.profile.segments[i].line_energy_j
        distance[v] = run.profile.segments[i].distance_m
    model = scenario.service.dwell
    own = np.array([station_dwell_s(scenario.line.stations[s], model) for s in station])
    separation: dict[tuple[str, str], float] = {
        (d.direction, h.where): station_separation_s(h)
        for d in plan.capacity.directions
        for h in d.stations
    }
    names = [s.name for s in scenario.line.stations]
    sep = np.array(
        [separation.get((direction[v], names[s]), np.nan) for v, s in enumerate(station)]
    )
    # The leader at each stop: the visit before in published arrival order, per direction.
    leader = np.full(len(tt), -1, dtype=np.int64)
    key = np.array([0 if d == "up" else 1 for d in direction], dtype=np.int64) * n + station
    order = np.lexsort((np.arange(len(tt)), arrival, key))
    same_place = key[order][1:] == key[order][:-1]
    leader[order[1:][same_place]] = order[:-1][same_place]
    ends = np.flatnonzero(~same_next) + 1
    trip_end = np.repeat(ends, np.diff(ends, prepend=0)).astype(np.int64)
    starts = np.concatenate(([0], ends[:-1]))
    trip_start = np.repeat(starts, np.diff(ends, prepend=0)).astype(np.int64)
    return _Stops(
        trip_id=tuple(str(t) for t in tt["trip_id"]),
        stop_sequence=tt["stop_sequence"].to_numpy(dtype=np.int64),
        station_name=tuple(str(x) for x in tt["station"]),
        block_id=tuple(str(b) for b in tt["block_id"]),
        direction=direction,
        trip=codes,
        station=station,
        trip_end=trip_end,
        trip_start=trip_start,
        planned_arrival_s=arrival,
        planned_departure_s=departure,
        run_s=run_s,
        least_run_s=least,
        segment_energy_j=energy,
        distance_m=distance,
        own_dwell_s=own,
        separation_s=sep,
        leader=leader,
    )


class _Day:
    """The mutable state of one simulated day (private: `simulate_day` returns tables)."""

    def __init__(self, plan: ServicePlan, scenario: Scenario, seed: int) -> None:
        visits = visit_table(plan.timetable, len(scenario.line.stations))
        self.visits = visits
        self.stops = _stops(plan, scenario, visits)
        self.scenario = scenario
        stock = scenario.rolling_stock
        self.capacity_pax = stock.capacity_at(scenario.service.loading_standard_pax_per_m2)
        size = len(visits.rows)
        ops = scenario.operations
        self.run_factor = lognormal_factors(generator(seed, "run_time"), ops.run_time_cv, size)
        self.dwell_factor = lognormal_factors(generator(seed, "dwell"), ops.dwell_cv, size)
        start_s, end_s = service_hours_s(scenario)
        self.arrivals = draw_arrivals(
            plan.od, stream(seed, "arrivals"), start_s=start_s, end_s=end_s
        )
        self.passengers = PassengerState(self.arrivals, len(visits.trip_ids))
        self.arrival_s = np.full(size, np.nan)
        self.departure_s = np.full(size, np.nan)
        self.ready_s = np.full(size, np.nan)
        self.run_time_s = np.full(size, np.nan)
        self.outcome = np.zeros((size, 5), dtype=np.int64)
        self.waiting: dict[int, list[int]] = defaultdict(list)
        """Leader's visit → the followers' visits (at the stop before) waiting for its departure."""
        self.events: list[tuple[float, str, int]] = []
        """(time, event, visit) in the order decided, turned into a table at the end."""
        self.kernel: Kernel[int] = Kernel()
        self._next_trip, self._turn_s = self._blocks(plan)

    def _blocks(self, plan: ServicePlan) -> tuple[dict[int, int], dict[int, float]]:
        """Per trip's last visit: the first visit of the block's next trip and the least time
        between the arrival there and that departure (turnaround + planned empty moves)."""
        s = self.stops
        first_visit = {s.trip_id[v]: v for v in range(len(s.trip_id)) if v == s.trip_start[v]}
        turnaround = {t.name: t.turnaround_s for t in plan.capacity.terminals}
        names = [st.name for st in self.scenario.line.stations]
        next_trip: dict[int, int] = {}
        turn_s: dict[int, float] = {}
        self.block_first: list[int] = []
        self.block_last: dict[str, int] = {}
        self.pull: list[tuple[str, str, float]] = []
        self.pull_station: list[str] = []
        for block_id, acts in plan.blocks.sort_values(["block_id", "sequence"]).groupby(
            "block_id", sort=True
        ):
            previous: int | None = None
            empty_s = 0.0
            for act in acts.to_dict("records"):
                if act["activity"] == "trip":
                    v = first_visit[str(act["trip_id"])]
                    if previous is None:
                        self.block_first.append(v)
                    else:
                        last = int(s.trip_end[previous]) - 1
                        here = names[int(s.station[v])]
                        same = names[int(s.station[last])] == here
                        least = turnaround.get(here, float(s.own_dwell_s[v])) if same else 0.0
                        next_trip[last] = v
                        turn_s[last] = max(least, empty_s)
                    previous, empty_s = v, 0.0
                    self.block_last[str(block_id)] = int(s.trip_end[v]) - 1
                elif act["activity"] in ("deadhead",):
                    empty_s += float(act["end_s"]) - float(act["start_s"])
                elif act["activity"] in ("pull_out", "pull_in"):
                    self.pull.append((str(block_id), str(act["activity"]), float(act["start_s"])))
                    self.pull_station.append(str(act["from_station"]))
        return next_trip, turn_s

    # --- the day -------------------------------------------------------------------------

    def run(self) -> None:
        for v in self.block_first:
            self.kernel.schedule(float(self.stops.planned_departure_s[v]), v)
        self.kernel.run(lambda _k, v: self.doors_open(v))

    def doors_open(self, v: int) -> None:
        """Train of visit v opens its doors at its stop (now): passengers, dwell, departure."""
        s, now = self.stops, self.kernel.now_s
        self.arrival_s[v] = now
        end = int(s.trip_end[v])
        later = s.station[v + 1 : end]
        out = self.passengers.serve_visit(
            v, int(s.trip[v]), int(s.station[v]), now, later, self.capacity_pax
        )
        self.outcome[v] = (
            out.boarded,
            out.alighted,
            out.load_on_arrival,
            out.load_on_departure,
            out.left_behind,
        )
        self._log(now, "arrive", v)
        if v == end - 1:  # the trip's last stop: it ends here
            self.departure_s[v] = now
            self._released(v)
            nxt = self._next_trip.get(v)
            if nxt is not None:
                ready = max(now + self._turn_s[v], float(s.planned_departure_s[nxt]))
                self.kernel.schedule(ready, nxt)
            return
        if v == int(s.trip_start[v]):
            ready = now
        else:
            ready = max(now + self._dwell_s(v, out), float(s.planned_departure_s[v]))
        self.ready_s[v] = ready
        self.run_time_s[v] = max(float(s.run_s[v]) * self.run_factor[v], float(s.least_run_s[v]))
        self._try_depart(v)

    def _dwell_s(self, v: int, out: VisitOutcome) -> float:
        stock, own = self.scenario.rolling_stock, float(self.stops.own_dwell_s[v])
        model = dwell_s(
            self.scenario.service.dwell,
            out.boarded,
            out.alighted,
            out.load_on_arrival,
            doors_per_side=stock.doors_per_side,
            seats=stock.seats,
            minimum_s=own,
        )
        return max(model * float(self.dwell_factor[v]), own)

    def _try_depart(self, v: int) -> None:
        """Decide visit v's departure if its leader at the next stop has decided its own."""
        s = self.stops
        nxt = v + 1
        sep = float(s.separation_s[nxt])
        leader = int(s.leader[nxt])
        earliest = float(self.ready_s[v])
        if leader >= 0 and not math.isnan(sep):
            leader_departs = float(self.departure_s[leader])
            if math.isnan(leader_departs):
                self.waiting[leader].append(v)
                return
            # Held at this stop until the leader has left the next one by the separation; the
            # decision is taken now, never in the past (now ≥ the ready time when waiting).
            earliest = max(
                earliest, leader_departs + sep - float(self.run_time_s[v]), self.kernel.now_s
            )
        self.departure_s[v] = earliest
        self._log(earliest, "depart", v)
        self.kernel.schedule(earliest + float(self.run_time_s[v]), nxt)
        self._released(v)

    def _released(self, v: int) -> None:
        """Visit v's departure is known: decide the departures of the followers waiting on it."""
        for follower in self.waiting.pop(v, []):
            self._try_depart(follower)

    def _log(self, t: float, event: str, v: int) -> None:
        self.events.append((t, event, v))

    # --- tables --------------------------------------------------------------------------

    # --- tables --------------------------------------------------------------------------

    def stop_times(self) -> pd.DataFrame:
        """`STOP_TIMES_COLUMNS` in timetable order."""
        s = self.stops
        frame = pd.DataFrame(
            {
                "trip_id": s.trip_id,
                "block_id": s.block_id,
                "direction": s.direction,
                "stop_sequence": s.stop_sequence,
                "station": s.station_name,
                "station_index": s.station,
                "planned_arrival_s": s.planned_arrival_s,
                "planned_departure_s": s.planned_departure_s,
                "actual_arrival_s": self.arrival_s,
                "actual_departure_s": self.departure_s,
            },
            columns=list(STOP_TIMES_COLUMNS),
        )
        return self._timetable_order(frame)

    def _timetable_order(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.iloc[np.argsort(self.visits.rows)].reset_index(drop=True)

    def stop_visits(self) -> pd.DataFrame:
        """`STOP_VISIT_COLUMNS` in timetable order."""
        s, out = self.stops, self.outcome
        frame = pd.DataFrame(
            {
                "trip_id": s.trip_id,
                "block_id": s.block_id,
                "stop_sequence": s.stop_sequence,
                "station": s.station_name,
                "station_index": s.station,
                "direction": s.direction,
                "arrival_s": self.arrival_s,
                "departure_s": self.departure_s,
                "alighted": out[:, 1],
                "boarded": out[:, 0],
                "load_on_arrival": out[:, 2],
                "load_on_departure": out[:, 3],
                "left_behind": out[:, 4],
                "held_s": np.where(np.isnan(self.ready_s), 0.0, self.departure_s - self.ready_s),
            },
            columns=list(STOP_VISIT_COLUMNS),
        )
        return self._timetable_order(frame)

    def passenger_table(self) -> pd.DataFrame:
        """`simulation.tables.PASSENGER_COLUMNS`: the boarding records with stations by name."""
        actual = replace(self.visits, arrival_s=self.arrival_s.copy())
        n = len(self.scenario.line.stations)
        records = passenger_records(
            self.arrivals, actual, self.passengers.board_visit, self.passengers.denied, n
        )
        names = np.array([st.name for st in self.scenario.line.stations], dtype=object)
        out = records.assign(
            origin=names[records["origin"].to_numpy()],
            destination=names[records["destination"].to_numpy()],
            trip_id=records["trip_id"].astype(str),
            direction=records["direction"].astype(str),
        )
        return out[list(PASSENGER_COLUMNS)]

    def runs(self) -> pd.DataFrame:
        """`simulation.tables.RUN_COLUMNS`: one row per trip, its planned profile's distance and
        line energy (segments summed)."""
        s = self.stops
        frame = pd.DataFrame(
            {
                "block_id": s.block_id,
                "trip_id": s.trip_id,
                "distance_m": s.distance_m,
                "line_energy_j": s.segment_energy_j,
            }
        )
        return (
            frame.groupby(["block_id", "trip_id"], sort=False, as_index=False)
            .sum()
            .sort_values(["block_id", "trip_id"], kind="stable")
            .reset_index(drop=True)
        )

    def event_table(self) -> pd.DataFrame:
        """`EVENT_COLUMNS`, by time (ties in the order decided)."""
        s, out = self.stops, self.outcome
        rows: list[tuple[float, int, str, str, str, str, str, int, int, int, int]] = []
        for k, (t, event, v) in enumerate(self.events):
            arrive = event == "arrive"
            rows.append(
                (
                    t,
                    k,
                    s.block_id[v],
                    s.trip_id[v],
                    event,
                    s.station_name[v],
                    s.direction[v],
                    int(out[v, 0]) if arrive else 0,
                    int(out[v, 1]) if arrive else 0,
                    int(out[v, 2] if arrive else out[v, 3]),
                    int(out[v, 4]) if arrive else 0,
                )
            )
        for (block_id, event, planned_s), station in zip(self.pull, self.pull_station, strict=True):
            t = planned_s
            if event == "pull_in":
                last = self.block_last[block_id]
                t += max(float(self.arrival_s[last] - self.stops.planned_arrival_s[last]), 0.0)
            rows.append((t, len(rows), block_id, "", event, station, "", 0, 0, 0, 0))
        frame = pd.DataFrame(
            rows,
            columns=[
                "time_s",
                "order",
                "block_id",
                "trip_id",
                "event",
                "station",
                "direction",
                "boarded",
                "alighted",
                "load",
                "left_behind",
            ],
        )
        frame = frame.sort_values(["time_s", "order"], kind="stable").reset_index(drop=True)
        frame["train_id"] = frame["block_id"]
        return frame[list(EVENT_COLUMNS)]


def simulate_day(plan: ServicePlan, scenario: Scenario, seed: int) -> DayResult:
    """Simulate the service day of `plan` (made from `scenario`) with random streams from `seed`.

    Returns tables only (`DayResult`); the rules are in this module's docstring.
    """
    day = _Day(plan, scenario, seed)
    day.run()
    if np.isnan(day.arrival_s).any() or np.isnan(day.departure_s).any():
        raise AssertionError("a stop of the timetable was never served: a separation deadlock")
    return DayResult(
        seed=int(seed),
        stop_times=day.stop_times(),
        stop_visits=day.stop_visits(),
        passengers=day.passenger_table(),
        runs=day.runs(),
        events=day.event_table(),
        capacity_pax=float(day.capacity_pax),
    )
