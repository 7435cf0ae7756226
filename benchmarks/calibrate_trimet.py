"""Calibrate the TriMet MAX Green Line to its schedule: time it, print the tables of the doc.

Run from the repository: `python benchmarks/calibrate_trimet.py [FEED]` (default: the feed of
docs/validation.md). Prints the machine, the time of each step (after a warm-up that compiles the
numba kernels), then the Markdown of "Calibration to the schedule" in docs/validation.md, which
tests/calibration/test_calibration_trimet.py checks the document against.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

from bench_support import cpu_name
from lrtsim.calibration.calibrate import calibrate
from lrtsim.calibration.fit import fit_schedule
from lrtsim.dynamics.runtime import running_times
from lrtsim.io.gtfs.calibration_input import calibration_input
from lrtsim.io.gtfs.import_scenario import import_gtfs
from lrtsim.report.calibration_tables import markdown

FEED = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "feeds" / "trimet-max-green-2021.zip"
)
ROUTE = "200"


def main() -> None:
    feed = Path(sys.argv[1]) if len(sys.argv) > 1 else FEED
    if not feed.is_file():
        print(f"# {feed} is not there (../shared sits beside the checkout): no calibration timing")
        return
    t0 = time.perf_counter()
    imported = import_gtfs(feed, ROUTE)
    t1 = time.perf_counter()
    inputs = calibration_input(imported)
    t2 = time.perf_counter()
    running_times(imported.scenario, ("up",), allowance_pct=5.0)  # compile, as a CLI run would
    t3 = time.perf_counter()
    fit = fit_schedule(imported.scenario, inputs.fitted)
    t4 = time.perf_counter()
    report = calibrate(imported.scenario, inputs.fitted, inputs.held_out, inputs.service)
    t5 = time.perf_counter()
    print(f"# {cpu_name()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")  # fmt: skip
    print(f"# import {t1 - t0:.2f} s, calibration input {t2 - t1:.2f} s, warm-up {t3 - t2:.2f} s")
    print(f"# fit {t4 - t3:.2f} s ({fit.rounds} runs of the line); calibrate with held-out "
          f"check and service plan {t5 - t4:.2f} s")  # fmt: skip
    print()
    kept = fit_schedule(imported.scenario, inputs.fitted, keep_allowance=True)
    print(markdown(report, inputs.notes, kept), end="")


if __name__ == "__main__":
    main()
