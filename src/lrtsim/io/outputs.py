"""The files of each command's output folder, built in memory so they can be written as a whole."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
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


def plan_folder(scenario: Scenario, out_dir: Path | None) -> Path:
    """Where `lrtsim plan` writes: the folder asked for, else `plan-NAME` in the working folder."""
    return out_dir if out_dir is not None else Path(f"plan-{scenario.name}")


def simulate_folder(scenario: Scenario, out_dir: Path | None) -> Path:
    """Where `lrtsim simulate` writes: the folder asked for, else `simulate-NAME` in the
    working folder."""
    return out_dir if out_dir is not None else Path(f"simulate-{scenario.name}")


def scenario_inputs(scenario: Scenario, ref: str) -> list[Path]:
    """The files a command reads for `ref`: the scenario file and its OD CSV, where they are
    files (an output folder must never hold them)."""
    from lrtsim.io.od_csv import od_csv_path

    candidates = (Path(ref), od_csv_path(scenario, ref))
    return [p for p in candidates if p is not None and p.is_file()]
