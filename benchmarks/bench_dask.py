"""Time the two engines of the Monte Carlo days (`make bench`): N Astana weekdays on the local
engine and on the Dask engine (a `LocalCluster` of worker processes), each on 1 and 2 workers.

The plan is made once and numba warmed up in this process, outside the timings. Each
engine/workers case gives three figures: `total`, the whole `with` block (opening the engine —
the local pool's processes, or the LocalCluster and the plan's scatter —, the N days, closing
it); `run`, the days with the engine open and warm; `open`, the rest before them. To have the
engine warm, `open` includes the first day of each worker process (days 0 … workers − 1, one a
worker: it starts the pool's processes, which the local engine starts lazily, and loads numba's
cached kernels in each) and `run` times `run(range(workers, N), None)`. Local on 1 worker runs
in this process, already warm: its `open` is nothing and its `run` is all N days. Every case's
days table must equal local-1's exactly (a correctness check, not a timing). Then the 1 → 2
scaling efficiency of each engine, Dask's overhead against local at equal workers, and what
100,000 days would take on N cores of a Dask cluster.

Then paired rounds (`--rounds`, default 4, of `--round-days`, default 40): every engine open at
once, local-1 too as a pool of one worker process, the cases taking turns on the same days, so
that a drift in the machine's speed (this shared 2-core VM's varies by a third within minutes)
touches every case alike; the scaling and Dask's overhead are taken round by round from these,
and the projection from their medians.

`--days N` sets N (default 100, base seed 1). Prints the machine and its load at the start.
Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import platform
import statistics
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd

from bench_support import machine
from lrtsim.experiments.dask_engine import dask_runner
from lrtsim.experiments.days import PreparedDay, Runner, local_runner, prepare
from lrtsim.model.load import load_scenario

BASE_SEED = 1
# Local first: distributed's nanny puts MALLOC_TRIM_THRESHOLD_ into this process's environment,
# and a local pool started after it would inherit the setting (docs/performance.md).
ENGINES = ("local", "dask")
WORKERS = (1, 2)
PROJECTED_DAYS = 100_000
PROJECTED_CORES = (2, 8, 32, 128)


@dataclass(frozen=True)
class Timing:
    """One engine/workers case: seconds to open (and warm), to run the rest of the days, the
    whole block; `run_days`, the days `run_s` covers."""

    engine: str
    workers: int
    open_s: float
    run_s: float
    total_s: float
    run_days: int


def opened(engine: str, prepared: PreparedDay, workers: int) -> AbstractContextManager[Runner]:
    """The engine's runner, not yet entered."""
    if engine == "local":
        return local_runner(prepared, BASE_SEED, workers)
    return dask_runner(prepared, BASE_SEED, workers)


def timed_case(
    engine: str, prepared: PreparedDay, workers: int, days: int
) -> tuple[Timing, pd.DataFrame]:
    """The case's timing and its days table (all `days` of them)."""
    in_process = engine == "local" and workers == 1
    warm_days = 0 if in_process else workers
    start = time.perf_counter()
    with opened(engine, prepared, workers) as run:
        first = run(range(warm_days), None)
        ready = time.perf_counter()
        rest = run(range(warm_days, days), None)
        ran = time.perf_counter()
    end = time.perf_counter()
    table = pd.concat([first, rest], ignore_index=True) if warm_days else rest
    timing = Timing(engine, workers, ready - start, ran - ready, end - start, days - warm_days)
    return timing, table


def cases(prepared: PreparedDay, days: int) -> Iterator[Timing]:
    """Every case in turn, each table checked against local-1's."""
    reference: pd.DataFrame | None = None
    for engine in ENGINES:
        for workers in WORKERS:
            timing, table = timed_case(engine, prepared, workers, days)
            assert len(table) == days, (engine, workers, len(table))
            if reference is None:
                reference = table
            else:
                pd.testing.assert_frame_equal(table, reference, check_exact=True)
            yield timing


def run_day_s(timing: Timing) -> float:
    """Seconds a day of the run (engine warm)."""
    return timing.run_s / timing.run_days


def efficiency(one_s: float, two_s: float) -> float:
    """1 → 2 workers scaling efficiency: the speed-up over 2."""
    return one_s / (2.0 * two_s)


def overhead_pct(dask_s: float, local_s: float) -> float:
    """How much longer Dask took than local, in % of local."""
    return 100.0 * (dask_s / local_s - 1.0)


def spread(values: list[float], scale: float, unit: str, *, signed: bool = False) -> str:
    """'93 % (88–97 %)': the median and the range of `values` × `scale`."""
    sign = "+" if signed else ""
    mid, low, high = (scale * v for v in (statistics.median(values), min(values), max(values)))
    return f"{mid:{sign}.0f} {unit} ({low:{sign}.0f} to {high:{sign}.0f} {unit})"


def clock(seconds: float) -> str:
    """Seconds as 'H h MM min', 'M min SS s' or 'S s'."""
    if seconds >= 3600:
        hours, rest = divmod(round(seconds / 60), 60)
        return f"{hours} h {rest:02d} min"
    if seconds >= 60:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest:02d} s"
    return f"{seconds:.0f} s"


def versions() -> str:
    """The versions a cluster's hosts must share."""
    import dask
    import distributed

    return (
        f"Python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}, "
        f"pandas {pd.__version__}, dask {dask.__version__}, distributed {distributed.__version__}"
    )


def paired_rounds(
    prepared: PreparedDay, days: int, rounds: int
) -> dict[tuple[str, int], list[float]]:
    """Seconds a day of each case in each of `rounds` rounds, every engine open at once and the
    cases taking turns (in a rotated order) on the same `days` days: a drift in the machine's
    speed then touches every case alike, and the ratios are taken round by round."""
    from contextlib import ExitStack

    from lrtsim.experiments.engine import LocalEngine

    keys = [(engine, workers) for engine in ENGINES for workers in WORKERS]
    seconds: dict[tuple[str, int], list[float]] = {key: [] for key in keys}
    with ExitStack() as stack:
        # Every case in worker processes, local-1 too (a pool of one): this process hosts the
        # Dask schedulers, whose event loops would slow a day simulated here.
        runs = {
            key: (
                LocalEngine(key[1], stack, in_process=False).runner(prepared, BASE_SEED)
                if key[0] == "local"
                else stack.enter_context(opened(key[0], prepared, key[1]))
            )
            for key in keys
        }
        for key, run in runs.items():
            run(range(key[1]), None)  # each worker's first day: warm
        for r in range(rounds):
            for key in keys[r % len(keys) :] + keys[: r % len(keys)]:
                start = time.perf_counter()
                run = runs[key]
                run(range(days), None)
                seconds[key].append((time.perf_counter() - start) / days)
    return seconds


def main() -> None:
    """Print the benchmark's tables."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--round-days", type=int, default=40)
    options = parser.parse_args()
    days = options.days
    if days < 2:
        parser.error("--days must be at least 2")
    load_1, load_5, _ = os.getloadavg()
    print(machine())
    print(versions())
    print(f"load average at start: {load_1:.2f} (1 min), {load_5:.2f} (5 min)")
    prepared = prepare(load_scenario("astana"), None)
    with local_runner(prepared, 0, 1) as warm:
        warm(range(2), None)  # numba's kernels compiled or loaded in this process
    plan_kib = len(pickle.dumps(prepared)) / 1024
    print(
        f"Astana weekday, {days} days, base seed {BASE_SEED}; the plan pickled: {plan_kib:,.0f} KiB"
    )
    print()
    print(
        f"{'engine':<7} {'workers':>7} {'open s':>7} {'run s':>7} {'total s':>8} "
        f"{'days/s':>7} {'days/core-s':>12}"
    )
    timings: dict[tuple[str, int], Timing] = {}
    for timing in cases(prepared, days):
        timings[timing.engine, timing.workers] = timing
        print(
            f"{timing.engine:<7} {timing.workers:>7} {timing.open_s:>7.1f} {timing.run_s:>7.1f} "
            f"{timing.total_s:>8.1f} {timing.run_days / timing.run_s:>7.2f} "
            f"{timing.run_days / (timing.run_s * timing.workers):>12.2f}"
        )
    print(
        "(open: the engine and each worker's first day; run: the other days, engine warm;"
        "\ntotal: the whole block, N days; days/s and days/core-s from run; every table identical"
        "\nto local-1's)"
    )
    print()
    print(
        f"Paired rounds: {options.rounds} rounds of {options.round_days} days, every engine open,"
        "\nthe cases taking turns; seconds a day of each round, then the ratios round by round"
        "\n(medians; min–max over the rounds)."
    )
    paired = paired_rounds(prepared, options.round_days, options.rounds)
    for key, per_day in paired.items():
        print(
            f"{key[0]:<7} {key[1]:>7}  {' '.join(f'{x:.3f}' for x in per_day)}  "
            f"(days/core-s {1 / (statistics.median(per_day) * key[1]):.2f})"
        )
    for engine in ENGINES:
        ratios = [
            efficiency(a, b) for a, b in zip(paired[engine, 1], paired[engine, 2], strict=True)
        ]
        print(f"scaling 1 → 2 workers, {engine}: {spread(ratios, 100, '%')}")
    for workers in WORKERS:
        ratios = [
            overhead_pct(d, loc)
            for d, loc in zip(paired["dask", workers], paired["local", workers], strict=True)
        ]
        print(
            f"Dask overhead vs local, {workers} worker{'s' if workers > 1 else ''}: "
            f"{spread(ratios, 1, '%', signed=True)}"
        )
    print()
    two_s = statistics.median(paired["dask", 2])
    rate = 1.0 / (two_s * 2)
    kept = statistics.median(
        efficiency(a, b) for a, b in zip(paired["dask", 1], paired["dask", 2], strict=True)
    )
    print(
        f"{PROJECTED_DAYS:,} days on a Dask cluster of N cores (one single-threaded worker a core),"
        f"\nprojected from {rate:.2f} days per core-second (Dask, 2 workers, paired rounds)."
        f"\nAssumed: every core keeps that rate, i.e. the measured 1 → 2 efficiency"
        f"\n({100 * kept:.0f} %) holds at every N; 'pessimistic': that efficiency is lost again at"
        f"\neach doubling beyond 2 cores. The cluster is already running: its start and the plan's"
        f"\nscatter are not counted."
    )
    print(f"{'cores':>6} {'days/s':>8} {'wall':>14} {'pessimistic':>14}")
    for cores in PROJECTED_CORES:
        doublings = math.log2(cores / 2)
        pessimistic = PROJECTED_DAYS / (rate * cores * min(1.0, kept) ** doublings)
        print(
            f"{cores:>6} {rate * cores:>8.1f} {clock(PROJECTED_DAYS / (rate * cores)):>14} "
            f"{clock(pessimistic):>14}"
        )


if __name__ == "__main__":
    main()
