"""The files of each command's output folder, built in memory so they can be written as a whole."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lrtsim.model.schema import Scenario
    from lrtsim.planning.plan import ServicePlan


def plan_files(scenario: Scenario, plan: ServicePlan) -> tuple[dict[str, bytes], str | None]:
    """`lrtsim plan`'s files (name → bytes) and, when no GTFS feed can be made, the reason."""
    from lrtsim.io.gtfs_export import gtfs_zip_bytes
    from lrtsim.io.tables import csv_text

    files = {
        "timetable.csv": csv_text(plan.timetable).encode("utf-8"),
        "blocks.csv": csv_text(plan.blocks).encode("utf-8"),
    }
    reason = (
        None
        if scenario.line.geometry
        else "the scenario has no [line.geometry] (GTFS needs station coordinates)"
    )
    if reason is None:
        files["gtfs.zip"] = gtfs_zip_bytes(scenario, plan.timetable)
    return files, reason
