"""Files in and out: atomic writes, GTFS, results."""
