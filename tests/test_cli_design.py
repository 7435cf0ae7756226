"""`lrtsim experiment design` as a real process: bad targets and variables exit 2 before any
work, naming the option and the reason, and write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.cli import failed_cleanly, run_cli


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--target", "excess_wait_s=60"], ["--target excess_wait_s=60", "KPI<=VALUE"]),
        (["--target", "speed<=3@p90"], ["'speed' is not a KPI"]),
        (["--target", "excess_wait_s<=nan@p90"], ["finite"]),
        (["--target", "excess_wait_s<=60@p99"], ["'p99' is not a statistic"]),
        (["--target", "excess_wait_s<=60@p90", "--vary", "fleet"], ["--vary", "'fleet'"]),
        ([], ["--target", "at least one target"]),
    ],
)
def test_bad_design_options_exit_2_before_any_work(
    tmp_path: Path, args: list[str], needles: list[str]
) -> None:
    run = run_cli(["experiment", "design", "astana", *args, "--out", "d"], tmp_path)
    failed_cleanly(run, *needles)
    assert not (tmp_path / "d").exists()


def test_a_binding_design_on_astana_end_to_end(tmp_path: Path) -> None:
    """A wait target that binds: the answer meets every target, the next longer headway was
    tried and fails, points.csv is design.json's evidence, each point's figures are those of
    its days (read from the cache of finished days), and the search run again from that cache
    writes the same design.json."""
    import json

    import numpy as np
    import pandas as pd

    from lrtsim.experiments.day_cache import DayCache, cache_key, lrtsim_version
    from lrtsim.experiments.design import with_peak_headway
    from lrtsim.io.catalogue import Catalogue
    from lrtsim.io.resolved import scenario_hash
    from lrtsim.model.load import load_scenario
    from support.cli import ok

    args = ["experiment", "design", "astana", "--target", "mean_wait_s<=200@mean"]
    args += ["--target", "excess_wait_s<=60@p90", "--days", "2", "--seed", "4"]
    args += ["--workers", "2", "--db", "cat.sqlite"]
    first = ok(run_cli([*args, "--out", "d1"], tmp_path))
    design = json.loads((tmp_path / "d1" / "design.json").read_text("utf-8"))
    points = {p["peak_headway_s"]: p for p in design["points"]}
    best, nxt = design["answer"], design["neighbour"]
    assert best is not None
    assert nxt is not None
    assert points[best["peak_headway_s"]]["met"] is True
    assert points[nxt["peak_headway_s"]]["met"] is False
    assert nxt["peak_headway_s"] > best["peak_headway_s"]
    assert all(not p["met"] for h, p in points.items() if h > best["peak_headway_s"])
    assert nxt["fleet"] <= best["fleet"]
    assert f"a fleet of {best['fleet']} with spares" in first.stdout
    assert "fails: the mean of mean_wait_s" in first.stdout

    csv = pd.read_csv(tmp_path / "d1" / "points.csv")
    assert sorted(csv["peak_headway_s"]) == sorted(points)
    for row in csv.itertuples():
        point = points[row.peak_headway_s]
        assert row.fleet == point["fleet"]
        assert row.met == point["met"]
        mean = point["summaries"]["mean_wait_s"]["mean"]["value"]
        assert row.mean_wait_s_mean == pytest.approx(mean, rel=1e-5)

    astana = load_scenario("astana")
    for headway_s, point in points.items():
        varied = with_peak_headway(astana, "weekday", headway_s)
        key = cache_key(scenario_hash(varied, "astana"), 4, lrtsim_version())
        days = pd.DataFrame(DayCache(tmp_path / "runs" / "cache", key).rows(range(2)))
        assert len(days) == 2, headway_s
        mean = point["summaries"]["mean_wait_s"]["mean"]["value"]
        assert mean == pytest.approx(float(np.mean(days["mean_wait_s"])), rel=1e-5)

    again = ok(run_cli([*args, "--out", "d2"], tmp_path))
    assert again.stderr.count("2 finished days found") == len(points)
    assert (tmp_path / "d2" / "design.json").read_bytes() == (
        tmp_path / "d1" / "design.json"
    ).read_bytes()
    with Catalogue.open(tmp_path / "cat.sqlite") as catalogue:
        records = catalogue.experiments()
    assert [(r.kind, r.status) for r in records] == [("design", "complete")] * 2
