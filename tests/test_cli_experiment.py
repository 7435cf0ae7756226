"""`lrtsim experiment montecarlo`, run as a real process: the JSON contract, the days table, a
day re-run alone by `lrtsim simulate` with its seed, the same result on one or two workers, and
bad options."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pandas as pd
import pytest

from lrtsim.experiments.seeds import day_seed
from lrtsim.experiments.stats import half_width, summarize
from lrtsim.experiments.stopping import ROUND_DAYS
from support.cli import failed_cleanly, in_parallel, one_json_object, run_cli

SCHEMA = json.loads(
    (Path(__file__).parents[1] / "docs" / "json" / "montecarlo.schema.json").read_text("utf-8")
)
DAYS = 4
BASE_SEED = 11
RULE_HALF_WIDTH = 0.03
"""Reached after a few rounds of 20 Astana days (the days' excess waits vary by ~0.08 s)."""


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("cli_experiment")
    common = [
        "experiment",
        "montecarlo",
        "--days",
        str(DAYS),
        "--seed",
        str(BASE_SEED),
        "--no-cache",
    ]
    rule = ["experiment", "montecarlo", "--days", "200", "--seed", str(BASE_SEED), "--no-cache"]
    rule += ["--until-ci", f"excess_wait_s={RULE_HALF_WIDTH}"]
    commands = {
        "one": [*common, "--workers", "1", "--json", "--out", "one"],
        "two": [*common, "--workers", "2", "--json", "--out", "two"],
        "table": [*common, "--workers", "1", "--out", "table"],
        "until_one": [*rule, "--workers", "1", "--json", "--out", "until_one"],
        "until_two": [*rule, "--workers", "2", "--json", "--out", "until_two"],
        "not_met": [*common, "--until-ci", "mean_wait_s=0.000001", "--json", "--out", "not_met"],
        "no_days": ["experiment", "montecarlo", "--days", "0"],
        "rule_no_kpi": ["experiment", "montecarlo", "--until-ci", "waits=1"],
        "rule_no_sign": ["experiment", "montecarlo", "--until-ci", "excess_wait_s"],
        "rule_nan": ["experiment", "montecarlo", "--until-ci", "excess_wait_s=nan"],
        "rule_negative": ["experiment", "montecarlo", "--until-ci", "excess_wait_s=-1"],
        "no_workers": ["experiment", "montecarlo", "--workers", "0"],
        "bad_incident": ["experiment", "montecarlo", "--incident", "08:15,derailed,Yesil,2"],
    }
    done = in_parallel({k: (lambda a=a: run_cli(a, base)) for k, a in commands.items()})
    return {"base": base, **done}


def test_json_follows_its_schema(runs: dict[str, Any]) -> None:
    payload = one_json_object(runs["one"])
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.validate(payload, SCHEMA)
    assert payload["days"] == DAYS
    assert payload["seed"] == BASE_SEED
    assert "excess_wait_s" in payload["summaries"]
    stored = json.loads((runs["base"] / "one" / "summary.json").read_text("utf-8"))
    assert stored == {k: v for k, v in payload.items() if k not in ("out", "files")}


def test_the_days_table_has_a_row_a_day_with_its_seed(runs: dict[str, Any]) -> None:
    days = pd.read_parquet(runs["base"] / "one" / "days.parquet")
    assert list(days["day"]) == list(range(DAYS))
    assert list(days["seed"]) == [day_seed(BASE_SEED, i) for i in range(DAYS)]
    # The summary is the bootstrap of the table's own column (same stream, same numbers).
    payload = one_json_object(runs["one"])
    mean = summarize("mean_wait_s", days["mean_wait_s"].to_numpy(float), seed=BASE_SEED).mean
    shown = payload["summaries"]["mean_wait_s"]["mean"]
    assert shown["value"] == pytest.approx(mean.value, abs=1e-3)
    assert shown["low"] == pytest.approx(mean.low, abs=1e-3)
    assert shown["high"] == pytest.approx(mean.high, abs=1e-3)


def test_one_or_two_workers_give_the_same_days(runs: dict[str, Any]) -> None:
    one = pd.read_parquet(runs["base"] / "one" / "days.parquet")
    two = pd.read_parquet(runs["base"] / "two" / "days.parquet")
    pd.testing.assert_frame_equal(one, two)
    a, b = one_json_object(runs["one"]), one_json_object(runs["two"])
    assert a["summaries"] == b["summaries"]
    assert (runs["base"] / "one" / "days.parquet").read_bytes() == (
        runs["base"] / "two" / "days.parquet"
    ).read_bytes()


def test_any_day_is_rerun_alone_by_simulate_with_its_seed(
    runs: dict[str, Any], tmp_path: Path
) -> None:
    days = pd.read_parquet(runs["base"] / "one" / "days.parquet")
    seed = int(days.loc[2, "seed"])
    alone = one_json_object(
        run_cli(["simulate", "--seed", str(seed), "--json", "--out", "d"], tmp_path)
    )
    for key, value in alone["kpis"].items():
        row = days.loc[2, key]
        if value is None:
            assert row is None or np.isnan(row), key
        else:
            assert row == pytest.approx(value, abs=1e-3), key


def test_the_table_names_each_kpi_with_its_interval(runs: dict[str, Any]) -> None:
    done = runs["table"]
    assert done.returncode == 0, done.stderr
    assert f"{DAYS} simulated weekday days, base seed {BASE_SEED}" in done.stdout
    for kpi in ("punctuality_pct", "excess_wait_s", "energy_kwh"):
        (line,) = [x for x in done.stdout.splitlines() if f" {kpi} " in x]
        value, interval = line.split("│")[3].strip().split(" [")
        assert float(value.replace(",", "")) >= 0
        assert "–" in interval


def test_until_ci_stops_at_the_first_look_where_the_interval_is_narrow(
    runs: dict[str, Any],
) -> None:
    payload = one_json_object(runs["until_one"])
    jsonschema.validate(payload, SCHEMA)
    assert payload["until_ci"] == {
        "kpi": "excess_wait_s",
        "half_width": RULE_HALF_WIDTH,
        "met": True,
        "max_days": 200,
    }
    n = payload["days"]
    assert n % ROUND_DAYS == 0
    assert n < 200
    days = pd.read_parquet(runs["base"] / "until_one" / "days.parquet")
    assert list(days["day"]) == list(range(n))
    values = days["excess_wait_s"].to_numpy(float)

    def half(k: int) -> float:
        return half_width(summarize("excess_wait_s", values[:k], seed=BASE_SEED).mean)

    assert half(n) <= RULE_HALF_WIDTH
    assert all(half(k) > RULE_HALF_WIDTH for k in range(ROUND_DAYS, n, ROUND_DAYS))
    # Where it stops depends on the seeds alone, not on the workers.
    two = one_json_object(runs["until_two"])
    assert two["days"] == n
    assert two["summaries"] == payload["summaries"]


def test_until_ci_not_met_runs_every_day_and_says_so(runs: dict[str, Any]) -> None:
    payload = one_json_object(runs["not_met"])
    assert payload["until_ci"]["met"] is False
    assert payload["days"] == DAYS


@pytest.mark.parametrize(
    ("case", "needle"),
    [
        ("no_days", "--days"),
        ("no_workers", "--workers"),
        ("bad_incident", "--incident 1"),
        ("rule_no_kpi", "--until-ci: 'waits' is not a KPI a rule may name"),
        ("rule_no_sign", "--until-ci: 'excess_wait_s' is not KPI=HALF_WIDTH"),
        ("rule_nan", "--until-ci: the half-width must be a positive finite number, not nan"),
        ("rule_negative", "--until-ci: the half-width must be a positive finite number, not -1"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(runs: dict[str, Any], case: str, needle: str) -> None:
    failed_cleanly(runs[case], needle)
    assert not (runs["base"] / "montecarlo-astana").exists()


def test_an_experiment_is_recorded_in_the_catalogue(tmp_path: Path) -> None:
    """The run records itself `complete` with its folder, days and summary; `experiment list`
    then shows it; a failure (the folder taken) is recorded `failed`."""
    from lrtsim.io.catalogue import Catalogue

    db = tmp_path / "cat.sqlite"
    args = ["experiment", "montecarlo", "--days", "2", "--workers", "1", "--db", str(db)]
    payload = one_json_object(run_cli([*args, "--out", "mc", "--json"], tmp_path))
    assert payload["files"] == ["days.parquet", "report.html", "summary.json"]
    page = (tmp_path / "mc" / "report.html").read_text("utf-8")
    assert "Worst day 1" in page
    assert '<script src="http' not in page
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "mine.txt").write_text("not lrtsim's", encoding="utf-8")
    failed_cleanly(run_cli([*args, "--out", "taken"], tmp_path), "--force")
    with Catalogue.open(db) as catalogue:
        records = catalogue.experiments()
    assert [r.status for r in records] == ["complete"]
    done = records[0]
    assert done.kind == "montecarlo"
    assert done.days == 2
    assert done.seed == payload["seed"]
    assert Path(done.folder or "") == (tmp_path / "mc").resolve()
    stored, printed = done.summary["summaries"], payload["summaries"]
    assert stored.keys() == printed.keys()
    for kpi, summary in printed.items():
        assert stored[kpi]["mean"]["value"] == pytest.approx(summary["mean"]["value"], rel=5e-3)
    listed = run_cli(["experiment", "list", "--db", str(db)], tmp_path)
    assert done.id[:8] in listed.stdout
