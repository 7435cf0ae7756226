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
