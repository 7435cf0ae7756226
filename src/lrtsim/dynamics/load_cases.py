"""The passenger loads the layers run their trains at, one place each (fractions of capacity)."""

from __future__ import annotations

CAPACITY_LOAD = 1.0
"""Headways are for full trains (planning capacity): the slowest acceleration, the longest."""
PLANNING_LOAD = 0.5
"""Running times of the timetable are for half-full trains (the day's typical load)."""
