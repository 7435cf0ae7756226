"""Read-only arrays for frozen objects: what they hold cannot be changed through them."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np


def read_only(obj: Any) -> None:
    """Replace each numpy array field of the frozen dataclass `obj` by a read-only view of it.

    Call from `__post_init__`. The caller's arrays stay writable (a view is locked, not the
    array), so a buffer reused to build several objects is not locked by the first.
    """
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        if isinstance(value, np.ndarray):
            view = value.view()
            view.setflags(write=False)
            object.__setattr__(obj, field.name, view)
