"""What calibration needs from a GTFS feed, for a scenario built by the GTFS import.

- The fitted direction's schedule: the import's own pattern times (direction `up`).
- The held-out direction's: the other direction_id's most common full-length pattern
  (`choose_pattern`), its stations mapped onto the scenario's (`match_stations`) and its times
  laid over the scenario's segments in the `down` running order.
- The service: every trip of the route on the import's typical date (`service_span`), with its
  block, first departure, last arrival and whether it runs the chosen pattern of its direction.

Station matching keeps the order of the line: first the stations that are the same (same
parent_station, same stop_id or the same name), as the longest order-keeping match; then, between
two matched stations, unmatched ones are paired in order when both directions have as many
there and each pair lies within `PAIR_WITHIN_M` (a couplet: the other direction stops at
platforms on a parallel street, as the Portland Mall's 5th and 6th Avenues). A scenario station
left unmatched leaves its two segments without a scheduled time.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lrtsim.calibration.feed_service import FeedService, ServiceTrip
from lrtsim.calibration.schedule import DirectionSchedule
from lrtsim.errors import LrtsimError
from lrtsim.io.gtfs.calendars import service_dates, service_span
from lrtsim.io.gtfs.import_scenario import GtfsImport
from lrtsim.io.gtfs.patterns import (
    PatternStation,
    PatternTimes,
    choose_pattern,
    pattern_stations,
    pattern_times,
    route_trips,
    stop_patterns,
)
from lrtsim.io.gtfs.read import Feed, read_feed, seconds_after_midnight
from lrtsim.model.geometry import haversine_m

PAIR_WITHIN_M = 400.0
"""Unmatched stations of the two directions are paired only this close (a city block or two)."""


@dataclass(frozen=True)
class CalibrationInput:
    """The schedules of both directions and the service of the typical date."""

    fitted: DirectionSchedule
    held_out: DirectionSchedule | None
    service: FeedService
    notes: tuple[str, ...]


def calibration_input(imported: GtfsImport) -> CalibrationInput:
    """Read the feed of an import again for the held-out direction and the service date."""
    feed = read_feed(imported.feed)
    trips = route_trips(feed, imported.route_id)
    times = imported.times
    fitted = DirectionSchedule(
        "up",
        times.run_s,
        times.dwell_s if times.distinct else (None,) * len(times.dwell_s),
        timepoints(feed, imported.pattern.trip_ids, imported.stations),
    )
    notes: list[str] = []
    patterns = stop_patterns(feed, trips)
    other = 1 - imported.pattern.direction_id
    held_out: DirectionSchedule | None = None
    other_stops: tuple[str, ...] = ()
    try:
        pattern = choose_pattern(patterns, other)
        stations = pattern_stations(feed, pattern.stop_ids)
        times = pattern_times(feed, pattern, stations)
    except LrtsimError as exc:
        notes.append(f"no held-out direction: direction_id {other}: {exc}")
    else:
        other_stops = pattern.stop_ids
        matched, how = match_stations(feed, imported.stations, stations[::-1])
        notes += how
        flags = timepoints(feed, pattern.trip_ids, stations)
        held_out = _held_out(matched, len(stations), times, flags)
    service = _service(feed, trips, imported, other_stops, patterns)
    return CalibrationInput(fitted, held_out, service, tuple(notes))


def timepoints(
    feed: Feed, trip_ids: Sequence[str], stations: Sequence[PatternStation]
) -> tuple[bool, ...]:
    """Per station, whether most of the pattern's trips mark its first stop a timepoint (GTFS
    `timepoint`: 0 = approximate, 1 or blank = exact); empty when the feed has no such column."""
    rows = feed.stop_times[feed.stop_times["trip_id"].isin(trip_ids)]
    if "timepoint" not in rows.columns or rows.empty:
        return ()
    rows = rows.assign(_seq=pd.to_numeric(rows["stop_sequence"], errors="coerce"))
    rows = rows.sort_values(["trip_id", "_seq"], kind="stable")
    n_stops = max(s.last for s in stations) + 1
    approximate = (rows["timepoint"].to_numpy() == "0").reshape(-1, n_stops)
    share = approximate.mean(axis=0)
    return tuple(bool(share[s.first] <= 0.5) for s in stations)


def _held_out(
    matched: list[int | None], n_other: int, times: PatternTimes, flags: tuple[bool, ...]
) -> DirectionSchedule:
    """The other direction's times over the scenario's segments, in the `down` running order.

    `matched[j]` is the index, in the other direction's line-order (reversed) station list, of
    scenario station j; a segment has a time when both its ends map to consecutive stations.
    """
    n = len(matched)
    run: list[float | None] = []
    for k in range(n - 1):
        a, b = matched[n - 1 - k], matched[n - 2 - k]  # down: station n-1-k to n-2-k
        if a is None or b is None or a != b + 1:
            run.append(None)
            continue
        run.append(times.run_s[n_other - 1 - a])  # its running order is the reverse
    dwell: list[float | None] = []
    for k in range(n):
        p = matched[n - 1 - k]
        dwell.append(None if p is None or not times.distinct else times.dwell_s[n_other - 1 - p])
    timepoint: tuple[bool, ...] = ()
    if flags:
        timepoint = tuple(
            p is not None and flags[n_other - 1 - p] for p in (matched[n - 1 - k] for k in range(n))
        )
    return DirectionSchedule("down", tuple(run), tuple(dwell), timepoint)


def _keys(stops: pd.DataFrame, station: PatternStation) -> set[str]:
    """What identifies a station: its stop_ids, their parent stations, its name."""
    keys = {f"stop:{s}" for s in station.stop_ids}
    if "parent_station" in stops.columns:
        parents = (str(stops.at[s, "parent_station"]) for s in station.stop_ids if s in stops.index)
        keys |= {f"parent:{p}" for p in parents if p}
    return keys | {f"name:{station.name.casefold()}"}


def match_stations(
    feed: Feed, scenario: Sequence[PatternStation], other: Sequence[PatternStation]
) -> tuple[list[int | None], list[str]]:
    """For each scenario station, the index of its counterpart in `other` (both in line order),
    or None; and notes on what was paired by position (see the module docstring)."""
    stops = feed.stops.drop_duplicates("stop_id").set_index("stop_id")
    mine = [_keys(stops, s) for s in scenario]
    theirs = [_keys(stops, s) for s in other]
    n, m = len(mine), len(theirs)
    # Longest order-keeping match of stations that share a key (dynamic programming).
    best = np.zeros((n + 1, m + 1), dtype=np.int64)
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            same = bool(mine[i] & theirs[j])
            best[i, j] = max(best[i + 1, j], best[i, j + 1], best[i + 1, j + 1] + same)
    matched: list[int | None] = [None] * n
    i = j = 0
    while i < n and j < m:
        if mine[i] & theirs[j] and best[i, j] == best[i + 1, j + 1] + 1:
            matched[i] = j
            i, j = i + 1, j + 1
        elif best[i + 1, j] >= best[i, j + 1]:
            i += 1
        else:
            j += 1
    notes = []
    paired = _pair_between(scenario, other, matched)
    if paired:
        shown = "; ".join(f"{scenario[i].name} ↔ {other[j].name} ({d:.0f} m)" for i, j, d in paired)
        notes.append(
            f"{len(paired)} station(s) of the held-out direction serve other platforms and were "
            f"paired with the scenario's by order and position: {shown}"
        )
    missing = [scenario[i].name for i, p in enumerate(matched) if p is None]
    if missing:
        notes.append(
            "no held-out counterpart, so their segments have no held-out time: "
            + ", ".join(missing)
        )
    return matched, notes


def _pair_between(
    scenario: Sequence[PatternStation], other: Sequence[PatternStation], matched: list[int | None]
) -> list[tuple[int, int, float]]:
    """Pair unmatched runs of equal length between matched stations, in place; returns pairs."""
    anchors = [(-1, -1)] + [(i, p) for i, p in enumerate(matched) if p is not None]
    anchors.append((len(scenario), len(other)))
    paired = []
    for (i0, j0), (i1, j1) in itertools.pairwise(anchors):
        gap_mine, gap_theirs = list(range(i0 + 1, i1)), list(range(j0 + 1, j1))
        if not gap_mine or len(gap_mine) != len(gap_theirs):
            continue
        a = np.array([[scenario[i].lon, scenario[i].lat] for i in gap_mine])
        b = np.array([[other[j].lon, other[j].lat] for j in gap_theirs])
        metres = haversine_m(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
        if (metres <= PAIR_WITHIN_M).all():
            for i, j, d in zip(gap_mine, gap_theirs, metres, strict=True):
                matched[i] = j
                paired.append((i, j, float(d)))
    return paired


def _service(
    feed: Feed,
    trips: pd.DataFrame,
    imported: GtfsImport,
    other_stops: tuple[str, ...],
    patterns: pd.DataFrame,
) -> FeedService:
    """The route's trips on the import's typical date (`service_span`), both directions."""
    up_id = imported.pattern.direction_id
    span = service_span(feed, trips, up_id)
    day = trips
    if span.date and "service_id" in trips.columns:
        running = service_dates(feed).get(span.date, set())
        day = trips[trips["service_id"].isin(running)]
    rows = feed.stop_times[feed.stop_times["trip_id"].isin(day["trip_id"])]
    rows = rows.assign(
        _seq=pd.to_numeric(rows["stop_sequence"], errors="coerce"),
        _dep=seconds_after_midnight(rows["departure_time"]),
        _arr=seconds_after_midnight(rows["arrival_time"]),
    ).sort_values(["trip_id", "_seq"], kind="stable")
    ends = rows.groupby("trip_id").agg(
        dep=("_dep", "first"), arr=("_arr", "last"), arr_first=("_arr", "first")
    )
    ends["dep"] = ends["dep"].where(np.isfinite(ends["dep"]), ends["arr_first"])
    info = patterns.set_index("trip_id")[["direction_id", "pattern"]]
    table = ends.join(info, how="inner")
    block_of = (
        dict(zip(day["trip_id"], day["block_id"], strict=True)) if "block_id" in day.columns else {}
    )
    full = {up_id: imported.pattern.stop_ids, 1 - up_id: other_stops}
    out = []
    for trip_id, dep, arr, direction_id, pattern in zip(
        table.index,
        table["dep"],
        table["arr"],
        table["direction_id"],
        table["pattern"],
        strict=True,
    ):
        if int(direction_id) not in full:
            continue
        out.append(
            ServiceTrip(
                trip_id=str(trip_id),
                direction="up" if int(direction_id) == up_id else "down",
                block_id=str(block_of.get(trip_id, "")),
                departure_s=float(dep),
                arrival_s=float(arr),
                full_length=tuple(pattern) == full[int(direction_id)],
            )
        )
    return FeedService(date=span.date, trips=tuple(sorted(out, key=lambda t: t.trip_id)))
