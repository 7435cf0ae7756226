"""A simulated service day: every train driving its block under the signalling, passengers
boarding and left behind, dwells from them, incidents and control.

The rules, each from the layer that owns the number:

- **Trips in block order.** Each train (block) runs its trips in order. A trip leaves its first
  stop no earlier than its published departure (the dispatch) and no earlier than the train's
  arrival from its previous trip plus the terminal's least turnaround (`capacity.terminal`)
  or the planned empty moves in between. A block's first trip leaves on time.
- **Driving** (`driving`, on the dynamics layer's grid and forces, `tracks`). A segment's free
  run is the timetable's run profile slowed to its published time × a lognormal factor of
  mean 1 and cv `operations.run_time_cv`; a late train runs faster, flat out at most (the
  minimum-time profile), to be back on time. Under the signalling the train follows the free
  run only while it can still stop short of its movement authority: behind a leader that is
  standing or slower it brakes, stands, and restarts on the dynamics layer's traction — it never
  jumps in position or speed, and its restart costs the time and energy the forces say.
- **Separation** (the capacity layer's `SeparationRule`, one source of truth). Moving block: the
  authority ends at the leader's tail less the safety margin; fixed block: at the signal before
  the block the leader's tail is in. The follower's braking curve includes the reaction time.
  A train's run is planned when it departs; where a leader's future is not yet known (it
  stands at a platform, its departure undecided) the follower plans to stop behind it and is
  replanned as soon as the leader's plan is known or changes.
- **Dwells.** The doors open on arrival; passengers alight and board (`boarding`, up to the
  planner's loading standard) and the dwell is `planning.dwell.dwell_s` of those boardings and
  alightings × a lognormal factor of cv `operations.dwell_cv`, at least the station's own. A
  train held at the platform beyond its dwell (a red signal, holding) lets on those who came
  meanwhile when it leaves, if it had room for all before.
- **Control** (`control`): holding at timepoints, or short turns at crossovers.
- **Incidents** (`disruptions`). `track_blocked`: trains inside the interstation brake to a
  stand where they can and wait; those at its entry stop are held at the platform; the others
  queue behind, separated. `station_closed`: trains pass the platform without stopping; who
  waits there waits for the reopening, who travels to it alights at the next stop served
  (overcarried). `train_failure`: at an interstation, the first train to reach its middle
  from then stops there for the duration; at a station, the next train to call there stands
  that long after its dwell. Random failures at `failure_rate_per_train_km` stand
  `failure_recovery_min` where they happen.

Random draws come from the `"run_time"`, `"dwell"`, `"failures"` and `"arrivals"` streams
(`seeds`), drawn before the day starts, so a draw never depends on the order of events: same
seed, same tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.dynamics.nonstop import nonstop_run
from lrtsim.dynamics.train import train_params
from lrtsim.model.direction import DIRECTIONS, Direction
from lrtsim.model.schema import Scenario, station_dwell_s
from lrtsim.planning.dwell import dwell_s
from lrtsim.planning.plan import ServicePlan
from lrtsim.simulation.arrivals import draw_arrivals, service_hours_s
from lrtsim.simulation.boarding import PassengerState, VisitOutcome
from lrtsim.simulation.control import hold_until_s, short_turn_at
from lrtsim.simulation.disruptions import Window, failure_distances_m, windows
from lrtsim.simulation.driving import DONE, drive, step_energy_j
from lrtsim.simulation.kernel import Kernel
from lrtsim.simulation.passenger_day import STOP_VISIT_COLUMNS as VISIT_COLUMNS
from lrtsim.simulation.passenger_day import VisitTable, passenger_records, visit_table
from lrtsim.simulation.seeds import generator, stream
from lrtsim.simulation.tables import PASSENGER_COLUMNS, STOP_TIMES_COLUMNS
from lrtsim.simulation.terminals import Platforms, platforms
from lrtsim.simulation.tracks import DirectionTrack, FreeRun, direction_tracks
from lrtsim.simulation.trajectory import Piece, Trajectories, points

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_INCIDENT, _ARRIVE, _DEPART = 0, 1, 2
"""Event kinds of the kernel's queue (an incident first, then arrivals, then departures)."""

JOIN_RETRY_S = 5.0
"""A train that may not yet start onto the track (a train too close) tries again this later."""

LATE_BOARDING_S = 30.0
"""A train held this long beyond its dwell lets on, as it leaves, those who came meanwhile."""

EVENT_COLUMNS = (
    "time_s",  # float
    "train_id",  # str: the train (= block_id)
    "block_id",  # str
    "trip_id",  # str ("" for pull_out, pull_in)
    "event",  # pull_out, arrive, depart, pass, stop_signal, restart, hold_start, hold_end,
    # fail, recover, short_turn, pull_in
    "station",  # str: the stop it is at or heading for
    "direction",  # "up" | "down" ("" for pull_out, pull_in)
    "position_m",  # float: chainage of the train's head, metres
    "boarded",  # int: at an arrival, those who boarded at this visit; else 0
    "alighted",  # int: at an arrival, those who alighted; else 0
    "load",  # int: on board (arriving: before anyone alights; else as it leaves)
    "left_behind",  # int: at an arrival, those left on the platform by a full train; else 0
)
"""The event log, sorted by time (ties in the order the simulation decided them)."""

STOP_VISIT_COLUMNS = (
    *VISIT_COLUMNS,
    "block_id",  # str
    "held_s",  # float: time held beyond the dwell (signals, control, a failure)
)
"""One row per stop served, timetable order: `passenger_day.STOP_VISIT_COLUMNS` and the train
and its hold."""


@dataclass(frozen=True, eq=False)
class DayResult:
    """One simulated day as tables (the contracts of `simulation.tables`, read by `metrics`)."""

    seed: int
    stop_times: pd.DataFrame
    """`STOP_TIMES_COLUMNS`, timetable order."""
    stop_visits: pd.DataFrame
    """`STOP_VISIT_COLUMNS` of this module."""
    passengers: pd.DataFrame
    """`simulation.tables.PASSENGER_COLUMNS` and `alight_station` (where they got off: their
    destination, or the next stop served after it when the train passed it closed; "" if they
    never boarded), stations by name, in passenger id order."""
    runs: pd.DataFrame
    """`simulation.tables.RUN_COLUMNS`, one row per trip run and per empty move."""
    events: pd.DataFrame
    """`EVENT_COLUMNS`."""
    capacity_pax: float
    """The train capacity passengers boarded up to: the loading standard's, at most crush."""
    trajectory: Trajectories
    """Every train's motion: `samples(step_s)`, `position_at(t)`."""


def track_k(track: DirectionTrack, j: int) -> int:
    """Running index of the stop at or before grid point j."""
    return int(np.searchsorted(track.stop_j, j, side="right")) - 1


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
    k: IntArray
    """Running index of the stop (0 at the direction's first terminal)."""


def _stops(plan: ServicePlan, scenario: Scenario, visits: VisitTable) -> _Stops:
    """The numbers each stop visit reads, from the plan (times, runs, separations, leaders)."""
    tt = plan.timetable.iloc[visits.rows].reset_index(drop=True)
    n = len(scenario.line.stations)
    codes = visits.trip
    station = tt["station_index"].to_numpy(dtype=np.int64)
    arrival = tt["arrival_s"].to_numpy(dtype=np.float64)
    departure = tt["departure_s"].to_numpy(dtype=np.float64)
    labels = tt["direction"].astype(str).tolist()
    direction: tuple[Direction, ...] = tuple(as_direction(d) for d in labels)
    same_next = np.zeros(len(tt), dtype=bool)
    same_next[:-1] = codes[1:] == codes[:-1]
    run_s = np.full(len(tt), np.nan)
    run_s[:-1] = np.where(same_next[:-1], arrival[1:] - departure[:-1], np.nan)
    is_up = np.array([d == "up" for d in direction], dtype=bool)
    k = np.where(is_up, station, n - 1 - station).astype(np.int64)
    least = np.full(len(tt), np.nan)
    energy = np.zeros(len(tt))
    distance = np.zeros(len(tt))
    for run in plan.runs:
        rows = same_next & (is_up if run.direction == "up" else ~is_up)
        seg = k[rows]
        least[rows] = np.array([g.run_time_s for g in run.minimum.segments])[seg]
        energy[rows] = np.array([g.line_energy_j for g in run.profile.segments])[seg]
        distance[rows] = np.array([g.distance_m for g in run.profile.segments])[seg]
    model = scenario.service.dwell
    own_by_station = np.array([station_dwell_s(st, model) for st in scenario.line.stations])
    own = own_by_station[station]
    ends = np.flatnonzero(~same_next) + 1
    trip_end = np.repeat(ends, np.diff(ends, prepend=0)).astype(np.int64)
    starts = np.concatenate(([0], ends[:-1]))
    trip_start = np.repeat(starts, np.diff(ends, prepend=0)).astype(np.int64)
    return _Stops(
        trip_id=tuple(tt["trip_id"].astype(str).tolist()),
        stop_sequence=tt["stop_sequence"].to_numpy(dtype=np.int64),
        station_name=tuple(tt["station"].astype(str).tolist()),
        block_id=tuple(tt["block_id"].astype(str).tolist()),
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
        k=k.astype(np.int64),
    )


class _Train:
    """One train (a block) during the day: where it is and what it is doing (mutable)."""

    def __init__(self, number: int, block_id: str, failures_m: list[float]) -> None:
        self.number = number
        self.block_id = block_id
        self.direction: Direction | None = None
        self.visit = -1
        """The visit it stands at, or runs to."""
        self.piece: Piece | None = None
        self.running = False
        self.on_track = False
        self.held = False
        """Standing at a platform before a red signal (a blocked interstation ahead)."""
        self.waiting = False
        """Standing short, held by what is known of its leader (resumed when more is)."""
        self.dependent = False
        """Its current run was shaped by its leader (replanned when the leader's plan changes)."""
        self.version = 0
        self.obstacles: list[tuple[float, float, float]] = []
        """Red signals of its current run: (position, from, until)."""
        self.own: tuple[int, float] | None = None
        """A stop of its own on the current run (a failure): (grid point, seconds)."""
        self.failures_m = failures_m
        self.distance_m = 0.0
        self.delay_s = 0.0
        """Its lateness at its last arrival or departure (negative: early)."""


class _Day:
    """The mutable state of one simulated day (private: `simulate_day` returns tables)."""

    def __init__(self, plan: ServicePlan, scenario: Scenario, seed: int) -> None:
        visits = visit_table(plan.timetable, len(scenario.line.stations))
        self.visits = visits
        self.stops = _stops(plan, scenario, visits)
        self.scenario = scenario
        self.n = len(scenario.line.stations)
        self.names = [st.name for st in scenario.line.stations]
        ops = scenario.operations
        self.control = ops.control
        stock = scenario.rolling_stock
        # Boarding stops at the planner's loading standard, and never beyond crush.
        self.capacity_pax = min(
            stock.capacity_at(scenario.service.loading_standard_pax_per_m2),
            stock.capacity_at(stock.crush_standing_pax_per_m2),
        )
        size = len(visits.rows)
        self.run_factor = lognormal_factors(generator(seed, "run_time"), ops.run_time_cv, size)
        self.dwell_factor = lognormal_factors(generator(seed, "dwell"), ops.dwell_cv, size)
        start_s, end_s = service_hours_s(scenario)
        self.arrivals = draw_arrivals(
            plan.od, stream(seed, "arrivals"), start_s=start_s, end_s=end_s
        )
        self.passengers = PassengerState(self.arrivals, len(visits.trip_ids))
        rules = {d.direction: d.rule for d in plan.capacity.directions}
        self.tracks = direction_tracks(scenario, plan.runs, rules)
        self.trajectories = Trajectories(self.tracks)
        self.visit_x = np.array(
            [
                self.tracks[d].x[self.tracks[d].stop_j[k]]
                for d, k in zip(self.stops.direction, self.stops.k, strict=True)
            ]
        )
        """Each visit's stop, metres along its direction."""
        self.cut_trips: set[int] = set()
        """Trips with a stop not served (a short turn, a closed station passed)."""
        self.arrival_s = np.full(size, np.nan)
        self.departure_s = np.full(size, np.nan)
        self.ready_s = np.full(size, np.nan)
        self.outcome = np.zeros((size, 5), dtype=np.int64)
        self.served = np.ones(size, dtype=bool)
        """False for a stop the train did not serve (passed closed, beyond a short turn)."""
        self.trip_stop = self.stops.trip_end.copy()
        """One past the last visit each visit's trip serves (earlier after a short turn)."""
        self.events: list[tuple[float, str, int, int, float]] = []
        """(time, event, train, visit, position_m) in the order decided."""
        self.kernel: Kernel[tuple[int, int, int, int]] = Kernel()
        self.order: dict[Direction, list[_Train]] = {d: [] for d in DIRECTIONS}
        self.windows = windows(scenario)
        self.closures = any(w.kind == "station_closed" for w in self.windows)
        self.pending_failure: dict[int, list[Window]] = {}
        """Failure incidents at an interstation not yet met by a train, by incident number."""
        self.crossovers = set(self.control.crossovers)
        self.timepoints = set(self.control.timepoint_names(scenario.line))
        self.holding = self.control.strategy == "holding"
        self.last_departure: dict[tuple[Direction, int], float] = {}
        """(direction, stop) → the last departure from it so far."""
        self.station_failures: dict[int, list[Window]] = {}
        """Failure incidents at a station, waiting for the next train there, by number."""
        self.failures_started: set[int] = set()
        self.dispatched: set[int] = set()
        """First stops whose dispatch (holding) has been decided."""
        self.next_here = _next_here(self.stops, self.n)
        self.platforms = {(t.name, t.direction): platforms(t) for t in plan.capacity.terminals}
        """(terminal, arriving direction) → its platforms."""
        self.at_platform: dict[int, Platforms] = {}
        """Train number → the terminal platforms it stands on."""
        self._blocks(plan, seed)

    # --- set-up ---------------------------------------------------------------------------

    def _blocks(self, plan: ServicePlan, seed: int) -> None:
        """Trains, their trips in order and the least time between two trips of one train."""
        s = self.stops
        first_visit = {s.trip_id[v]: v for v in range(len(s.trip_id)) if v == s.trip_start[v]}
        turnaround = {t.name: t.turnaround_s for t in plan.capacity.terminals}
        self.next_trip: dict[int, int] = {}
        self.turn_s: dict[int, float] = {}
        self.block_first: list[int] = []
        self.block_last: dict[str, int] = {}
        self.pull: list[tuple[str, str, float, str]] = []
        self.trains: list[_Train] = []
        self.train_of: dict[str, _Train] = {}
        ordered = plan.blocks.sort_values(["block_id", "sequence"], kind="stable")
        records = ordered[["block_id", "activity", "trip_id", "start_s", "end_s", "from_station"]]
        groups: dict[str, list[tuple[str, str, float, float, str]]] = {}
        for b, a, t, st, en, fr in records.itertuples(index=False, name=None):
            groups.setdefault(str(b), []).append((str(a), str(t), float(st), float(en), str(fr)))
        failures = failure_distances_m(
            generator(seed, "failures"),
            self.scenario.operations.failure_rate_per_train_km,
            len(groups),
        )
        for number, (block_id, acts) in enumerate(sorted(groups.items())):
            train = _Train(number, str(block_id), failures[number])
            self.trains.append(train)
            self.train_of[str(block_id)] = train
            previous: int | None = None
            empty_s = 0.0
            for activity, trip_id, start, end, origin in acts:
                if activity == "trip":
                    v = first_visit[trip_id]
                    if previous is None:
                        self.block_first.append(v)
                    else:
                        last = int(s.trip_end[previous]) - 1
                        here = self.names[int(s.station[v])]
                        same = self.names[int(s.station[last])] == here
                        least = turnaround.get(here, float(s.own_dwell_s[v])) if same else 0.0
                        self.next_trip[last] = v
                        self.turn_s[last] = max(least, empty_s)
                    previous, empty_s = v, 0.0
                    self.block_last[str(block_id)] = int(s.trip_end[v]) - 1
                elif activity == "deadhead":
                    empty_s += end - start
                elif activity in ("pull_out", "pull_in"):
                    self.pull.append((str(block_id), activity, start, origin))

    # --- the day -------------------------------------------------------------------------

    def run(self) -> None:
        for i, w in enumerate(self.windows):
            self.kernel.schedule(w.start_s, (_INCIDENT, -1, 0, i), 0)
        for v in self.block_first:
            train = self.train_of[self.stops.block_id[v]]
            self.kernel.schedule(
                float(self.stops.planned_departure_s[v]), (_DEPART, train.number, 0, v), 2
            )
        self.kernel.run(self._handle)

    def _handle(
        self, _k: Kernel[tuple[int, int, int, int]], event: tuple[int, int, int, int]
    ) -> None:
        kind, number, version, arg = event
        if kind == _INCIDENT:
            self._incident(self.windows[arg])
            return
        train = self.trains[number]
        if kind == _ARRIVE:
            if version == train.version:
                self._arrive(train, arg)
        elif kind == _DEPART:
            self._depart(train, arg)

    def _now(self) -> float:
        return self.kernel.now_s

    def _track(self, train: _Train) -> DirectionTrack:
        assert train.direction is not None
        return self.tracks[train.direction]

    def _x_of_visit(self, v: int) -> float:
        return float(self.visit_x[v])

    # --- trains at stops -----------------------------------------------------------------

    def _arrive(self, train: _Train, u: int) -> None:
        """The train reaches stop visit u (now): passengers, dwell, what it does next."""
        s, now = self.stops, self._now()
        train.running, train.waiting, train.dependent = False, False, False
        train.visit = u
        self.arrival_s[u] = now
        train.delay_s = now - float(s.planned_arrival_s[u])
        end = int(self.trip_stop[u])
        last = u == end - 1
        self._overcarried(u)
        later = self._later_stations(u, now)
        out = self.passengers.serve_visit(
            u, int(s.trip[u]), int(s.station[u]), now, later, self.capacity_pax
        )
        self._record(u, out)
        self._log(now, "arrive", train, u)
        if last:
            self.departure_s[u] = now if end == int(s.trip_end[u]) else np.nan
            self._leave_track(train)
            nxt = self.next_trip.get(int(s.trip_end[u]) - 1)
            if end != int(s.trip_end[u]):  # a short turn: its next trip starts here
                nxt = self._turned_next(u)
            terminal = self.platforms.get((s.station_name[u], s.direction[u]))
            if terminal is not None:
                terminal.arrive(train.number, now)
                same = nxt is not None and int(s.station[nxt]) == int(s.station[u])
                if same:
                    self.at_platform[train.number] = terminal
                else:
                    terminal.leave(train.number, now + self._turn_s(u), departing=False)
                self._platform_freed(terminal)
            if nxt is not None:
                ready = max(now + self._turn_s(u), float(s.planned_departure_s[nxt]))
                self.kernel.schedule(ready, (_DEPART, train.number, 0, nxt), 2)
            return
        ready = now + self._dwell_s(u, out)
        failure = self._station_failure(s.direction[u], int(s.k[u]))
        if failure is not None:
            self._log(ready, "fail", train, u)
            ready += failure.end_s - failure.start_s
            self._log(ready, "recover", train, u)
        self.ready_s[u] = ready
        leave = self._hold(train, u, ready)
        if leave > ready:
            self._log(ready, "hold_start", train, u)
            self._log(leave, "hold_end", train, u)
        self.kernel.schedule(leave, (_DEPART, train.number, 0, u), 2)

    def _overcarried(self, u: int) -> None:
        """Those on board for stops the train passed closed since its last stop alight here."""
        s = self.stops
        onboard = self.passengers.onboard[int(s.trip[u])]
        w = u - 1
        while w >= int(s.trip_start[u]) and not self.served[w]:
            onboard[int(s.station[u])] += onboard[int(s.station[w])]
            onboard[int(s.station[w])] = 0
            w -= 1

    def _station_failure(self, direction: Direction, k: int) -> Window | None:
        """A failure incident under way at this stop that no train has met yet (taken)."""
        for number, ws in list(self.station_failures.items()):
            for w in ws:
                if w.direction == direction and w.k == k:
                    del self.station_failures[number]
                    return w
        return None

    def _turn_s(self, u: int) -> float:
        last = int(self.stops.trip_end[u]) - 1
        if u == last:
            return self.turn_s.get(u, 0.0)
        return min(self.turn_s.values(), default=0.0)

    def _turned_next(self, u: int) -> int | None:
        """After a short turn at visit u: the visit of the train's next trip at the same
        station, which it starts from (None if that trip does not stop there)."""
        nxt = self.next_trip.get(int(self.stops.trip_end[u]) - 1)
        if nxt is None:
            return None
        station = int(self.stops.station[u])
        for v in range(nxt, int(self.stops.trip_end[nxt])):
            if int(self.stops.station[v]) == station and v < int(self.stops.trip_end[nxt]) - 1:
                for w in range(nxt, v):
                    self.served[w] = False
                self.cut_trips.add(int(self.stops.trip[nxt]))
                return v
        return None

    def _later_stations(self, v: int, now: float) -> IntArray:
        """The stations the train will still serve after visit v, as known now (closed ones
        left out: who wants one waits for a train that stops there)."""
        s = self.stops
        end = int(self.trip_stop[v])
        later = s.station[v + 1 : end]
        if not self.closures and int(s.trip[v]) not in self.cut_trips:
            return later
        keep = [
            w
            for w in range(v + 1, end)
            if self.served[w] and not self._closed(s.direction[w], int(s.k[w]), now)
        ]
        return np.asarray(s.station[keep], dtype=np.int64)

    def _closed(self, direction: Direction, k: int, t: float) -> bool:
        return any(
            w.kind == "station_closed" and w.direction == direction and w.k == k and w.active(t)
            for w in self.windows
        )

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

    def _hold(self, train: _Train, v: int, ready: float) -> float:
        """When the control strategy lets the train leave visit v, ready at `ready`."""
        s = self.stops
        if not self.holding or self.names[int(s.station[v])] not in self.timepoints:
            return ready
        leader_dep = self._leader_departure(v)
        follower_arr = self._follower_arrival(v)
        return hold_until_s(
            self.control,
            timepoint=True,
            ready_s=ready,
            planned_departure_s=float(s.planned_departure_s[v]),
            leader_departure_s=leader_dep,
            follower_arrival_s=follower_arr,
        )

    def _leader_departure(self, v: int) -> float | None:
        """The last departure from v's stop in its direction before v (None if none yet)."""
        key = (self.stops.direction[v], int(self.stops.k[v]))
        return self.last_departure.get(key)

    def _follower_arrival(self, v: int) -> float | None:
        """When the trip after v's at the same stop (published order) is expected there: its
        published arrival plus its train's delay at its last stop (None if none follows)."""
        f = int(self.next_here[v])
        if f < 0:
            return None
        follower = self.train_of[self.stops.block_id[f]]
        return float(self.stops.planned_arrival_s[f]) + follower.delay_s

    def _depart(self, train: _Train, v: int) -> None:
        """The train leaves visit v now, unless a red signal holds it."""
        s, now = self.stops, self._now()
        start = int(s.trip_start[v])
        first = v == start or (
            int(s.trip[v]) in self.cut_trips and not bool(self.served[start:v].any())
        )
        if first and v not in self.dispatched:
            self.dispatched.add(v)
            leave = self._hold(train, v, now)
            if leave > now:
                self._log(now, "hold_start", train, v)
                self._log(leave, "hold_end", train, v)
                self.ready_s[v] = now
                self.kernel.schedule(leave, (_DEPART, train.number, 0, v), 2)
                return
        if not train.on_track:
            if not self._can_join(s.direction[v], self._x_of_visit(v), now):
                self.kernel.schedule(now + JOIN_RETRY_S, (_DEPART, train.number, 0, v), 2)
                return
            self._start_trip(train, v)
        blocked = self._blocked_ahead(s.direction[v], int(s.k[v]), now)
        if blocked is not None:
            if not train.held:
                self._log(now, "stop_signal", train, v)
            train.held = True
            self.kernel.schedule(blocked.end_s, (_DEPART, train.number, 0, v), 2)
            return
        if train.held:
            self._log(now, "restart", train, v)
            train.held = False
        if first:
            self.arrival_s[v] = now if np.isnan(self.arrival_s[v]) else self.arrival_s[v]
            out = self.passengers.serve_visit(
                v, int(s.trip[v]), int(s.station[v]), now, self._later_stations(v, now),
                self.capacity_pax,
            )  # fmt: skip
            self._record(v, out)
            if np.isnan(self.ready_s[v]):
                self.ready_s[v] = now
            self._log(now, "arrive", train, v)
        elif now - float(self.ready_s[v]) > LATE_BOARDING_S and self.outcome[v, 4] == 0:
            out = self.passengers.serve_visit(
                v, int(s.trip[v]), int(s.station[v]), now, self._later_stations(v, now),
                self.capacity_pax,
            )  # fmt: skip
            self._add(v, out)
        self.departure_s[v] = now
        terminal = self.at_platform.pop(train.number, None)
        if terminal is not None:
            terminal.leave(train.number, now, departing=True)
            self._platform_freed(terminal)
        train.delay_s = now - float(s.planned_departure_s[v])
        self.last_departure[(s.direction[v], int(s.k[v]))] = now
        self._log(now, "depart", train, v)
        self._plan(train, v)

    def _blocked_ahead(self, direction: Direction, k: int, t: float) -> Window | None:
        found = [
            w
            for w in self.windows
            if w.kind == "track_blocked" and w.between and w.direction == direction
            and w.k == k and w.active(t)
        ]  # fmt: skip
        return max(found, key=lambda w: w.end_s) if found else None

    def _start_trip(self, train: _Train, v: int) -> None:
        """The train starts the trip of visit v: short turn decided, onto its direction's track."""
        s = self.stops
        train.direction = s.direction[v]
        train.visit = v
        self._short_turn(train, v)
        self._join_track(train, v)

    def _short_turn(self, train: _Train, v: int) -> None:
        """Turn the trip back at a crossover if it would reach a blocked interstation ahead
        before it clears (by the published running times from now)."""
        s, now = self.stops, self._now()
        end = int(s.trip_end[v])
        blocked = []
        for w in self.windows:
            if w.kind != "track_blocked" or w.direction != s.direction[v] or not w.active(now):
                continue
            entry = next((x for x in range(v, end) if int(s.k[x]) == w.k), None)
            if entry is None:
                continue
            reach = now + float(s.planned_arrival_s[entry] - s.planned_departure_s[v])
            if reach < w.end_s:
                blocked.append(w.k)
        if not blocked:
            return
        stops = [int(s.k[x]) for x in range(v, end)]
        crossings = [
            int(s.k[x]) for x in range(v, end) if self.names[int(s.station[x])] in self.crossovers
        ]
        turn = short_turn_at(self.control, stops, blocked, crossings)
        if turn is None:
            return
        at = next(x for x in range(v, end) if int(s.k[x]) == turn)
        if self._turned_next_exists(at):
            for x in range(at + 1, end):
                self.served[x] = False
            self.cut_trips.add(int(s.trip[v]))
            for x in range(v, end):
                self.trip_stop[x] = at + 1
            self._log(now, "short_turn", train, at)

    def _turned_next_exists(self, at: int) -> bool:
        nxt = self.next_trip.get(int(self.stops.trip_end[at]) - 1)
        if nxt is None:
            return False
        station = int(self.stops.station[at])
        return any(
            int(self.stops.station[x]) == station
            for x in range(nxt, int(self.stops.trip_end[nxt]) - 1)
        )

    # --- the track: order, leaders, authority ---------------------------------------------

    def _position_m(self, train: _Train, t: float) -> float:
        if train.running and train.piece is not None:
            track = self._track(train)
            piece = train.piece
            if piece.j is None:  # read the free run's profile, without copying it
                f = piece.free
                times = f.profile.time_s[f.offset : f.offset + f.b - f.a + 1]
                local = (t - piece.t0) * f.stretch + float(times[0])
                return float(np.interp(local, times, track.x[f.a : f.b + 1]))
            assert piece.t is not None
            return float(np.interp(t, piece.t, track.x[piece.j]))
        return self._x_of_visit(train.visit)

    def _can_join(self, direction: Direction, x: float, now: float) -> bool:
        """May a train start onto the track at x now: the train ahead's tail at least the margin
        beyond it, and the train behind able to stop short of its tail (moving block)?"""
        track = self.tracks[direction]
        back = track.rule.train_length_m + track.rule.safety_margin_m
        for other in self.order[direction]:
            pos = self._position_m(other, now)
            if pos >= x and pos - back < x - 1e-6:
                return False
            if pos < x:
                reach = pos + float(track.rule.braking_distance_m(self._speed_mps(other, now)))
                return reach <= x - back + 1e-6
        return True

    def _join_track(self, train: _Train, v: int) -> None:
        assert train.direction is not None
        line = self.order[train.direction]
        x = self._x_of_visit(v)
        now = self._now()
        i = len(line)
        while i > 0 and self._position_m(line[i - 1], now) < x:
            i -= 1
        line.insert(i, train)
        train.on_track = True
        behind = self._behind(train)
        if behind is not None and behind.running:
            self._replan(behind, force=True)

    def _leave_track(self, train: _Train) -> None:
        assert train.direction is not None
        line = self.order[train.direction]
        behind = self._behind(train)
        line.remove(train)
        train.on_track = False
        if behind is not None:
            self._notify(behind, force=False)

    def _ahead(self, train: _Train) -> _Train | None:
        assert train.direction is not None
        line = self.order[train.direction]
        i = line.index(train)
        return line[i - 1] if i > 0 else None

    def _behind(self, train: _Train) -> _Train | None:
        assert train.direction is not None
        line = self.order[train.direction]
        i = line.index(train)
        return line[i + 1] if i + 1 < len(line) else None

    def _leader_line(self, leader: _Train, now: float) -> tuple[FloatArray, FloatArray]:
        """The leader's tail less the margin from now on: a polyline in time, standing at its
        last point after it."""
        track = self._track(leader)
        back = track.rule.train_length_m + track.rule.safety_margin_m
        if leader.running and leader.piece is not None:
            j, t, _w = points(leader.piece, track)
            q = max(int(np.searchsorted(t, now, side="right")) - 1, 0)
            return np.ascontiguousarray(t[q:]), np.ascontiguousarray(track.x[j[q:]] - back)
        return np.array([now]), np.array([self._x_of_visit(leader.visit) - back])

    def _notify(self, train: _Train, *, force: bool) -> None:
        """The plan of the train ahead of `train` changed: replan it if that matters."""
        if train.running and (force or train.dependent or train.waiting):
            self._replan(train, force=force)

    # --- driving -------------------------------------------------------------------------

    def _plan(self, train: _Train, v: int) -> None:
        """Plan the run from visit v (departing now) to the next stop it serves."""
        s, now = self.stops, self._now()
        track = self._track(train)
        end = int(self.trip_stop[v])
        u = v + 1
        while u < end - 1 and not self.served[u]:
            u += 1
        normal = self._run_time_s(v, u)
        free = track.free_run(int(s.k[v]), int(s.k[u]), normal)
        while (
            self.closures
            and u < end - 1
            and self._closed(s.direction[u], int(s.k[u]), now + free.time_s)
        ):
            self.served[u] = False
            self.cut_trips.add(int(s.trip[u]))
            self._log(now + free.time_s, "pass", train, u)
            u += 1
            while u < end - 1 and not self.served[u]:
                u += 1
            normal = self._run_time_s(v, u)
            free = track.free_run(int(s.k[v]), int(s.k[u]), normal)
        target = float(s.planned_arrival_s[u]) - now
        if target < normal and now > float(s.planned_departure_s[v]):
            # Late: run flat out if need be to be back on time, never slower than usual.
            free = track.free_run(int(s.k[v]), int(s.k[u]), max(target, 0.0))
        train.obstacles = []
        train.own = self._own_failure(train, track, free, int(s.k[v]))
        train.piece = Piece(
            block_id=train.block_id,
            trip_id=s.trip_id[v],
            direction=s.direction[v],
            visit_from=v,
            visit_to=u,
            t0=now,
            free=free,
            load=int(self.outcome[v, 3]),
            own_j=-1 if train.own is None else train.own[0],
        )
        self.trajectories.pieces.append(train.piece)
        train.visit = u
        train.running = True
        train.distance_m += float(track.x[free.b] - track.x[free.a])
        train.version += 1
        terminal = None
        if u == end - 1:
            terminal = self.platforms.get((s.station_name[u], s.direction[u]))
        if terminal is not None:
            free_s = terminal.free_from_s(now)
            if free_s > now + free.time_s - terminal.take_before_s:
                home = float(track.x[free.b]) - self._home_m(track)
                train.obstacles.append((home, now, free_s))
                if math.isinf(free_s):
                    terminal.waiting.add(train.number)
                else:
                    terminal.reserve(train.number)
            else:
                terminal.reserve(train.number)
        leader = self._ahead(train)
        reach = track.reach(free)
        clear = leader is None or self._authority_now(leader, now, at_least=reach) >= reach
        if clear and train.own is None and not train.obstacles:
            train.dependent = False
            self.kernel.schedule(train.piece.end_s, (_ARRIVE, train.number, train.version, u), 1)
        else:
            self._drive(train, int(free.a), 0.0, now, keep=0)
        behind = self._behind(train)
        if behind is not None:
            self._notify(behind, force=False)

    def _home_m(self, track: DirectionTrack) -> float:
        """How far before a terminal's stop its home signal stands: the train, the crossover
        with its clearance, and the safety margin."""
        turnback = self.scenario.signalling.turnback
        tb = turnback.end if track.direction == "up" else turnback.start
        rule = track.rule
        return (
            rule.train_length_m
            + tb.crossover_length_m
            + tb.crossover_clearance_m
            + (rule.safety_margin_m)
        )

    def _platform_freed(self, terminal: Platforms) -> None:
        """A platform of `terminal` frees: the trains at its home signal take the platforms
        as they come free, the front one first."""
        now = self._now()
        line = self.order[terminal.direction]
        for train in [t for t in line if t.number in terminal.waiting]:
            free_s = terminal.free_from_s(now)
            if math.isinf(free_s):
                return
            terminal.waiting.discard(train.number)
            terminal.reserve(train.number)
            train.obstacles = [
                (x, start, free_s if math.isinf(until) else until)
                for x, start, until in train.obstacles
            ]
            if train.running:
                self._replan(train, force=True)

    def _run_time_s(self, v: int, u: int) -> float:
        """The published time from v to u less the published dwells between, × v's factor."""
        s = self.stops
        run = float(s.planned_arrival_s[u]) - float(s.planned_departure_s[v])
        if u > v + 1:
            run -= float(np.sum(s.planned_departure_s[v + 1 : u] - s.planned_arrival_s[v + 1 : u]))
        return max(run, 0.0) * float(self.run_factor[v])

    def _own_failure(
        self, train: _Train, track: DirectionTrack, free: FreeRun, k: int
    ) -> tuple[int, float] | None:
        """A failure of this train on this run: a random one when its train-km reach the next
        drawn distance, or an incident's (the first train past the interstation's middle)."""
        length = float(track.x[free.b] - track.x[free.a])
        for number, places in list(self.pending_failure.items()):
            for w in places:
                if w.direction == train.direction and w.k == k:
                    del self.pending_failure[number]
                    a, b = int(track.stop_j[w.k]), int(track.stop_j[w.k + 1])
                    j = int(np.searchsorted(track.x, 0.5 * (track.x[a] + track.x[b])))
                    return j, w.end_s - w.start_s
        if train.failures_m and train.distance_m + length > train.failures_m[0]:
            at = train.failures_m.pop(0) - train.distance_m
            j = int(np.searchsorted(track.x, track.x[free.a] + max(at, 1.0)))
            j = min(max(j, free.a + 1), free.b - 1)
            recovery = 60.0 * self.scenario.operations.failure_recovery_min
            return j, recovery
        return None

    def _authority_now(self, leader: _Train, now: float, at_least: float = np.inf) -> float:
        """End of movement authority the leader gives now (its tail less the margin, floored to
        a signal under fixed block); a lower bound once that already reaches `at_least`."""
        track = self._track(leader)
        back = track.rule.train_length_m + track.rule.safety_margin_m
        if leader.running and leader.piece is not None and not track.blocks_m.size:
            start = float(track.x[leader.piece.free.a]) - back
            if start >= at_least:  # it is at least where its run started
                return start
        a = self._position_m(leader, now) - back
        blocks = track.blocks_m
        if blocks.size:
            i = int(np.searchsorted(blocks, a, side="right")) - 1
            a = float(blocks[i]) if i >= 0 else -np.inf
        return a

    def _drive(self, train: _Train, j0: int, w0: float, t0: float, *, keep: int) -> None:
        """Drive the current run from grid point j0 (v² w0, time t0) under the authority known
        now, keeping the first `keep` points already driven."""
        piece = train.piece
        assert piece is not None
        track = self._track(train)
        j_old, t_old, w_old = points(piece, track)
        free = piece.free
        leader = self._ahead(train)
        now = self._now()
        if leader is not None:
            lead_t, lead_x = self._leader_line(leader, now)
        else:
            lead_t, lead_x = np.zeros(0), np.zeros(0)
        obst = np.asarray(train.obstacles, dtype=np.float64).reshape(-1, 3)
        own_j, own_wait = (-1, 0.0) if train.own is None else train.own
        size = 2 * (free.b - j0 + 1) + 64
        out_j = np.empty(size, dtype=np.int64)
        out_t = np.empty(size)
        out_w = np.empty(size)
        wfree = np.zeros(track.x.shape[0])
        wfree[free.a : free.b + 1] = free.w
        n, status = drive(
            track.x, wfree, track.track_n, track.p, track.rule.brake_mps2,
            track.rule.reaction_time_s, j0, free.b, w0, t0, lead_t, lead_x, track.blocks_m,
            np.ascontiguousarray(obst[:, 0]), np.ascontiguousarray(obst[:, 1]),
            np.ascontiguousarray(obst[:, 2]), own_j, own_wait, out_j, out_t, out_w,
        )  # fmt: skip
        piece.j = np.concatenate((j_old[:keep], out_j[:n]))
        piece.t = np.concatenate((t_old[:keep], out_t[:n]))
        piece.w = np.concatenate((w_old[:keep], out_w[:n]))
        train.dependent = True
        train.version += 1
        if status == DONE:
            train.waiting = False
            self.kernel.schedule(
                float(piece.t[-1]), (_ARRIVE, train.number, train.version, piece.visit_to), 1
            )
        else:
            train.waiting = True

    def _replan(self, train: _Train, *, force: bool) -> None:
        """Drive the rest of the train's current run again from now, as now known."""
        piece = train.piece
        if piece is None or not train.running:
            return
        track = self._track(train)
        now = self._now()
        old_end = piece.end_s if not train.waiting else np.inf
        j, t, w = points(piece, track)
        if piece.j is None and not force and not train.waiting:
            return
        q = int(np.searchsorted(t, now, side="left"))
        if q >= t.size:  # all driven (it stands waiting at its last point)
            start_j, start_w, start_t, keep = int(j[-1]), 0.0, now, t.size
        elif q > 0 and j[q] == j[q - 1] and w[q] == 0.0:  # standing at q: restart from now
            start_j, start_w, start_t, keep = int(j[q]), 0.0, now, q
        else:
            start_j, start_w, start_t, keep = int(j[q]), float(w[q]), float(t[q]), q
        if train.own is not None:
            own_j, wait = train.own
            stood = [float(t[i]) for i in range(keep) if j[i] == own_j and w[i] == 0.0]
            if start_j > own_j or (stood and stood[0] + wait <= start_t):
                train.own = None
            elif stood:
                train.own = (own_j, stood[0] + wait - start_t)
        self._drive(train, start_j, start_w, start_t, keep=keep)
        behind = self._behind(train)
        if behind is not None:
            self._notify(behind, force=force or piece.end_s > old_end + 1e-9)

    # --- incidents -----------------------------------------------------------------------

    def _incident(self, w: Window) -> None:
        """An incident starts now."""
        now = self._now()
        if w.kind == "track_blocked":
            for train in list(self.order[w.direction]):
                if not train.running or train.piece is None:
                    continue
                track = self._track(train)
                x_entry = float(track.x[track.stop_j[w.k]])
                x_exit = float(track.x[track.stop_j[w.k + 1]])
                x = self._position_m(train, now)
                if x_entry < x < x_exit:
                    v = self._speed_mps(train, now)
                    stop = x + float(track.rule.braking_distance_m(v))
                    train.obstacles.append((stop, now, w.end_s))
                    self._replan(train, force=True)
        elif w.kind == "train_failure":
            if w.between:
                if w.number not in self.failures_started:
                    self.failures_started.add(w.number)
                    self._fail_between(w)
            else:
                self.station_failures.setdefault(w.number, []).append(w)

    def _fail_between(self, w: Window) -> None:
        """The first train to reach the middle of the interstation from now fails there (in
        either direction the incident names)."""
        now = self._now()
        places = [x for x in self.windows if x.number == w.number]
        candidates = []
        for place in places:
            for train in self.order[place.direction]:
                if not train.running or train.piece is None:
                    continue
                track = self._track(train)
                a, b = int(track.stop_j[place.k]), int(track.stop_j[place.k + 1])
                mid = 0.5 * (track.x[a] + track.x[b])
                x = self._position_m(train, now)
                if track.x[a] <= x < mid and train.piece.free.b >= b:
                    j = int(np.searchsorted(track.x, mid))
                    candidates.append((mid - x, train.number, train, j))
        if not candidates:
            self.pending_failure[w.number] = places
            return
        _gap, _n, train, j = min(candidates, key=lambda c: (c[0], c[1]))
        train.own = (j, w.end_s - w.start_s)
        assert train.piece is not None
        train.piece.own_j = j
        self._replan(train, force=True)

    def _speed_mps(self, train: _Train, t: float) -> float:
        if not train.running or train.piece is None:
            return 0.0
        _j, tt, w = points(train.piece, self._track(train))
        return float(np.interp(t, tt, np.sqrt(np.maximum(w, 0.0))))

    # --- records -------------------------------------------------------------------------

    def _record(self, v: int, out: VisitOutcome) -> None:
        self.outcome[v] = (
            out.boarded,
            out.alighted,
            out.load_on_arrival,
            out.load_on_departure,
            out.left_behind,
        )

    def _add(self, v: int, out: VisitOutcome) -> None:
        """A second boarding pass at a visit (a train held at the platform)."""
        self.outcome[v, 0] += out.boarded
        self.outcome[v, 1] += out.alighted
        self.outcome[v, 3] = out.load_on_departure
        self.outcome[v, 4] = out.left_behind

    def _log(self, t: float, event: str, train: _Train, v: int) -> None:
        self.events.append((t, event, train.number, v, self._x_of_visit(v)))

    # --- tables --------------------------------------------------------------------------

    def stop_times(self) -> pd.DataFrame:
        """`STOP_TIMES_COLUMNS` in timetable order (NaN actual times where not served)."""
        s = self.stops
        served = self.served
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
                "actual_arrival_s": np.where(served, self.arrival_s, np.nan),
                "actual_departure_s": np.where(served, self.departure_s, np.nan),
            },
            columns=list(STOP_TIMES_COLUMNS),
        )
        return self._timetable_order(frame)

    def _timetable_order(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.iloc[np.argsort(self.visits.rows)].reset_index(drop=True)

    def stop_visits(self) -> pd.DataFrame:
        """`STOP_VISIT_COLUMNS` in timetable order, the stops served only."""
        s, out = self.stops, self.outcome
        held = np.where(np.isnan(self.ready_s), 0.0, self.departure_s - self.ready_s)
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
                "held_s": np.nan_to_num(held, nan=0.0),
            },
            columns=list(STOP_VISIT_COLUMNS),
        )
        frame = self._timetable_order(frame)
        keep = self.served[np.argsort(self.visits.rows)]
        return frame[keep].reset_index(drop=True)

    def passenger_table(self) -> pd.DataFrame:
        """`simulation.tables.PASSENGER_COLUMNS`: the boarding records with stations by name."""
        served_arrival = np.where(self.served, self.arrival_s, np.nan)
        actual = VisitTable(
            rows=self.visits.rows,
            trip=self.visits.trip,
            trip_ids=self.visits.trip_ids,
            station=self.visits.station,
            arrival_s=served_arrival,
            trip_end=self.visits.trip_end,
            order=self.visits.order,
        )
        records = passenger_records(
            self.arrivals,
            actual,
            self.passengers.board_visit,
            self.passengers.denied,
            self.n,
            board_s=self.passengers.board_s,
            served=self.served,
        )
        names = np.array([*self.names, ""], dtype=object)
        out = records.assign(
            origin=names[records["origin"].to_numpy()],
            destination=names[records["destination"].to_numpy()],
            alight_station=names[records["alight_station"].to_numpy()],
            trip_id=records["trip_id"].astype(str),
            direction=records["direction"].astype(str),
        )
        return out[[*PASSENGER_COLUMNS, "alight_station"]]

    def runs(self, plan: ServicePlan) -> pd.DataFrame:
        """`simulation.tables.RUN_COLUMNS`: per trip the distance driven and the line energy
        (a free run's from its profile, a driven one's from the forces along it); the empty
        moves from the plan's blocks, their energy from the dynamics layer's empty run."""
        rows: dict[tuple[str, str], list[float]] = {}
        for p in self.trajectories.pieces:
            track = self.tracks[p.direction]
            if p.j is None:
                distance = float(track.x[p.free.b] - track.x[p.free.a])
                energy = p.free.line_energy_j
            else:
                assert p.t is not None
                assert p.w is not None
                distance = float(track.x[p.j[-1]] - track.x[p.j[0]])
                traction, braking, time = step_energy_j(
                    track.x, p.j, p.t, p.w, track.track_n, track.p
                )
                train = track.train
                energy = (
                    traction / train.traction_efficiency
                    + train.aux_power_w * time
                    - braking * train.regen_efficiency
                )
            row = rows.setdefault((p.block_id, p.trip_id), [0.0, 0.0])
            row[0] += distance
            row[1] += energy
        empty = plan.blocks[plan.blocks["activity"].isin(("pull_out", "pull_in", "deadhead"))]
        per_m = self._empty_energy_j_per_m()
        for block_id, distance in zip(empty["block_id"], empty["distance_m"], strict=True):
            row = rows.setdefault((str(block_id), ""), [0.0, 0.0])
            row[0] += float(distance)
            row[1] += float(distance) * per_m
        frame = pd.DataFrame(
            [(b, t, d, e) for (b, t), (d, e) in rows.items()],
            columns=["block_id", "trip_id", "distance_m", "line_energy_j"],
        )
        return frame.sort_values(["block_id", "trip_id"], kind="stable").reset_index(drop=True)

    def _empty_energy_j_per_m(self) -> float:
        """Line energy per metre of an empty move: the up direction's flat-out run at no load,
        terminal to terminal, per metre (`dynamics.nonstop`)."""
        line = self.scenario.line
        train = train_params(self.scenario.rolling_stock, 0.0)
        first, last = line.stations[0].km, line.stations[-1].km
        run = nonstop_run(line, train, first, last, load=0.0)
        distance = abs(last - first) * 1000.0
        return run.line_energy_j / distance if distance > 0 else 0.0

    def event_table(self) -> pd.DataFrame:
        """`EVENT_COLUMNS`, by time (ties in the order decided)."""
        s, out = self.stops, self.outcome
        times, kinds, numbers, visits, _x = (
            (np.asarray(c) for c in zip(*self.events, strict=True))
            if self.events
            else (np.zeros(0) for _ in range(5))
        )
        v = visits.astype(np.int64)
        arrive = kinds == "arrive"
        station_km = np.array([st.km for st in self.scenario.line.stations])
        blocks = np.array([t.block_id for t in self.trains], dtype=object)
        main = pd.DataFrame(
            {
                "time_s": times.astype(np.float64),
                "block_id": blocks[numbers.astype(np.int64)],
                "trip_id": np.asarray(s.trip_id, dtype=object)[v],
                "event": kinds.astype(object),
                "station": np.asarray(s.station_name, dtype=object)[v],
                "direction": np.asarray(s.direction, dtype=object)[v],
                "position_m": station_km[s.station[v]] * 1000.0,
                "boarded": np.where(arrive, out[v, 0], 0),
                "alighted": np.where(arrive, out[v, 1], 0),
                "load": np.where(arrive, out[v, 2], out[v, 3]),
                "left_behind": np.where(arrive, out[v, 4], 0),
            }
        )
        rows: list[tuple[float, str, str, str, str, str, float, int, int, int, int]] = []
        for p in self.trajectories.pieces:
            if p.j is None:
                continue
            assert p.t is not None
            assert p.w is not None
            track = self.tracks[p.direction]
            u = p.visit_to
            for q0, q1 in _standing(p.j, p.w, p.t):
                m = float(track.track.km_at(np.array([track.x[p.j[q0]]]))[0]) * 1000.0
                failed = p.own_j == int(p.j[q0])
                first, second = ("fail", "recover") if failed else ("stop_signal", "restart")
                for t, e in ((float(p.t[q0]), first), (float(p.t[q1]), second)):
                    rows.append((t, p.block_id, s.trip_id[u], e, s.station_name[u],
                                 s.direction[u], m, 0, 0, p.load, 0))  # fmt: skip
        km_of = {st.name: st.km for st in self.scenario.line.stations}
        for block_id, event, planned_s, station in self.pull:
            t = planned_s
            if event == "pull_in":
                last = self.block_last[block_id]
                t += max(float(self.arrival_s[last] - self.stops.planned_arrival_s[last]), 0.0)
            m = km_of.get(station, float("nan")) * 1000.0
            rows.append((t, block_id, "", event, station, "", m, 0, 0, 0, 0))
        extra = pd.DataFrame(rows, columns=list(main.columns))
        frame = pd.concat([main, extra], ignore_index=True) if rows else main
        frame = frame.sort_values("time_s", kind="stable").reset_index(drop=True)
        frame["train_id"] = frame["block_id"]
        return frame[list(EVENT_COLUMNS)]

    def _km_of_visit(self, v: int) -> float:
        return float(self.scenario.line.stations[int(self.stops.station[v])].km)


def _next_here(stops: _Stops, n: int) -> IntArray:
    """Per visit: the visit of the next trip at the same stop and direction in published
    order of arrival (−1: none)."""
    size = len(stops.trip_id)
    key = np.array([0 if d == "up" else 1 for d in stops.direction], dtype=np.int64) * n
    key = key + stops.station
    order = np.lexsort((np.arange(size), stops.planned_arrival_s, key))
    out = np.full(size, -1, dtype=np.int64)
    same = key[order][1:] == key[order][:-1]
    out[order[:-1][same]] = order[1:][same]
    return out


def _standing(j: IntArray, w: FloatArray, t: FloatArray) -> list[tuple[int, int]]:
    """(first, last) point of each time a driven run stood between its two stops."""
    out: list[tuple[int, int]] = []
    q = 1
    while q < j.size:
        if j[q] == j[q - 1] and w[q] <= 0.0 and j[q] != j[0] and j[q] != j[-1]:
            start = q - 1
            while q + 1 < j.size and j[q + 1] == j[q]:
                q += 1
            if t[q] > t[start]:
                out.append((start, q))
        q += 1
    return out


def simulate_day(plan: ServicePlan, scenario: Scenario, seed: int) -> DayResult:
    """Simulate the service day of `plan` (made from `scenario`) with random streams from `seed`.

    Returns tables only (`DayResult`); the rules are in this module's docstring.
    """
    day = _Day(plan, scenario, seed)
    day.run()
    unserved = day.served & (np.isnan(day.arrival_s) | np.isnan(day.departure_s))
    unserved &= ~(day.trip_stop != day.stops.trip_end) | np.isnan(day.arrival_s)
    if unserved.any():
        v = int(np.flatnonzero(unserved)[0])
        raise AssertionError(
            f"stop {day.stops.station_name[v]} of {day.stops.trip_id[v]} was never served: "
            "the day deadlocked"
        )
    return DayResult(
        seed=int(seed),
        stop_times=day.stop_times(),
        stop_visits=day.stop_visits(),
        passengers=day.passenger_table(),
        runs=day.runs(plan),
        events=day.event_table(),
        capacity_pax=float(day.capacity_pax),
        trajectory=day.trajectories,
    )
