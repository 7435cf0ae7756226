"""`calibrate`, the one entry point: fit, service settings, held-out check, service comparison."""

from __future__ import annotations

import pytest
from calibration_support import TRUE_ZONES_KMH, bare, schedule_of, truth

from lrtsim.calibration.calibrate import calibrate
from lrtsim.calibration.feed_service import FeedService, ServiceTrip
from lrtsim.errors import LrtsimError
from lrtsim.model.schema import clock_to_s
from lrtsim.report.calibration_tables import markdown, short_name


def _feed() -> FeedService:
    """Up and down every 15 min from 07:00, one block per departure pair, 1 h round trips."""
    trips = []
    for k in range(40):
        t = clock_to_s("07:00") + 900.0 * k
        trips.append(ServiceTrip(f"u{k}", "up", f"B{k % 5}", t, t + 600.0, True))
        trips.append(ServiceTrip(f"d{k}", "down", f"B{k % 5}", t + 900.0, t + 1500.0, True))
    return FeedService("20240102", tuple(trips))  # a Tuesday


def test_calibrate_fits_checks_and_plans() -> None:
    start = bare(3.0, start="06:00", end="23:00")
    report = calibrate(start, schedule_of(truth(3.0)), schedule_of(truth(3.0), "down"), _feed())
    assert {z.segment for z in report.fit.zones} == set(TRUE_ZONES_KMH)
    assert report.scenario.line.speed_limits == report.fit.scenario.line.speed_limits
    assert [p.max_headway_s for p in report.scenario.service.periods] == [900.0]
    assert report.held_out is not None
    assert abs(report.held_out.end_to_end_error_pct) <= 0.1
    assert report.service is not None
    only = report.service.periods[0]
    assert only.planned_trips_per_h[0] == only.feed_trips_per_h[0]
    assert only.planned_trips_per_h[1] == pytest.approx(only.feed_trips_per_h[1], rel=0.05)
    assert only.feed_trips_per_h[0] * (only.to_s - only.from_s) / 3600 == pytest.approx(40)
    assert report.notes[: len(report.fit.notes)] == report.fit.notes
    assert any("service periods" in n for n in report.notes)


def test_calibrate_without_the_other_checks() -> None:
    report = calibrate(bare(0.0), schedule_of(truth(0.0)))
    assert report.held_out is None
    assert report.service is None
    assert report.scenario == report.fit.scenario


def test_the_directions_are_checked() -> None:
    down = schedule_of(truth(0.0), "down")
    with pytest.raises(LrtsimError, match="must be direction up"):
        calibrate(bare(0.0), down)
    with pytest.raises(LrtsimError, match="other direction"):
        calibrate(bare(0.0), schedule_of(truth(0.0)), schedule_of(truth(0.0)))


def test_the_report_as_markdown_has_a_row_per_segment() -> None:
    report = calibrate(
        bare(3.0, start="06:00", end="23:00"),
        schedule_of(truth(3.0)),
        schedule_of(truth(3.0), "down"),
        _feed(),
    )
    text = markdown(report, ("a note from the reader",))
    rows = [r for r in text.splitlines() if r.startswith("| ") and not r.startswith("| ---")]
    n = len(report.fit.segments)
    # Fitted and held-out: header + one row a segment + total; service: header + one period;
    # trains: header + peak + two terminals.
    assert len(rows) == 2 * (n + 2) + 2 + 4
    assert f"| 1 | S0 → S1 | 350 | {report.fit.segments[0].scheduled_s:,.0f} |" in text
    assert "**total**" in text
    assert text.rstrip().endswith("- a note from the reader")


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("PSU South/SW 6th & College MAX Stn", "PSU South"),
        ("SW 6th & Madison MAX Station", "SW 6th & Madison"),
        ("Hauptbahnhof", "Hauptbahnhof"),
        ("Main St Stop", "Main St"),
    ],
)
def test_short_names(name: str, short: str) -> None:
    assert short_name(name) == short
