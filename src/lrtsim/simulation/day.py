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

from lrtsim.model.direction import Direction
from lrtsim.model.schema import Scenario
from lrtsim.planning.dwell import dwell_s
from lrtsim.planning.plan import ServicePlan
from lrtsim.simulation import day_tables
from lrtsim.simulation.arrivals import draw_arrivals, service_hours_s
from lrtsim.simulation.boarding import PassengerState, VisitOutcome
from lrtsim.simulation.control import hold_until_s, short_turn_at
from lrtsim.simulation.day_tables import EVENT_COLUMNS, STOP_VISIT_COLUMNS, DayRecord
from lrtsim.simulation.disruptions import Window, failure_distances_m, windows
from lrtsim.simulation.driving import DONE, OVERFLOW, drive
from lrtsim.simulation.kernel import Kernel
from lrtsim.simulation.passenger_day import visit_table
from lrtsim.simulation.seeds import generator, lognormal_factors, stream
from lrtsim.simulation.signalling import LineOrder
from lrtsim.simulation.stops import next_here, stop_arrays
from lrtsim.simulation.terminals import Platforms, platforms
from lrtsim.simulation.tracks import DirectionTrack, FreeRun, direction_tracks
from lrtsim.simulation.trains import Train
from lrtsim.simulation.trajectory import Piece, Trajectories, points

__all__ = ["EVENT_COLUMNS", "STOP_VISIT_COLUMNS", "DayResult", "simulate_day"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_INCIDENT, _ARRIVE, _DEPART = 0, 1, 2
"""Event kinds of the kernel's queue (an incident first, then arrivals, then departures)."""

JOIN_RETRY_S = 5.0
"""A train that may not yet start onto the track (a train too close) tries again this later."""

LATE_BOARDING_S = 30.0
"""A train held this long beyond its dwell lets on, as it leaves, those who came meanwhile."""


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
    """`simulation.tables.RUN_COLUMNS`: one row per trip, and one per train for its empty moves
    (pull-out, pull-in, deadheads) together, `trip_id` ""."""
    events: pd.DataFrame
    """`EVENT_COLUMNS`."""
    capacity_pax: float
    """The train capacity passengers boarded up to: the loading standard's, at most crush."""
    trajectory: Trajectories
    """Every train's motion: `samples(step_s)`, `position_at(t)`."""


class _Day:
    """The mutable state of one simulated day (private: `simulate_day` returns tables)."""

    def __init__(self, plan: ServicePlan, scenario: Scenario, seed: int) -> None:
        visits = visit_table(plan.timetable, len(scenario.line.stations))
        self.visits = visits
        self.stops = stop_arrays(plan, scenario, visits)
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
        self.line = LineOrder(self.tracks, self.visit_x)
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
        self.windows = windows(scenario)
        self.closures = any(w.kind == "station_closed" for w in self.windows)
        self.blockages = any(w.kind == "track_blocked" for w in self.windows)
        self.pending_failure: dict[int, list[Window]] = {}
        """Failure incidents at an interstation not yet met by a train, by incident number."""
        self.crossovers = set(self.control.crossovers)
        self.timepoints = set(self.control.timepoint_names(scenario.line))
        self.holding = self.control.strategy == "holding"
        self.last_departure: dict[tuple[Direction, int], tuple[float, float]] = {}
        """(direction, stop) → the last departure from it so far: (actual, published)."""
        self.station_failures: dict[int, list[Window]] = {}
        """Failure incidents at a station, waiting for the next train there, by number."""
        self.failures_started: set[int] = set()
        self.dispatched: set[int] = set()
        """First stops whose dispatch (holding) has been decided."""
        self.next_here = next_here(self.stops, self.n)
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
        self.trains: list[Train] = []
        self.train_of: dict[str, Train] = {}
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
            train = Train(number, str(block_id), failures[number])
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
            self.kernel.push(w.start_s, (_INCIDENT, -1, 0, i), 0)
        for v in self.block_first:
            train = self.train_of[self.stops.block_id[v]]
            self.kernel.push(
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

    def _track(self, train: Train) -> DirectionTrack:
        assert train.direction is not None
        return self.tracks[train.direction]

    def _x_of_visit(self, v: int) -> float:
        return float(self.visit_x[v])

    # --- trains at stops -----------------------------------------------------------------

    def _arrive(self, train: Train, u: int) -> None:
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
                self.kernel.push(ready, (_DEPART, train.number, 0, nxt), 2)
            return
        ready = now + self._dwell_s(u, out)
        self.ready_s[u] = ready  # its dwell is done: what comes after is held_s
        failure = self._station_failure(s.direction[u], int(s.k[u]))
        if failure is not None:
            self._log(ready, "fail", train, u)
            ready += failure.end_s - failure.start_s
            self._log(ready, "recover", train, u)
        leave = self._hold(train, u, ready)
        if leave > ready:
            self._log(ready, "hold_start", train, u)
            self._log(leave, "hold_end", train, u)
        self.kernel.push(leave, (_DEPART, train.number, 0, u), 2)

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

    def _hold(self, train: Train, v: int, ready: float) -> float:
        """When the control strategy lets the train leave visit v, ready at `ready`."""
        s = self.stops
        if not self.holding or self.names[int(s.station[v])] not in self.timepoints:
            return ready
        return hold_until_s(
            self.control,
            ready_s=ready,
            planned_departure_s=float(s.planned_departure_s[v]),
            leader=self.last_departure.get((s.direction[v], int(s.k[v]))),
            follower=self._follower_arrival(v),
        )

    def _follower_arrival(self, v: int) -> tuple[float, float] | None:
        """The trip after v's at the same stop (published order): when it is expected there
        (its published arrival plus its train's delay at its last stop) and its published
        arrival; None if none follows."""
        f = int(self.next_here[v])
        if f < 0:
            return None
        follower = self.train_of[self.stops.block_id[f]]
        planned = float(self.stops.planned_arrival_s[f])
        return planned + follower.delay_s, planned

    def _depart(self, train: Train, v: int) -> None:
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
                self.kernel.push(leave, (_DEPART, train.number, 0, v), 2)
                return
        if not train.on_track:
            if not self.line.can_join(s.direction[v], self._x_of_visit(v), now):
                self.kernel.push(now + JOIN_RETRY_S, (_DEPART, train.number, 0, v), 2)
                return
            self._start_trip(train, v)
        blocked = self._blocked_ahead(s.direction[v], int(s.k[v]), now) if self.blockages else None
        if blocked is not None:
            if not train.held:
                self._log(now, "stop_signal", train, v)
            train.held = True
            self.kernel.push(blocked.end_s, (_DEPART, train.number, 0, v), 2)
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
        self.last_departure[(s.direction[v], int(s.k[v]))] = (
            now,
            float(s.planned_departure_s[v]),
        )
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

    def _start_trip(self, train: Train, v: int) -> None:
        """The train starts the trip of visit v: short turn decided, onto its direction's track."""
        s = self.stops
        train.direction = s.direction[v]
        train.visit = v
        self._short_turn(train, v)
        self._join_track(train, v)

    def _short_turn(self, train: Train, v: int) -> None:
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

    def _join_track(self, train: Train, v: int) -> None:
        behind = self.line.join(train, self._x_of_visit(v), self._now())
        if behind is not None and behind.running:
            self._replan(behind, force=True)

    def _leave_track(self, train: Train) -> None:
        behind = self.line.leave(train)
        if behind is not None:
            self._notify(behind, force=False)

    def _notify(self, train: Train, *, force: bool) -> None:
        """The plan of the train ahead of `train` changed: replan it if that matters."""
        if train.running and (force or train.dependent or train.waiting):
            self._replan(train, force=force)

    # --- driving -------------------------------------------------------------------------

    def _plan(self, train: Train, v: int) -> None:
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
        train.own = (
            self._own_failure(train, track, free, int(s.k[v]))
            if self.pending_failure or train.failures_m
            else None
        )
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
        leader = self.line.ahead(train)
        reach = track.reach(free)
        clear = leader is None or self.line.authority_m(leader, now, at_least=reach) >= reach
        if clear and train.own is None and not train.obstacles:
            train.dependent = False
            self.kernel.push(train.piece.end_s, (_ARRIVE, train.number, train.version, u), 1)
        else:
            self._drive(train, int(free.a), 0.0, now, keep=0)
        behind = self.line.behind(train)
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
        line = self.line.order[terminal.direction]
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
        self, train: Train, track: DirectionTrack, free: FreeRun, k: int
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
            # One failure a run: the train-km it stands for cover any other drawn in it.
            while train.failures_m and train.failures_m[0] < train.distance_m + length:
                train.failures_m.pop(0)
            j = int(np.searchsorted(track.x, track.x[free.a] + max(at, 1.0)))
            j = min(max(j, free.a + 1), free.b - 1)
            recovery = 60.0 * self.scenario.operations.failure_recovery_min
            return j, recovery
        return None

    def _drive(
        self,
        train: Train,
        j0: int,
        w0: float,
        t0: float,
        *,
        keep: int,
        own_wait_s: float | None = None,
    ) -> None:
        """Drive the current run from grid point j0 (v² w0, time t0) under the authority known
        now, keeping the first `keep` points already driven; a stop of its own still to come
        lasts its whole time, or `own_wait_s` when it has begun."""
        piece = train.piece
        assert piece is not None
        track = self._track(train)
        j_old, t_old, w_old = points(piece, track)
        free = piece.free
        leader = self.line.ahead(train)
        now = self._now()
        if leader is not None:
            lead = np.ascontiguousarray(np.column_stack(self.line.leader_line(leader, now)))
        else:
            lead = np.zeros((0, 2))
        signals = np.asarray(train.obstacles, dtype=np.float64).reshape(-1, 3)
        own_j, own_wait = (-1, 0.0) if train.own is None else train.own
        if own_wait_s is not None:
            own_wait = own_wait_s
        size = 2 * (free.b - j0 + 1) + 64
        out_j = np.empty(size, dtype=np.int64)
        out_t = np.empty(size)
        out_w = np.empty(size)
        n, status, shaped = drive(
            track.x, free.w, track.track_n, track.p, track.rule.brake_mps2,
            track.rule.reaction_time_s, j0, free.b, w0, t0, lead, track.blocks_m, signals,
            own_j, own_wait, out_j, out_t, out_w, free.a,
        )  # fmt: skip
        piece.j = np.concatenate((j_old[:keep], out_j[:n]))
        piece.t = np.concatenate((t_old[:keep], out_t[:n]))
        piece.w = np.concatenate((w_old[:keep], out_w[:n]))
        # Replanned when its leader's plan changes only if what it did not know of it bound.
        train.dependent = shaped
        train.version += 1
        if status == OVERFLOW:
            raise AssertionError(f"{train.block_id} could not be driven from grid point {j0}")
        if status == DONE:
            train.waiting = False
            self.kernel.push(
                float(piece.t[-1]), (_ARRIVE, train.number, train.version, piece.visit_to), 1
            )
        else:
            train.waiting = True

    def _replan(self, train: Train, *, force: bool) -> None:
        """Drive the rest of the train's current run again from now, as now known."""
        piece = train.piece
        if piece is None or not train.running:
            return
        track = self._track(train)
        now = self._now()
        if piece.j is None and not force and not train.waiting:
            return  # a free run: nothing it did not know of its leader shaped it
        old_end = piece.end_s if not train.waiting else np.inf
        j, t, w = points(piece, track)
        q = int(np.searchsorted(t, now, side="left"))
        if q >= t.size:  # all driven (it stands waiting at its last point)
            start_j, start_w, start_t, keep = int(j[-1]), 0.0, now, t.size
        elif q > 0 and j[q] == j[q - 1] and w[q] == 0.0:  # standing at q: restart from now
            start_j, start_w, start_t, keep = int(j[q]), 0.0, now, q
        else:
            start_j, start_w, start_t, keep = int(j[q]), float(w[q]), float(t[q]), q
        own_wait = None
        if train.own is not None:
            own_j, wait = train.own  # the whole stand, from when it first stood there
            stood = [float(t[i]) for i in range(keep) if j[i] == own_j and w[i] == 0.0]
            if start_j > own_j or (stood and stood[0] + wait <= start_t):
                train.own = None
            elif stood:
                own_wait = stood[0] + wait - start_t
        self._drive(train, start_j, start_w, start_t, keep=keep, own_wait_s=own_wait)
        behind = self.line.behind(train)
        if behind is not None:
            self._notify(behind, force=force or piece.end_s > old_end + 1e-9)

    # --- incidents -----------------------------------------------------------------------

    def _incident(self, w: Window) -> None:
        """An incident starts now."""
        now = self._now()
        if w.kind == "track_blocked":
            for train in list(self.line.order[w.direction]):
                if not train.running or train.piece is None:
                    continue
                track = self._track(train)
                x_entry = float(track.x[track.stop_j[w.k]])
                x_exit = float(track.x[track.stop_j[w.k + 1]])
                x = self.line.position_m(train, now)
                if x_entry < x < x_exit:
                    v = self.line.speed_mps(train, now)
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
        """The first train to reach the middle of the interstation from now, able to stop there,
        fails there (in either direction the incident names); if none is, the next to enter."""
        now = self._now()
        places = [x for x in self.windows if x.number == w.number]
        candidates = []
        for place in places:
            for train in self.line.order[place.direction]:
                if not train.running or train.piece is None:
                    continue
                track = self._track(train)
                a, b = int(track.stop_j[place.k]), int(track.stop_j[place.k + 1])
                mid = 0.5 * (track.x[a] + track.x[b])
                x = self.line.position_m(train, now)
                v = self.line.speed_mps(train, now)
                stop_m = v * v / (2.0 * track.rule.brake_mps2) + 1.0  # it can still stop there
                if track.x[a] <= x < mid - stop_m and train.piece.free.b >= b:
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

    def _log(self, t: float, event: str, train: Train, v: int) -> None:
        self.events.append((t, event, train.number, v, self._x_of_visit(v)))

    def record(self) -> DayRecord:
        """What the day leaves behind, for the table builders (`day_tables`)."""
        return DayRecord(
            scenario=self.scenario,
            stops=self.stops,
            visits=self.visits,
            arrivals=self.arrivals,
            passengers=self.passengers,
            arrival_s=self.arrival_s,
            departure_s=self.departure_s,
            ready_s=self.ready_s,
            outcome=self.outcome,
            served=self.served,
            events=tuple(self.events),
            block_ids=tuple(t.block_id for t in self.trains),
            pull=tuple(self.pull),
            block_last=self.block_last,
            tracks=self.tracks,
            trajectories=self.trajectories,
        )


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
    record = day.record()
    return DayResult(
        seed=int(seed),
        stop_times=day_tables.stop_times(record),
        stop_visits=day_tables.stop_visits(record),
        passengers=day_tables.passenger_table(record),
        runs=day_tables.runs(record, plan.blocks),
        events=day_tables.event_table(record),
        capacity_pax=float(day.capacity_pax),
        trajectory=day.trajectories,
    )
