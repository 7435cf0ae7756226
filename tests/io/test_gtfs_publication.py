"""feed_info's contact from `[gtfs]`, and the stations' Kazakh and Russian names in
translations.txt."""

from __future__ import annotations

import io
import tomllib
import zipfile
from typing import Any

import pytest
from gtfs_support import few_trips, scenario_and_plans

from lrtsim.errors import ScenarioError
from lrtsim.io.gtfs import gtfs_tables, gtfs_zip_bytes
from lrtsim.model.load import embedded_text, scenario_from_dict
from lrtsim.model.schema import Scenario


def astana_data() -> dict[str, Any]:
    return tomllib.loads(embedded_text("astana"))


def with_gtfs(scenario: Scenario, **update: object) -> Scenario:
    return scenario.model_copy(update={"gtfs": scenario.gtfs.model_copy(update=update)})


def test_feed_info_carries_the_contact_and_the_language() -> None:
    scenario, plans = scenario_and_plans("astana")
    assert scenario.gtfs.contact_url
    info = gtfs_tables(scenario, few_trips(plans))["feed_info.txt"]
    assert info["feed_contact_url"].tolist() == [scenario.gtfs.contact_url]
    assert "feed_contact_email" not in info
    assert info["feed_lang"].tolist() == [scenario.gtfs.agency_lang]


@pytest.mark.parametrize(
    ("email", "url", "columns"),
    [
        ("gtfs@example.org", None, {"feed_contact_email"}),
        (None, "https://example.org/feed", {"feed_contact_url"}),
        (
            "gtfs@example.org",
            "https://example.org/feed",
            {"feed_contact_email", "feed_contact_url"},
        ),
        (None, None, set()),
    ],
)
def test_contact_columns_follow_the_scenario(
    email: str | None, url: str | None, columns: set[str]
) -> None:
    scenario, plans = scenario_and_plans("astana")
    edited = with_gtfs(scenario, contact_email=email, contact_url=url)
    info = gtfs_tables(edited, few_trips(plans))["feed_info.txt"]
    assert {c for c in info.columns if c.startswith("feed_contact")} == columns
    if email:
        assert info["feed_contact_email"].tolist() == [email]
    if url:
        assert info["feed_contact_url"].tolist() == [url]


@pytest.mark.parametrize(
    ("key", "value"),
    [("contact_email", "not an address"), ("contact_email", "a@b"), ("contact_url", "cts.gov.kz")],
)
def test_bad_contacts_are_refused_with_their_key_path(key: str, value: str) -> None:
    data = astana_data()
    data["gtfs"][key] = value
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    assert any(p.startswith(f"gtfs.{key}: '{value}'") for p in info.value.problems)


def test_contacts_are_optional() -> None:
    data = astana_data()
    del data["gtfs"]["contact_url"]
    scenario = scenario_from_dict(data)
    assert (scenario.gtfs.contact_email, scenario.gtfs.contact_url) == (None, None)


def test_translations_give_the_kazakh_and_russian_station_names() -> None:
    scenario, plans = scenario_and_plans("astana")
    tables = gtfs_tables(scenario, few_trips(plans))
    stops = tables["stops.txt"]
    translations = tables["translations.txt"]
    assert set(translations["table_name"]) == {"stops"}
    assert set(translations["field_name"]) == {"stop_name"}
    assert list(translations.columns) == [
        "table_name",
        "field_name",
        "language",
        "translation",
        "record_id",
    ]
    for language, field in (("kk", "name_kk"), ("ru", "name_ru")):
        mine = translations[translations["language"] == language].set_index("record_id")
        expected = {
            stop_id: getattr(station, field)
            for stop_id, station in zip(stops["stop_id"], scenario.line.stations, strict=True)
            if getattr(station, field)
        }
        assert mine["translation"].to_dict() == expected
        assert len(expected) == len(scenario.line.stations)  # Astana names every station
    # The names really are Kazakh and Russian: Cyrillic, and the two differ somewhere.
    assert translations["translation"].str.contains("[А-Яа-яӘәҒғҚқҢңӨөҰұҮүҺһІі]").all()
    kk = translations[translations["language"] == "kk"]["translation"].tolist()
    ru = translations[translations["language"] == "ru"]["translation"].tolist()
    assert kk != ru


def test_translations_only_where_a_station_has_them() -> None:
    scenario, plans = scenario_and_plans("astana")
    stations = list(scenario.line.stations)
    stations[0] = stations[0].model_copy(update={"name_ru": None})
    stations[1] = stations[1].model_copy(update={"name_kk": " "})
    partial = scenario.model_copy(
        update={"line": scenario.line.model_copy(update={"stations": stations})}
    )
    translations = gtfs_tables(partial, few_trips(plans))["translations.txt"]
    pairs = set(zip(translations["language"], translations["record_id"], strict=True))
    assert ("ru", stations[0].code) not in pairs
    assert ("kk", stations[1].code) not in pairs
    assert len(translations) == 2 * len(stations) - 2

    bare = [s.model_copy(update={"name_kk": None, "name_ru": None}) for s in stations]
    none = scenario.model_copy(update={"line": scenario.line.model_copy(update={"stations": bare})})
    assert "translations.txt" not in gtfs_tables(none, few_trips(plans))
    with zipfile.ZipFile(io.BytesIO(gtfs_zip_bytes(none, few_trips(plans)))) as archive:
        assert "translations.txt" not in archive.namelist()


def test_astana_toml_sets_the_contact() -> None:
    data = astana_data()
    assert data["gtfs"]["contact_url"].startswith("https://")
    text = embedded_text("astana")
    comment = text[text.index("feed_version") : text.index("contact_url =")]
    assert "ASSUMPTION" in comment
