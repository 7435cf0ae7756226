"""Dwell of a train at a stop from its boardings and alightings: the passenger-driven model.

dwell = base + (b · boardings + a · alightings) / channels, the flow part × the crowding factor
when the train arrives with more passengers on board than seats, and never below the stop's
least dwell; channels = 2 × doors per side (double-width doors). TCQSM 3rd ed. (TCRP Report 165,
2013), ch. 4: dwell = door opening and closing + passenger flow time per door channel, raised
when standees block the doorways. The timetable feeds it a train's share of the hour's demand;
a passenger simulation can feed it the passengers actually boarding and alighting.
"""

from __future__ import annotations

from lrtsim.model.schema import DwellModel

CHANNELS_PER_DOOR = 2
"""Light-rail doors are double-width: two passenger streams each."""


def dwell_s(
    model: DwellModel,
    boardings: float,
    alightings: float,
    load_on_arrival: float,
    *,
    doors_per_side: int,
    seats: int,
    minimum_s: float = 0.0,
) -> float:
    """Dwell of one train at one stop (s): base + flow time per door channel, crowding applied,
    at least `minimum_s` (the station's own dwell)."""
    channels = doors_per_side * CHANNELS_PER_DOOR
    flow = (model.per_boarding_s * boardings + model.per_alighting_s * alightings) / channels
    if load_on_arrival > seats:
        flow *= model.crowding_factor
    return max(model.base_s + flow, minimum_s)
