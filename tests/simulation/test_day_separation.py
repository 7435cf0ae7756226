"""The simulated day's trains keep moving-block separation, checked from their sampled
trajectories alone (`support.day_invariants.separation_shortfalls`, the checker the planned
day passes in `tests/planning/test_motion.py`), and the trajectories agree with the stop times.

EXPECTED TO FAIL (AttributeError) until the simulated day has trajectories:
`DayResult.trajectory.samples(step_s)` returning a DataFrame with columns time_s, block_id,
direction, km, speed_mps — one row per train on the main line per sampled time.
"""

from __future__ import annotations

import pandas as pd
import pytest
from day_cases import DayCase, astana_case, small_case

from support.day_invariants import (
    SAMPLE_COLUMNS,
    check_samples_follow_stop_times,
    planned_positions,
    separation_shortfalls,
)

STEP_S = 2.0


@pytest.fixture(scope="module", params=["astana weekday, seed 1", "small, jittery, no depot"])
def case(request: pytest.FixtureRequest) -> DayCase:
    name = str(request.param)
    if name.startswith("astana"):
        scenario, plan = request.getfixturevalue("astana_weekday")
        return astana_case(name, scenario, plan)
    return small_case(name)


def _samples(case: DayCase) -> pd.DataFrame:
    samples: pd.DataFrame = case.day.trajectory.samples(STEP_S)  # type: ignore[attr-defined]
    assert set(SAMPLE_COLUMNS) <= set(samples.columns), list(samples.columns)
    return samples


# EXPECTED TO FAIL (AttributeError: no DayResult.trajectory) until trajectories land.
def test_no_simulated_train_comes_closer_than_moving_block_allows(case: DayCase) -> None:
    samples = _samples(case)
    assert samples["block_id"].nunique() >= case.day.stop_times["block_id"].nunique() // 2
    found = separation_shortfalls(samples, case.scenario)
    assert not found, found[:3]


# EXPECTED TO FAIL (AttributeError: no DayResult.trajectory) until trajectories land.
def test_the_trajectories_follow_the_stop_times(case: DayCase) -> None:
    check_samples_follow_stop_times(_samples(case), case.day.stop_times, case.scenario)


def test_the_planned_positions_follow_a_calm_days_stop_times() -> None:
    """The trajectory check itself, today: the calm small day's stop times are its timetable,
    so the planned positions (`planning.motion`) must agree with them; a running train moved
    1 km (more than any of the line's segments), or one standing at a stop set moving, not."""
    calm = small_case("small, calm")
    times = [6.0 * 3600.0 + 3.0 * k for k in range(4 * 1200)]
    samples = planned_positions(calm.plan, times)
    assert len(samples) > 5000
    check_samples_follow_stop_times(samples, calm.day.stop_times, calm.scenario)
    moving = samples.index[samples["speed_mps"] > 5.0][100]
    moved = samples.copy()
    moved.loc[moving, "km"] += 1.0
    with pytest.raises(AssertionError, match="not where its stop times put it"):
        check_samples_follow_stop_times(moved, calm.day.stop_times, calm.scenario)
    terminal = samples["km"].isin([calm.scenario.line.stations[i].km for i in (0, -1)])
    standing = samples.index[(samples["speed_mps"] == 0.0) & ~terminal][50]
    moved = samples.copy()
    moved.loc[standing, "speed_mps"] = 1.0
    with pytest.raises(AssertionError, match="stands at"):
        check_samples_follow_stop_times(moved, calm.day.stop_times, calm.scenario)
