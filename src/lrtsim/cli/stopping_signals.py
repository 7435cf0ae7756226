"""SIGTERM handled as Ctrl-C is: raised as an exception inside a block, so that what the
command started (a run, a pool of workers, a catalogue record) is closed and recorded."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

TERMINATED_EXIT = 128 + 15
"""The exit code of a command stopped by SIGTERM, as a shell reports one."""


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM)."""


@contextmanager
def terminate_as_exception() -> Iterator[None]:
    """SIGTERM raises `Terminated` inside the block (as SIGINT raises KeyboardInterrupt)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
