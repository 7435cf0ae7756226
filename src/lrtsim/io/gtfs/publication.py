"""The feed's fixed tables from the scenario: agency, routes, stops, feed_info, translations.

- `agency.txt`, `routes.txt` (route_type 0: tram, streetcar, light rail) and `feed_info.txt`
  come from `[gtfs]`; feed_info carries `feed_lang` (= `agency_lang`) and, when given,
  `feed_contact_email` / `feed_contact_url` (`gtfs.contact_email`, `gtfs.contact_url`);
- `stops.txt`: one stop per station at its `line.geometry.stations` coordinates; stop_id is the
  station's `code`, else a slug of its name (`model.names.stop_ids`);
- `translations.txt`: the stations' `name_kk` and `name_ru` as translations of `stop_name`
  (table_name `stops`, language `kk` / `ru`, record_id the stop_id); written only when some
  station has one.
"""

from __future__ import annotations

import pandas as pd

from lrtsim.io.gtfs.geometry import COORD_DECIMALS, station_xy
from lrtsim.model.checks import check_publication
from lrtsim.model.names import slug
from lrtsim.model.schema import Scenario

ROUTE_TYPE_LIGHT_RAIL = 0
"""GTFS route_type 0: tram, streetcar, light rail (any light-rail or street-level system)."""

TRANSLATED_NAMES = (("name_kk", "kk"), ("name_ru", "ru"))
"""Station fields translated in translations.txt, with their ISO 639-1 language."""


def dates_problem(scenario: Scenario) -> str | None:
    """Why `gtfs.start_date`/`gtfs.end_date` cannot be the feed's validity; None if they can
    (the scenario's own rule, `model.checks.check_publication`)."""
    found = [
        f"{path}: {message}"
        for path, message in check_publication(scenario.gtfs)
        if path in ("gtfs.start_date", "gtfs.end_date")
    ]
    return "; ".join(found) or None


def agency_id(scenario: Scenario) -> str:
    return slug(scenario.gtfs.agency_name) or "agency"


def agency_table(scenario: Scenario) -> pd.DataFrame:
    pub = scenario.gtfs
    return pd.DataFrame(
        {
            "agency_id": [agency_id(scenario)],
            "agency_name": [pub.agency_name],
            "agency_url": [pub.agency_url],
            "agency_timezone": [pub.agency_timezone],
            "agency_lang": [pub.agency_lang],
        }
    )


def routes_table(scenario: Scenario) -> pd.DataFrame:
    pub = scenario.gtfs
    return pd.DataFrame(
        {
            "route_id": [pub.route_id],
            "agency_id": [agency_id(scenario)],
            "route_short_name": [pub.route_short_name],
            "route_long_name": [pub.route_long_name or scenario.line.name],
            "route_type": [ROUTE_TYPE_LIGHT_RAIL],
            "route_color": [pub.route_color.upper()],
            "route_text_color": [pub.route_text_color.upper()],
        }
    )


def stops_table(scenario: Scenario, ids: list[str]) -> pd.DataFrame:
    xy = station_xy(scenario)
    return pd.DataFrame(
        {
            "stop_id": ids,
            "stop_code": [s.code or "" for s in scenario.line.stations],
            "stop_name": [s.name for s in scenario.line.stations],
            "stop_lat": xy[:, 1].round(COORD_DECIMALS),
            "stop_lon": xy[:, 0].round(COORD_DECIMALS),
            "location_type": 0,
        }
    )


def translations_table(scenario: Scenario, ids: list[str]) -> pd.DataFrame | None:
    """The stations' Kazakh and Russian names as translations of stop_name; None if none."""
    rows = [
        {
            "table_name": "stops",
            "field_name": "stop_name",
            "language": language,
            "translation": text.strip(),
            "record_id": ids[i],
        }
        for language_field, language in TRANSLATED_NAMES
        for i, station in enumerate(scenario.line.stations)
        if (text := getattr(station, language_field)) and text.strip()
    ]
    return pd.DataFrame(rows) if rows else None


def feed_info_table(scenario: Scenario) -> pd.DataFrame:
    pub = scenario.gtfs
    info = {
        "feed_publisher_name": [pub.agency_name],
        "feed_publisher_url": [pub.agency_url],
        "feed_lang": [pub.agency_lang],
        "feed_start_date": [pub.start_date],
        "feed_end_date": [pub.end_date],
        "feed_version": [pub.feed_version],
    }
    if pub.contact_email:
        info["feed_contact_email"] = [pub.contact_email]
    if pub.contact_url:
        info["feed_contact_url"] = [pub.contact_url]
    return pd.DataFrame(info)
