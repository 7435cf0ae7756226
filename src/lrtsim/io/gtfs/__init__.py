"""GTFS export: a planned service as a static GTFS feed, a module per concept.

The feed follows the GTFS Schedule reference (https://gtfs.org/documentation/schedule/reference/):
one agency and one route (route_type 0, light rail) from `[gtfs]`; a stop per station; a shape
per direction (`geometry`: the track polyline, or straight lines between the stations when the
scenario gives only their coordinates); one service per day type in calendar.txt, with its trips
and stop times (`schedule`); feed_info with the feed's contact, and translations of the station
names (`publication`). `feed` assembles the tables and the zip; `validate` checks a written feed
with the canonical rule set (gtfs-validator) and partridge.

Use `gtfs_zip_bytes(scenario, make_day_plans(scenario))`, after `gtfs_unavailable_reason`.
"""

from __future__ import annotations

from lrtsim.io.gtfs.archive import GTFS_FILES
from lrtsim.io.gtfs.feed import gtfs_tables, gtfs_unavailable_reason, gtfs_zip_bytes, write_gtfs
from lrtsim.io.gtfs.geometry import shape_id
from lrtsim.io.gtfs.schedule import FeedSource
from lrtsim.io.gtfs.validate import validate_gtfs, validator_version

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
