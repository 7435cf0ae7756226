"""What every benchmark shares: the machine it ran on, and timing a call repeatedly."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable


def cpu_name() -> str:
    """The CPU model from /proc/cpuinfo, or the platform's guess."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> str:
    """'machine: CPU, N cores, OS release', the line each benchmark prints first."""
    return (
        f"machine: {cpu_name()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"
    )


def timed(fn: Callable[[], object], repeats: int) -> list[float]:
    """Wall-clock milliseconds of `repeats` calls."""
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out
