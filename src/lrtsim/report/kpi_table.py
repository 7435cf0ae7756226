"""The report's KPI section: every figure of `metrics.kpis.Kpis` with its unit and a one-line
definition (docs/model.md § 13), and, for a disturbed day, the reference day's value and the
difference.

The reference day's KPIs are computed as the pipeline computes the day's (`metrics.kpis.kpis`
on its four tables, the same capacity and punctuality window), never another way.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from lrtsim.metrics.kpis import Kpis
from lrtsim.report.sections import RunView, Section, Table

if TYPE_CHECKING:
    pass

KPI_DEFINITIONS: tuple[tuple[str, str, str, str], ...] = (
    (
        "punctuality_pct",
        "Punctuality",
        "%",
        "Planned departures (every stop but a trip's last) left within the window around their "
        "time; a departure not made counts late.",
    ),
    (
        "terminal_punctuality_pct",
        "Punctuality at terminals",
        "%",
        "The same, at the first stop of each trip.",
    ),
    (
        "mean_wait_s",
        "Mean wait",
        "s",
        "Platform arrival to the doors of the train boarded (full trains included), over those "
        "who boarded and had a scheduled train.",
    ),
    ("p95_wait_s", "95th-percentile wait", "s", "The same passengers' 95th percentile wait."),
    (
        "scheduled_wait_s",
        "Scheduled wait",
        "s",
        "Their mean wait with every train on time and no capacity limit.",
    ),
    (
        "excess_wait_s",
        "Excess wait",
        "s",
        "Mean wait − scheduled wait over the same passengers (TfL Excess Wait Time).",
    ),
    (
        "headway_cv",
        "Headway adherence cv_h",
        "",
        "SD(actual − scheduled headway) ÷ mean scheduled headway, every station and direction "
        "pooled (TCQSM).",
    ),
    ("headway_los", "Headway adherence LOS", "", "TCQSM band of cv_h, A ≤ 0.21 … F > 0.74."),
    (
        "denied_boarding_pct",
        "Denied boarding",
        "%",
        "Passengers who could not board at least one train (full).",
    ),
    (
        "mean_journey_s",
        "Mean journey time",
        "s",
        "Platform arrival to arrival at the destination, over those who arrived.",
    ),
    (
        "peak_load_factor",
        "Peak load factor",
        "",
        "Highest load on departure from a stop ÷ train capacity at the loading standard.",
    ),
    (
        "energy_kwh",
        "Energy",
        "kWh",
        "Drawn from the line by every run, in service and empty, net of regeneration.",
    ),
    ("train_km", "Train-km", "km", "Kilometres run by all trains, in service and empty."),
    (
        "trains_used",
        "Trains used",
        "trains",
        "Most trains in service at once, each from its first actual stop time to its last.",
    ),
    ("trips_planned", "Trips planned", "trips", "Trips with a planned stop."),
    ("trips_operated", "Trips operated", "trips", "Trips that served at least one stop."),
    (
        "departures_not_served",
        "Departures not served",
        "departures",
        "Planned departures that did not happen (counted late in punctuality).",
    ),
    ("passengers", "Passengers", "passengers", "Every passenger of the day's demand drawn."),
    (
        "passengers_counted",
        "Passengers in the waits",
        "passengers",
        "Boarded, with a scheduled train: the waits are over these.",
    ),
    (
        "not_served",
        "Passengers not served",
        "passengers",
        "Never boarded though a train was scheduled for them.",
    ),
    (
        "unscheduled",
        "Passengers without a train",
        "passengers",
        "Came after the last train for their trip (in no wait).",
    ),
    (
        "delay_passenger_hours",
        "Delay against the reference day",
        "passenger-h",
        "Σ (journey time − reference journey time) over passengers who arrived in both days, net.",
    ),
    (
        "lost_passengers",
        "Lost passengers",
        "passengers",
        "Completed their journey in the reference day but not in this one.",
    ),
)
"""(Kpis field / JSON key, label, unit, one-line definition), in the table's order."""


def format_value(value: object, unit: str) -> str:
    """A KPI's value for the table: "—" when it has none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, str):
        return value or "—"
    if isinstance(value, bool | int):
        return f"{value:,}"
    number = float(value)  # type: ignore[arg-type]
    if unit in ("", "%"):
        return f"{number:.2f}" if unit == "" else f"{number:.1f}"
    return f"{number:,.1f}" if abs(number) < 1000 else f"{number:,.0f}"


def _difference(value: object, other: object, unit: str) -> str:
    if isinstance(value, bool | str) or isinstance(other, bool | str):
        return ""
    if not isinstance(value, int | float) or not isinstance(other, int | float):
        return "—"
    if math.isnan(value) or math.isnan(other):
        return "—"
    delta = value - other
    text = format_value(delta, unit)
    return text if delta < 0 or text == "—" else f"+{text}"


def kpi_table(figures: Kpis, reference: Kpis | None) -> Table:
    """Every KPI with its unit and definition; the reference day's and the difference when
    given."""
    values = figures.as_dict()
    others = None if reference is None else reference.as_dict()
    rows = []
    for key, label, unit, definition in KPI_DEFINITIONS:
        value = values[key]
        row = [label, format_value(value, unit), unit]
        if others is not None:
            row += [format_value(others[key], unit), _difference(value, others[key], unit)]
        rows.append((*row, definition))
    header: tuple[str, ...] = ("KPI", "value", "unit")
    if reference is not None:
        header += ("reference day", "difference")
    header += ("definition",)
    numeric = (False, True, False, *((True, True) if reference is not None else ()), False)
    return Table(
        title="KPIs of the simulated day",
        header=header,
        rows=tuple(rows),
        numeric=numeric,
        note="Definitions and sources: docs/model.md § 13 and the modules of lrtsim.metrics.",
    )


def kpi_section(run: RunView) -> Section:
    """KPIs: every figure of the day, against the reference day when it is disturbed."""
    reference = run.reference_kpis
    early, late = run.day.operations.punctuality_window_s
    text = [f"Punctuality window: {early:+.0f} s to {late:+.0f} s around the planned time."]
    if reference is not None:
        text.append(
            "The reference day is the same day with the same seed and no incidents or control: "
            "the difference is what the disturbance (and its handling) changed."
        )
    return Section(
        key="kpis",
        title="KPIs",
        text=tuple(text),
        tables=(kpi_table(run.kpis, reference),),
    )
