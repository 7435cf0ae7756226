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
    as_json: JsonFlag = False,
) -> None:
    """Build a scenario from one route of a GTFS feed; compare its schedule with lrtsim."""
    from lrtsim.calibration.compare import DEFAULT_LOAD, compare_running_times, comparison_total
    from lrtsim.io.atomic import OverwriteError, check_file_target, write_text_atomic
    from lrtsim.io.gtfs.import_scenario import import_gtfs
    from lrtsim.io.payloads import import_payload

    if out_file is not None:
        try:
            check_file_target(out_file, overwrite=force)
        except OverwriteError as exc:
            fail(exc.naming("--force"))
        except LrtsimError as exc:
            fail(exc)

    def work() -> tuple[GtfsImport, tuple[SegmentComparison, ...]]:
        imported = import_gtfs(feed, route)
        rows = compare_running_times(imported.scenario, imported.times.run_s)
        if out_file is not None:
            try:
                write_text_atomic(out_file, imported.toml, overwrite=force)
            except OverwriteError as exc:
                raise exc.naming("--force") from None
        return imported, rows

    imported, rows = compute(
        "Importing the feed and computing minimum running times…", as_json, work
    )
    if as_json:
        emit_json(import_payload(imported, rows, DEFAULT_LOAD, out_file))
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
    if out_file is not None:
        out.print(f"Scenario written to {escape(str(out_file))}.")
