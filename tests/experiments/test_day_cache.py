"""The cache of finished days: keyed by what the days depend on, rows read back exactly as the
simulation gave them, only the missing days simulated, and what finished kept when a run is
interrupted."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from lrtsim.experiments.day_cache import DayCache, cache_key
from lrtsim.experiments.days import PreparedDay, day_table, prepare, run_days
from lrtsim.experiments.engine import open_engine, stored_runner
from lrtsim.model.load import load_scenario
from lrtsim.pipeline import configure

INCIDENT = "08:15,track_blocked,Baiterek,House of Ministries,12"


def fake_row(day: int) -> dict[str, Any]:
    """A row with every kind of value a KPI row holds: int, float, None, text."""
    return {
        "day": day,
        "seed": 1000 + day,
        "mean_wait_s": 200.0 + day / 7,
        "trips": 3 * day,
        "delay_passenger_hours": None if day % 2 else day * 0.1,
        "worst_station": f"S{day}",
    }


class Recorded:
    """A stream of fake rows, one batch per day, that notes which days it was asked for and
    can fail after some batches."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.asked: list[int] = []
        self.fail_after = fail_after

    def __call__(self, days: Sequence[int]) -> Iterator[list[dict[str, Any]]]:
        for n, day in enumerate(days):
            if self.fail_after is not None and n == self.fail_after:
                raise KeyboardInterrupt
            self.asked.append(day)
            yield [fake_row(day)]


def test_the_key_changes_with_each_thing_the_days_depend_on() -> None:
    base = cache_key("a" * 64, 0, "0.3.0")
    assert len(base) == 64
    assert base == cache_key("a" * 64, 0, "0.3.0")
    others = {cache_key("b" * 64, 0, "0.3.0"), cache_key("a" * 64, 1, "0.3.0")}
    others.add(cache_key("a" * 64, 0, "0.3.1"))
    assert base not in others
    assert len(others) == 3


def test_only_the_missing_days_are_simulated_and_the_rows_come_back_the_same(
    tmp_path: Path,
) -> None:
    first = Recorded()
    fresh = stored_runner(first, DayCache(tmp_path, "k"))(range(4), None)
    assert first.asked == [0, 1, 2, 3]
    second, counted = Recorded(), []
    again = stored_runner(second, DayCache(tmp_path, "k"))(range(7), counted.append)
    assert second.asked == [4, 5, 6]
    assert sum(counted) == 7
    whole = day_table([fake_row(d) for d in range(7)])
    pd.testing.assert_frame_equal(again, whole, check_exact=True)
    pd.testing.assert_frame_equal(fresh, whole.iloc[:4], check_exact=True)
    assert DayCache(tmp_path, "k").rows([5, 2]) == [fake_row(5), fake_row(2)]


def test_another_key_shares_nothing(tmp_path: Path) -> None:
    stored_runner(Recorded(), DayCache(tmp_path, "k"))(range(3), None)
    other = Recorded()
    stored_runner(other, DayCache(tmp_path, "other"))(range(3), None)
    assert other.asked == [0, 1, 2]


def test_an_interrupted_run_keeps_what_finished(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        stored_runner(Recorded(fail_after=3), DayCache(tmp_path, "k"))(range(10), None)
    assert DayCache(tmp_path, "k").held == 3
    resumed = Recorded()
    table = stored_runner(resumed, DayCache(tmp_path, "k"))(range(10), None)
    assert resumed.asked == list(range(3, 10))
    pd.testing.assert_frame_equal(table, day_table([fake_row(d) for d in range(10)]))


def test_a_file_cut_short_only_costs_its_days(tmp_path: Path) -> None:
    stored_runner(Recorded(), DayCache(tmp_path, "k"))(range(3), None)
    (tmp_path / "k" / "days-0000003-0000005-deadbeef.parquet").write_bytes(b"PAR1 cut")
    (tmp_path / "k" / ".days-0000006-0000006-cafe.parquet.tmp").write_bytes(b"half")
    resumed = Recorded()
    stored_runner(resumed, DayCache(tmp_path, "k"))(range(6), None)
    assert resumed.asked == [3, 4, 5]


def test_an_unwritable_cache_is_a_clear_error(tmp_path: Path) -> None:
    from lrtsim.errors import LrtsimError

    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    with pytest.raises(LrtsimError, match="cannot write the day cache"):
        stored_runner(Recorded(), DayCache(tmp_path / "file", "k"))(range(2), None)


@pytest.fixture(scope="module")
def prepared() -> PreparedDay:
    return prepare(configure(load_scenario("astana"), [INCIDENT]), None)


def test_simulated_days_read_back_bit_for_bit_on_any_engine(
    prepared: PreparedDay, tmp_path: Path
) -> None:
    """Real days (with an incident: the delay KPIs are set) kept by a 2-worker pool and read
    back by the in-process engine equal the days simulated afresh."""
    fresh = run_days(prepared, 5, range(4), workers=1)
    with open_engine("local", 2) as pool:
        pool.runner(prepared, 5, DayCache(tmp_path, "k"))(range(2), None)
    with open_engine("local", 1) as alone:
        store = DayCache(tmp_path, "k")
        assert store.held == 2
        resumed = alone.runner(prepared, 5, store)(range(4), None)
    pd.testing.assert_frame_equal(resumed, fresh, check_exact=True)
    assert list(resumed.dtypes) == list(fresh.dtypes)


def test_one_pool_serves_several_plans(prepared: PreparedDay) -> None:
    """The experiment's pool runs a second plan (no incident) with that plan's rows, not the
    first plan's: each task names its plan."""
    plain = prepare(load_scenario("astana"), None)
    with open_engine("local", 2) as pool:
        a = pool.runner(prepared, 2, None)(range(2), None)
        b = pool.runner(plain, 2, None)(range(2), None)
    pd.testing.assert_frame_equal(b, run_days(plain, 2, range(2), workers=1), check_exact=True)
    pd.testing.assert_frame_equal(a, run_days(prepared, 2, range(2), workers=1), check_exact=True)
    assert a["delay_passenger_hours"].notna().all()
    assert b["delay_passenger_hours"].isna().all()


def test_the_version_names_the_release_and_the_code() -> None:
    from lrtsim import __version__
    from lrtsim.experiments.day_cache import lrtsim_version

    release, code = lrtsim_version().split("+")
    assert release == __version__
    assert len(code) == 16
    assert int(code, 16) >= 0
