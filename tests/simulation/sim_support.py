"""Builders and independent references for the simulation tests (no simulation code reused).

`od_matrix` wraps hourly trips as an `OdMatrix`; `synthetic_stop_times` a small line's trips,
some of them short (starting or ending mid-line, as positioning trips do), with irregular
running times as a simulated day would have; `reference_day` serves passengers by the rule in
words — a loop over stop visits in time order and over each waiting passenger — to compare
with the vectorised model record by record. The `check_*` functions assert the invariants from
the output tables alone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lrtsim.demand.od import OdMatrix


def od_matrix(trips: np.ndarray) -> OdMatrix:
    """An OD matrix of `trips` (24 × n × n), stations S0, S1, …"""
    n = trips.shape[1]
    return OdMatrix(stations=tuple(f"S{i}" for i in range(n)), trips=trips, daily=trips.sum(axis=0))


def synthetic_stop_times(
    seed: int,
    stations: int = 6,
    start_s: float = 6 * 3600.0,
    end_s: float = 12 * 3600.0,
    headway_s: float = 420.0,
) -> pd.DataFrame:
    """Trips both ways every `headway_s`, every fourth one short (from or to station 1 or
    n − 2), running 80–160 s a segment and dwelling 15–40 s, times in whole seconds."""
    rng = np.random.default_rng(seed)
    rows = []
    number = 0
    for direction in ("up", "down"):
        t0 = start_s + (0.0 if direction == "up" else headway_s / 3)
        for k, depart in enumerate(np.arange(t0, end_s, headway_s)):
            order = list(range(stations)) if direction == "up" else list(range(stations))[::-1]
            if k % 4 == 1:
                order = order[1:]  # starts one station in
            elif k % 4 == 3:
                order = order[:-2]  # ends two stations short
            number += 1
            trip_id = f"{direction}-{number:03d}"
            t = float(depart) + float(rng.integers(0, 60))
            for seq, station in enumerate(order, start=1):
                dwell = 0.0 if seq in (1, len(order)) else float(rng.integers(15, 41))
                rows.append(
                    {
                        "trip_id": trip_id,
                        "direction": direction,
                        "stop_sequence": seq,
                        "station": f"S{station}",
                        "station_index": station,
                        "arrival_s": t,
                        "departure_s": t + dwell,
                    }
                )
                t += dwell + float(rng.integers(80, 161))
    return pd.DataFrame(rows)


@dataclass
class Reference:
    """The reference day: per passenger and per visit (keyed by trip id and stop sequence)."""

    board_s: np.ndarray
    alight_s: np.ndarray
    trip_id: list[str]
    denied: np.ndarray
    visits: dict[tuple[str, int], tuple[int, int, int, int, int]]
    """(trip, sequence) → alighted, boarded, load on arrival, load on departure, left behind."""


def reference_day(
    stop_times: pd.DataFrame,
    origin: np.ndarray,
    destination: np.ndarray,
    arrival_s: np.ndarray,
    capacity: int,
) -> Reference:
    """Serve the passengers (ids 0…, in order of arrival) one at a time, visit by visit.

    The rule in words: visits in order of arrival time (ties by the trip's first appearance in
    the table, then stop sequence); at a visit everyone for this station alights; then every
    passenger on the platform (arrived by the doors opening) whose destination is a later stop
    of the trip, in order of arrival, boards while there is room, and counts a denied boarding
    when there is none.
    """
    n = len(origin)
    rank = {t: i for i, t in enumerate(dict.fromkeys(stop_times["trip_id"]))}
    stops: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
    for row in stop_times.itertuples(index=False):
        stops[row.trip_id].append((int(row.stop_sequence), int(row.station_index), row.arrival_s))
    visits = []
    for trip, rows in stops.items():
        rows.sort()
        for k, (seq, station, t) in enumerate(rows):
            later = {s for _, s, _ in rows[k + 1 :]}
            visits.append((t, rank[trip], seq, trip, station, later))
    visits.sort(key=lambda v: (v[0], v[1], v[2]))
    waiting: dict[int, list[int]] = defaultdict(list)
    for p in range(n):
        waiting[int(origin[p])].append(p)
    onboard: dict[str, list[int]] = defaultdict(list)
    board_s = np.full(n, np.nan)
    alight_s = np.full(n, np.nan)
    trip_of = [""] * n
    denied = np.zeros(n, dtype=np.int64)
    out = {}
    for t, _, seq, trip, station, later in visits:
        riders = onboard[trip]
        arriving = len(riders)
        staying = []
        for p in riders:
            if destination[p] == station:
                alight_s[p] = t
            else:
                staying.append(p)
        onboard[trip] = staying
        alighted = arriving - len(staying)
        room = capacity - len(staying)
        boarded = left = 0
        still = []
        queue = waiting[station]
        for i, p in enumerate(queue):
            if arrival_s[p] > t:
                still.extend(queue[i:])
                break
            if destination[p] not in later:
                still.append(p)
            elif room > 0:
                room -= 1
                boarded += 1
                staying.append(p)
                board_s[p] = t
                trip_of[p] = trip
            else:
                denied[p] += 1
                left += 1
                still.append(p)
        waiting[station] = still
        out[(trip, seq)] = (alighted, boarded, arriving, len(staying), left)
    return Reference(board_s, alight_s, trip_of, denied, out)


# ------------------------------------------------------------------------------- invariants
def check_conservation(passengers: pd.DataFrame, visits: pd.DataFrame, arrived: int) -> None:
    """Arrived = boarded + never boarded; boarded = alighted; trains empty at the end."""
    assert len(passengers) == arrived
    served = passengers["board_s"].notna()
    assert np.array_equal(served, passengers["alight_s"].notna())
    assert np.array_equal(served, passengers["trip_id"].astype(str) != "")
    assert visits["boarded"].sum() == served.sum() == visits["alighted"].sum()
    assert np.all(
        visits["load_on_departure"]
        == visits["load_on_arrival"] - visits["alighted"] + visits["boarded"]
    )
    ordered = visits.sort_values(["trip_id", "stop_sequence"])
    for _, trip in ordered.groupby("trip_id", sort=False):
        assert trip["load_on_arrival"].iloc[0] == 0
        assert trip["load_on_departure"].iloc[-1] == 0  # no one left on board
        assert trip["boarded"].iloc[-1] == 0
        assert np.array_equal(
            trip["load_on_arrival"].to_numpy()[1:], trip["load_on_departure"].to_numpy()[:-1]
        )
    assert np.all(visits[["boarded", "alighted", "left_behind"]].to_numpy() >= 0)


def check_rides(passengers: pd.DataFrame, visits: pd.DataFrame) -> None:
    """Every rider boards their trip at their origin after arriving, and alights from it at
    their destination, later; each visit's counts are the riders who boarded or alighted."""
    riders = passengers[passengers["board_s"].notna()].copy()
    riders["trip_id"] = riders["trip_id"].astype(str)
    v = visits.assign(trip_id=visits["trip_id"].astype(str))
    at = v.set_index(["trip_id", "station_index"])
    board = at.loc[list(zip(riders["trip_id"], riders["origin"], strict=True))]
    alight = at.loc[list(zip(riders["trip_id"], riders["destination"], strict=True))]
    assert np.array_equal(board["arrival_s"].to_numpy(), riders["board_s"].to_numpy())
    assert np.array_equal(alight["arrival_s"].to_numpy(), riders["alight_s"].to_numpy())
    assert np.all(board["stop_sequence"].to_numpy() < alight["stop_sequence"].to_numpy())
    assert np.all(riders["board_s"] >= riders["arrival_s"])
    boarded = riders.groupby(["trip_id", "origin"]).size()
    alighted = riders.groupby(["trip_id", "destination"]).size()
    key = list(zip(v["trip_id"], v["station_index"], strict=True))
    assert np.array_equal(boarded.reindex(key, fill_value=0).to_numpy(), v["boarded"].to_numpy())
    assert np.array_equal(alighted.reindex(key, fill_value=0).to_numpy(), v["alighted"].to_numpy())


def later_stops(stop_times: pd.DataFrame) -> dict[tuple[str, int], frozenset[int]]:
    """(trip, station) → the stations the trip stops at after it."""
    out = {}
    for trip, rows in stop_times.sort_values("stop_sequence").groupby("trip_id"):
        seq = rows["station_index"].tolist()
        for k, s in enumerate(seq):
            out[(str(trip), int(s))] = frozenset(seq[k + 1 :])
    return out


def serving_visits(stop_times: pd.DataFrame, stations: int) -> dict[tuple[int, int], np.ndarray]:
    """(origin, destination) → sorted times the doors open at the origin of every trip that
    stops there and later at the destination."""
    times: dict[tuple[int, int], list[float]] = defaultdict(list)
    for _, rows in stop_times.sort_values("stop_sequence").groupby("trip_id"):
        seq = rows["station_index"].to_numpy()
        t = rows["arrival_s"].to_numpy()
        for k in range(len(seq)):
            for j in range(k + 1, len(seq)):
                times[(int(seq[k]), int(seq[j]))].append(float(t[k]))
    return {key: np.sort(np.array(v)) for key, v in times.items()}


def check_fifo(passengers: pd.DataFrame, stop_times: pd.DataFrame) -> None:
    """No one who came earlier to a platform is still waiting when a later comer boards a train
    that would have taken them too."""
    later = later_stops(stop_times)
    p = passengers.assign(trip_id=passengers["trip_id"].astype(str))
    for origin, group in p.groupby("origin"):
        group = group.sort_values("passenger_id")
        boarded = group[group["board_s"].notna()]
        board = np.where(group["board_s"].isna(), np.inf, group["board_s"]).astype(float)
        arrival = group["arrival_s"].to_numpy()
        dest = group["destination"].to_numpy()
        for trip, riders in boarded.groupby("trip_id"):
            serves = np.isin(dest, list(later[(trip, int(origin))]))
            t = riders["board_s"].iloc[0]
            last_rider = riders["arrival_s"].max()
            earlier = serves & (arrival < last_rider)
            assert np.all(board[earlier] <= t), (trip, origin)


def check_denied(passengers: pd.DataFrame, stop_times: pd.DataFrame, stations: int) -> None:
    """A passenger's denied boardings = the trains for their destination whose doors opened at
    their origin while they were there and that they did not board (every one before the one
    they boarded, or every one if they never boarded)."""
    serving = serving_visits(stop_times, stations)
    empty = np.zeros(0)
    for (o, d), group in passengers.groupby(["origin", "destination"]):
        times = serving.get((int(o), int(d)), empty)
        arrival = group["arrival_s"].to_numpy()
        board = np.where(group["board_s"].isna(), np.inf, group["board_s"]).astype(float)
        passed = np.searchsorted(times, board, side="left") - np.searchsorted(
            times, arrival, side="left"
        )
        assert np.array_equal(passed, group["denied_boardings"].to_numpy()), (o, d)
