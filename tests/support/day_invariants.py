"""Invariants of a simulated service day, checked from its output tables alone.

Each `check_*` function states one rule of a day in its docstring and raises AssertionError
naming the train, trip, passenger and time that break it (the first few of them, and how many).
They read only the tables a day hands on (`DayResult.stop_times`, `.stop_visits`,
`.passengers`, `.events`, `.runs`), the scenario and the plan — never the simulator's own
arrays or helpers — so that a rule is checked the way a person reading the tables would check
it, not recomputed by the code under test.

Times are seconds after midnight; a served stop has a known actual arrival (NaN: not served).
`separation_shortfalls` checks sampled train positions against moving block
(`support.separation`), for the planned day (`planned_positions`) and the simulated one.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lrtsim.model.schema import Incident, Scenario
from lrtsim.planning.motion import plan_motion
from lrtsim.planning.plan import ServicePlan
from support.separation import Running, Shortfall, shortfalls

SHOWN = 5
"""Cases a failure message lists (and then how many more)."""

DAY_TABLES = ("events", "passengers", "stop_times", "stop_visits", "runs")
"""The tables of a `DayResult`, compared by `check_identical_days`."""

SAMPLE_COLUMNS = ("time_s", "block_id", "direction", "km", "speed_mps")
"""Sampled positions: one row per train on the main line per sampled time."""

TIME_TOLERANCE_S = 1e-9
"""Two times the simulation wrote from the same number are equal to within this."""


# ------------------------------------------------------------------------------------ helpers
def clock(t: float) -> str:
    """Seconds after midnight as HH:MM:SS.mmm ('never' for NaN)."""
    if not math.isfinite(t):
        return "never"
    ms = round(t * 1000.0)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    return f"{h:02d}:{m:02d}:{rest / 1000.0:06.3f}"


def _fail(rule: str, cases: Sequence[str], count: int | None = None) -> NoReturn:
    n = len(cases) if count is None else count
    shown = "\n  ".join(cases[:SHOWN])
    more = f"\n  … and {n - SHOWN} more" if n > SHOWN else ""
    raise AssertionError(f"{rule} — {n} case{'' if n == 1 else 's'}:\n  {shown}{more}")


def _require(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AssertionError(f"the {name} table lacks the columns {', '.join(missing)}")


def _text(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """`frame` with the named columns as plain str (categoricals and string dtypes alike)."""
    return frame.assign(**{c: frame[c].astype(str) for c in columns})


def served_visits(stop_visits: pd.DataFrame) -> pd.DataFrame:
    """The stop visits that happened (a known arrival, where the table gives arrivals), in trip
    order: by trip id, then stop sequence."""
    _require(stop_visits, ("trip_id", "stop_sequence", "station", "direction"), "stop visits")
    visits = _text(stop_visits, "trip_id", "station", "direction")
    if "arrival_s" in visits.columns:
        visits = visits[visits["arrival_s"].notna()]
    return visits.sort_values(["trip_id", "stop_sequence"], kind="stable").reset_index(drop=True)


def served_stops(stop_times: pd.DataFrame) -> pd.DataFrame:
    """The served rows of the stop times (a known actual arrival), in trip order."""
    _require(stop_times, ("trip_id", "stop_sequence", "station", "actual_arrival_s"), "stop times")
    stops = _text(stop_times, "trip_id", "block_id", "station", "direction")
    stops = stops[stops["actual_arrival_s"].notna()]
    return stops.sort_values(["trip_id", "stop_sequence"], kind="stable").reset_index(drop=True)


def _riders(passengers: pd.DataFrame) -> pd.DataFrame:
    """The passengers who boarded, station and trip columns as str."""
    _require(
        passengers,
        ("passenger_id", "origin", "destination", "direction", "arrival_s", "board_s", "alight_s"),
        "passengers",
    )
    p = _text(passengers, "origin", "destination", "direction", "trip_id")
    p = p[p["board_s"].notna()]
    # Where they got off: their destination, or (a simulated day's `alight_station`) the next
    # stop served when their train passed the destination closed.
    if "alight_station" in p.columns:
        return p.assign(alight_at=p["alight_station"].astype(str))
    return p.assign(alight_at=p["destination"])


def _who(r: Any) -> str:
    """A passenger row as 'passenger 12 (A→C, up, arrived 07:01:02.000)'."""
    return (
        f"passenger {r.passenger_id} ({r.origin}→{r.destination}, {r.direction}, arrived "
        f"{clock(float(r.arrival_s))})"
    )


def _visit(r: Any) -> str:
    """A stop-visit row as 'trip up-003 at C (up, stop 3)'."""
    return f"trip {r.trip_id} at {r.station} ({r.direction}, stop {r.stop_sequence})"


def _last_of_trip(frame: pd.DataFrame) -> pd.Series:
    """True at each trip's last row (the frame in trip order)."""
    trip = frame["trip_id"].to_numpy()
    last = np.ones(len(frame), dtype=bool)
    last[:-1] = trip[1:] != trip[:-1]
    return pd.Series(last, index=frame.index)


def _first_of_trip(frame: pd.DataFrame) -> pd.Series:
    trip = frame["trip_id"].to_numpy()
    first = np.ones(len(frame), dtype=bool)
    first[1:] = trip[1:] != trip[:-1]
    return pd.Series(first, index=frame.index)


# ----------------------------------------------------------------------- passengers conserved
def check_passengers_accounted(passengers: pd.DataFrame) -> None:
    """Arrived = boarded + still waiting: every passenger (one row, a unique id) either boarded
    — board_s, alight_s and a trip all known — or never did — all three unknown ("" trip) —
    and counts no negative number of denied boardings."""
    p = _text(passengers, "origin", "destination", "direction", "trip_id")
    repeated = p[p["passenger_id"].duplicated(keep=False)]
    if len(repeated):
        ids = sorted(set(repeated["passenger_id"].tolist()))
        _fail("a passenger id is repeated", [f"passenger {i}" for i in ids])
    board, alight = p["board_s"].notna(), p["alight_s"].notna()
    trip = p["trip_id"] != ""
    bad = p[(board != alight) | (board != trip)]
    if len(bad):
        _fail(
            "a passenger neither boarded (board_s, alight_s and trip known) nor kept waiting "
            "(all three unknown)",
            [
                f"{_who(r)}: board_s {clock(r.board_s)}, alight_s {clock(r.alight_s)}, "
                f"trip '{r.trip_id}'"
                for r in bad.head(SHOWN).itertuples()
            ],
            len(bad),
        )
    negative = p[p["denied_boardings"] < 0]
    if len(negative):
        _fail(
            "a passenger has a negative count of denied boardings",
            [f"{_who(r)}: {r.denied_boardings}" for r in negative.head(SHOWN).itertuples()],
            len(negative),
        )
    assert len(p) == int(board.sum()) + int((~board & ~alight & ~trip).sum())


def check_boarded_equals_alighted_plus_on_board(
    stop_visits: pd.DataFrame, passengers: pd.DataFrame
) -> None:
    """Boarded = alighted + on board at the end, counted at the stop visits; and the visits'
    boardings are the passengers who boarded, their alightings those who reached their
    destination."""
    v = served_visits(stop_visits)
    boarded, alighted = int(v["boarded"].sum()), int(v["alighted"].sum())
    on_board = int(v.loc[_last_of_trip(v), "load_on_departure"].sum())
    riders = int(passengers["board_s"].notna().sum())
    arrived = int(passengers["alight_s"].notna().sum())
    problems = []
    if boarded != alighted + on_board:
        problems.append(
            f"the visits board {boarded} but alight {alighted} with {on_board} on board "
            "leaving the trips' last stops"
        )
    if boarded != riders:
        problems.append(f"the visits board {boarded}, the passengers table has {riders} riders")
    if alighted != arrived:
        problems.append(
            f"the visits alight {alighted}, the passengers table has {arrived} who alighted"
        )
    if problems:
        _fail("boardings and alightings do not balance", problems)


def check_nobody_on_board_at_end(stop_visits: pd.DataFrame) -> None:
    """At the end of every trip, and so at the end of the day, nobody is left on the train:
    the load leaving a trip's last served stop is 0 (everyone alights there)."""
    v = served_visits(stop_visits)
    last = v[_last_of_trip(v)]
    bad = last[last["load_on_departure"] != 0]
    if len(bad):
        _fail(
            "a train still carries passengers after its trip's last stop",
            [
                f"{_visit(r)}, block {getattr(r, 'block_id', '?')}, arrived "
                f"{clock(getattr(r, 'arrival_s', math.nan))}: {r.load_on_departure} on board"
                for r in bad.head(SHOWN).itertuples()
            ],
            len(bad),
        )


def check_visit_flow(stop_visits: pd.DataFrame) -> None:
    """At every stop visit load_on_departure = load_on_arrival − alighted + boarded, with
    counts ≥ 0 and no more alighting than were on board."""
    v = served_visits(stop_visits)
    _require(v, ("load_on_arrival", "load_on_departure", "alighted", "boarded"), "stop visits")
    flow = v["load_on_arrival"] - v["alighted"] + v["boarded"]
    counts = v[["boarded", "alighted", "load_on_arrival", "load_on_departure", "left_behind"]]
    bad = v[
        (flow != v["load_on_departure"])
        | (counts < 0).any(axis=1)
        | (v["alighted"] > v["load_on_arrival"])
    ]
    if len(bad):
        _fail(
            "a stop visit's passengers do not add up (departing = arriving − alighted + boarded, "
            "counts ≥ 0)",
            [
                f"{_visit(r)} at {clock(getattr(r, 'arrival_s', math.nan))}: arrived with "
                f"{r.load_on_arrival}, {r.alighted} off, {r.boarded} on, left with "
                f"{r.load_on_departure}, {r.left_behind} left behind"
                for r in bad.head(SHOWN).itertuples()
            ],
            len(bad),
        )


def check_load_chain(stop_visits: pd.DataFrame) -> None:
    """Along each trip the load carries over: a trip arrives empty at its first stop, and the
    load arriving at each stop is the load that left the stop before."""
    v = served_visits(stop_visits)
    first = _first_of_trip(v)
    previous = v["load_on_departure"].shift(1)
    bad = v[(first & (v["load_on_arrival"] != 0)) | (~first & (v["load_on_arrival"] != previous))]
    if len(bad):
        _fail(
            "a trip's load does not carry over from one stop to the next",
            [
                f"{_visit(r)}: arrives with {r.load_on_arrival}, "
                + (
                    "its first stop (should be 0)"
                    if first.loc[r.Index]
                    else f"left the stop before with {int(previous.loc[r.Index])}"
                )
                for r in bad.head(SHOWN).itertuples()
            ],
            len(bad),
        )


def _by_station(
    v: pd.DataFrame, column: str, riders: pd.DataFrame, station: str, name: str
) -> None:
    counted = v.groupby(["station", "direction"])[column].sum()
    people = riders.groupby([station, "direction"]).size()
    both = pd.concat([counted.rename("visits"), people.rename("passengers")], axis=1)
    both = both.fillna(0).astype(np.int64)
    bad = both[both["visits"] != both["passengers"]]
    if len(bad):
        _fail(
            f"the stop visits' {column} at a station and direction are not the passengers who "
            f"{name} there",
            [
                f"{s} ({d}): the visits count {r.visits}, the passengers table {r.passengers}"
                for (s, d), r in zip(bad.index, bad.itertuples(), strict=True)
            ],
        )


def check_boardings_by_station(stop_visits: pd.DataFrame, passengers: pd.DataFrame) -> None:
    """Per station and direction, the boardings the stop visits count are the passengers whom
    the passengers table has boarding there (origin, direction)."""
    _by_station(served_visits(stop_visits), "boarded", _riders(passengers), "origin", "boarded")


def check_alightings_by_station(stop_visits: pd.DataFrame, passengers: pd.DataFrame) -> None:
    """Per station and direction, the alightings the stop visits count are the passengers whom
    the passengers table has alighting there (destination, direction)."""
    p = _riders(passengers)
    _by_station(
        served_visits(stop_visits), "alighted", p[p["alight_s"].notna()], "alight_at", "alighted"
    )


# ------------------------------------------------------------------------ capacity, closures
def check_loads_within_capacity(
    stop_visits: pd.DataFrame, events: pd.DataFrame, *, capacity_pax: float, crush_pax: float
) -> None:
    """No train carries more than the capacity it boards up to (`DayResult.capacity_pax`) nor
    more than its crush load (`rolling_stock.capacity_at(crush_standing_pax_per_m2)`), arriving
    or leaving any stop, nor at any logged event."""
    limit = min(capacity_pax, crush_pax)
    v = served_visits(stop_visits)
    cases = [
        f"{_visit(r)} at {clock(getattr(r, 'arrival_s', math.nan))}: {r.load_on_arrival} "
        f"arriving, {r.load_on_departure} leaving"
        for r in v[(v["load_on_arrival"] > limit) | (v["load_on_departure"] > limit)].itertuples()
    ]
    e = _text(events, "train_id", "trip_id", "event", "station")
    cases += [
        f"train {r.train_id} ({r.event} of trip {r.trip_id} at {r.station}, "
        f"{clock(r.time_s)}): load {r.load}"
        for r in e[e["load"] > limit].itertuples()
    ]
    if cases:
        _fail(
            f"a train is loaded above its capacity ({capacity_pax:g} boarded up to, crush "
            f"{crush_pax:g})",
            cases,
        )


def _directions(incident: Incident) -> tuple[str, ...]:
    return ("up", "down") if incident.direction == "both" else (incident.direction,)


def _window(incident: Incident) -> str:
    start = float(incident.at_s)
    return f"[{clock(start)}, {clock(start + incident.duration_s)})"


def check_closed_stations(
    stop_visits: pd.DataFrame, passengers: pd.DataFrame, incidents: Sequence[Incident]
) -> None:
    """While a station is closed (an incident of kind station_closed, its direction or both,
    from `at` for `duration_min`: arrivals in [at, at + duration)) no train stops there and
    no passenger boards or alights there."""
    v = served_visits(stop_visits)
    _require(v, ("arrival_s",), "stop visits")
    p = _riders(passengers)
    cases: list[str] = []
    for incident in incidents:
        if incident.kind != "station_closed":
            continue
        start, end = float(incident.at_s), float(incident.at_s) + incident.duration_s
        ways = _directions(incident)
        here = v[
            (v["station"] == incident.station)
            & v["direction"].isin(ways)
            & (v["arrival_s"] >= start)
            & (v["arrival_s"] < end)
        ]
        closed = f"closed {_window(incident)}"
        cases += [
            f"{_visit(r)} stops at {clock(r.arrival_s)} ({r.boarded} on, {r.alighted} off), "
            f"{closed}"
            for r in here.itertuples()
        ]
        for column, station, verb in (
            ("board_s", "origin", "boards"),
            ("alight_s", "alight_at", "alights"),
        ):
            t = p[column]
            who = p[
                (p[station] == incident.station)
                & p["direction"].isin(ways)
                & (t >= start)
                & (t < end)
            ]
            cases += [
                f"{_who(r)} {verb} trip {r.trip_id} at {incident.station} at "
                f"{clock(float(getattr(r, column)))}, {closed}"
                for r in who.itertuples()
            ]
    if cases:
        _fail("a train served a station while it was closed", cases)


def check_blocked_track(stop_times: pd.DataFrame, incidents: Sequence[Incident]) -> None:
    """No train enters a blocked section: for an incident of kind track_blocked between two
    adjacent stations (its direction or both), no trip leaves one of them for the other in
    [at, at + duration)."""
    s = served_stops(stop_times)
    nxt = s["station"].shift(-1)
    continues = ~_last_of_trip(s)
    cases: list[str] = []
    for incident in incidents:
        if incident.kind != "track_blocked" or incident.between is None:
            continue
        a, b = incident.between
        start, end = float(incident.at_s), float(incident.at_s) + incident.duration_s
        leaving = s[
            continues
            & s["direction"].isin(_directions(incident))
            & (((s["station"] == a) & (nxt == b)) | ((s["station"] == b) & (nxt == a)))
            & (s["actual_departure_s"] >= start)
            & (s["actual_departure_s"] < end)
        ]
        cases += [
            f"trip {r.trip_id} (block {r.block_id}, {r.direction}) leaves {r.station} for "
            f"{nxt.loc[r.Index]} at {clock(r.actual_departure_s)}, blocked {_window(incident)}"
            for r in leaving.itertuples()
        ]
    if cases:
        _fail("a train entered a blocked section of track", cases)


# ------------------------------------------------------------------------------ train events
def check_train_events_in_time_order(events: pd.DataFrame) -> None:
    """Each train's events, in the order of the log, have non-decreasing times."""
    e = _text(events, "train_id", "trip_id", "event", "station").reset_index(drop=True)
    group = e.groupby("train_id", sort=False)
    before = group["time_s"].shift(1)
    before_event = group["event"].shift(1)
    before_station = group["station"].shift(1)
    bad = e[e["time_s"] < before]
    if len(bad):
        _fail(
            "a train's event is logged after a later one",
            [
                f"train {r.train_id}: {r.event} at {r.station} ({r.trip_id}) at "
                f"{clock(r.time_s)} comes after {before_event[r.Index]} at "
                f"{before_station[r.Index]} at {clock(float(before[r.Index]))}"
                for r in bad.head(SHOWN).itertuples()
            ],
            len(bad),
        )


def check_pull_out_first_pull_in_last(events: pd.DataFrame) -> None:
    """Each block's events begin with a pull-out and end with a pull-in, and the train arrives
    and departs only while out of the depot (between a pull-out and the next pull-in)."""
    e = _text(events, "block_id", "trip_id", "event", "station").reset_index(drop=True)
    cases: list[str] = []
    for block, rows in e.groupby("block_id", sort=True):
        kinds = rows["event"].tolist()
        times = rows["time_s"].tolist()
        if kinds[0] != "pull_out":
            cases.append(f"block {block} starts with {kinds[0]} at {clock(times[0])}")
        if kinds[-1] != "pull_in":
            cases.append(f"block {block} ends with {kinds[-1]} at {clock(times[-1])}")
        out = False
        for kind, t in zip(kinds, times, strict=True):
            if kind == "pull_out":
                if out:
                    cases.append(f"block {block} pulls out again at {clock(t)}, already out")
                out = True
            elif kind == "pull_in":
                if not out:
                    cases.append(f"block {block} pulls in at {clock(t)}, not being out")
                out = False
            elif not out:
                cases.append(f"block {block}: {kind} at {clock(t)} while in the depot")
    if cases:
        _fail("a block's events are not framed by its pull-out and pull-in", cases)


def check_arrive_before_depart(stop_times: pd.DataFrame, events: pd.DataFrame) -> None:
    """At every stop a train arrives no later than it departs: actual_arrival_s ≤
    actual_departure_s in the stop times, and in the event log each departure comes after
    the arrival of the same trip at the same station, at no earlier a time."""
    s = served_stops(stop_times)
    early = s[s["actual_departure_s"] < s["actual_arrival_s"]]
    cases = [
        f"trip {r.trip_id} (block {r.block_id}) at {r.station}: arrives "
        f"{clock(r.actual_arrival_s)}, departs {clock(r.actual_departure_s)}"
        for r in early.itertuples()
    ]
    e = _text(events, "trip_id", "event", "station").reset_index(drop=True)
    e = e.assign(row=np.arange(len(e)))
    key = ["trip_id", "station"]
    arrive = e.loc[e["event"] == "arrive", [*key, "time_s", "row"]]
    depart = e.loc[e["event"] == "depart", [*key, "time_s", "row"]]
    both = depart.merge(arrive, on=key, how="left", suffixes=("_depart", "_arrive"))
    both = both.set_index(key)
    bad = both[
        both["row_arrive"].isna()
        | (both["row_depart"] < both["row_arrive"])
        | (both["time_s_depart"] < both["time_s_arrive"])
    ]
    cases += [
        f"trip {trip} at {station}: departs {clock(r.time_s_depart)} (event {r.row_depart}), "
        f"arrived {clock(r.time_s_arrive)} (event "
        f"{'none' if math.isnan(r.row_arrive) else int(r.row_arrive)})"
        for (trip, station), r in zip(bad.index, bad.itertuples(), strict=True)
    ]
    if cases:
        _fail("a train departs a stop before it arrived there", cases)


def check_stops_in_sequence(stop_times: pd.DataFrame, events: pd.DataFrame) -> None:
    """A trip serves its stops in stop_sequence order: it reaches each stop after leaving the
    one before (actual arrival > the previous stop's actual departure), and its arrivals in
    the event log come in that order."""
    s = served_stops(stop_times)
    first = _first_of_trip(s)
    left = s["actual_departure_s"].shift(1)
    bad = s[~first & ~(s["actual_arrival_s"] > left)]
    cases = [
        f"trip {r.trip_id} (block {r.block_id}) reaches {r.station} (stop {r.stop_sequence}) "
        f"at {clock(r.actual_arrival_s)}, having left the stop before at "
        f"{clock(float(left.loc[r.Index]))}"
        for r in bad.itertuples()
    ]
    sequence = s.set_index(["trip_id", "station"])["stop_sequence"]
    e = _text(events, "trip_id", "event", "station")
    arrive = e[e["event"] == "arrive"]
    key = pd.MultiIndex.from_arrays([arrive["trip_id"], arrive["station"]])
    seq = pd.Series(sequence.reindex(key).to_numpy(), index=arrive.index)
    unknown = arrive[seq.isna()]
    cases += [
        f"trip {r.trip_id} arrives at {r.station} at {clock(r.time_s)}: not a served stop"
        for r in unknown.itertuples()
    ]
    logged = arrive.assign(seq=seq)[seq.notna()]
    before = logged.groupby("trip_id", sort=False)["seq"].shift(1)
    out_of_order = logged[logged["seq"] <= before]
    cases += [
        f"trip {r.trip_id}: arrival at {r.station} (stop {int(r.seq)}) at {clock(r.time_s)} "
        f"logged after its arrival at stop {int(before.loc[r.Index])}"
        for r in out_of_order.itertuples()
    ]
    if cases:
        _fail("a trip's stops are not served in stop_sequence order", cases)


def check_one_place_at_a_time(stop_times: pd.DataFrame) -> None:
    """A train is in one place at a time: the trips of one block do not overlap in time (each
    from its first served arrival to its last served arrival or departure)."""
    s = served_stops(stop_times)
    end = s[["actual_arrival_s", "actual_departure_s"]].max(axis=1)
    spans = (
        s.assign(end=end)
        .groupby(["block_id", "trip_id"], sort=False)
        .agg(start=("actual_arrival_s", "min"), end=("end", "max"))
        .reset_index()
        .sort_values(["block_id", "start", "end"], kind="stable")
        .reset_index(drop=True)
    )
    same = spans["block_id"] == spans["block_id"].shift(1)
    previous_end = spans["end"].shift(1)
    previous_trip = spans["trip_id"].shift(1)
    bad = spans[same & (spans["start"] < previous_end - TIME_TOLERANCE_S)]
    if len(bad):
        _fail(
            "a train runs two trips at once",
            [
                f"block {r.block_id}: trip {r.trip_id} starts {clock(r.start)} before trip "
                f"{previous_trip[r.Index]} ends {clock(float(previous_end[r.Index]))}"
                for r in bad.itertuples()
            ],
        )


def check_events_match_stop_times(events: pd.DataFrame, stop_times: pd.DataFrame) -> None:
    """The event log and the stop times tell the same day: one arrival event at every served
    stop, at its actual arrival; one departure event at every served stop but a trip's last,
    at its actual departure; none anywhere else."""
    s = served_stops(stop_times)
    last = _last_of_trip(s)
    e = _text(events, "trip_id", "event", "station", "train_id")
    cases: list[str] = []
    for kind, column, stops in (
        ("arrive", "actual_arrival_s", s),
        ("depart", "actual_departure_s", s[~last]),
    ):
        logged = e[e["event"] == kind]
        twice = logged[logged.duplicated(["trip_id", "station"], keep=False)]
        cases += [
            f"trip {r.trip_id}: {kind} at {r.station} logged more than once ({clock(r.time_s)})"
            for r in twice.itertuples()
        ]
        merged = stops[["trip_id", "station", "block_id", column]].merge(
            logged[["trip_id", "station", "time_s", "train_id"]].drop_duplicates(
                ["trip_id", "station"]
            ),
            on=["trip_id", "station"],
            how="outer",
            indicator=True,
        )
        cases += [
            f"trip {r.trip_id} (block {r.block_id}) at {r.station}: no {kind} event "
            f"(stop times: {clock(getattr(r, column))})"
            for r in merged[merged["_merge"] == "left_only"].itertuples()
        ]
        cases += [
            f"train {r.train_id}: {kind} of trip {r.trip_id} at {r.station} at "
            f"{clock(r.time_s)} is no served stop's {kind}"
            for r in merged[merged["_merge"] == "right_only"].itertuples()
        ]
        matched = merged[merged["_merge"] == "both"]
        off = matched[(matched["time_s"] - matched[column]).abs() > TIME_TOLERANCE_S]
        cases += [
            f"trip {r.trip_id} at {r.station}: {kind} event at {clock(r.time_s)}, stop times "
            f"{clock(getattr(r, column))}"
            for r in off.itertuples()
        ]
        wrong_train = matched[matched["train_id"] != matched["block_id"]]
        cases += [
            f"trip {r.trip_id} at {r.station}: {kind} logged for train {r.train_id}, run by "
            f"block {r.block_id}"
            for r in wrong_train.itertuples()
        ]
    if cases:
        _fail("the event log disagrees with the stop times", cases)


PAIR_COLUMNS = ("train_id", "trip_id", "station", "direction", "start_s", "end_s", "position_m")
"""`event_pairs`: one row per pair of events (a stand, a hold)."""

SAME_PLACE_M = 0.5
"""Two positions the tables write of one standing train agree to within this (metres)."""


def event_pairs(events: pd.DataFrame, first: str, second: str) -> pd.DataFrame:
    """Each `first` event (stop_signal, fail, hold_start) with its train's next event of the
    two kinds, which must be a `second` (restart, recover, hold_end) of the same trip at the
    same place (within `SAME_PLACE_M`), strictly later: `PAIR_COLUMNS`, start_s and end_s the
    two events' times. AssertionError naming the events that do not pair so."""
    e = _text(events, "train_id", "trip_id", "event", "station", "direction")
    e = e[e["event"].isin((first, second))]
    rows: list[tuple[str, str, str, str, float, float, float]] = []
    cases: list[str] = []
    for train, g in e.groupby("train_id", sort=True):
        got = list(g.itertuples(index=False))
        i = 0
        while i < len(got):
            a = got[i]
            b = got[i + 1] if i + 1 < len(got) else None
            if a.event != first or b is None or b.event != second:
                after = "nothing" if b is None else f"{b.event} at {clock(b.time_s)}"
                cases.append(f"train {train}: {a.event} at {clock(a.time_s)}, then {after}")
                i += 1
                continue
            if (
                not b.time_s > a.time_s
                or abs(b.position_m - a.position_m) > SAME_PLACE_M
                or b.trip_id != a.trip_id
            ):
                cases.append(
                    f"train {train}: {first} at {clock(a.time_s)} at {a.position_m:.2f} m "
                    f"({a.trip_id}), {second} at {clock(b.time_s)} at {b.position_m:.2f} m "
                    f"({b.trip_id})"
                )
            rows.append(
                (str(train), a.trip_id, a.station, a.direction, a.time_s, b.time_s, a.position_m)
            )
            i += 2
    if cases:
        _fail(f"{first} and {second} events do not pair up (same train, trip and place)", cases)
    return pd.DataFrame(rows, columns=list(PAIR_COLUMNS))


# --------------------------------------------------------------------------------- passengers
def check_board_after_arrival(passengers: pd.DataFrame) -> None:
    """No passenger boards before reaching the platform: board_s ≥ arrival_s."""
    p = _riders(passengers)
    bad = p[p["board_s"] < p["arrival_s"]]
    if len(bad):
        _fail(
            "a passenger boards before arriving",
            [f"{_who(r)} boards at {clock(r.board_s)}" for r in bad.head(SHOWN).itertuples()],
            len(bad),
        )


def check_alight_after_board(passengers: pd.DataFrame) -> None:
    """A passenger alights after boarding: alight_s > board_s."""
    p = _riders(passengers)
    bad = p[~(p["alight_s"] > p["board_s"])]
    if len(bad):
        _fail(
            "a passenger alights no later than boarding",
            [
                f"{_who(r)} boards {r.trip_id} at {clock(r.board_s)}, alights {clock(r.alight_s)}"
                for r in bad.head(SHOWN).itertuples()
            ],
            len(bad),
        )


def _at_stop(riders: pd.DataFrame, stop_times: pd.DataFrame, station: str) -> pd.DataFrame:
    """Each rider's trip at their `station` column: its stop sequence and actual arrival (NaN
    when the trip has no served stop there)."""
    s = served_stops(stop_times)[["trip_id", "station", "stop_sequence", "actual_arrival_s"]]
    s = s.rename(columns={"station": station})
    return riders.merge(s, on=["trip_id", station], how="left", validate="many_to_one")


def check_board_at_origin_arrival(passengers: pd.DataFrame, stop_times: pd.DataFrame) -> None:
    """A passenger boards while the trip they ride stands at their origin: board_s is that
    trip's actual arrival there (the doors open) or, for a train held at the platform, at
    most its actual departure."""
    at = _at_stop(_riders(passengers), stop_times, "origin")
    s = served_stops(stop_times)[["trip_id", "station", "actual_departure_s"]]
    s = s.rename(columns={"station": "origin"})
    at = at.merge(s, on=["trip_id", "origin"], how="left", validate="many_to_one")
    leave = at["actual_departure_s"].fillna(at["actual_arrival_s"])
    ok = (at["board_s"] >= at["actual_arrival_s"] - TIME_TOLERANCE_S) & (
        at["board_s"] <= leave + TIME_TOLERANCE_S
    )
    bad = at[~ok]
    if len(bad):
        _fail(
            "a passenger's board_s is not while their trip stands at their origin",
            [
                f"{_who(r)} boards {r.trip_id} at {clock(r.board_s)}; the trip arrives at "
                f"{r.origin} {clock(r.actual_arrival_s)}"
                for r in bad.head(SHOWN).itertuples()
            ],
            len(bad),
        )


def check_alight_at_destination(passengers: pd.DataFrame, stop_times: pd.DataFrame) -> None:
    """A passenger alights at their own destination — the trip they ride stops there after
    their origin and alight_s is its actual arrival there — or, where the trip passed it
    without stopping (a closed station), at the next stop it served, when it arrived there."""
    riders = _riders(passengers)
    board = _at_stop(riders, stop_times, "origin")["stop_sequence"].to_numpy()
    at = _at_stop(riders.assign(where=riders["alight_at"]), stop_times, "where")
    planned = stop_times[["trip_id", "station", "stop_sequence"]].rename(
        columns={"station": "destination", "stop_sequence": "destination_sequence"}
    )
    at = at.merge(planned, on=["trip_id", "destination"], how="left", validate="many_to_one")
    moved = at["alight_at"] != at["destination"]
    passed = served_stops(stop_times)[["trip_id", "station"]].assign(served=True)
    passed = passed.rename(columns={"station": "destination"})
    at = at.merge(passed, on=["trip_id", "destination"], how="left")
    bad = at[
        ~((at["alight_s"] - at["actual_arrival_s"]).abs() <= TIME_TOLERANCE_S)
        | ~(at["stop_sequence"].to_numpy() > board)
        | ~(at["stop_sequence"] >= at["destination_sequence"])
        | (moved & at["served"].fillna(False).astype(bool))
    ]
    if len(bad):
        _fail(
            "a passenger does not alight from their trip at their destination",
            [
                f"{_who(r)} rides {r.trip_id}, alights {clock(r.alight_s)} at {r.alight_at}; "
                f"the trip arrives there {clock(r.actual_arrival_s)}"
                for r in bad.head(SHOWN).itertuples()
            ],
            len(bad),
        )


# ------------------------------------------------------------------------------- all at once
def check_day(day: Any, scenario: Scenario) -> None:
    """Every invariant of one day's tables (a `DayResult` run with `scenario`): passengers
    conserved, loads within capacity, closures and blockages kept, train events in causal
    order, passengers where and when their trains stop. Each check raises on its own."""
    visits, passengers = day.stop_visits, day.passengers
    stop_times, events = day.stop_times, day.events
    incidents = scenario.operations.incidents
    stock = scenario.rolling_stock
    check_passengers_accounted(passengers)
    check_boarded_equals_alighted_plus_on_board(visits, passengers)
    check_nobody_on_board_at_end(visits)
    check_visit_flow(visits)
    check_load_chain(visits)
    check_boardings_by_station(visits, passengers)
    check_alightings_by_station(visits, passengers)
    check_loads_within_capacity(
        visits,
        events,
        capacity_pax=float(day.capacity_pax),
        crush_pax=stock.capacity_at(stock.crush_standing_pax_per_m2),
    )
    check_closed_stations(visits, passengers, incidents)
    check_blocked_track(stop_times, incidents)
    check_train_events_in_time_order(events)
    check_pull_out_first_pull_in_last(events)
    check_arrive_before_depart(stop_times, events)
    check_stops_in_sequence(stop_times, events)
    check_one_place_at_a_time(stop_times)
    check_events_match_stop_times(events, stop_times)
    check_board_after_arrival(passengers)
    check_alight_after_board(passengers)
    check_board_at_origin_arrival(passengers, stop_times)
    check_alight_at_destination(passengers, stop_times)


# ------------------------------------------------------------------ the timetable reproduced
def check_reproduces_timetable(
    stop_times: pd.DataFrame,
    *,
    events: pd.DataFrame | None = None,
    blocks: pd.DataFrame | None = None,
    tolerance_s: float = 1e-3,
) -> None:
    """The day is the timetable: every stop served, its actual arrival and departure the
    planned ones within `tolerance_s`; with the plan's blocks, every pull-out and pull-in
    logged at its planned start."""
    st = _text(stop_times, "trip_id", "block_id", "station")
    cases: list[str] = []
    for actual, planned in (
        ("actual_arrival_s", "planned_arrival_s"),
        ("actual_departure_s", "planned_departure_s"),
    ):
        off = st[~((st[actual] - st[planned]).abs() <= tolerance_s)]
        cases += [
            f"trip {r.trip_id} (block {r.block_id}) at {r.station}: {actual} "
            f"{clock(getattr(r, actual))}, planned {clock(getattr(r, planned))}"
            for r in off.itertuples()
        ]
    if events is not None and blocks is not None:
        e = _text(events, "block_id", "event")
        for kind in ("pull_out", "pull_in"):
            logged = e[e["event"] == kind].groupby("block_id")["time_s"].apply(sorted)
            b = _text(blocks, "block_id", "activity")
            planned = b[b["activity"] == kind].groupby("block_id")["start_s"].apply(sorted)
            for block in sorted(set(logged.index) | set(planned.index)):
                got = logged.get(block, [])
                want = planned.get(block, [])
                if len(got) != len(want) or any(
                    abs(g - w) > tolerance_s for g, w in zip(got, want, strict=True)
                ):
                    cases.append(
                        f"block {block}: {kind} at {', '.join(clock(t) for t in got) or 'none'}"
                        f", planned {', '.join(clock(t) for t in want) or 'none'}"
                    )
    if cases:
        _fail(f"the day is not the timetable (to {tolerance_s:g} s)", cases)


# --------------------------------------------------------------------------- determinism
def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """`frame` written as Parquet (pyarrow, no index) to bytes in memory."""
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    return buffer.getvalue()


def check_identical_days(a: Any, b: Any) -> None:
    """Two days (`DayResult`s) have the same tables (`DAY_TABLES`): equal as frames (values,
    dtypes, order) and byte-identical written as Parquet."""
    for name in DAY_TABLES:
        x, y = getattr(a, name), getattr(b, name)
        try:
            pd.testing.assert_frame_equal(x, y, check_exact=True)
        except AssertionError as exc:
            lines = [line for line in str(exc).splitlines() if line.strip()]
            where = lines[0] if len(lines) < 2 else f"{lines[0]} … {lines[-1]}"
            raise AssertionError(f"the days' {name} tables differ: {where}") from exc
        if parquet_bytes(x) != parquet_bytes(y):
            raise AssertionError(f"the days' {name} tables are equal but their Parquet differs")


# ----------------------------------------------------------------------------- separation
def separation_shortfalls(
    samples: pd.DataFrame, scenario: Scenario, *, tolerance_m: float = 0.5
) -> list[Shortfall]:
    """Every sampled moment a follower came closer to its leader than moving block allows
    (`support.separation.shortfalls`, with the train's length and service brake and the
    signalling's reaction time and safety margin).

    `samples` has `SAMPLE_COLUMNS`, one row per train on the line per sampled time (a train
    twice at one time is an AssertionError). A train standing at a terminal platform is left
    out: a terminal's platforms are separate tracks, kept apart by its own turnback rules.
    """
    _require(samples, SAMPLE_COLUMNS, "samples")
    if scenario.signalling.kind != "moving_block":
        raise ValueError(
            f"the separation check is moving block; {scenario.name} is {scenario.signalling.kind}"
        )
    twice = samples[samples.duplicated(["time_s", "block_id"], keep=False)]
    if len(twice):
        _fail(
            "a train is in two places at one time",
            [
                f"block {r.block_id} at {clock(r.time_s)}: km {r.km:.3f}"
                for r in twice.head(SHOWN).itertuples()
            ],
            len(twice),
        )
    ends = (scenario.line.stations[0].km, scenario.line.stations[-1].km)
    km = samples["km"].to_numpy(dtype=float)
    at_terminal = (samples["speed_mps"].to_numpy(dtype=float) == 0.0) & (
        np.minimum(np.abs(km - ends[0]), np.abs(km - ends[1])) < 1e-3
    )
    kept = samples[~at_terminal].sort_values("time_s", kind="stable")
    times = kept["time_s"].to_numpy(dtype=float)
    trains = [
        Running(str(b), str(d), float(k), float(v))
        for b, d, k, v in zip(
            kept["block_id"], kept["direction"], kept["km"], kept["speed_mps"], strict=True
        )
    ]
    cuts = np.flatnonzero(np.diff(times)) + 1
    starts = np.concatenate(([0], cuts)) if len(times) else np.zeros(0, dtype=np.int64)
    stops = np.concatenate((cuts, [len(times)])) if len(times) else np.zeros(0, dtype=np.int64)
    moments = [
        (float(times[i]), trains[i:j]) for i, j in zip(starts, stops, strict=True) if j - i > 1
    ]
    stock, signalling = scenario.rolling_stock, scenario.signalling
    return shortfalls(
        moments,
        train_length_m=stock.length_m,
        reaction_s=signalling.reaction_time_s,
        brake_mps2=stock.service_brake_mps2,
        margin_m=signalling.safety_margin_m,
        tolerance_m=tolerance_m,
    )


def planned_positions(plan: ServicePlan, times_s: Iterable[float]) -> pd.DataFrame:
    """The planned day's trains on the line at each of `times_s` (`planning.motion`'s
    `position_at`), as `SAMPLE_COLUMNS`: trains running a trip, from its first departure to
    its last arrival (a train waiting in a layover for its next trip is left out, as a
    simulated day's samples leave it)."""
    motion = plan_motion(plan.runs, plan.timetable, plan.blocks)
    start = {t.trip_id: t.start_s for t in motion.trips}
    rows = [
        (float(t), p.block_id, p.direction, p.km, p.speed_mps)
        for t in times_s
        for p in motion.position_at(float(t))
        if start[p.trip_id] <= float(t)
    ]
    return pd.DataFrame(rows, columns=list(SAMPLE_COLUMNS))


def check_samples_follow_stop_times(
    samples: pd.DataFrame, stop_times: pd.DataFrame, scenario: Scenario, *, tolerance_m: float = 1.0
) -> None:
    """Sampled positions agree with the stop times: a train sampled while on a trip stands at
    its station (speed 0) between its actual arrival and departure there, and between two
    stops it is on the track between them. Samples outside a trip (a layover, an empty move)
    are not checked here."""
    _require(samples, SAMPLE_COLUMNS, "samples")
    km = {s.name: s.km for s in scenario.line.stations}
    st = served_stops(stop_times)
    last = _last_of_trip(st)
    st = st.assign(km=st["station"].map(km))
    nxt_km = st["km"].shift(-1)
    rows = []
    for kind, column in (("arrive", "actual_arrival_s"), ("depart", "actual_departure_s")):
        part = st if kind == "arrive" else st[~last]
        rows.append(
            pd.DataFrame(
                {
                    "block_id": part["block_id"].to_numpy(),
                    "event_s": part[column].to_numpy(dtype=float),
                    "kind": kind,
                    "last": (last[part.index] & (kind == "arrive")).to_numpy(),
                    "trip_id": part["trip_id"].to_numpy(),
                    "station": part["station"].to_numpy(),
                    "from_km": part["km"].to_numpy(dtype=float),
                    "to_km": (part["km"] if kind == "arrive" else nxt_km[part.index]).to_numpy(
                        dtype=float
                    ),
                }
            )
        )
    # At equal times an arrival comes before the departure from the same stop.
    stops = pd.concat(rows).sort_values(["event_s", "kind"], kind="stable")
    s = samples.drop(columns=["trip_id"], errors="ignore").assign(
        block_id=samples["block_id"].astype(str)
    )
    s = s.sort_values("time_s").assign(time_s=s["time_s"].astype(float))
    at = pd.merge_asof(
        s, stops, left_on="time_s", right_on="event_s", by="block_id", direction="backward"
    )
    on_trip = at["event_s"].notna() & ~at["last"].astype(bool)
    at = at[on_trip]
    lo = np.minimum(at["from_km"], at["to_km"]) - tolerance_m / 1000.0
    hi = np.maximum(at["from_km"], at["to_km"]) + tolerance_m / 1000.0
    standing = at["kind"] == "arrive"
    bad = at[(at["km"] < lo) | (at["km"] > hi) | (standing & (at["speed_mps"] != 0.0))]
    if len(bad):
        _fail(
            "a sampled train is not where its stop times put it",
            [
                f"block {r.block_id} at {clock(r.time_s)}: km {r.km:.4f}, {r.speed_mps:.2f} m/s; "
                + (
                    f"trip {r.trip_id} stands at {r.station} (km {r.from_km:.4f})"
                    if r.kind == "arrive"
                    else f"trip {r.trip_id} runs from {r.station} between km {r.from_km:.4f} "
                    f"and {r.to_km:.4f}"
                )
                for r in bad.head(SHOWN).itertuples()
            ],
            len(bad),
        )


def shared_blocks(
    samples: pd.DataFrame, boundaries_km: dict[str, tuple[float, ...]], train_length_m: float
) -> list[str]:
    """Fixed block: every sampled moment two trains occupy one block (head to tail, a train on
    a signal counting in the block behind it), per direction; `boundaries_km` are each
    direction's signal chainages. Independent of the simulator: positions and signals only."""
    _require(samples, ("time_s", "block_id", "direction", "km"), "samples")
    found: list[str] = []
    for direction, signals in boundaries_km.items():
        b = np.sort(np.asarray(signals, dtype=float))
        part = samples[samples["direction"].astype(str) == direction]
        ahead = 1.0 if direction == "up" else -1.0
        along = ahead * part["km"].to_numpy(dtype=float) * 1000.0
        edges = ahead * b * 1000.0
        edges.sort()
        head = np.searchsorted(edges, along - 0.5, side="right")
        tail = np.searchsorted(edges, along - train_length_m + 0.5, side="right")
        frame = part.assign(head=head, tail=tail)
        for t, group in frame.groupby("time_s"):
            seen: dict[int, str] = {}
            for r in group.itertuples():
                for block in range(int(r.tail), int(r.head) + 1):
                    if block in seen and seen[block] != r.block_id:
                        found.append(
                            f"{clock(float(t))}: {seen[block]} and {r.block_id} in block {block} "
                            f"({direction})"
                        )
                    seen[block] = str(r.block_id)
    return found
