"""Calibration: a scenario's running times set against a published schedule, and fitted to it."""
