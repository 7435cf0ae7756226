"""GTFS export, kept importable under its first name: the code is in `lrtsim.io.gtfs`."""

from __future__ import annotations

from lrtsim.io.gtfs import (
    GTFS_FILES,
    FeedSource,
    gtfs_tables,
    gtfs_unavailable_reason,
    gtfs_zip_bytes,
    shape_id,
    validate_gtfs,
    validator_version,
    write_gtfs,
)

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
