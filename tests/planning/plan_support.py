"""Builders and independent checkers for the planning tests (no planning logic of lrtsim is reused).

`small_scenario_data` is a 5-station line built through the public schema; its depot sits beyond
the last station, so the depot end is `E` and trips from `A` need an empty run first.
`midline_scenario` is Astana cut to 10 stations (every other one, and the last) with its depot
joining mid-line at km 10.8, between Astana Arena and Syganak.
`block_problems` checks a plan's blocks against the rules of circulation, written from the
table contracts alone; `depot_facts` gives what it needs from the scenario alone.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lrtsim.capacity.analysis import HeadwayAnalysis, analyse
from lrtsim.dynamics.nonstop import empty_run_s
from lrtsim.model import checks
from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Scenario
from lrtsim.planning.plan import ServicePlan, make_plan

SMALL_STATIONS = (("A", 0.0, None), ("B", 1.2, None), ("C", 2.0, 35.0), ("D", 3.1, 15.0))
SMALL_LAST = ("E", 4.5, None)


def small_scenario_data() -> dict[str, Any]:
    """A 4.5 km line, A–E; a tail-track turnback at E; demand that binds some periods."""
    stations = [
        {"name": n, "km": km, **({} if dwell is None else {"dwell_s": dwell})}
        for n, km, dwell in (*SMALL_STATIONS, SMALL_LAST)
    ]
    return {
        "name": "small",
        "line": {
            "name": "small line",
            "max_speed_kmh": 70.0,
            "stations": stations,
            "depot": {"name": "Yard", "km": 4.6, "access_m": 800.0, "access_time_s": 180.0},
            "tail_tracks_m": {"start": 150.0, "end": 200.0},
        },
        "rolling_stock": {
            "name": "small tram",
            "length_m": 30.0,
            "mass_t": 40.0,
            "max_speed_kmh": 70.0,
            "max_tractive_effort_kn": 100.0,
            "max_power_kw": 600.0,
            "max_accel_mps2": 1.0,
            "service_brake_mps2": 1.0,
            "davis_a_kn": 1.0,
            "davis_b_kn_per_kmh": 0.01,
            "davis_c_kn_per_kmh2": 0.0002,
            "seats": 60,
            "standing_area_m2": 40.0,
            "doors_per_side": 4,
        },
        "signalling": {"turnback": {"end": {"kind": "tail_track", "min_layover_s": 60.0}}},
        "demand": {
            "daily_boardings": 40_000.0,
            "gravity_beta": 0.1,
            "weights": [
                {"station": "A", "production": 5.0, "attraction": 1.0},
                {"station": "E", "production": 1.0, "attraction": 4.0},
            ],
        },
        "service": {
            "start": "06:00",
            "end": "22:00",
            "layover_s": 60.0,
            "spare_ratio": 0.2,
            "allowance_pct": 7.0,
            "periods": [
                {"from": "06:00", "to": "07:00", "max_headway_s": 900.0},
                {"from": "07:00", "to": "09:00", "max_headway_s": 300.0},
                {"from": "09:00", "to": "22:00", "max_headway_s": 720.0},
            ],
        },
    }


MIDLINE_DEPOT_KM = 10.8


def midline_scenario() -> Scenario:
    """Astana with every other station (and the last): 10 stations, the depot at km 10.8."""
    astana = load_scenario("astana")
    line = astana.line
    stations = list(line.stations)
    keep = [*range(0, len(stations) - 1, 2), len(stations) - 1]
    names = {stations[i].name for i in keep}
    assert line.depot is not None
    assert line.geometry is not None
    geometry = line.geometry.model_copy(
        update={"stations": [line.geometry.stations[i] for i in keep]}
    )
    depot = line.depot.model_copy(update={"km": MIDLINE_DEPOT_KM, "name": "Midline depot"})
    cut = line.model_copy(
        update={"stations": [stations[i] for i in keep], "depot": depot, "geometry": geometry}
    )
    weights = [w for w in astana.demand.weights if w.station in names]
    data = astana.model_copy(
        update={
            "name": "midline",
            "line": cut,
            "demand": astana.demand.model_copy(update={"weights": weights}),
        }
    ).model_dump(by_alias=True)
    return build(data)


def build(data: dict[str, Any]) -> Scenario:
    """A scenario from plain data, checked by the same rules as a scenario file."""
    scenario = Scenario.model_validate(data)
    problems = checks.check_scenario(scenario)
    assert not problems, problems
    return scenario


def changed(scenario: Scenario, section: str, **values: Any) -> Scenario:
    """A copy of `scenario` with some keys of one section replaced."""
    data = scenario.model_dump(by_alias=True)
    data[section].update(values)
    return build(data)


@dataclass(frozen=True)
class Case:
    """A scenario, its plan, and the capacity analysis computed on its own."""

    name: str
    scenario: Scenario
    plan: ServicePlan
    capacity: HeadwayAnalysis


def case_scenario(name: str) -> Scenario:
    """`astana`, `small`, `small_no_depot` (the small line with no depot: sidings at A), or
    `midline` (`midline_scenario`)."""
    if name == "astana":
        return load_scenario("astana")
    if name == "midline":
        return midline_scenario()
    data = small_scenario_data()
    if name == "small_no_depot":
        del data["line"]["depot"]
        data["name"] = "small without depot"
    return build(data)


_CACHE: dict[str, Case] = {}


def get_case(name: str) -> Case:
    """The named case, planned once per session."""
    if name not in _CACHE:
        scenario = case_scenario(name)
        _CACHE[name] = Case(name, scenario, make_plan(scenario), analyse(scenario))
    return _CACHE[name]


def required_layover(scenario: Scenario, turnaround_s: dict[str, float]) -> dict[str, float]:
    return {name: max(scenario.service.layover_s, t) for name, t in turnaround_s.items()}


def trip_spans(timetable: pd.DataFrame) -> pd.DataFrame:
    """One row per trip: first departure, last arrival, terminals, length."""
    ordered = timetable.sort_values(["trip_id", "stop_sequence"])
    return ordered.groupby("trip_id").agg(
        start=("departure_s", "first"),
        end=("arrival_s", "last"),
        origin=("station", "first"),
        destination=("station", "last"),
        distance=("distance_m", "last"),
        direction=("direction", "first"),
        block=("block_id", "first"),
    )


@dataclass(frozen=True)
class DepotFacts:
    """The depot as the scenario gives it: where trains may enter and leave the line."""

    depot: str
    junction_km: float
    terminals: tuple[str, str]
    gates: dict[str, str]
    """Per terminal: the first station a train from the junction meets on its way there."""
    move_m: dict[str, float]
    """Per station a depot move may reach: its length (access track + main line)."""
    move_s: dict[str, tuple[float, float]]
    """Per such station: how long a pull-out to it and a pull-in from it last, in whole seconds
    (`depot_move_s`)."""
    midline: bool


def depot_move_s(
    scenario: Scenario, junction_km: float, access_s: float, km: float
) -> tuple[float, float]:
    """Whole seconds (rounded up) of the pull-out from the junction to the station at `km` and
    of the pull-in back: the access time plus the dynamics layer's non-stop run (the one source
    of running times; `tests/dynamics/test_nonstop.py` checks it against kinematics by hand)."""
    out = empty_run_s(scenario, junction_km, km)
    back = empty_run_s(scenario, km, junction_km)
    return math.ceil(access_s + out - 1e-6), math.ceil(access_s + back - 1e-6)


def depot_facts(scenario: Scenario) -> DepotFacts:
    """From the scenario alone: a depot beyond the stations (or absent: sidings at the first
    station) joins the nearer terminal; a depot between two stations has a gate on each side."""
    line = scenario.line
    first, last = line.stations[0], line.stations[-1]
    if line.depot is None:
        km, access_m, access_s, name = first.km, 0.0, 0.0, f"{first.name} sidings"
    else:
        km, access_m = line.depot.km, line.depot.access_m
        access_s, name = line.depot.access_time_s, line.depot.name
    terminals = (first.name, last.name)
    if not first.km < km < last.km:
        near = first if abs(km - first.km) <= abs(km - last.km) else last
        main_m = abs(km - near.km) * 1000.0
        return DepotFacts(
            name,
            km,
            terminals,
            {first.name: near.name, last.name: near.name},
            {near.name: access_m + main_m},
            {near.name: depot_move_s(scenario, km, access_s, near.km)},
            midline=False,
        )
    below = max((s for s in line.stations if s.km <= km), key=lambda s: s.km)
    above = min((s for s in line.stations if s.km >= km), key=lambda s: s.km)
    top = min(line.max_speed_kmh, scenario.rolling_stock.max_speed_kmh) / 3.6
    move_m, move_s = {}, {}
    for s in (first, last, below, above):
        main_m = abs(km - s.km) * 1000.0
        move_m[s.name] = access_m + main_m
        move_s[s.name] = depot_move_s(scenario, km, access_s, s.km)
        # Faster than at top speed all the way is impossible.
        assert move_s[s.name][0] > access_s + main_m / top
    return DepotFacts(
        name,
        km,
        terminals,
        {first.name: below.name, last.name: above.name},
        move_m,
        move_s,
        midline=True,
    )


def positioning_trips(plan: ServicePlan) -> set[str]:
    """The trips circulation added to take trains to or from the depot in service."""
    return set(plan.circulation.positioning_trips)


MOVES = ("pull_out", "deadhead", "trip", "pull_in")


def block_problems(
    blocks: pd.DataFrame,
    timetable: pd.DataFrame,
    *,
    facts: DepotFacts,
    layover_s: dict[str, float],
    contiguous: bool = True,
) -> list[str]:
    """Every breach of the circulation rules found in `blocks` (empty when valid).

    `layover_s`: the least layover at each station where a train may wait (the terminals and
    the gates); `contiguous`: also require each activity to start where and when the previous
    one ended.
    """
    problems: list[str] = []
    trips = trip_spans(timetable)
    seen: dict[str, str] = {}
    depot, terminals = facts.depot, facts.terminals
    for block_id, group in blocks.groupby("block_id", sort=True):
        g = group.sort_values("sequence").reset_index(drop=True)
        rows = g.to_dict("records")
        if list(g["sequence"]) != list(range(1, len(g) + 1)):
            problems.append(f"{block_id}: sequence is not 1..{len(g)}")
        first, last = rows[0], rows[-1]
        if first["activity"] != "pull_out" or first["from_station"] != depot:
            problems.append(f"{block_id}: does not start with a pull-out from {depot}")
        if last["activity"] != "pull_in" or last["to_station"] != depot:
            problems.append(f"{block_id}: does not end with a pull-in to {depot}")
        if sum(r["activity"] == "pull_out" for r in rows) != 1:
            problems.append(f"{block_id}: not exactly one pull-out")
        if sum(r["activity"] == "pull_in" for r in rows) != 1:
            problems.append(f"{block_id}: not exactly one pull-in")
        for r in rows:
            what = f"{block_id}#{r['sequence']} {r['activity']}"
            if r["end_s"] < r["start_s"] - 1e-9:
                problems.append(f"{what}: ends before it starts")
            if r["activity"] in ("pull_out", "pull_in"):
                touches = r["from_station"] if r["activity"] == "pull_in" else r["to_station"]
                if touches not in facts.move_m:
                    problems.append(f"{what}: depot move to {touches}, not {sorted(facts.move_m)}")
                    continue
                out_s, in_s = facts.move_s[touches]
                need = out_s if r["activity"] == "pull_out" else in_s
                lasts = r["end_s"] - r["start_s"]
                if not math.isclose(lasts, need, abs_tol=1e-6):
                    problems.append(f"{what}: lasts {lasts} s, not {need} s")
                if not math.isclose(r["distance_m"], facts.move_m[touches], abs_tol=1e-6):
                    problems.append(
                        f"{what}: runs {r['distance_m']} m, not {facts.move_m[touches]}"
                    )
            elif r["activity"] == "deadhead":
                if {r["from_station"], r["to_station"]} != set(terminals):
                    problems.append(f"{what}: not between the two terminals")
            elif r["activity"] == "layover":
                if r["from_station"] != r["to_station"] or r["from_station"] not in layover_s:
                    problems.append(f"{what}: not at one terminal or gate")
                if r["distance_m"] != 0.0:
                    problems.append(f"{what}: a layover that runs")
            elif r["activity"] == "trip":
                trip = r["trip_id"]
                if trip not in trips.index:
                    problems.append(f"{what}: unknown trip {trip}")
                    continue
                if trip in seen:
                    problems.append(f"{what}: trip {trip} also in {seen[trip]}")
                seen[trip] = str(block_id)
                t = trips.loc[trip]
                expected = (t["origin"], t["destination"], t["start"], t["end"], t["distance"])
                got = (
                    r["from_station"],
                    r["to_station"],
                    r["start_s"],
                    r["end_s"],
                    r["distance_m"],
                )
                if got[:2] != expected[:2] or any(
                    not math.isclose(x, y, abs_tol=1e-6)
                    for x, y in zip(got[2:], expected[2:], strict=True)
                ):
                    problems.append(f"{what}: {got} differs from the timetable {expected}")
                if t["block"] != block_id:
                    problems.append(f"{what}: the timetable gives {trip} to {t['block']}")
            else:
                problems.append(f"{what}: unknown activity")
            if (
                r["activity"] != "trip"
                and r["trip_id"] not in ("", None)
                and not (isinstance(r["trip_id"], float) and math.isnan(r["trip_id"]))
            ):
                problems.append(f"{what}: has a trip id")
        # One place at a time: each activity starts where the last one ended, never earlier.
        for before, after in itertools.pairwise(rows):
            what = f"{block_id}#{after['sequence']} {after['activity']}"
            if after["from_station"] != before["to_station"]:
                problems.append(
                    f"{what}: starts at {after['from_station']}, the train is at "
                    f"{before['to_station']}"
                )
            if after["start_s"] < before["end_s"] - 1e-6:
                problems.append(f"{what}: starts before the previous activity ends")
            if contiguous and not math.isclose(after["start_s"], before["end_s"], abs_tol=1e-6):
                problems.append(
                    f"{what}: starts {after['start_s'] - before['end_s']:.1f} s after the "
                    "previous activity ends (time not accounted for)"
                )
        # Layover before every trip: from the end of the last movement to the departure.
        last_move_end: float | None = None
        for r in rows:
            if r["activity"] == "trip" and last_move_end is not None:
                need = layover_s.get(r["from_station"], math.inf)
                if r["start_s"] - last_move_end < need - 1e-6:
                    problems.append(
                        f"{block_id}: {r['trip_id']} leaves {r['start_s'] - last_move_end:.1f} s "
                        f"after the train's last move; the layover at {r['from_station']} is "
                        f"{need:.1f} s"
                    )
            if r["activity"] in MOVES:
                last_move_end = r["end_s"]
    missing = sorted(set(trips.index) - set(seen))
    if missing:
        problems.append(f"{len(missing)} trips in no block, e.g. {missing[0]}")
    return problems


def peak_concurrency(blocks: pd.DataFrame) -> int:
    """Most blocks out of the depot at one instant, spans half-open [first start, last end)."""
    spans = blocks.groupby("block_id").agg(start=("start_s", "min"), end=("end_s", "max"))
    instants = sorted(set(spans["start"]))
    return max(int(((spans["start"] <= t) & (spans["end"] > t)).sum()) for t in instants)


def concurrent_trips(timetable: pd.DataFrame) -> int:
    """Most trips under way at one instant (each needs a train of its own)."""
    spans = trip_spans(timetable)
    return max(int(((spans["start"] <= t) & (spans["end"] > t)).sum()) for t in spans["start"])


def spares(ratio: float, peak: int) -> int:
    """Spares: the ratio of the peak, rounded up (a product within 1e-9 of an integer is it)."""
    return math.ceil(round(ratio * peak, 9))
