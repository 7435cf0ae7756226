"""`lrtsim experiment sweep`, run as real processes: the JSON contract, the tables against the
days (each point's statistics are those of its days), the same days at every point (common
random numbers), a point's days the same as a Monte Carlo of that point's scenario, one or two
workers giving the same bytes, the printed table, the catalogue's record, and bad `--set`
values exiting 2 with nothing written.

All commands start together from one module fixture.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pandas as pd
import pytest

from lrtsim.experiments.seeds import day_seed
from lrtsim.experiments.stats import STATISTICS, summarize
from lrtsim.model.load import embedded_text
from support.cli import failed_cleanly, in_parallel, one_json_object, run_cli
from support.scenarios import replaced

SCHEMA = json.loads(
    (Path(__file__).parents[1] / "docs" / "json" / "sweep.schema.json").read_text("utf-8")
)
DAYS = 2
SEED = 11
HEADWAY = "service.periods[1].max_headway_s"
VALUES = ("240", "300")
FILES = ["days.parquet", "summary.json", "sweep.csv", "sweep.html", "sweep.parquet", "sweep.png"]
PEAK = '{ from = "07:00", to = "10:00", max_headway_s = 300 }'


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("cli_sweep")
    # The first point's scenario as a file of its own, for a Monte Carlo of it.
    point = replaced(embedded_text("astana"), (PEAK, PEAK.replace("= 300", "= 240")))
    (base / "point0.toml").write_text(point, encoding="utf-8")
    sweep = ["experiment", "sweep", "--set", f"{HEADWAY}={','.join(VALUES)}"]
    common = [*sweep, "--days", str(DAYS), "--seed", str(SEED), "--no-cache"]
    bad = ["experiment", "sweep", "--days", "2", "--workers", "1", "--db", "bad.sqlite"]
    bad += ["--out", "bad"]
    commands = {
        "one": [*common, "--workers", "1", "--json", "--out", "one", "--db", "one.sqlite"],
        "two": [*common, "--workers", "2", "--json", "--out", "two", "--db", "two.sqlite"],
        "table": [*common, "--workers", "1", "--out", "table", "--db", "table.sqlite"],
        "montecarlo": [
            *("experiment", "montecarlo", "point0.toml", "--days", str(DAYS)),
            *("--seed", str(SEED), "--workers", "1", "--no-cache", "--json", "--out", "mc"),
            *("--db", "mc.sqlite"),
        ],
        "unknown_key": [*bad, "--set", "operations.dwel_cv=0.2,0.4"],
        "out_of_range": [*bad, "--set", "service.periods[9].max_headway_s=240"],
        "not_a_number": [*bad, "--set", f"{HEADWAY}=300,abc"],
        "nan": [*bad, "--set", f"{HEADWAY}=nan"],
        "refused": [*bad, "--set", f"{HEADWAY}=-60"],
        "twice": [*bad, "--set", f"{HEADWAY}=240", "--set", f"{HEADWAY}=300"],
        "empty": [*bad, "--set", f"{HEADWAY}="],
        "no_set": bad,
        "together": [
            *(*bad, "--set", "service.periods[1].to=11:00"),
            *("--set", "service.periods[2].from=11:00,10:00"),
        ],
    }
    done = in_parallel({k: (lambda a=a: run_cli(a, base)) for k, a in commands.items()})
    return {"base": base, **done}


def _days(runs: dict[str, Any], folder: str) -> pd.DataFrame:
    return pd.read_parquet(runs["base"] / folder / "days.parquet")


def test_json_follows_its_schema_and_is_the_summary(runs: dict[str, Any]) -> None:
    payload = one_json_object(runs["one"])
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.validate(payload, SCHEMA)
    assert payload["files"] == FILES
    assert (payload["seed"], payload["days_per_point"]) == (SEED, DAYS)
    assert payload["parameters"] == [
        {"path": HEADWAY, "values": [float(v) for v in VALUES], "texts": list(VALUES)}
    ]
    assert [p["set"] for p in payload["points"]] == [[f"{HEADWAY}={v}"] for v in VALUES]
    stored = json.loads((runs["base"] / "one" / "summary.json").read_text("utf-8"))
    assert stored == {k: v for k, v in payload.items() if k not in ("out", "files")}
    folder = runs["base"] / "one"
    assert (folder / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (folder / "sweep.html").read_text("utf-8")
    assert "chart-sweep" in page
    assert '<script src="http' not in page


def test_each_points_statistics_are_those_of_its_days(runs: dict[str, Any]) -> None:
    payload = one_json_object(runs["one"])
    days = _days(runs, "one")
    table = pd.read_parquet(runs["base"] / "one" / "sweep.parquet")
    csv = pd.read_csv(runs["base"] / "one" / "sweep.csv")
    pd.testing.assert_frame_equal(csv, table, check_dtype=False)
    assert list(table["point"]) == [0, 1]
    assert list(table[HEADWAY]) == [float(v) for v in VALUES]
    assert len(days) == DAYS * len(VALUES)
    for p, row in zip(payload["points"], table.itertuples(index=False), strict=True):
        mine = days[days["point"] == p["point"]]
        assert set(mine[HEADWAY]) == {p["values"][0]}
        assert p["days"] == len(mine) == DAYS
        assert (row.fleet, row.trains_in_service) == (p["fleet"], p["trains_in_service"])
        for kpi in ("excess_wait_s", "mean_wait_s", "energy_kwh"):
            values = mine[kpi].to_numpy(float)
            mean = table.loc[table["point"] == p["point"], f"{kpi}_mean"].iloc[0]
            assert mean == pytest.approx(values.mean())
            assert p["summaries"][kpi]["mean"]["value"] == pytest.approx(values.mean(), abs=1e-3)
            again = summarize(kpi, values, seed=SEED)
            for stat in STATISTICS:
                e = again.estimate(stat)
                shown = table.loc[table["point"] == p["point"]].iloc[0]
                assert shown[f"{kpi}_{stat}"] == pytest.approx(e.value)
                assert shown[f"{kpi}_{stat}_low"] == pytest.approx(e.low)
                assert shown[f"{kpi}_{stat}_high"] == pytest.approx(e.high)
    # A longer peak headway needs no more trains.
    assert table["fleet"].iloc[0] >= table["fleet"].iloc[1]


def test_every_point_runs_the_same_days_from_the_base_seed(runs: dict[str, Any]) -> None:
    days = _days(runs, "one")
    seeds = [day_seed(SEED, i) for i in range(DAYS)]
    for _, mine in days.groupby("point"):
        assert list(mine["day"]) == list(range(DAYS))
        assert list(mine["seed"]) == seeds
    # Different headways, different days: the parameter shows.
    by_point = [mine["mean_wait_s"].to_numpy(float) for _, mine in days.groupby("point")]
    assert not np.array_equal(by_point[0], by_point[1])


def test_a_points_days_are_a_montecarlo_of_its_scenario(runs: dict[str, Any]) -> None:
    one_json_object(runs["montecarlo"])
    alone = _days(runs, "mc")
    swept = _days(runs, "one")
    first = swept[swept["point"] == 0].drop(columns=["point", HEADWAY]).reset_index(drop=True)
    pd.testing.assert_frame_equal(first, alone)


def test_one_or_two_workers_give_the_same_bytes(runs: dict[str, Any]) -> None:
    a, b = one_json_object(runs["one"]), one_json_object(runs["two"])
    assert a["points"] == b["points"]
    for name in ("days.parquet", "sweep.parquet", "sweep.csv", "summary.json"):
        one = (runs["base"] / "one" / name).read_bytes()
        two = (runs["base"] / "two" / name).read_bytes()
        if name == "summary.json":  # only the workers differ
            one = one.replace(b'"workers": 1', b'"workers": 2')
        assert one == two, name


def test_the_table_shows_each_points_parameters_fleet_and_means(runs: dict[str, Any]) -> None:
    done = runs["table"]
    assert done.returncode == 0, done.stderr
    assert f"astana: 2 points, {DAYS} days each, base seed {SEED}" in done.stdout
    table = pd.read_parquet(runs["base"] / "table" / "sweep.parquet")
    header = next(line for line in done.stdout.splitlines() if "excess_wait_s" in line)
    names = [c.strip() for c in header.split("┃")[1:-1]]
    assert names[:4] == ["point", HEADWAY, "fleet", "in service"]
    rows = [
        dict(zip(names, (c.strip() for c in line.split("│")[1:-1]), strict=True))
        for line in done.stdout.splitlines()
        if line.startswith("│")
    ]
    assert [r[HEADWAY] for r in rows] == list(VALUES)
    for cells, row in zip(rows, table.itertuples(index=False), strict=True):
        assert cells["fleet"] == str(row.fleet)
        shown, interval = cells["excess_wait_s"].split(" [")
        assert float(shown.replace(",", "")) == pytest.approx(row.excess_wait_s_mean, abs=1e-3)
        low, high = (float(x.replace(",", "")) for x in interval.rstrip("]").split("–"))
        assert low == pytest.approx(row.excess_wait_s_mean_low, abs=1e-3)
        assert high == pytest.approx(row.excess_wait_s_mean_high, abs=1e-3)
    assert "Wrote table:" in done.stdout


def test_the_sweep_is_recorded_in_the_catalogue(runs: dict[str, Any]) -> None:
    from lrtsim.io.catalogue import Catalogue

    payload = one_json_object(runs["one"])
    with Catalogue.open(runs["base"] / "one.sqlite") as catalogue:
        records = catalogue.experiments()
    assert [(r.kind, r.status) for r in records] == [("sweep", "complete")]
    done = records[0]
    assert done.days == DAYS * len(VALUES)
    assert done.seed == SEED
    assert Path(done.folder or "") == (runs["base"] / "one").resolve()
    assert done.options["set"] == [f"{HEADWAY}={','.join(VALUES)}"]
    assert done.options["points"] == len(VALUES)
    kept = done.summary["points"]
    assert [p["set"] for p in kept] == [p["set"] for p in payload["points"]]
    for p, printed in zip(kept, payload["points"], strict=True):
        assert p["fleet"] == printed["fleet"]
        value = printed["summaries"]["excess_wait_s"]["mean"]["value"]
        assert p["means"]["excess_wait_s"] == pytest.approx(value, abs=1e-3)
    shown = run_cli(["experiment", "show", "latest", "--db", "one.sqlite"], runs["base"])
    assert shown.returncode == 0, shown.stderr
    assert "points" in shown.stdout
    assert "service.periods[1].max_headway_s=240" in shown.stdout


@pytest.mark.parametrize(
    ("case", "needles"),
    [
        ("unknown_key", ["--set operations.dwel_cv=0.2:", "did you mean 'dwell_cv'?"]),
        ("out_of_range", ["--set service.periods[9].max_headway_s=240:", "5 entries"]),
        ("not_a_number", [f"--set {HEADWAY}=abc: {HEADWAY}:", "valid number"]),
        ("nan", [f"--set {HEADWAY}=nan:", "must be a finite number"]),
        ("refused", [f"--set {HEADWAY}=-60: {HEADWAY}:", "greater than 0"]),
        ("twice", [f"{HEADWAY} is given twice"]),
        ("empty", [f"--set {HEADWAY}=: no values"]),
        ("no_set", ["--set: give at least one"]),
        (
            "together",
            [
                "--set service.periods[1].to=11:00 --set service.periods[2].from=10:00:",
                "starts before the previous period ends",
            ],
        ),
    ],
)
def test_bad_settings_exit_2_and_write_nothing(
    runs: dict[str, Any], case: str, needles: list[str]
) -> None:
    failed_cleanly(runs[case], *needles)
    base = runs["base"]
    assert not (base / "bad").exists()
    assert not (base / "bad.sqlite").exists()
    assert not (base / "sweep-astana").exists()
