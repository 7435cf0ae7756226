"""One service day as discrete events (`day.simulate_day`): a kernel (`kernel`) and the domain
in its own modules — the timetable's visits (`stops`), the tracks from `dynamics` (`tracks`),
trains driven under their movement authority (`driving`, `trains`), the signalling's order and
authority (`signalling`), terminal platforms (`terminals`), passengers (`arrivals`, `boarding`),
disruptions (`disruptions`), control (`control`), trajectories (`trajectory`) and the tables the
day hands on (`day_tables`, `tables`).

The simulation never prints, reads files or looks at the clock: it takes the plan, a seed and
parameters and returns tables.
"""

from lrtsim.dynamics.numba_cache import ensure_cache_dir

ensure_cache_dir()
