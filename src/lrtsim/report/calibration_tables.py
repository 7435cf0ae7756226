"""A calibration report as Markdown tables (docs/validation.md is made of these).

Station names are shortened for the tables (`short_name`); the scenario keeps them whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lrtsim.calibration.calibrate import CalibrationReport
from lrtsim.calibration.fit import TOLERANCE_PCT, Fit
from lrtsim.calibration.held_out import HeldOutCheck
from lrtsim.calibration.service_check import ServiceComparison
from lrtsim.calibration.spans import CheckedSpan
from lrtsim.calibration.totals import SegmentTotals
from lrtsim.model.units import s_to_clock

_SUFFIX = re.compile(r"(\s+[A-Z]{2,})?\s+(Station|Stn|Stop)$")


def short_name(name: str) -> str:
    """A station name for a table: up to its first '/', else without a trailing 'Station',
    'Stn' or 'Stop' (and a line's brand in capitals before it)."""
    head = name.split("/", 1)[0].strip()
    return head if head != name else _SUFFIX.sub("", name)


def _table(header: Sequence[str], align: str, rows: Sequence[Sequence[str]]) -> str:
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _s(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def _zone(kmh: float | None) -> str:
    return _s(kmh, 2) if kmh is not None else "none"


def _segment_rows(result: SegmentTotals) -> tuple[tuple[str, ...], str, list[list[str]]]:
    """Header, alignment and rows of a direction per segment and in total (`_table`'s arguments)."""
    rows = [
        [
            str(i + 1),
            f"{short_name(g.from_station)} → {short_name(g.to_station)}",
            f"{g.distance_m:,.0f}",
            _s(g.scheduled_s, 0),
            _s(g.before_s),
            _s(g.calibrated_s),
            _pct(g.error_pct),
        ]
        for i, g in enumerate(result.segments)
    ]
    rows.append(
        [
            "",
            "**total**",
            f"**{sum(g.distance_m for g in result.segments):,.0f}**",
            f"**{result.scheduled_total_s:,.0f}**",
            f"**{result.before_total_s:,.1f}**",
            f"**{result.calibrated_total_s:,.1f}**",
            f"**{result.end_to_end_error_pct:+.2f}**",
        ]
    )
    header = ("#", "from → to", "distance m", "scheduled s", "before s", "calibrated s", "error %")
    return header, "llrrrrr", rows


def _fitted_rows(fit: Fit) -> tuple[tuple[str, ...], str, list[list[str]]]:
    """`_segment_rows` with the zone fitted on each segment."""
    header, align, rows = _segment_rows(fit)
    zones = [_zone(g.zone_kmh) for g in fit.segments] + [""]
    return (*header, "zone km/h"), align + "r", [[*r, z] for r, z in zip(rows, zones, strict=True)]


def fitted_table(fit: Fit) -> str:
    """The fitted direction per segment and in total, with the zone fitted on each segment."""
    return _table(*_fitted_rows(fit))


def held_out_table(check: HeldOutCheck) -> str:
    """The held-out direction per segment and in total."""
    return _table(*_segment_rows(check))


def spans_table(spans: Sequence[CheckedSpan]) -> str:
    """Running times from timepoint to timepoint."""
    rows = [
        [
            f"{short_name(p.from_station)} → {short_name(p.to_station)}",
            str(p.segments),
            _s(p.scheduled_s, 0),
            _s(p.calibrated_s),
            _pct(p.error_pct),
        ]
        for p in spans
    ]
    header = ("timepoint → timepoint", "segments", "scheduled s", "calibrated s", "error %")
    return _table(header, "lrrrr", rows)


def service_table(service: ServiceComparison) -> str:
    """Trips per hour by period, feed against plan, and the trains in service at the peak."""

    def pair(values: tuple[float, float]) -> str:
        return f"{values[0]:.2f} / {values[1]:.2f}"

    rows = [
        [
            p.label,
            f"{p.headway_s:,.0f}",
            pair(p.feed_trips_per_h),
            pair(p.feed_all_trips_per_h),
            pair(p.planned_trips_per_h),
        ]
        for p in service.periods
    ]
    header = (
        "period", "headway s", "feed, full-length trips/h (up / down)",
        "feed, all trips/h (up / down)", "planned trips/h (up / down)",
    )  # fmt: skip
    periods = _table(header, "lrrrr", rows)
    trains = _table(
        ("trains in service at the peak", "feed", "planner"),
        "lrr",
        [
            [
                "most at once",
                f"{service.feed_in_service_peak} (at {s_to_clock(service.feed_peak_at_s)})",
                f"{service.planned_in_service_peak} (fleet with spares: {service.planned_fleet})",
            ],
            *[
                [
                    f"layover at {short_name(t.terminal)}",
                    f"least {t.least_s:,.0f} s, median {t.median_s:,.0f} s ({t.count} turns)",
                    f"at least {service.layover_s:,.0f} s",
                ]
                for t in service.layovers
            ],
        ],
    )
    return periods + "\n\n" + trains


_KEPT_COLUMNS = (0, 1, 3, 5, 6, 7)
"""The columns of `_fitted_rows` a kept fit shows: #, from → to, scheduled, calibrated, error
and zone."""


def kept_table(kept: Fit) -> str:
    """A fit that kept the scenario's allowance: the segments it leaves off their schedule."""
    header, align, rows = _fitted_rows(kept)
    *segments, total = rows
    off = [
        r
        for r, g in zip(segments, kept.segments, strict=True)
        if abs(g.error_pct or 0.0) > TOLERANCE_PCT
    ]
    shown = [*off, [total[0], "**total, all segments**", *total[2:]]]
    return _table(
        [header[c] for c in _KEPT_COLUMNS],
        "".join(align[c] for c in _KEPT_COLUMNS),
        [[r[c] for c in _KEPT_COLUMNS] for r in shown],
    )


def markdown(
    report: CalibrationReport, more_notes: Sequence[str] = (), kept: Fit | None = None
) -> str:
    """Every table of a report, each under a bold title, with its notes and `more_notes` (what
    reading the schedule found, say) at the end; `kept`, a fit that kept the scenario's
    allowance, adds the segments it misses."""
    fit = report.fit
    parts = [
        f"**Fitted direction ({fit.direction})**, allowance {fit.allowance_pct:g} % "
        f"(scenario: {fit.requested_allowance_pct:g} %):",
        fitted_table(fit),
    ]
    if kept is not None:
        parts += [
            f"**Fitted direction with the scenario's {kept.allowance_pct:g} % allowance kept**: "
            f"the segments more than {TOLERANCE_PCT:g} % off their schedule:",
            kept_table(kept),
        ]
    if fit.spans:
        parts += ["**Fitted direction, timepoint to timepoint:**", spans_table(fit.spans)]
    if report.held_out is not None:
        check = report.held_out
        parts += [f"**Held-out direction ({check.direction}):**", held_out_table(check)]
        if check.scheduled_dwell_s is not None:
            scheduled = check.scheduled_total_s + check.scheduled_dwell_s
            calibrated = check.calibrated_total_s + check.calibrated_dwell_s
            parts += [
                f"Dwells at the intermediate stations: {check.scheduled_dwell_s:,.0f} s scheduled "
                f"in this direction, {check.calibrated_dwell_s:,.0f} s in the calibrated scenario "
                f"(the fitted direction's); terminal to terminal with them, {scheduled:,.0f} s "
                f"scheduled and {calibrated:,.1f} s calibrated "
                f"({100 * (calibrated - scheduled) / scheduled:+.2f} %)."
            ]
        if check.spans:
            parts += ["**Held-out direction, timepoint to timepoint:**", spans_table(check.spans)]
    if report.service is not None:
        day = report.service.date
        when = f"{day[:4]}-{day[4:6]}-{day[6:]}" if len(day) == 8 else "every trip"
        parts += [f"**Service on {when}** (plan: day type `{report.service.day_type}`):"]
        parts += [service_table(report.service)]
    parts += ["**Notes:**", "\n".join(f"- {n}" for n in (*report.notes, *more_notes))]
    return "\n\n".join(parts) + "\n"
