"""Results as JSON-ready dicts, one builder per result; the CLI prints them and the web serves them.

Their shape is documented in docs/user-guide.md and fixed by the JSON Schemas in `docs/json/`.
Values are raw floats; `lrtsim.io.json_style.tidy` rounds them by unit when they are written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lrtsim.model.direction import DIRECTIONS, direction_id
from lrtsim.model.units import j_to_kwh, mps_to_kmh, s_to_clock

if TYPE_CHECKING:
    from lrtsim.calibration.compare import SegmentComparison
    from lrtsim.calibration.fit import Fit, SegmentFit
    from lrtsim.calibration.held_out import CheckedSegment, HeldOutCheck
    from lrtsim.capacity.analysis import HeadwayAnalysis
    from lrtsim.capacity.headway import Headway
    from lrtsim.capacity.uic406 import Occupancy
    from lrtsim.dynamics.runtime import DirectionRun
    from lrtsim.io.gtfs.calibrated import CalibratedImport
    from lrtsim.io.gtfs.import_scenario import GtfsImport
    from lrtsim.metrics.kpis import Kpis
    from lrtsim.model.direction import Direction
    from lrtsim.model.schema import Incident, Scenario
    from lrtsim.planning.day_types import DayPlan
    from lrtsim.planning.plan import ServicePlan


def runtime_payload(scenario: str, load: float, runs: Sequence[DirectionRun]) -> dict[str, Any]:
    """`lrtsim runtime --json`: each direction's times and energy, segment by segment."""
    return {"scenario": scenario, "load": load, "directions": [_direction(d) for d in runs]}


def _direction(d: DirectionRun) -> dict[str, Any]:
    p = d.profile
    stop_times = [float(p.time_s[i]) for i in p.stop_index]
    return {
        "direction": d.direction,
        "from": p.station_names[0],
        "to": p.station_names[-1],
        "run_time_s": stop_times[-1],
        "dwell_time_s": d.dwell_time_s,
        "total_time_s": stop_times[-1] + d.dwell_time_s,
        "traction_energy_kwh": j_to_kwh(p.traction_energy_j),
        "line_energy_kwh": j_to_kwh(p.line_energy_j),
        "allowance_pct": d.allowance_pct,
        "minimum_run_time_s": d.minimum.run_time_s,
        "line_energy_saved_kwh": j_to_kwh(d.eco.line_energy_saved_j),
        "driving": d.eco.method,
        "segments": [
            {
                "from": g.from_station,
                "to": g.to_station,
                "distance_m": g.distance_m,
                "run_time_s": stop_times[i + 1] - stop_times[i],
                "max_speed_kmh": mps_to_kmh(g.max_speed_mps),
                "traction_energy_kwh": j_to_kwh(g.traction_energy_j),
                "line_energy_kwh": j_to_kwh(g.line_energy_j),
            }
            for i, g in enumerate(p.segments)
        ],
    }


def _headway(h: Headway) -> dict[str, Any]:
    where: dict[str, Any] = (
        {"from": h.between[0], "to": h.between[1]} if h.between else {"name": h.where}
    )
    return {
        **where,
        "direction": h.direction,
        "min_headway_s": h.min_headway_s,
        "components_s": h.components(),
    }


def capacity_payload(
    a: HeadwayAnalysis,
    occupancy: Mapping[Direction, Sequence[Occupancy]] | None = None,
    occupancy_headway_s: float | None = None,
) -> dict[str, Any]:
    """`lrtsim capacity --json`: every headway, the bottleneck, the line's capacity."""
    b = a.bottleneck
    bottleneck: dict[str, Any] = {"where": b.where, "kind": b.kind, "direction": b.direction}
    if b.between:
        bottleneck.update({"from": b.between[0], "to": b.between[1]})
    payload: dict[str, Any] = {
        "scenario": a.scenario,
        "signalling": a.signalling,
        "line_min_headway_s": a.line_min_headway_s,
        "bottleneck": bottleneck,
        "trains_per_hour": a.trains_per_hour,
        "passengers_per_hour_per_direction": a.passengers_per_hour_per_direction,
        "crush_passengers_per_hour_per_direction": a.crush_passengers_per_hour_per_direction,
        "stations": [_headway(h) for d in a.directions for h in d.stations],
        "lines": [_headway(h) for d in a.directions for h in d.lines],
        "terminals": [
            {
                "name": t.name,
                "kind": t.kind,
                "min_headway_s": t.min_headway_s,
                "binding": t.binding.name,
                "occupation_s": {r.name: r.occupation_s for r in t.resources},
                "conflicts": list(t.conflicts),
                "turnaround_s": t.turnaround_s,
            }
            for t in a.terminals
        ],
    }
    if occupancy is not None and occupancy_headway_s is not None:
        payload["uic406"] = {
            "headway_s": occupancy_headway_s,
            "period_s": 3600.0,
            "sections": [
                {
                    "from": (o.between or ("", ""))[0],
                    "to": (o.between or ("", ""))[1],
                    "direction": direction,
                    "trips": o.trips,
                    "occupation_s": o.occupation_s,
                    "share": o.share,
                }
                for direction, items in occupancy.items()
                for o in items
            ],
        }
    return payload


def day_plans_payload(day_plans: Sequence[DayPlan]) -> dict[str, Any]:
    """`lrtsim plan --json`'s figures: the design day at the top, every day type below.

    The design day is the day type that needs the most trains (the fleet to own); the top-level
    figures are its own, so they agree with each other.
    """
    from lrtsim.planning.day_types import design_day

    design = design_day(day_plans)
    return {
        "design_day_type": design.day_type,
        **plan_payload(design.plan),
        "day_types": [
            {"name": d.day_type, "days": list(d.days), **plan_payload(d.plan)} for d in day_plans
        ],
    }


def plan_command_payload(
    scenario: str,
    day_plans: Sequence[DayPlan],
    folder: Path,
    files: Sequence[str],
    no_gtfs: str | None,
    note: str | None,
) -> dict[str, Any]:
    """`lrtsim plan --json`: the day plans, the folder and files written, why no GTFS feed
    (None when there is one) and the notes."""
    return {
        "scenario": scenario,
        **day_plans_payload(day_plans),
        "out": str(folder),
        "files": sorted(files),
        "gtfs": {"written": no_gtfs is None, "reason": no_gtfs},
        "notes": [note] if note else [],
    }


def plan_payload(plan: ServicePlan) -> dict[str, Any]:
    """The figures of one day's service plan: fleet, trips, distances and each period (its
    trains in service are those out of the depot at mid-period, its steady state)."""
    from lrtsim.planning.circulation import trains_out_at

    c = plan.circulation
    return {
        "fleet_required": c.fleet_required,
        "fleet_in_service_peak": c.in_service_peak,
        "spares": c.spares,
        "cycle_time_s": plan.cycle_time_s,
        "trips": plan.trips,
        "train_km": c.train_km,
        "empty_km": c.empty_km,
        "positioning_trips": len(c.positioning_trips),
        "train_hours": c.train_hours,
        "depot_moves": c.depot_moves,
        "daily_boardings": plan.od.total,
        "line_min_headway_s": plan.capacity.line_min_headway_s,
        "periods": [
            {
                "from": s_to_clock(p.from_s),
                "to": s_to_clock(p.to_s),
                "headway_s": p.headway_s,
                "trains_in_service": trains_out_at(c.blocks, 0.5 * (p.from_s + p.to_s)),
                "max_load_pax": p.max_load_per_train_pax,
                "max_load_pax_per_hour": p.max_load_pax_per_h,
                "load_factor": p.load_factor,
                "policy_headway_s": p.policy_headway_s,
                "demand_headway_s": p.demand_headway_s,
            }
            for p in plan.periods
        ],
    }


def simulate_payload(scenario: Scenario, day_type: str, seed: int, k: Kpis) -> dict[str, Any]:
    """`lrtsim simulate`'s figures (its `--json` and `kpis.json`): the day simulated, its counts,
    the `kpis` contract (`Kpis.contract`), the other KPIs, and the cost of the incidents and
    control against the reference day (`incident`: null when the day had no reference)."""
    ops = scenario.operations
    compared = k.delay_passenger_hours is not None
    return {
        "scenario": scenario.name,
        "day_type": day_type,
        "seed": seed,
        "control": ops.control.strategy,
        "incidents": [_incident(i) for i in ops.incidents],
        "trips_planned": k.trips_planned,
        "trips_operated": k.trips_operated,
        "passengers": k.passengers,
        "kpis": k.contract(),
        "kpi_details": {
            "terminal_punctuality_pct": k.terminal_punctuality_pct,
            "headway_los": k.headway_los or None,
            "departures_not_served": k.departures_not_served,
            "passengers_counted": k.passengers_counted,
            "not_served": k.not_served,
            "unscheduled": k.unscheduled,
        },
        "incident": {
            "delay_passenger_hours": k.delay_passenger_hours,
            "lost_passengers": k.lost_passengers,
        }
        if compared
        else None,
    }


def _incident(i: Incident) -> dict[str, Any]:
    where: dict[str, Any] = (
        {"station": i.station}
        if i.between is None
        else {"between": {"from": i.between[0], "to": i.between[1]}}
    )
    return {
        "at": i.at,
        "kind": i.kind,
        **where,
        "direction": i.direction,
        "duration_min": i.duration_min,
    }


def import_payload(
    imported: GtfsImport,
    rows: Sequence[SegmentComparison],
    load: float,
    out: Path | None,
    calibrated: CalibratedImport | None = None,
) -> dict[str, Any]:
    """`lrtsim import-gtfs --json`: the imported pattern and its schedule against lrtsim's, and
    the calibration when it was asked for (else `calibration` is null)."""
    from lrtsim.calibration.compare import comparison_total

    s, p = imported.scenario, imported.pattern

    def segment(r: SegmentComparison) -> dict[str, Any]:
        return {
            "from": r.from_station,
            "to": r.to_station,
            "distance_m": r.distance_m,
            "scheduled_s": r.scheduled_s,
            "minimum_s": r.minimum_s,
            "ratio": r.ratio,
        }

    totals = segment(comparison_total(rows))
    return {
        "scenario": s.name,
        "feed": imported.feed,
        "route": {"id": imported.route_id, "name": imported.route_name},
        "pattern": {
            "direction_id": p.direction_id,
            "stop_ids": list(p.stop_ids),
            "stations": [st.name for st in s.line.stations],
            "trips": len(p.trip_ids),
            "trips_in_direction": p.trips_in_direction,
            "shape_id": p.shape_id,
        },
        "chainage": imported.chainage_source,
        "shape_length_m": imported.shape_length_m,
        "vehicle": s.rolling_stock.name,
        "load": load,
        "segments": [segment(r) for r in rows],
        "totals": {k: v for k, v in totals.items() if k not in ("from", "to")},
        "notes": list(imported.notes),
        "calibration": None if calibrated is None else calibration_payload(calibrated),
        "out": None if out is None else str(out),
    }


def calibration_payload(calibrated: CalibratedImport) -> dict[str, Any]:
    """The calibration of an import: the fitted and the held-out direction segment by segment
    and in total, the zones, the service against the planner's, and the notes."""
    report = calibrated.report
    fit, held, service = report.fit, report.held_out, report.service

    def error(scheduled: float | None, calibrated_s: float) -> float | None:
        return None if scheduled is None else 100.0 * (calibrated_s - scheduled) / scheduled

    def segments(rows: Sequence[SegmentFit | CheckedSegment]) -> list[dict[str, Any]]:
        return [
            {
                "from": g.from_station,
                "to": g.to_station,
                "distance_m": g.distance_m,
                "scheduled_s": g.scheduled_s,
                "before_s": g.before_s,
                "calibrated_s": g.calibrated_s,
                "error_pct": g.error_pct,
            }
            for g in rows
        ]

    def direction(check: Fit | HeldOutCheck) -> dict[str, Any]:
        return {
            "direction": check.direction,
            "direction_id": direction_id(check.direction),
            "segments": segments(check.segments),
            "totals": {
                "scheduled_s": check.scheduled_total_s,
                "before_s": check.before_total_s,
                "calibrated_s": check.calibrated_total_s,
                "error_pct": error(check.scheduled_total_s, check.calibrated_total_s),
            },
            "worst_error_pct": check.worst_error_pct,
        }

    fitted = direction(fit)
    for row, g in zip(fitted["segments"], fit.segments, strict=True):
        row["zone_kmh"] = g.zone_kmh
    fitted["allowance_pct"] = fit.allowance_pct
    fitted["requested_allowance_pct"] = fit.requested_allowance_pct
    return {
        "scenario": calibrated.scenario.name,
        "fitted": fitted,
        "held_out": None if held is None else direction(held),
        "zones": [
            {
                "from": z.from_station,
                "to": z.to_station,
                "from_km": z.from_km,
                "to_km": z.to_km,
                "kmh": z.kmh,
            }
            for z in fit.zones
        ],
        "service": None
        if service is None
        else {
            "date": service.date,
            "day_type": service.day_type,
            "periods": [
                {
                    "from": s_to_clock(p.from_s),
                    "to": s_to_clock(p.to_s),
                    "headway_s": p.headway_s,
                    "feed_trips_per_h": dict(zip(DIRECTIONS, p.feed_trips_per_h, strict=True)),
                    "feed_all_trips_per_h": dict(
                        zip(DIRECTIONS, p.feed_all_trips_per_h, strict=True)
                    ),
                    "planned_trips_per_h": dict(
                        zip(DIRECTIONS, p.planned_trips_per_h, strict=True)
                    ),
                }
                for p in service.periods
            ],
            "feed_in_service_peak": service.feed_in_service_peak,
            "feed_peak_at": s_to_clock(service.feed_peak_at_s),
            "planned_in_service_peak": service.planned_in_service_peak,
            "planned_fleet": service.planned_fleet,
            "layover_s": service.layover_s,
        },
        "notes": [*calibrated.inputs.notes, *report.notes],
    }
