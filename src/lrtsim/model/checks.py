"""Rules that relate several values of a scenario; each problem comes back with its key path."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import itertools
import math
import zoneinfo
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Protocol

import numpy as np

from lrtsim.errors import GridTooLargeError
from lrtsim.model.geometry import chainage_m, haversine_m
from lrtsim.model.schema import (
    Control,
    Demand,
    Incident,
    Line,
    Operations,
    Period,
    Publication,
    RollingStock,
    Scenario,
    Service,
    Signalling,
    Station,
    clock_to_s,
)

Problem = tuple[str, str]
"""(key path, what is wrong) — joined by the loader as 'path: message'."""

MAX_CHAINAGE_KM = 1000.0
"""Largest chainage (km, either sign) a station or the geometry's start may have."""

MAX_LINE_LENGTH_KM = 500.0
"""Longest line, first to last station: far beyond any light-rail line, and it bounds the
running-time engine's position grid (and so its memory)."""

MAX_GRID_POINTS = 50_000_000
"""Most points of a running-time position grid: the engine keeps about ten float arrays of this
size, so 50 million points take about 4 GB."""

MAX_STATION_OFFSET_M = 200.0
"""Farthest a station's coordinates may lie from the track polyline at the station's km (the
same bound as the GTFS export's, `io.gtfs.geometry`)."""

MIN_STATION_GAP_M = 1.0
"""Consecutive stations closer than this as the crow flies have the same coordinates."""


class _Stretch(Protocol):
    @property
    def from_km(self) -> float: ...
    @property
    def to_km(self) -> float: ...


def line_extent_km(line: Line) -> tuple[float, float]:
    """First and last chainage of track: terminals plus their tail tracks."""
    first = line.stations[0].km - line.tail_tracks_m.start / 1000.0
    last = line.stations[-1].km + line.tail_tracks_m.end / 1000.0
    return first, last


def _fmt(km: float) -> str:
    return f"{km:g}"


def check_stations(stations: Sequence[Station]) -> list[Problem]:
    """Stations in order of increasing km, each name once, within `MAX_CHAINAGE_KM` of 0 and
    `MAX_LINE_LENGTH_KM` of the first."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    too_long = False
    for i, station in enumerate(stations):
        km, first = station.km, stations[0].km
        previous = stations[i - 1].km if i > 0 else None
        problem: str | None = None
        if not math.isfinite(km):
            problem = f"{km} is not a finite number"
        elif abs(km) > MAX_CHAINAGE_KM:
            problem = f"{_fmt(km)} is beyond ±{_fmt(MAX_CHAINAGE_KM)} km, the range of a chainage"
        elif previous is not None and math.isfinite(previous) and not km > previous:
            problem = (
                f"{_fmt(km)} is not greater than the previous station's {_fmt(previous)} "
                "(stations run in order of increasing km)"
            )
        elif not too_long and abs(first) <= MAX_CHAINAGE_KM and km - first > MAX_LINE_LENGTH_KM:
            too_long = True
            problem = (
                f"{_fmt(km)} is {_fmt(km - first)} km from the first station's {_fmt(first)}: "
                f"a line may be at most {_fmt(MAX_LINE_LENGTH_KM)} km long"
            )
        if problem is not None:
            problems.append((f"line.stations[{i}].km", problem))
        if station.name in seen:
            problems.append(
                (
                    f"line.stations[{i}].name",
                    f"'{station.name}' is already the name of line.stations[{seen[station.name]}]",
                )
            )
        seen.setdefault(station.name, i)
    return problems


def check_line(line: Line) -> list[Problem]:
    """Stations in order and unique, zones inside the line and not overlapping, geometry sized."""
    problems = check_stations(line.stations)
    if any(p[0].endswith(".km") for p in problems):
        return problems  # the extent is meaningless until the stations are in order

    low, high = line_extent_km(line)
    extent = f"the line runs from {_fmt(low)} to {_fmt(high)} km (terminals plus tail_tracks_m)"
    for key in ("gradients", "curves", "speed_limits"):
        items: Sequence[_Stretch] = getattr(line, key)
        problems += _check_stretches(
            f"line.{key}", items, low, high, extent, overlap=key != "speed_limits"
        )

    for i, curve in enumerate(line.curves):
        cant = line.cant_mm if curve.cant_mm is None else curve.cant_mm
        if cant + line.cant_deficiency_mm <= 0:
            problems.append(
                (
                    f"line.curves[{i}]",
                    "cant and line.cant_deficiency_mm are both 0, so no speed is allowed on "
                    "this curve; give a cant or a cant deficiency",
                )
            )

    if line.depot is not None and not (low <= line.depot.km <= high):
        problems.append(("line.depot.km", f"{_fmt(line.depot.km)} is off the line: {extent}"))

    geometry = line.geometry
    if geometry is not None and geometry.stations and len(geometry.stations) != len(line.stations):
        problems.append(
            (
                "line.geometry.stations",
                f"has {len(geometry.stations)} points but line.stations has "
                f"{len(line.stations)}; give one (lon, lat) per station, in the same order",
            )
        )
    elif geometry is not None:
        problems += check_geometry(line)
    return problems


def check_geometry(line: Line) -> list[Problem]:
    """The track polyline has length; each station's coordinates lie on it at the station's km.

    A station's km is its chainage along `line.geometry.track`, which starts at
    `track_start_km` at the first point (chainage by haversine, `model.geometry.chainage_m`).
    """
    geometry = line.geometry
    if geometry is None:
        return []
    problems: list[Problem] = []
    if abs(geometry.track_start_km) > MAX_CHAINAGE_KM:
        return [
            (
                "line.geometry.track_start_km",
                f"{_fmt(geometry.track_start_km)} is beyond ±{_fmt(MAX_CHAINAGE_KM)} km, the "
                "range of a chainage",
            )
        ]
    if len(geometry.track) < 2:
        if len(geometry.stations) == len(line.stations):
            problems += _check_straight_geometry(line)
        return problems
    cum = chainage_m(geometry.track)
    if not cum[-1] > 1e-6:
        return [
            (
                "line.geometry.track",
                "all its points are at one place; the track needs two distinct points",
            )
        ]
    if len(geometry.stations) != len(line.stations):
        return problems
    keep = np.concatenate([[True], np.diff(cum) > 1e-6])
    xy, cum = np.asarray(geometry.track, dtype=np.float64)[keep], cum[keep]
    along = np.array([(s.km - geometry.track_start_km) * 1000.0 for s in line.stations])
    j = np.clip(np.searchsorted(cum, along, side="right") - 1, 0, len(cum) - 2)
    t = (along - cum[j]) / (cum[j + 1] - cum[j])
    lon = xy[j, 0] + t * (xy[j + 1, 0] - xy[j, 0])
    lat = xy[j, 1] + t * (xy[j + 1, 1] - xy[j, 1])
    points = np.asarray(geometry.stations, dtype=np.float64)
    gap = haversine_m(lon, lat, points[:, 0], points[:, 1])
    for i, station in enumerate(line.stations):
        if not gap[i] <= MAX_STATION_OFFSET_M:
            problems.append(
                (
                    f"line.geometry.stations[{i}]",
                    f"'{station.name}' at ({points[i, 0]:g}, {points[i, 1]:g}) is "
                    f"{gap[i]:.0f} m from the track at its km {_fmt(station.km)} (at most "
                    f"{MAX_STATION_OFFSET_M:.0f} m): a station's km is its chainage along "
                    "line.geometry.track, which starts at line.geometry.track_start_km",
                )
            )
    return problems


def _check_straight_geometry(line: Line) -> list[Problem]:
    """Without a track, the shapes run straight between stations: consecutive stations must be
    apart, and no farther apart as the crow flies than along the line (their km)."""
    assert line.geometry is not None
    problems: list[Problem] = []
    xy = np.asarray(line.geometry.stations, dtype=np.float64)
    crow = haversine_m(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
    for i, (a, b) in enumerate(itertools.pairwise(line.stations)):
        along_m = (b.km - a.km) * 1000.0
        path = f"line.geometry.stations[{i + 1}]"
        if not crow[i] >= MIN_STATION_GAP_M:
            problems.append(
                (
                    path,
                    f"'{b.name}' has the coordinates of '{a.name}' (line.geometry.stations[{i}])",
                )
            )
        elif not crow[i] <= along_m + MAX_STATION_OFFSET_M:
            problems.append(
                (
                    path,
                    f"'{a.name}' and '{b.name}' are {crow[i] / 1000:.2f} km apart as the crow "
                    f"flies but {along_m / 1000:.2f} km along the line (their km): their "
                    "coordinates or their km are wrong",
                )
            )
    return problems


def check_spacing(line: Line, stock: RollingStock) -> list[Problem]:
    """Adjacent stations at least a train length apart (a stopped train is behind its km)."""
    problems: list[Problem] = []
    for i, (a, b) in enumerate(itertools.pairwise(line.stations), start=1):
        gap_m = (b.km - a.km) * 1000.0
        if gap_m < stock.length_m - 1e-6:
            problems.append(
                (
                    f"line.stations[{i}].km",
                    f"'{b.name}' is {_fmt(round(gap_m, 1))} m after '{a.name}' "
                    f"(line.stations[{i - 1}]), closer than the train is long "
                    f"(rolling_stock.length_m = {_fmt(stock.length_m)} m): a train stopped at "
                    "one would stand in the other",
                )
            )
    return problems


def check_turnbacks(line: Line, signalling: Signalling, stock: RollingStock) -> list[Problem]:
    """A tail-track turnback's tail track holds the train behind the crossover, with the margin.

    The reversing train stops clear of the crossover (clearance, crossover, clearance, the
    train) and the safety margin to the track's end (`capacity.terminal.tail_track`).
    """
    problems: list[Problem] = []
    for end, station in (("start", line.stations[0]), ("end", line.stations[-1])):
        turnback = getattr(signalling.turnback, end)
        if turnback.kind != "tail_track":
            continue
        tail_m = getattr(line.tail_tracks_m, end)
        need = (
            2 * turnback.crossover_clearance_m
            + turnback.crossover_length_m
            + stock.length_m
            + signalling.safety_margin_m
        )
        if tail_m < need:
            problems.append(
                (
                    f"line.tail_tracks_m.{end}",
                    f"the tail track beyond {station.name} ({tail_m:.0f} m) is too short to "
                    f"turn a {stock.length_m:.0f} m train behind the crossover "
                    f"(signalling.turnback.{end}.kind = 'tail_track'): it needs at least "
                    f"{need:.0f} m (crossover clearance twice and length, the train, "
                    "signalling.safety_margin_m); lengthen it or use turnback kind "
                    "'crossover_before'",
                )
            )
    return problems


def _check_stretches(
    path: str, items: Sequence[_Stretch], low: float, high: float, extent: str, overlap: bool
) -> list[Problem]:
    problems: list[Problem] = []
    for i, item in enumerate(items):
        if item.to_km <= item.from_km:
            problems.append(
                (
                    f"{path}[{i}].to_km",
                    f"{_fmt(item.to_km)} must be greater than from_km {_fmt(item.from_km)}",
                )
            )
            continue
        if item.from_km < low - 1e-9 or item.to_km > high + 1e-9:
            problems.append(
                (
                    f"{path}[{i}]",
                    f"{_fmt(item.from_km)}–{_fmt(item.to_km)} km reaches off the line: {extent}",
                )
            )
    if overlap:
        ordered = sorted(
            (i for i, it in enumerate(items) if it.to_km > it.from_km),
            key=lambda i: items[i].from_km,
        )
        for a, b in itertools.pairwise(ordered):
            if items[b].from_km < items[a].to_km - 1e-9:
                problems.append(
                    (
                        f"{path}[{b}].from_km",
                        f"{_fmt(items[b].from_km)} overlaps {path}[{a}] "
                        f"({_fmt(items[a].from_km)}–{_fmt(items[a].to_km)} km); "
                        "each stretch of track has one value",
                    )
                )
    return problems


def check_rolling_stock(stock: RollingStock) -> list[Problem]:
    """A train must carry someone: seats or standing area."""
    if stock.seats == 0 and stock.standing_area_m2 == 0:
        return [
            (
                "rolling_stock.seats",
                "0 seats and 0 m² of standing area: the train carries nobody; give seats or "
                "standing_area_m2",
            )
        ]
    return []


def check_signalling(signalling: Signalling, line: Line | None) -> list[Problem]:
    """Fixed-block boundaries increase and lie on the line."""
    problems: list[Problem] = []
    bounds = signalling.block_boundaries_km
    for i in range(1, len(bounds)):
        if bounds[i] <= bounds[i - 1]:
            problems.append(
                (
                    f"signalling.block_boundaries_km[{i}]",
                    f"{_fmt(bounds[i])} is not greater than the previous boundary "
                    f"{_fmt(bounds[i - 1])}",
                )
            )
    if line is not None:
        low, high = line_extent_km(line)
        for i, km in enumerate(bounds):
            if not low <= km <= high:
                problems.append(
                    (
                        f"signalling.block_boundaries_km[{i}]",
                        f"{_fmt(km)} is off the line ({_fmt(low)}–{_fmt(high)} km)",
                    )
                )
    return problems


def check_demand(demand: Demand, line: Line | None) -> list[Problem]:
    """Station weights name real stations, once each."""
    problems: list[Problem] = []
    names = {s.name for s in line.stations} if line is not None else None
    seen: set[str] = set()
    for i, weight in enumerate(demand.weights):
        if names is not None and weight.station not in names:
            problems.append(
                (
                    f"demand.weights[{i}].station",
                    f"'{weight.station}' is not a station of the line",
                )
            )
        if weight.station in seen:
            problems.append(
                (f"demand.weights[{i}].station", f"'{weight.station}' is weighted twice")
            )
        seen.add(weight.station)
    if line is not None and demand.od_matrix_csv is None and demand.daily_boardings > 0:
        problems += _check_weights_reach(demand, line)
    return problems


def _check_weights_reach(demand: Demand, line: Line) -> list[Problem]:
    """The gravity model can place the trips: productions and attractions not all 0, and each
    station's trips have another station to go to (a trip within one station is never made).

    A station without a weight weighs 1 (`demand.od.build_od`); `demand.furness` refuses the rest.
    """
    weights = {w.station: w for w in demand.weights}
    index = {w.station: i for i, w in enumerate(demand.weights)}
    names = [s.name for s in line.stations]
    p = [weights[n].production if n in weights else 1.0 for n in names]
    a = [weights[n].attraction if n in weights else 1.0 for n in names]
    zero = [k for k, v in (("productions", p), ("attractions", a)) if not any(x > 0 for x in v)]
    if zero:
        return [
            (
                "demand.weights",
                f"{' and '.join(k + ' are all 0' for k in zero)}, but demand.daily_boardings is "
                f"{_fmt(demand.daily_boardings)}; weight at least two stations (a station "
                "without a weight weighs 1)",
            )
        ]
    producers = [i for i, x in enumerate(p) if x > 0]
    attractors = [i for i, x in enumerate(a) if x > 0]
    for only, other, what in (
        (attractors, p, "attracts trips, so its own productions have nowhere to go"),
        (producers, a, "produces trips, so its own attractions have nowhere to come from"),
    ):
        if len(only) == 1 and other[only[0]] > 0:
            name = names[only[0]]
            path = f"demand.weights[{index[name]}]" if name in index else "demand.weights"
            return [
                (
                    path,
                    f"'{name}' is the only station that {what} (a trip within one station "
                    "never rides the line); weight another station",
                )
            ]
    return []


def check_service(service: Service) -> list[Problem]:
    """The day ends after it starts; periods lie inside it, in order, without overlap; then the
    day types (`check_day_types`)."""
    problems = _check_day(service.start, service.end, service.periods, "service")
    return problems + check_day_types(service)


def _check_day(
    start_text: str,
    end_text: str,
    periods: Sequence[Period],
    where: str,
    inherited: tuple[bool, bool, bool] = (False, False, False),
) -> list[Problem]:
    """One service day's hours and periods; `where` is the table they belong to. `inherited`
    says which of start, end and periods come from `[service]` (their own problems are reported
    there, once): what is left is how they fit the day type's own values."""
    problems: list[Problem] = []
    own_start, own_end, own_periods = (not flag for flag in inherited)
    start_key = f"{where}.start" if own_start else "service.start"
    start, end = clock_to_s(start_text), clock_to_s(end_text)
    if end <= start and (own_start or own_end):
        problems.append(
            (
                f"{where}.{'end' if own_end else 'start'}",
                f"{end_text} is not after {start_key} {start_text}"
                if own_end
                else f"{start_text} is not before service.end {end_text}",
            )
        )
    if not own_periods:
        outside = [
            f"service.periods[{i}] ({p.from_}–{p.to})"
            for i, p in enumerate(periods)
            if clock_to_s(p.from_) < start or clock_to_s(p.to) > end
        ]
        if outside and end > start:
            problems.append(
                (
                    where,
                    f"inherits {', '.join(outside)}, outside its service day "
                    f"{start_text}–{end_text}; give it its own periods",
                )
            )
        return problems
    previous_to: int | None = None
    for i, period in enumerate(periods):
        p_from, p_to = clock_to_s(period.from_), clock_to_s(period.to)
        if p_to <= p_from:
            problems.append(
                (f"{where}.periods[{i}].to", f"{period.to} is not after its from {period.from_}")
            )
        elif p_from < start or p_to > end:
            problems.append(
                (
                    f"{where}.periods[{i}]",
                    f"{period.from_}–{period.to} lies outside the service day "
                    f"{start_text}–{end_text}",
                )
            )
        if previous_to is not None and p_from < previous_to:
            problems.append(
                (
                    f"{where}.periods[{i}].from",
                    f"{period.from_} starts before the previous period ends",
                )
            )
        previous_to = p_to
    return problems


def check_day_types(service: Service) -> list[Problem]:
    """Day types: names unique, each day of the week in one day type at most, and each day
    type's hours and periods (its own or those of `[service]`) pass the rules of a service day."""
    problems: list[Problem] = []
    names: dict[str, int] = {}
    owner: dict[str, int] = {}
    for i, day_type in enumerate(service.day_types):
        where = f"service.day_types[{i}]"
        if day_type.name in names:
            problems.append(
                (
                    f"{where}.name",
                    f"'{day_type.name}' is already the name of "
                    f"service.day_types[{names[day_type.name]}]",
                )
            )
        names.setdefault(day_type.name, i)
        for j, day in enumerate(day_type.days):
            if day in owner and owner[day] != i:
                k = owner[day]
                problems.append(
                    (
                        f"{where}.days[{j}]",
                        f"'{day}' is already a day of service.day_types[{k}] "
                        f"('{service.day_types[k].name}'); a day has one service",
                    )
                )
            owner.setdefault(day, i)
        inherited = (day_type.start is None, day_type.end is None, day_type.periods is None)
        if all(inherited):
            continue  # the day of [service], checked there
        problems += _check_day(
            day_type.start or service.start,
            day_type.end or service.end,
            service.periods if day_type.periods is None else day_type.periods,
            where,
            inherited,
        )
    return problems


def check_operations(operations: Operations, line: Line | None, service: Service) -> list[Problem]:
    """Incidents name real, adjacent stations as their kind needs and fall in the service day;
    control names real stations (`check_incident`, `check_control`).

    Without a usable `line` (stations out of order) only the times are checked.
    """
    problems: list[Problem] = []
    for i, incident in enumerate(operations.incidents):
        problems += check_incident(incident, f"operations.incidents[{i}]", line, service)
    if line is not None:
        problems += check_control(operations.control, line)
    return problems


def check_incident(
    incident: Incident, where: str, line: Line | None, service: Service
) -> list[Problem]:
    """One incident: where it is (as its kind needs), that its stations exist and are adjacent,
    and that it starts within a service day."""
    problems: list[Problem] = []
    kind = incident.kind
    given = [key for key in ("between", "station") if getattr(incident, key) is not None]
    two, one = "two adjacent stations (`between` = [A, B])", "one station (`station` = A)"
    needs = {"track_blocked": two, "station_closed": one, "train_failure": f"{two} or {one}"}
    if len(given) == 2:
        problems.append((where, f"gives both `between` and `station`; {kind} takes {needs[kind]}"))
    elif not given:
        problems.append((where, f"gives no place; {kind} takes {needs[kind]}"))
    elif kind == "track_blocked" and given == ["station"]:
        problems.append((f"{where}.station", f"{kind} takes {two}, not one station"))
    elif kind == "station_closed" and given == ["between"]:
        problems.append((f"{where}.between", f"{kind} takes {one}, not two"))
    if line is not None:
        problems += _check_incident_place(incident, where, line)
    problems += _check_incident_time(incident, where, service)
    return problems


def _check_incident_place(incident: Incident, where: str, line: Line) -> list[Problem]:
    """The incident's stations are stations of the line; `between` names two neighbours."""
    names = [s.name for s in line.stations]
    if incident.station is not None and incident.station not in names:
        return [(f"{where}.station", unknown_station(incident.station, names))]
    if incident.between is None:
        return []
    a, b = incident.between
    unknown = [(j, n) for j, n in enumerate((a, b)) if n not in names]
    if unknown:
        return [(f"{where}.between[{j}]", unknown_station(n, names)) for j, n in unknown]
    if a == b:
        return [(f"{where}.between", f"names '{a}' twice; give two adjacent stations")]
    i, j = sorted((names.index(a), names.index(b)))
    if j - i > 1:
        inside = j - i - 1
        return [
            (
                f"{where}.between",
                f"'{a}' and '{b}' are not adjacent stations ({inside} "
                f"station{' lies' if inside == 1 else 's lie'} between them); an incident "
                f"covers one interstation, such as ['{names[i]}', '{names[i + 1]}']",
            )
        ]
    return []


def _check_incident_time(incident: Incident, where: str, service: Service) -> list[Problem]:
    """`at` lies within the hours of a service day: of `[service]`, or of one of its day types
    when it has them."""
    days = [
        (name, start, end)
        for name, start, end in service_days(service)
        if clock_to_s(end) > clock_to_s(start)  # a broken day is reported by check_service
    ]
    at = clock_to_s(incident.at)
    if not days:
        return []
    if any(clock_to_s(start) <= at <= clock_to_s(end) for _, start, end in days):
        return []
    if len({(start, end) for _, start, end in days}) == 1:
        _, start, end = days[0]
        span = f"the service day {start}–{end} (service.start–service.end)"
        if service.day_types:
            span = f"the service day {start}–{end} (of every day type)"
    else:
        span = "every service day (" + ", ".join(f"{n} {s}–{e}" for n, s, e in days) + ")"
    return [(f"{where}.at", f"{incident.at} is outside {span}")]


def service_days(service: Service) -> list[tuple[str, str, str]]:
    """(name, start, end) of each service day: each day type with the hours it runs (its own or
    those of `[service]`), or `[service]` alone (named 'service') without day types."""
    if not service.day_types:
        return [("service", service.start, service.end)]
    return [(d.name, d.start or service.start, d.end or service.end) for d in service.day_types]


def check_control(control: Control, line: Line) -> list[Problem]:
    """Timepoints and crossovers name stations of the line, once each; a crossover for short
    turns is at an intermediate station (trains turn at the terminals anyway), and the
    `short_turn` strategy has at least one."""
    names = [s.name for s in line.stations]
    problems: list[Problem] = []
    for key in ("timepoints", "crossovers"):
        listed: list[str] = getattr(control, key) or []
        for i, name in enumerate(listed):
            path = f"operations.control.{key}[{i}]"
            if name not in names:
                problems.append((path, unknown_station(name, names)))
            elif name in listed[:i]:
                problems.append((path, f"'{name}' is listed twice"))
            elif key == "crossovers" and name in (names[0], names[-1]):
                problems.append(
                    (
                        path,
                        f"'{name}' is a terminal, where every train turns anyway; crossovers "
                        "lists the intermediate stations where a train may turn back short",
                    )
                )
    if control.strategy == "short_turn" and not control.crossovers:
        problems.append(
            (
                "operations.control.crossovers",
                "is empty, but strategy 'short_turn' needs at least one station where a train "
                "may turn back; name the stations with a crossover",
            )
        )
    return problems


def unknown_station(name: str, names: Sequence[str]) -> str:
    """What is wrong with a name that is not a station of the line: the likely one, or all."""
    by_case = {n.casefold(): n for n in names}
    close = (
        [by_case[name.casefold()]]
        if name.casefold() in by_case
        else difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
    )
    if close:
        return f"'{name}' is not a station of the line; did you mean '{close[0]}'?"
    return f"'{name}' is not a station of the line (stations: {', '.join(names)})"


def check_publication(pub: Publication) -> list[Problem]:
    """The GTFS time zone is an IANA name; the feed's dates are real dates, start ≤ end."""
    problems: list[Problem] = []
    zones = iana_time_zones()
    if pub.agency_timezone not in zones:
        by_case = {zone.lower(): zone for zone in zones}
        close = (
            [by_case[pub.agency_timezone.lower()]]
            if pub.agency_timezone.lower() in by_case
            else difflib.get_close_matches(pub.agency_timezone, sorted(zones), n=1, cutoff=0.8)
        )
        hint = f"; did you mean '{close[0]}'?" if close else " such as 'Europe/Berlin' or 'UTC'"
        problems.append(
            (
                "gtfs.agency_timezone",
                f"'{pub.agency_timezone}' is not an IANA time-zone name (the tz database's, "
                f"as GTFS asks){hint}",
            )
        )
    dates: dict[str, dt.date] = {}
    for key, text in (("start_date", pub.start_date), ("end_date", pub.end_date)):
        try:
            dates[key] = parse_gtfs_date(text)
        except ValueError as exc:
            problems.append((f"gtfs.{key}", f"'{text}' is not a real date (YYYYMMDD): {exc}"))
    if len(dates) == 2 and dates["end_date"] < dates["start_date"]:
        problems.append(
            ("gtfs.end_date", f"{pub.end_date} is before gtfs.start_date {pub.start_date}")
        )
    return problems


def parse_gtfs_date(text: str) -> dt.date:
    """A GTFS date, YYYYMMDD; ValueError says what is wrong (month 13, 30 February)."""
    if len(text) != 8 or not text.isdigit():
        raise ValueError("eight digits are needed")
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))


@functools.cache
def iana_time_zones() -> frozenset[str]:
    """Names of the tz database (from the `tzdata` package, so the same on every machine)."""
    try:
        names = set(resources.files("tzdata").joinpath("zones").read_text("utf-8").split())
    except (ModuleNotFoundError, FileNotFoundError):
        names = set(zoneinfo.available_timezones())
    return frozenset(names - {"Factory", "localtime", "posixrules"})


def grid_points(segment_lengths_m: Iterable[float], step_m: float, min_steps: int = 1) -> int:
    """Points of a position grid over segments end to end, at most `step_m` apart (each segment
    at least `min_steps` steps; every segment end a point), counted without building it.

    Raises `GridTooLargeError` when the step is not a positive number or the grid would have
    more than `MAX_GRID_POINTS` points (the line too long for the step).
    """
    if not (math.isfinite(step_m) and step_m > 0):
        raise GridTooLargeError(f"the position step {step_m:g} m must be a positive number")
    lengths = [float(x) for x in segment_lengths_m]
    if not all(math.isfinite(x) and x >= 0 for x in lengths):
        raise GridTooLargeError("the segment lengths of a position grid must be finite, ≥ 0")
    count = 1 + sum(max(min_steps, math.ceil(x / step_m - 1e-9)) for x in lengths)
    if count > MAX_GRID_POINTS:
        total_m = sum(lengths)
        raise GridTooLargeError(
            f"a position grid over {_fmt(total_m / 1000.0)} km at {step_m:g} m steps would have "
            f"{count:,} points, more than the {MAX_GRID_POINTS:,} that fit in memory; use a "
            f"coarser step (over {total_m / MAX_GRID_POINTS:.2g} m)"
        )
    return count


def check_scenario(scenario: Scenario) -> list[Problem]:
    """All cross-value rules of a structurally valid scenario."""
    line_problems = check_line(scenario.line)
    ordered = not any(path.endswith(".km") for path, _ in line_problems)
    line = scenario.line if ordered else None
    return (
        line_problems
        + check_rolling_stock(scenario.rolling_stock)
        + check_signalling(scenario.signalling, line)
        + check_demand(scenario.demand, line)
        + check_service(scenario.service)
        + check_operations(scenario.operations, line, scenario.service)
        + check_publication(scenario.gtfs)
        + check_with_the_train(line, scenario.signalling, scenario.rolling_stock)
    )


def check_with_the_train(
    line: Line | None, signalling: Signalling | None, stock: RollingStock
) -> list[Problem]:
    """Rules between the line and the train: station spacing, tail-track turnbacks."""
    if line is None:
        return []
    problems = check_spacing(line, stock)
    if signalling is not None:
        problems += check_turnbacks(line, signalling, stock)
    return problems
