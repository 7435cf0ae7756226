"""A sweep's tables: one row per point with its parameters, plan and KPI statistics, every day
of every point with its point and parameters, and the JSON payload; built from made-up days so
that every number can be checked against the days it comes from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lrtsim.experiments import overrides as o
from lrtsim.experiments import sweep as sw
from lrtsim.experiments.stats import STATISTICS, summarize_table
from lrtsim.model.load import load_scenario

SEED = 5
DAYS = 4


@pytest.fixture(scope="module")
def swept() -> tuple[o.Grid, list[sw.PointResult]]:
    base = load_scenario("astana")
    settings = [
        "service.periods[1].max_headway_s=240,300",
        "operations.control.strategy=none,holding",
    ]
    grid = o.build_grid(base, [o.parse_setting(s) for s in settings], "astana")
    rng = np.random.default_rng(SEED)
    results = []
    for p in grid.points:
        days = pd.DataFrame(
            {
                "day": range(DAYS),
                "seed": [100 + d for d in range(DAYS)],
                "excess_wait_s": rng.normal(10 + p.index, 1, DAYS),
                "energy_kwh": rng.normal(5e4, 100, DAYS),
            }
        )
        summaries = summarize_table(days, ["excess_wait_s", "energy_kwh"], seed=SEED)
        results.append(
            sw.PointResult(
                point=p,
                day_type="weekday",
                fleet=20 - p.index,
                trains_in_service=18 - p.index,
                days=days,
                summaries=tuple(summaries),
            )
        )
    return grid, results


def test_the_points_table_has_parameters_plan_then_statistics(
    swept: tuple[o.Grid, list[sw.PointResult]],
) -> None:
    grid, results = swept
    table = sw.points_table(grid, results)
    head = ["point", "service.periods[1].max_headway_s", "operations.control.strategy"]
    assert list(table.columns[:7]) == [*head, "day_type", "fleet", "trains_in_service", "days"]
    assert list(table["point"]) == [0, 1, 2, 3]
    assert list(table["service.periods[1].max_headway_s"]) == [240.0, 240.0, 300.0, 300.0]
    assert list(table["operations.control.strategy"]) == ["none", "holding", "none", "holding"]
    assert list(table["fleet"]) == [20, 19, 18, 17]
    assert list(table["days"]) == [DAYS] * 4
    for r in results:
        values = r.days["excess_wait_s"].to_numpy()
        got = table.loc[table["point"] == r.point.index].iloc[0]
        assert got["excess_wait_s_mean"] == pytest.approx(values.mean())
        assert got["excess_wait_s_p90"] == pytest.approx(np.quantile(values, 0.9))
        assert got["excess_wait_s_mean_low"] <= got["excess_wait_s_mean"]
        assert got["excess_wait_s_mean"] <= got["excess_wait_s_mean_high"]
    for kpi in ("excess_wait_s", "energy_kwh"):
        for stat in STATISTICS:
            assert {f"{kpi}_{stat}", f"{kpi}_{stat}_low", f"{kpi}_{stat}_high"} <= set(
                table.columns
            )


def test_the_days_table_is_every_day_of_every_point(
    swept: tuple[o.Grid, list[sw.PointResult]],
) -> None:
    grid, results = swept
    days = sw.days_table(grid, results)
    assert list(days.columns[:5]) == [
        "point",
        "service.periods[1].max_headway_s",
        "operations.control.strategy",
        "day",
        "seed",
    ]
    assert len(days) == DAYS * len(results)
    assert list(days["point"]) == [p for p in range(4) for _ in range(DAYS)]
    for r in results:
        mine = days[days["point"] == r.point.index].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine[list(r.days.columns)], r.days)
        assert set(mine["operations.control.strategy"]) == {r.point.values[1]}


def test_a_parameter_of_mixed_kinds_is_written_as_its_text() -> None:
    mixed = o.Setting(path="p", keys=("p",), texts=("flat", "[1, 2]"), values=("flat", [1, 2]))
    assert sw.column_values(mixed) == ["flat", "[1, 2]"]
    numbers = o.Setting(path="p", keys=("p",), texts=("1", "0.5"), values=(1, 0.5))
    assert sw.column_values(numbers) == [1, 0.5]
    flags = o.Setting(path="p", keys=("p",), texts=("true", "1"), values=(True, 1))
    assert sw.column_values(flags) == ["true", "1"]


def test_the_payload_names_each_point_by_its_settings(
    swept: tuple[o.Grid, list[sw.PointResult]],
) -> None:
    grid, results = swept
    payload = sw.sweep_payload("astana", SEED, DAYS, 1, grid, results)
    assert payload["parameters"][0] == {
        "path": "service.periods[1].max_headway_s",
        "values": [240.0, 300.0],
        "texts": ["240", "300"],
    }
    point = payload["points"][3]
    assert point["set"] == [
        "service.periods[1].max_headway_s=300",
        "operations.control.strategy=holding",
    ]
    assert point["values"] == [300.0, "holding"]
    assert point["fleet"] == 17
    assert point["summaries"]["excess_wait_s"]["mean"]["value"] == pytest.approx(
        results[3].days["excess_wait_s"].mean()
    )


def test_the_catalogue_keeps_each_points_settings_plan_and_means(
    swept: tuple[o.Grid, list[sw.PointResult]],
) -> None:
    grid, results = swept
    payload = sw.sweep_payload("astana", SEED, DAYS, 1, grid, results)
    kept = sw.record_summary(payload)
    assert kept["parameters"] == [{"path": s.path, "texts": list(s.texts)} for s in grid.settings]
    assert len(kept["points"]) == len(results)
    for p, r in zip(kept["points"], results, strict=True):
        assert p["set"] == payload["points"][r.point.index]["set"]
        assert p["fleet"] == r.fleet
        assert set(p["means"]) == {"excess_wait_s", "energy_kwh"}  # the charted KPIs it has
        assert p["means"]["energy_kwh"] == pytest.approx(r.days["energy_kwh"].mean())
