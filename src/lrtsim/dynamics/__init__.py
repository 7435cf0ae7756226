"""Train physics: running times, speed profiles and energy (numba kernels, cached on disk)."""

from lrtsim.dynamics.numba_cache import ensure_cache_dir

ensure_cache_dir()
