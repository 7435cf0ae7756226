"""The named regimes of a run against the kernels' int codes, and the profile's arrays locked."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from lrtsim.dynamics import kernels
from lrtsim.dynamics.envelope import run
from lrtsim.dynamics.profile import RunProfile
from lrtsim.dynamics.regime import Regime
from lrtsim.dynamics.track import run_track
from lrtsim.dynamics.train import train_params
from lrtsim.model.schema import Line, RollingStock


def test_regime_codes_are_the_kernels_codes() -> None:
    assert {r.name: int(r) for r in Regime} == {
        "CRUISE": kernels.LIMIT,
        "ACCEL": kernels.ACCEL,
        "COAST": kernels.COAST,
        "BRAKE": kernels.BRAKE,
        "STOP": kernels.STOP,
    }
    assert len({int(r) for r in Regime}) == 5


@pytest.fixture
def profile(make_line: Callable[..., Line], make_stock: Callable[..., RollingStock]) -> RunProfile:
    line = make_line([0.0, 2.0], max_speed_kmh=60.0)
    return run(run_track(line, "up"), train_params(make_stock(), 0.0), load=0.0)


def test_a_run_reads_as_regimes(profile: RunProfile) -> None:
    steps = [profile.regime(k) for k in range(len(profile.mode))]
    assert all(isinstance(r, Regime) for r in steps)
    # Accelerate, hold the 60 km/h limit, brake, stand at the stop.
    assert steps[0] is Regime.ACCEL
    assert Regime.CRUISE in steps
    assert Regime.BRAKE in steps
    assert steps[-1] is Regime.STOP
    assert set(np.unique(profile.mode)) <= {int(r) for r in Regime}


def test_profile_arrays_are_read_only(profile: RunProfile) -> None:
    for name in ("position_m", "km", "time_s", "speed_mps", "effort_n", "mode", "limit_mps"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(profile, name)[0] = 0
    with pytest.raises(ValueError, match="read-only"):
        profile.stop_index[0] = 1
