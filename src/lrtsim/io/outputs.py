"""The files of each command's output folder, built in memory so they can be written as a whole."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lrtsim.model.schema import Scenario
    from lrtsim.planning.day_types import DayPlan


def plan_files(
    scenario: Scenario, day_plans: Sequence[DayPlan]
) -> tuple[dict[str, bytes], str | None]:
    """`lrtsim plan`'s files (name → bytes) and, when no GTFS feed can be made, the reason.

    timetable.csv and blocks.csv hold every day type, one after the other (`day_type` column).
    """
    from lrtsim.io.gtfs import gtfs_unavailable_reason, gtfs_zip_bytes
    from lrtsim.io.tables import csv_text
    from lrtsim.planning.day_types import combined_tables

    timetable, blocks = combined_tables(day_plans)
    files = {
        "timetable.csv": csv_text(timetable).encode("utf-8"),
        "blocks.csv": csv_text(blocks).encode("utf-8"),
    }
    reason = gtfs_unavailable_reason(scenario)
    if reason is None:
        files["gtfs.zip"] = gtfs_zip_bytes(scenario, day_plans)
    return files, reason
