"""The event kernel: order by time, priority and scheduling order; run until a time; handlers
that schedule further events; a clock that never goes back."""

from __future__ import annotations

import math
import random

import pytest

from lrtsim.simulation.kernel import Kernel


def test_events_come_out_in_time_order() -> None:
    rng = random.Random(3)
    times = [rng.uniform(0.0, 1000.0) for _ in range(200)]
    kernel: Kernel[int] = Kernel()
    for i, t in enumerate(times):
        kernel.schedule(t, i)
    popped = [kernel.step() for _ in range(len(times))]
    assert [p.time_s for p in popped] == sorted(times)
    assert [p.event for p in popped] == sorted(range(len(times)), key=lambda i: times[i])
    assert len(kernel) == 0
    assert kernel.now_s == max(times)


def test_ties_by_priority_then_insertion_order() -> None:
    kernel: Kernel[str] = Kernel()
    # Scheduled in a scrambled order, all at the same time.
    entries = [("c1", 2), ("a1", 0), ("b1", 1), ("a2", 0), ("c2", 2), ("b2", 1), ("a3", 0)]
    for name, priority in entries:
        kernel.schedule(10.0, name, priority)
    kernel.schedule(5.0, "early", 9)  # an earlier time beats any priority
    order = [kernel.step().event for _ in range(len(entries) + 1)]
    assert order == ["early", "a1", "a2", "a3", "b1", "b2", "c1", "c2"]


def test_equal_keys_never_compare_the_events() -> None:
    class Opaque:  # not orderable: comparing two would raise TypeError
        pass

    kernel: Kernel[Opaque] = Kernel()
    events = [Opaque() for _ in range(5)]
    for event in events:
        kernel.schedule(1.0, event)
    assert [kernel.step().event for _ in events] == events


def test_run_until_stops_at_the_time_and_keeps_the_rest() -> None:
    kernel: Kernel[float] = Kernel()
    for t in (1.0, 2.0, 3.0, 3.0, 4.5, 7.0):
        kernel.schedule(t, t)
    seen: list[float] = []
    ran = kernel.run(lambda k, e: seen.append(e), until_s=3.0)
    assert ran == 4
    assert seen == [1.0, 2.0, 3.0, 3.0]  # an event at the limit runs
    assert kernel.now_s == 3.0
    assert len(kernel) == 2
    assert kernel.peek_s() == 4.5
    kernel.run(lambda k, e: seen.append(e), until_s=5.0)
    assert seen[-1] == 4.5
    assert kernel.now_s == 5.0  # the clock stops at the limit, not at the last event
    kernel.run(lambda k, e: seen.append(e))
    assert seen[-1] == 7.0
    assert kernel.now_s == 7.0
    assert kernel.peek_s() == math.inf


def test_a_handler_schedules_further_events() -> None:
    """A chain of events each scheduling the next: a 'train' arriving every 90 s, and at each
    arrival a departure 20 s later, with a priority that puts arrivals before departures."""
    arrive, depart = 0, 1
    kernel: Kernel[tuple[str, int]] = Kernel(start_s=100.0)
    log: list[tuple[float, str, int]] = []

    def handle(k: Kernel[tuple[str, int]], event: tuple[str, int]) -> None:
        kind, n = event
        log.append((k.now_s, kind, n))
        if kind == "arrive":
            k.schedule(k.now_s + 20.0, ("depart", n), depart)
            if n < 9:
                k.schedule(k.now_s + 90.0, ("arrive", n + 1), arrive)

    kernel.schedule(100.0, ("arrive", 0), arrive)
    kernel.run(handle, until_s=10_000.0)
    assert len(log) == 20
    assert [t for t, _, _ in log] == sorted(t for t, _, _ in log)
    for n in range(10):
        assert (100.0 + 90.0 * n, "arrive", n) in log
        assert (120.0 + 90.0 * n, "depart", n) in log


def test_same_time_event_from_a_handler_runs_after_those_due() -> None:
    kernel: Kernel[str] = Kernel()
    log: list[str] = []

    def handle(k: Kernel[str], event: str) -> None:
        log.append(event)
        if event == "first":
            k.schedule(k.now_s, "spawned", 0)

    kernel.schedule(1.0, "first", 0)
    kernel.schedule(1.0, "second", 0)
    kernel.schedule(1.0, "later kind", 1)
    kernel.run(handle)
    # Same time and priority as "second" but scheduled after it; still before the higher kind.
    assert log == ["first", "second", "spawned", "later kind"]


def test_the_clock_never_goes_back() -> None:
    kernel: Kernel[str] = Kernel(start_s=50.0)
    with pytest.raises(ValueError, match="in the past"):
        kernel.schedule(49.0, "late")
    kernel.schedule(60.0, "x")
    kernel.step()
    with pytest.raises(ValueError, match="in the past"):
        kernel.schedule(59.9, "late")
    with pytest.raises(ValueError, match="cannot run until"):
        kernel.run(lambda k, e: None, until_s=10.0)
    with pytest.raises(ValueError, match="finite"):
        kernel.schedule(math.nan, "nan")
    with pytest.raises(IndexError):
        kernel.step()


def test_push_queues_as_schedule_does_and_refuses_the_same_times() -> None:
    from lrtsim.simulation.kernel import Kernel

    pushed: Kernel[str] = Kernel()
    scheduled: Kernel[str] = Kernel()
    for t, e, p in ((5.0, "b", 1), (5.0, "a", 0), (1.0, "c", 2), (5.0, "d", 1)):
        pushed.push(t, e, p)
        scheduled.schedule(t, e, p)
    seen_p: list[str] = []
    seen_s: list[str] = []
    pushed.run(lambda _k, e: seen_p.append(e))
    scheduled.run(lambda _k, e: seen_s.append(e))
    assert seen_p == seen_s == ["c", "a", "b", "d"]
    for bad in (float("nan"), float("inf"), -1.0):
        with pytest.raises(ValueError, match=r"finite time|in the past"):
            Kernel(start_s=0.0).push(bad, "x")
