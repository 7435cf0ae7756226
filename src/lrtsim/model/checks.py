"""Rules that relate several values of a scenario; each problem comes back with its key path."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Protocol

from lrtsim.model.schema import (
    Demand,
    Line,
    RollingStock,
    Scenario,
    Service,
    Signalling,
    Station,
    clock_to_s,
)

Problem = tuple[str, str]
"""(key path, what is wrong) — joined by the loader as 'path: message'."""


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
    """Stations in order of increasing km, each name once."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, station in enumerate(stations):
        if i > 0:
            previous = stations[i - 1].km
            if station.km <= previous:
                problems.append(
                    (
                        f"line.stations[{i}].km",
                        f"{_fmt(station.km)} is not greater than the previous station's "
                        f"{_fmt(previous)} (stations run in order of increasing km)",
                    )
                )
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
    return problems


def check_service(service: Service) -> list[Problem]:
    """The day ends after it starts; periods lie inside it, in order, without overlap."""
    problems: list[Problem] = []
    start, end = clock_to_s(service.start), clock_to_s(service.end)
    if end <= start:
        problems.append(
            ("service.end", f"{service.end} is not after service.start {service.start}")
        )
    previous_to: int | None = None
    for i, period in enumerate(service.periods):
        p_from, p_to = clock_to_s(period.from_), clock_to_s(period.to)
        if p_to <= p_from:
            problems.append(
                (f"service.periods[{i}].to", f"{period.to} is not after its from {period.from_}")
            )
        elif p_from < start or p_to > end:
            problems.append(
                (
                    f"service.periods[{i}]",
                    f"{period.from_}–{period.to} lies outside the service day "
                    f"{service.start}–{service.end}",
                )
            )
        if previous_to is not None and p_from < previous_to:
            problems.append(
                (
                    f"service.periods[{i}].from",
                    f"{period.from_} starts before the previous period ends",
                )
            )
        previous_to = p_to
    return problems


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
    )
