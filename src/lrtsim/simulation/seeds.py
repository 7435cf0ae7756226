"""The random streams of a simulated day, all from one seed.

Each stream is a child of `numpy.random.SeedSequence(seed)` with a fixed spawn key (its index in
`STREAMS`), the same child `SeedSequence(seed).spawn(n)[i]` gives: a stream's draws depend only
on the seed and its own name, so adding a stream (at the end of `STREAMS`) or drawing more from
one never changes the others (NumPy documentation, "Parallel random number generation":
independent streams by spawning).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

STREAMS = ("arrivals", "dwell", "run_time", "failures")
"""Every stream the simulation draws from, by name; new streams go at the end."""


def stream(seed: int | np.random.SeedSequence, name: str) -> np.random.SeedSequence:
    """The seed sequence of stream `name` of the day seeded with `seed`."""
    if name not in STREAMS:
        raise ValueError(f"unknown random stream '{name}'; the streams are {', '.join(STREAMS)}")
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return np.random.SeedSequence(
        root.entropy,
        spawn_key=(*root.spawn_key, STREAMS.index(name)),
        pool_size=root.pool_size,
    )


def generator(seed: int | np.random.SeedSequence, name: str) -> np.random.Generator:
    """A generator (PCG64) of stream `name`."""
    return np.random.Generator(np.random.PCG64(stream(seed, name)))


def lognormal_factors(rng: np.random.Generator, cv: float, size: int) -> FloatArray:
    """Lognormal factors of mean 1 and coefficient of variation `cv`: σ² = ln(1 + cv²),
    μ = −σ²/2 (so E = exp(μ + σ²/2) = 1). Exactly 1 when cv is 0 (nothing drawn)."""
    if cv == 0:
        return np.ones(size)
    sigma = math.sqrt(math.log1p(cv * cv))
    return np.asarray(rng.lognormal(-0.5 * sigma * sigma, sigma, size), dtype=np.float64)
