"""One JSON style for every output: snake_case keys, a precision per unit, counts as integers.

The precision follows the key's unit suffix, so the same quantity has the same precision in
every command: fractions (`share`, `ratio`, `load`, and keys ending `_share`, `_ratio`,
`_factor`) to 4 decimals; passengers (keys ending `_pax`, `_pax_per_hour`, `_boardings`, or
with a `passengers_` part) as whole numbers; every other float — times (`_s`), distances
(`_m`, `_km`), energies (`_kwh`), speeds (`_kmh`), percentages (`_pct`), rates (`_per_hour`) —
to 3 decimals (the millisecond, the millimetre). A key without a suffix of its own inherits its
parent's rule (the values of `occupation_s` are seconds). Values a user gave (`values`, a sweep's
parameter values) are kept exactly as given. Non-finite numbers become `null` ("not defined",
e.g. no demand headway without demand).
"""

from __future__ import annotations

import json
import math
import numbers
from typing import Any

DECIMALS = 3
"""Default decimals of a float: a millisecond, a millimetre, a watt-hour."""

FRACTION_DECIMALS = 4
"""Decimals of a dimensionless share or ratio."""

_FRACTION_KEYS = frozenset({"share", "ratio", "load"})
_FRACTION_SUFFIXES = ("_share", "_ratio", "_factor")
_PASSENGER_SUFFIXES = ("_pax", "_pax_per_hour", "_boardings")
_EXACT_KEYS = frozenset({"values"})
_UNIT_SUFFIXES = ("_s", "_m", "_km", "_kwh", "_kmh", "_pct", "_per_hour", "_hours")


def _rule(key: str, inherited: str) -> str:
    """The rounding rule of `key`: 'exact', 'fraction', 'int', 'float', or the parent's rule."""
    if key in _EXACT_KEYS:
        return "exact"
    if key in _FRACTION_KEYS or key.endswith(_FRACTION_SUFFIXES):
        return "fraction"
    if key.endswith(_PASSENGER_SUFFIXES) or key == "boardings" or _names_passengers(key):
        return "int"
    if key.endswith(_UNIT_SUFFIXES):
        return "float"
    return inherited


def _names_passengers(key: str) -> bool:
    """`passengers_per_hour`, `crush_passengers_per_hour_per_direction`: a count of people."""
    return key.startswith("passengers_") or "_passengers_" in key


def tidy(value: Any, key: str = "", rule: str = "float") -> Any:
    """`value` with every float rounded by the rule of its key (see the module docstring)."""
    rule = _rule(key, rule) if key else rule
    if isinstance(value, dict):
        return {str(k): tidy(v, str(k), rule) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [tidy(v, "", rule) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    number = float(value)
    if not math.isfinite(number):
        return None
    if rule == "exact":
        return number
    if rule == "int":
        return round(number)
    digits = FRACTION_DECIMALS if rule == "fraction" else DECIMALS
    rounded = round(number, digits)
    return 0.0 if rounded == 0 else rounded


def dumps(payload: dict[str, Any], indent: int | None = None) -> str:
    """The payload as strict JSON (no NaN), tidied, UTF-8 text kept as is: one line, or
    indented by `indent` spaces for a file people read."""
    return json.dumps(tidy(payload), ensure_ascii=False, allow_nan=False, indent=indent)
