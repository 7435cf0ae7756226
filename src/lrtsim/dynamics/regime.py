"""What the train does over a step of a run: the named form of the kernels' int8 mode codes.

The numba kernels keep plain int constants (`kernels.LIMIT` …); `Regime` takes the same values,
so `RunProfile.mode` can be read as regimes without the kernels knowing of the enum.
"""

from __future__ import annotations

from enum import IntEnum

from lrtsim.dynamics import kernels


class Regime(IntEnum):
    """Driving regime of one step (k → k+1) of a `RunProfile`."""

    CRUISE = kernels.LIMIT
    """Held at the speed allowed (the limit, or a driving strategy's cruising speed)."""
    ACCEL = kernels.ACCEL
    """Accelerating at full effort (or the acceleration cap)."""
    COAST = kernels.COAST
    """Coasting: no effort, resistance and gradient only."""
    BRAKE = kernels.BRAKE
    """Braking at the service rate."""
    STOP = kernels.STOP
    """Standing at a stop (the last point of the run)."""
