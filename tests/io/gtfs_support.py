"""Shared by the GTFS export tests: reading a written feed, scenario variants, plans once."""

from __future__ import annotations

import datetime as dt
import functools
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import partridge

from lrtsim.model.load import load_scenario
from lrtsim.model.schema import Scenario
from lrtsim.planning.day_types import DayPlan, make_day_plans


def read_table(path: Path, name: str) -> pd.DataFrame:
    """A table of the zip as written, every column as text (what a consumer reads)."""
    with zipfile.ZipFile(path) as archive, archive.open(name) as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def partridge_feed(path: Path) -> partridge.gtfs.Feed:
    """The feed as partridge reads it, without the pandas deprecations partridge 1.1.2 causes
    (the same filter as `lrtsim.io.gtfs.validate.partridge_problems`)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="partridge")
        feed = partridge.load_feed(str(path))
        for table in ("agency", "routes", "stops", "calendar", "shapes", "trips", "stop_times"):
            getattr(feed, table)  # partridge reads lazily: read every table inside the filter
    return feed


def validation_date(scenario: Scenario) -> dt.date:
    """Validate on the feed's first day, so that date rules give the same answer every year."""
    return dt.datetime.strptime(scenario.gtfs.start_date, "%Y%m%d").date()


def without_day_types(scenario: Scenario) -> Scenario:
    service = scenario.service.model_copy(update={"day_types": []})
    return scenario.model_copy(update={"service": service})


def without_track(scenario: Scenario) -> Scenario:
    """Only the stations' coordinates: the feed's shapes are straight lines between them."""
    geometry = scenario.line.geometry
    assert geometry is not None
    assert geometry.track
    bare = geometry.model_copy(update={"track": []})
    return scenario.model_copy(update={"line": scenario.line.model_copy(update={"geometry": bare})})


VARIANTS = {
    "astana": lambda s: s,
    "no_day_types": without_day_types,
    "straight": lambda s: without_day_types(without_track(s)),
}
"""Scenarios whose feeds must validate: Astana as embedded (weekday + weekend), with the same
service every day, and that with straight-line shapes."""


@functools.cache
def scenario_and_plans(variant: str) -> tuple[Scenario, tuple[DayPlan, ...]]:
    """A variant of Astana and its day plans, computed once per test process."""
    scenario = VARIANTS[variant](load_scenario("astana"))
    return scenario, make_day_plans(scenario)


def few_trips(plans: tuple[DayPlan, ...], n: int = 8) -> pd.DataFrame:
    """The first `n` trips of the first day plan: a small feed, quick to validate."""
    timetable = plans[0].plan.timetable
    first = list(dict.fromkeys(timetable["trip_id"]))[:n]
    return timetable[timetable["trip_id"].isin(first)]
