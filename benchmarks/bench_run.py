"""Time the main job, `lrtsim run` (`make bench`): its report's parts in-process, and the whole
command from start to end.

In-process, after one warm-up run (numba's kernels): the pipeline (running times to KPIs), the
report's charts (every section built, plotly and data), report.html, the static PNGs and the
other files, each the median of `REPEATS` calls on the Astana weekday with one incident. Then
`lrtsim run` itself as a new process, into a temporary folder, `ROUNDS` times (the issue's
goal: under a minute after set-up). Prints the machine. Not a test: nothing here asserts a
time.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_support import machine, timed
from lrtsim.io.day_files import day_files
from lrtsim.io.outputs import plan_files
from lrtsim.io.payloads import simulate_payload
from lrtsim.model.load import load_scenario
from lrtsim.pipeline import configure, report_sections, run_pipeline
from lrtsim.report.html import report_html
from lrtsim.report.static_files import static_pngs

REPEATS = 5
ROUNDS = 3
INCIDENT = "08:15,track_blocked,Baiterek,House of Ministries,12"


def main() -> None:
    """Print the benchmark table."""
    scenario = configure(load_scenario("astana"), [INCIDENT])
    run = run_pipeline(scenario, seed=1)  # warm-up: numba kernels
    sections = report_sections(run)
    html = report_html(run, sections, title="bench", generated="2026-01-01T00:00:00+00:00")
    pngs = static_pngs(sections)
    charts = sum(len(s.charts) for s in sections)
    print(machine())
    page_mb = len(html.encode()) / 1e6
    png_mb = sum(map(len, pngs.values())) / 1e6
    print(
        f"Astana weekday with one incident: {len(sections)} sections, {charts} charts; "
        f"report.html {page_mb:.1f} MB, png/ {png_mb:.1f} MB"
    )
    print(f"{'case':<52} {'median ms':>10} {'min ms':>8}")
    payload = simulate_payload(run.day, run.design.day_type, run.seed, run.kpis)
    cases: list[tuple[str, Callable[[], object]]] = [
        (
            "pipeline: running times → KPIs (with reference day)",
            lambda: run_pipeline(scenario, seed=1),
        ),
        ("report charts (every section)", lambda: report_sections(run)),
        ("report.html", lambda: report_html(run, sections, title="b", generated="g")),
        ("png/ static charts (matplotlib)", lambda: static_pngs(sections)),
        ("timetable, blocks, gtfs.zip", lambda: plan_files(run.scenario, run.day_plans)),
        ("events, passengers parquet, kpis.json", lambda: day_files(run.result, payload)),
    ]
    for name, fn in cases:
        ms = timed(fn, REPEATS)
        print(f"{name:<52} {statistics.median(ms):>10.1f} {min(ms):>8.1f}")
    walls = []
    for _ in range(ROUNDS):
        folder = Path(tempfile.mkdtemp(prefix="bench-run-"))
        try:
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "lrtsim.cli",
                    "run",
                    "--incident",
                    INCIDENT,
                    "--out",
                    str(folder),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=dict(os.environ),
                check=True,
            )
            walls.append(time.perf_counter() - start)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    print(
        f"{'lrtsim run astana --incident … (whole process)':<52} "
        f"{statistics.median(walls) * 1000:>10.0f} {min(walls) * 1000:>8.0f}"
    )


if __name__ == "__main__":
    main()
