"""The tables a simulated day hands on, built from what it leaves behind (`DayRecord`).

Stop times (every planned stop, NaN where not served), stop visits (the stops served), the
passengers, the runs (trips and empty moves, distance and line energy) and the event log; the
column contracts are `simulation.tables` and `simulation.day`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from lrtsim.dynamics.nonstop import nonstop_run
from lrtsim.dynamics.train import train_params
from lrtsim.model.direction import Direction
from lrtsim.model.schema import Scenario
from lrtsim.simulation.arrivals import Arrivals
from lrtsim.simulation.boarding import PassengerState
from lrtsim.simulation.driving import step_energy_j
from lrtsim.simulation.passenger_day import STOP_VISIT_COLUMNS as VISIT_COLUMNS
from lrtsim.simulation.passenger_day import VisitTable, passenger_records
from lrtsim.simulation.stops import Stops
from lrtsim.simulation.tables import PASSENGER_COLUMNS, STOP_TIMES_COLUMNS
from lrtsim.simulation.tracks import DirectionTrack
from lrtsim.simulation.trajectory import Trajectories

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

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
class DayRecord:
    """A simulated day's state at its end, as arrays (one row per stop visit in trip order)."""

    scenario: Scenario
    stops: Stops
    visits: VisitTable
    arrivals: Arrivals
    passengers: PassengerState
    arrival_s: FloatArray
    departure_s: FloatArray
    ready_s: FloatArray
    outcome: IntArray
    """Per visit: boarded, alighted, load on arrival, load on departure, left behind."""
    served: npt.NDArray[np.bool_]
    events: tuple[tuple[float, str, int, int, float], ...]
    """(time, event, train number, visit, position) in the order decided."""
    block_ids: tuple[str, ...]
    """Per train number."""
    pull: tuple[tuple[str, str, float, str], ...]
    """(block, pull_out | pull_in, planned start, station)."""
    block_last: dict[str, int]
    tracks: dict[Direction, DirectionTrack]
    trajectories: Trajectories


def stop_times(r: DayRecord) -> pd.DataFrame:
    """`STOP_TIMES_COLUMNS` in timetable order (NaN actual times where not served)."""
    s = r.stops
    served = r.served
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
            "actual_arrival_s": np.where(served, r.arrival_s, np.nan),
            "actual_departure_s": np.where(served, r.departure_s, np.nan),
        },
        columns=list(STOP_TIMES_COLUMNS),
    )
    return _timetable_order(r, frame)


def _timetable_order(r: DayRecord, frame: pd.DataFrame) -> pd.DataFrame:
    return frame.iloc[np.argsort(r.visits.rows)].reset_index(drop=True)


def stop_visits(r: DayRecord) -> pd.DataFrame:
    """`STOP_VISIT_COLUMNS` in timetable order, the stops served only."""
    s, out = r.stops, r.outcome
    held = np.where(np.isnan(r.ready_s), 0.0, r.departure_s - r.ready_s)
    frame = pd.DataFrame(
        {
            "trip_id": s.trip_id,
            "block_id": s.block_id,
            "stop_sequence": s.stop_sequence,
            "station": s.station_name,
            "station_index": s.station,
            "direction": s.direction,
            "arrival_s": r.arrival_s,
            "departure_s": r.departure_s,
            "alighted": out[:, 1],
            "boarded": out[:, 0],
            "load_on_arrival": out[:, 2],
            "load_on_departure": out[:, 3],
            "left_behind": out[:, 4],
            "held_s": np.nan_to_num(held, nan=0.0),
        },
        columns=list(STOP_VISIT_COLUMNS),
    )
    frame = _timetable_order(r, frame)
    keep = r.served[np.argsort(r.visits.rows)]
    return frame[keep].reset_index(drop=True)


def passenger_table(r: DayRecord) -> pd.DataFrame:
    """`simulation.tables.PASSENGER_COLUMNS`: the boarding records with stations by name."""
    served_arrival = np.where(r.served, r.arrival_s, np.nan)
    actual = VisitTable(
        rows=r.visits.rows,
        trip=r.visits.trip,
        trip_ids=r.visits.trip_ids,
        station=r.visits.station,
        arrival_s=served_arrival,
        trip_end=r.visits.trip_end,
        order=r.visits.order,
    )
    records = passenger_records(
        r.arrivals,
        actual,
        r.passengers.board_visit,
        r.passengers.denied,
        len(r.scenario.line.stations),
        board_s=r.passengers.board_s,
        served=r.served,
    )
    names = np.array([*(st.name for st in r.scenario.line.stations), ""], dtype=object)
    out = records.assign(
        origin=names[records["origin"].to_numpy()],
        destination=names[records["destination"].to_numpy()],
        alight_station=names[records["alight_station"].to_numpy()],
        trip_id=records["trip_id"].astype(str),
        direction=records["direction"].astype(str),
    )
    return out[[*PASSENGER_COLUMNS, "alight_station"]]


def runs(r: DayRecord, blocks: pd.DataFrame) -> pd.DataFrame:
    """`simulation.tables.RUN_COLUMNS`: per trip the distance driven and the line energy
    (a free run's from its profile, a driven one's from the forces along it); the empty
    moves from the plan's blocks, their energy from the dynamics layer's empty run."""
    rows: dict[tuple[str, str], list[float]] = {}
    for p in r.trajectories.pieces:
        track = r.tracks[p.direction]
        if p.j is None:
            distance = float(track.x[p.free.b] - track.x[p.free.a])
            energy = p.free.line_energy_j
        else:
            assert p.t is not None
            assert p.w is not None
            distance = float(track.x[p.j[-1]] - track.x[p.j[0]])
            traction, braking, time = step_energy_j(track.x, p.j, p.t, p.w, track.track_n, track.p)
            train = track.train
            energy = (
                traction / train.traction_efficiency
                + train.aux_power_w * time
                - braking * train.regen_efficiency
            )
        row = rows.setdefault((p.block_id, p.trip_id), [0.0, 0.0])
        row[0] += distance
        row[1] += energy
    empty = blocks[blocks["activity"].isin(("pull_out", "pull_in", "deadhead"))]
    per_m = _empty_energy_j_per_m(r.scenario)
    for block_id, distance in zip(empty["block_id"], empty["distance_m"], strict=True):
        row = rows.setdefault((str(block_id), ""), [0.0, 0.0])
        row[0] += float(distance)
        row[1] += float(distance) * per_m
    frame = pd.DataFrame(
        [(b, t, d, e) for (b, t), (d, e) in rows.items()],
        columns=["block_id", "trip_id", "distance_m", "line_energy_j"],
    )
    return frame.sort_values(["block_id", "trip_id"], kind="stable").reset_index(drop=True)


def _empty_energy_j_per_m(scenario: Scenario) -> float:
    """Line energy per metre of an empty move: the up direction's flat-out run at no load,
    terminal to terminal, per metre (`dynamics.nonstop`)."""
    line = scenario.line
    train = train_params(scenario.rolling_stock, 0.0)
    first, last = line.stations[0].km, line.stations[-1].km
    run = nonstop_run(line, train, first, last, load=0.0)
    distance = abs(last - first) * 1000.0
    return run.line_energy_j / distance if distance > 0 else 0.0


def event_table(r: DayRecord) -> pd.DataFrame:
    """`EVENT_COLUMNS`, by time (ties in the order decided)."""
    s, out = r.stops, r.outcome
    times, kinds, numbers, visits, _x = (
        (np.asarray(c) for c in zip(*r.events, strict=True))
        if r.events
        else (np.zeros(0) for _ in range(5))
    )
    v = visits.astype(np.int64)
    arrive = kinds == "arrive"
    station_km = np.array([st.km for st in r.scenario.line.stations])
    blocks = np.array(r.block_ids, dtype=object)
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
    for p in r.trajectories.pieces:
        if p.j is None:
            continue
        assert p.t is not None
        assert p.w is not None
        track = r.tracks[p.direction]
        u = p.visit_to
        for q0, q1 in _standing(p.j, p.w, p.t):
            m = float(track.track.km_at(np.array([track.x[p.j[q0]]]))[0]) * 1000.0
            failed = p.own_j == int(p.j[q0])
            first, second = ("fail", "recover") if failed else ("stop_signal", "restart")
            for t, e in ((float(p.t[q0]), first), (float(p.t[q1]), second)):
                rows.append((t, p.block_id, s.trip_id[u], e, s.station_name[u],
                             s.direction[u], m, 0, 0, p.load, 0))  # fmt: skip
    km_of = {st.name: st.km for st in r.scenario.line.stations}
    for block_id, event, planned_s, station in r.pull:
        t = planned_s
        if event == "pull_in":
            last = r.block_last[block_id]
            t += max(float(r.arrival_s[last] - r.stops.planned_arrival_s[last]), 0.0)
        m = km_of.get(station, float("nan")) * 1000.0
        rows.append((t, block_id, "", event, station, "", m, 0, 0, 0, 0))
    extra = pd.DataFrame(rows, columns=list(main.columns))
    frame = pd.concat([main, extra], ignore_index=True) if rows else main
    frame = frame.sort_values("time_s", kind="stable").reset_index(drop=True)
    frame["train_id"] = frame["block_id"]
    return frame[list(EVENT_COLUMNS)]


def _standing(j: IntArray, w: FloatArray, t: FloatArray) -> list[tuple[int, int]]:
    """(first, last) point of each time a driven run stood between its two stops: consecutive
    points at one grid point with speed 0, away from the run's ends, lasting some time."""
    same = (j[1:] == j[:-1]) & (w[1:] <= 0.0) & (j[1:] != j[0]) & (j[1:] != j[-1])
    if not same.any():
        return []
    edges = np.diff(np.concatenate(([0], same.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)  # point q − 1 … q of same[q − 1]
    ends = np.flatnonzero(edges == -1)
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True) if t[b] > t[a]]
