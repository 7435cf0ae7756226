"""The published feeds pass the canonical GTFS rules: no error and no warning, and partridge
reads every trip — for Astana as embedded (weekday + weekend), with the same service every day,
and with straight-line shapes (stations' coordinates only).

The canonical validator is gtfs-validator (PyPI; MobilityData's rule set reimplemented in
Python), run through `lrtsim.io.gtfs.validate_gtfs` and also on its own command line here, so
that a wrapper fault cannot hide a notice. gtfs-guru, a second implementation of the same rules,
is asked too when installed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from gtfs_support import (
    VARIANTS,
    few_trips,
    partridge_feed,
    scenario_and_plans,
    validation_date,
)

from lrtsim.errors import LrtsimError
from lrtsim.io.gtfs import gtfs_zip_bytes, validate_gtfs, validator_version, write_gtfs
from lrtsim.model.schema import Scenario


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def published(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Scenario, Path]:
    variant = str(request.param)
    scenario, plans = scenario_and_plans(variant)
    path = tmp_path_factory.mktemp(variant) / "gtfs.zip"
    write_gtfs(path, scenario, plans)
    return variant, scenario, path


def test_validate_gtfs_finds_no_error_and_no_warning(published: tuple[str, Scenario, Path]) -> None:
    _, scenario, path = published
    assert validate_gtfs(path, on=validation_date(scenario)) == []


def test_the_validator_command_line_reports_no_notice_above_info(tmp_path: Path) -> None:
    """Astana's feed, checked by gtfs-validator's own command line (as a publisher would run
    it) and read from its report.json."""
    scenario, plans = scenario_and_plans("astana")
    path = tmp_path / "gtfs.zip"
    write_gtfs(path, scenario, plans)
    day = validation_date(scenario).isoformat()
    command = [sys.executable, "-m", "gtfs_validator.cli", "-i", str(path), "-o", str(tmp_path)]
    done = subprocess.run([*command, "-d", day], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    system = json.loads((tmp_path / "system_errors.json").read_text())
    assert system["notices"] == []
    severe = [n for n in report["notices"] if n["severity"] in ("ERROR", "WARNING")]
    assert severe == []
    # The validator read the whole feed.
    assert report["summary"]["counts"]["Trips"] == sum(p.plan.trips for p in plans)
    assert report["summary"]["counts"]["Stops"] == len(scenario.line.stations)


def test_partridge_reads_every_trip(published: tuple[str, Scenario, Path]) -> None:
    variant, _, path = published
    _, plans = scenario_and_plans(variant)
    feed = partridge_feed(path)
    assert len(feed.trips) == sum(p.plan.trips for p in plans)
    assert len(feed.stop_times) == sum(len(p.plan.timetable) for p in plans)
    assert set(feed.calendar["service_id"]) == {p.day_type for p in plans}


def test_gtfs_guru_agrees(published: tuple[str, Scenario, Path]) -> None:
    import gtfs_guru  # a dev dependency: missing is a failure, not a skip

    _, scenario, path = published
    result = gtfs_guru.validate(str(path), date=validation_date(scenario).isoformat())
    found = [(n.code, n.severity) for n in result.notices if n.severity != "INFO"]
    assert (result.error_count, result.warning_count) == (0, 0), found


def test_a_feed_without_a_contact_draws_the_warning(tmp_path: Path) -> None:
    """Warnings count: without gtfs.contact_url the validators' one warning of old comes back."""
    scenario, plans = scenario_and_plans("no_day_types")
    bare = scenario.model_copy(
        update={"gtfs": scenario.gtfs.model_copy(update={"contact_url": None})}
    )
    path = tmp_path / "gtfs.zip"
    path.write_bytes(gtfs_zip_bytes(bare, few_trips(plans)))
    problems = validate_gtfs(path, on=validation_date(bare))
    assert [kind for kind, _ in problems] == ["warning"]
    assert problems[0][1].startswith("missing_feed_contact_email_and_url")


def test_date_rules_use_the_validation_date(tmp_path: Path) -> None:
    """Validated a year after it ends, the same feed has expired: a warning."""
    scenario, plans = scenario_and_plans("no_day_types")
    path = tmp_path / "gtfs.zip"
    write_gtfs(path, scenario, few_trips(plans))
    later = validation_date(scenario).replace(year=validation_date(scenario).year + 2)
    codes = [message.split(" ")[0] for kind, message in validate_gtfs(path, on=later)]
    assert "expired_calendar" in codes


def test_the_validator_reads_the_translations(tmp_path: Path) -> None:
    """The validator does read translations.txt: one naming an unknown stop is an error."""
    scenario, plans = scenario_and_plans("no_day_types")
    good = tmp_path / "good.zip"
    write_gtfs(good, scenario, few_trips(plans))
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for name in src.namelist():
            text = src.read(name).decode("utf-8")
            if name == "translations.txt":
                text = text.replace(",kk,Әуежай,101", ",kk,Әуежай,999")
            dst.writestr(name, text)
    problems = validate_gtfs(bad, on=validation_date(scenario))
    assert any(
        kind == "error" and m.startswith("translation_foreign_key_violation")
        for kind, m in problems
    ), problems


def test_validator_missing_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario, plans = scenario_and_plans("no_day_types")
    path = tmp_path / "gtfs.zip"
    write_gtfs(path, scenario, few_trips(plans))
    monkeypatch.setitem(sys.modules, "gtfs_validator.cli", None)
    monkeypatch.setitem(sys.modules, "gtfs_validator", None)
    with pytest.raises(LrtsimError, match=r"needs the gtfs-validator package: pip install"):
        validate_gtfs(path)
    with pytest.raises(LrtsimError, match="gtfs-validator"):
        validator_version()


def test_validator_version_names_it() -> None:
    name, version = validator_version().split(" ")
    assert name == "gtfs-validator"
    assert tuple(int(x) for x in version.split(".")[:2]) >= (0, 1)
