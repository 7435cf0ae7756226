"""One service day as discrete events: the kernel, passengers arriving and boarding, trains
running their blocks separated as `capacity` says (`day`), and (to come) disruptions and
control, each in its own module.

The simulation never prints, reads files or looks at the clock: it takes the plan, a seed and
parameters and returns tables.
"""

from lrtsim.dynamics.numba_cache import ensure_cache_dir

ensure_cache_dir()
