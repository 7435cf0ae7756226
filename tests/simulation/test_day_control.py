"""Control strategies (`operations.control`) acting on the simulated Astana weekday after a
morning-peak blockage, pinned from the day's output tables, never from the simulator's state.

- `holding`, headway mode: trains are held only at the timepoints (the terminals by default),
  each hold a hold_start/hold_end pair of at most `max_hold_s`, and the day's headways come
  out more even (a lower TCQSM cv_h, `metrics.headways.regularity`) than without control on
  the same seed.
- `holding`, schedule mode at every station: no train leaves any stop before its published
  time.
- `short_turn` at crossovers: trips that would meet a 45-minute blockage turn back at the last
  crossover before it; their stops beyond it are not served (NaN actual times); nobody rides
  one to a stop it did not serve; the train takes up its next trip at the crossover; every trip
  still leaves its first stop no earlier than published.
- `none`: no holds and no short turns.

Every controlled day also keeps the day's invariants and moving-block separation.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from day_cases import DayCase, disrupted_case, with_control

from lrtsim.metrics.headways import regularity
from support.day_invariants import check_day, event_pairs, separation_shortfalls

SEED = 1
BLOCKED = ("Baiterek", "House of Ministries")
SHORT = f"08:15,track_blocked,{','.join(BLOCKED)},12"
"""Both tracks blocked 08:15–08:27: the trains bunch behind it."""
LONG = f"08:15,track_blocked,{','.join(BLOCKED)},45"
"""Both tracks blocked 08:15–09:00: long enough for trips to turn short."""
CROSSOVERS = ["Astana Arena", "National Museum"]
"""One crossover each side of the blockage."""
EVERY_STATION = "every station"

CONTROLS: dict[str, tuple[dict[str, Any], str]] = {
    "none": ({}, SHORT),
    "holding, headway": ({"strategy": "holding", "mode": "headway"}, SHORT),
    "holding, schedule, every station": (
        {
            "strategy": "holding",
            "mode": "schedule",
            "timepoints": EVERY_STATION,
            "max_hold_s": 3600.0,
        },
        SHORT,
    ),
    "none, 45 min": ({}, LONG),
    "short turn, 45 min": ({"strategy": "short_turn", "crossovers": CROSSOVERS}, LONG),
}
"""The control settings of each day and its blockage."""


def _case(request: pytest.FixtureRequest, name: str) -> DayCase:
    scenario, plan = request.getfixturevalue("astana_weekday")
    settings, blockage = CONTROLS[name]
    if settings.get("timepoints") == EVERY_STATION:
        settings = {**settings, "timepoints": [s.name for s in scenario.line.stations]}
    return disrupted_case(name, with_control(scenario, **settings), plan, [blockage], SEED)


@pytest.fixture(scope="module", params=list(CONTROLS))
def controlled(request: pytest.FixtureRequest) -> DayCase:
    return _case(request, str(request.param))


def _departures(stop_times: pd.DataFrame) -> pd.DataFrame:
    """The stops a train left in its trip's direction: served, not the trip's last stop (whose
    departure is its arrival) nor a short turn's (no departure)."""
    last = stop_times.groupby("trip_id")["stop_sequence"].transform("max")
    left = stop_times["actual_departure_s"].notna() & (stop_times["stop_sequence"] < last)
    return stop_times[left]


def _count(events: pd.DataFrame, *kinds: str) -> int:
    return int(events["event"].isin(kinds).sum())


# ----------------------------------------------------------------------------------- holding
def test_headway_holding_holds_at_the_terminals_for_at_most_max_hold(
    request: pytest.FixtureRequest,
) -> None:
    """Each hold_start is followed by its train's hold_end at the same stop, at most
    `max_hold_s` later; holds happen only at the timepoints (the terminals, none being named);
    and the train leaves that stop no earlier than its hold ends."""
    case = _case(request, "holding, headway")
    control = case.scenario.operations.control
    holds = event_pairs(case.day.events, "hold_start", "hold_end")
    assert len(holds) >= 10
    terminals = {case.scenario.line.stations[0].name, case.scenario.line.stations[-1].name}
    assert set(control.timepoint_names(case.scenario.line)) == terminals
    assert set(holds["station"]) <= terminals, set(holds["station"])
    lasted = holds["end_s"] - holds["start_s"]
    assert (lasted > 0.0).all()
    assert (lasted <= control.max_hold_s + 1e-9).all(), lasted.max()
    left = _departures(case.day.stop_times).set_index(["trip_id", "station"])
    leave = left.loc[list(zip(holds["trip_id"], holds["station"], strict=True))]
    assert (leave["actual_departure_s"].to_numpy() >= holds["end_s"].to_numpy() - 1e-9).all()


def test_headway_holding_evens_the_headways_after_the_blockage(
    request: pytest.FixtureRequest,
) -> None:
    """The same seed and blockage with and without headway holding: holding at the
    terminals gives the day a lower headway cv_h (TCQSM adherence, every stop pooled)."""
    held = regularity(_case(request, "holding, headway").day.stop_times)
    free = regularity(_case(request, "none").day.stop_times)
    assert held.headways == free.headways
    assert held.cv_h < free.cv_h, (held.cv_h, free.cv_h)


def test_holding_to_the_schedule_at_every_station_never_leaves_early(
    request: pytest.FixtureRequest,
) -> None:
    """With every station a timepoint and holds of up to an hour, no train leaves any stop
    before its published departure; without control some do (the check can fail), and
    holding is what stopped them: holds at stations between the terminals."""
    case = _case(request, "holding, schedule, every station")
    left = _departures(case.day.stop_times)
    early = left[left["actual_departure_s"] < left["planned_departure_s"] - 1e-9]
    assert early.empty, early.head()
    free = _departures(_case(request, "none").day.stop_times)
    assert (free["actual_departure_s"] < free["planned_departure_s"] - 1.0).any()
    holds = event_pairs(case.day.events, "hold_start", "hold_end")
    ends = {case.scenario.line.stations[0].name, case.scenario.line.stations[-1].name}
    assert not holds[~holds["station"].isin(ends)].empty
    assert (holds["end_s"] - holds["start_s"] <= 3600.0 + 1e-9).all()


# -------------------------------------------------------------------------------- short turns
def _turns(case: DayCase) -> pd.DataFrame:
    events = case.day.events
    return events[events["event"] == "short_turn"]


def _trip(stop_times: pd.DataFrame, trip_id: str) -> pd.DataFrame:
    return stop_times[stop_times["trip_id"] == trip_id].sort_values("stop_sequence")


def test_trips_turn_short_at_the_crossovers_before_the_blockage(
    request: pytest.FixtureRequest,
) -> None:
    """Short turns happen in both directions, at the crossovers only, each decided while the
    interstation is blocked, on a trip whose stops beyond the crossover include the blocked
    interstation."""
    case = _case(request, "short turn, 45 min")
    turns = _turns(case)
    assert set(turns["direction"]) == {"up", "down"}
    assert set(turns["station"]) <= set(CROSSOVERS)
    incident = case.scenario.operations.incidents[-1]
    start = float(incident.at_s)
    assert turns["time_s"].between(start, start + incident.duration_s, inclusive="left").all()
    st = case.day.stop_times
    for r in turns.itertuples():
        trip = _trip(st, r.trip_id)
        at = int(trip.loc[trip["station"] == r.station, "stop_sequence"].iloc[0])
        beyond = set(trip.loc[trip["stop_sequence"] > at, "station"])
        assert set(BLOCKED) <= beyond, (r.trip_id, r.station)


def test_a_short_turned_trip_serves_nothing_beyond_its_crossover(
    request: pytest.FixtureRequest,
) -> None:
    """The turned trip serves its stops up to the crossover, arrives there and does not leave
    it in its direction (NaN departure), and has NaN actual times at every stop beyond."""
    case = _case(request, "short turn, 45 min")
    st = case.day.stop_times
    for r in _turns(case).itertuples():
        trip = _trip(st, r.trip_id)
        at = int(trip.loc[trip["station"] == r.station, "stop_sequence"].iloc[0])
        before, turn = trip[trip["stop_sequence"] < at], trip[trip["stop_sequence"] == at]
        beyond = trip[trip["stop_sequence"] > at]
        assert before[["actual_arrival_s", "actual_departure_s"]].notna().all().all()
        assert turn["actual_arrival_s"].notna().all()
        assert turn["actual_departure_s"].isna().all()
        assert len(beyond) >= 1
        assert beyond[["actual_arrival_s", "actual_departure_s"]].isna().all().all()


def test_the_train_takes_up_its_next_trip_at_the_crossover(
    request: pytest.FixtureRequest,
) -> None:
    """The turned train's next trip (its block's next in published order) starts at the
    crossover: its stops before it are not served, and it leaves the crossover after the
    turned trip arrived there and no earlier than its own published time there."""
    case = _case(request, "short turn, 45 min")
    st = case.day.stop_times
    first_departure = st.groupby("trip_id")["planned_departure_s"].min()
    for r in _turns(case).itertuples():
        block = st[st["block_id"] == r.train_id]
        trips = first_departure[block["trip_id"].unique()].sort_values().index.tolist()
        nxt = _trip(st, trips[trips.index(r.trip_id) + 1])
        turned = _trip(st, r.trip_id)
        arrived = float(turned.loc[turned["station"] == r.station, "actual_arrival_s"].iloc[0])
        served = nxt[nxt["actual_arrival_s"].notna()]
        assert served["station"].iloc[0] == r.station, (r.trip_id, served.head(2))
        start = served.iloc[0]
        skipped = nxt[nxt["stop_sequence"] < start["stop_sequence"]]
        assert skipped[["actual_arrival_s", "actual_departure_s"]].isna().all().all()
        assert start["actual_departure_s"] >= arrived
        assert start["actual_departure_s"] >= start["planned_departure_s"] - 1e-9


def test_nobody_rides_a_cut_trip_to_a_stop_it_did_not_serve(
    request: pytest.FixtureRequest,
) -> None:
    """On the trips with stops not served (turned, or taken up at the crossover), every rider
    boards and alights at stops the trip served, and alights at their own destination."""
    case = _case(request, "short turn, 45 min")
    st = case.day.stop_times
    not_served = st[st["actual_arrival_s"].isna()]
    cut = set(not_served["trip_id"])
    assert len(cut) >= 2 * len(_turns(case))
    served = st[st["actual_arrival_s"].notna()]
    stops = set(zip(served["trip_id"], served["station"], strict=True))
    riders = case.day.passengers
    riders = riders[riders["board_s"].notna() & riders["trip_id"].isin(cut)]
    assert len(riders) >= 100
    for column in ("origin", "alight_station"):
        places = zip(riders["trip_id"], riders[column], strict=True)
        bad = [p for p in places if p not in stops]
        assert not bad, (column, bad[:5])
    assert (riders["alight_station"] == riders["destination"]).all()


def test_every_trip_leaves_its_first_stop_no_earlier_than_published(
    controlled: DayCase,
) -> None:
    """Whatever the control, a trip leaves the first stop it serves (its terminal, or the
    crossover where a turned train takes it up) no earlier than its published time there."""
    left = _departures(controlled.day.stop_times).sort_values(["trip_id", "stop_sequence"])
    first = left.groupby("trip_id").head(1)
    early = first[first["actual_departure_s"] < first["planned_departure_s"] - 1e-9]
    assert early.empty, early.head()


# ------------------------------------------------------------------------------ no control
@pytest.mark.parametrize("name", ["none", "none, 45 min"])
def test_without_control_nothing_is_held_or_turned(
    request: pytest.FixtureRequest, name: str
) -> None:
    """Control 'none': no hold events, no short turns, and every stop of every trip served
    (the long blockage too: its trains queue and wait)."""
    case = _case(request, name)
    assert case.scenario.operations.control.strategy == "none"
    events = case.day.events
    assert _count(events, "hold_start", "hold_end", "short_turn") == 0
    assert _count(events, "stop_signal") >= 2
    assert case.day.stop_times["actual_arrival_s"].notna().all()


def test_the_controls_that_act_leave_their_events(request: pytest.FixtureRequest) -> None:
    """The strategies log what they did: holds under holding, short turns under short_turn,
    and nothing of the other strategy's."""
    headway = _case(request, "holding, headway").day.events
    turned = _case(request, "short turn, 45 min").day.events
    assert _count(headway, "hold_start") >= 1
    assert _count(headway, "short_turn") == 0
    assert _count(turned, "short_turn") >= 1
    assert _count(turned, "hold_start", "hold_end") == 0


# ------------------------------------------------------------------------------ invariants
def test_every_controlled_day_keeps_the_invariants_and_the_separation(
    controlled: DayCase,
) -> None:
    """`check_day` (closures and blockages kept, passengers conserved, events in causal
    order …) and moving-block separation from the samples, from the blockage until an hour
    after it ends."""
    check_day(controlled.day, controlled.scenario)
    incident = controlled.scenario.operations.incidents[-1]
    start = float(incident.at_s)
    samples = controlled.day.trajectory.samples(2.0)
    near = samples[samples["time_s"].between(start, start + incident.duration_s + 3600.0)]
    found = separation_shortfalls(near, controlled.scenario)
    assert not found, found[:3]
