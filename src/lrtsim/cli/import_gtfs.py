"""`lrtsim import-gtfs`: a scenario from one route of a GTFS feed, compared with its schedule."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from lrtsim.cli.common import JsonFlag, app, compute, emit_json, fail, out, pct
from lrtsim.errors import LrtsimError

if TYPE_CHECKING:
    from lrtsim.calibration.compare import SegmentComparison
    from lrtsim.io.gtfs.calibrated import CalibratedImport
    from lrtsim.io.gtfs.import_scenario import GtfsImport


@app.command("import-gtfs", short_help="A scenario from a GTFS feed, against its schedule.")
def import_gtfs_command(
    feed: Annotated[str, typer.Argument(metavar="FEED", help="A GTFS feed (.zip).")],
    route: Annotated[
        str, typer.Option("--route", metavar="ROUTE_ID", help="route_id of the line to import.")
    ],
    out_file: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="Write the scenario TOML to FILE."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    calibrate: Annotated[
        bool,
        typer.Option(
            "--calibrate",
            help="Fit speed restrictions, dwells, allowance, periods and layover to the feed's "
            "schedule (direction_id 0; direction_id 1 is the held-out check); --out then writes "
            "the calibrated scenario.",
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Build a scenario from one route of a GTFS feed; compare its schedule with lrtsim, or
    calibrate the scenario to it."""
    from lrtsim.calibration.compare import DEFAULT_LOAD, compare_running_times, comparison_total
    from lrtsim.io.atomic import OverwriteError, check_file_target, write_text_atomic
    from lrtsim.io.gtfs.calibrated import calibrate_import
    from lrtsim.io.gtfs.import_scenario import import_gtfs
    from lrtsim.io.payloads import import_payload

    if out_file is not None:
        try:
            check_file_target(out_file, overwrite=force)
        except OverwriteError as exc:
            fail(exc.naming("--force"))
        except LrtsimError as exc:
            fail(exc)

    def work() -> tuple[GtfsImport, tuple[SegmentComparison, ...], CalibratedImport | None]:
        imported = import_gtfs(feed, route)
        rows = compare_running_times(imported.scenario, imported.times.run_s)
        calibrated = calibrate_import(imported) if calibrate else None
        if out_file is not None:
            text = imported.toml if calibrated is None else calibrated.toml
            try:
                write_text_atomic(out_file, text, overwrite=force)
            except OverwriteError as exc:
                raise exc.naming("--force") from None
        return imported, rows, calibrated

    doing = "calibrating it to the schedule" if calibrate else "computing minimum running times"
    imported, rows, calibrated = compute(f"Importing the feed and {doing}…", as_json, work)
    if as_json:
        emit_json(import_payload(imported, rows, DEFAULT_LOAD, out_file, calibrated))
        return
    from rich.table import Table

    total = comparison_total(rows)
    s, p = imported.scenario, imported.pattern
    out.print(
        f"[bold]{escape(s.name)}[/]: route {escape(imported.route_id)} "
        f"({escape(imported.route_name)}), {escape(imported.direction_text)}; "
        f"{len(s.line.stations)} stations, the most common full-length pattern "
        f"({len(p.trip_ids)} of {p.trips_in_direction} trips, shape {escape(p.shape_id)})"
    )
    out.print(
        f"Chainage from {escape(imported.chainage_source)}: {total.distance_m / 1000:.3f} km "
        f"between terminals (shape {imported.shape_length_m / 1000:.3f} km). Vehicle: "
        f"{escape(s.rolling_stock.name)}, load {pct(DEFAULT_LOAD)}."
    )
    table = Table(title="Scheduled (median over trips) vs lrtsim minimum running time")
    for col in ("from", "to", "distance m", "scheduled s", "lrtsim min s", "ratio"):
        table.add_column(col, justify="left" if col in ("from", "to") else "right")

    def cells(r: SegmentComparison) -> list[str]:
        return [
            f"{r.distance_m:,.0f}",
            "—" if r.scheduled_s is None else f"{r.scheduled_s:.0f}",
            f"{r.minimum_s:.1f}",
            "—" if r.ratio is None else f"{r.ratio:.2f}",
        ]

    for r in rows:
        table.add_row(escape(r.from_station), escape(r.to_station), *cells(r))
    table.add_section()
    table.add_row("total", "", *cells(total))
    out.print(table)
    for note in imported.notes:
        out.print(f"note: {escape(note)}")
    if calibrated is not None:
        _print_calibration(calibrated)
    if out_file is not None:
        what = "Scenario" if calibrated is None else "Calibrated scenario"
        out.print(f"{what} written to {escape(str(out_file))}.")


def _print_calibration(calibrated: CalibratedImport) -> None:
    from rich.table import Table

    from lrtsim.model.units import s_to_clock

    report = calibrated.report
    fit, held, service = report.fit, report.held_out, report.service
    table = Table(
        title=f"Calibrated to the schedule: direction {fit.direction} (fitted), allowance "
        f"{fit.allowance_pct:g} % (scenario {fit.requested_allowance_pct:g} %)",
        title_justify="left",
    )
    for col in ("from", "to", "scheduled s", "before s", "calibrated s", "error", "zone km/h"):
        table.add_column(col, justify="left" if col in ("from", "to") else "right")
    for g in fit.segments:
        table.add_row(
            escape(g.from_station),
            escape(g.to_station),
            "—" if g.scheduled_s is None else f"{g.scheduled_s:.0f}",
            f"{g.before_s:.1f}",
            f"{g.calibrated_s:.1f}",
            "—" if g.error_pct is None else f"{g.error_pct:+.2f} %",
            "—" if g.zone_kmh is None else f"{g.zone_kmh:.1f}",
        )
    table.add_section()
    table.add_row(
        "total",
        "",
        f"{fit.scheduled_total_s:.0f}",
        f"{fit.before_total_s:.1f}",
        f"{fit.calibrated_total_s:.1f}",
        f"{fit.end_to_end_error_pct:+.2f} %",
        "",
    )
    out.print(table)
    out.print(
        f"Fitted direction: worst segment {fit.worst_error_pct:.2f} %, end to end "
        f"{fit.end_to_end_error_pct:+.2f} %."
    )
    if held is not None:
        out.print(
            f"Held-out direction {held.direction}: scheduled {held.scheduled_total_s:.0f} s, "
            f"calibrated {held.calibrated_total_s:.1f} s (before {held.before_total_s:.1f} s): "
            f"end to end {held.end_to_end_error_pct:+.2f} %, worst segment "
            f"{held.worst_error_pct:.2f} %."
        )
    if service is not None:
        trips = Table(
            title=f"Service on {service.date} ({escape(service.day_type)}): trips per hour, "
            "up / down",
            title_justify="left",
        )
        for col in ("period", "headway", "feed", "feed, all trips", "plan"):
            trips.add_column(col, justify="left" if col == "period" else "right")
        for p in service.periods:
            trips.add_row(
                p.label,
                f"{p.headway_s / 60:g} min",
                *(f"{a:.2f} / {b:.2f}" for a, b in (
                    p.feed_trips_per_h, p.feed_all_trips_per_h, p.planned_trips_per_h
                )),
            )  # fmt: skip
        out.print(trips)
        out.print(
            f"Trains in service at the peak: feed {service.feed_in_service_peak} (at "
            f"{s_to_clock(service.feed_peak_at_s)}), plan {service.planned_in_service_peak} "
            f"({service.planned_fleet} with spares); layover {service.layover_s:g} s."
        )
    for note in (*calibrated.inputs.notes, *report.notes):
        out.print(f"calibration: {escape(note)}")
