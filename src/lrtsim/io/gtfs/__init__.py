"""GTFS export and import, a module per concept.

**Export**: a planned service as a static GTFS feed. The feed follows the GTFS Schedule reference
(https://gtfs.org/documentation/schedule/reference/): one agency and one route (route_type 0,
light rail) from `[gtfs]`; a stop per station; a shape per direction (`geometry`: the track
polyline, or straight lines between the stations when the scenario gives only their
coordinates); one service per day type in calendar.txt, with its trips and stop times
(`schedule`); feed_info with the feed's contact, and translations of the station names
(`publication`). `feed` assembles the tables and the zip; `validate` checks a written feed with
the canonical rule set (gtfs-validator) and partridge.

Use `gtfs_zip_bytes(scenario, make_day_plans(scenario))`, after `gtfs_unavailable_reason`.

**Import**: a scenario from one route of a real feed, `import_scenario.import_gtfs(path,
route_id)`. Plain functions over the feed's tables (gtfs-kit style), one per step:

1. `read.read_feed`: the tables of a GTFS zip (`routes`, `trips`, `stop_times`, `stops`, and
   `shapes`, `agency`, `feed_info`, `calendar`, `calendar_dates` when present), every column
   read as text.
2. `patterns.stop_patterns`: each trip of the route (`patterns.route_trips`) with its stop
   pattern (the ordered tuple of stop_ids), direction_id and shape_id.
3. `patterns.choose_pattern`: in one direction (direction_id 0 by default), the *full-length*
   patterns are those with the most stops; of these the most common one (most trips) is the
   line. Its shape is the most common shape_id among its trips.
4. `patterns.pattern_stations`: consecutive platform stops of the same `parent_station` collapse
   into one station, named after the parent (else after the stop); names are made unique.
5. `chainage.station_chainage`: station positions from `stop_times.shape_dist_traveled` when
   every stop of the pattern has it, its unit detected against the haversine length of the
   shape (`chainage.read_shape`, `chainage.detect_unit`); else each stop projected onto the
   shape (`lrtsim.model.geometry.project_points`). The first station is km 0.
6. `curves.scenario_curves`: `lrtsim.model.geometry.detect_curves` on the shape polyline, mapped
   to line km and clipped to the stations, with the radii the schema or physics cannot take
   adjusted.
7. `patterns.pattern_times`: over the trips of the pattern, scheduled running time of each
   segment = arrival at the next stop − departure from this one, and dwell = departure − arrival
   at each stop, each the median over trips. When the feed gives equal arrival and departure
   times everywhere, dwells are unknown: a default dwell is used and the scheduled segment times
   include the dwell at their end stop (a note says so). `calendars.service_span`: the service
   day (first departure to last arrival) on a typical date of the feed.
8. `import_scenario.import_gtfs` builds the scenario as a dict, validates it through
   `lrtsim.model.load.scenario_from_dict` (all checks apply) and writes it as commented TOML
   (`lrtsim.io.toml_writer`) that loads back to an equal `Scenario`.

`lrtsim.calibration.compare.compare_running_times` then puts lrtsim's minimum running time of
each segment (the flat-out run of `lrtsim.dynamics.runtime.running_times`, no allowance) beside
the feed's scheduled time (`GtfsImport.times.run_s`). GTFS has no elevations, civil speed limits,
signalling or vehicle data: gradients are left empty, the vehicle is a documented estimate
(`lrtsim.model.vehicle_data.DEFAULT_VEHICLE`, a data file with a reason for each value), and
schedules therefore sit above the technical minimum by recovery margins, signal and traffic
delays and slow zones the feed cannot show.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lrtsim.io.gtfs.archive import GTFS_FILES
    from lrtsim.io.gtfs.feed import (
        gtfs_tables,
        gtfs_unavailable_reason,
        gtfs_zip_bytes,
        write_gtfs,
    )
    from lrtsim.io.gtfs.geometry import shape_id
    from lrtsim.io.gtfs.schedule import FeedSource
    from lrtsim.io.gtfs.validate import validate_gtfs, validator_version

_EXPORTS = {
    "GTFS_FILES": "archive",
    "FeedSource": "schedule",
    "gtfs_tables": "feed",
    "gtfs_unavailable_reason": "feed",
    "gtfs_zip_bytes": "feed",
    "shape_id": "geometry",
    "validate_gtfs": "validate",
    "validator_version": "validate",
    "write_gtfs": "feed",
}
"""The export side's public names, imported on first use: the import side (`import-gtfs`) then
does not load the planning layer the export needs."""

__all__ = [
    "GTFS_FILES",
    "FeedSource",
    "gtfs_tables",
    "gtfs_unavailable_reason",
    "gtfs_zip_bytes",
    "shape_id",
    "validate_gtfs",
    "validator_version",
    "write_gtfs",
]


def __getattr__(name: str) -> Any:
    """Import an export-side name from its module when it is first asked for (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
