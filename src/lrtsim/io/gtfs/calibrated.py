"""An imported scenario calibrated to its feed's schedule, written as commented TOML.

`calibrate_import` reads the feed again for both directions and the typical day's trips
(`calibration_input`), runs `lrtsim.calibration.calibrate.calibrate`, and lays what it fitted
(speed restrictions, dwells, allowance, service periods, layover) over the import's document, each
value with a comment saying it was calibrated from the schedule of the feed and route.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrtsim.calibration.calibrate import CalibrationReport, calibrate
from lrtsim.io.gtfs.calibration_input import CalibrationInput, calibration_input
from lrtsim.io.gtfs.import_scenario import GtfsImport
from lrtsim.io.toml_writer import TomlDocument
from lrtsim.model.schema import Scenario


@dataclass(frozen=True, eq=False)
class CalibratedImport:
    """The calibration of an import: its inputs, the report and the calibrated document."""

    inputs: CalibrationInput
    report: CalibrationReport
    document: TomlDocument
    """The calibrated scenario with comments; its TOML loads back to `report.scenario`."""

    @property
    def scenario(self) -> Scenario:
        """The calibrated, validated scenario."""
        return self.report.scenario

    @property
    def toml(self) -> str:
        """The calibrated scenario as commented TOML."""
        return self.document.text


def calibrate_import(imported: GtfsImport, *, keep_allowance: bool = False) -> CalibratedImport:
    """Calibrate an imported scenario to its feed's schedule (direction_id 0 fitted, 1 held out).

    `keep_allowance` keeps the scenario's allowance even where the schedule cannot hold it.
    """
    inputs = calibration_input(imported)
    report = calibrate(
        imported.scenario,
        inputs.fitted,
        inputs.held_out,
        inputs.service,
        keep_allowance=keep_allowance,
    )
    return CalibratedImport(inputs, report, calibrated_document(imported, report))


def calibrated_document(imported: GtfsImport, report: CalibrationReport) -> TomlDocument:
    """The import's document with the calibrated values of `report.scenario` and their reasons."""
    raw = copy.deepcopy(imported.document.raw)
    comments = {k: list(v) for k, v in imported.document.comments.items()}
    items = {k: list(v) for k, v in imported.document.item_comments.items()}
    scenario, fit = report.scenario, report.fit
    origin = f"from the schedule of {Path(imported.feed).name}, route {imported.route_id}"

    line: dict[str, Any] = raw["line"]
    line["speed_limits"] = [
        {"from_km": z.from_km, "to_km": z.to_km, "kmh": z.kmh} for z in scenario.line.speed_limits
    ]
    by_extent = {(z.from_km, z.to_km): z for z in fit.zones}
    segment_of = {(g.from_station, g.to_station): g for g in fit.segments}
    zone_notes = []
    for limit in scenario.line.speed_limits:
        zone = by_extent.get((limit.from_km, limit.to_km))
        if zone is None:
            zone_notes.append("as imported")
            continue
        g = segment_of[(zone.from_station, zone.to_station)]
        scheduled = "—" if g.scheduled_s is None else f"{g.scheduled_s:g} s"
        zone_notes.append(
            f"calibrated {origin}: {zone.from_station} → {zone.to_station}, scheduled {scheduled}, "
            f"calibrated {g.calibrated_s:.1f} s"
        )
    items["line.speed_limits"] = zone_notes
    held = report.held_out
    held_text = (
        ""
        if held is None
        else f"; held-out direction_id 1, end to end {held.end_to_end_error_pct:+.2f} %"
    )
    comments["line.speed_limits"] = [
        f"CALIBRATED {origin}, direction_id {imported.pattern.direction_id}, by `lrtsim "
        "import-gtfs --calibrate`: one restriction per interstation, station to station, so "
        "that the planner's run (half load, the allowance driven to save energy) takes each "
        f"segment's scheduled time: worst segment {fit.worst_error_pct:.2f} %, end to end "
        f"{fit.end_to_end_error_pct:+.2f} %{held_text}.",
        "Calibration cannot tell what the time is spent on: traffic signals, street running, "
        "shared track and slow orders are all a speed restriction to it (docs/validation.md).",
    ]

    comments["line.max_speed_kmh"] = [
        text.replace("(speed_limits is empty)", "(the speed_limits below are calibrated)")
        for text in comments.get("line.max_speed_kmh", [])
    ]
    for row, station in zip(line["stations"], scenario.line.stations, strict=True):
        if station.dwell_s is None:
            row.pop("dwell_s", None)
        else:
            row["dwell_s"] = station.dwell_s

    service: dict[str, Any] = raw["service"]
    own = scenario.service
    if service["dwell"]["base_s"] != own.dwell.base_s:
        service["dwell"]["base_s"] = own.dwell.base_s
        comments["service.dwell"] = [
            f"CALIBRATED {origin}: the shortest of the stations' scheduled dwells (a longer base "
            "would lengthen the shorter published ones)."
        ]
    service["allowance_pct"] = own.allowance_pct
    service["layover_s"] = own.layover_s
    service["periods"] = [p.model_dump(by_alias=True) for p in own.periods]
    allowance = (
        f"the scenario's {fit.requested_allowance_pct:g} % lowered to {fit.allowance_pct:g} %, "
        "the most the schedule holds on every segment"
        if fit.allowance_pct != fit.requested_allowance_pct
        else "as imported"
    )
    comments["service.allowance_pct"] = [f"CALIBRATED {origin}: {allowance}."]
    comments["service.periods"] = [f"CALIBRATED {origin}: {n}." for n in report.notes
                                   if n.startswith("service periods")]  # fmt: skip
    comments["service.layover_s"] = [f"CALIBRATED {origin}: {n}." for n in report.notes
                                     if n.startswith("layover_s")]  # fmt: skip
    comments[""] = [
        *comments.get("", []),
        "Calibrated to the feed's schedule by `lrtsim import-gtfs --calibrate`: the values "
        f"marked CALIBRATED come {origin}.",
    ]
    return TomlDocument(raw, comments, items)
