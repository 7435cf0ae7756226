"""The report's first section: what was run (line, signalling, rolling stock, service, demand,
seed, incidents, control) and the headline figures a client asks for first.

Every figure is read from the run's own objects, with the fields the `plan`, `capacity` and
`simulate` commands print, so that the report and the command line never disagree.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from lrtsim.model.schema import WEEKDAYS
from lrtsim.model.units import s_to_clock
from lrtsim.planning.day_types import EVERY_DAY, design_day_label
from lrtsim.report.period_loads import busiest_hour, hour_span, load_rule_text
from lrtsim.report.sections import Section, Table

if TYPE_CHECKING:
    from lrtsim.model.schema import Control, Incident, Operations, Scenario
    from lrtsim.planning.day_types import DayPlan
    from lrtsim.report.sections import RunView

SIGNALLING_NAMES = {"moving_block": "CBTC moving block", "fixed_block": "fixed block"}
"""How each `signalling.kind` is named to a reader."""


def summary_section(run: RunView) -> Section:
    """The "Scenario summary" section: an introduction, the headline figures, then the line,
    the service and the run's conditions."""
    return Section(
        key="summary",
        title="Scenario summary",
        text=_introduction(run),
        tables=(
            headline_table(run),
            line_table(run.scenario),
            service_table(run),
            periods_table(run.design),
            conditions_table(run),
        ),
    )


def headline_table(run: RunView) -> Table:
    """Fleet, peak headway, line capacity and its bottleneck, punctuality, waits, denied
    boarding, energy and (on a disturbed day) the delay against the reference day."""
    plan, k, a = run.design.plan, run.kpis, run.headways
    c = plan.circulation
    spare_ratio = run.scenario.service.spare_ratio
    peak_s = min(p.headway_s for p in plan.periods)
    peak_periods = ", ".join(_span(p.from_s, p.to_s) for p in plan.periods if p.headway_s == peak_s)
    b = a.bottleneck
    early_s, late_s = run.day.operations.punctuality_window_s
    per_km = k.energy_kwh / k.train_km if k.train_km > 0 else math.nan
    stock = run.scenario.rolling_stock
    standard = run.scenario.service.loading_standard_pax_per_m2
    rows = [
        (
            "Fleet required",
            f"{c.fleet_required} trains",
            f"{c.in_service_peak} in service at the peak + {c.spares} spare "
            f"({_pct(spare_ratio)} of the peak, rounded up)",
        ),
        (
            "Peak headway",
            _duration(peak_s),
            f"{run.design.day_type}: {peak_periods}",
        ),
        (
            "Line capacity",
            f"{a.trains_per_hour:.1f} trains/h/direction",
            f"minimum headway {a.line_min_headway_s:.1f} s; bottleneck {b.where} "
            f"({b.kind}, {b.direction})",
        ),
        (
            "Passenger capacity",
            f"{a.passengers_per_hour_per_direction:,.0f} pax/h/direction",
            f"at {standard:g} pax/m² ({a.passengers_per_train_standard:.0f} a train); "
            f"{a.crush_passengers_per_hour_per_direction:,.0f} at crush load "
            f"({stock.crush_standing_pax_per_m2:g} pax/m², "
            f"{a.passengers_per_train_crush:.0f} a train)",
        ),
        (
            "Punctuality",
            _number(k.punctuality_pct, 1, "%"),
            f"planned departures {early_s:+g} to {late_s:+g} s of schedule, every stop "
            "but a trip's last",
        ),
        (
            "Excess wait",
            _number(k.excess_wait_s, 1, "s"),
            f"mean wait {_duration(k.mean_wait_s)} against {_duration(k.scheduled_wait_s)} "
            "scheduled",
        ),
        (
            "Denied boarding",
            _number(k.denied_boarding_pct, 2, "%"),
            "of passengers left behind by a full train at least once",
        ),
        (
            "Energy",
            _number(k.energy_kwh, 0, "kWh/day"),
            f"from the line, net of regeneration; {_number(per_km, 2, 'kWh')} a train-km over "
            f"{k.train_km:,.0f} train-km",
        ),
    ]
    if k.delay_passenger_hours is not None:
        rows.append(
            (
                "Cost of the disturbance",
                f"{k.delay_passenger_hours:,.1f} passenger-hours",
                "of delay against the same day without incidents or control; "
                f"{k.lost_passengers or 0:,} passengers did not complete their journey",
            )
        )
    return Table(
        title="Headline",
        header=("figure", "value", "basis"),
        rows=tuple(rows),
        numeric=(False, True, False),
        note=f"The simulated {service_day(run.design.day_type)}, seed {run.seed}.",
    )


def line_table(scenario: Scenario) -> Table:
    """The line (length, stations, depot, top speed), its signalling and its rolling stock."""
    line, stock, sig = scenario.line, scenario.rolling_stock, scenario.signalling
    first, last = line.stations[0], line.stations[-1]
    length_km = abs(last.km - first.km)
    spacing_km = length_km / (len(line.stations) - 1)
    depot = "none (trains start and end at the first station's sidings)"
    if line.depot is not None:
        d = line.depot
        depot = (
            f"{d.name}: joins the line at km {d.km:.3f}, {d.access_m / 1000:.1f} km link run in "
            f"{_duration(d.access_time_s)}"
        )
    signalling = (
        f"{SIGNALLING_NAMES[sig.kind]}: safety margin {sig.safety_margin_m:g} m, reaction "
        f"{sig.reaction_time_s:g} s, operating margin {sig.operating_margin_s:g} s"
    )
    if sig.kind == "fixed_block":
        signalling += f", blocks of at most {sig.block_length_m:g} m"
    standard = scenario.service.loading_standard_pax_per_m2
    crush = stock.crush_standing_pax_per_m2
    rows = (
        ("Line", line.name),
        ("Length", f"{length_km:.2f} km, {first.name} to {last.name} (between end stations)"),
        ("Stations", f"{len(line.stations)}, on average {spacing_km:.2f} km apart"),
        ("Depot", depot),
        ("Line speed", f"{line.max_speed_kmh:g} km/h at most; lower on curves and restrictions"),
        ("Signalling", signalling),
        ("Rolling stock", stock.name),
        ("Train length", f"{stock.length_m:g} m"),
        (
            "Train capacity",
            f"{stock.capacity_at(standard):.0f} passengers at the {standard:g} pax/m² loading "
            f"standard ({stock.seats} seated); {stock.capacity_at(crush):.0f} at crush load "
            f"({crush:g} pax/m²)",
        ),
        ("Train top speed", f"{stock.max_speed_kmh:g} km/h"),
    )
    return Table(
        title="Line, signalling and rolling stock",
        header=("item", "value"),
        rows=rows,
        numeric=(False, False),
    )


def service_table(run: RunView) -> Table:
    """The service day run (hours, day type, days), the other day types, and the demand."""
    design, service = run.design, run.day.service
    days_of = {p.day_type: _days(p.days) for p in run.day_plans}
    others = [p for p in run.day_plans if p.day_type != design.day_type]
    rows = [
        (
            "Design day",
            f"{design.day_type} ({days_of[design.day_type]}), the day type that "
            "needs the most trains: the day simulated",
        ),
        ("Service hours", service_hours(service.start, service.end)),
        (
            "Periods",
            f"{len(design.plan.periods)}, from {_duration(min(_headways(design)))} to "
            f"{_duration(max(_headways(design)))} between trains",
        ),
        ("Demand", f"{design.plan.od.total:,.0f} boardings a day ({design.day_type})"),
    ]
    rows += [
        (
            f"Other day type: {p.day_type}",
            f"{days_of[p.day_type]}; {p.plan.od.total:,.0f} "
            f"boardings a day; fleet {p.plan.circulation.fleet_required} trains",
        )
        for p in others
    ]
    rows.append(("Seed", f"{run.seed} (of every random draw of the simulated day)"))
    return Table(
        title="Service and demand",
        header=("item", "value"),
        rows=tuple(rows),
        numeric=(False, False),
    )


def periods_table(design: DayPlan) -> Table:
    """Each period of the design day: headway (policy and demand), peak load and load factor."""
    rows = tuple(
        (
            _span(p.from_s, p.to_s),
            _duration(p.headway_s),
            _duration(p.policy_headway_s),
            "—" if math.isinf(p.demand_headway_s) else _duration(p.demand_headway_s),
            f"{p.max_load_pax_per_h:,.0f}",
            hour_span(busiest_hour(design.plan, p)) if p.max_load_pax_per_h > 0 else "—",
            f"{p.max_load_per_train_pax:,.0f}",
            _pct(p.load_factor),
        )
        for p in design.plan.periods
    )
    return Table(
        title=f"Service periods of the {design_day_label(design.day_type)}",
        header=(
            "period",
            "headway",
            "policy headway",
            "demand headway",
            "max load pax/h",
            "busiest hour",
            "max load a train",
            "load factor",
        ),
        rows=rows,
        numeric=(False, True, True, True, True, False, True, True),
        note="The headway run is the shorter of the policy's and the one the demand needs at "
        "the loading standard; the load is at the line's most loaded point. "
        + load_rule_text(design.plan),
    )


def conditions_table(run: RunView) -> Table:
    """What the simulated day includes beyond the plan: variability, failures, incidents,
    control."""
    ops = run.day.operations
    rows = [
        (
            "Variability",
            f"dwell coefficient of variation {ops.dwell_cv:g}, running time {ops.run_time_cv:g}",
        ),
        ("Random train failures", _failures(ops)),
    ]
    if ops.incidents:
        rows += [
            (f"Incident {i}", incident_text(incident))
            for i, incident in enumerate(ops.incidents, start=1)
        ]
    else:
        rows.append(("Incidents", "none"))
    rows.append(("Control", control_text(ops.control)))
    reference = "none (the day is undisturbed)"
    if run.reference is not None:
        reference = "the same day and seed without incidents or control, for the delay"
    rows.append(("Reference day", reference))
    return Table(
        title="Conditions of the simulated day",
        header=("item", "value"),
        rows=tuple(rows),
        numeric=(False, False),
    )


def incident_text(incident: Incident) -> str:
    """'08:15, track blocked between Baiterek and House of Ministries, both directions, 12 min'."""
    where = ""
    if incident.between is not None:
        where = f" between {incident.between[0]} and {incident.between[1]}"
    elif incident.station is not None:
        where = f" at {incident.station}"
    directions = "both directions" if incident.direction == "both" else incident.direction
    return (
        f"{incident.at}, {incident.kind.replace('_', ' ')}{where}, {directions}, "
        f"{incident.duration_min:g} min"
    )


def control_text(control: Control) -> str:
    """The control strategy in words, with the settings it uses."""
    if control.strategy == "holding":
        where = "the terminals" if control.timepoints is None else ", ".join(control.timepoints)
        return f"holding, {control.mode}-based, at {where}, for at most {control.max_hold_s:g} s"
    if control.strategy == "short_turn":
        return f"short turns at {', '.join(control.crossovers) or 'no crossover'}"
    return "none"


def service_day(day_type: str) -> str:
    """'weekday service day'; without day types (`EVERY_DAY`), 'service day (every day of the
    week)'."""
    if day_type == EVERY_DAY:
        return "service day (every day of the week)"
    return f"{day_type} service day"


def service_hours(start: str, end: str) -> str:
    """'05:15–23:30'; a time past midnight (the scenario's '25:45') as '01:45 (next day)'."""

    def clock(text: str) -> str:
        hours, minutes = text.split(":")[:2]
        h = int(hours)
        return f"{h - 24:02d}:{minutes} (next day)" if h >= 24 else f"{h:02d}:{minutes}"

    return f"{clock(start)}–{clock(end)}"


def _introduction(run: RunView) -> tuple[str, ...]:
    scenario, k = run.scenario, run.kpis
    incidents = len(run.day.operations.incidents)
    control = run.day.operations.control
    regulated = (
        "no control" if control.strategy == "none" else f"control by {control_text(control)}"
    )
    return (
        f"This report plans the {scenario.line.name} and simulates its "
        f"{service_day(run.design.day_type)} (seed {run.seed}) with "
        f"{incidents or 'no'} incident{'' if incidents == 1 else 's'} and {regulated}: "
        f"{k.trips_operated} of {k.trips_planned} planned trips ran and {k.passengers:,} "
        "passengers travelled.",
    )


def _failures(ops: Operations) -> str:
    if ops.failure_rate_per_train_km <= 0:
        return "none"
    return (
        f"one every {1 / ops.failure_rate_per_train_km:,.0f} train-km on average, each train "
        f"standing {ops.failure_recovery_min:g} min"
    )


def _headways(design: DayPlan) -> list[float]:
    return [p.headway_s for p in design.plan.periods]


def _days(days: tuple[str, ...]) -> str:
    """'Mon–Fri', 'Sat–Sun', 'Mon, Wed': consecutive weekdays joined by a dash."""
    index = sorted(WEEKDAYS.index(d) for d in days)
    runs: list[list[int]] = []
    for i in index:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    short = [d[:3].title() for d in WEEKDAYS]
    return ", ".join(short[r[0]] if len(r) == 1 else f"{short[r[0]]}–{short[r[-1]]}" for r in runs)


def _span(from_s: float, to_s: float) -> str:
    return f"{s_to_clock(from_s)}–{s_to_clock(to_s)}"


def _duration(seconds: float) -> str:
    """'5 min', '3 min 48 s', '42 s'; '—' for NaN."""
    if math.isnan(seconds):
        return "—"
    whole = round(seconds)
    m, s = divmod(whole, 60)
    if m == 0:
        return f"{s} s"
    return f"{m} min" if s == 0 else f"{m} min {s} s"


def _number(value: float, digits: int, unit: str) -> str:
    """'94.6 %', '52,684 kWh/day'; '—' for a figure with nothing to count (NaN)."""
    if math.isnan(value):
        return "—"
    return f"{value:,.{digits}f} {unit}"


def _pct(share: float) -> str:
    return f"{100 * share:.0f} %"
