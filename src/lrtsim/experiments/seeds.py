"""The seed of each day of an experiment, spawned from one base seed, so that any day can be
simulated again alone (`lrtsim simulate --seed SEED` with the day's seed)."""

from __future__ import annotations

import numpy as np

from lrtsim.model.schema import MAX_SEED


def day_seed(base_seed: int, day: int) -> int:
    """Seed of day `day` (0, 1, …): the first word of `SeedSequence(base_seed, spawn_key=(day,))`
    — numpy's independent child streams (NEP 19) — halved to fit a scenario seed (< 2**63).

    The same (base seed, day) gives the same seed on any machine and in any worker.
    """
    if not 0 <= base_seed <= MAX_SEED:
        raise ValueError(f"base seed {base_seed} is outside 0..{MAX_SEED}")
    if day < 0:
        raise ValueError(f"day {day} is negative")
    sequence = np.random.SeedSequence(entropy=base_seed, spawn_key=(day,))
    return int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))
