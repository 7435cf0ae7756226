"""`lrtsim capacity`: minimum headways, the bottleneck, the line's capacity, UIC 406 occupancy."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from lrtsim.cli.common import (
    JsonFlag,
    ScenarioArg,
    app,
    compute,
    emit_json,
    fail,
    load,
    out,
    pct,
    within,
)
from lrtsim.errors import ArgumentError, LrtsimError

if TYPE_CHECKING:
    from rich.table import Table

    from lrtsim.capacity.analysis import HeadwayAnalysis
    from lrtsim.capacity.uic406 import Occupancy
    from lrtsim.model.direction import Direction


@app.command("capacity", short_help="Minimum headways, bottleneck and line capacity.")
def capacity(
    ref: ScenarioArg = "astana",
    dwell_s: Annotated[
        float | None,
        typer.Option(
            "--dwell-s",
            callback=within(0.0, 3600.0),
            show_default="as in the scenario",
            help="Dwell at every station, s (0 to 3600).",
        ),
    ] = None,
    as_json: JsonFlag = False,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            metavar="FILE",
            help="Write the blocking-time diagram of two trains to FILE (.png, .svg, .pdf, "
            ".jpg, …: the format its extension names).",
        ),
    ] = None,
    occupancy_headway_s: Annotated[
        float | None,
        typer.Option(
            "--occupancy-headway-s",
            callback=within(1.0, 3600.0),
            help="Also give the UIC 406 occupancy of each interstation for trains this many "
            "seconds apart (1 to 3600) over one hour.",
        ),
    ] = None,
) -> None:
    """Minimum headways (stations, line, terminals), the bottleneck and the line capacity."""
    from lrtsim.capacity.analysis import analyse, regular_service_occupancy

    scenario = load(ref)
    if plot is not None:
        from lrtsim.io.atomic import check_file_target
        from lrtsim.report.figures import figure_format

        try:
            check_file_target(plot)
            figure_format(plot)
        except LrtsimError as exc:
            fail(exc)

    def work() -> tuple[HeadwayAnalysis, dict[Direction, list[Occupancy]] | None]:
        try:
            analysis = analyse(scenario, dwell_s=dwell_s)
        except ArgumentError as exc:  # the library names its parameter; we name our option
            if exc.argument != "dwell_s":
                raise
            raise LrtsimError(f"--dwell-s {exc.problem}") from None
        occupancy = None
        if occupancy_headway_s is not None:
            occupancy = regular_service_occupancy(analysis, occupancy_headway_s)
        if plot is not None:
            from lrtsim.report.capacity_plot import plot_headway

            plot_headway(analysis, plot)
        return analysis, occupancy

    a, occupancy = compute("Computing headways…", as_json, work)
    if as_json:
        from lrtsim.io.payloads import capacity_payload

        payload = capacity_payload(a, occupancy, occupancy_headway_s)
        if plot is not None:
            payload["plot"] = str(plot)
        emit_json(payload)
        return
    from rich.table import Table

    out.print(
        f"[bold]{escape(a.scenario)}[/]: {a.signalling.replace('_', ' ')}, trains at full "
        f"planning load, dwell {'as in the scenario' if dwell_s is None else f'{dwell_s:g} s'}"
    )
    out.print(_station_table(a))
    lines = Table(title="Open line (worst point between stations)", title_justify="left")
    for col in ("between", "dir", "headway s"):
        lines.add_column(col, justify="left" if col != "headway s" else "right")
    for d in a.directions:
        for h in sorted(d.lines, key=lambda h: -h.min_headway_s)[:3]:
            lines.add_row(escape(h.where), d.direction, f"{h.min_headway_s:.1f}")
    out.print(lines)
    terms = Table(title="Terminals", title_justify="left")
    for col in ("terminal", "turnback", "headway s", "binding resource", "occupation s"):
        terms.add_column(col, justify="right" if col == "headway s" else "left")
    for t in a.terminals:
        occ = ", ".join(f"{r.name.replace('_', ' ')} {r.occupation_s:.0f}" for r in t.resources)
        terms.add_row(
            escape(t.name),
            t.kind.replace("_", " "),
            f"{t.min_headway_s:.1f}",
            t.binding.name.replace("_", " "),
            occ,
        )
    out.print(terms)
    for t in a.terminals:
        for c in t.conflicts:
            out.print(f"  {escape(t.name)}: {escape(c)}")
    b = a.bottleneck
    stock = scenario.rolling_stock
    out.print(
        f"Line minimum headway [bold]{a.line_min_headway_s:.1f} s[/] — bottleneck: "
        f"{escape(b.where)} ({b.kind}, {b.direction}) → [bold]{a.trains_per_hour:.1f}[/] trains/h "
        f"per direction; {a.passengers_per_hour_per_direction:,.0f} passengers/h/direction at "
        f"{scenario.service.loading_standard_pax_per_m2:g} pax/m² "
        f"({a.passengers_per_train_standard:.0f} a train), "
        f"{a.crush_passengers_per_hour_per_direction:,.0f} at crush load "
        f"({stock.crush_standing_pax_per_m2:g} pax/m², {a.passengers_per_train_crush:.0f} a train)."
    )
    if occupancy is not None and occupancy_headway_s is not None:
        out.print(_occupancy_table(occupancy, occupancy_headway_s))
        direction, busiest = max(
            ((direction, o) for direction, items in occupancy.items() for o in items),
            key=lambda item: item[1].share,
        )
        out.print(
            f"Highest occupancy {pct(busiest.share)} on {escape(busiest.section)} ({direction}); "
            f"UIC 406 recommends at most {pct(0.85)} in the peak hour for a dedicated suburban "
            "line."
        )
    if plot is not None:
        out.print(f"Plot written to {escape(str(plot))}.")


def _station_table(a: HeadwayAnalysis) -> Table:
    from rich.table import Table

    table = Table(title="Minimum headway at each station", title_justify="left")
    for col in ("station", "dir", "headway s", "approach", "dwell", "clearing", "other"):
        table.add_column(col, justify="left" if col in ("station", "dir") else "right")
    for d in a.directions:
        for h in d.stations:
            c = h.components()
            main = [c.pop("approach", 0.0), c.pop("dwell", 0.0), c.pop("clearing", 0.0)]
            other = ", ".join(f"{k.replace('_', ' ')} {v:.0f}" for k, v in c.items())
            table.add_row(
                escape(h.where),
                d.direction,
                f"{h.min_headway_s:.1f}",
                *(f"{v:.1f}" for v in main),
                other,
            )
    return table


def _occupancy_table(occupancy: dict[Direction, list[Occupancy]], headway_s: float) -> Table:
    from rich.table import Table

    table = Table(
        title=f"UIC 406 occupancy, a train every {headway_s:g} s for an hour",
        title_justify="left",
    )
    for col in ("interstation", "dir", "trains", "occupied s", "occupancy"):
        table.add_column(col, justify="left" if col in ("interstation", "dir") else "right")
    for direction, items in occupancy.items():
        for o in items:
            table.add_row(
                escape(o.section), direction, str(o.trips), f"{o.occupation_s:.0f}", pct(o.share)
            )
    return table
