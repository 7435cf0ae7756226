"""Both feeds pass MobilityData's GTFS-Realtime rule set (gtfs-rt-validator) against the
static gtfs.zip with no errors, at several instants of the plain and the disturbed day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from google.transit import gtfs_realtime_pb2 as rt
from gtfs_rt_validator.api import Mode, Request, prepare_feed, resolve_roles, validate
from rt_support import INSTANTS_S, Case, validate_feeds

from lrtsim.io.gtfs_rt import posix_s, trip_updates_feed

RULES = {"E003", "E004", "E011", "E022", "E023", "E025", "E029"}
"""The rules issue 12 names: trip, route, stop ids; increasing times; start time; shapes."""

EXPECTED_WARNINGS = {"W003"}
"""A trip starting within the hour has a TripUpdate and no vehicle on it yet."""


def test_the_feeds_validate_against_the_static_feed(case: Case, tmp_path: Path) -> None:
    feed = prepare_feed(case.zip_path, mode=Mode.MODERN)
    for n, t_s in enumerate(INSTANTS_S):
        checked = validate_feeds(case, feed, t_s, tmp_path / str(n))
        report = checked.report
        assert set(report["summary"]["rulesRun"]) >= RULES
        assert checked.errors == ()
        fired = {notice["code"] for notice in report["notices"]}
        assert fired <= EXPECTED_WARNINGS, report["notices"]
        assert checked.system_errors == []


def test_the_validator_sees_a_trip_not_in_the_static_feed(plain: Case, tmp_path: Path) -> None:
    t_s = INSTANTS_S[1]
    stamp = posix_s(plain.live, t_s)
    msg = rt.FeedMessage.FromString(trip_updates_feed(plain.live, t_s, stamp))
    msg.entity[0].trip_update.trip.trip_id = "not-a-trip"
    path = tmp_path / "tu.pb"
    path.write_bytes(msg.SerializeToString())
    result = validate(
        Request(
            mode=Mode.MODERN,
            gtfs=plain.zip_path,
            inputs=resolve_roles({"tu": str(path)}),
            at=dt.datetime.fromtimestamp(stamp, dt.UTC),
        )
    )
    assert "E003" in result.error_ids()
