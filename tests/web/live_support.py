"""What the live-endpoint tests share: a paced load on one URL and its latencies."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass

import httpx
import numpy as np


@dataclass(frozen=True)
class Load:
    """What a paced load saw: each answer's status (or error name) and latency in ms."""

    statuses: Counter[str]
    latencies_ms: list[float]

    def summary(self) -> str:
        """'N requests: p50 … ms, p99 … ms, max … ms' of the load."""
        ms = np.array(self.latencies_ms)
        return (
            f"{ms.size} requests: p50 {np.percentile(ms, 50):.1f} ms, "
            f"p99 {np.percentile(ms, 99):.1f} ms, max {ms.max():.1f} ms"
        )


def paced_load(url: str, rate_per_s: float, duration_s: float, threads: int = 8) -> Load:
    """GET `url` at `rate_per_s` for `duration_s`, from `threads` threads each keeping its own
    share of the pace (a request late on its slot is sent at once, never skipped)."""
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.2
    per_thread = int(rate_per_s * duration_s) // threads
    interval_s = threads / rate_per_s

    def worker(k: int) -> None:
        with httpx.Client(timeout=10.0) as client:
            for n in range(per_thread):
                slot = start + (n + k / threads) * interval_s
                pause = slot - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                t0 = time.perf_counter()
                try:
                    status = str(client.get(url).status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                ms = (time.perf_counter() - t0) * 1000.0
                with lock:
                    statuses[status] += 1
                    latencies.append(ms)

    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return Load(statuses=statuses, latencies_ms=latencies)
