"""Service planning: frequencies per period, the timetable, vehicle circulation and fleet size."""
